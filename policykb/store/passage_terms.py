"""BM25 over passages: FTS5's ranking of chunks_fts rows (title, section, body) for a query's MATCH expression."""

from __future__ import annotations

import numpy as np

from policykb.store.base import StoreBase
from policykb.store.filters import Filters

Weights = tuple[float, float, float]  # (title, section, body)


def _bm25(weights: Weights) -> str:
    """FTS5's BM25 of a chunks_fts row with these (title, section, body) weights: lower is better."""
    return f"bm25(chunks_fts, {weights[0]}, {weights[1]}, {weights[2]})"


class PassageTerms(StoreBase):
    """Keyword search over the chunks_fts table."""

    def keyword_search(
        self, match: str, filters: Filters, limit: int, weights: Weights, doc_ids: list[str] | None = None
    ) -> list[tuple[int, float]]:
        """FTS5 BM25 over (title, section, body), optionally only in some documents; higher score is better."""
        if doc_ids is None and not filters.active:
            return self._keyword_search_all(match, limit, weights)
        if doc_ids is not None:
            return self._keyword_search_in(match, filters, limit, weights, doc_ids)
        where, params = filters.sql()
        sql = f"""
            SELECT f.rowid, {_bm25(weights)} AS score
            FROM chunks_fts f JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.doc_id
            WHERE chunks_fts MATCH ?{where}
            ORDER BY score LIMIT ?
        """
        return [(row[0], -row[1]) for row in self.conn.execute(sql, [match, *params, limit])]

    def _keyword_search_in(
        self, match: str, filters: Filters, limit: int, weights: Weights, doc_ids: list[str]
    ) -> list[tuple[int, float]]:
        """keyword_search among the passages of some documents.

        The documents' passages come from the chunks_doc index, and only with filters their rows: joining chunk rows
        to every match made a document-number query read rows from all over a large store.
        "+rowid": FTS5 reads the phrase's matches once and each is looked up among the passages; as a rowid
        constraint SQLite would run the phrase query again for every passage.
        """
        where, params = filters.sql()
        marks = ",".join("?" * len(doc_ids))
        if filters.active:
            passages = (
                f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.doc_id IN ({marks}){where}"
            )
        else:
            passages = f"SELECT id FROM chunks WHERE doc_id IN ({marks})"
        sql = f"""
            SELECT rowid, {_bm25(weights)} AS score
            FROM chunks_fts
            WHERE chunks_fts MATCH ? AND +rowid IN ({passages})
            ORDER BY score LIMIT ?
        """
        return [(row[0], -row[1]) for row in self.conn.execute(sql, [match, *doc_ids, *params, limit])]

    def _keyword_search_all(self, match: str, limit: int, weights: Weights) -> list[tuple[int, float]]:
        """keyword_search without filters: the same ranking from the FTS table alone. Joining chunks and documents
        for every match (a chunk row holds its vector) took most of the time when a common word matches most rows."""
        sql = f"""
            SELECT rowid, {_bm25(weights)} AS score
            FROM chunks_fts
            WHERE chunks_fts MATCH ?
            ORDER BY score LIMIT ?
        """
        return [(row[0], -row[1]) for row in self.conn.execute(sql, [match, limit])]

    def keyword_rankings(
        self, match: str, filters: Filters, limit: int, weightings: tuple[Weights, ...]
    ) -> list[list[tuple[int, float]]]:
        """keyword_search's ranking for each of several column weightings, from one pass over the rows that match:
        each row's scores are kept in a temporary table (MATERIALIZED, so the MATCH runs once rather than once per
        weighting), and the union of the weightings' best `limit` read from it."""
        scores = ", ".join(f"{_bm25(weights)} AS s{i}" for i, weights in enumerate(weightings))
        where, params = filters.sql()
        if filters.active:
            matches = f"""
                SELECT f.rowid AS id, {scores}
                FROM chunks_fts f JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.doc_id
                WHERE chunks_fts MATCH ?{where}"""
        else:
            matches = f"SELECT rowid AS id, {scores} FROM chunks_fts WHERE chunks_fts MATCH ?"
        best = " UNION ".join(f"SELECT * FROM (SELECT * FROM m ORDER BY s{i} LIMIT ?)" for i in range(len(weightings)))
        sql = f"WITH m AS MATERIALIZED ({matches}) {best}"
        rows = self.conn.execute(sql, [match, *params, *[limit] * len(weightings)]).fetchall()
        return [
            sorted(((row[0], -row[1 + i]) for row in rows), key=lambda pair: (-pair[1], pair[0]))[:limit]
            for i in range(len(weightings))
        ]

    def phrase_scores(self, match: str, *weightings: Weights) -> tuple[np.ndarray, ...]:
        """The rowids of every row that matches `match`, unordered, and their BM25 scores with each of `weightings`:
        the phrases a term matrix cannot score, and each part of a query apart where a collection has no matrix."""
        scores = ", ".join(f"-{_bm25(weights)}" for weights in weightings)
        rows = self.conn.execute(f"SELECT rowid, {scores} FROM chunks_fts WHERE chunks_fts MATCH ?", [match]).fetchall()
        columns = list(zip(*rows)) if rows else [()] * (1 + len(weightings))
        return (
            np.array(columns[0], dtype=np.int64),
            *(np.array(column, dtype=np.float64) for column in columns[1:]),
        )
