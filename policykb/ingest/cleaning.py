"""Cleaning raw text: Unicode normalisation, site boilerplate, duplicate paragraphs, glued headings."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Lines that are site furniture, not content. Matched against the whole stripped line, case-insensitively.
_BOILERPLATE = re.compile(
    r"""^(?:
        follow\s+us(?:\s+on)?:?
      | (?:print|email|e-mail|share|tweet|like|pin\s+it|save)(?:\s*[|/·•]?\s*(?:print|email|e-mail|share|tweet|like|pdf))*
      | share\s+(?:this|on)(?:\s+\w+)?:?
      | back\s+to\s+top | scroll\s+to\s+top | skip\s+to\s+(?:main\s+)?content
      | read\s+more\.*|see\s+more\.*|xem\s+thêm\.*
      | (?:copyright\s*)?©.{0,120} | copyright\s+\d{4}.{0,120} | all\s+rights\s+reserved\.?
      | subscribe(?:\s+to\s+(?:our\s+)?newsletter)?\.? | sign\s+up\s+for\s+(?:our\s+)?newsletter\.?
      | print\s+this\s+page | font\s+size:?.{0,20} | text\s+size:?.{0,20}
      | (?:facebook|twitter|linkedin|youtube|instagram)(?:\s*[|/·•]?\s*(?:facebook|twitter|x|linkedin|youtube|instagram))*
      | (?:last\s+(?:modified|updated)|page\s+last\s+updated|letzte\s+änderung|stand|dernière\s+mise\s+à\s+jour
         |cập\s+nhật(?:\s+lần\s+cuối)?|ngày\s+cập\s+nhật)\s*:?\s*[\d./\-\s]{6,12}(?:\s*\d{1,2}:\d{2})?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# "…Social Assistance ReformOutcome achieved": a short heading glued to the end of a sentence.
_GLUED_HEADING = re.compile(r"\b([A-Z][a-z]{2,})([A-Z][a-z]{2,}(?: [a-z]+){0,3})$")
_MIN_DUPLICATE_CHARS = 60
# A numbered clause or lettered point repeats legitimately: laws give several bodies the same duty word for word
# ("1. Ban hành theo thẩm quyền …" under Điều 47, 48 and 49). Only unnumbered paragraphs are dropped as repeats.
_ENUMERATED = re.compile(r"^(?:\d{1,3}\.|[^\W\d_]\)|\([a-z0-9]{1,3}\))\s")
_MAX_BLANK_RUN = 3


@dataclass(slots=True)
class CleanText:
    text: str
    page_starts: list[int]  # offset where page i+1 begins in `text`


def normalize_line(line: str) -> str:
    return _SPACES.sub(" ", line.translate(_INVISIBLE)).strip()


def is_boilerplate(line: str) -> bool:
    return bool(line) and len(line) <= 160 and bool(_BOILERPLATE.match(line))


def split_glued_heading(line: str) -> list[str]:
    """Split a short heading off the end of a sentence it was glued to, when that is unambiguous."""
    if len(line.split()) < 6:
        return [line]
    match = _GLUED_HEADING.search(line)
    if match is None:
        return [line]
    return [line[: match.start(2)], match.group(2)]


def _duplicate_key(line: str) -> str:
    return line.casefold()


def _clean_page(raw: str, seen: set[str]) -> list[str]:
    """Clean one page's lines; blank lines mark paragraph breaks, runs of them kept up to a limit."""
    raw = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n"))
    out: list[str] = []
    pending_blanks = 0
    for raw_line in raw.split("\n"):
        line = normalize_line(raw_line)
        if not line:
            pending_blanks += 1
            continue
        if is_boilerplate(line):
            continue  # the blanks around it merge instead of adding up
        if len(line) >= _MIN_DUPLICATE_CHARS and not _ENUMERATED.match(line):
            key = _duplicate_key(line)
            if key in seen:
                continue
            seen.add(key)
        if out:
            out.extend([""] * min(pending_blanks, _MAX_BLANK_RUN))
        pending_blanks = 0
        out.extend(split_glued_heading(line))
    return out


def clean_pages(pages: list[str]) -> CleanText:
    """Clean every page and join them, recording where each page starts in the cleaned text."""
    seen: set[str] = set()
    text_parts: list[str] = []
    page_starts: list[int] = []
    offset = 0
    for raw in pages:
        page_text = "\n".join(_clean_page(raw, seen))
        if text_parts:
            text_parts.append("\n\n")
            offset += 2
        page_starts.append(offset)
        text_parts.append(page_text)
        offset += len(page_text)
    return CleanText(text="".join(text_parts), page_starts=page_starts)
