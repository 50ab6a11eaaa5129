"""policykb commands run as real processes on a data folder (fake embedder): servers on free loopback ports, workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from policykb.config import Config

TOKEN = "s3cret-token"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def policykb(config: Config, *args: str, **env: str) -> subprocess.Popen:
    """`policykb --data DATA ARGS…` in a process of its own, stderr piped; `env` on top of the test's environment."""
    full_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "POLICYKB_EMBEDDER": "fake",
        "POLICYKB_ADMIN_TOKEN": TOKEN,
        "POLICYKB_JOB_LEASE": "5",  # the shortest lease: a killed process's job is taken again 5 s after its last beat
        **env,
    }
    command = [sys.executable, "-m", "policykb.cli", "--data", str(config.data_dir), *args]
    return subprocess.Popen(command, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def serve(config: Config, port: int, **env: str) -> subprocess.Popen:
    """`policykb serve` on `port`, once it answers /api/health."""
    server = policykb(config, "serve", "--port", str(port), **env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError(f"the server did not start: {server.stderr.read().decode()}")
