"""Briefs as the JSON API and the MCP server answer them, and what both check before a change: one function each, so
that a brief reads the same wherever it is asked for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from policykb.access import Viewer
from policykb.briefs.export import FORMATS, citation, export_brief
from policykb.briefs.model import REMOVED, Brief, BriefItem, Briefs
from policykb.briefs.sharing import EDITOR, BriefAccess
from policykb.errors import BadQueryError
from policykb.store import Store, slugify

MIMETYPES = {  # the text formats are UTF-8, which the web layer says by adding "; charset=utf-8" to a text/ type
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
    "csv": "text/csv",
}
Href = Callable[[str, int, int], str]  # (doc_id, start, end) → the address of the passage in its document


def document_path(doc_id: str, start: int, end: int) -> str:
    """The web app's address of a passage in its document, from the site's root."""
    return f"/doc/{quote(doc_id, safe='')}?{urlencode({'start': start, 'end': end})}#passage"


def passage_href(item: BriefItem, href: Href = document_path) -> str | None:
    """The passage in its document: where it now stands when it moved, nowhere when the document is gone."""
    if item.kind != "passage" or item.status == REMOVED:
        return None
    start, end = item.moved_to or (item.start, item.end)
    return href(item.doc_id, start, end)


def item_json(item: BriefItem, href: Href = document_path) -> dict:
    return {
        **item.to_json(),
        "citation": citation(item) if item.kind == "passage" else None,
        "href": passage_href(item, href),
    }


def brief_json(brief: Brief, access: str, href: Href = document_path) -> dict:
    """A brief with the viewer's access to it, its items (each with its citation and link) and the items whose
    source changed."""
    return {
        **brief.to_json(),
        "access": access,
        "items": [item_json(item, href) for item in brief.items],
        "problems": [item.id for item in brief.problems],
    }


ITEM_FORMS = 'send one of {"chunk_id": N}, {"doc_id": "ID", "start": N, "end": N} or {"heading": "TEXT"}, with an optional "note"'


def item_kind(given: set[str]) -> str:
    """Which item a change adds, from the fields it gives: "chunk_id", "doc_id" (a span) or "heading"; a 400 saying
    the forms for any other mix."""
    kinds = [key for key in ("chunk_id", "doc_id", "heading") if key in given]
    if len(kinds) != 1 or {"heading", "note"} <= given or (kinds != ["doc_id"] and {"start", "end"} & given):
        raise BadQueryError(ITEM_FORMS)
    return kinds[0]


def title_text(value: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadQueryError("a brief needs a title")
    return value


def heading_text(value: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadQueryError("a heading needs text")
    return value


def briefs_for_change(
    store: Store,
    viewer: Viewer,
    readable: frozenset[str] | None,
    brief_id: int | None = None,
    needed: str = EDITOR,
    version: int | None = None,
    doing: str = "do this",
) -> Briefs:
    """Briefs over a read-write store (in the caller's transaction) for one change by `viewer`. With `brief_id`, they
    must have `needed` access to it (else a 404 or a 403), and a `version` sent must be the brief's (409)."""
    briefs = Briefs(store, readable)
    if brief_id is not None:
        BriefAccess(store, viewer).require(brief_id, needed, doing)
        briefs.expect_version(brief_id, version)
    return briefs


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A brief exported: the file's name, its media type and its bytes."""

    name: str
    mimetype: str
    data: bytes


def export_format(fmt: str) -> str:
    """`fmt` itself when briefs export to it (docx, md, csv); a 400 naming them otherwise."""
    if fmt not in FORMATS:
        raise BadQueryError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return fmt


def export_file(brief: Brief, store: Store, fmt: str, collections: frozenset[str] | None = None) -> ExportFile:
    """The brief as a file of format `fmt` (docx, md, csv); 409 when a quote no longer matches its source. Notes of
    what is no longer in force come from the documents of `collections` (the exporter's)."""
    data = export_brief(brief, store, export_format(fmt), collections)
    return ExportFile(f"brief-{brief.id}-{slugify(brief.title)}.{fmt}", MIMETYPES[fmt], data)
