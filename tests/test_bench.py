"""The benchmark: one small run on the fake embedder, checking the figures' shape and sanity (never their speed)."""

from __future__ import annotations

import json
from pathlib import Path

from policykb.bench.synthetic import QUERY_KINDS, Vocabulary, benchmark_queries
from policykb.bench.throughput import run_benchmarks
from policykb.bench.zipbomb import Caps, run_zipbomb_benchmark
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary


def test_benchmark_reports_sane_figures_for_both_corpora_without_touching_the_data_folder(tmp_path: Path):
    config = Config.from_env(data_dir=tmp_path / "users-index", embedder="fake")

    results = run_benchmarks(config, DEFAULT_CORPUS_DIR, synthetic_chunks=300, queries=10)

    assert not (tmp_path / "users-index").exists()
    assert json.loads(json.dumps(results)) == results
    assert results["embedder"] == "fake-hash-384" and results["machine"]["cpu_count"] >= 1
    assert results["settings"]["queries"] == 10
    bundled, synthetic = results["corpora"]["bundled"], results["corpora"]["synthetic"]
    assert bundled["documents"] == 5 and 20 <= bundled["chunks"] <= 200
    assert abs(synthetic["chunks"] - 300) <= 15
    assert 300 <= synthetic["chunk_chars"]["median"] <= 600
    for corpus in (bundled, synthetic):
        assert corpus["ingest"]["embedded"] == corpus["chunks"] and corpus["ingest"]["chunks_per_s"] > 0
        assert corpus["reingest"]["embedded"] == corpus["reingest"]["chunks_written"] == 0
        assert corpus["reingest"]["unchanged"] == corpus["documents"]
        assert corpus["index_bytes"]["sqlite"] > 0 and corpus["index_bytes"]["faiss"] >= corpus["chunks"] * 384 * 4
        assert set(corpus["query_ms"]) == {"hybrid", "keyword", "dense"}
        for figures in corpus["query_ms"].values():
            assert 0 < figures["p50"] <= figures["p95"] <= figures["max"]
        assert set(corpus["hybrid_ms_by_kind"]) == set(QUERY_KINDS)
        assert corpus["queries_with_hits"]["hybrid"] >= 8


def test_benchmark_queries_are_the_same_every_run_and_mix_every_kind():
    vocabulary = Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(DEFAULT_CORPUS_DIR / "glossary.json"))

    queries = benchmark_queries(200, vocabulary)

    assert queries == benchmark_queries(200, vocabulary)
    assert [sum(kind == wanted for kind, _ in queries) for wanted in QUERY_KINDS] == [50, 50, 50, 50]
    texts = [text for _, text in queries]
    assert "68/NQ-CP" in texts and "bảo hiểm xã hội" in texts
    assert len(set(texts)) >= 120


def test_zip_bomb_benchmark_finds_the_bomb_refused_for_less_than_100_mb_extra(tmp_path: Path):
    figures = run_zipbomb_benchmark(12, Caps(memory_mb=2000, seconds=120), tmp_path, {"POLICYKB_MAX_INFLATED_MB": "4"})
    assert figures["bomb_inflated_mb"] > 12 and figures["bomb_file_mb"] < 1
    assert figures["bomb_refused"] and figures["bomb_killed_at"] is None
    assert "over the 4 MB limit (a zip bomb?)" in figures["bomb_message"]
    assert figures["normal_peak_mb"] > 0 and figures["extra_peak_mb"] < 100
