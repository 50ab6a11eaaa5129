"""Structure-aware chunking: sections into passages of bounded size with breadcrumbs and exact offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.ingest.structure import BREADCRUMB_SEPARATOR, Section, read_sections
from policykb.models import Chunk
from policykb.textlines import Line, page_of

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“'(\[]?[A-ZÀ-ỸĐ0-9])")
_MIN_CHUNK_CHARS = 300


@dataclass(slots=True)
class Span:
    start: int
    end: int


def _split_long(line: Line, max_chars: int, target: int) -> list[Span]:
    """Split one over-long line at sentence ends, then at spaces, into spans of at most max_chars."""
    starts = [line.start] + [line.start + m.end() for m in _SENTENCE_END.finditer(line.text)]
    ends = [line.start + m.start() for m in _SENTENCE_END.finditer(line.text)] + [line.end]
    pieces: list[Span] = []
    for start, end in zip(starts, ends):
        while end - start > max_chars:
            window = line.text[start - line.start : start - line.start + max_chars]
            split = window.rfind(" ")
            split = split if split > max_chars // 2 else max_chars
            pieces.append(Span(start, start + split))
            start += split + (1 if window[split : split + 1] == " " else 0)
        pieces.append(Span(start, end))
    merged: list[Span] = []
    for piece in pieces:
        if merged and piece.end - merged[-1].start <= target:
            merged[-1].end = piece.end
        else:
            merged.append(Span(piece.start, piece.end))
    return merged


def _pack(spans: list[Span], target: int, max_chars: int) -> list[Span]:
    """Greedily join consecutive spans up to the target size (up to max_chars to avoid a tiny chunk)."""
    chunks: list[Span] = []
    for span in spans:
        if chunks:
            size = span.end - chunks[-1].start
            small = chunks[-1].end - chunks[-1].start < _MIN_CHUNK_CHARS
            if size <= target or (small and size <= max_chars):
                chunks[-1].end = span.end
                continue
        chunks.append(Span(span.start, span.end))
    if (
        len(chunks) > 1
        and chunks[-1].end - chunks[-1].start < _MIN_CHUNK_CHARS
        and chunks[-1].end - chunks[-2].start <= max_chars
    ):
        last = chunks.pop()
        chunks[-1].end = last.end
    return chunks


def _section_spans(lines: list[Line], target: int, max_chars: int) -> list[Span]:
    spans: list[Span] = []
    for line in lines:
        if line.end - line.start > max_chars:
            spans.extend(_split_long(line, max_chars, target))
        else:
            spans.append(Span(line.start, line.end))
    return _pack(spans, target, max_chars)


def _merge_heading_only(sections: list[Section]) -> list[Section]:
    """Carry a section that is only its heading into the next section when that one is its child."""
    merged: list[Section] = []
    carry: Section | None = None
    for section in sections:
        if carry is not None and carry.part == section.part and section.level > carry.level:
            section.lines = carry.lines + section.lines
        elif carry is not None:
            merged.append(carry)
        carry = None
        if section.heading_only:
            carry = section
        else:
            merged.append(section)
    if carry is not None:
        merged.append(carry)
    return merged


def chunk_text(
    text: str,
    page_starts: list[int],
    *,
    target_chars: int = 900,
    max_chars: int = 1500,
    wrapped: bool = False,
    heading_hints: dict[str, int] | None = None,
) -> list[Chunk]:
    """Chunk cleaned text: chunks never cross sections or parts, and `text[start:end]` is each chunk."""
    chunks: list[Chunk] = []
    for section in _merge_heading_only(read_sections(text, wrapped, heading_hints)):
        breadcrumb = BREADCRUMB_SEPARATOR.join(section.path)
        for span in _section_spans(section.lines, target_chars, max_chars):
            chunks.append(
                Chunk(
                    start=span.start,
                    end=span.end,
                    text=text[span.start : span.end],
                    section=breadcrumb,
                    page=page_of(span.start, page_starts),
                    page_end=page_of(max(span.start, span.end - 1), page_starts),
                    ordinal=len(chunks),
                )
            )
    return chunks
