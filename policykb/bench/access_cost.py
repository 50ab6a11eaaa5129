"""What the access filter costs a search: the same queries over the same synthetic index, asked by a viewer who reads
everything (no collection condition) and by one who reads half of it (the public collection, while every other
document is in a restricted one), taking turns on each query and mode.

A step of `policykb bench scale --restricted` (the `access` phase, in a fresh process after the build). The restricted
viewer's allowed passages are worked out on its first query and kept by the searcher (policykb.search.allowed), as a
server keeps them for each set of readable collections among the last few asked.
"""

from __future__ import annotations

import time

from policykb.bench.stats import percentiles
from policykb.bench.throughput import SEARCH_K
from policykb.config import Config
from policykb.search.embedder import Embedder
from policykb.search.searcher import MODES, Searcher
from policykb.store import Filters, Store
from policykb.store.collections import PUBLIC

RESTRICTED = "restricted"  # the collection that holds every other document
EVERYTHING, HALF = Filters(), Filters(collections=frozenset({PUBLIC}))


def restrict_half(config: Config) -> dict:
    """Put every other document (by rowid) in the RESTRICTED collection, readable by no group; the rest stay public.
    Written straight into the built index: the files derived from it do not depend on collections."""
    with Store(config.db_path) as store:
        store.save_collection(RESTRICTED, public=False)
        with store.transaction():
            moved = store.conn.execute(
                "UPDATE documents SET collection = ? WHERE rowid % 2 = 0", (RESTRICTED,)
            ).rowcount
        public = store.count_documents() - moved
    return {"public_documents": public, "restricted_documents": moved}


def time_access_filter(config: Config, embedder: Embedder, queries: list[str], warm_up: int) -> dict:
    """p50/p95 per mode for the viewer who reads everything and the one who reads the public half, and their ratio."""
    searcher = Searcher(config, embedder)
    times = {(who, mode): [] for who in ("everything", "public half") for mode in MODES}
    try:
        for query in queries[:warm_up]:
            for mode in MODES:
                for filters in (EVERYTHING, HALF):
                    searcher.search(query, mode, filters, k=SEARCH_K)
        for position, query in enumerate(queries):
            for mode in MODES:
                turns = (("everything", EVERYTHING), ("public half", HALF))
                for who, filters in turns if position % 2 == 0 else turns[::-1]:
                    started = time.perf_counter()
                    searcher.search(query, mode, filters, k=SEARCH_K)
                    times[(who, mode)].append((time.perf_counter() - started) * 1000)
    finally:
        searcher.close()
    result = {}
    for mode in MODES:
        everything, half = percentiles(times[("everything", mode)]), percentiles(times[("public half", mode)])
        result[mode] = {
            "everything": everything,
            "public_half": half,
            "ratio_p50": round(half["p50"] / everything["p50"], 3),
            "ratio_p95": round(half["p95"] / everything["p95"], 3),
        }
    return result
