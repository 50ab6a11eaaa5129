"""The chunks some filters allow, kept per searcher for the filter combinations asked most recently (a facet is
clicked again and again), with what the rankers make of them."""

from __future__ import annotations

import numpy as np

from policykb.recent import LastAsked
from policykb.search.terms import TermMatrix
from policykb.search.vectors import VectorIndex
from policykb.store import Filters, Store

ALLOWED_KEPT = 8  # filter combinations whose chunk ids a searcher keeps: each holds up to 8 bytes per chunk


class AllowedChunks:
    """The chunks some filters allow, with what the rankers make of them once: FAISS's selector and the term matrix's
    rows, each of which costs in proportion to the collection to make (docs/BENCHMARKS.md)."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids
        self._selector = None
        self._rows: tuple[TermMatrix, np.ndarray] | None = None

    def selector(self):
        if self._selector is None:
            self._selector = VectorIndex.selector_for(self.ids)
        return self._selector

    def rows(self, matrix: TermMatrix) -> np.ndarray:
        if self._rows is None or self._rows[0] is not matrix:
            self._rows = (matrix, matrix.rows_of(self.ids))
        return self._rows[1]


class AllowedByFilters:
    """What the filters allow in one generation of the store, for the last ALLOWED_KEPT combinations asked."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._kept: LastAsked[Filters, AllowedChunks] = LastAsked(ALLOWED_KEPT)

    def get(self, filters: Filters) -> AllowedChunks:
        """The chunks `filters` allow; the caller holds the searcher's lock (this reads the store)."""
        return self._kept.get_or_make(filters, lambda: AllowedChunks(self._store.chunk_ids(filters)))
