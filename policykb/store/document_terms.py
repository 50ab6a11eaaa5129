"""BM25 over whole documents: the documents_fts table (title, text), keyed by each document's fts_key (migration 10)."""

from __future__ import annotations

import numpy as np

from policykb.models import Document
from policykb.store.base import StoreBase
from policykb.store.batches import BATCH_SIZE, in_batches
from policykb.textnorm import fold_lower

_DOCUMENT_KEYS = "SELECT id, fts_key FROM documents WHERE id IN ({marks}) AND fts_key IS NOT NULL"


def _document_bm25(weights: tuple[float, float]) -> str:
    """Every documents_fts row that matches a query, with FTS5's BM25 for these (title, text) weights: higher is better."""
    return f"""
        SELECT rowid, -bm25(documents_fts, {weights[0]}, {weights[1]})
        FROM documents_fts
        WHERE documents_fts MATCH ?"""


class DocumentTerms(StoreBase):
    """Writing and ranking whole documents in documents_fts."""

    def _insert_document_terms(self, doc_id: str, fts_key: int, doc: Document) -> None:
        """Give a document its documents_fts row, under its first passage's id (the caller holds the transaction)."""
        self.conn.execute("UPDATE documents SET fts_key = ? WHERE id = ?", (fts_key, doc_id))
        self.conn.execute(
            "INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)",
            (fts_key, fold_lower(doc.title), fold_lower(doc.text)),
        )

    def _delete_document_terms(self, doc_id: str) -> None:
        """Take a document's row out of documents_fts (the caller holds the transaction). The table keeps no text, so
        FTS5 is handed the folded title and text the row was written with, which the documents row still holds."""
        row = self.conn.execute("SELECT fts_key, title, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is not None and row["fts_key"] is not None:
            self.conn.execute(
                "INSERT INTO documents_fts (documents_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                (row["fts_key"], fold_lower(row["title"]), fold_lower(row["text"])),
            )

    def document_keys(self, doc_ids: list[str]) -> dict[str, int]:
        """Each given document's rowid in documents_fts (see migration 10), where it has one."""
        return dict(in_batches(self.conn, _DOCUMENT_KEYS, doc_ids))

    def document_scores(self, match: str, keys: list[int], weights: tuple[float, float]) -> dict[int, float]:
        """FTS5's BM25 of whole documents (title, text) with these weights, for the documents_fts rows `keys`; higher
        is better, and a document the query does not match is left out. "+rowid": see PassageTerms._keyword_search_in."""
        if not keys:
            return {}
        if len(keys) > BATCH_SIZE:  # a deep page's candidates: every match, picked here rather than bound one by one
            wanted = set(keys)
            return {key: score for key, score in self.conn.execute(_document_bm25(weights), [match]) if key in wanted}
        sql = f"{_document_bm25(weights)} AND +rowid IN ({','.join('?' * len(keys))})"
        return dict(self.conn.execute(sql, [match, *keys]).fetchall())

    def document_phrase_scores(self, match: str, weights: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """(rowids, BM25 scores) of every documents_fts row that matches `match`, unordered: the phrases a term
        matrix of documents cannot score."""
        rows = self.conn.execute(_document_bm25(weights), [match]).fetchall()
        return np.array([row[0] for row in rows], dtype=np.int64), np.array([row[1] for row in rows], dtype=np.float64)
