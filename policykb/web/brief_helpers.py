"""What the brief pages (briefs) and the briefs JSON API (briefs_api) share: reading and changing briefs within a
request, the checks on titles and headings, a passage's link and an export's file."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, send_file, url_for

from policykb.briefs.export import FORMATS, export_brief
from policykb.briefs.model import REMOVED, Brief, BriefItem, Briefs
from policykb.errors import BadQueryError, IndexNotReadyError, NotFoundError
from policykb.store import INIT_HINT, Store, slugify
from policykb.web.request import get_store, readable_collections

MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


# --- stores ---------------------------------------------------------------------------------------
def reader() -> Briefs | None:
    """Briefs over this request's read-only store; None without an index, or with one from before briefs
    (the first change, through a read-write store, upgrades it)."""
    store = get_store()
    if store is None or not store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'briefs'").fetchone():
        return None
    return Briefs(store, readable_collections(store))


def read_brief(brief_id: int) -> tuple[Brief, Store]:
    briefs = reader()
    if briefs is None:
        raise NotFoundError(f"no brief {brief_id}: pin a passage from a search result to start one")
    return briefs.get(brief_id), briefs.store


@contextmanager
def writing() -> Iterator[Briefs]:
    """A read-write store for one request's change, closed after it."""
    path = current_app.config["POLICYKB_CONFIG"].db_path
    if not path.exists():
        raise IndexNotReadyError(f"no index at {path.parent}: {INIT_HINT}")
    with Store(path) as store:
        yield Briefs(store, readable_collections(store))


# --- checks, links and files ----------------------------------------------------------------------
def heading_text(value: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadQueryError("a heading needs text")
    return value


def title_text(value: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadQueryError("a brief needs a title")
    return value


def passage_href(item: BriefItem) -> str | None:
    """The passage in its document: where it now stands when it moved, nowhere when the document is gone."""
    if item.kind != "passage" or item.status == REMOVED:
        return None
    start, end = item.moved_to or (item.start, item.end)
    return url_for("ui.document", doc_id=item.doc_id, start=start, end=end, _anchor="passage")


def export_response(brief_id: int, fmt: str):
    if fmt not in FORMATS:
        raise BadQueryError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    brief, store = read_brief(brief_id)
    data = export_brief(brief, store, fmt)
    name = f"brief-{brief.id}-{slugify(brief.title)}.{fmt}"
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)
