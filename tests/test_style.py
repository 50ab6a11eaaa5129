"""Formatting and lint hold without review: the tree is as `ruff format` writes it and `ruff check` finds nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from policykb.config import PROJECT_ROOT


def _ruff() -> str:
    beside_python = Path(sys.executable).with_name("ruff")
    found = str(beside_python) if beside_python.exists() else shutil.which("ruff")
    assert found, "ruff is a dev dependency: pip install -e '.[dev]'"
    return found


def test_the_tree_is_formatted_by_ruff():
    result = subprocess.run([_ruff(), "format", "--check", "."], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"run `make format`:\n{result.stdout}{result.stderr}"


def test_ruff_check_finds_nothing():
    result = subprocess.run([_ruff(), "check", "."], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"{result.stdout}{result.stderr}"
