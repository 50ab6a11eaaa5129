"""Brief pages: pin passages from results and documents, order and annotate them, export DOCX, Markdown or CSV."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, g, redirect, render_template, request, url_for

from policykb.briefs.answers import heading_text, title_text
from policykb.briefs.export import citation
from policykb.briefs.sharing import EDITOR, OWNER, SHARE_ROLES, VIEWER, Share, revoke, share, shares
from policykb.errors import BadQueryError, IndexNotReadyError, NotFoundError, PolicyKBError
from policykb.limits import BRIEF_TITLE
from policykb.web.brief_helpers import (
    audit,
    export_response,
    if_match_version,
    owner_id,
    passage_href,
    read_brief,
    visible_briefs,
    writing,
)
from policykb.web.error_shape import said
from policykb.web.request import ID_RANGE, current_viewer, form_int, get_store, whole_number

bp = Blueprint("briefs", __name__)
FORMAT_LABELS = {"docx": "Word (DOCX)", "md": "Markdown", "csv": "CSV"}


# --- pages ----------------------------------------------------------------------------------------
SECTIONS = {"mine": "My briefs", "shared": "Shared with me", "other": "Other briefs"}


def _list_page(message: str | None = None, status: int = 200):
    """The briefs the viewer may read: in open mode one list (every brief is everyone's), else theirs, those shared
    with them, and (for admins, or briefs made before accounts) the others."""
    briefs = visible_briefs()
    if current_viewer().is_open:
        sections = [(None, briefs)] if briefs else []
    else:
        sections = [(title, [b for b in briefs if b["section"] == key]) for key, title in SECTIONS.items()]
        sections = [(title, rows) for title, rows in sections if rows]
    context = {"sections": sections, "message": message, "has_index": get_store() is not None}
    return render_template("briefs.html", **context), status


def _brief_page(brief_id: int, message: str | None = None, status: int = 200):
    brief, store, level = read_brief(brief_id)
    rows = [
        {"item": item, "cite": citation(item) if item.kind == "passage" else None, "href": passage_href(item)}
        for item in brief.items
    ]
    can_share = level == OWNER and not current_viewer().is_open  # open mode has no one to share with
    return render_template(
        "brief.html",
        brief=brief,
        rows=rows,
        message=message,
        formats=FORMAT_LABELS,
        can_edit=level in (EDITOR, OWNER),
        can_delete=level == OWNER,
        shares=shares(store, brief_id) if can_share else None,
        share_roles=SHARE_ROLES,
    ), status


@bp.errorhandler(PolicyKBError)
def _page_error(exc: PolicyKBError):
    """A refused change or export is said on the brief's page (or the list when there is no such brief), never a file."""
    brief_id = (request.view_args or {}).get("brief_id")
    if brief_id is not None and not isinstance(exc, IndexNotReadyError):
        try:
            return _brief_page(brief_id, said(exc), exc.status)
        except NotFoundError:
            pass
    return _list_page(said(exc), exc.status)


def _to_brief(brief_id: int, item_id: int | None = None):
    return redirect(url_for("briefs.show", brief_id=brief_id, _anchor=f"item-{item_id}" if item_id else None), code=303)


def _changing(brief_id: int, needed: str = EDITOR, doing: str = "do this"):
    """The change of a brief's form: the viewer's access checked, and the version the page was loaded at."""
    return writing(brief_id, needed, if_match_version(request.form.get("version")), doing)


@bp.get("/briefs")
def index():
    return _list_page()


@bp.post("/briefs")
def create():
    with writing() as briefs:
        brief_id = briefs.create(title_text(request.form.get("title")), request.form.get("intro", ""), owner_id())
    return _to_brief(brief_id)


@bp.get("/briefs/<id:brief_id>")
def show(brief_id: int):
    return _brief_page(brief_id)


@bp.post("/briefs/<id:brief_id>")
def update(brief_id: int):
    with _changing(brief_id) as briefs:
        briefs.update(brief_id, title_text(request.form.get("title")), request.form.get("intro", ""))
    return _to_brief(brief_id)


@bp.post("/briefs/<id:brief_id>/delete")
def delete(brief_id: int):
    with _changing(brief_id, OWNER, "delete it") as briefs:
        briefs.delete(brief_id)
    return redirect(url_for("briefs.index"), code=303)


@bp.post("/briefs/<id:brief_id>/headings")
def add_heading(brief_id: int):
    with _changing(brief_id) as briefs:
        item_id = briefs.add_heading(brief_id, heading_text(request.form.get("heading")))
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<id:brief_id>/items/<id:item_id>")
def update_item(brief_id: int, item_id: int):
    """The note of a passage, or the text of a heading."""
    heading = request.form.get("heading")
    with _changing(brief_id) as briefs:
        briefs.update_item(
            brief_id, item_id, note=request.form.get("note"), heading=None if heading is None else heading_text(heading)
        )
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<id:brief_id>/items/<id:item_id>/move")
def move_item(brief_id: int, item_id: int):
    delta = form_int("move")
    if delta not in (-1, 1):
        raise BadQueryError("move must be -1 (up) or 1 (down)")
    with _changing(brief_id) as briefs:
        briefs.move(brief_id, item_id, delta)
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<id:brief_id>/items/<id:item_id>/remove")
def remove_item(brief_id: int, item_id: int):
    with _changing(brief_id) as briefs:
        briefs.remove_item(brief_id, item_id)
    return _to_brief(brief_id)


@bp.post("/briefs/<id:brief_id>/items/<id:item_id>/repin")
def repin_item(brief_id: int, item_id: int):
    with _changing(brief_id) as briefs:
        briefs.repin(brief_id, item_id)
    return _to_brief(brief_id, item_id)


@bp.post("/briefs/<id:brief_id>/shares")
def share_brief(brief_id: int):
    """Share with the user or group the form names, as viewer or editor (the owner and admins)."""
    given = _share_from_form(request.form.get("role", ""))
    with writing(brief_id, OWNER, doing="share it") as briefs:
        share(briefs.store, brief_id, given)
        audit(briefs.store, "brief.share", brief_id, **given.to_json())
    return redirect(url_for("briefs.show", brief_id=brief_id, _anchor="shares"), code=303)


@bp.post("/briefs/<id:brief_id>/shares/revoke")
def revoke_share(brief_id: int):
    given = _share_from_form(VIEWER)
    with writing(brief_id, OWNER, doing="share it") as briefs:
        if revoke(briefs.store, brief_id, given.user, given.group):
            audit(briefs.store, "brief.unshare", brief_id, user=given.user, group=given.group)
    return redirect(url_for("briefs.show", brief_id=brief_id, _anchor="shares"), code=303)


def _share_from_form(role: str) -> Share:
    """The share the form names: `kind` user or group, its `name`, and the role."""
    kind, name = request.form.get("kind", ""), request.form.get("name", "").strip()
    if kind not in ("user", "group") or not name:
        raise BadQueryError("name a user or a group to share the brief with")
    return Share(role, user=name if kind == "user" else None, group=name if kind == "group" else None)


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
    brief_id = None
    if choice != "new":
        brief_id = whole_number(choice, "the brief to pin to (choose a brief or “New brief”)", *ID_RANGE)
    with writing(brief_id) as briefs:  # one transaction: a refused pin leaves no new brief behind
        if brief_id is None:
            brief_id = briefs.create(_new_title(request.form.get("new_title", "")), owner_id=owner_id())
        briefs.add_span(brief_id, doc_id, start, end)
    return redirect(_back_to(request.form.get("next", ""), brief_id), code=303)


def _new_title(suggested: str) -> str:
    """A new brief's title from what the pin suggests (the query, the document's title), cut to the title's limit."""
    title = " ".join(suggested.split()) or "Untitled brief"
    return title if len(title) <= BRIEF_TITLE.chars else title[: BRIEF_TITLE.chars - 1].rstrip() + "…"


@bp.app_context_processor
def _pin_helpers() -> dict:
    return {"brief_choices": _brief_choices, "pinned_brief": _pinned_brief}


def _brief_choices() -> list[dict]:
    """The briefs a pin can go to (those the viewer may change), the most recently changed first (so the last one
    used is the default)."""
    if "brief_choices" not in g:
        g.brief_choices = visible_briefs(editable=True)
    return g.brief_choices


def _pinned_brief() -> dict | None:
    wanted = request.args.get("pinned", "")
    return next((b for b in _brief_choices() if str(b["id"]) == wanted), None)
