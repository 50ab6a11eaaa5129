"""Brief pages: pin passages from results and documents, order and annotate them, export DOCX, Markdown or CSV."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, g, redirect, render_template, request, url_for

from policykb.briefs.export import citation
from policykb.errors import BadQueryError, IndexNotReadyError, NotFoundError, PolicyKBError
from policykb.limits import BRIEF_TITLE
from policykb.web.brief_helpers import (
    export_response,
    heading_text,
    passage_href,
    read_brief,
    reader,
    title_text,
    writing,
)
from policykb.web.request import ID_RANGE, form_int, get_store, whole_number

bp = Blueprint("briefs", __name__)
FORMAT_LABELS = {"docx": "Word (DOCX)", "md": "Markdown", "csv": "CSV"}


# --- pages ----------------------------------------------------------------------------------------
def _list_page(message: str | None = None, status: int = 200):
    briefs = reader()
    context = {"briefs": briefs.list() if briefs else [], "message": message, "has_index": get_store() is not None}
    return render_template("briefs.html", **context), status


def _brief_page(brief_id: int, message: str | None = None, status: int = 200):
    brief, _store = read_brief(brief_id)
    rows = [
        {"item": item, "cite": citation(item) if item.kind == "passage" else None, "href": passage_href(item)}
        for item in brief.items
    ]
    return render_template("brief.html", brief=brief, rows=rows, message=message, formats=FORMAT_LABELS), status


@bp.errorhandler(PolicyKBError)
def _page_error(exc: PolicyKBError):
    """A refused change or export is said on the brief's page (or the list when there is no such brief), never a file."""
    brief_id = (request.view_args or {}).get("brief_id")
    if brief_id is not None and not isinstance(exc, IndexNotReadyError):
        try:
            return _brief_page(brief_id, str(exc), exc.status)
        except NotFoundError:
            pass
    return _list_page(str(exc), exc.status)


def _to_brief(brief_id: int, item_id: int | None = None):
    return redirect(url_for("briefs.show", brief_id=brief_id, _anchor=f"item-{item_id}" if item_id else None), code=303)


@bp.get("/briefs")
def index():
    return _list_page()


@bp.post("/briefs")
def create():
    with writing() as briefs:
        brief_id = briefs.create(title_text(request.form.get("title")), request.form.get("intro", ""))
    return _to_brief(brief_id)


@bp.get("/briefs/<id:brief_id>")
def show(brief_id: int):
    return _brief_page(brief_id)


@bp.post("/briefs/<id:brief_id>")
def update(brief_id: int):
    with writing() as briefs:
        briefs.update(brief_id, title_text(request.form.get("title")), request.form.get("intro", ""))
    return _to_brief(brief_id)


@bp.post("/briefs/<id:brief_id>/delete")
def delete(brief_id: int):
    with writing() as briefs:
        briefs.delete(brief_id)
    return redirect(url_for("briefs.index"), code=303)


@bp.post("/briefs/<id:brief_id>/headings")
def add_heading(brief_id: int):
    with writing() as briefs:
        item_id = briefs.add_heading(brief_id, heading_text(request.form.get("heading")))
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<id:brief_id>/items/<id:item_id>")
def update_item(brief_id: int, item_id: int):
    """The note of a passage, or the text of a heading."""
    heading = request.form.get("heading")
    with writing() as briefs:
        briefs.update_item(
            brief_id, item_id, note=request.form.get("note"), heading=None if heading is None else heading_text(heading)
        )
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<id:brief_id>/items/<id:item_id>/move")
def move_item(brief_id: int, item_id: int):
    delta = form_int("move")
    if delta not in (-1, 1):
        raise BadQueryError("move must be -1 (up) or 1 (down)")
    with writing() as briefs:
        briefs.move(brief_id, item_id, delta)
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<id:brief_id>/items/<id:item_id>/remove")
def remove_item(brief_id: int, item_id: int):
    with writing() as briefs:
        briefs.remove_item(brief_id, item_id)
    return _to_brief(brief_id)


@bp.post("/briefs/<id:brief_id>/items/<id:item_id>/repin")
def repin_item(brief_id: int, item_id: int):
    with writing() as briefs:
        briefs.repin(brief_id, item_id)
    return _to_brief(brief_id, item_id)


@bp.get("/briefs/<id:brief_id>/export.<fmt>")
def export(brief_id: int, fmt: str):
    return export_response(brief_id, fmt)


def _back_to(target: str, brief_id: int) -> str:
    """The page the pin came from, with ?pinned= for its notice; only a path on this site, else the brief."""
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith("/")
        or parts.path.startswith("//")
        or any(c in target for c in "\\\r\n\t")
    ):
        return url_for("briefs.show", brief_id=brief_id)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "pinned"]
    return urlunsplit(("", "", parts.path, urlencode([*query, ("pinned", brief_id)]), parts.fragment))


@bp.post("/briefs/pin")
def pin():
    """Pin doc_id's text from start to end (a search result, a cited passage, a selection) to a brief, or to a new one."""
    doc_id, start, end, choice = (
        request.form.get("doc_id", ""),
        form_int("start", 0),
        form_int("end", 0),
        request.form.get("brief", "new"),
    )
    if choice != "new":
        choice = whole_number(choice, "the brief to pin to (choose a brief or “New brief”)", *ID_RANGE)
    with writing() as briefs:
        brief_id = briefs.create(_new_title(request.form.get("new_title", ""))) if choice == "new" else choice
        try:
            briefs.add_span(brief_id, doc_id, start, end)
        except PolicyKBError:
            if choice == "new":
                briefs.delete(brief_id)  # no empty brief left behind by a refused pin
            raise
    return redirect(_back_to(request.form.get("next", ""), brief_id), code=303)


def _new_title(suggested: str) -> str:
    """A new brief's title from what the pin suggests (the query, the document's title), cut to the title's limit."""
    title = " ".join(suggested.split()) or "Untitled brief"
    return title if len(title) <= BRIEF_TITLE.chars else title[: BRIEF_TITLE.chars - 1].rstrip() + "…"


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
