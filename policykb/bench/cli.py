"""`policykb bench …`: every benchmark as a command; registered on the main group.

Each command calls its module (throughput, scale, ann_choice, embedders, loadtest, faults, zipbomb), whose functions stay callable
from Python. Every benchmark works in temporary folders: the index in --data is never touched.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.core import ParameterSource

from policykb.cli_options import json_option, pass_config, print_figures
from policykb.config import Config

queries_option = click.option("--queries", default=200, show_default=True, type=int, help="Queries timed per index.")
corpus_option = click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Bundled corpus folder (default: corpus/).",
)


# Where a benchmark that writes files and data folders of its own puts them.
work_dir_option = click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the files and data folders go (default: the system's temporary folder).",
)


def scale_options(hidden: bool = False):
    """--baseline/--no-baseline, --work-dir and --uncached of the scale benchmark."""
    options = (
        click.option(
            "--baseline/--no-baseline",
            default=True,
            show_default=True,
            hidden=hidden,
            help="Time the plain baseline too.",
        ),
        click.option(
            "--work-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            hidden=hidden,
            help="Where the temporary indexes go (default: the system's temporary folder).",
        ),
        click.option(
            "--uncached",
            is_flag=True,
            hidden=hidden,
            help="Empty the page cache (the whole machine's; needs root) "
            "before the first pass of hybrid queries, which then reads the index from disk as after a restart.",
        ),
    )

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@click.group(invoke_without_command=True)
@click.option(
    "--chunks",
    "synthetic_chunks",
    default=(10000,),
    show_default=True,
    type=int,
    multiple=True,
    help="Size of the synthetic corpus (as bench run).",
)
@queries_option
@corpus_option
@click.option("--scale", is_flag=True, deprecated="use `policykb bench scale`", help="Measure search at size.")
@scale_options(hidden=True)
@json_option
@click.pass_context
def bench(
    ctx: click.Context,
    synthetic_chunks: tuple[int, ...],
    queries: int,
    corpus_dir: Path | None,
    scale: bool,
    baseline: bool,
    work_dir: Path | None,
    uncached: bool,
    as_json: bool,
) -> None:
    """Benchmarks: ingest and query speed (run, the default), search at size (scale), ANN indexes, embedders, load, OCR.

    Without a command, `policykb bench [--chunks N] [--queries N] [--corpus DIR] [--json]` is `policykb bench run`.

    Example: policykb bench --chunks 10000 --queries 200
    """
    if ctx.invoked_subcommand is not None:
        given = [
            param.opts[-1]
            for param in ctx.command.params
            if ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
        ]
        if given:
            raise click.UsageError(
                f"put {', '.join(given)} after the command: policykb bench {ctx.invoked_subcommand} {given[0]} …"
            )
        return
    if scale:
        ctx.invoke(
            bench_scale,
            sizes=synthetic_chunks,
            queries=queries,
            corpus_dir=corpus_dir,
            baseline=baseline,
            work_dir=work_dir,
            uncached=uncached,
            as_json=as_json,
        )
        return
    if len(synthetic_chunks) > 1:
        raise click.UsageError("give --chunks once, or use `policykb bench scale` to measure several sizes")
    ctx.invoke(bench_run, synthetic_chunks=synthetic_chunks[0], queries=queries, corpus_dir=corpus_dir, as_json=as_json)


@bench.command("run")
@click.option(
    "--chunks", "synthetic_chunks", default=10000, show_default=True, type=int, help="Size of the synthetic corpus."
)
@queries_option
@corpus_option
@json_option
@pass_config
def bench_run(config: Config, synthetic_chunks: int, queries: int, corpus_dir: Path | None, as_json: bool) -> None:
    """Measure ingest chunks/s, re-ingest time and hybrid query p50/p95 (bundled + synthetic corpus).

    Runs in temporary data folders; the index in --data is not touched.
    Example: policykb bench run --chunks 10000 --queries 200
    """
    from policykb.bench.throughput import run_benchmarks

    print_figures(run_benchmarks(config, corpus_dir, synthetic_chunks, queries), as_json)


@bench.command("scale")
@click.option(
    "--chunks",
    "sizes",
    default=(10000,),
    show_default=True,
    type=int,
    multiple=True,
    help="Size of a synthetic index; repeat it for several sizes.",
)
@queries_option
@corpus_option
@scale_options()
@click.option(
    "--restricted",
    is_flag=True,
    help="Also time the access filter: half the documents in a restricted collection (each half in turn), each query "
    "asked by a viewer who reads everything and by one who reads the public half.",
)
@json_option
@pass_config
def bench_scale(
    config: Config,
    sizes: tuple[int, ...],
    queries: int,
    corpus_dir: Path | None,
    baseline: bool,
    work_dir: Path | None,
    uncached: bool,
    restricted: bool,
    as_json: bool,
) -> None:
    """Measure search at size: synthetic indexes written straight into the store (no model, clustered random vectors),
    timed beside a plain baseline: latency per mode, recall@10, RSS, disk, build time. Each size runs in fresh processes.

    Example: policykb bench scale --chunks 10000 --chunks 100000 --chunks 1000000 --json
    """
    from policykb.bench.scale import run_scale_benchmarks

    figures = run_scale_benchmarks(config, list(sizes), queries, baseline, corpus_dir, work_dir, uncached, restricted)
    print_figures(figures, as_json)


@bench.command("ann")
@click.option(
    "--size", "sizes", type=int, multiple=True, help="Synthetic vectors to index; repeat it for several sizes."
)
@click.option("--hnsw", is_flag=True, help="Also HNSW (with 8-bit vectors; flat too up to 200,000 vectors).")
@click.option("--lists", type=int, help="IVF lists (default: what policykb uses for the size).")
@click.option("--pq", is_flag=True, help="Also IVF with product quantisation.")
@click.option("--rerank", is_flag=True, help="Also IVF-SQ8 re-ranked by exact scores of its top 40.")
@click.option("--filtered", is_flag=True, help="Also IVF-SQ8 under filters allowing a half and a tenth of the vectors.")
@click.option("--nprobe", type=int, multiple=True, help="IVF lists scanned (default 8 … 128); repeatable.")
@click.option("--ef", type=int, multiple=True, help="HNSW efSearch (default 32, 64, 128); repeatable.")
@click.option(
    "--scifact",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Data folder of a SciFact index built with the real model.",
)
@click.option(
    "--scifact-queries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=".npy of the real model's query vectors (with --scifact).",
)
def bench_ann(
    sizes: tuple[int, ...],
    hnsw: bool,
    lists: int | None,
    pq: bool,
    rerank: bool,
    filtered: bool,
    nprobe: tuple[int, ...],
    ef: tuple[int, ...],
    scifact: Path | None,
    scifact_queries: Path | None,
) -> None:
    """Which approximate FAISS index: recall@10 against exact search, latency, memory and build time; one JSON line each.

    Example: policykb bench ann --size 100000 --size 1000000 --hnsw --pq
    """
    from policykb.bench.ann_choice import AnnTrials, compare_ann_indexes

    if bool(scifact) != bool(scifact_queries):
        raise click.UsageError("give --scifact and --scifact-queries together")
    trials = AnnTrials(lists=lists, nprobe=nprobe, rerank=rerank, pq=pq, hnsw=hnsw, ef=ef, filtered=filtered)
    compare_ann_indexes(list(sizes), trials, scifact, scifact_queries)


@bench.command("embedders")
@click.option("--chunks", default=500, show_default=True, type=int, help="Chunks embedded per backend and round.")
@click.option("--rounds", default=5, show_default=True, type=int)
@click.option(
    "--agreement-chunks",
    default=1000,
    show_default=True,
    type=int,
    help="Chunks whose vectors are compared with torch's.",
)
def bench_embedders(chunks: int, rounds: int, agreement_chunks: int) -> None:
    """Embedders side by side (torch, ONNX fp32, ONNX int8): chunks/s and agreement with the torch embeddings.

    Example: policykb bench embedders --chunks 500 --rounds 5 --agreement-chunks 1000
    """
    from policykb.bench.embedders import compare_embedders

    click.echo(json.dumps(compare_embedders(chunks, rounds, agreement_chunks), indent=2))


@bench.command("load")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="An existing data folder to serve (default: build a synthetic index).",
)
@click.option("--chunks", default=10000, show_default=True, type=int, help="Size of the synthetic index to build.")
@click.option("--embedder", help="Embedder of the server (default: POLICYKB_EMBEDDER, else minilm).")
@click.option("--clients", default=20, show_default=True, type=int)
@click.option("--seconds", default=30.0, show_default=True, type=float)
@click.option("--threads", default=4, show_default=True, type=int, help="Waitress worker threads.")
@click.option(
    "--max-requests", default=100000, show_default=True, type=int, help="Per client, a bound besides the time."
)
@click.option("--signed-in", is_flag=True, help="Each client signs in as a reader of its own first (synthetic index).")
@pass_config
def bench_load(
    config: Config,
    data: Path | None,
    chunks: int,
    embedder: str | None,
    clients: int,
    seconds: float,
    threads: int,
    max_requests: int,
    signed_in: bool,
) -> None:
    """Load-test /api/search on loopback: concurrent clients for a fixed time against `policykb serve`.

    Example: policykb bench load --chunks 10000 --clients 20 --seconds 30
    """
    from policykb.bench.loadtest import run_load_test

    figures = run_load_test(
        data, chunks, embedder or config.embedder, clients, seconds, threads, max_requests, signed_in
    )
    click.echo(json.dumps(figures, indent=2))


@bench.command("faults")
@corpus_option
@json_option
def bench_faults(corpus_dir: Path | None, as_json: bool) -> None:
    """Inject each fault the index must survive (damaged FAISS files and term matrices, lost FTS rows, a full disk at
    ingest and upload, an upload orphaned by a crash) into copies of a small index; print how many survived.

    A fault is survived when it gave a clear message or none, every search mode still answers, and `policykb check`
    passes after `check --repair`. Runs in temporary folders with the fake embedder; --data is not touched.
    Example: policykb bench faults
    """
    from policykb.bench.faults import run_faults

    print_figures(run_faults(corpus_dir), as_json)


@bench.command("freshness")
@click.option("--pages", default=20, show_default=True, type=int, help="Pages of the document added.")
@click.option(
    "--model-cost/--no-model-cost",
    default=True,
    show_default=True,
    help="On a scale-benchmark index, have the configured model embed the new passages too, so the time includes it.",
)
@json_option
@pass_config
def bench_freshness(config: Config, pages: int, model_cost: bool, as_json: bool) -> None:
    """How soon a change is searchable: add one new document to the index in --data while a reader polls it as a
    server does, then remove it; seconds from the start of each change until the store, the vectors and the term
    matrix of the new generation are there and a keyword search finds the document (or no longer does).

    --data is changed and put back. Example (a 100,000-passage index built by the scale benchmark):
    python -m policykb.bench.scale build --data DIR --chunks 100000 --no-baseline && policykb --data DIR bench freshness
    """
    from policykb.bench.freshness import run_freshness

    print_figures(run_freshness(config, pages, model_cost=model_cost), as_json)


@bench.command("workers")
@click.option("--files", default=16, show_default=True, type=click.IntRange(1), help="Files queued each run.")
@click.option("--pages", default=20, show_default=True, type=click.IntRange(1), help="Pages of each file.")
@click.option("--rounds", default=2, show_default=True, type=click.IntRange(1), help="Runs of each worker count.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(2), help="Workers compared with one.")
@click.option("--ray", is_flag=True, help="Also time `policykb ingest --ray local` over the same files each round.")
@work_dir_option
@json_option
@pass_config
def bench_workers(
    config: Config, files: int, pages: int, rounds: int, workers: int, ray: bool, work_dir: Path | None, as_json: bool
) -> None:
    """Bulk ingest throughput with one `policykb worker` and with --workers of them on one data folder: the same
    synthetic files queued into a new data folder each run, timed until the last worker exits (model loading
    included); the runs take turns. Uses the configured embedder (POLICYKB_EMBEDDER).

    Example: policykb bench workers --files 16 --pages 20
    """
    from policykb.bench.workers import run_workers_benchmark

    print_figures(run_workers_benchmark(config, files, pages, rounds, workers, work_dir, ray), as_json)


@bench.command("postgresql")
@click.option(
    "--to",
    "url",
    metavar="postgresql://…",
    help="An empty database to copy into (default: a PostgreSQL started for the run from the pgserver wheel).",
)
@click.option("--queries", default=200, show_default=True, type=click.IntRange(1), help="Queries asked of each side.")
@json_option
@pass_config
def bench_postgresql(config: Config, url: str | None, queries: int, as_json: bool) -> None:
    """PostgreSQL beside the embedded store, side by side: the index in --data copied into PostgreSQL (`policykb
    migrate`), then the same queries asked of both, taking turns. Keyword: BM25 top 10 from FTS5 and from postings in
    SQL (latency, same lists); dense: FAISS and pgvector HNSW (latency, recall@10 against exact search); the copy's
    and the HNSW index's time; size on disk. --data is only read.

    Example: python -m policykb.bench.scale build --data DIR --chunks 100000 --no-baseline && policykb --data DIR bench postgresql
    """
    from policykb.bench.postgresql import run_postgresql_benchmark

    print_figures(run_postgresql_benchmark(config, url, queries), as_json)


@bench.command("zipbomb")
@click.option(
    "--inflated-mb", default=500, show_default=True, type=int, help="What the bomb's word/document.xml unpacks to."
)
@click.option(
    "--cap-mb", default=4000, show_default=True, type=int, help="Memory at which a child is killed (no budget)."
)
@click.option("--cap-seconds", default=120.0, show_default=True, type=float, help="Time after which it is killed.")
@work_dir_option
@json_option
def bench_zipbomb(inflated_mb: int, cap_mb: int, cap_seconds: float, work_dir: Path | None, as_json: bool) -> None:
    """Peak memory of `policykb ingest` given a zip-bomb .docx, beside a normal .docx, each in a child process;
    the budget is POLICYKB_MAX_INFLATED_MB. The goal: refused, with less than 100 MB extra.

    Example: policykb bench zipbomb --inflated-mb 500
    """
    from policykb.bench.zipbomb import Caps, run_zipbomb_benchmark

    print_figures(run_zipbomb_benchmark(inflated_mb, Caps(cap_mb, cap_seconds), work_dir), as_json)


@bench.command("fuzz")
@click.option(
    "--examples", default=100, show_default=True, type=int, help="Generated requests per operation and phase."
)
@click.option("--seed", type=int, help="Seed of the generator (default: a new one each run).")
def bench_fuzz(examples: int, seed: int | None) -> None:
    """Fuzz the JSON API from its OpenAPI document (schemathesis: valid and invalid requests, chains of calls) on a
    throwaway index of the bundled corpus with the fake embedder: operations, cases run, HTTP 500s, error-shape
    violations, and the first failure of each operation and check, as JSON.

    Needs the development extras (pip install -e '.[dev]'). Example: policykb bench fuzz --examples 200
    """
    import importlib.util
    import tempfile

    from policykb.bench.fuzz import fuzz_api, throwaway_app

    if importlib.util.find_spec("schemathesis") is None:
        raise click.ClickException("schemathesis is missing: install the development extras (pip install -e '.[dev]')")
    with tempfile.TemporaryDirectory(prefix="policykb-fuzz-", ignore_cleanup_errors=True) as folder:
        report = fuzz_api(throwaway_app(Path(folder)), examples, seed)
    click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
