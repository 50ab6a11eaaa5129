"""Loopback load test of /api/search: N concurrent clients for a fixed time against `policykb serve`.

Usage:
    python -m policykb.bench.loadtest --chunks 10000 --clients 20 --seconds 30           # builds a synthetic index first
    python -m policykb.bench.loadtest --data /path/to/data --clients 20 --seconds 30     # an existing index

Only 127.0.0.1 is ever contacted; every client stops at the deadline or after --max-requests.
"""

from __future__ import annotations

import argparse
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

from policykb.bench.throughput import Vocabulary, benchmark_queries, write_synthetic_corpus
from policykb.config import Config, DEFAULT_CORPUS_DIR, PROJECT_ROOT
from policykb.glossary import load_glossary
from policykb.search.embedder import make_embedder
from policykb.ingest.indexer import Indexer


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


def client(port: int, queries: list[str], deadline: float, max_requests: int, out: list, offset: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for n in range(max_requests):
        if time.monotonic() >= deadline:
            break
        query = queries[(offset + n) % len(queries)]
        started = time.perf_counter()
        try:
            conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": query, "k": 10}))
            response = conn.getresponse()
            body = response.read()
            ok = response.status == 200 and json.loads(body).get("ok") is True
        except (OSError, http.client.HTTPException, ValueError):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out.append(((time.perf_counter() - started) * 1000, ok))
    conn.close()


def run(args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="policykb-load-"))
    data = Path(args.data) if args.data else workdir / "data"
    chunks = None if args.data else build_index(data, args.chunks, args.embedder)
    port = free_port()
    env = {**os.environ, "POLICYKB_DATA": str(data), "POLICYKB_EMBEDDER": args.embedder, "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "policykb.cli", "serve", "--port", str(port), "--threads", str(args.threads)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port)
        queries = [query for _, query in benchmark_queries(200, _vocabulary())]
        results: list[list] = [[] for _ in range(args.clients)]
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(port, queries, deadline, args.max_requests, results[i], i * 7))
                   for i in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    samples = [sample for per_client in results for sample in per_client]
    latencies = sorted(ms for ms, _ in samples)
    quantile = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else None  # noqa: E731
    return {
        "clients": args.clients, "seconds": round(elapsed, 1), "server_threads": args.threads, "chunks": chunks,
        "requests": len(samples), "errors": sum(1 for _, ok in samples if not ok),
        "throughput_rps": round(len(samples) / elapsed, 1) if elapsed else None,
        "p50_ms": round(quantile(0.50), 1) if latencies else None, "p95_ms": round(quantile(0.95), 1) if latencies else None,
        "p99_ms": round(quantile(0.99), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="an existing data folder to serve (default: build a synthetic index)")
    parser.add_argument("--chunks", type=int, default=10000, help="size of the synthetic index to build")
    parser.add_argument("--embedder", default=os.environ.get("POLICYKB_EMBEDDER", "minilm"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads")
    parser.add_argument("--max-requests", type=int, default=100000, help="per client, a bound besides the time")
    print(json.dumps(run(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
