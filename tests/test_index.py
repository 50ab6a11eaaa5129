"""The index: incremental ingest, replacement, removal, FAISS kept in step with SQLite, interruptions."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, fields, replace
from pathlib import Path

import numpy as np
import pytest
from builders import UNDO_ACCESS

from policykb.config import Config
from policykb.errors import EmbedderMismatchError, IndexNotReadyError, NotFoundError
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.search.vectors import VectorIndex, vector_file
from policykb.search.vectors_files import open_vectors
from policykb.store import (
    ACRONYMS_SQL,
    AssignmentRow,
    ChunkInfo,
    DocumentSummary,
    Filters,
    PassageRow,
    Store,
    StoredDocument,
    in_batches,
)
from policykb.store.passages import _PASSAGE_ROWS
from policykb.textnorm import fold_lower


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting what it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts, progress=None):
        self.embedded += len(texts)
        return super().embed_documents(texts, progress)


def _consistent(config: Config) -> tuple[int, int]:
    """(chunks in SQLite, vectors in the saved FAISS file), asserting FTS and vector ids agree with chunks."""
    with Store(config.db_path, readonly=True) as store:
        chunk_ids = set(store.chunk_ids().tolist())
        fts_ids = {row[0] for row in store.conn.execute("SELECT rowid FROM chunks_fts")}
        vectors = VectorIndex.load(vector_file(config.data_dir, store.generation()))
    assert fts_ids == chunk_ids
    assert set(vectors.ids().tolist()) == chunk_ids
    return len(chunk_ids), vectors.size


def test_reingesting_unchanged_files_embeds_nothing(fake_config: Config, corpus_copy: Path):
    embedder = CountingEmbedder()
    with Indexer(fake_config, embedder, progress=False) as indexer:
        first = indexer.ingest([corpus_copy])
        embedded_first = embedder.embedded
        second = indexer.ingest([corpus_copy])
    assert first.added == 5 and embedded_first == first.chunks > 0
    assert second.unchanged == 5 and second.added == second.updated == 0
    assert embedder.embedded == embedded_first
    chunks, vectors = _consistent(fake_config)
    assert chunks == vectors == first.chunks


def test_changed_file_replaces_its_old_chunks_and_reuses_unchanged_vectors(fake_config: Config, corpus_copy: Path):
    embedder = CountingEmbedder()
    with Indexer(fake_config, embedder, progress=False) as indexer:
        indexer.ingest([corpus_copy])
        before = embedder.embedded
        path = corpus_copy / "002_629d27a461f4eef1.txt"
        path.write_text(
            path.read_text(encoding="utf-8")
            + "\nA brand new closing paragraph about unemployment insurance reform in 2025.\n",
            encoding="utf-8",
        )
        report = indexer.ingest([corpus_copy])
    assert report.updated == 1 and report.unchanged == 4
    assert 0 < embedder.embedded - before < report.chunks  # only the changed chunk(s)
    assert report.reused > 0
    searcher = Searcher(fake_config, FakeEmbedder())
    texts = [hit.text for hit in searcher.search("brand new closing paragraph", mode="keyword").hits]
    assert any("brand new closing paragraph" in text for text in texts)
    doc = searcher.store.get_document("002_629d27a461f4eef1")
    assert all(doc.text[c.start : c.end] for c in doc.chunks)
    _consistent(fake_config)


def test_removed_document_is_gone_from_sqlite_fts_and_faiss(fake_index: Config):
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        doc_id, removed = indexer.remove("004_6608ed9db748e12c")
    assert doc_id == "004_6608ed9db748e12c" and removed > 0
    chunks, vectors = _consistent(fake_index)
    assert chunks == vectors
    searcher = Searcher(fake_index, FakeEmbedder())
    for mode in ("hybrid", "keyword", "dense"):
        result = searcher.search("68/NQ-CP flexible social insurance", mode=mode, k=50)
        assert all(hit.doc_id != doc_id for hit in result.hits), mode
    with pytest.raises(NotFoundError):
        searcher.store.get_document(doc_id)


def test_remove_accepts_the_source_path_and_rejects_unknown_ids(fake_index: Config, corpus_copy: Path):
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        doc_id, _ = indexer.remove(str(corpus_copy / "001_b1062dfbbf733c4b.txt"))
        assert doc_id == "001_b1062dfbbf733c4b"
        with pytest.raises(NotFoundError, match="policykb docs"):
            indexer.remove("no-such-document")


def test_missing_faiss_file_is_rebuilt_from_the_store_without_embedding(fake_index: Config):
    for path in fake_index.data_dir.glob("vectors.*.faiss"):
        path.unlink()
    embedder = CountingEmbedder()
    with Indexer(fake_index, embedder, progress=False) as indexer:
        indexer.ingest([])
    assert embedder.embedded == 0
    chunks, vectors = _consistent(fake_index)
    assert chunks == vectors > 0


def test_readers_reconcile_a_stale_vector_file_in_memory(fake_index: Config, corpus_copy: Path):
    with Store(fake_index.db_path, readonly=True) as store:
        stale = VectorIndex.load(vector_file(fake_index.data_dir, store.generation()))
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.store.delete_document("003_64fe6cf54000ffa1")  # committed, but no new FAISS file written
    with Store(fake_index.db_path, readonly=True) as store:
        vectors = open_vectors(store, fake_index.data_dir, 384, save=False)
        assert vectors.size == store.count_chunks() < stale.size


def test_a_different_embedder_is_refused_with_the_fix(fake_index: Config, corpus_copy: Path):
    class OtherEmbedder(FakeEmbedder):
        name = "other-embedder"

    (corpus_copy / "new.txt").write_text("A new document about social assistance.", encoding="utf-8")
    with Indexer(fake_index, OtherEmbedder(), progress=False) as indexer:
        with pytest.raises(EmbedderMismatchError, match="policykb reindex"):
            indexer.ingest([corpus_copy])
    with pytest.raises(EmbedderMismatchError):
        Searcher(fake_index, OtherEmbedder())


def test_search_on_a_missing_or_empty_index_names_the_fix(tmp_path: Path):
    config = Config.from_env(data_dir=tmp_path / "nothing", embedder="fake")
    with pytest.raises(IndexNotReadyError, match="policykb ingest corpus/"):
        Searcher(config, FakeEmbedder())
    Store(config.db_path).close()
    with pytest.raises(IndexNotReadyError, match="policykb ingest corpus/"):
        Searcher(config, FakeEmbedder())


def test_faiss_files_are_replaced_atomically_and_no_temporary_files_remain(fake_index: Config):
    names = sorted(p.name for p in fake_index.data_dir.iterdir())
    assert [n for n in names if n.endswith(".faiss")] == [
        vector_file(fake_index.data_dir, Store(fake_index.db_path, readonly=True).generation()).name
    ]
    assert not [n for n in names if n.endswith(".tmp")]


def _ingest_process(data: Path, corpus: Path, delay: float, ann_threshold: int = 200_000) -> subprocess.Popen:
    env = {
        **os.environ,
        "POLICYKB_EMBEDDER": "fake",
        "POLICYKB_FAKE_EMBED_DELAY": str(delay),
        "POLICYKB_DATA": str(data),
        "POLICYKB_ANN_THRESHOLD": str(ann_threshold),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "policykb.cli", "ingest", "-q", str(corpus)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _documents_in(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("ann_threshold", [200_000, 100], ids=["exact", "approximate"])
def test_ingest_killed_mid_embedding_leaves_a_usable_index_and_the_next_run_completes(
    tmp_path: Path, corpus_copy: Path, ann_threshold: int
):
    for n in range(12):  # enough documents for several commit groups
        text = (corpus_copy / "000_0b935866529ff4c2.txt").read_text(encoding="utf-8")
        (corpus_copy / f"copy_{n:02d}.txt").write_text(f"Copy {n} of the proposal\n\n{text}", encoding="utf-8")
    data = tmp_path / "data"
    config = Config.from_env(data_dir=data, embedder="fake")
    process = _ingest_process(data, corpus_copy, delay=0.02, ann_threshold=ann_threshold)
    deadline = time.monotonic() + 60
    while _documents_in(config.db_path) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = _documents_in(config.db_path)
    assert 0 < partial < 17
    searcher = Searcher(config, FakeEmbedder())  # usable as it is
    assert searcher.vectors.size == searcher.store.count_chunks()
    assert searcher.search("partnership group", mode="hybrid").hits
    rerun = _ingest_process(data, corpus_copy, delay=0, ann_threshold=ann_threshold)
    _, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr.decode()
    assert _documents_in(config.db_path) == 17
    assert f"{partial} unchanged" in stderr.decode()
    chunks, vectors = _consistent(config)
    assert chunks == vectors
    saved = VectorIndex.load(vector_file(config.data_dir, Store(config.db_path, readonly=True).generation()))
    assert saved.is_approximate == (chunks >= ann_threshold)


def test_reindex_swaps_every_vector_to_the_new_embedder(fake_index: Config):
    class OtherEmbedder(CountingEmbedder):
        name = "other-embedder"

    embedder = OtherEmbedder()
    with Indexer(fake_index, embedder, progress=False) as indexer:
        count = indexer.reindex()
        assert indexer.store.meta("embedder") == "other-embedder"
    assert count == embedder.embedded > 0
    chunks, vectors = _consistent(fake_index)
    assert chunks == vectors == count
    assert Searcher(fake_index, OtherEmbedder()).search("partnership group").hits


def test_ingest_shows_progress_for_files_and_embedding_on_stderr(fake_config: Config, corpus_copy: Path, capfd):
    with Indexer(fake_config, FakeEmbedder(), progress=True) as indexer:
        indexer.ingest([corpus_copy])
    captured = capfd.readouterr()
    assert "files: 100%" in captured.err and "embedding: 100%" in captured.err
    assert captured.out == ""


def test_mixed_language_document_gets_a_language_per_chunk(fake_config: Config, tmp_path: Path):
    path = tmp_path / "mixed.txt"
    english = (
        "The Ministry of Labour, Invalids and Social Affairs will coordinate the partnership group with donors. " * 4
    )
    vietnamese = (
        "Bộ Lao động - Thương binh và Xã hội chủ trì, phối hợp với Bộ Tài chính xây dựng nghị định về bảo hiểm xã hội. "
        * 4
    )
    path.write_text(f"1. English section\n\n{english}\n\n2. Phần tiếng Việt\n\n{vietnamese}", encoding="utf-8")
    with Indexer(fake_config, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([path])
        languages = [c.language for c in indexer.store.get_document("mixed").chunks]
    assert languages == ["en", "vi"]


def test_acronyms_are_read_from_their_index_not_from_each_document_row(fake_index: Config):
    with Store(fake_index.db_path, readonly=True) as store:
        plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {ACRONYMS_SQL}"))
        assert "COVERING INDEX documents_acronyms" in plan
        assert store.all_acronyms()["MPSAR"].startswith("Master Plan")


def test_each_passage_keeps_the_exact_text_its_document_has_between_its_offsets(fake_index: Config):
    with Store(fake_index.db_path, readonly=True) as store:
        rows = store.conn.execute(
            "SELECT c.text, d.text, c.start, c.end FROM chunks c JOIN documents d ON d.id = c.doc_id"
        ).fetchall()
    assert rows and all(text and text == document[start:end] for text, document, start, end in rows)


def test_an_index_from_before_passage_texts_serves_them_from_its_documents_and_stores_them_on_upgrade(
    fake_index: Config,
):
    conn = sqlite3.connect(fake_index.db_path)
    expected = dict(conn.execute("SELECT id, text FROM chunks"))
    conn.executescript(
        UNDO_ACCESS + "DROP TABLE documents_fts; ALTER TABLE documents DROP COLUMN fts_key; DROP INDEX chunks_language;"
        " DROP INDEX chunks_agencies; ALTER TABLE chunks DROP COLUMN text; ALTER TABLE assignments DROP COLUMN kind;"
        " PRAGMA user_version = 7;"
    )  # undo 8 to 12
    conn.close()
    with Store(fake_index.db_path, readonly=True) as store:  # served read-only until the next ingest upgrades it
        assert {cid: row.text for cid, row in store.chunk_rows(list(expected)).items()} == expected
        assert [text for _, _, _, text in store.chunks_for_embedding()] == [expected[cid] for cid in sorted(expected)]
    with Store(fake_index.db_path) as store:
        assert dict(store.conn.execute("SELECT id, text FROM chunks")) == expected


def test_a_new_store_has_8_kb_pages_and_an_existing_one_keeps_its_own(tmp_path: Path):
    old = tmp_path / "old.sqlite3"
    sqlite3.connect(old).executescript("PRAGMA page_size = 4096; CREATE TABLE t (x); ")
    with Store(tmp_path / "new.sqlite3") as new, Store(old) as existing:
        assert new.conn.execute("PRAGMA page_size").fetchone()[0] == 8192
        assert existing.conn.execute("PRAGMA page_size").fetchone()[0] == 4096


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(language="en"),
        Filters(doc_type="news"),
        Filters(year=1900),
        Filters(agency="MOLISA"),
        Filters(agency="MOLISA", doc_type="news"),
    ],
    ids=["all", "english", "news", "none", "molisa", "molisa-news"],
)
def test_chunk_ids_are_the_allowed_chunks_in_id_order(fake_index: Config, filters: Filters):
    with Store(fake_index.db_path, readonly=True) as store:
        where, params = filters.sql()
        expected = [
            row[0]
            for row in store.conn.execute(
                f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE 1 = 1{where} ORDER BY c.id",
                params,
            )
        ]
        ids = store.chunk_ids(filters)
    assert ids.dtype == np.int64 and ids.tolist() == expected
    assert bool(expected) == (filters.year != 1900)


@pytest.mark.parametrize(
    ("filters", "index"), [(Filters(language="en"), "chunks_language"), (Filters(agency="MOLISA"), "chunks_agencies")]
)
def test_a_passage_filter_reads_its_index_rather_than_every_passage_row(
    fake_index: Config, filters: Filters, index: str
):
    with Store(fake_index.db_path, readonly=True) as store:
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        store.chunk_ids(filters)
        store.conn.set_trace_callback(None)
        plan = " ".join(row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + statements[-1]))
    assert f"COVERING INDEX {index}" in plan, plan


# --- whole documents in FTS5 (migration 10) -----------------------------------------------------------------------
def _vocabulary(conn: sqlite3.Connection, table: str) -> dict[str, tuple[int, int]]:
    """Every word of an FTS5 table with the rows and instances it has."""
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_vocab USING fts5vocab(main, {table}, row)")
    return {
        term: (rows, instances)
        for term, rows, instances in conn.execute(f"SELECT term, doc, cnt FROM temp.{table}_vocab")
    }


def assert_documents_fts_holds_the_documents_as_they_are(store: Store) -> None:
    """documents_fts is consistent, has one row per document, keyed by its first passage, and the very words a table
    written afresh from the documents has: a row deleted with other text than it was written with would leave some."""
    store.conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')")
    keys = dict(store.conn.execute("SELECT d.id, d.fts_key FROM documents d"))
    first = dict(store.conn.execute("SELECT doc_id, min(id) FROM chunks GROUP BY doc_id"))
    assert keys == first and len(keys) > 1
    assert sorted(keys.values()) == [
        row[0] for row in store.conn.execute("SELECT id FROM documents_fts_docsize ORDER BY id")
    ]
    fresh = sqlite3.connect(":memory:")
    fresh.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    fresh.executemany(
        "INSERT INTO documents_fts (title, body) VALUES (?, ?)",
        (
            (fold_lower(title), fold_lower(text))
            for title, text in store.conn.execute("SELECT title, text FROM documents")
        ),
    )
    assert _vocabulary(store.conn, "documents_fts") == _vocabulary(fresh, "documents_fts")


def test_documents_fts_follows_documents_that_change_and_are_removed(fake_config: Config, corpus_copy: Path):
    with Indexer(fake_config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([corpus_copy]).errors
        changed = sorted(corpus_copy.glob("*.txt"))[0]
        changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA closing note on zymurgy.\n", encoding="utf-8")
        assert not indexer.ingest([corpus_copy]).errors
        removed, _ = indexer.remove(str(sorted(corpus_copy.glob("*.txt"))[1]))
    with Store(fake_config.db_path) as store:
        assert store.count_documents() == 4 and removed not in store.document_keys([removed])
        assert _vocabulary(store.conn, "documents_fts")["zymurgi"] == (1, 1)
        assert_documents_fts_holds_the_documents_as_they_are(store)


def test_an_index_from_before_whole_documents_ranks_by_passages_until_ingest_upgrades_it(fake_index: Config):
    conn = sqlite3.connect(fake_index.db_path)
    conn.executescript(
        UNDO_ACCESS + "DROP TABLE documents_fts; ALTER TABLE documents DROP COLUMN fts_key;"
        " ALTER TABLE assignments DROP COLUMN kind; PRAGMA user_version = 9;"
    )
    conn.close()
    searcher = Searcher(fake_index, FakeEmbedder())
    try:
        assert not searcher.store.has_document_terms and not searcher.whole_documents
        assert searcher.search("social pension", mode="hybrid").hits
    finally:
        searcher.close()
    with Store(fake_index.db_path) as store:
        assert store.has_document_terms
        assert_documents_fts_holds_the_documents_as_they_are(store)


def test_whole_document_scores_are_the_same_for_a_few_documents_and_for_many(fake_index: Config):
    with Store(fake_index.db_path, readonly=True) as store:
        keys = list(store.document_keys([row[0] for row in store.conn.execute("SELECT id FROM documents")]).values())
        few = store.document_scores('"social" OR "insurance"', keys, (2.0, 1.0))
        many = store.document_scores('"social" OR "insurance"', keys + list(range(10**9, 10**9 + 600)), (2.0, 1.0))
    assert len(few) == 5 and many == few


def test_a_passage_row_is_read_field_by_field_in_order(fake_index: Config):
    """PassageRow.from_row takes the passage query's columns by position: their names are its fields, in order."""
    with Store(fake_index.db_path, readonly=True) as store:
        chunk_id = int(store.chunk_ids()[-1])
        sql = _PASSAGE_ROWS.format(
            marks="?", ocr_columns=store._ocr_columns, chunk_text=store._chunk_text, collection=store._collection
        )
        cursor = store.conn.execute(sql, [chunk_id])
        row = cursor.fetchone()
        passage = store.chunk_rows([chunk_id])[chunk_id]
    assert [column[0] for column in cursor.description] == [field.name for field in fields(PassageRow)]
    assert asdict(passage) == {**dict(row), "ocr": bool(row["ocr"])}


def test_store_reads_return_typed_records(fake_index: Config):
    with Store(fake_index.db_path, readonly=True) as store:
        chunk_id = int(store.chunk_ids()[0])
        passage = store.chunk_rows([chunk_id])[chunk_id]
        summary = store.list_documents()[0]
        document = store.get_document(summary.id)
        assignments = store.assignments()
    assert isinstance(passage, PassageRow) and passage.id == chunk_id and isinstance(passage.ocr, bool)
    assert isinstance(summary, DocumentSummary) and summary.chunks == len(document.chunks)
    assert isinstance(document, StoredDocument) and all(isinstance(chunk, ChunkInfo) for chunk in document.chunks)
    assert list(document.to_json())[-4:] == [
        "fts_key",
        "collection",
        "doc_numbers",
        "chunks",
    ]  # the order of `policykb doc --json`
    assert assignments and all(isinstance(a, AssignmentRow) and isinstance(a.coordinating, list) for a in assignments)
    assert "score" not in assignments[0].to_json()


def test_batched_reads_bind_at_most_500_ids_a_statement_and_return_every_row(fake_index: Config):
    with Store(fake_index.db_path, readonly=True) as store:
        ids = store.chunk_ids().tolist()
        wanted = (ids * (1 + 1200 // len(ids)))[:1200] + [10**9]  # more than two batches, repeats and one missing id
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        rows = list(in_batches(store.conn, "SELECT id FROM chunks WHERE id IN ({marks})", wanted))
        texts = store.passage_texts(wanted)
        store.conn.set_trace_callback(None)
    bound = [len(statement[statement.index("IN (") + 4 : statement.rindex(")")].split(",")) for statement in statements]
    assert bound == [500, 500, 201] * 2  # SQLite hands the trace its statements with the values bound
    assert sorted({row[0] for row in rows}) == sorted(set(ids)) and set(texts) == set(ids)


def test_ingest_through_a_local_ray_cluster_stores_what_ingest_stores(fake_config: Config, corpus_copy: Path, tmp_path):
    """The Ray pipeline reads and embeds elsewhere; the documents, passages and vectors written are the same."""
    pytest.importorskip("ray", reason="needs ray[data]: pip install -e '.[ray]' (make install does)")
    from policykb.ingest.ray_ingest import ingest_with_ray

    broken = tmp_path / "broken" / "cut-short.pdf"
    broken.parent.mkdir()
    broken.write_bytes(b"%PDF-1.4 cut short")
    report = ingest_with_ray(fake_config, [corpus_copy, broken], address="local", progress=False)
    [error] = report.errors  # named, and the other files ingested
    assert error.path == str(broken) and "pdf" in error.reason.lower() and error.fix
    assert report.added == 5 and report.embedded == report.chunks > 40
    direct = replace(fake_config, data_dir=tmp_path / "direct")
    with Indexer(direct, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([corpus_copy])
    rows = (
        "SELECT d.source, c.ordinal, c.text, c.vector, c.embed_hash FROM chunks c JOIN documents d ON d.id = c.doc_id"
    )
    with Store(fake_config.db_path, readonly=True) as through_ray, Store(direct.db_path, readonly=True) as store:
        assert sorted(map(tuple, through_ray.conn.execute(rows))) == sorted(map(tuple, store.conn.execute(rows)))
        assert through_ray.meta("embedder") == store.meta("embedder")
    again = ingest_with_ray(fake_config, [corpus_copy], address="local", progress=False)
    assert again.unchanged == 5 and again.added == 0  # unchanged files are never sent to the cluster
