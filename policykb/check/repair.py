"""`policykb check --repair`: write again what is derived from the store, never a document.

The FAISS vectors and the term matrix are rebuilt from the store whatever the check found (they are quick to make next
to embedding, and a file can be wrong in ways no cheap check sees); the FTS5 tables, inside the SQLite file, only when
the check found them wrong; a passage's stored vector, when damaged, is embedded again from its text. A store whose SQLite file itself is damaged is left alone: nothing derived can mend it.
"""

from __future__ import annotations

import shutil

from policykb.check.findings import Report
from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.terms import terms_dir
from policykb.search.vectors import vector_file


def repair_store(config: Config, found: Report) -> list[str]:
    """Rebuild what `found` (check_store's report) allows; what was done, one line each."""
    if found.failed("sqlite") or found.failed("index"):
        return []
    done = []
    with Indexer(config, progress=False) as indexer:
        store = indexer.store
        if found.failed("fts") or (found.failed("counts") and not store.fts_counts().agree):
            store.rebuild_fts()
            done.append("rebuilt chunks_fts and documents_fts from the documents and passages")
        if embedded := indexer.embed_damaged():
            done.append(f"embedded again {embedded} passage(s) whose stored vector was damaged")
        for old in [*config.data_dir.glob("vectors.*.faiss"), *config.data_dir.glob("vectors.*.live.npz")]:
            old.unlink()
        for old in config.data_dir.glob("terms.*"):
            if old.is_dir() and old.name.split(".")[-1].isdigit():
                shutil.rmtree(old)
        indexer.save_derived(int(store.meta("dim") or 384))
        generation = store.generation()
        done.append(f"rebuilt {vector_file(config.data_dir, generation).name} from the store's vectors")
        if terms_dir(config.data_dir, generation).exists():
            done.append(f"rebuilt {terms_dir(config.data_dir, generation).name} from FTS5")
    return done
