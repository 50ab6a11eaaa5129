"""Exporting a brief: DOCX with numbered endnotes, Markdown with [^n] footnotes, CSV; every quote re-checked first."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

from policykb.briefs.model import Brief, BriefItem
from policykb.citations import format_full_citation, legal_citation
from policykb.errors import BadQueryError, PolicyKBError
from policykb.store import AssignmentRow, Store

FORMATS = ("docx", "md", "csv")
CSV_COLUMNS = (
    "position",
    "heading",
    "quote",
    "note",
    "title",
    "doc_numbers",
    "date",
    "section",
    "page",
    "doc_id",
    "start",
    "end",
    "status",
    "ocr",
)


class StaleBriefError(PolicyKBError):
    """A pinned passage no longer matches its source: exporting it would misquote."""

    status = 409


def check_sources(brief: Brief) -> None:
    problems = brief.problems
    if problems:
        lines = "; ".join(
            f"item {item.id} ({item.title}, chars {item.start}–{item.end}): {item.status}" for item in problems
        )
        raise StaleBriefError(
            f"brief {brief.id} quotes text that no longer matches its source — {lines}. "
            "Re-pin or remove these items (brief page, or `policykb brief show`), then export again"
        )


def citation(item: BriefItem) -> str:
    # A document mentions many numbers; only one its title carries is its own.
    title = item.title or item.doc_id or ""
    own = [number for number in item.doc_numbers if number.casefold() in title.casefold()]
    legal = legal_citation(item.section or "", title, item.doc_type or "", item.date)
    return format_full_citation(title, own, item.date, item.section, item.page, item.ocr, legal=legal)


def _sections(brief: Brief) -> list[tuple[str | None, list[BriefItem]]]:
    """Passages grouped under the heading items that precede them."""
    groups: list[tuple[str | None, list[BriefItem]]] = [(None, [])]
    for item in brief.items:
        if item.kind == "heading":
            groups.append((item.heading, []))
        else:
            groups[-1][1].append(item)
    return [group for group in groups if group[0] is not None or group[1]]


def owner_rows(brief: Brief, store: Store) -> list[AssignmentRow]:
    """Task assignments stated inside the brief's passages, for the owners table."""
    rows: list[AssignmentRow] = []
    for item in brief.items:
        if item.kind == "passage":
            rows += store.assignments_overlapping(item.doc_id, item.start, item.end)
    return list({(row.doc_id, row.start): row for row in rows}.values())


def to_markdown(brief: Brief, store: Store) -> str:
    check_sources(brief)
    out = [f"# {brief.title}", ""]
    if brief.intro:
        out += [brief.intro, ""]
    notes: list[str] = []
    for heading, items in _sections(brief):
        if heading:
            out += [f"## {heading}", ""]
        for item in items:
            notes.append(citation(item))
            quote = "\n".join(f"> {line}" if line else ">" for line in item.quote.splitlines())
            out += [f"{quote}[^{len(notes)}]", ""]
            if item.note:
                out += [item.note, ""]
    owners = owner_rows(brief, store)
    if owners:
        out += ["## Who owns what", "", "| Task | Lead | Coordinating | Deadline |", "| --- | --- | --- | --- |"]
        out += [
            f"| {_cell(r.task)} | {r.lead} | {', '.join(r.coordinating) or '—'} | {r.deadline or '—'} |" for r in owners
        ]
        out.append("")
    out += [f"[^{n}]: {note}" for n, note in enumerate(notes, 1)]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def to_csv(brief: Brief) -> str:
    check_sources(brief)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    heading = ""
    for position, item in enumerate(brief.items, 1):
        if item.kind == "heading":
            heading = item.heading or ""
            continue
        writer.writerow(
            [
                position,
                heading,
                item.quote,
                item.note,
                item.title,
                "; ".join(item.doc_numbers),
                item.date or "",
                item.section or "",
                item.page or "",
                item.doc_id,
                item.start,
                item.end,
                item.status,
                "yes" if item.ocr else "",
            ]
        )
    return out.getvalue()


# What XML 1.0 cannot hold (control characters but tab and line ends, lone surrogates, U+FFFE and U+FFFF): a Word
# document refuses the whole text, so these go from what the document is given.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_IN_XML.sub("", text)


def _without_xml_breakers(record):
    """A copy of a brief or item whose strings XML can hold."""
    strings = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    return dataclasses.replace(record, **{name: _xml_text(v) for name, v in strings.items() if isinstance(v, str)})


def to_docx(brief: Brief, store: Store) -> bytes:
    """A Word document: title, intro, headings, each passage as a quotation with a numbered endnote carrying the citation."""
    import docx
    from docx.shared import Pt

    check_sources(brief)
    brief = dataclasses.replace(
        _without_xml_breakers(brief), items=[_without_xml_breakers(item) for item in brief.items]
    )
    document = docx.Document()
    document.core_properties.title = brief.title
    document.add_heading(brief.title, level=0)
    if brief.intro:
        document.add_paragraph(brief.intro)
    notes: list[str] = []
    for heading, items in _sections(brief):
        if heading:
            document.add_heading(heading, level=1)
        for item in items:
            notes.append(citation(item))
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(item.quote)
            marker = paragraph.add_run(str(len(notes)))
            marker.font.superscript = True
            if item.note:
                document.add_paragraph(item.note)
    owners = owner_rows(brief, store)
    if owners:
        document.add_heading("Who owns what", level=1)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, label in zip(table.rows[0].cells, ("Task", "Lead", "Coordinating", "Deadline")):
            cell.text = label
        for row in owners:
            cells = table.add_row().cells
            for cell, value in zip(
                cells, (row.task, row.lead, ", ".join(row.coordinating) or "—", row.deadline or "—")
            ):
                cell.text = _xml_text(value)
    document.add_heading("Notes", level=1)
    for number, note in enumerate(notes, 1):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{number}. {note}").font.size = Pt(9)
        paragraph.paragraph_format.space_after = Pt(2)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def export_brief(brief: Brief, store: Store, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise BadQueryError(f"unknown format {fmt!r} — use one of {', '.join(FORMATS)}")
    if fmt == "docx":
        return to_docx(brief, store)
    return (to_markdown(brief, store) if fmt == "md" else to_csv(brief)).encode("utf-8")


def write_export(data: bytes, path: Path) -> None:
    """Write to a temporary file beside the target, then rename it over: never a half-written export."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
