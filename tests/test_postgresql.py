"""The PostgreSQL backend against a real PostgreSQL with pgvector (tests/conftest.py starts one without root):
`policykb migrate --to` copies an embedded data folder whole, keyword search there gives FTS5's BM25 scores, and
pgvector's search finds the passages FAISS finds."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest
from click.testing import CliRunner

from policykb.bench.postgresql import query_words
from policykb.cli import main
from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.pg_dense import dense_top
from policykb.search.pg_keyword import PassageTerms, add_passage_terms, passage_bm25, remove_passage_terms
from policykb.search.terms_build import QueryTokenizer
from policykb.store import Filters
from policykb.store import schema as embedded_schema
from policykb.store.postgres import schema as postgresql_schema
from policykb.store.postgres.connect import DatabaseUnavailableError, connect, shown_url

QUERIES = [
    "social insurance",
    "Vietnamese",  # "vietnames", which a second stemming would read as "vietnam"
    "2011-2020 strategy",
    "resolution 68 implementing",
    "older people pension",
    "bảo hiểm xã hội",
    "minimum wage labour market",
    "the",
    "zymurgy",
]


def test_every_embedded_migration_has_its_postgresql_script_under_the_same_number():
    numbers = [number for number, _ in postgresql_schema.MIGRATIONS]
    assert numbers[0] == postgresql_schema.BASELINE
    assert numbers == list(range(postgresql_schema.BASELINE, len(embedded_schema.MIGRATIONS) + 1))


@pytest.fixture
def copied(fake_index: Config, postgresql_url: str) -> str:
    result = CliRunner().invoke(main, ["--data", str(fake_index.data_dir), "migrate", "--to", postgresql_url])
    assert result.exit_code == 0, result.output
    return postgresql_url


def test_migrate_copies_every_table_and_the_counts_match(fake_index: Config, postgresql_url: str):
    result = CliRunner().invoke(main, ["--data", str(fake_index.data_dir), "migrate", "--to", postgresql_url])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    assert int(lines["documents"][1]) == int(lines["documents"][4]) == 5
    assert int(lines["chunks"][1]) == int(lines["chunks"][4]) > 40
    assert int(lines["passage_postings"][1]) == int(lines["passage_postings"][4]) > 1000
    with sqlite3.connect(fake_index.db_path) as source, connect(postgresql_url) as conn:
        first = source.execute("SELECT id, text, vector FROM chunks ORDER BY id LIMIT 1").fetchone()
        copied_text, copied_vector = conn.execute(
            "SELECT text, vector FROM chunks WHERE id = %s", (first[0],)
        ).fetchone()
        assert copied_text == first[1] and np.array_equal(
            copied_vector.to_numpy(), np.frombuffer(first[2], dtype=np.float32)
        )
        last = source.execute("SELECT seq FROM sqlite_sequence WHERE name = 'chunks'").fetchone()[0]
        assert conn.execute("SELECT nextval('chunks_id_seq')").fetchone()[0] == last + 1  # no id given out twice


def test_a_second_copy_into_the_same_database_is_refused_in_one_line(fake_index: Config, copied: str):
    result = CliRunner().invoke(main, ["--data", str(fake_index.data_dir), "migrate", "--to", copied])
    assert result.exit_code != 0
    assert "already holds documents — copy into an empty database" in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_database_is_one_line_without_its_password(fake_index: Config, tmp_path):
    url = f"postgresql://policykb:hunter2@/policykb?host={tmp_path}&port=1"
    result = CliRunner().invoke(main, ["--data", str(fake_index.data_dir), "migrate", "--to", url])
    assert result.exit_code != 0 and "hunter2" not in result.output and "Traceback" not in result.output
    assert "start PostgreSQL, or correct the URL" in result.output
    with pytest.raises(DatabaseUnavailableError):
        connect(url)


def _fts5_bm25(db_path, words: list[str], k: int, weights: str) -> list[tuple[int, float]]:
    match = " OR ".join(f'"{word}"' for word in words)
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            f"SELECT rowid, -bm25(chunks_fts, {weights}) AS score FROM chunks_fts WHERE chunks_fts MATCH ? "
            "ORDER BY bm25(chunks_fts, " + weights + "), rowid LIMIT ?",
            (match, k),
        ).fetchall()
    return rows


@pytest.mark.parametrize("title_weighs_more", [False, True], ids=["passage weights", "title weighs more"])
def test_keyword_scores_on_postgresql_are_fts5s_bm25(fake_index: Config, copied: str, title_weighs_more: bool):
    tokenizer = QueryTokenizer("porter unicode61 remove_diacritics 2")
    weights = "2.0, 1.0, 1.0" if title_weighs_more else "0.3, 1.0, 1.0"
    with connect(copied) as conn:
        for query in QUERIES:
            words, tokens = query_words(query, tokenizer)
            expected = _fts5_bm25(fake_index.db_path, words, 20, weights)
            found = passage_bm25(conn, tokens, 20, title_weighs_more)
            assert [chunk_id for chunk_id, _ in found] == [chunk_id for chunk_id, _ in expected], query
            assert np.allclose([s for _, s in found], [s for _, s in expected], rtol=1e-12, atol=0), query


def test_pgvector_finds_the_passages_exact_search_finds(fake_index: Config, copied: str):
    with sqlite3.connect(fake_index.db_path) as source:
        rows = source.execute("SELECT id, vector, language FROM chunks ORDER BY id").fetchall()
    ids = np.array([row[0] for row in rows])
    vectors = np.vstack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
    english = {row[0] for row in rows if row[2] == "en"}
    embedder = FakeEmbedder()
    with connect(copied) as conn:
        for query in QUERIES:
            vector = embedder.embed_query(query)
            scores = vectors @ vector
            exact = np.sort(scores)[::-1][:10]
            found = dense_top(conn, vector, 10)
            assert np.allclose([score for _, score in found], exact, atol=1e-6), query  # ties may come in any order
            assert all(abs(scores[ids == chunk_id][0] - score) < 1e-6 for chunk_id, score in found), query
            in_english = np.sort(scores[np.isin(ids, list(english))])[::-1][:10]
            filtered = dense_top(conn, vector, 10, "c.language = %s", ("en",))
            assert {chunk_id for chunk_id, _ in filtered} <= english, query
            assert np.allclose([score for _, score in filtered], in_english, atol=1e-6), query


def test_the_benchmark_copies_the_index_and_finds_the_same_keyword_rankings_on_both_sides(
    fake_index: Config, postgresql_url: str
):
    result = CliRunner(env={"POLICYKB_EMBEDDER": "fake"}).invoke(
        main,
        [
            "--data",
            str(fake_index.data_dir),
            "bench",
            "postgresql",
            "--to",
            postgresql_url,
            "--queries",
            "30",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["passages"] > 40 and figures["keyword"]["queries"] == 30
    assert figures["keyword"]["same_top10"] == 30
    assert figures["dense"]["recall_at_10"]["embedded (FAISS)"] == 1.0
    assert figures["dense"]["recall_at_10"]["postgresql (pgvector HNSW)"] >= 0.9
    assert figures["disk"]["postgresql_mb"] > 0


def _keyword_rankings_agree(db_path, url: str) -> None:
    tokenizer = QueryTokenizer("porter unicode61 remove_diacritics 2")
    with connect(url) as conn:
        for query in QUERIES:
            words, tokens = query_words(query, tokenizer)
            expected = _fts5_bm25(db_path, words, 20, "0.3, 1.0, 1.0")
            found = passage_bm25(conn, tokens, 20)
            assert [chunk_id for chunk_id, _ in found] == [chunk_id for chunk_id, _ in expected], query
            assert np.allclose([s for _, s in found], [s for _, s in expected], rtol=1e-12, atol=0), query


def test_keyword_scores_stay_fts5s_as_a_document_is_removed_and_added_again(fake_index: Config, copied: str, tmp_path):
    """Postings, lengths and totals follow each change, so that idf and mean length are the collection's after it."""
    before = tmp_path / "before.sqlite3"
    with sqlite3.connect(fake_index.db_path) as source, sqlite3.connect(before) as copy:
        source.backup(copy)  # the store as copied, for the document's return
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        doc_id = indexer.store.list_documents()[0].id
        chunk_ids = [int(i) for i in indexer.store.chunk_ids(Filters(doc_id=doc_id))]
        indexer.remove(doc_id)
    with connect(copied) as conn, conn.transaction():
        conn.execute("CREATE TABLE gone_document AS SELECT * FROM documents WHERE id = %s", (doc_id,))
        conn.execute("CREATE TABLE gone_chunks AS SELECT * FROM chunks WHERE doc_id = %s", (doc_id,))
        remove_passage_terms(conn, chunk_ids)
        conn.execute("DELETE FROM documents WHERE id = %s", (doc_id,))
    _keyword_rankings_agree(fake_index.db_path, copied)
    with sqlite3.connect(before) as source:
        marks = ",".join("?" * len(chunk_ids))
        texts = source.execute(
            f"SELECT rowid, title, section, body FROM chunks_fts WHERE rowid IN ({marks})", chunk_ids
        )
        passages = texts.fetchall()
    with connect(copied) as conn, conn.transaction():
        conn.execute("INSERT INTO documents SELECT * FROM gone_document")
        conn.execute("INSERT INTO chunks SELECT * FROM gone_chunks")
        conn.execute("UPDATE chunks SET length = 0 WHERE doc_id = %s", (doc_id,))
        add_passage_terms(conn, PassageTerms("porter unicode61 remove_diacritics 2"), passages)
    _keyword_rankings_agree(before, copied)


def test_a_copy_that_fails_keeps_nothing_and_says_so_in_one_line(fake_index: Config, postgresql_url: str):
    with sqlite3.connect(fake_index.db_path) as store:  # a character PostgreSQL's text cannot hold
        store.execute(
            "INSERT INTO briefs (title, intro, created_at, updated_at) VALUES ('a', ?, 'now', 'now')", ("x\x00y",)
        )
    result = CliRunner().invoke(main, ["--data", str(fake_index.data_dir), "migrate", "--to", postgresql_url])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "nothing was copied; correct this and copy again" in result.output
    with connect(postgresql_url, vectors=False) as conn:
        assert conn.execute("SELECT to_regclass('documents')").fetchone()[0] is None  # not even the schema


def test_a_password_given_as_a_parameter_is_not_shown():
    assert "hunter2" not in shown_url("postgresql://u@h/db?password=hunter2&sslmode=require")
    assert "hunter2" not in shown_url("postgresql://u:hunter2@h/db")
