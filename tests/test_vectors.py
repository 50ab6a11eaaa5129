"""The approximate (IVF-SQ8) vector index: recall against exact search, add and remove, filters, switching and
reconciling with the store, and the scale benchmark that measures it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from policykb.bench.scale import empty_page_cache, query_embedder
from policykb.bench.synthetic import Vocabulary
from policykb.bench.synthetic_index import EMBEDDER, write_synthetic_index
from policykb.cli import main
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.search.vectors import AnnSettings, VectorIndex, lists_for, vector_file
from policykb.search.vectors_files import open_vectors
from policykb.search.vectors_live import live_vector_file, load_live
from policykb.store import Store

ANN = AnnSettings(threshold=1000, nprobe=4)


@pytest.fixture(scope="module")
def clustered_store(tmp_path_factory) -> Config:
    """2,000 synthetic passages with clustered vectors, written straight into a store (no vector file yet)."""
    config = Config.from_env(data_dir=tmp_path_factory.mktemp("clustered") / "data", embedder="fake")
    vocab = Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(DEFAULT_CORPUS_DIR / "glossary.json"))
    write_synthetic_index(config, 2000, vocab)
    return config


def _copy(config: Config, tmp_path: Path) -> Config:
    """A private copy of the module's store, for tests that change it."""
    target = tmp_path / "data"
    target.mkdir(parents=True)
    with Store(config.db_path, readonly=True) as source, Store(target / "policykb.sqlite3") as copy:
        source.conn.backup(copy.conn)
    return replace(config, data_dir=target)


def _exact_and_approximate(config: Config) -> tuple[VectorIndex, VectorIndex, Store]:
    store = Store(config.db_path, readonly=True)
    exact = open_vectors(store, config.data_dir / "exact", 384, save=False, ann=AnnSettings(threshold=10**9))
    approximate = open_vectors(store, config.data_dir / "approximate", 384, save=False, ann=ANN)
    return exact, approximate, store


def _queries(config: Config, count: int = 60) -> list[np.ndarray]:
    embedder = query_embedder(config)
    return [embedder.embed_query(f"query {n}") for n in range(count)]


def test_approximate_index_finds_nearly_the_same_top_ten_as_exact_search(clustered_store: Config):
    exact, approximate, store = _exact_and_approximate(clustered_store)
    assert not exact.is_approximate and approximate.is_approximate
    assert approximate.lists == lists_for(2000) == 32 and approximate.size == exact.size == 2000
    recalls = []
    for query in _queries(clustered_store):
        truth = {chunk_id for chunk_id, _ in exact.search(query, 10)}
        found = {chunk_id for chunk_id, _ in approximate.search(query, 10)}
        recalls.append(len(truth & found) / 10)
    assert 0.75 <= np.mean(recalls) < 1.0  # 4 of 32 lists scanned: close, yet not exact
    approximate.nprobe = approximate.lists
    top = [chunk_id for chunk_id, _ in approximate.search(_queries(clustered_store, 1)[0], 10)]
    assert len(set(top) & {chunk_id for chunk_id, _ in exact.search(_queries(clustered_store, 1)[0], 10)}) >= 9
    store.close()


def test_filtered_approximate_search_returns_only_allowed_ids_and_scans_more_lists_for_small_filters(
    clustered_store: Config,
):
    exact, approximate, store = _exact_and_approximate(clustered_store)
    allowed = np.sort(np.random.default_rng(3).choice(store.chunk_ids(), 40, replace=False))
    for query in _queries(clustered_store, 10):
        truth = [chunk_id for chunk_id, _ in exact.search(query, 10, allowed)]
        found = [chunk_id for chunk_id, _ in approximate.search(query, 10, allowed)]
        assert set(found) <= set(allowed.tolist()) and len(found) == 10
        assert len(set(found) & set(truth)) >= 9  # a filter this small makes nearly every list scanned
    assert approximate._probes(allowed) == 29 and approximate._probes(None) == ANN.nprobe  # 4 / √(40 / 2000)
    assert approximate.search(_queries(clustered_store, 1)[0], 10, np.array([], dtype=np.int64)) == []
    store.close()


def test_a_filter_allowing_half_the_vectors_finds_its_top_ten_as_well_as_the_unfiltered_search(clustered_store: Config):
    """Lists scanned grow as 1/√share: the filtered top 10 are found at least as well as the unfiltered ones, while a
    scan of the same lists alone would find fewer."""
    exact, approximate, store = _exact_and_approximate(clustered_store)
    ids = np.array(store.chunk_ids())
    allowed = np.sort(ids[np.random.default_rng(4).random(len(ids)) < 0.5])
    queries = _queries(clustered_store)

    def recall(filtered: np.ndarray | None) -> float:
        return np.mean(
            [
                len({i for i, _ in approximate.search(q, 10, filtered)} & {i for i, _ in exact.search(q, 10, filtered)})
                / 10
                for q in queries
            ]
        )

    assert approximate._probes(allowed) == 6  # ⌈4 / √0.5⌉ of 32 lists
    assert recall(allowed) >= recall(None)
    store.close()


