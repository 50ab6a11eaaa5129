"""Turning passages and documents into safe HTML: query terms highlighted, the cited span marked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from policykb.index.query import STOPWORDS
from policykb.textnorm import fold, words


def _fold_same_length(text: str) -> str:
    """Case- and diacritic-folded text with the same length, so that offsets carry over."""
    return "".join(folded[:1] if len(folded := fold(ch).casefold()) >= 1 else ch for ch in text)


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
    for match in pattern.finditer(_fold_same_length(text)):
        out += [escape(text[last : match.start()]), Markup("<mark>"), escape(text[match.start() : match.end()]), Markup("</mark>")]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@dataclass
class Block:
    """A piece of the document page: one chunk's text, its first line set as a heading where it is one."""

    chunk_id: int
    depth: int
    heading: Markup | None
    html: Markup
    cited: bool


def _heading_end(text: str, start: int, end: int, section: str) -> tuple[int, int] | None:
    """Where the chunk's first line is the heading its breadcrumb ends with: (line start, line end)."""
    if not section:
        return None
    line_start = start + len(text[start:end]) - len(text[start:end].lstrip())
    line_end = text.find("\n", line_start, end)
    line_end = end if line_end == -1 else line_end
    label = section.split(" › ")[-1].removesuffix("…")
    return (line_start, line_end) if text[line_start:line_end].startswith(label) else None


def document_blocks(text: str, chunks: list[dict], mark: tuple[int, int] | None, cited_chunk: int | None) -> list[Block]:
    """The whole cleaned text as chunk blocks in order, section headings set apart, the cited span in <mark>."""
    blocks: list[Block] = []
    position = 0
    for index, chunk in enumerate(chunks):
        start = position
        end = len(text) if index == len(chunks) - 1 else chunk["end"]
        heading_span = _heading_end(text, chunk["start"], chunk["end"], chunk["section"])
        heading = None
        if heading_span is not None:
            heading = _mark_span(text, heading_span[0], heading_span[1], mark)
            body = _mark_span(text, heading_span[1], end, mark)  # the blank lines around a heading are its margins
        else:
            body = _mark_span(text, start, end, mark)
        cited = cited_chunk == chunk["id"] or (mark is not None and mark[0] < end and mark[1] > start)
        depth = chunk["section"].count(" › ") + 1 if chunk["section"] else 1
        blocks.append(Block(chunk["id"], depth, heading, Markup(body.strip("\n")), cited))
        position = end
    return blocks


def _mark_span(text: str, start: int, end: int, mark: tuple[int, int] | None) -> Markup:
    """The text from start to end, its overlap with the cited span in <mark>; the first piece is the #passage anchor."""
    if mark is None or mark[1] <= start or mark[0] >= end:
        return escape(text[start:end])
    left, right = max(mark[0], start), min(mark[1], end)
    opening = Markup('<mark class="passage" id="passage">') if left == mark[0] else Markup('<mark class="passage">')
    return Markup("").join([escape(text[start:left]), opening, escape(text[left:right]), Markup("</mark>"), escape(text[right:end])])
