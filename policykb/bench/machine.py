"""What a benchmark ran on: the machine, its load, the torch threads in use and the code's revision."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

from policykb.config import PROJECT_ROOT


def torch_threads() -> int | None:
    """Threads torch uses now, or None when torch is not loaded (the fake embedder does not need it)."""
    torch = sys.modules.get("torch")
    return torch.get_num_threads() if torch is not None else None


def _proc_field(path: str, key: str) -> str | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), None)


def code_revision() -> str | None:
    """The checkout's commit, with "+changes" when the working tree differs from it; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "policykb"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+changes" if status.strip() else "")


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load: other work on the machine slows every figure."""
    return [round(load, 2) for load in os.getloadavg()] if hasattr(os, "getloadavg") else None


def machine_info() -> dict:
    import faiss

    memory_kb = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name"),
        "memory_gb": round(int(memory_kb.split()[0]) / 2**20, 1) if memory_kb else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch_threads": torch_threads(),
        "faiss": faiss.__version__,
        "sqlite": sqlite3.sqlite_version,
        "load_average": load_average(),
    }
