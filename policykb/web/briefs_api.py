"""The briefs JSON API under /api/briefs: the brief pages' operations, in the API's one error shape."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from policykb.briefs.export import citation
from policykb.briefs.model import Brief, BriefItem, Briefs
from policykb.errors import BadQueryError, NotFoundError
from policykb.web.brief_helpers import (
    export_response,
    heading_text,
    passage_href,
    read_brief,
    reader,
    title_text,
    writing,
)
from policykb.web.error_shape import json_errors
from policykb.web.request import ID_RANGE, whole_number

bp = Blueprint("briefs_api", __name__)
json_errors(bp)
ITEM_FORMS = 'send one of {"chunk_id": N}, {"doc_id": "ID", "start": N, "end": N} or {"heading": "TEXT"}, with an optional "note"'


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
    return {
        **item.to_json(),
        "citation": citation(item) if item.kind == "passage" else None,
        "href": passage_href(item),
    }


def _brief_json(brief: Brief) -> dict:
    return {
        **brief.to_json(),
        "items": [_item_json(item) for item in brief.items],
        "problems": [item.id for item in brief.problems],
    }


def _find_item(briefs: Briefs, brief_id: int, item_id: int) -> BriefItem:
    found = next((item for item in briefs.get(brief_id).items if item.id == item_id), None)
    if found is None:
        raise NotFoundError(f"brief {brief_id} has no item {item_id}")
    return found


@bp.get("")
def list_briefs():
    briefs = reader()
    return jsonify({"ok": True, "briefs": briefs.list() if briefs else []})


@bp.post("")
def create_brief():
    body = _body({"title", "intro"})
    with writing() as briefs:
        brief_id = briefs.create(title_text(_string(body, "title")), _string(body, "intro") or "")
        brief = briefs.get(brief_id)
    return jsonify({"ok": True, **_brief_json(brief)}), 201


@bp.get("/<id:brief_id>")
def get_brief(brief_id: int):
    return jsonify({"ok": True, **_brief_json(read_brief(brief_id)[0])})


@bp.patch("/<id:brief_id>")
def update_brief(brief_id: int):
    body = _body({"title", "intro"})
    title = title_text(_string(body, "title")) if "title" in body else None
    with writing() as briefs:
        briefs.update(brief_id, title, _string(body, "intro"))
        brief = briefs.get(brief_id)
    return jsonify({"ok": True, **_brief_json(brief)})


@bp.delete("/<id:brief_id>")
def delete_brief(brief_id: int):
    with writing() as briefs:
        briefs.delete(brief_id)
    return jsonify({"ok": True, "deleted": brief_id})


@bp.post("/<id:brief_id>/items")
def add_item(brief_id: int):
    body = _body({"chunk_id", "doc_id", "start", "end", "heading", "note"})
    kinds = [key for key in ("chunk_id", "doc_id", "heading") if key in body]
    if (
        len(kinds) != 1
        or ("heading" in body and "note" in body)
        or (kinds != ["doc_id"] and {"start", "end"} & set(body))
    ):
        raise BadQueryError(ITEM_FORMS)
    note = _string(body, "note") or ""
    with writing() as briefs:
        if kinds == ["heading"]:
            item_id = briefs.add_heading(brief_id, heading_text(_string(body, "heading")))
        elif kinds == ["chunk_id"]:
            item_id = briefs.add_chunk(brief_id, _whole(body, "chunk_id", *ID_RANGE), note)
        else:
            item_id = briefs.add_span(
                brief_id, _string(body, "doc_id"), _whole(body, "start", 0), _whole(body, "end", 0), note
            )
        item = _find_item(briefs, brief_id, item_id)
    return jsonify({"ok": True, "item": _item_json(item)}), 201


@bp.patch("/<id:brief_id>/items/<id:item_id>")
def update_item(brief_id: int, item_id: int):
    """{"note"}, {"heading"} (a heading's text), {"move": -1 or 1}, {"repin": true}; checked in full before any change."""
    body = _body({"note", "heading", "move", "repin"})
    note, heading, move = _string(body, "note"), _string(body, "heading"), body.get("move")
    if heading is not None:
        heading_text(heading)
    if "move" in body and (isinstance(move, bool) or move not in (-1, 1)):
        raise BadQueryError(f"'move' must be -1 (up) or 1 (down), got {move!r}")
    if "repin" in body and body["repin"] is not True:
        raise BadQueryError("'repin' can only be true")
    with writing() as briefs:
        item = _find_item(briefs, brief_id, item_id)
        if heading is not None and item.kind != "heading":
            raise BadQueryError(f"item {item_id} is a passage: only a heading item has heading text")
        if body.get("repin"):
            briefs.repin(brief_id, item_id)  # first: the one change that can still be refused
        if note is not None or heading is not None:
            briefs.update_item(brief_id, item_id, note=note, heading=heading)
        if move is not None:
            briefs.move(brief_id, item_id, move)
        item = _find_item(briefs, brief_id, item_id)
    return jsonify({"ok": True, "item": _item_json(item)})


@bp.delete("/<id:brief_id>/items/<id:item_id>")
def remove_item(brief_id: int, item_id: int):
    with writing() as briefs:
        briefs.remove_item(brief_id, item_id)
    return jsonify({"ok": True, "removed": item_id})


@bp.get("/<id:brief_id>/export")
def export(brief_id: int):
    return export_response(brief_id, request.args.get("format", ""))
