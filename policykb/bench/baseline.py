"""The plain baseline for the scale benchmark: exact FAISS flat, FTS5 bm25() and naive RRF, on the same store."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path

import faiss
import numpy as np

from policykb.search.query import quote
from policykb.textnorm import words

WINDOW = 100  # each ranking contributes its top 100
RRF_K = 60


class BaselineSearcher:
    """What a first hybrid search would do: every vector in an exact flat index, the query's words OR-ed into plain
    bm25() over the chunks' FTS table, reciprocal rank fusion of the two top-100 lists, then the hits' text.

    No query planning, filters, facets, near-duplicate removal or per-document cap: the floor policykb is compared with.
    """

    def __init__(self, db_path: Path) -> None:
        self.conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self.flat: faiss.Index | None = None
        last = -1
        while True:
            rows = self.conn.execute(
                "SELECT id, vector FROM chunks WHERE id > ? ORDER BY id LIMIT 20000", (last,)
            ).fetchall()
            if not rows:
                break
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            matrix = np.vstack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
            if self.flat is None:
                self.flat = faiss.IndexIDMap2(faiss.IndexFlatIP(matrix.shape[1]))
            self.flat.add_with_ids(matrix, ids)
            last = int(ids[-1])

    def close(self) -> None:
        self.conn.close()

    def exact(self, vector: np.ndarray, k: int) -> list[int]:
        """The true top-k chunk ids by cosine: what recall@k is measured against."""
        ids = self.flat.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)[1][0]
        return [int(i) for i in ids if i != -1]

    def keyword(self, query: str, limit: int) -> list[int]:
        terms = list(dict.fromkeys(words(query)))
        if not terms:
            return []
        sql = "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?"
        return [row[0] for row in self.conn.execute(sql, (" OR ".join(quote(term) for term in terms), limit))]

    def search(self, query: str, vector: np.ndarray, mode: str, k: int = 10) -> list[tuple[int, str]]:
        """(chunk id, text) of the top k in `mode` (keyword, dense or hybrid)."""
        if mode == "keyword":
            ranked = self.keyword(query, k)
        elif mode == "dense":
            ranked = self.exact(vector, k)
        else:
            ranked = rrf([self.keyword(query, WINDOW), self.exact(vector, WINDOW)])[:k]
        return self.texts(ranked)

    def texts(self, chunk_ids: list[int]) -> list[tuple[int, str]]:
        if not chunk_ids:
            return []
        sql = f"SELECT id, text FROM chunks WHERE id IN ({','.join('?' * len(chunk_ids))})"
        found = dict(self.conn.execute(sql, chunk_ids).fetchall())
        return [(chunk_id, found[chunk_id]) for chunk_id in chunk_ids if chunk_id in found]


def rrf(rankings: list[list[int]], k: int = RRF_K) -> list[int]:
    """Sum of 1 / (k + rank) over the rankings an id appears in; best first."""
    scores: dict[int, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] += 1.0 / (k + rank)
    return sorted(scores, key=lambda item: (-scores[item], item))
