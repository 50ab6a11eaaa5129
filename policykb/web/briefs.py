"""Brief pages: pin passages from results and documents, order and annotate them, export DOCX, Markdown or CSV."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, send_file, url_for

from policykb.errors import BadQueryError, IndexNotReadyError, NotFoundError, PolicyKBError
from policykb.briefs.export import FORMATS, citation, export_brief
from policykb.briefs.model import REMOVED, Brief, BriefItem, Briefs
from policykb.store import INIT_HINT, Store, slugify
from policykb.web.security import check_csrf
from policykb.web.ui import get_store

bp = Blueprint("briefs", __name__)
MIMETYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8"}
FORMAT_LABELS = {"docx": "Word (DOCX)", "md": "Markdown", "csv": "CSV"}


def status_of(exc: PolicyKBError) -> int:
    return exc.status


# --- stores ---------------------------------------------------------------------------------------
def reader() -> Briefs | None:
    """Briefs over this request's read-only store; None without an index, or with one from before briefs
    (the first change, through a read-write store, upgrades it)."""
    store = get_store()
    if store is None or not store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'briefs'").fetchone():
        return None
    return Briefs(store)


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
        yield Briefs(store)


# --- shared with the API (briefs_api) -------------------------------------------------------------
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


# --- pages ----------------------------------------------------------------------------------------
def _list_page(message: str | None = None, status: int = 200):
    briefs = reader()
    context = {"briefs": briefs.list() if briefs else [], "message": message, "has_index": get_store() is not None}
    return render_template("briefs.html", **context), status


def _brief_page(brief_id: int, message: str | None = None, status: int = 200):
    brief, _store = read_brief(brief_id)
    rows = [{"item": item, "cite": citation(item) if item.kind == "passage" else None, "href": passage_href(item)}
            for item in brief.items]
    return render_template("brief.html", brief=brief, rows=rows, message=message, formats=FORMAT_LABELS), status


@bp.errorhandler(PolicyKBError)
def _page_error(exc: PolicyKBError):
    """A refused change or export is said on the brief's page (or the list when there is no such brief), never a file."""
    brief_id = (request.view_args or {}).get("brief_id")
    if brief_id is not None and not isinstance(exc, IndexNotReadyError):
        try:
            return _brief_page(brief_id, str(exc), status_of(exc))
        except NotFoundError:
            pass
    return _list_page(str(exc), status_of(exc))


def _to_brief(brief_id: int, item_id: int | None = None):
    return redirect(url_for("briefs.show", brief_id=brief_id, _anchor=f"item-{item_id}" if item_id else None), code=303)


def _form_int(name: str) -> int:
    value = request.form.get(name, "").strip()
    if not value.lstrip("-").isdigit():
        raise BadQueryError(f"the form field {name!r} must be a whole number, got {value!r}")
    return int(value)


@bp.get("/briefs")
def index():
    return _list_page()


@bp.post("/briefs")
def create():
    check_csrf()
    with writing() as briefs:
        brief_id = briefs.create(title_text(request.form.get("title")), request.form.get("intro", ""))
    return _to_brief(brief_id)


@bp.get("/briefs/<int:brief_id>")
def show(brief_id: int):
    return _brief_page(brief_id)


@bp.post("/briefs/<int:brief_id>")
def update(brief_id: int):
    check_csrf()
    with writing() as briefs:
        briefs.update(brief_id, title_text(request.form.get("title")), request.form.get("intro", ""))
    return _to_brief(brief_id)


@bp.post("/briefs/<int:brief_id>/delete")
def delete(brief_id: int):
    check_csrf()
    with writing() as briefs:
        briefs.delete(brief_id)
    return redirect(url_for("briefs.index"), code=303)


@bp.post("/briefs/<int:brief_id>/headings")
def add_heading(brief_id: int):
    check_csrf()
    with writing() as briefs:
        item_id = briefs.add_heading(brief_id, heading_text(request.form.get("heading")))
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<int:brief_id>/items/<int:item_id>")
def update_item(brief_id: int, item_id: int):
    """The note of a passage, or the text of a heading."""
    check_csrf()
    heading = request.form.get("heading")
    with writing() as briefs:
        briefs.update_item(brief_id, item_id, note=request.form.get("note"), heading=None if heading is None else heading_text(heading))
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<int:brief_id>/items/<int:item_id>/move")
def move_item(brief_id: int, item_id: int):
    check_csrf()
    delta = _form_int("move")
    if delta not in (-1, 1):
        raise BadQueryError("move must be -1 (up) or 1 (down)")
    with writing() as briefs:
        briefs.move(brief_id, item_id, delta)
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<int:brief_id>/items/<int:item_id>/remove")
def remove_item(brief_id: int, item_id: int):
    check_csrf()
    with writing() as briefs:
        briefs.remove_item(brief_id, item_id)
    return _to_brief(brief_id)


@bp.post("/briefs/<int:brief_id>/items/<int:item_id>/repin")
def repin_item(brief_id: int, item_id: int):
    check_csrf()
    with writing() as briefs:
        briefs.repin(brief_id, item_id)
    return _to_brief(brief_id, item_id)


@bp.get("/briefs/<int:brief_id>/export.<fmt>")
def export(brief_id: int, fmt: str):
    return export_response(brief_id, fmt)


def _back_to(target: str, brief_id: int) -> str:
    """The page the pin came from, with ?pinned= for its notice; only a path on this site, else the brief."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//") or any(c in target for c in "\\\r\n\t"):
        return url_for("briefs.show", brief_id=brief_id)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "pinned"]
    return urlunsplit(("", "", parts.path, urlencode([*query, ("pinned", brief_id)]), parts.fragment))


@bp.post("/briefs/pin")
def pin():
    """Pin doc_id's text from start to end (a search result, a cited passage, a selection) to a brief, or to a new one."""
    check_csrf()
    doc_id, start, end, choice = request.form.get("doc_id", ""), _form_int("start"), _form_int("end"), request.form.get("brief", "new")
    if choice != "new" and not choice.isdigit():
        raise BadQueryError(f"no brief {choice!r}: choose a brief or “New brief”")
    with writing() as briefs:
        brief_id = briefs.create(request.form.get("new_title", "").strip() or "Untitled brief") if choice == "new" else int(choice)
        try:
            briefs.add_span(brief_id, doc_id, start, end)
        except PolicyKBError:
            if choice == "new":
                briefs.delete(brief_id)  # no empty brief left behind by a refused pin
            raise
    return redirect(_back_to(request.form.get("next", ""), brief_id), code=303)


@bp.app_context_processor
def _pin_helpers() -> dict:
    return {"brief_choices": _brief_choices, "pinned_brief": _pinned_brief}


def _brief_choices() -> list[dict]:
    """The briefs a pin can go to, the most recently changed first (so the last one used is the default)."""
    if "brief_choices" not in g:
        briefs = reader()
        g.brief_choices = briefs.list() if briefs else []
    return g.brief_choices


def _pinned_brief() -> dict | None:
    wanted = request.args.get("pinned", "")
    return next((b for b in _brief_choices() if str(b["id"]) == wanted), None)
