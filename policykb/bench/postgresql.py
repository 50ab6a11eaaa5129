"""PostgreSQL beside the embedded store, side by side in one run: the index in --data is copied into an empty
PostgreSQL database (`policykb migrate --to`; without --to, a PostgreSQL started for the run from the pgserver wheel,
removed after), then the same queries are asked of both, taking turns:

- keyword: BM25 of a query's words (FTS5's `a OR b OR …`, top 10) from FTS5's bm25() and summed in SQL from the postings
  table; how many top-10 lists are the same;
- dense: the data folder's FAISS index and pgvector's HNSW index (ef_search EF_SEARCH); recall@10 of each against
  exact inner products over every stored vector;
- the copy's time, the HNSW index's build time, and each side's size on disk.

    policykb --data DIR bench postgresql [--to postgresql://…] [--queries 200]
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from policykb.bench.freshness import embedder_for
from policykb.bench.machine import code_revision, machine_info
from policykb.bench.stats import percentiles
from policykb.bench.synthetic import Vocabulary, benchmark_queries
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.postgresql_copy import copy_to_postgresql
from policykb.search.pg_dense import EF_SEARCH, dense_top
from policykb.search.pg_keyword import passage_bm25
from policykb.search.terms_build import QueryTokenizer
from policykb.search.vectors import AnnSettings
from policykb.search.vectors_files import open_vectors
from policykb.store import Store
from policykb.store.postgres.connect import connect
from policykb.store.schema import DOCUMENTS_FTS_TOKENIZE

K = 10
FTS5_BM25 = (
    "SELECT rowid, -bm25(chunks_fts, 0.3, 1.0, 1.0) FROM chunks_fts WHERE chunks_fts MATCH ? "
    "ORDER BY bm25(chunks_fts, 0.3, 1.0, 1.0), rowid LIMIT ?"
)


def _timed(call, *args) -> tuple[object, float]:
    started = time.perf_counter()
    result = call(*args)
    return result, (time.perf_counter() - started) * 1000


def _same_ranking(first: list[tuple[int, float]], second: list[tuple[int, float]]) -> bool:
    """The same ids with the same scores, in the same order but within runs of equal scores (which sums added in
    another order may leave in either order)."""

    def ordered(hits: list[tuple[int, float]]) -> list[tuple[float, int]]:
        return sorted((-round(score, 9), chunk_id) for chunk_id, score in hits)

    return ordered(first) == ordered(second)


def query_words(query: str, tokenizer: QueryTokenizer) -> tuple[list[str], list[str]]:
    """A query's words (each one token, so that FTS5's MATCH reads them as `policykb` does) and their tokens: a token
    given to MATCH would be stemmed a second time ("vietnames" → "vietnam")."""
    words = list(dict.fromkeys(re.findall(r"\w+", query)))
    return words, list(dict.fromkeys(token for word in words for token in tokenizer.tokens(word)))


def _fts5_top(fts5: sqlite3.Connection, match: str) -> list[tuple[int, float]]:
    return fts5.execute(FTS5_BM25, (match, K)).fetchall()


def _keyword(config: Config, conn, queries: list[str]) -> dict:
    tokenizer = QueryTokenizer(DOCUMENTS_FTS_TOKENIZE)
    fts5 = sqlite3.connect(f"{config.db_path.resolve().as_uri()}?mode=ro", uri=True)
    times: dict[str, list[float]] = {"embedded (FTS5 bm25)": [], "postgresql (postings in SQL)": []}
    same = 0
    for query in queries:
        words, tokens = query_words(query, tokenizer)
        if not tokens:
            continue
        embedded, took = _timed(_fts5_top, fts5, " OR ".join(f'"{word}"' for word in words))
        times["embedded (FTS5 bm25)"].append(took)
        found, took = _timed(passage_bm25, conn, tokens, K)
        times["postgresql (postings in SQL)"].append(took)
        same += _same_ranking(embedded, found)
    fts5.close()
    asked = len(times["embedded (FTS5 bm25)"])
    return {"queries": asked, "same_top10": same, "ms": {side: percentiles(ms) for side, ms in times.items()}}


def _dense(config: Config, conn, queries: list[str]) -> dict:
    """Latency of each side, and recall@10 against exact inner products over every stored vector: a hit counts when
    its exact score reaches the tenth best (so that ties at the tenth place count either way)."""
    embedder = embedder_for(config, model_cost=False)
    with Store(config.db_path, readonly=True) as store:
        index = open_vectors(
            store, config.data_dir, int(store.meta("dim")), save=False, ann=AnnSettings.from_config(config)
        )
        ids, vectors = store.vectors_for_ids(store.chunk_ids().tolist())
    times: dict[str, list[float]] = {"embedded (FAISS)": [], "postgresql (pgvector HNSW)": []}
    recall: dict[str, list[float]] = {side: [] for side in times}
    for query in queries:
        vector = embedder.embed_query(query)
        scores = vectors @ vector
        tenth = np.sort(scores)[-K] - 1e-6
        score_of = dict(zip(np.asarray(ids).tolist(), scores.tolist()))
        for side, search, args in (
            ("embedded (FAISS)", index.search, (vector, K)),
            ("postgresql (pgvector HNSW)", dense_top, (conn, vector, K)),
        ):
            hits, took = _timed(search, *args)
            times[side].append(took)
            recall[side].append(sum(score_of[chunk_id] >= tenth for chunk_id, _ in hits) / K)
    return {
        "queries": len(queries),
        "ef_search": EF_SEARCH,
        "faiss_kind": "IVF-SQ8" if index.is_approximate else "exact",
        "recall_at_10": {side: round(float(np.mean(values)), 4) for side, values in recall.items()},
        "ms": {side: percentiles(ms) for side, ms in times.items()},
    }


def _disk(config: Config, conn) -> dict:
    embedded = sum(path.stat().st_size for path in config.data_dir.rglob("*") if path.is_file())
    database = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {"embedded_mb": round(embedded / 2**20, 1), "postgresql_mb": round(database / 2**20, 1)}


def run_postgresql_benchmark(config: Config, url: str | None, queries: int) -> dict:
    server, folder = None, None
    if url is None:
        import pgserver

        folder = Path(tempfile.mkdtemp(prefix="policykb-postgresql-"))
        server = pgserver.get_server(folder, cleanup_mode="stop")
        server.psql("CREATE DATABASE bench;")
        url = server.get_uri("bench")
    try:
        copied = copy_to_postgresql(config.db_path, url)
        asked = [
            text
            for text, _ in benchmark_queries(
                queries, Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(config.glossary_path))
            )
        ]
        with connect(url) as conn:
            result = {
                "benchmark": "postgresql",
                "passages": copied["tables"]["chunks"][0],
                "copy_seconds": copied["seconds"],
                "keyword": _keyword(config, conn, asked),
                "dense": _dense(config, conn, asked),
                "disk": _disk(config, conn),
            }
    finally:
        if server is not None:
            server.cleanup()
            shutil.rmtree(folder, ignore_errors=True)
    return {**result, "code_revision": code_revision(), "machine": machine_info()}
