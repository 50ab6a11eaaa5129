"""The briefs JSON API under /api/briefs: the brief pages' operations, in the API's one error shape."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from policykb.briefs.answers import brief_json, heading_text, item_json, item_kind, title_text
from policykb.briefs.model import Brief, BriefItem, Briefs
from policykb.briefs.sharing import EDITOR, OWNER, Share, replace_shares, shares
from policykb.errors import BadQueryError, NotFoundError
from policykb.web.brief_helpers import (
    access_level,
    audit,
    document_url,
    export_response,
    if_match_version,
    owner_id,
    read_brief,
    visible_briefs,
    writing,
)
from policykb.web.error_shape import json_errors
from policykb.web.request import ID_RANGE, whole_number

bp = Blueprint("briefs_api", __name__)
json_errors(bp)


def _body(allowed: set[str]) -> dict:
    """The request's JSON object; only JSON is taken, which a cross-site form cannot send."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body:
        raise BadQueryError("send a JSON object with the header Content-Type: application/json")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadQueryError(f"unknown field(s) {', '.join(map(repr, unknown))}: use {', '.join(sorted(allowed))}")
    return body


def _string(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise BadQueryError(f"{name!r} must be a string, got {value!r}")
    return value


def _whole(body: dict, name: str, low: int, high: int | None = None) -> int:
    """The JSON number `name` (not a string of digits) from low to high (None: SQLite's bound). JSON has one kind of
    number: 37.0 is the whole number 37, as JSON Schema's "integer" says."""
    value = body.get(name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadQueryError(f"{name!r} must be a whole number, got {json.dumps(value)[:40]}")
    return whole_number(value, repr(name), low, high)


def _item_json(item: BriefItem) -> dict:
    return item_json(item, document_url)


def _brief_json(brief: Brief, access: str) -> dict:
    return brief_json(brief, access, document_url)


def _answer(body: dict, status: int = 200):
    """A brief's answer, with its version as the ETag that a later change can send back as If-Match."""
    response = jsonify({"ok": True, **body})
    response.set_etag(str(body["version"]))
    return response, status


def _version(body: dict | None = None) -> int | None:
    """The version a change is based on: the body's "version" (a JSON number), else the If-Match header; None: not
    checked."""
    if body and "version" in body:
        return _whole(body, "version", *ID_RANGE)
    return if_match_version()


def _item_answer(briefs: Briefs, brief_id: int, item_id: int, status: int = 200):
    """The answer to an item's change: the item, and the brief's version after the change."""
    brief = briefs.get(brief_id)
    found = next((item for item in brief.items if item.id == item_id), None)
    if found is None:
        raise NotFoundError(f"brief {brief_id} has no item {item_id}")
    return {"item": _item_json(found), "version": brief.version}, status


def _find_item(briefs: Briefs, brief_id: int, item_id: int) -> BriefItem:
    found = next((item for item in briefs.get(brief_id).items if item.id == item_id), None)
    if found is None:
        raise NotFoundError(f"brief {brief_id} has no item {item_id}")
    return found


@bp.get("")
def list_briefs():
    """The briefs the viewer may read: each with its owner, the viewer's access and its section (mine, shared, other)."""
    return jsonify({"ok": True, "briefs": visible_briefs()})


@bp.post("")
def create_brief():
    body = _body({"title", "intro"})
    with writing() as briefs:
        brief_id = briefs.create(title_text(_string(body, "title")), _string(body, "intro") or "", owner_id())
        answer = _brief_json(briefs.get(brief_id), access_level(briefs.store, brief_id))
    return _answer(answer, 201)


@bp.get("/<id:brief_id>")
def get_brief(brief_id: int):
    brief, _store, access = read_brief(brief_id)
    return _answer(_brief_json(brief, access))


@bp.patch("/<id:brief_id>")
def update_brief(brief_id: int):
    body = _body({"title", "intro", "version"})
    title = title_text(_string(body, "title")) if "title" in body else None
    with writing(brief_id, EDITOR, _version(body)) as briefs:
        briefs.update(brief_id, title, _string(body, "intro"))
        answer = _brief_json(briefs.get(brief_id), access_level(briefs.store, brief_id))
    return _answer(answer)


@bp.delete("/<id:brief_id>")
def delete_brief(brief_id: int):
    with writing(brief_id, OWNER, _version(), "delete it") as briefs:
        briefs.delete(brief_id)
    return jsonify({"ok": True, "deleted": brief_id})


@bp.post("/<id:brief_id>/items")
def add_item(brief_id: int):
    body = _body({"chunk_id", "doc_id", "start", "end", "heading", "note", "version"})
    kind = item_kind(set(body))
    note = _string(body, "note") or ""
    with writing(brief_id, EDITOR, _version(body)) as briefs:
        if kind == "heading":
            item_id = briefs.add_heading(brief_id, heading_text(_string(body, "heading")))
        elif kind == "chunk_id":
            item_id = briefs.add_chunk(brief_id, _whole(body, "chunk_id", *ID_RANGE), note)
        else:
            item_id = briefs.add_span(
                brief_id, _string(body, "doc_id"), _whole(body, "start", 0), _whole(body, "end", 0), note
            )
        answer = _item_answer(briefs, brief_id, item_id, 201)
    return _answer(*answer)


@bp.patch("/<id:brief_id>/items/<id:item_id>")
def update_item(brief_id: int, item_id: int):
    """{"note"}, {"heading"} (a heading's text), {"move": -1 or 1}, {"repin": true}; checked in full before any change."""
    body = _body({"note", "heading", "move", "repin", "version"})
    note, heading, move = _string(body, "note"), _string(body, "heading"), body.get("move")
    if heading is not None:
        heading_text(heading)
    if "move" in body and (isinstance(move, bool) or move not in (-1, 1)):
        raise BadQueryError(f"'move' must be -1 (up) or 1 (down), got {move!r}")
    if "repin" in body and body["repin"] is not True:
        raise BadQueryError("'repin' can only be true")
    with writing(brief_id, EDITOR, _version(body)) as briefs:
        item = _find_item(briefs, brief_id, item_id)
        if heading is not None and item.kind != "heading":
            raise BadQueryError(f"item {item_id} is a passage: only a heading item has heading text")
        if body.get("repin"):
            briefs.repin(brief_id, item_id)  # first: the one change that can still be refused
        if note is not None or heading is not None:
            briefs.update_item(brief_id, item_id, note=note, heading=heading)
        if move is not None:
            briefs.move(brief_id, item_id, move)
        answer = _item_answer(briefs, brief_id, item_id)
    return _answer(*answer)


@bp.delete("/<id:brief_id>/items/<id:item_id>")
def remove_item(brief_id: int, item_id: int):
    with writing(brief_id, EDITOR, _version()) as briefs:
        briefs.remove_item(brief_id, item_id)
        version = briefs.get(brief_id).version
    response = jsonify({"ok": True, "removed": item_id})
    response.set_etag(str(version))  # the brief's version now, for the next change's If-Match
    return response


@bp.get("/<id:brief_id>/export")
def export(brief_id: int):
    return export_response(brief_id, request.args.get("format", ""))


# --- shares -----------------------------------------------------------------------------------------
# Names are the keys of two objects, so a request cannot name anyone twice (JSON keys are unique).
SHARE_FORMS = 'send {"users": {"NAME": "viewer" or "editor", …}, "groups": {"NAME": "viewer" or "editor", …}}'


@bp.get("/<id:brief_id>/shares")
def get_shares(brief_id: int):
    """Whom the brief is shared with; anyone who may read the brief may see it."""
    brief, store, _access = read_brief(brief_id)
    return jsonify({"ok": True, "brief_id": brief_id, "owner": brief.owner, **_shares_json(store, brief_id)})


@bp.put("/<id:brief_id>/shares")
def put_shares(brief_id: int):
    """Share the brief with exactly these users and groups (its owner and admins only); {"users": {}} shares it with nobody."""
    body = _body({"users", "groups"})
    wanted = _shares_from(body.get("users", {}), "user") + _shares_from(body.get("groups", {}), "group")
    with writing(brief_id, OWNER, doing="change whom it is shared with") as briefs:
        before = _shares_json(briefs.store, brief_id)
        replace_shares(briefs.store, brief_id, wanted)
        after = _shares_json(briefs.store, brief_id)
        audit(briefs.store, "brief.share", brief_id, before=before, after=after)
        owner = briefs.get(brief_id).owner
    return jsonify({"ok": True, "brief_id": brief_id, "owner": owner, **after})


def _shares_json(store, brief_id: int) -> dict:
    """{"users": {name: role}, "groups": {name: role}}: the shape a PUT sends back."""
    found = shares(store, brief_id)
    return {
        "users": {given.user: given.role for given in found if given.user is not None},
        "groups": {given.group: given.role for given in found if given.group is not None},
    }


def _shares_from(value: object, kind: str) -> list[Share]:
    """The shares of one kind ("user" or "group") a request names: {name: "viewer" or "editor"}."""
    if not isinstance(value, dict):
        raise BadQueryError(SHARE_FORMS)
    wanted = []
    for name, role in value.items():
        if not isinstance(role, str):
            raise BadQueryError(f"the role of {kind} {name!r} must be a string, got {json.dumps(role)[:40]}")
        wanted.append(Share(role, **{kind: name}))
    return wanted
