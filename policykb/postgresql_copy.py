"""`policykb migrate --to postgresql://…`: copy an embedded data folder (SQLite + FTS5) into an empty PostgreSQL
database with pgvector, in one transaction, then check that every table holds as many rows on both sides.

What is copied: every table of the store, each passage's vector into pgvector (with an HNSW index), and each word's
postings, read from FTS5's index (policykb.search.pg_keyword), so that keyword search on PostgreSQL gives FTS5's BM25
scores. Sequences continue after the embedded store's last ids: a passage id is never given out twice.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from policykb.errors import PolicyKBError
from policykb.search.pg_keyword import document_postings, passage_postings, row_lengths_of
from policykb.store.postgres.connect import connect, shown_url
from policykb.store.postgres.schema import BASELINE, migrate

# Tables copied as they are, parents first; (table, columns, ORDER BY).
_PLAIN = [
    ("groups", "name, created_at", "name"),
    ("collection_groups", "collection, group_name", "collection, group_name"),
    ("users", "id, name, role, password_hash, disabled, created_at", "id"),
    ("user_groups", "user_id, group_name", "user_id, group_name"),
    ("api_tokens", "id, user_id, token_hash, label, created_at, last_used_at, revoked_at", "id"),
    ("assignments", 'id, doc_id, start, "end", task, lead, coordinating, deadline, section, page, kind', "id"),
    (
        "relations",
        "id, doc_id, kind, source_self, source_key, source_number, source_title, source_date, target_key, "
        'target_number, target_title, target_date, articles, date, start, "end", sentence_start, sentence_end',
        "id",
    ),
    ("document_nodes", "doc_id, key", "doc_id, key"),
    ("briefs", "id, title, intro, created_at, updated_at, owner_id, version", "id"),
    (
        "brief_items",
        'id, brief_id, position, kind, heading, note, doc_id, start, "end", quote, title, section, page, date, '
        "doc_numbers, ocr",
        "id",
    ),
    ("brief_shares", "brief_id, user_id, group_name, role", "brief_id"),
    ("audit_log", "id, at, user_id, user_name, address, action, target, detail", "id"),
    ("metadata_edits", "source, field, value, edited_at, edited_by", "source, field"),
    (
        "jobs",
        "id, path, filename, upload, collection, user_id, user_name, address, state, stage, done, total, doc_id, "
        "errors, worker, attempts, created_at, heartbeat_at, finished_at",
        "created_at",
    ),
]
_DOCUMENT_COLUMNS = (
    "id, source, title, doc_type, language, date, year, issuer, url, file_format, content_hash, text, page_starts, "
    "agencies, acronyms, ingested_at, fts_key, collection"
)
_CHUNK_COLUMNS = (
    'id, doc_id, ordinal, start, "end", section, page, page_end, language, embed_hash, vector, agencies, ocr, '
    "ocr_confidence, text"
)
# Tables whose ids PostgreSQL gives out from a sequence, continued after the embedded store's.
_SERIAL = ["assignments", "users", "api_tokens", "audit_log", "briefs", "brief_items", "relations"]


class CopyRefusedError(PolicyKBError):
    """The copy cannot start (an older embedded schema, a database that is not empty) or did not check out."""


def _copy_rows(conn, table: str, columns: str, rows: Iterable[tuple]) -> None:
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _source(db_path: Path) -> sqlite3.Connection:
    source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    version = source.execute("PRAGMA user_version").fetchone()[0]
    if version != BASELINE:
        raise CopyRefusedError(
            f"{db_path}: its schema is at migration {version}, the copy reads migration {BASELINE} — run "
            "`policykb ingest` (any file, or the same folder again) to upgrade it, then copy"
        )
    return source


def copy_to_postgresql(db_path: Path, url: str, say: Callable[[str], None] = lambda _: None) -> dict:
    """Copy the store at `db_path` into the empty database at `url`; {table: rows} of both sides, and timings."""
    import psycopg

    source = _source(db_path)
    dim = source.execute("SELECT value FROM meta WHERE key = 'dim'").fetchone()
    if dim is None:
        source.close()
        raise CopyRefusedError(f"{db_path}: no document has been ingested yet — ingest first, then copy")
    conn = connect(url, vectors=False)
    try:
        return _copy(source, conn, url, int(dim[0]), say)
    except psycopg.Error as error:  # nothing is kept: schema and rows were one transaction
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise CopyRefusedError(
            f"{shown_url(url)}: {first} — nothing was copied; correct this and copy again"
        ) from error
    finally:
        conn.close()
        source.close()


def _copy(source: sqlite3.Connection, conn, url: str, dim: int, say: Callable[[str], None]) -> dict:
    if conn.execute("SELECT to_regclass('documents') IS NOT NULL").fetchone()[0]:
        if conn.execute("SELECT count(*) FROM documents").fetchone()[0]:
            raise CopyRefusedError(
                f"{shown_url(url)}: already holds documents — copy into an empty database (createdb NAME), or drop "
                "this one's tables first"
            )
    conn.rollback()
    seconds = {}
    with conn.transaction():
        migrate(conn, dim)  # in the copy's transaction: a failure leaves no schema behind
        from pgvector.psycopg import register_vector

        register_vector(conn)
        started = time.perf_counter()
        _copy_store(source, conn, say)
        seconds["copy"] = round(time.perf_counter() - started, 2)
        say("building the HNSW index of the vectors")
        started = time.perf_counter()
        # The graph is built fastest while it fits in memory: 1M passages' take about 2 GB (pgvector's README).
        conn.execute("SET LOCAL maintenance_work_mem = '2GB'")
        conn.execute("CREATE INDEX chunks_vector ON chunks USING hnsw (vector vector_ip_ops)")
        seconds["hnsw_index"] = round(time.perf_counter() - started, 2)
        counts = _counts(source, conn)
        wrong = {table: pair for table, pair in counts.items() if pair[0] != pair[1]}
        if wrong:
            raise CopyRefusedError(f"{shown_url(url)}: rows differ after the copy, nothing kept: {wrong}")
    conn.execute("ANALYZE")
    conn.commit()
    return {"tables": counts, "seconds": seconds}


def _copy_store(source: sqlite3.Connection, conn, say: Callable[[str], None]) -> None:
    say("copying meta, collections, documents and passages")
    conn.execute("DELETE FROM collections")  # the schema's own "public" row: the embedded store has its own
    _copy_rows(conn, "meta", "key, value", source.execute("SELECT key, value FROM meta"))
    _copy_rows(
        conn,
        "collections",
        "name, public, owner_id, created_at",
        source.execute("SELECT name, public, owner_id, created_at FROM collections ORDER BY name"),
    )
    document_lengths = row_lengths_of(source, "documents_fts")
    _copy_rows(
        conn,
        "documents",
        _DOCUMENT_COLUMNS + ", length",
        (
            (*row, document_lengths.get(row[16]))
            for row in source.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents ORDER BY id")
        ),
    )
    passage_lengths = row_lengths_of(source, "chunks_fts")
    _copy_rows(
        conn,
        "chunks",
        _CHUNK_COLUMNS + ", length",
        (
            (*row[:10], np.frombuffer(row[10], dtype=np.float32), *row[11:], passage_lengths[row[0]])
            for row in source.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks ORDER BY id")
        ),
    )
    _copy_rows(
        conn,
        "doc_numbers",
        "doc_id, number, position",
        source.execute("SELECT doc_id, number, rowid FROM doc_numbers ORDER BY rowid"),
    )
    for table, columns, order in _PLAIN:
        _copy_rows(conn, table, columns, source.execute(f"SELECT {columns} FROM {table} ORDER BY {order}"))
    conn.execute(
        "INSERT INTO keyword_totals (name, rows, tokens) "
        "SELECT 'passages', count(*), coalesce(sum(length), 0) FROM chunks "
        "UNION ALL SELECT 'documents', count(length), coalesce(sum(length), 0) FROM documents"
    )
    say("copying each word's postings from FTS5")
    _copy_rows(conn, "passage_postings", "term, chunk_id, f, f_title", passage_postings(source))
    keys = dict(source.execute("SELECT fts_key, id FROM documents WHERE fts_key IS NOT NULL"))
    _copy_rows(conn, "document_postings", "term, doc_id, f", ((t, keys[k], f) for t, k, f in document_postings(source)))
    last = dict(source.execute("SELECT name, seq FROM sqlite_sequence"))
    conn.execute("SELECT setval('chunks_id_seq', %s, true)", (max(last.get("chunks", 0), 1),))
    for table in _SERIAL:
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s, true)", (max(last.get(table, 0), 1),))


def _counts(source: sqlite3.Connection, conn) -> dict[str, tuple[int, int]]:
    """{table: (rows in the embedded store, rows in PostgreSQL)}; postings against FTS5's own count of them."""
    tables = ["meta", "collections", "documents", "chunks", "doc_numbers", *(table for table, _, _ in _PLAIN)]
    only_copied = {"meta": " WHERE key != 'schema_version'"}  # the one row PostgreSQL's own migrations write
    counts = {
        table: (
            source.execute(f"SELECT count(*) FROM {table}").fetchone()[0],
            conn.execute(f"SELECT count(*) FROM {table}{only_copied.get(table, '')}").fetchone()[0],
        )
        for table in tables
    }
    for table, fts in (("passage_postings", "chunks_fts"), ("document_postings", "documents_fts")):
        source.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{fts}_rows USING fts5vocab(main, '{fts}', 'row')")
        counts[table] = (
            source.execute(f"SELECT coalesce(sum(doc), 0) FROM temp.{fts}_rows").fetchone()[0],
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0],
        )
    return counts
