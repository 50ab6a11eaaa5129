"""Which approximate FAISS index: recall@10 against exact search, query latency, memory and build time, side by side.

    policykb bench ann --size 100000 --size 1000000 [--hnsw] [--scifact /tmp/scifact-idx --scifact-queries q.npy]

Vectors come from policykb.bench.vectors (clustered, calibrated on MiniLM vectors of SciFact); queries are passages
moved by noise. With --scifact DATA_DIR (an index of SciFact built with the real model) and its real query vectors
in --scifact-queries (a .npy of embed_query outputs) the same indexes also run on real embeddings, to check that the
synthetic vectors behave like real ones. Prints one JSON line per index and setting.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from policykb.bench.vectors import ClusteredVectors
from policykb.search.vectors import TRAIN_POINTS_PER_LIST, VectorIndex, lists_for

QUERIES = 300
K = 10
SEED = 20240509  # the scale benchmark's seed: the same vectors


@dataclass(frozen=True)
class AnnTrials:
    """Which indexes and settings to try beside exact search and IVF-SQ8 at policykb's own list count."""

    lists: int | None = None  # IVF lists (default: what policykb uses for the size)
    nprobe: tuple[int, ...] = ()  # IVF lists scanned (default 8 … 128)
    rerank: bool = False  # also IVF-SQ8 re-ranked by exact scores of its top 40
    pq: bool = False
    hnsw: bool = False
    ef: tuple[int, ...] = ()  # HNSW efSearch (default 32, 64, 128)
    filtered: bool = False  # also IVF-SQ8 searched under filters that allow a half and a tenth of the vectors


