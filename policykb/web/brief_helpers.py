"""What the brief pages (briefs) and the briefs JSON API (briefs_api) share: reading and changing briefs within a
request (each change in one transaction, after the viewer's access and the brief's version are checked), the checks
on titles and headings, a passage's link and an export's file."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

from flask import request, send_file, url_for

from policykb.access.audit import record
from policykb.briefs import answers
from policykb.briefs.answers import briefs_for_change
from policykb.briefs.model import Brief, BriefItem, Briefs, no_brief
from policykb.briefs.sharing import EDITOR, VIEWER, BriefAccess
from policykb.errors import BadQueryError
from policykb.store import Store
from policykb.web.request import (
    ID_RANGE,
    current_viewer,
    get_store,
    readable_collections,
    whole_number,
    writable_store,
)


# --- stores ---------------------------------------------------------------------------------------
def reader() -> Briefs | None:
    """Briefs over this request's read-only store; None without an index, or with one from before briefs
    (the first change, through a read-write store, upgrades it)."""
    store = get_store()
    if store is None or not store.has_table("briefs"):
        return None
    return Briefs(store, readable_collections(store))


def visible_briefs(editable: bool = False) -> list[dict]:
    """The briefs this request's viewer may read (or, with `editable`, change), each with its access and section."""
    briefs = reader()
    if briefs is None:
        return []
    access = BriefAccess(briefs.store, current_viewer())
    rows = briefs.list()
    return access.editable(rows) if editable else access.visible(rows)


def read_brief(brief_id: int) -> tuple[Brief, Store, str]:
    """The brief, its store and the viewer's access to it (VIEWER at least): a 404 when they may not read it."""
    briefs = reader()
    if briefs is None:
        raise no_brief(brief_id)
    level = access_level(briefs.store, brief_id)  # first: a brief the viewer may not read is not even loaded
    return briefs.get(brief_id), briefs.store, level


def access_level(store: Store, brief_id: int) -> str:
    """This request's viewer's access to the brief: VIEWER, EDITOR or OWNER; a 404 when they may not read it."""
    return BriefAccess(store, current_viewer()).require(brief_id, VIEWER)


@contextmanager
def writing(brief_id: int | None = None, needed: str = EDITOR, version: int | None = None, doing: str = "do this"):
    """A read-write store for one request's change, all of it in one transaction (closed after it). With `brief_id`,
    the viewer must have `needed` access to it (else a 404 or a 403), and a `version` sent must be the brief's (409)."""
    with writable_store() as store, store.transaction():
        yield briefs_for_change(store, current_viewer(), readable_collections(store), brief_id, needed, version, doing)


def owner_id() -> int | None:
    """Who a brief made by this request belongs to: the signed-in user; nobody in open mode (everyone's)."""
    return current_viewer().user_id


# If-Match: "*" (any version: not checked), or the ETag this API gave (the version in quotes), weak or not, or a bare
# number; a version is a whole number from 1, written without leading zeros.
IF_MATCH = r'\*|(?:W/)?(?:"([1-9][0-9]{0,17})"|([1-9][0-9]{0,17}))'
_IF_MATCH = re.compile(IF_MATCH)
_VERSION = "the version the change is based on"


def if_match_version(sent: str | None = None) -> int | None:
    """The version a change is based on: `sent` (a form field), else the If-Match header; None when neither is given
    (or If-Match is "*"), and the change is not checked."""
    if sent is not None and sent != "":
        return whole_number(sent, f"{_VERSION} ('version')", *ID_RANGE)
    header = request.headers.get("If-Match")
    if header is None:
        return None
    found = _IF_MATCH.fullmatch(header)
    if found is None:
        raise BadQueryError(
            f'{_VERSION} (header If-Match) must be the brief\'s ETag, e.g. "3" (its version), got {header[:40]!r}'
        )
    digits = found.group(1) or found.group(2)
    return int(digits) if digits else None


def audit(store: Store, action: str, brief_id: int, **detail) -> None:
    """An audit entry for the brief, by this request's viewer from its address (in the store's open transaction)."""
    record(store, current_viewer(), action, f"brief {brief_id}", request.remote_addr, **detail)


# --- checks, links and files ----------------------------------------------------------------------
def passage_href(item: BriefItem) -> str | None:
    """The passage in its document (policykb.briefs.answers.passage_href), by this app's address."""
    return answers.passage_href(item, document_url)


def document_url(doc_id: str, start: int, end: int) -> str:
    """A passage's address in this app (its root included, wherever it is mounted)."""
    return url_for("ui.document", doc_id=doc_id, start=start, end=end, _anchor="passage")


def export_response(brief_id: int, fmt: str):
    """The brief as a file; with accounts, an audit entry says who exported it (open mode keeps no log: no one to name)."""
    answers.export_format(fmt)  # first: an unknown format is a 400 whatever the brief
    brief, store, _level = read_brief(brief_id)
    exported = answers.export_file(brief, store, fmt, readable_collections(store))
    if not current_viewer().is_open:
        with writing() as briefs:
            audit(briefs.store, "brief.export", brief_id, format=fmt, title=brief.title)
    return send_file(
        io.BytesIO(exported.data), mimetype=exported.mimetype, as_attachment=True, download_name=exported.name
    )
