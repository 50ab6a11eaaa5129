"""`policykb bench faults`: inject every fault the index must survive and count the survivals.

A small index of the bundled corpus (fake embedder, with a term matrix) is copied for each fault; the fault is
injected (a damaged FAISS file or term matrix of each kind, a FAISS file holding no vectors, damaged vectors in the store,
FTS5 rows lost, a full disk while ingest writes FAISS, the term matrix or SQLite, a short write on a nearly full disk, a
full disk during an upload, an upload left by a crash), then the fault survived when the
operation it hit failed cleanly or not at all, every search mode still answers, and `policykb check` passes after
`check --repair`.
"""

from __future__ import annotations

import dataclasses
import errno
import io
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from unittest import mock

import faiss
import numpy as np
from werkzeug.datastructures import FileStorage

from policykb.check.findings import check_store
from policykb.check.repair import repair_store
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.errors import PolicyKBError, StorageError
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import MODES, Searcher
from policykb.search.terms import terms_dir
from policykb.search.vectors import VectorIndex, vector_file
from policykb.store import Store

VECTOR_DAMAGE = ("truncated", "random", "empty", "wrong dimension", "without chunk ids")
TERM_DAMAGE = (
    "truncated array",
    "random array",
    "bad json",
    "arrays of other lengths",
    "missing array",
    "spoiled values",
)
TOKEN = "bench-token"


def damage_vectors(path: Path, kind: str) -> None:
    """Spoil a FAISS file as a crash, a disk or a person might (one of VECTOR_DAMAGE)."""
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "random":
        path.write_bytes(np.random.default_rng(19).bytes(len(data)))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "wrong dimension":  # a valid FAISS file, of 16-dimensional vectors
        other = faiss.IndexIDMap2(faiss.IndexFlatIP(16))
        other.add_with_ids(np.ones((3, 16), dtype=np.float32), np.arange(3, dtype=np.int64))
        faiss.write_index(other, str(path))
    elif kind == "without chunk ids":  # a valid FAISS file of the right dimension, keyed by position
        faiss.write_index(faiss.IndexFlatIP(384), str(path))


def damage_terms(folder: Path, kind: str) -> None:
    """Spoil a term matrix folder (one of TERM_DAMAGE)."""
    rows = folder / "rows.npy"
    if kind == "truncated array":
        rows.write_bytes(rows.read_bytes()[:200])
    elif kind == "random array":
        rows.write_bytes(np.random.default_rng(19).bytes(rows.stat().st_size))
    elif kind == "bad json":
        (folder / "terms.json").write_text("{not json", encoding="utf-8")
    elif kind == "arrays of other lengths":  # each file readable, together inconsistent
        np.save(rows, np.zeros(3, dtype=np.int32))
    elif kind == "missing array":
        (folder / "impacts.npy").unlink()
    elif kind == "spoiled values":  # a sound header over rows no passage has: found only when a search reads them
        spoiled = np.load(rows, mmap_mode="r+")
        spoiled[:] = 10**6
        spoiled.flush()


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@contextmanager
def _nearly_full(injected: AbstractContextManager) -> Iterator[None]:
    """`injected`, on a disk that counts as nearly full whatever its free space."""
    with injected, mock.patch("policykb.disk.NEARLY_FULL_BYTES", 2**62):
        yield


def _generation(config: Config) -> int:
    with Store(config.db_path, readonly=True) as store:
        return store.generation()


def _new_file(folder: Path) -> Path:
    path = folder / "zebra.txt"
    path.write_text("Zebra crossing safety programme for schoolchildren. " * 2000, encoding="utf-8")
    return path


def _ingest_refused(config: Config, injected: AbstractContextManager, sqlite_limit: bool = False) -> str:
    """Ingest a new file under `injected`; what the user was told (a StorageError's one line is the right answer)."""
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        if sqlite_limit:  # SQLite's own "database or disk is full"
            pages = indexer.store.conn.execute("PRAGMA page_count").fetchone()[0]
            indexer.store.conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        try:
            with injected:
                indexer.ingest([_new_file(config.data_dir.parent)])
        except StorageError as error:
            return re.sub(r"/\S*/data/", "DATA/", str(error))
    raise AssertionError("the ingest did not meet the injected full disk")


