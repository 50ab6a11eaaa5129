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
    _fsync_folder(target.parent)


def replace_folder_durably(tmp: Path, target: Path) -> None:
    """replace_durably for a fully written folder of files (and folders of files) that takes the place of a missing
    `target`."""
    _fsync_tree(tmp)
    os.replace(tmp, target)
    _fsync_folder(target.parent)


def _fsync_tree(folder: Path) -> None:
    for entry in folder.iterdir():
        if entry.is_dir():
            _fsync_tree(entry)
        else:
            with open(entry, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_folder(folder)


def _fsync_folder(path: Path) -> None:
    folder = os.open(path, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
