"""Where an upload is kept: in a folder of its own with a generated name, under the name its owner gave the file.

The owner's name is kept (a Vietnamese user names files in Vietnamese: `Nghị quyết 68.pdf`), so that the document's
title, id and download name read as the user wrote them; it is only made safe to hold on disk: the last part of any
path a browser sends, without control or format characters (a right-to-left override can disguise an extension),
without leading dots, and short enough for any file system.
"""

from __future__ import annotations

import unicodedata
import uuid
from pathlib import Path

# Bytes of UTF-8 a kept name may take: file systems allow 255, and "NAME.meta.json" must still fit beside it.
MAX_NAME_BYTES = 150
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})  # control, format, surrogate, private, unassigned
FALLBACK_STEM = "upload"


def safe_file_name(filename: str) -> str:
    """The owner's file name as it may be kept on disk: NFC, the last part of a path, only characters that mean
    something, spaces collapsed, no leading dots; its extension kept when it must be shortened."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    name = " ".join(name.split()).lstrip(". ").rstrip(" ")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.rstrip(". ") or FALLBACK_STEM
    suffix = f".{suffix}" if dot else ""
    room = MAX_NAME_BYTES - len(suffix.encode())
    if room < len(FALLBACK_STEM):  # an "extension" as long as a name: no extension policykb reads
        return _shortened(name, MAX_NAME_BYTES)
    return _shortened(stem, room).rstrip(". ") + suffix


def _shortened(text: str, most_bytes: int) -> str:
    """`text` cut to at most `most_bytes` of UTF-8, never inside a character."""
    return text.encode()[:most_bytes].decode(errors="ignore")


def new_upload_path(uploads_dir: Path, filename: str) -> Path:
    """A new folder of its own under `uploads_dir` (created), and the path of the upload in it."""
    folder = uploads_dir / uuid.uuid4().hex
    folder.mkdir(parents=True)
    return folder / safe_file_name(filename)
