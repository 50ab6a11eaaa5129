"""Reading the section structure of cleaned text: parts glued in one file, headings and numbered sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.ingest.legal_text import capitalize_first, sentence_case
from policykb.textlines import Line, scan_lines

BREADCRUMB_SEPARATOR = " › "
_LABEL_CHARS = 80

_MARKDOWN = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")
# The units of a Vietnamese legal text, outermost first (Nghị định 30/2020/NĐ-CP): part, chapter, section, subsection,
# article; an article's clauses ("1.") and points ("a)") nest under it. English translations use the same units.
_ORDINAL = r"(?:[IVXLC]+|\d+|thứ\s+\w+)\b"
_PART = re.compile(rf"^(?:part|phần)\s+{_ORDINAL}", re.IGNORECASE)
_CHAPTER = re.compile(rf"^(?:chapter|chương)\s+{_ORDINAL}", re.IGNORECASE)
_SECTION = re.compile(r"^(?:section|mục)\s+\d+\b", re.IGNORECASE)
_SUBSECTION = re.compile(r"^(?:subsection|sub-section|tiểu mục)\s+\d+\b", re.IGNORECASE)
# Capitalised and closed by a stop, a colon or the line's end: "điều 439, 692 Bộ luật …" wrapped mid-sentence is text.
_ARTICLE = re.compile(r"^(?:Điều|ĐIỀU|Article|ARTICLE)\s+\d+[a-z]?(?=[.:]|\s*$|\s+[-–])")
_POINT = re.compile(r"^\(?[a-zđ]\)\s+\S")
_LEGAL_UNITS = (("part", _PART, 1), ("chapter", _CHAPTER, 2), ("section", _SECTION, 3), ("subsection", _SUBSECTION, 4))
ARTICLE_LEVEL = 5
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
    """A run of lines under one heading; `path` is the breadcrumb of headings above and including it, `kind` the
    heading's legal unit ("article", "clause", "point", "chapter", …) or "" for any other heading."""

    path: list[str]
    level: int = 0
    lines: list[Line] = field(default_factory=list)
    part: int = 0
    heading_only: bool = True
    kind: str = ""
    children: list[Section] = field(default_factory=list)  # an article's own section, its clauses and points


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


def numbered_level(text: str, base: int | None) -> int | None:
    """Level of a numbered heading ("4.", "4.1.", "4.1 With…"), nested under `base` (the enclosing article or legal
    unit's level) when there is one."""
    match = _NUMBERED.match(text)
    if not match:
        return None
    number, closer, first = match.groups()
    multi = "." in number
    if not closer and not (multi and first.isupper()):
        return None
    depth = number.count(".") + 1
    return (base + depth) if base is not None else 1 + depth


def legal_unit(text: str) -> tuple[str, int] | None:
    """The legal unit a heading line opens (part, chapter, section, subsection, article) and its level."""
    for kind, pattern, level in _LEGAL_UNITS:
        if pattern.match(text):
            return kind, level
    return ("article", ARTICLE_LEVEL) if _ARTICLE.match(text) else None


def legal_label(text: str, title_line: str | None = None) -> str:
    """ "CHƯƠNG IV" + "TRÁCH NHIỆM …" -> "Chương IV. Trách nhiệm …"; "Điều 1. Phạm vi" as it is."""
    text = text.strip()
    match = next((m for _, p, _ in _LEGAL_UNITS if (m := p.match(text))), None) or _ARTICLE.match(text)
    head, rest = text[: match.end()], text[match.end() :].lstrip(" .:-–")
    rest = rest or (title_line or "").strip()
    head = capitalize_first(sentence_case(head))
    return short_label(f"{head}. {sentence_case(rest)}" if rest else head)


