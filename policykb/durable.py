"""Files that are replaced whole: written beside the target, flushed to disk, then renamed over it."""

from __future__ import annotations

import os
from pathlib import Path


def replace_durably(tmp: Path | str, target: Path) -> None:
    """Rename a fully written `tmp` over `target` so that readers see the old file or the new one, never half of
    either, and the rename itself survives a crash (the folder is flushed too)."""
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
