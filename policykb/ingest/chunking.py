"""Structure-aware chunking: sections into passages of bounded size with breadcrumbs and exact offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.ingest.structure import ARTICLE_LEVEL, BREADCRUMB_SEPARATOR, Section, StructureReader
from policykb.models import Chunk
from policykb.textlines import Line, page_of, scan_lines

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“'(\[]?[A-ZÀ-ỸĐ0-9])")
_MIN_CHUNK_CHARS = 300


@dataclass(slots=True)
class Span:
    start: int
    end: int
    path: list[str] | None = None  # the breadcrumb where the span starts, inside an article


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
        chunks.append(Span(span.start, span.end, span.path))
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
            if section.children:
                section.children[0].lines = carry.lines + section.children[0].lines
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


def _group_articles(sections: list[Section]) -> list[Section]:
    """Each article with its clauses and points as one section whose `children` are theirs, so that a passage never
    holds two articles and an article is split only where a clause (or, in a long clause, a point) starts."""
    out: list[Section] = []
    for section in sections:
        inside = out and out[-1].kind == "article" and out[-1].part == section.part and section.level > ARTICLE_LEVEL
        if inside and out[-1].children:
            out[-1].children.append(section)
            out[-1].lines = out[-1].lines + section.lines
            out[-1].heading_only = False
        elif section.kind == "article":
            group = Section(section.path, section.level, list(section.lines), section.part, section.heading_only)
            group.kind, group.children = "article", [section]
            out.append(group)
        else:
            out.append(section)
    return out


def _clause_units(children: list[Section]) -> list[list[Section]]:
    """The article's sections in units that start at each clause: its lead-in first, each clause with its points."""
    units: list[list[Section]] = []
    for section in children:
        if not units or section.level <= ARTICLE_LEVEL + 1:
            units.append([section])
        else:
            units[-1].append(section)
    return units


def _article_pieces(children: list[Section], target: int, max_chars: int) -> list[Span]:
    """Pieces to pack: a clause whole when it fits in max_chars, else its points, else its lines and sentences."""
    pieces: list[Span] = []
    for unit in _clause_units(children):
        start, end = unit[0].lines[0].start, unit[-1].lines[-1].end
        if end - start <= max_chars:
            pieces.append(Span(start, end, unit[0].path))
            continue
        for section in unit:
            pieces += [Span(s.start, s.end, section.path) for s in _section_spans(section.lines, target, max_chars)]
    return pieces


def _article_spans(group: Section, target: int, max_chars: int) -> list[Span]:
    """An article's passages, each with the path of the clause (and point) it starts in; an article in one passage
    has the article's own path."""
    pieces = _article_pieces(group.children, target, max_chars)
    spans = _pack(pieces, target, max_chars)
    if len(spans) == 1:
        return [Span(spans[0].start, spans[0].end, group.path)]
    for span in spans:
        inner = [p for p in pieces if span.start <= p.start < span.end and p.path != group.path]
        if span.path == group.path and inner:
            span.path = inner[0].path  # the lead-in of the first clause
    return spans


def _runs(text: str, skip: list[tuple[int, int]]) -> list[list[Line]]:
    """The text's lines in runs between skipped spans."""
    runs: list[list[Line]] = [[]]
    for line in scan_lines(text):
        if any(a <= line.start < b for a, b in skip):
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(line)
    return [run for run in runs if run]


def _sections(
    text: str, wrapped: bool, heading_hints: dict[str, int] | None, skip: list[tuple[int, int]]
) -> list[Section]:
    """Sections, articles grouped; what follows a skipped block (a signature, then an annex) is a new part."""
    reader = StructureReader(wrapped, heading_hints)
    sections: list[Section] = []
    for number, run in enumerate(_runs(text, skip)):
        if number:
            reader.stack, reader.part = [], reader.part + 1
        sections += reader.read(run)
    return _group_articles(sections)


def chunk_text(
    text: str,
    page_starts: list[int],
    *,
    target_chars: int = 900,
    max_chars: int = 1500,
    wrapped: bool = False,
    heading_hints: dict[str, int] | None = None,
    skip: list[tuple[int, int]] | None = None,
) -> list[Chunk]:
    """Chunk cleaned text: chunks never cross sections, parts or articles, and `text[start:end]` is each chunk.
    Lines starting inside a `skip` span (a legal document's header, signature and recipients) are left out."""
    chunks: list[Chunk] = []
    for section in _merge_heading_only(_sections(text, wrapped, heading_hints, skip or [])):
        if section.children:
            spans = _article_spans(section, target_chars, max_chars)
        else:
            spans = _section_spans(section.lines, target_chars, max_chars)
        for span in spans:
            chunks.append(
                Chunk(
                    start=span.start,
                    end=span.end,
                    text=text[span.start : span.end],
                    section=BREADCRUMB_SEPARATOR.join(span.path or section.path),
                    page=page_of(span.start, page_starts),
                    page_end=page_of(max(span.start, span.end - 1), page_starts),
                    ordinal=len(chunks),
                )
            )
    return chunks
