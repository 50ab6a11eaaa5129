"""Checking and rebuilding the two FTS5 tables, which are derived from the documents and passages beside them.

chunks_fts keeps its own copy of each passage's folded title, section and text (written with the passage, rowid = its
id); documents_fts is contentless (rowid = the document's fts_key, migration 10). Both can be written again from the
documents and chunks tables, which this never changes. Part of Store (db.py), as a mixin like the other parts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from policykb.store.base import StoreBase
from policykb.store.batches import in_batches

_MISSING_PASSAGES = """
    INSERT INTO chunks_fts (rowid, title, section, body)
    SELECT c.id, fold_lower(d.title), fold_lower(c.section), fold_lower(c.text)
    FROM chunks c JOIN documents d ON d.id = c.doc_id
    WHERE c.id NOT IN (SELECT rowid FROM chunks_fts)
"""
_STRAY_PASSAGES = "DELETE FROM chunks_fts WHERE rowid NOT IN (SELECT id FROM chunks)"
_UNMATCHED = """
    SELECT (SELECT count(*) FROM chunks WHERE id NOT IN (SELECT id FROM chunks_fts_docsize))
         + (SELECT count(*) FROM chunks_fts_docsize WHERE id NOT IN (SELECT id FROM chunks))
"""
# What documents_fts holds of each document, as document_terms.py writes it (the table is contentless: a row's text
# is read from here).
_DOCUMENT_TEXT = "SELECT fts_key, fold_lower(title), fold_lower(text) FROM documents"
_DOCUMENT_ROWS = f"INSERT INTO documents_fts (rowid, title, body) {_DOCUMENT_TEXT} WHERE fts_key IS NOT NULL"

# The text each FTS5 row was written with, for rowids bound to {marks}: chunks_fts keeps its own copy.
_ROWS_OF = {
    "chunks_fts": "SELECT rowid, title, section, body FROM chunks_fts WHERE rowid IN ({marks}) ORDER BY rowid",
    "documents_fts": _DOCUMENT_TEXT + " WHERE fts_key IN ({marks}) ORDER BY fts_key",
}


@dataclass(frozen=True)
class FtsCounts:
    """Rows of each FTS5 table beside the rows they should have (documents_fts: None on an index from before it)."""

    passages: int
    passage_rows: int
    documents: int | None
    document_rows: int | None
    unmatched: int = 0  # passages without a chunks_fts row, and chunks_fts rows without a passage

    @property
    def agree(self) -> bool:
        return self.passages == self.passage_rows and self.documents == self.document_rows and not self.unmatched


def fts_problems(conn: sqlite3.Connection, has_document_terms: bool) -> list[str]:
    """FTS5's own integrity check of each table, as found. It is a write statement, so `conn` must be writable (a
    connection of its own: the store's read-only one cannot run it)."""
    problems = []
    for table in ("chunks_fts", "documents_fts") if has_document_terms else ("chunks_fts",):
        try:
            conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as error:
            problems.append(f"{table}: {error}")
    return problems


class FtsUpkeep(StoreBase):
    """The FTS5 tables' counts and checks, and their rebuilding from the documents and chunks tables."""

    def fts_counts(self) -> FtsCounts:
        one = self.conn.execute
        documents = document_rows = None
        if self.has_document_terms:
            documents = one("SELECT count(*) FROM documents WHERE fts_key IS NOT NULL").fetchone()[0]
            document_rows = one("SELECT count(*) FROM documents_fts_docsize").fetchone()[0]
        passages = one("SELECT count(*) FROM chunks").fetchone()[0]
        passage_rows = one("SELECT count(*) FROM chunks_fts_docsize").fetchone()[0]
        return FtsCounts(passages, passage_rows, documents, document_rows, one(_UNMATCHED).fetchone()[0])

    def fts_rows(self, table: str, rowids: Sequence[int]) -> list[tuple]:
        """(rowid, column, …) of these rows of chunks_fts or documents_fts, with the text each was written with, by
        rowid: what a live term matrix reads its added rows from."""
        return [tuple(row) for row in in_batches(self.conn, _ROWS_OF[table], list(rowids))]

    def rebuild_fts(self) -> None:
        """Write both FTS5 tables again from the documents and chunks, in one transaction and a new generation (the
        term matrix, read from them, follows): chunks_fts loses rows without a passage, gains a row from the stored
        text of a passage without one, and rebuilds its index from its rows; documents_fts is written anew."""
        with self.transaction() as conn:
            conn.execute(_STRAY_PASSAGES)
            conn.execute(_MISSING_PASSAGES)
            conn.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild')")
            if self.has_document_terms:
                conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
                conn.execute(_DOCUMENT_ROWS)
            self._bump_generation()