def _upload_refused(config: Config) -> str:
    from policykb.web import create_app

    def partial_then_full(self, dst, buffer_size=16384):
        Path(dst).write_bytes(b"partial")
        _no_space()

    client = create_app(config=dataclasses.replace(config, admin_token=TOKEN)).test_client()
    with mock.patch.object(FileStorage, "save", partial_then_full):
        response = client.post(
            "/api/docs",
            data={"file": (io.BytesIO(b"Zebra crossing."), "zebra.txt")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    left = list((config.data_dir / "uploads").iterdir())
    assert response.status_code == 507 and not left, (response.status_code, left)
    return re.sub(r"/\S*/data/", "DATA/", response.get_json()["error"])


def _crash_orphan(config: Config) -> str:
    from policykb.web import create_app

    uploads = config.data_dir / "uploads"
    uploads.mkdir(exist_ok=True)
    (uploads / "0badc0de-crashed.pdf").write_bytes(b"%PDF-1.4 cut short")
    create_app(config=config)
    assert not list(uploads.iterdir()), "the orphan is still there"
    return "orphan removed at start-up"


def _faults() -> dict[str, Callable[[Config], str]]:
    """Each fault by name: a function that injects it into an index and returns what the user saw."""

    def vectors(kind: str) -> Callable[[Config], str]:
        return lambda config: damage_vectors(vector_file(config.data_dir, _generation(config)), kind) or "damaged"

    def terms(kind: str) -> Callable[[Config], str]:
        return lambda config: damage_terms(terms_dir(config.data_dir, _generation(config)), kind) or "damaged"

    def lost_fts_rows(config: Config) -> str:
        with sqlite3.connect(config.db_path) as conn:
            conn.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks ORDER BY id LIMIT 3)")
        return "3 rows deleted"

    def too_few_vectors(config: Config) -> str:  # a valid FAISS file that holds none of the store's passages
        VectorIndex(FakeEmbedder().dim).save(vector_file(config.data_dir, _generation(config)))
        return "replaced"

    def stored_vector(damaged: bytes) -> Callable[[Config], str]:
        def inject(config: Config) -> str:
            with sqlite3.connect(config.db_path) as conn:
                conn.execute("UPDATE chunks SET vector = ? WHERE id = (SELECT min(id) FROM chunks)", (damaged,))
            vector_file(config.data_dir, _generation(config)).unlink()  # so that the readers rebuild from the store
            return "damaged"

        return inject

    def short_write(*args, **kwargs):  # what NumPy raises when the disk takes only part of an array
        raise OSError("15579 requested and 7664 written")

    faults: dict[str, Callable[[Config], str]] = {f"FAISS file {kind}": vectors(kind) for kind in VECTOR_DAMAGE}
    faults["FAISS file valid but holding no vectors"] = too_few_vectors
    faults |= {f"term matrix {kind}": terms(kind) for kind in TERM_DAMAGE}
    faults["a stored vector cut short"] = stored_vector(b"\x01\x02")
    faults["a stored vector of another dimension"] = stored_vector(b"\x00" * 4 * 17)
    faults["FTS5 rows lost"] = lost_fts_rows
    faults["ENOSPC writing FAISS at ingest"] = lambda c: _ingest_refused(
        c, mock.patch.object(faiss, "write_index", _no_space)
    )
    faults["ENOSPC writing the term matrix at ingest"] = lambda c: _ingest_refused(
        c, mock.patch.object(np, "save", _no_space)
    )
    faults["short write of the term matrix on a nearly full disk"] = lambda c: _ingest_refused(
        c, _nearly_full(mock.patch.object(np, "save", short_write))
    )
    faults["SQLite full at ingest"] = lambda c: _ingest_refused(c, nullcontext(), sqlite_limit=True)
    faults["ENOSPC at upload"] = _upload_refused
    faults["upload orphaned by a crash"] = _crash_orphan
    return faults


def _survives(config: Config) -> str | None:
    """None when every search mode answers and check passes after repair; else what went wrong."""
    searcher = Searcher(config, FakeEmbedder())
    try:
        for mode in MODES:
            if not searcher.search("social insurance coverage", mode).hits:
                return f"no hits in {mode} mode"
    finally:
        searcher.close()
    report = check_store(config)
    repair_store(config, report)
    after = check_store(config)
    return None if after.ok else "; ".join(after.problems)


@contextmanager
def _warnings() -> Iterator[list[str]]:
    """The warnings policykb logs while the block runs (what an operator would read), with the data folder's path
    left out."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(re.sub(r"/\S*/data/", "DATA/", record.getMessage()))

    handler = Collect(logging.WARNING)
    logging.getLogger("policykb").addHandler(handler)
    try:
        yield lines
    finally:
        logging.getLogger("policykb").removeHandler(handler)


def run_faults(corpus_dir: Path | None = None) -> dict:
    """Inject each fault into a fresh copy of a small index; the faults, whether each was survived, and the totals."""
    with tempfile.TemporaryDirectory(prefix="policykb-faults-") as work:
        base = Config.from_env(data_dir=Path(work) / "base" / "data", embedder="fake", term_matrix_threshold=1)
        with Indexer(base, FakeEmbedder(), progress=False) as indexer:
            indexer.ingest([corpus_dir or DEFAULT_CORPUS_DIR])
        results = []
        for number, (name, inject) in enumerate(_faults().items()):
            config = dataclasses.replace(base, data_dir=Path(work) / str(number) / "data")
            shutil.copytree(base.data_dir, config.data_dir)
            with _warnings() as warned:
                try:
                    said = inject(config)
                    problem = _survives(config)
                except (AssertionError, PolicyKBError, RuntimeError, OSError, sqlite3.Error) as error:
                    said, problem = "", f"{type(error).__name__}: {error}"
            results.append(
                {"fault": name, "survived": problem is None, "said": said, "warnings": warned, "problem": problem}
            )
    return {
        "injected": len(results),
        "survived": sum(result["survived"] for result in results),
        "faults": results,
    }
