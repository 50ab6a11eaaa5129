"""Scale benchmark: synthetic indexes of N chunks written straight into the store, timed beside a plain baseline.

Each size runs in fresh processes, so that peak RSS is that size's own: one builds the index, one opens it and
answers the queries with policykb alone (the RAM a server needs, and its latency alone), one times policykb and the baseline side by side
on every query and measures dense recall@10 against exact search.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click
import numpy as np

from policykb.bench.access_cost import time_access_filter
from policykb.bench.baseline import BaselineSearcher
from policykb.bench.machine import code_revision, load_average, machine_info
from policykb.bench.stats import percentiles
from policykb.bench.synthetic import SEED, Vocabulary, benchmark_queries
from policykb.bench.synthetic_index import EMBEDDER, write_synthetic_index
from policykb.bench.throughput import SEARCH_K, index_bytes
from policykb.bench.vectors import ClusteredVectors, NearbyQueryEmbedder
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.errors import PolicyKBError
from policykb.glossary import load_glossary
from policykb.search.embedder import make_embedder
from policykb.search.query import expansion_phrases, plan_query
from policykb.search.searcher import MODES, Searcher
from policykb.search.terms_files import write_terms
from policykb.search.vectors import AnnSettings
from policykb.search.vectors_files import open_vectors
from policykb.store import Store

QUERY_PASSAGES = 2000  # passages whose neighbourhoods the query vectors come from
WARM_UP_QUERIES = 20  # answered before the serving process's clock runs
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def build(config: Config, chunks: int, corpus_dir: Path) -> dict:
    """Write the store, then build and save the vector index as ingest does; time each and report the RSS."""
    vocab = Vocabulary(corpus_dir, load_glossary(config.glossary_path))
    written = write_synthetic_index(config, chunks, vocab)
    started = time.perf_counter()
    with Store(config.db_path) as store:
        vectors = open_vectors(
            store, config.data_dir, vectors_dim(store), save=True, ann=AnnSettings.from_config(config)
        )
        vector_seconds = time.perf_counter() - started
        vector_index = describe(vectors)
        del vectors  # as in ingest, which lets go of the vectors before it writes the term matrix
        glossary = load_glossary(config.glossary_path).with_acronyms(store.all_acronyms())
        matrix = write_terms(store, config.data_dir, config.term_matrix_threshold, expansion_phrases(glossary))
    term_seconds = time.perf_counter() - started - vector_seconds
    return {
        "documents": written["documents"],
        "chunks": written["chunks"],
        "seconds": {
            "store": round(written["seconds"], 2),
            "vectors": round(vector_seconds, 2),
            "term_matrix": round(term_seconds, 2),
            "total": round(written["seconds"] + vector_seconds + term_seconds, 2),
        },
        "vector_index": vector_index,
        "term_matrix": {"words": len(matrix.term_id), "postings": len(matrix.rows)} if matrix else None,
        "index_bytes": index_bytes(config.data_dir),
        "peak_rss_mb": peak_rss_mb(),
    }


def vectors_dim(store: Store) -> int:
    return int(store.meta("dim") or 384)


def describe(vectors) -> dict:
    if vectors.is_approximate:
        return {"kind": "IVF-SQ8", "lists": vectors.lists, "nprobe": vectors.nprobe, "vectors": vectors.size}
    return {"kind": "flat", "vectors": vectors.size}


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent
    through fork and exec, so every step would report at least the parent's size (with the model loaded, 0.5 GB)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


# --- searching it -----------------------------------------------------------------------------------
def query_embedder(config: Config) -> NearbyQueryEmbedder:
    """Query vectors near passages spread over the whole index (read back from the store by id)."""
    with Store(config.db_path, readonly=True) as store:
        ids = store.chunk_ids()
        picks = np.sort(np.random.default_rng(SEED).choice(ids, min(QUERY_PASSAGES, len(ids)), replace=False))
        _, passages = store.vectors_for_ids(picks.tolist())
    return NearbyQueryEmbedder(EMBEDDER, passages, ClusteredVectors(SEED))


def _warm(embedder: NearbyQueryEmbedder, searcher: Searcher, queries: list[str]) -> None:
    """Work out every query vector before the clock runs: the product asks for plan.dense_text, the baseline for the text."""
    for query in queries:
        embedder.embed_query(query)
        embedder.embed_query(plan_query(query, searcher.glossary).dense_text)


def empty_page_cache(control: Path = DROP_CACHES) -> str:
    """Write dirty pages back and drop the machine's clean page cache, so that the next searches read the index from
    disk as after a restart or a long idle spell. Says what happened: it needs root, and it is the whole machine's cache."""
    os.sync()
    try:
        control.write_text("1\n")
    except OSError as exc:
        return f"as found: could not write {control} ({exc.strerror or exc}; it needs root)"
    return "emptied"


