"""Dense rankings: FAISS's nearest passages to a query's vector, and the cosine of any other passage a ranker found."""

from __future__ import annotations

import threading

import numpy as np

from policykb.search.allowed import AllowedByFilters
from policykb.search.vectors import VectorIndex
from policykb.store import Filters, Store

Ranking = list[tuple[int, float]]


class DenseRanker:
    """Rankings by the vectors of one generation of the index; the store is read under the searcher's lock."""

    def __init__(self, store: Store, lock: threading.Lock, vectors: VectorIndex, allowed: AllowedByFilters) -> None:
        self.store, self._lock, self.vectors, self._allowed = store, lock, vectors, allowed

    def rank(self, vector: np.ndarray, filters: Filters, limit: int) -> Ranking:
        """The `limit` passages nearest `vector` among those the filters allow, best first."""
        if not filters.active:
            return self.vectors.search(vector, limit)
        with self._lock:
            allowed = self._allowed.get(filters)
            selector = allowed.selector()
        return self.vectors.search(vector, limit, allowed.ids, selector)

    def scores_of_candidates(
        self, vector: np.ndarray, dense: Ranking, *keyword: Ranking
    ) -> tuple[Ranking, dict[int, str]]:
        """The cosine of every passage any ranker found, so that a keyword candidate outside the dense top list is
        fused with its real dense score instead of none; and the document of each, read with its vector."""
        candidates = list(dict.fromkeys([cid for cid, _ in dense] + [cid for ranking in keyword for cid, _ in ranking]))
        if not candidates:
            return [], {}
        with self._lock:
            ids, vectors, doc_ids = self.store.vectors_and_documents(candidates)
        scores = vectors @ np.asarray(vector, dtype=np.float32)
        return sorted(zip(ids.tolist(), scores.tolist()), key=lambda pair: (-pair[1], pair[0])), dict(
            zip(ids.tolist(), doc_ids)
        )
