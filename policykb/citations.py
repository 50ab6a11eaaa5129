"""How a passage is cited: "Title (9 May 2024), §Section › Subsection, p. 3", or "…, OCR text, p. 3" for scanned pages;
and, inside a legal document's article, as a lawyer would: "Điều 35 khoản 1 điểm a, Luật Tiếp cận thông tin 2016"."""

from __future__ import annotations

import re
from datetime import date as Date
from typing import Protocol


class Citable(Protocol):
    """What a short citation reads from a passage (a SearchHit, or any record with these fields)."""

    title: str
    date: str | None
    section: str
    page: int | None
    ocr: bool


def format_date(value: str | None) -> str | None:
    """ISO yyyy-mm-dd as "9 May 2024"; partial dates as they are."""
    if not value:
        return None
    try:
        parsed = Date.fromisoformat(value)
    except ValueError:
        return value
    return f"{parsed.day} {parsed.strftime('%B')} {parsed.year}"


def page_label(page: int | None, ocr: bool = False) -> str | None:
    """ "p. 3", or "OCR text, p. 3" when the passage's text was read from a scan: a reader checks it against the image."""
    if ocr:
        return f"OCR text, p. {page}" if page else "OCR text"
    return f"p. {page}" if page else None


def format_citation(hit: Citable) -> str:
    """The short form shown beside a passage: title (date), §section, page."""
    parts = [hit.title + (f" ({format_date(hit.date)})" if hit.date else "")]
    if hit.section:
        parts.append(f"§{hit.section}")
    parts.append(page_label(hit.page, hit.ocr))
    return ", ".join(filter(None, parts))


def format_full_citation(
    title: str,
    doc_numbers: list[str],
    date: str | None,
    section: str | None,
    page: int | None,
    ocr: bool = False,
    legal: str | None = None,
) -> str:
    """The footnote form: title, document number, date, section, page; or, for a passage of a legal document's article,
    its legal citation (`legal`), document number and page."""
    if legal:
        numbers = [number for number in doc_numbers[:1] if number not in legal]
        parts = [legal] + [f"No. {number}" for number in numbers] + [page_label(page, ocr)]
        return ", ".join(filter(None, parts)).rstrip(".") + "."
    parts = [title]
    if doc_numbers:
        parts.append(f"No. {doc_numbers[0]}")
    if date:
        parts.append(format_date(date))
    if section:
        parts.append(f"§{section.rstrip(':;,. ')}")
    parts.append(page_label(page, ocr))
    return ", ".join(filter(None, parts)).rstrip(".") + "."


LEGAL_TYPES = frozenset({"law", "decree", "decision", "circular", "resolution"})
_ARTICLE = re.compile(r"^(Điều|Article)\s+(\d+[a-z]?)\b")
_CLAUSE = re.compile(r"^(\d{1,3})[.)]\s")
_POINT = re.compile(r"^\(?([a-zđ])\)\s")
# "Law No. 104/2016/QH13 on Access to Information": the number after the form, when a name follows it.
_OWN_NUMBER = re.compile(
    r"^((?:Bộ luật|Luật|Nghị quyết|Nghị định|Quyết định|Thông tư|Law|Code|Resolution|Decree|Decision|Circular))"
    r"\s+(?:No\.?|số)\s*:?\s*\d[\w/.\-]*\s+(?=\S)",
    re.IGNORECASE,
)
_NAME_CHARS = 90


def legal_citation(section: str, title: str, doc_type: str, date: str | None) -> str | None:
    """How a lawyer cites a passage of a legal document, from its section path: "Điều 35 khoản 1 điểm a, Luật Tiếp cận
    thông tin 2016", or "Article 35(1)(a), Law on Access to Information 2016" in an English translation. None outside
    an article, or for a document that is not a legal instrument."""
    if doc_type not in LEGAL_TYPES or not section:
        return None
    parts = [part.strip() for part in section.split(" › ")]
    at = next((i for i, part in enumerate(parts) if _ARTICLE.match(part)), None)
    if at is None:
        return None
    word, article = _ARTICLE.match(parts[at]).groups()
    clause = _CLAUSE.match(parts[at + 1]) if at + 1 < len(parts) else None
    point = _POINT.match(parts[at + 2]) if clause and at + 2 < len(parts) else None
    if word == "Article":
        place = (
            f"Article {article}" + (f"({clause.group(1)})" if clause else "") + (f"({point.group(1)})" if point else "")
        )
    else:
        place = (
            f"Điều {article}"
            + (f" khoản {clause.group(1)}" if clause else "")
            + (f" điểm {point.group(1)}" if point else "")
        )
    return f"{place}, {legal_name(title, date)}"


def legal_name(title: str, date: str | None) -> str:
    """A legal document's name for a citation: its title without its own number, cut short, with its year unless the
    name already gives it ("Luật Tiếp cận thông tin 2016", "Nghị định 15/2020/NĐ-CP")."""
    name = _OWN_NUMBER.sub(r"\1 ", title).strip().rstrip(".")
    if len(name) > _NAME_CHARS:
        name = name[:_NAME_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:-–") + "…"
    year = date[:4] if date else None
    return f"{name} {year}" if year and year not in name else name
