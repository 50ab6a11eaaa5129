"""The access filter's benchmark (`policykb bench scale --restricted`): it times a real restriction, half the index."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from policykb.bench.access_cost import HALF, RESTRICTED
from policykb.bench.scale import access, build, query_embedder
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.search.searcher import MODES, Searcher
from policykb.search.vectors import VectorIndex
from policykb.store import Store


def test_the_access_benchmark_restricts_each_half_in_turn_and_times_both_viewers_in_every_mode(tmp_path: Path):
    config = Config.from_env(data_dir=tmp_path / "data", embedder="fake")
    build(config, 1000, DEFAULT_CORPUS_DIR)
    figures = access(config, ["social insurance", "Resolution 68", "bảo hiểm thất nghiệp"])["query_ms"]
    first, second = figures.pop("halves")
    with Store(config.db_path, readonly=True) as store:
        total = store.count_documents()
    assert abs(first["public_documents"] - first["restricted_documents"]) <= 1
    assert (first["public_documents"], first["restricted_documents"]) == (
        second["restricted_documents"],
        second["public_documents"],
    )
    assert first["public_documents"] + second["public_documents"] == total
    assert set(figures) == set(MODES) == set(first["ratio_p50"])
    for times in figures.values():
        assert 0 < times["everything"]["p50"] <= times["everything"]["p95"]
        assert 0 < times["public_half"]["p50"] <= times["public_half"]["p95"]
    with Store(config.db_path, readonly=True) as store:
        restricted = {d.id for d in store.list_documents(frozenset({RESTRICTED}))}
    searcher = Searcher(config, query_embedder(config))
    try:
        hits = searcher.search("social insurance", "hybrid", HALF, k=50).hits
    finally:
        searcher.close()
    assert hits and not restricted & {hit.doc_id for hit in hits}


def test_the_selector_of_allowed_passages_admits_exactly_them():
    allowed = np.array([0, 3, 8, 9, 17, 1000], dtype=np.int64)
    selector = VectorIndex.selector_for(allowed)
    assert [i for i in range(1100) if selector.is_member(i)] == allowed.tolist()