def test_removed_vectors_are_never_found_and_added_ones_are(clustered_store: Config):
    _, approximate, store = _exact_and_approximate(clustered_store)
    ids, matrix = store.vectors_for_ids([5, 6, 7])
    assert approximate.search(matrix[0], 1)[0][0] == 5
    approximate.remove(ids)
    assert approximate.size == 1997
    assert not {5, 6, 7} & {chunk_id for chunk_id, _ in approximate.search(matrix[0], 50)}
    approximate.add(np.array([90005]), matrix[:1])
    assert approximate.search(matrix[0], 1)[0][0] == 90005
    assert 90005 in approximate.ids().tolist() and 5 not in approximate.ids().tolist()
    store.close()


def test_writers_switch_to_the_approximate_index_at_the_threshold_and_back_below_half_of_it(
    clustered_store: Config, tmp_path: Path
):
    config = _copy(clustered_store, tmp_path)
    with Store(config.db_path) as store:
        assert not open_vectors(store, config.data_dir, 384, save=True, ann=AnnSettings(threshold=2001)).is_approximate
        saved = open_vectors(store, config.data_dir, 384, save=True, ann=ANN)
        assert (
            saved.is_approximate and VectorIndex.load(vector_file(config.data_dir, store.generation())).is_approximate
        )
        # readers take the saved file as it is, whatever their own threshold
        assert open_vectors(store, config.data_dir, 384, save=False, ann=AnnSettings(threshold=10**9)).is_approximate
        assert open_vectors(store, config.data_dir, 384, save=True, ann=AnnSettings(threshold=3999)).is_approximate
        assert not open_vectors(store, config.data_dir, 384, save=True, ann=AnnSettings(threshold=4002)).is_approximate
        assert [p.name for p in config.data_dir.glob("vectors.*")] == [
            vector_file(config.data_dir, store.generation()).name
        ]


def test_the_lists_are_trained_again_when_the_collection_has_grown_fourfold(clustered_store: Config, tmp_path: Path):
    config = _copy(clustered_store, tmp_path)
    with Store(config.db_path) as store:
        ids = store.chunk_ids()
        with store.transaction():
            store.conn.execute("DELETE FROM chunks_fts WHERE rowid > 500")
            store.conn.execute("DELETE FROM chunks WHERE id > 500")
            store._bump_generation()
        small = open_vectors(store, config.data_dir, 384, save=True, ann=AnnSettings(threshold=400, nprobe=4))
        assert small.is_approximate and small.lists == lists_for(500) == 8
    fresh = _copy(clustered_store, tmp_path / "again")
    for path in config.data_dir.glob("vectors.*.faiss"):  # the small index left behind beside the full store
        path.rename(fresh.data_dir / "vectors.1.faiss")
    with Store(fresh.db_path) as store:
        grown = open_vectors(store, fresh.data_dir, 384, save=True, ann=AnnSettings(threshold=400, nprobe=4))
        assert grown.lists == lists_for(2000) == 32 and np.array_equal(np.sort(grown.ids()), np.sort(ids))


def test_an_approximate_index_left_behind_is_reconciled_with_the_store_by_id(clustered_store: Config, tmp_path: Path):
    config = _copy(clustered_store, tmp_path)
    with Store(config.db_path) as store:
        before = open_vectors(store, config.data_dir, 384, save=True, ann=ANN)
        lists = before.lists
        removed = store.delete_document("synthetic-0000003")  # committed; the process dies before saving vectors
        assert removed > 0 and not vector_file(config.data_dir, store.generation()).exists()
        reader = open_vectors(store, config.data_dir, 384, save=False, ann=ANN)
        assert reader.size == store.count_chunks() == 2000 - removed
        ids, matrix = store.vectors_for_ids([int(store.chunk_ids()[0])])
        store.conn.execute("DELETE FROM chunks_fts WHERE rowid = ?", (int(ids[0]),))
        with store.transaction():
            store.conn.execute(
                "UPDATE chunks SET id = 99999 WHERE id = ?", (int(ids[0]),)
            )  # a chunk the old file lacks
            store._bump_generation()
        writer = open_vectors(store, config.data_dir, 384, save=True, ann=ANN)
        assert writer.is_approximate and writer.lists == lists  # patched by id, not trained again
        assert np.array_equal(np.sort(writer.ids()), np.sort(store.chunk_ids()))
        assert writer.search(matrix[0], 1)[0][0] == 99999
        # a small change: saved as the change over the earlier whole file (policykb.search.vectors_live)
        saved = load_live(live_vector_file(config.data_dir, store.generation()), 384)
        assert saved.size == writer.size and not list(config.data_dir.glob("vectors.*.tmp"))