def exact_top(data: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    index = faiss.IndexFlatIP(data.shape[1])
    index.add(data)
    return index.search(queries, k)[1]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def timed_search(search, queries: np.ndarray, k: int) -> tuple[np.ndarray, float, float]:
    found, times = [], []
    for query in queries:
        started = time.perf_counter()
        found.append(search(query.reshape(1, -1), k))
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    return np.vstack(found), round(float(p50), 3), round(float(p95), 3)


def index_bytes(index: faiss.Index) -> int:
    return int(faiss.serialize_index(index).size)


def report(**fields) -> None:
    print(json.dumps(fields), flush=True)


def try_ivf_sq8(
    name: str, data: np.ndarray, queries: np.ndarray, truth: np.ndarray, nlist: int, probes: list[int], rerank: int = 0
) -> None:
    dim = data.shape[1]
    index = faiss.IndexIVFScalarQuantizer(
        faiss.IndexFlatIP(dim), dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    started = time.perf_counter()
    sample = data[
        np.random.default_rng(0).choice(len(data), min(len(data), TRAIN_POINTS_PER_LIST * nlist), replace=False)
    ]
    index.train(sample)
    trained = time.perf_counter() - started
    index.add(data)
    built = time.perf_counter() - started
    memory = index_bytes(index)
    for nprobe in probes:
        index.nprobe = nprobe

        def search(query, k):
            if not rerank:
                return index.search(query, k)[1][0]
            ids = index.search(query, rerank)[1][0]
            ids = ids[ids >= 0]
            return ids[np.argsort(-(data[ids] @ query[0]))[:k]]

        found, p50, p95 = timed_search(search, queries, K)
        report(
            data=name,
            index=f"IVF{nlist},SQ8" + (f"+rerank{rerank}" if rerank else ""),
            nprobe=nprobe,
            recall10=round(recall(found, truth), 4),
            p50_ms=p50,
            p95_ms=p95,
            bytes=memory,
            train_s=round(trained, 1),
            build_s=round(built, 1),
        )


def try_ivf_pq(
    name: str, data: np.ndarray, queries: np.ndarray, truth: np.ndarray, nlist: int, m: int, probes: list[int]
) -> None:
    dim = data.shape[1]
    index = faiss.IndexIVFPQ(faiss.IndexFlatIP(dim), dim, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
    started = time.perf_counter()
    index.train(
        data[np.random.default_rng(0).choice(len(data), min(len(data), TRAIN_POINTS_PER_LIST * nlist), replace=False)]
    )
    index.add(data)
    built = time.perf_counter() - started
    for nprobe in probes:
        index.nprobe = nprobe
        found, p50, p95 = timed_search(lambda q, k: index.search(q, k)[1][0], queries, K)
        report(
            data=name,
            index=f"IVF{nlist},PQ{m}",
            nprobe=nprobe,
            recall10=round(recall(found, truth), 4),
            p50_ms=p50,
            p95_ms=p95,
            bytes=index_bytes(index),
            build_s=round(built, 1),
        )


def try_hnsw(
    name: str, data: np.ndarray, queries: np.ndarray, truth: np.ndarray, quantized: bool, efs: list[int]
) -> None:
    dim = data.shape[1]
    if quantized:
        index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, 32, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 40
    started = time.perf_counter()
    if quantized:
        index.train(data[: min(len(data), 100000)])
    index.add(data)
    built = time.perf_counter() - started
    for ef in efs:
        index.hnsw.efSearch = ef
        found, p50, p95 = timed_search(lambda q, k: index.search(q, k)[1][0], queries, K)
        report(
            data=name,
            index="HNSW32" + (",SQ8" if quantized else ",Flat"),
            efSearch=ef,
            recall10=round(recall(found, truth), 4),
            p50_ms=p50,
            p95_ms=p95,
            bytes=index_bytes(index),
            build_s=round(built, 1),
        )


def try_flat(name: str, data: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> None:
    index = faiss.IndexFlatIP(data.shape[1])
    index.add(data)
    found, p50, p95 = timed_search(lambda q, k: index.search(q, k)[1][0], queries, K)
    report(
        data=name,
        index="Flat",
        recall10=round(recall(found, truth), 4),
        p50_ms=p50,
        p95_ms=p95,
        bytes=index_bytes(index),
    )


FILTER_SHARES = (0.5, 0.1)  # a filter that allows half the vectors (a restricted collection), and a tenth (a facet)


def try_filtered(
    name: str, data: np.ndarray, queries: np.ndarray, truth: np.ndarray, nlist: int, probes: list[int]
) -> None:
    """Recall@10 of IVF-SQ8 under a filter, against exact search among the vectors it allows, beside recall@10 without
    one: with as many lists scanned, with 1/√share times as many, and with 1/share times as many; and the lists
    policykb's VectorIndex scans for that filter."""
    vectors = VectorIndex.approximate(
        data.shape[1],
        nlist,
        data[np.random.default_rng(0).choice(len(data), min(len(data), TRAIN_POINTS_PER_LIST * nlist), False)],
    )
    vectors.add(np.arange(len(data)), data)
    for share in FILTER_SHARES:
        allowed = np.flatnonzero(np.random.default_rng(2).random(len(data)) < share)
        allowed_truth = allowed[exact_top(data[allowed], queries, K)]
        selector, allowed_share = VectorIndex.selector_for(allowed), len(allowed) / len(data)
        for nprobe in probes:
            vectors.nprobe = nprobe
            unfiltered = np.vstack([[i for i, _ in vectors.search(query, K)] for query in queries])
            filtered = {}
            for rule, factor in (("same", 1.0), ("1/sqrt(share)", allowed_share**-0.5), ("1/share", 1 / allowed_share)):
                lists = min(nlist, int(np.ceil(nprobe * factor)))
                params = faiss.SearchParametersIVF(nprobe=lists, sel=selector)
                found = vectors.index.search(queries, K, params=params)[1]
                filtered[rule] = {"lists": lists, "recall10": round(recall(found, allowed_truth), 4)}
            report(
                data=name,
                index=f"IVF{nlist},SQ8",
                share=share,
                nprobe=nprobe,
                unfiltered_recall10=round(recall(unfiltered, truth), 4),
                filtered=filtered,
                policykb_lists=vectors._probes(allowed),
            )


def run(name: str, data: np.ndarray, queries: np.ndarray, trials: AnnTrials) -> None:
    truth = exact_top(data, queries, K)
    nlist = trials.lists or lists_for(len(data))
    try_flat(name, data, queries, truth)
    try_ivf_sq8(name, data, queries, truth, nlist, list(trials.nprobe) or [8, 16, 32, 64, 128])
    if trials.filtered:
        try_filtered(name, data, queries, truth, nlist, list(trials.nprobe) or [8, 16, 32, 64, 128])
    if trials.rerank:
        try_ivf_sq8(name, data, queries, truth, nlist, [16, 32], rerank=40)
    if trials.pq:
        try_ivf_pq(name, data, queries, truth, nlist, 48, [32, 64])
    if trials.hnsw:
        try_hnsw(name, data, queries, truth, True, list(trials.ef) or [32, 64, 128])
        if len(data) <= 200000:
            try_hnsw(name, data, queries, truth, False, list(trials.ef) or [32, 64, 128])


def run_synthetic(size: int, trials: AnnTrials) -> None:
    """The trials on `size` clustered vectors, queried by passages moved by noise."""
    generator = ClusteredVectors(SEED)
    data = np.vstack(list(generator.batches(size)))
    picks = np.random.default_rng(1).choice(size, QUERIES, replace=False)
    run(f"synthetic-{size}", data, np.vstack([generator.near(data[i], int(i)) for i in picks]), trials)


def run_scifact(data_dir: Path, query_vectors: Path, trials: AnnTrials) -> None:
    """The trials on a SciFact index's real vectors and real query vectors, then on as many synthetic ones."""
    with sqlite3.connect(f"file:{data_dir / 'policykb.sqlite3'}?mode=ro", uri=True) as conn:
        data = np.vstack(
            [np.frombuffer(row[0], dtype=np.float32) for row in conn.execute("SELECT vector FROM chunks ORDER BY id")]
        )
    run("scifact-real", data, np.load(query_vectors)[:QUERIES], trials)
    generator = ClusteredVectors(SEED)
    synthetic = np.vstack(list(generator.batches(len(data))))
    picks = np.random.default_rng(1).choice(len(synthetic), QUERIES, replace=False)
    run(f"synthetic-{len(data)}", synthetic, np.vstack([generator.near(synthetic[i], int(i)) for i in picks]), trials)


def compare_ann_indexes(
    sizes: list[int], trials: AnnTrials, scifact: Path | None = None, scifact_queries: Path | None = None
) -> None:
    """Print one JSON line per index and setting: SciFact's real vectors first when given, then each synthetic size."""
    if scifact:
        run_scifact(scifact, scifact_queries, trials)
    for size in sizes:
        run_synthetic(size, trials)
