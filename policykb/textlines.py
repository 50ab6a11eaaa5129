"""Lines and pages of a cleaned text, by offset: shared by ingest (structure, chunking, metadata) and owner extraction."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(slots=True)
class Line:
    """A non-blank line: `text == document.text[start:end]`, after `blanks_before` blank lines."""

    start: int
    end: int
    text: str
    blanks_before: int


def scan_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    offset, blanks = 0, 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append(Line(offset, offset + len(raw), raw, blanks))
            blanks = 0
        else:
            blanks += 1
        offset += len(raw) + 1
    return lines


def page_of(offset: int, page_starts: list[int]) -> int | None:
    """The page (from 1) holding `offset`, or None for a text without pages."""
    if not page_starts:
        return None
    return bisect.bisect_right(page_starts, offset)