def serve(config: Config, queries: list[str], uncached: bool = False) -> dict:
    """Open the index as the web app does and answer every query in every mode: the RAM policykb needs, and its latency
    with nothing else in the process (the side-by-side run below alternates with a baseline that churns the caches).
    The first hybrid pass runs on the page cache as found, or, with `uncached`, emptied just before it."""
    embedder = query_embedder(config)
    started = time.perf_counter()
    searcher = Searcher(config, embedder)
    opened = time.perf_counter() - started
    _warm(embedder, searcher, queries)
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    first_pass: list[float] = []
    try:
        page_cache = empty_page_cache() if uncached else "as found"
        for query in queries:
            started = time.perf_counter()
            searcher.search(query, "hybrid", k=SEARCH_K)
            first_pass.append((time.perf_counter() - started) * 1000)
        for query in queries[:WARM_UP_QUERIES]:
            for mode in MODES:
                searcher.search(query, mode, k=SEARCH_K)
        for query in queries:
            for mode in MODES:
                started = time.perf_counter()
                searcher.search(query, mode, k=SEARCH_K)
                times[mode].append((time.perf_counter() - started) * 1000)
    finally:
        searcher.close()
    return {
        "open_seconds": round(opened, 2),
        "queries": len(queries),
        "first_hybrid_pass": {"page_cache": page_cache, **percentiles(first_pass)},
        "query_ms_alone": {mode: percentiles(times[mode]) for mode in MODES},
        "peak_rss_mb": peak_rss_mb(),
    }


def compare(config: Config, queries: list[str], baseline: bool) -> dict:
    """p50/p95 of policykb and the baseline, taking turns on each query and mode; dense recall@10 of policykb."""
    embedder = query_embedder(config)
    searcher = Searcher(config, embedder)
    plain = BaselineSearcher(config.db_path)  # also the exact search that recall is measured against
    times = {(system, mode): [] for system in ("policykb", "baseline") for mode in MODES}
    recalls = []
    _warm(embedder, searcher, queries)
    try:
        for mode in MODES:  # warm-up
            searcher.search(queries[0], mode, k=SEARCH_K)
            plain.search(queries[0], embedder.embed_query(queries[0]), mode, SEARCH_K)
        for position, query in enumerate(queries):
            for mode in MODES:
                order = ("policykb", "baseline") if position % 2 == 0 else ("baseline", "policykb")
                for system in order:
                    if system == "baseline" and not baseline:
                        continue
                    started = time.perf_counter()
                    if system == "policykb":
                        searcher.search(query, mode, k=SEARCH_K)
                    else:
                        plain.search(query, embedder.embed_query(query), mode, SEARCH_K)
                    times[(system, mode)].append((time.perf_counter() - started) * 1000)
            vector = embedder.embed_query(query)
            found = {chunk_id for chunk_id, _ in searcher.vectors.search(vector, SEARCH_K)}
            recalls.append(len(found & set(plain.exact(vector, SEARCH_K))) / SEARCH_K)
    finally:
        searcher.close()
        plain.close()
    result = {
        "query_ms": {},
        "recall_at_10": round(float(np.mean(recalls)), 4),
        "peak_rss_mb_with_baseline": peak_rss_mb(),
    }
    for mode in MODES:
        ours = percentiles(times[("policykb", mode)])
        entry = {"policykb": ours}
        if baseline:
            theirs = percentiles(times[("baseline", mode)])
            entry.update(
                baseline=theirs,
                ratio_p50=round(ours["p50"] / theirs["p50"], 2),
                ratio_p95=round(ours["p95"] / theirs["p95"], 2),
            )
        result["query_ms"][mode] = entry
    return result


# --- the run ----------------------------------------------------------------------------------------
def access(config: Config, queries: list[str]) -> dict:
    """The access filter's cost (policykb.bench.access_cost): half the documents restricted (each half in turn), then
    every query asked by a viewer who reads everything and by one who reads the public half, in turns."""
    return {"query_ms": time_access_filter(config, query_embedder(config), queries, WARM_UP_QUERIES)}


