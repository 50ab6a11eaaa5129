"""Bulk ingest throughput with 1 and with 2 `policykb worker` processes on one data folder.

The same synthetic files (freshness.document_text: distinct policy text, nothing reused between files) are queued
with `policykb ingest --queue` into a new data folder for each run, then W workers are started with `--until-empty`;
a run is timed from the workers' start until the last one exits, so it includes each worker loading the model, as a
real bulk ingest does. The machine's cores are shared out between the workers (`policykb worker --threads`). Runs with 1 and with W workers take turns, `rounds` times each; with `--ray`, each round also times
`policykb ingest --ray local` over the same files (a Ray cluster on this machine reads and embeds).

    policykb bench workers [--files 16] [--pages 20] [--rounds 2] [--workers 2] [--ray]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policykb.bench.freshness import document_text
from policykb.bench.machine import code_revision, machine_info
from policykb.bench.synthetic import Vocabulary
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.store import Store


def write_files(folder: Path, files: int, pages: int, vocab: Vocabulary) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        marker = f"bulkdoc{index:04d}"
        (folder / f"{marker}.txt").write_text(document_text(pages, marker, vocab), encoding="utf-8")


def _policykb(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "policykb.cli", "--data", str(data), *args]


def time_run(config: Config, files: Path, data: Path, workers: int) -> dict:
    """Queue `files` into the new data folder `data`, then time `workers` workers until none is waiting."""
    env = {**os.environ, "POLICYKB_EMBEDDER": config.embedder, "POLICYKB_UPLOAD_WORKER": "off"}
    subprocess.run(_policykb(data, "ingest", "--queue", str(files)), env=env, check=True, capture_output=True)
    started = time.perf_counter()
    threads = str(max(1, (os.cpu_count() or 1) // workers))  # the machine's cores shared out, as an operator would
    processes = [
        subprocess.Popen(
            _policykb(data, "worker", "--until-empty", "--threads", threads), env=env, stderr=subprocess.PIPE
        )
        for _ in range(workers)
    ]
    failures = [process.communicate()[1].decode() for process in processes if process.wait() != 0]
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"a worker failed: {failures[0][-2000:]}")
    with Store(Config(data_dir=data).db_path, readonly=True) as store:
        states = [job.state for job in store.recent_jobs(limit=100_000)]
        passages = store.count_chunks()
    return {
        "workers": workers,
        "seconds": round(seconds, 2),
        "jobs_done": states.count("done"),
        "jobs": len(states),
        "passages": passages,
        "passages_per_second": round(passages / seconds, 1),
    }


def time_ray(config: Config, files: Path, data: Path) -> dict:
    """`policykb ingest --ray local` of `files` into the new data folder `data`: a Ray cluster started on this
    machine for the run reads and embeds, the command writes."""
    env = {**os.environ, "POLICYKB_EMBEDDER": config.embedder, "RAY_USAGE_STATS_ENABLED": "0"}
    started = time.perf_counter()
    subprocess.run(
        _policykb(data, "ingest", "--quiet", "--ray", "local", str(files)), env=env, check=True, capture_output=True
    )
    seconds = time.perf_counter() - started
    with Store(Config(data_dir=data).db_path, readonly=True) as store:
        passages = store.count_chunks()
    return {
        "ray": "local",
        "seconds": round(seconds, 2),
        "passages": passages,
        "passages_per_second": round(passages / seconds, 1),
    }


def run_workers_benchmark(
    config: Config, files: int, pages: int, rounds: int, workers: int, work_dir: Path | None = None, ray: bool = False
) -> dict:
    vocab = Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(config.glossary_path))
    root = Path(tempfile.mkdtemp(prefix="policykb-workers-", dir=work_dir))
    try:
        write_files(root / "files", files, pages, vocab)
        runs = []
        for turn in range(rounds):
            for count in (1, workers):
                runs.append(time_run(config, root / "files", root / f"data-{turn}-{count}", count))
                shutil.rmtree(root / f"data-{turn}-{count}")
            if ray:
                runs.append(time_ray(config, root / "files", root / f"data-{turn}-ray"))
                shutil.rmtree(root / f"data-{turn}-ray")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    one = [run["seconds"] for run in runs if run.get("workers") == 1]
    many = [run["seconds"] for run in runs if run.get("workers") == workers]
    return {
        "benchmark": "workers",
        "embedder": config.embedder,
        "files": files,
        "pages_per_file": pages,
        "runs": runs,
        "speedup": round(sum(one) / sum(many), 2),  # how many times faster W workers ingest the set than one
        "code_revision": code_revision(),
        "machine": machine_info(),
    }
