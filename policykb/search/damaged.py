"""Derived files (the FAISS vectors, the term matrix) that cannot be read: set aside under a new name, said once.

Everything in them can be rebuilt from the SQLite store, so an unreadable one must never stop a command: it is renamed
to `NAME.damaged-<UTC time>` (kept for whoever wants to look at it, never read again) and the caller rebuilds it or
does without it. The rename is what makes the warning appear once: the next open finds no file to complain about.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

MARK = ".damaged-"
_SAID: set[str] = set()  # what this process has warned about already


def set_aside(path: Path, problem: str, then: str = "rebuilt from the store") -> Path | None:
    """Rename the unusable `path` (a file or a folder) beside itself and log one line naming it, the problem and what
    happens next; the new name, or None when another process set it aside first or it cannot be renamed."""
    aside = _free_name(path)
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return None
    except OSError as error:
        warn_once(str(path), f"{path}: {problem}; it could not be set aside ({error}), so it is {then} in memory")
        return None
    log.warning("%s: %s; set aside as %s and %s", path, problem, aside.name, then)
    return aside


def warn_once(key: str, message: str) -> None:
    """Log `message` the first time this process meets `key` (a file it cannot rename or use, looked at again and
    again by a long-running server)."""
    if key not in _SAID:
        _SAID.add(key)
        log.warning("%s", message)


def _free_name(path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside, number = path.with_name(f"{path.name}{MARK}{stamp}"), 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}{MARK}{stamp}-{number}")
    return aside


def set_aside_files(data_dir: Path) -> list[Path]:
    """The derived files of `data_dir` set aside so far, oldest name first."""
    return sorted(data_dir.glob(f"*{MARK}*")) if data_dir.is_dir() else []