def _phase(
    phase: str, config: Config, chunks: int, queries: int, corpus_dir: Path, baseline: bool, uncached: bool = False
) -> dict:
    """Run one phase in a fresh Python process and return its JSON."""
    command = [
        sys.executable,
        "-m",
        "policykb.bench.scale",
        phase,
        "--data",
        str(config.data_dir),
        "--chunks",
        str(chunks),
        "--queries",
        str(queries),
        "--corpus",
        str(corpus_dir),
        "--glossary",
        str(config.glossary_path),
        "--ann-threshold",
        str(config.ann_threshold),
        "--ann-nprobe",
        str(config.ann_nprobe),
        "--term-matrix-threshold",
        str(config.term_matrix_threshold),
    ]
    if not baseline:
        command.append("--no-baseline")
    if uncached:
        command.append("--uncached")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise PolicyKBError(f"the {phase} step of the {chunks}-chunk benchmark failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def query_encoding(config: Config, queries: list[str]) -> dict:
    """What the configured embedder adds to each query (one thread), to add to the latencies above."""
    embedder = make_embedder(config.embedder, config.models_dir)
    embedder.embed_query("warm-up")
    times = []
    for query in queries:
        started = time.perf_counter()
        embedder.embed_query(query)
        times.append((time.perf_counter() - started) * 1000)
    return {"embedder": embedder.name, **percentiles(times), "process_peak_rss_mb": peak_rss_mb()}


def run_scale_benchmarks(
    config: Config,
    sizes: list[int],
    queries: int = 200,
    baseline: bool = True,
    corpus_dir: Path | None = None,
    work_dir: Path | None = None,
    uncached: bool = False,
    restricted: bool = False,
) -> dict:
    """Build, open and time a synthetic index of each size in temporary folders under `work_dir`, one after another;
    with `restricted`, also the access filter's cost (the `access` phase, last: it changes the index)."""
    if not sizes or min(sizes) < 100 or queries < 1:
        raise PolicyKBError("--chunks must be at least 100 and --queries at least 1")
    corpus_dir = Path(corpus_dir or DEFAULT_CORPUS_DIR)
    vocab = Vocabulary(corpus_dir, load_glossary(config.glossary_path))
    query_texts = [text for _, text in benchmark_queries(queries, vocab)]
    started = datetime.now().astimezone()
    results = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "code": code_revision(),
        "settings": {
            "sizes": sizes,
            "queries": len(query_texts),
            "k": SEARCH_K,
            "baseline": baseline,
            "ann_threshold": config.ann_threshold,
            "ann_nprobe": config.ann_nprobe,
            "term_matrix_threshold": config.term_matrix_threshold,
            "uncached": uncached,
            "restricted": restricted,
        },
        "query_encoding_ms": query_encoding(config, query_texts),
        "sizes": {},
    }
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="policykb-scale-", dir=work_dir) as tmp:
            sized = replace(config, data_dir=Path(tmp) / "data")
            built = _phase("build", sized, size, queries, corpus_dir, baseline)
            served = _phase("serve", sized, size, queries, corpus_dir, baseline, uncached)
            compared = _phase("compare", sized, size, queries, corpus_dir, baseline)
            if restricted:
                compared["access_filter"] = _phase("access", sized, size, queries, corpus_dir, baseline)
        results["sizes"][str(size)] = {"build": built, "search": served, **compared}
    results["seconds"] = round((datetime.now().astimezone() - started).total_seconds(), 1)
    results["load_average_at_end"] = load_average()
    return results


@click.command(
    help="One step of `policykb bench scale` (run by it in a fresh process: python -m policykb.bench.scale PHASE …)."
)
@click.argument("phase", type=click.Choice(("build", "serve", "compare", "access")))
@click.option("--data", type=click.Path(path_type=Path), required=True)
@click.option("--chunks", type=int, required=True)
@click.option("--queries", type=int, default=200)
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS_DIR)
@click.option("--glossary", type=click.Path(path_type=Path))
@click.option("--ann-threshold", type=int)
@click.option("--ann-nprobe", type=int)
@click.option("--term-matrix-threshold", type=int)
@click.option("--no-baseline", is_flag=True)
@click.option("--uncached", is_flag=True)
def main(
    phase: str,
    data: Path,
    chunks: int,
    queries: int,
    corpus: Path,
    glossary: Path | None,
    ann_threshold: int | None,
    ann_nprobe: int | None,
    term_matrix_threshold: int | None,
    no_baseline: bool,
    uncached: bool,
) -> None:
    config = Config.from_env(
        data_dir=data,
        glossary_path=glossary,
        ann_threshold=ann_threshold,
        ann_nprobe=ann_nprobe,
        term_matrix_threshold=term_matrix_threshold,
        embedder="fake",
    )
    if phase == "build":
        result = build(config, chunks, corpus)
    else:
        vocab = Vocabulary(corpus, load_glossary(config.glossary_path))
        texts = [text for _, text in benchmark_queries(queries, vocab)]
        if phase == "access":
            result = access(config, texts)
        else:
            result = serve(config, texts, uncached) if phase == "serve" else compare(config, texts, not no_baseline)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
