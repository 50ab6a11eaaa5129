"""Exporting a brief: DOCX with numbered endnotes, Markdown with [^n] footnotes, CSV; every quote re-checked first."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from pathlib import Path

from policykb.briefs.in_force import ended_notes
from policykb.briefs.model import Brief, BriefItem
from policykb.citations import format_full_citation, legal_citation
from policykb.errors import BadQueryError, PolicyKBError
from policykb.limits import UNUSABLE_CHARS
from policykb.spreadsheet import csv_text
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


def to_markdown(brief: Brief, store: Store, collections: frozenset[str] | None = None) -> str:
    """Markdown with every text from documents and users inert: HTML in it is escaped, never markup (_md). Under a
    passage whose document is no longer in force, as the documents of `collections` say, a note says so."""
    check_sources(brief)
    ended = ended_notes(brief, store, collections)
    out = [f"# {_md(brief.title)}", ""]
    if brief.intro:
        out += [_md(brief.intro), ""]
    notes: list[str] = []
    for heading, items in _sections(brief):
        if heading:
            out += [f"## {_md(heading)}", ""]
        for item in items:
            notes.append(_md(citation(item)))
            quote = "\n".join(f"> {_md(line)}" if line else ">" for line in item.quote.splitlines())
            out += [f"{quote}[^{len(notes)}]", ""]
            if item.id in ended:
                out += [f"**{_md(ended[item.id])}**", ""]
            if item.note:
                out += [_md(item.note), ""]
    owners = owner_rows(brief, store)
    if owners:
        out += ["## Who owns what", "", "| Task | Lead | Coordinating | Deadline |", "| --- | --- | --- | --- |"]
        out += [
            f"| {_cell(r.task)} | {_cell(r.lead)} | {_cell(', '.join(r.coordinating) or '—')} | {_cell(r.deadline or '—')} |"
            for r in owners
        ]
        out.append("")
    out += [f"[^{n}]: {note}" for n, note in enumerate(notes, 1)]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Text as Markdown shows it and never runs it: HTML escaped (a <script> in a document stays text), and brackets
    escaped, so that no text makes a link ("[open](javascript:…)" in a note shows as written)."""
    escaped = html.escape(text, quote=False).replace("\\", "\\\\")  # first: a backslash of the text escapes nothing
    return escaped.replace("[", "\\[").replace("]", "\\]")


def _cell(text: str) -> str:
    return _md(" ".join(text.split())).replace("|", "\\|")


def to_csv(brief: Brief) -> str:
    """One row per pinned passage, under the heading before it; safe to open in a spreadsheet."""
    check_sources(brief)
    return csv_text(CSV_COLUMNS, _csv_rows(brief))


def _csv_rows(brief: Brief) -> Iterator[list[object]]:
    heading = ""
    for position, item in enumerate(brief.items, 1):
        if item.kind == "heading":
            heading = item.heading or ""
            continue
        yield [
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


def to_docx(brief: Brief, store: Store, collections: frozenset[str] | None = None) -> bytes:
    """A Word document: title, intro, headings, each passage as a quotation with a numbered endnote carrying the
    citation, and under a passage whose document is no longer in force a note saying so."""
    import docx
    from docx.shared import Pt

    check_sources(brief)
    ended = ended_notes(brief, store, collections)
    document = docx.Document()
    document.core_properties.title = _xml(brief.title)
    document.add_heading(_xml(brief.title), level=0)
    if brief.intro:
        document.add_paragraph(_xml(brief.intro))
    notes: list[str] = []
    for heading, items in _sections(brief):
        if heading:
            document.add_heading(_xml(heading), level=1)
        for item in items:
            notes.append(_xml(citation(item)))
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(_xml(item.quote))
            marker = paragraph.add_run(str(len(notes)))
            marker.font.superscript = True
            if item.id in ended:
                document.add_paragraph().add_run(_xml(ended[item.id])).bold = True
            if item.note:
                document.add_paragraph(_xml(item.note))
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
                cell.text = _xml(value)
    document.add_heading("Notes", level=1)
    for number, note in enumerate(notes, 1):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{number}. {note}").font.size = Pt(9)
        paragraph.paragraph_format.space_after = Pt(2)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xml(text: str) -> str:
    """Text as Word's XML can hold it: without the control characters a document's text may still carry."""
    return UNUSABLE_CHARS.sub("", text)


def export_brief(brief: Brief, store: Store, fmt: str, collections: frozenset[str] | None = None) -> bytes:
    """The brief in `fmt`; what is in force is as the documents of `collections` (the exporter's; None: all) say."""
    if fmt not in FORMATS:
        raise BadQueryError(f"unknown format {fmt!r} — use one of {', '.join(FORMATS)}")
    if fmt == "docx":
        return to_docx(brief, store, collections)
    return (to_markdown(brief, store, collections) if fmt == "md" else to_csv(brief)).encode("utf-8")


def write_export(data: bytes, path: Path) -> None:
    """Write to a temporary file beside the target, then rename it over: never a half-written export."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
