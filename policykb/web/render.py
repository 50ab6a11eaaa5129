"""Turning passages and documents into safe HTML: query terms highlighted, the cited span marked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from policykb.search.query import STOPWORDS
from policykb.store import ChunkInfo
from policykb.textnorm import fold_lower_aligned, words


def term_pattern(query: str, extra_phrases: list[str] = ()) -> re.Pattern[str] | None:
    """A pattern over folded text for the query's words (loosely stemmed) and expansion phrases."""
    pieces = []
    for term in dict.fromkeys(w for w in words(query) if w not in STOPWORDS):
        stem = term[: max(4, len(term) - 2)] if len(term) > 4 else term
        pieces.append(re.escape(stem) + (r"\w*" if len(term) > 4 else ""))
    pieces += [r"\W+".join(map(re.escape, words(phrase))) for phrase in extra_phrases if words(phrase)]
    if not pieces:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(pieces, key=len, reverse=True)) + r")(?!\w)")


def highlight(text: str, pattern: re.Pattern[str] | None) -> Markup:
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(fold_lower_aligned(text)):
        out += [
            escape(text[last : match.start()]),
            Markup("<mark>"),
            escape(text[match.start() : match.end()]),
            Markup("</mark>"),
        ]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@dataclass
class Block:
    """A piece of the document page: one chunk's text, its leading heading lines set apart.

    Each heading and the body render text[start:end] exactly; their start offsets go to the page as data-start, so that
    a selection there maps back to offsets into the document's cleaned text.
    """

    chunk_id: int
    depth: int
    headings: list[tuple[int, Markup]]
    body_start: int
    html: Markup
    cited: bool


def _heading_lines(text: str, start: int, end: int, section: str) -> list[tuple[int, int]]:
    """Spans of the chunk's leading lines that are headings of its breadcrumb (a part title, "4.", "4.1.")."""
    labels = [label.removesuffix("…") for label in section.split(" › ")] if section else []
    spans: list[tuple[int, int]] = []
    position = start
    while labels and position < end:
        line_start = position + len(text[position:end]) - len(text[position:end].lstrip())
        line_end = text.find("\n", line_start, end)
        line_end = end if line_end == -1 else line_end
        if line_start >= end or not any(text[line_start:line_end].startswith(label) for label in labels):
            break
        spans.append((line_start, line_end))
        position = line_end
    return spans


def document_blocks(
    text: str, chunks: list[ChunkInfo], mark: tuple[int, int] | None, cited_chunk: int | None
) -> list[Block]:
    """The whole cleaned text as chunk blocks in order, section headings set apart, the cited span in <mark>."""
    blocks: list[Block] = []
    position = 0
    for index, chunk in enumerate(chunks):
        start = position
        end = len(text) if index == len(chunks) - 1 else chunk.end
        heading_spans = _heading_lines(text, chunk.start, chunk.end, chunk.section)
        headings = [(left, _mark_span(text, left, right, mark)) for left, right in heading_spans]
        # Blank lines around headings and between chunks are margins on the page, not text to mark.
        body_start = heading_spans[-1][1] if heading_spans else start
        while body_start < end and text[body_start] == "\n":
            body_start += 1
        body = _mark_span(text, body_start, end, mark)
        cited = cited_chunk == chunk.id or (mark is not None and mark[0] < end and mark[1] > start)
        depth = chunk.section.count(" › ") + 1 if chunk.section else 1
        blocks.append(Block(chunk.id, depth, headings, body_start, body, cited))
        position = end
    return blocks


def _mark_span(text: str, start: int, end: int, mark: tuple[int, int] | None) -> Markup:
    """The text from start to end, its overlap with the cited span in <mark>; the first piece is the #passage anchor."""
    if mark is None or mark[1] <= start or mark[0] >= end:
        return escape(text[start:end])
    left, right = max(mark[0], start), min(mark[1], end)
    opening = Markup('<mark class="passage" id="passage">') if left == mark[0] else Markup('<mark class="passage">')
    return Markup("").join(
        [escape(text[start:left]), opening, escape(text[left:right]), Markup("</mark>"), escape(text[right:end])]
    )
