"""How a passage is cited: "Title (9 May 2024), §Section › Subsection, p. 3", or "…, OCR text, p. 3" for scanned pages."""

from __future__ import annotations

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
    title: str, doc_numbers: list[str], date: str | None, section: str | None, page: int | None, ocr: bool = False
) -> str:
    """The footnote form: title, document number, date, section, page."""
    parts = [title]
    if doc_numbers:
        parts.append(f"No. {doc_numbers[0]}")
    if date:
        parts.append(format_date(date))
    if section:
        parts.append(f"§{section.rstrip(':;,. ')}")
    parts.append(page_label(page, ocr))
    return ", ".join(filter(None, parts)).rstrip(".") + "."
