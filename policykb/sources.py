"""A document's `source` as the API and the MCP server show it: its path inside the corpus folder, or its file name
(an upload's as uploaded) — never where the server keeps it."""

from __future__ import annotations

import re
from pathlib import Path

from policykb.config import DEFAULT_CORPUS_DIR

UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-")  # what uploads of an older layout carry before their own name


def shown_source(data: dict, data_dir: Path) -> dict:
    """`data` (a document's or a hit's JSON) with its `source` as shown outside the server."""
    path = Path(data["source"])
    uploads = data_dir.resolve() / "uploads"
    if path.is_relative_to(DEFAULT_CORPUS_DIR):
        shown = path.relative_to(DEFAULT_CORPUS_DIR).as_posix()
    else:
        shown = UPLOAD_PREFIX.sub("", path.name) if path.parent == uploads else path.name
    return {**data, "source": shown}
