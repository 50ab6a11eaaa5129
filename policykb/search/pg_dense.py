"""Dense search on PostgreSQL: pgvector's HNSW index over the passages' vectors, by inner product (the vectors are
normalised, as FAISS's are). A filtered search lets HNSW scan on past the rows the filter drops
(`hnsw.iterative_scan`, pgvector 0.8), and the rows come back in an order it only nearly keeps, so they are sorted
again by score (docs/decisions/0038)."""

from __future__ import annotations

import numpy as np

EF_SEARCH = 100  # candidates HNSW keeps while it searches: recall@10 about 0.99 at this size of list (0038)


def dense_top(conn, query: np.ndarray, k: int, where: str = "", params: tuple = ()) -> list[tuple[int, float]]:
    """The `k` passages nearest to `query` by inner product, as (passage id, score); `where` (SQL over chunks `c`,
    with its `params`) filters them."""
    with conn.transaction():
        conn.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, k)}")
        if where:
            conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        rows = conn.execute(
            f"SELECT c.id, -(c.vector <#> %s) AS score FROM chunks c {'WHERE ' + where if where else ''} "
            "ORDER BY c.vector <#> %s LIMIT %s",
            (query, *params, query, k),
        ).fetchall()
    return sorted(((int(chunk_id), float(score)) for chunk_id, score in rows), key=lambda hit: (-hit[1], hit[0]))
