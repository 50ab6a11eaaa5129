"""Reading the section structure of cleaned text: parts glued in one file, headings and numbered sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.textlines import Line, scan_lines

BREADCRUMB_SEPARATOR = " › "
_LABEL_CHARS = 80

_MARKDOWN = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")
_CHAPTER = re.compile(r"^(?:chapter|chương|part|phần)\s+(?:[IVXLC]+|\d+)\b", re.IGNORECASE)
_SECTION = re.compile(r"^(?:section|mục)\s+\d+\b", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:article|điều)\s+\d+[a-z]?\b", re.IGNORECASE)
_ROMAN = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})\.\s+\S")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(\.|\))?\s+(\S)")
_LIST_ITEM = re.compile(r"^[-–•*+·▪►]\s*")
_DATE_LINE = re.compile(
    r"^(?:\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+\d{4}"
    r"|[A-Z][a-z]+\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2}(?:\s*[AP]M)?)?)$"
)
_TERMINAL = (".", ",", ";", "!", "?", ":")


@dataclass(slots=True)
class Section:
    """A run of lines under one heading; `path` is the breadcrumb of headings above and including it."""

    path: list[str]
    level: int = 0
    lines: list[Line] = field(default_factory=list)
    part: int = 0
    heading_only: bool = True


def short_label(text: str, limit: int = _LABEL_CHARS) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + "…"


def _digit_share(text: str) -> float:
    return sum(ch.isdigit() for ch in text) / max(1, len(text))


def is_heading_like(text: str, max_chars: int = 100) -> bool:
    """A short, capitalised line with no closing punctuation: a title or an unnumbered heading."""
    return (
        3 <= len(text) <= max_chars
        and text[0].isupper()
        and not text.endswith(_TERMINAL)
        and len(text.split()) <= (28 if max_chars > 100 else 14)
        and not _LIST_ITEM.match(text)
        and _digit_share(text) < 0.2
    )


def numbered_level(text: str, article_depth: int | None) -> int | None:
    """Level of a numbered heading ("4.", "4.1.", "4.1 With…"), nested under an article when inside one."""
    match = _NUMBERED.match(text)
    if not match:
        return None
    number, closer, first = match.groups()
    multi = "." in number
    if not closer and not (multi and first.isupper()):
        return None
    depth = number.count(".") + 1
    return (article_depth + depth) if article_depth is not None else 1 + depth


class StructureReader:
    """Walks lines and assigns each a place in the heading tree."""

    def __init__(self, wrapped: bool, heading_hints: dict[str, int] | None = None) -> None:
        self.wrapped = wrapped  # hard-wrapped text (PDF): stricter about unnumbered headings
        self.hints = heading_hints or {}
        self.stack: list[tuple[int, str]] = []
        self.part = 0

    def _article_depth(self) -> int | None:
        return next((level for level, label in reversed(self.stack) if _ARTICLE.match(label)), None)

    def heading_level(self, line: Line, prev: Line | None, nxt: Line | None) -> int | None:
        text = line.text.strip()
        if text in self.hints:
            return self.hints[text]
        if (md := _MARKDOWN.match(text)) is not None:
            return len(md.group(1))
        if _CHAPTER.match(text) or _ROMAN.match(text):
            return 1
        if _SECTION.match(text):
            return 2
        if _ARTICLE.match(text):
            return 3
        level = numbered_level(text, self._article_depth())
        if level is not None:
            return level
        if prev is None or line.blanks_before >= 2:
            if _DATE_LINE.match(text) or is_heading_like(text, max_chars=160):
                return 0
        if not is_heading_like(text) or nxt is None:
            return None
        # A run of short lines (an address, a signature, a list of names) is text, not a chain of headings.
        if (nxt.blanks_before == 0 and is_heading_like(nxt.text.strip())) or (
            prev is not None and line.blanks_before == 0 and is_heading_like(prev.text.strip())
        ):
            return None
        if self.wrapped:
            after_break = line.blanks_before > 0 or prev.text.rstrip().endswith((".", ":", ";", "!", "?", ")"))
            if not after_break or not (nxt.text[0].isupper() or nxt.text[0].isdigit()):
                return None
        return 1

    def label(self, text: str) -> str:
        text = text.strip()
        md = _MARKDOWN.match(text)
        return short_label(md.group(2) if md else text)

    def read(self, lines: list[Line]) -> list[Section]:
        sections: list[Section] = []
        current = Section(path=[], part=0)
        for index, line in enumerate(lines):
            prev = lines[index - 1] if index else None
            nxt = lines[index + 1] if index + 1 < len(lines) else None
            level = self.heading_level(line, prev, nxt)
            if level is not None:
                if current.lines:
                    sections.append(current)
                if level == 0:
                    self.part += 1 if prev is not None else 0
                    self.stack = [(0, self.label(line.text))]
                else:
                    self.stack = [entry for entry in self.stack if entry[0] < level]
                    self.stack.append((level, self.label(line.text)))
                current = Section(path=self.breadcrumb(), level=level, part=self.part)
                current.lines.append(line)
                continue
            current.heading_only = False
            current.lines.append(line)
        if current.lines:
            sections.append(current)
        return sections

    def breadcrumb(self) -> list[str]:
        # The first part's own title is the document's heading, not a place inside it.
        return [label for level, label in self.stack if level > 0 or self.part > 0]


def read_sections(text: str, wrapped: bool = False, heading_hints: dict[str, int] | None = None) -> list[Section]:
    return StructureReader(wrapped, heading_hints).read(scan_lines(text))
