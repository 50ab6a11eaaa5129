"""`policykb bench zipbomb`: the peak memory of `policykb ingest` given a zip-bomb .docx, beside a normal .docx.

Both files are built in a temporary folder and ingested by the CLI in a child process of its own, into a fresh data
folder; the peak resident memory of each child comes from the kernel (`wait4`). A watchdog kills a child whose memory
passes a cap, or that still runs after a time cap, so that measuring a build without the decompression budget cannot
exhaust the machine (such a build parses the whole bomb, then cleans and chunks its text for a long time).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

_CODE_ROOT = Path(__file__).resolve().parent.parent.parent
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARAGRAPH = (
    b"<w:p><w:r><w:t>The ministry coordinates the social protection programme with the provinces "
    b"and reports its coverage every quarter.</w:t></w:r></w:p>"
)


def small_docx() -> bytes:
    """A one-paragraph Word document made by python-docx: the normal file, and the parts the bomb is built from."""
    import docx

    document = docx.Document()
    document.add_heading("Coverage report", level=1)
    document.add_paragraph("The ministry coordinates the social protection programme with the provinces.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_docx_bomb(path: Path, inflated_bytes: int) -> Path:
    """A .docx whose word/document.xml inflates to about `inflated_bytes` of well-formed paragraphs, written in
    pieces so that building it never holds the inflated text."""
    template = zipfile.ZipFile(io.BytesIO(small_docx()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in template.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item.filename, template.read(item))
                continue
            with bomb.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'.encode())
                block = _PARAGRAPH * (2**20 // len(_PARAGRAPH))
                for _ in range(max(1, inflated_bytes // len(block))):
                    part.write(block)
                part.write(b"</w:body></w:document>")
    return path


@dataclass
class IngestRun:
    """One `policykb ingest` child: its peak resident memory, exit code, time, why it was killed, last stderr line."""

    peak_mb: float
    exit_code: int
    seconds: float
    killed: str | None
    last_line: str


@dataclass(frozen=True)
class Caps:
    """Where the watchdog kills a child: resident memory in MB, seconds."""

    memory_mb: int = 4000
    seconds: float = 120.0


def _watch(pid: int, caps: Caps, stop: threading.Event, killed: list[str]) -> None:
    """Kill the child once its resident memory (read from /proc, where there is one) or its time passes its cap."""
    status, deadline = Path(f"/proc/{pid}/status"), time.monotonic() + caps.seconds
    while not stop.wait(0.05):
        try:
            rss = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError):
            rss = 0
        if rss > caps.memory_mb * 1024 or time.monotonic() > deadline:
            killed.append(f"memory over {caps.memory_mb} MB" if rss > caps.memory_mb * 1024 else f"{caps.seconds:g} s")
            os.kill(pid, 9)
            return


def ingest_in_child(file: Path, data_dir: Path, caps: Caps, env: dict[str, str] | None = None) -> IngestRun:
    """Run `policykb ingest FILE` with the fake embedder in a child process and measure it."""
    child_env = {
        **os.environ,
        "PYTHONPATH": str(_CODE_ROOT),  # the code measuring is the code measured, wherever the command runs from
        "POLICYKB_DATA": str(data_dir),
        "POLICYKB_EMBEDDER": "fake",
        **(env or {}),
    }
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "policykb.cli", "ingest", "-q", str(file)],
            env=child_env,
            cwd=data_dir.parent,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        stop, killed = threading.Event(), []
        watchdog = threading.Thread(target=_watch, args=(child.pid, caps, stop, killed), daemon=True)
        watchdog.start()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        watchdog.join()
        stderr.seek(0)
        lines = stderr.read().decode(errors="replace").strip().splitlines()
    return IngestRun(
        peak_mb=round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
        exit_code=child.returncode,
        seconds=round(time.perf_counter() - started, 2),
        killed=killed[0] if killed else None,
        last_line=next((line for line in lines if line.startswith("error:")), lines[-1] if lines else "")[:300],
    )


def run_zipbomb_benchmark(
    inflated_mb: int, caps: Caps, work_dir: Path | None = None, env: dict[str, str] | None = None
) -> dict:
    """Peak memory of ingesting a normal .docx and a bomb inflating to `inflated_mb`; the difference is what the bomb
    costs. The budget is the configured one (POLICYKB_MAX_INFLATED_MB); `env` is added to the children's."""
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="policykb-zipbomb-") as tmp:
        folder = Path(tmp)
        normal = folder / "normal.docx"
        normal.write_bytes(small_docx())
        bomb = write_docx_bomb(folder / "bomb.docx", inflated_mb * 2**20)
        with zipfile.ZipFile(bomb) as archive:
            inflated = sum(item.file_size for item in archive.infolist())
        size = bomb.stat().st_size
        normal_run = ingest_in_child(normal, folder / "data-normal", caps, env)
        bomb_run = ingest_in_child(bomb, folder / "data-bomb", caps, env)
    return {
        "bomb_file_mb": round(size / 2**20, 2),
        "bomb_inflated_mb": round(inflated / 2**20, 1),
        "normal_peak_mb": normal_run.peak_mb,
        "bomb_peak_mb": bomb_run.peak_mb,
        "extra_peak_mb": round(bomb_run.peak_mb - normal_run.peak_mb, 1),
        "bomb_refused": bomb_run.exit_code == 1 and bomb_run.last_line.startswith("error:"),
        "bomb_killed_at": bomb_run.killed,
        "bomb_seconds": bomb_run.seconds,
        "bomb_message": bomb_run.last_line,
    }
