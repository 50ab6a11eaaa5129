"""What the access filter costs a search: the same queries over the same synthetic index, asked by a viewer who reads
everything (no collection condition) and by one who reads half of it (the public collection, while every other
document is in a restricted one), taking turns on each query and mode. Each half is the public one in turn (even
documents, then odd ones) and the timings of both are pooled: what one half's passages hold (more non-ASCII text, say)
would otherwise count as the filter's cost.

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


def restrict_half(config: Config, parity: int = 0) -> dict:
    """Put every other document (rowid % 2 == parity) in the RESTRICTED collection, readable by no group; the rest are
    public. Written straight into the built index: the files derived from it do not depend on collections."""
    with Store(config.db_path) as store:
        store.save_collection(RESTRICTED, public=False)
        with store.transaction():
            store.conn.execute(
                "UPDATE documents SET collection = CASE WHEN rowid % 2 = ? THEN ? ELSE ? END",
                (parity, RESTRICTED, PUBLIC),
            )
        [(moved,)] = store.conn.execute("SELECT count(*) FROM documents WHERE collection = ?", (RESTRICTED,))
        public = store.count_documents() - moved
    return {"public_documents": public, "restricted_documents": moved}


def time_access_filter(config: Config, embedder: Embedder, queries: list[str], warm_up: int) -> dict:
    """p50/p95 per mode for the viewer who reads everything and the one who reads the public half, and their ratio,
    pooled over both halves being the public one; and the ratios of each half alone."""
    pooled: dict[tuple[str, str], list[float]] = {}
    halves = []
    for parity in (0, 1):
        documents = restrict_half(config, parity)
        times = _timings(config, embedder, queries, warm_up)
        halves.append({**documents, "ratio_p50": {mode: _ratios(times, mode)["ratio_p50"] for mode in MODES}})
        for key, values in times.items():
            pooled.setdefault(key, []).extend(values)
    return {**{mode: _ratios(pooled, mode) for mode in MODES}, "halves": halves}


def _timings(config: Config, embedder: Embedder, queries: list[str], warm_up: int) -> dict[tuple[str, str], list]:
    """Milliseconds of each query by (viewer, mode), the two viewers taking turns on each query and mode. Each viewer
    has a searcher of its own, as if on a server of its own: a shared one would make whichever asks first pay for what
    both then find kept (a Vietnamese query's syllable pairs, PhraseScores), and the benchmark's query kinds come round
    in a cycle of four, so the turns would put one viewer first on every Vietnamese query."""
    viewers = {"everything": EVERYTHING, "public half": HALF}
    searchers = {who: Searcher(config, embedder) for who in viewers}
    times = {(who, mode): [] for who in viewers for mode in MODES}
    try:
        for query in queries[:warm_up]:
            for mode in MODES:
                for who, filters in viewers.items():
                    searchers[who].search(query, mode, filters, k=SEARCH_K)
        for position, query in enumerate(queries):
            for mode in MODES:
                turns = list(viewers.items())
                for who, filters in turns if position % 2 == 0 else turns[::-1]:
                    started = time.perf_counter()
                    searchers[who].search(query, mode, filters, k=SEARCH_K)
                    times[(who, mode)].append((time.perf_counter() - started) * 1000)
    finally:
        for searcher in searchers.values():
            searcher.close()
    return times


def _ratios(times: dict[tuple[str, str], list], mode: str) -> dict:
    everything, half = percentiles(times[("everything", mode)]), percentiles(times[("public half", mode)])
    return {
        "everything": everything,
        "public_half": half,
        "ratio_p50": round(half["p50"] / everything["p50"], 3),
        "ratio_p95": round(half["p95"] / everything["p95"], 3),
    }
