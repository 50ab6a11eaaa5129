"""How a passage is cited: "Title (9 May 2024), §Section › Subsection, p. 3"."""

from __future__ import annotations

from datetime import date as Date

from policykb.models import SearchHit


def format_date(value: str | None) -> str | None:
    """ISO yyyy-mm-dd as "9 May 2024"; partial dates as they are."""
    if not value:
        return None
    try:
        parsed = Date.fromisoformat(value)
    except ValueError:
        return value
    return f"{parsed.day} {parsed.strftime('%B')} {parsed.year}"


def format_citation(hit: SearchHit) -> str:
    parts = [hit.title + (f" ({format_date(hit.date)})" if hit.date else "")]
    if hit.section:
        parts.append(f"§{hit.section}")
    if hit.page:
        parts.append(f"p. {hit.page}")
    return ", ".join(parts)


def format_full_citation(title: str, doc_numbers: list[str], date: str | None, section: str | None, page: int | None) -> str:
    """The footnote form: title, document number, date, section, page."""
    parts = [title]
    if doc_numbers:
        parts.append(f"No. {doc_numbers[0]}")
    if date:
        parts.append(format_date(date))
    if section:
        parts.append(f"§{section.rstrip(':;,. ')}")
    if page:
        parts.append(f"p. {page}")
    return ", ".join(parts).rstrip(".") + "."