class StructureReader:
    """Walks lines and assigns each a place in the heading tree."""

    def __init__(self, wrapped: bool, heading_hints: dict[str, int] | None = None) -> None:
        self.wrapped = wrapped  # hard-wrapped text (PDF): stricter about unnumbered headings
        self.hints = heading_hints or {}
        self.stack: list[tuple[int, str, str]] = []  # (level, label, kind)
        self.part = 0

    def _numbering_base(self) -> tuple[int | None, bool]:
        """The level numbered headings nest under, and whether that is an article (so "1." is a clause)."""
        for level, _, kind in reversed(self.stack):
            if kind == "article":
                return level, True
            if kind in ("part", "chapter", "section", "subsection"):
                return level, False
        return None, False

    def heading(self, line: Line, prev: Line | None, nxt: Line | None) -> tuple[int, str] | None:
        """The heading level and kind of a line, or None for text."""
        text = line.text.strip()
        if text in self.hints:
            return self.hints[text], "hint"
        if (md := _MARKDOWN.match(text)) is not None:
            return len(md.group(1)), "markdown"
        if (unit := legal_unit(text)) is not None:
            return unit[1], unit[0]
        if _ROMAN.match(text):
            return 1, "roman"
        base, in_article = self._numbering_base()
        if (level := numbered_level(text, base)) is not None:
            return level, "clause" if in_article and level == base + 1 else "numbered"
        if in_article and _POINT.match(text):
            return base + 2, "point"
        if in_article:
            return None  # inside an article only a legal unit opens a new place (a quoted table row is text)
        level = self.unnumbered_level(line, prev, nxt)
        return None if level is None else (level, "title" if level == 0 else "heading")

    def unnumbered_level(self, line: Line, prev: Line | None, nxt: Line | None) -> int | None:
        text = line.text.strip()
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

    def label(self, text: str, kind: str, title_line: str | None = None) -> str:
        text = text.strip()
        if kind in ("part", "chapter", "section", "subsection", "article"):
            return legal_label(text, title_line)
        md = _MARKDOWN.match(text)
        return short_label(md.group(2) if md else text)

    def title_line(self, kind: str, line: Line, nxt: Line | None) -> Line | None:
        """The next line when it is the title of a bare "CHƯƠNG I" / "Chapter I" heading."""
        if kind not in ("part", "chapter", "section", "subsection") or nxt is None:
            return None
        bare = not legal_label(line.text).partition(". ")[2]
        text = nxt.text.strip()
        if bare and nxt.blanks_before <= 1 and is_heading_like(text, max_chars=160) and legal_unit(text) is None:
            return nxt
        return None

    def read(self, lines: list[Line]) -> list[Section]:
        sections: list[Section] = []
        current = Section(path=[], part=0)
        index = 0
        while index < len(lines):
            line = lines[index]
            prev = lines[index - 1] if index else None
            nxt = lines[index + 1] if index + 1 < len(lines) else None
            found = self.heading(line, prev, nxt)
            index += 1
            if found is None:
                current.heading_only = False
                current.lines.append(line)
                continue
            if current.lines:
                sections.append(current)
            level, kind = found
            title = self.title_line(kind, line, nxt)
            self.enter(level, kind, self.label(line.text, kind, title.text if title else None), prev is not None)
            current = Section(path=self.breadcrumb(), level=level, part=self.part, kind=kind)
            current.lines.append(line)
            if title is not None:
                current.lines.append(title)
                index += 1
        if current.lines:
            sections.append(current)
        return sections

    def enter(self, level: int, kind: str, label: str, has_prev: bool) -> None:
        """Put a heading on the stack: a level-0 title starts a new part of a glued file."""
        if level == 0:
            self.part += 1 if has_prev else 0
            self.stack = [(0, label, kind)]
        else:
            self.stack = [entry for entry in self.stack if entry[0] < level]
            self.stack.append((level, label, kind))

    def breadcrumb(self) -> list[str]:
        # The first part's own title is the document's heading, not a place inside it.
        return [label for level, label, _ in self.stack if level > 0 or self.part > 0]


def read_sections(text: str, wrapped: bool = False, heading_hints: dict[str, int] | None = None) -> list[Section]:
    return StructureReader(wrapped, heading_hints).read(scan_lines(text))
