"""Loopback load test of /api/search: N concurrent clients for a fixed time against `policykb serve`.

Usage:
    policykb bench load --chunks 10000 --clients 20 --seconds 30           # builds a synthetic index first
    policykb bench load --data /path/to/data --clients 20 --seconds 30     # an existing index
    policykb bench load --chunks 2000 --clients 8 --seconds 30 --signed-in # each client signed in as its own reader

Only 127.0.0.1 is ever contacted; every client stops at the deadline or after --max-requests.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from policykb.bench.signed_in import add_load_users, sign_in
from policykb.bench.synthetic import Vocabulary, benchmark_queries, write_synthetic_corpus
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import make_embedder


def _vocabulary() -> Vocabulary:
    return Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(Config.from_env().glossary_path))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_index(data: Path, chunks: int, embedder: str) -> int:
    folder = data.parent / "synthetic"
    folder.mkdir(parents=True, exist_ok=True)
    write_synthetic_corpus(folder, chunks, _vocabulary())
    config = Config.from_env(data_dir=data, embedder=embedder)
    with Indexer(config, make_embedder(embedder), progress=True) as indexer:
        report = indexer.ingest([folder])
    return report.chunks


def wait_ready(port: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not become ready")


def client(
    port: int,
    queries: list[str],
    deadline: float,
    max_requests: int,
    out: list,
    offset: int,
    headers: dict | None = None,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for n in range(max_requests):
        if time.monotonic() >= deadline:
            break
        query = queries[(offset + n) % len(queries)]
        started = time.perf_counter()
        try:
            conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": query, "k": 10}), headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            ok = response.status == 200 and json.loads(body).get("ok") is True
        except (OSError, http.client.HTTPException, ValueError):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out.append(((time.perf_counter() - started) * 1000, ok))
    conn.close()


def _run_clients(
    port: int, clients: int, seconds: float, max_requests: int, headers: list[dict] | None = None
) -> tuple[list[list], float]:
    """Each client's (ms, ok) samples and the seconds they took, the clients searching side by side until the deadline;
    `headers`: each client's own (a signed-in client's session cookie)."""
    queries = [query for _, query in benchmark_queries(200, _vocabulary())]
    results: list[list] = [[] for _ in range(clients)]
    deadline = time.monotonic() + seconds
    workers = [
        threading.Thread(
            target=client,
            args=(port, queries, deadline, max_requests, results[i], i * 7, headers[i] if headers else None),
        )
        for i in range(clients)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results, time.perf_counter() - started


def run_load_test(
    data: Path | None = None,
    chunks: int = 10000,
    embedder: str = "minilm",
    clients: int = 20,
    seconds: float = 30,
    threads: int = 4,
    max_requests: int = 100000,
    signed_in: bool = False,
) -> dict:
    """Serve `data` (or a synthetic index of `chunks` chunks) on a free loopback port and let `clients` clients search it
    for `seconds`; latencies and throughput. With `signed_in` (a synthetic index only: it adds accounts to the data
    folder), each client signs in as a reader of its own first, and searches with its session."""
    if signed_in and data:
        raise SystemExit("--signed-in adds accounts to the data folder: use it with the synthetic index, not --data")
    workdir = Path(tempfile.mkdtemp(prefix="policykb-load-"))
    built = None if data else build_index(workdir / "data", chunks, embedder)
    data = Path(data) if data else workdir / "data"
    users = add_load_users(data / "policykb.sqlite3", clients) if signed_in else []
    port = free_port()
    env = {**os.environ, "POLICYKB_DATA": str(data), "POLICYKB_EMBEDDER": embedder, "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "policykb.cli", "serve", "--port", str(port), "--threads", str(threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(port)
        headers = [sign_in(port, name, password) for name, password in users] or None
        results, elapsed = _run_clients(port, clients, seconds, max_requests, headers)
    finally:
        server.terminate()
        server.wait(timeout=30)
    samples = [sample for per_client in results for sample in per_client]
    latencies = sorted(ms for ms, _ in samples)
    quantile = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else None  # noqa: E731
    return {
        "clients": clients,
        "signed_in": signed_in,
        "seconds": round(elapsed, 1),
        "server_threads": threads,
        "chunks": built,
        "requests": len(samples),
        "errors": sum(1 for _, ok in samples if not ok),
        "throughput_rps": round(len(samples) / elapsed, 1) if elapsed else None,
        "p50_ms": round(quantile(0.50), 1) if latencies else None,
        "p95_ms": round(quantile(0.95), 1) if latencies else None,
        "p99_ms": round(quantile(0.99), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }
