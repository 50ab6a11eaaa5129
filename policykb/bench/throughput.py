"""Benchmarks: ingest throughput, re-ingest cost, query latency and index size on the bundled and a synthetic corpus."""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np

from policykb.bench.machine import code_revision, load_average, machine_info, torch_threads
from policykb.bench.stats import percentiles
from policykb.bench.synthetic import QUERY_KINDS, Vocabulary, benchmark_queries, write_synthetic_corpus
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.errors import PolicyKBError
from policykb.glossary import load_glossary
from policykb.ingest.indexer import Indexer, IngestReport
from policykb.search.embedder import Embedder, make_embedder
from policykb.search.searcher import MODES, Searcher
from policykb.store import Store

SEARCH_K = 10


class TimedEmbedder(Embedder):
    """Passes every call to another embedder and adds up the seconds spent embedding documents."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.seconds = 0.0

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.inner.embed_documents(texts, progress)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def _ingest(config: Config, folder: Path, embedder: TimedEmbedder) -> tuple[IngestReport, float, float]:
    """Ingest the folder in a fresh Indexer: the report, the wall seconds and the seconds spent embedding."""
    embedded_before = embedder.seconds
    started = time.perf_counter()
    with Indexer(config, embedder, progress=False) as indexer:
        report = indexer.ingest([folder])
    seconds = time.perf_counter() - started
    if report.errors:
        raise PolicyKBError(f"benchmark ingest of {folder} failed: {report.errors[0]}")
    return report, seconds, embedder.seconds - embedded_before


def measure_queries(config: Config, embedder: Embedder, queries: list[tuple[str, str]]) -> dict:
    """p50/p95 per mode, and hybrid per kind of query; modes take turns on each query so that load from
    other work on the machine falls on all of them alike."""
    searcher = Searcher(config, embedder)
    try:
        for mode in MODES:
            searcher.search(queries[0][1], mode, k=SEARCH_K)  # warm-up: caches, lazy imports, first FAISS and FTS calls
        times: dict[str, list[float]] = {mode: [] for mode in MODES}
        answered = dict.fromkeys(MODES, 0)
        for _, query in queries:
            for mode in MODES:
                started = time.perf_counter()
                result = searcher.search(query, mode, k=SEARCH_K)
                times[mode].append((time.perf_counter() - started) * 1000)
                answered[mode] += bool(result.hits)
    finally:
        searcher.close()
    by_kind = {kind: [ms for (k, _), ms in zip(queries, times["hybrid"]) if k == kind] for kind in QUERY_KINDS}
    return {
        "ms": {mode: percentiles(times[mode]) for mode in MODES},
        "hybrid_ms_by_kind": {kind: percentiles(values) for kind, values in by_kind.items() if values},
        "with_hits": answered,
    }


def index_bytes(data_dir: Path) -> dict[str, int]:
    files = [path for path in data_dir.iterdir() if path.is_file()]
    sqlite_bytes = sum(path.stat().st_size for path in files if path.name.startswith("policykb.sqlite3"))
    faiss_bytes = sum(path.stat().st_size for path in files if path.suffix == ".faiss")
    term_bytes = sum(
        path.stat().st_size
        for folder in data_dir.glob("terms.*")
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.is_file()
    )  # with the matrix of whole documents in documents/
    return {
        "sqlite": sqlite_bytes,
        "faiss": faiss_bytes,
        "term_matrix": term_bytes,
        "total": sum(path.stat().st_size for path in files) + term_bytes,
    }


def _chunk_chars(config: Config) -> dict[str, int]:
    with Store(config.db_path, readonly=True) as store:
        lengths = [len(text) for text in store.chunk_texts()]
    return {
        "median": int(np.median(lengths)),
        "p5": int(np.percentile(lengths, 5)),
        "p95": int(np.percentile(lengths, 95)),
        "max": max(lengths),
    }


def benchmark_corpus(config: Config, folder: Path, embedder: Embedder, queries: list[tuple[str, str]]) -> dict:
    """Ingest the folder into config.data_dir, ingest it again unchanged, then time the queries."""
    timed = TimedEmbedder(embedder)
    first, first_seconds, embed_seconds = _ingest(config, folder, timed)
    threads_ingest = torch_threads()
    again, again_seconds, _ = _ingest(config, folder, timed)
    sizes = index_bytes(config.data_dir)
    latency = measure_queries(config, embedder, queries)
    return {
        "files": first.files,
        "documents": first.documents,
        "chunks": first.chunks,
        "chunk_chars": _chunk_chars(config),
        "ingest": {
            "seconds": round(first_seconds, 2),
            "chunks_per_s": round(first.chunks / first_seconds, 1),
            "embedded": first.embedded,
            "embed_seconds": round(embed_seconds, 2),
            "other_seconds": round(first_seconds - embed_seconds, 2),
            "torch_threads": threads_ingest,
        },
        "reingest": {
            "seconds": round(again_seconds, 3),
            "embedded": again.embedded,
            "unchanged": again.unchanged,
            "chunks_written": again.chunks,
        },
        "index_bytes": sizes,
        "query_ms": latency["ms"],
        "hybrid_ms_by_kind": latency["hybrid_ms_by_kind"],
        "queries_with_hits": latency["with_hits"],
        "query_torch_threads": torch_threads(),
    }


# --- the run ----------------------------------------------------------------------------------------
def run_benchmarks(
    config: Config, corpus_dir: Path | None = None, synthetic_chunks: int = 10000, queries: int = 200
) -> dict:
    """Benchmark the bundled corpus and a synthetic one of about `synthetic_chunks` chunks in temporary data folders."""
    if synthetic_chunks < 1 or queries < 1:
        raise PolicyKBError("--chunks and --queries must be at least 1")
    corpus_dir = Path(corpus_dir or DEFAULT_CORPUS_DIR)
    vocab = Vocabulary(corpus_dir, load_glossary(config.glossary_path))
    query_list = benchmark_queries(queries, vocab)
    embedder = make_embedder(config.embedder, config.models_dir)
    embedder.embed_documents(["warm-up"])  # loading the model and the first call stay out of the timings
    started = datetime.now().astimezone()
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="policykb-bench-") as tmp:
        root = Path(tmp)
        synthetic_dir = root / "synthetic-corpus"
        write_synthetic_corpus(synthetic_dir, synthetic_chunks, vocab)
        corpora = {
            name: benchmark_corpus(replace(config, data_dir=root / f"{name}-data"), folder, embedder, query_list)
            for name, folder in (("bundled", corpus_dir), ("synthetic", synthetic_dir))
        }
    return {
        "date": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now().astimezone() - started).total_seconds(), 1),
        "machine": machine,
        "load_average_at_end": load_average(),
        "code": code_revision(),
        "embedder": embedder.name,
        "settings": {
            "synthetic_chunks_requested": synthetic_chunks,
            "queries": len(query_list),
            "query_mix": {kind: sum(k == kind for k, _ in query_list) for kind in QUERY_KINDS},
            "k": SEARCH_K,
            "target_chunk_chars": config.target_chunk_chars,
            "max_chunk_chars": config.max_chunk_chars,
        },
        "corpora": corpora,
    }