def test_ingest_crossing_the_threshold_switches_to_the_approximate_index(fake_config: Config, corpus_copy: Path):
    config = replace(fake_config, ann_threshold=40, ann_nprobe=1)
    files = sorted(corpus_copy.glob("*.txt"))
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest(files[:1])
        first = indexer.store.count_chunks()
        assert (
            first < 40 and not VectorIndex.load(vector_file(config.data_dir, indexer.store.generation())).is_approximate
        )
        indexer.ingest([corpus_copy])
        assert indexer.store.count_chunks() >= 40
        saved = VectorIndex.load(vector_file(config.data_dir, indexer.store.generation()))
        assert saved.is_approximate and np.array_equal(np.sort(saved.ids()), np.sort(indexer.store.chunk_ids()))
    searcher = Searcher(config, FakeEmbedder())
    assert searcher.vectors.is_approximate
    assert searcher.search("social insurance for informal workers", mode="dense").hits
    searcher.close()


def test_bench_scale_reports_every_figure_as_json(tmp_path: Path):
    env = {
        "POLICYKB_EMBEDDER": "fake",
        "POLICYKB_ANN_THRESHOLD": "1000",
        "POLICYKB_ANN_NPROBE": "4",
        "TMPDIR": str(tmp_path),
    }
    result = CliRunner().invoke(
        main,
        ["--data", str(tmp_path / "users-index"), "bench", "scale", "--chunks", "2000", "--queries", "20", "--json"],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert not (tmp_path / "users-index").exists() and not list(tmp_path.glob("policykb-scale-*"))
    assert figures["settings"]["ann_threshold"] == 1000 and figures["query_encoding_ms"]["embedder"] == "fake-hash-384"
    size = figures["sizes"]["2000"]
    assert size["build"]["chunks"] == 2000 and size["build"]["documents"] >= 2000 // 81
    assert size["build"]["vector_index"] == {"kind": "IVF-SQ8", "lists": 32, "nprobe": 4, "vectors": 2000}
    seconds = size["build"]["seconds"]
    assert (
        seconds["store"] > 0
        and seconds["vectors"] > 0
        and seconds["total"] == pytest.approx(seconds["store"] + seconds["vectors"] + seconds["term_matrix"], abs=0.02)
    )
    assert (
        size["build"]["index_bytes"]["sqlite"] > 2000 * 1536
        and 2000 * 384 <= size["build"]["index_bytes"]["faiss"] < 2000 * 1536
    )
    assert size["build"]["peak_rss_mb"] > 20 and size["search"]["peak_rss_mb"] > 20
    assert set(size["search"]["query_ms_alone"]) == {"hybrid", "keyword", "dense"}
    first = size["search"]["first_hybrid_pass"]
    assert first["page_cache"] == "as found" and 0 < first["p50"] <= first["p95"]
    assert 0.5 <= size["recall_at_10"] < 1.0
    for mode in ("hybrid", "keyword", "dense"):
        times = size["query_ms"][mode]
        assert (
            0 < times["policykb"]["p50"] <= times["policykb"]["p95"]
            and 0 < times["baseline"]["p50"] <= times["baseline"]["p95"]
        )
        assert times["ratio_p50"] == pytest.approx(times["policykb"]["p50"] / times["baseline"]["p50"], rel=0.02)
    assert EMBEDDER == "synthetic-clustered-384"


def test_training_finishes_when_a_parent_process_limited_openmp_to_one_thread(tmp_path: Path):
    script = (
        "import numpy as np; from policykb.search.vectors import VectorIndex; "
        "x = np.random.default_rng(0).standard_normal((400, 384)).astype('float32'); "
        "v = VectorIndex.approximate(384, 8, x, 2); v.add(np.arange(400), x); print(v.size)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "400", done.stderr


def test_emptying_the_page_cache_says_whether_it_was_done(tmp_path: Path):
    control = tmp_path / "drop_caches"
    control.write_text("0\n")
    assert empty_page_cache(control) == "emptied" and control.read_text() == "1\n"
    refused = empty_page_cache(tmp_path / "missing" / "drop_caches")
    assert refused.startswith("as found: could not write") and "needs root" in refused
