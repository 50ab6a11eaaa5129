"""The request layer every blueprint shares: this request's store and searcher, and its parameters read and checked.

The one place where what a request sends is checked before a view reads it: every text (query string, form, file
names, JSON) is refused with a 400 when it holds characters no text can carry, and every whole number and id is read
by `whole_number`, bounded to what SQLite can hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from policykb.access import OPEN, Viewer
from policykb.access.collections import readable
from policykb.errors import BadQueryError, IndexNotReadyError
from policykb.limits import LIMITS, check_text, limit_for
from policykb.relations.in_force import NotInForceKept
from policykb.relations.lookup import parse_on
from policykb.search.searcher import MODES, Searcher
from policykb.store import INIT_HINT, Filters, Store


# --- the index ------------------------------------------------------------------------------------
def get_store() -> Store | None:
    """A read-only connection for this request (closed at teardown); None while there is no index."""
    if "store" not in g:
        try:
            g.store = Store(current_app.config["POLICYKB_CONFIG"].db_path, readonly=True)
        except IndexNotReadyError as exc:
            g.store, g.no_store = None, exc
    return g.store


def require_store() -> Store:
    """This request's read-only store; without an index, the IndexNotReadyError that says how to make one (a 503)."""
    store = get_store()
    if store is None:
        raise g.no_store
    return store


@contextmanager
def writable_store() -> Iterator[Store]:
    """A read-write store for one change a request makes (an account, a token), closed after it."""
    path = current_app.config["POLICYKB_CONFIG"].db_path
    if not path.exists():
        raise IndexNotReadyError(f"no index at {path.parent}: {INIT_HINT}")
    with Store(path) as store:
        yield store


def close_store(_exc: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


def searcher() -> Searcher:
    """The Searcher the app shares across requests (policykb.web.state), of the index's current generation."""
    return current_app.extensions["policykb"].get()


def init_request(app: Flask) -> None:
    """Before any blueprint's routes are added: the `id` converter; the request text check, the limits for the
    pages' forms and the store's teardown."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(check_request_text)
    app.jinja_env.globals["limits"] = LIMITS  # the forms' maxlength
    app.teardown_appcontext(close_store)


# --- who asks -----------------------------------------------------------------------------------------
def current_viewer() -> Viewer:
    """Who this request acts for: set by the accounts layer before the view (g.viewer); open mode otherwise."""
    return g.get("viewer", OPEN)


def readable_collections(store: Store | None = None) -> frozenset[str] | None:
    """The collections this request's viewer may read; None for every one. Every route that reads documents filters
    by it: what a viewer may not read is invisible, never forbidden (a 404, not a 403)."""
    viewer = current_viewer()
    return None if viewer.reads_everything else readable(store or require_store(), viewer)


# --- text from the request --------------------------------------------------------------------------
def check_request_text() -> None:
    """Run before every view: every text the request carries is UTF-8 without unusable characters and within its
    field's limit (policykb.limits), else a 400 naming where (the API's error shape, or a page saying so)."""
    try:
        request.query_string.decode()
    except UnicodeDecodeError:
        request.query_string = b""  # werkzeug would fail on it again, in the error page's own links
        raise BadQueryError("the address's query string is not UTF-8 — percent-encode its text as UTF-8") from None
    for where, field, text in _request_texts():
        if isinstance(text, str):  # a multipart part may come without a name
            check_text(where, text, limit_for(field))


def _request_texts() -> Iterator[tuple[str, str, str]]:
    """(where, field, text) for every name and value of the query string, the form, the files' names and a JSON body."""
    for where, fields in (("parameter", request.args), ("the form field", request.form)):
        for name, value in fields.items(multi=True):
            yield f"{where} {_shown(name)}", "", name
            yield f"{where} {_shown(name)}", name, value
    for name, upload in request.files.items(multi=True):
        yield f"the name of the file in {_shown(name)}", "", upload.filename or ""
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            raise BadQueryError("the JSON body is nested too deeply — send a flat JSON object") from None
        yield from _json_texts(body)


def _json_texts(body: object) -> Iterator[tuple[str, str, str]]:
    """The strings of a JSON value, keys included, each with the field it is in; without recursion, at any depth."""
    pending: list[tuple[str, str, object]] = [("the JSON body", "", body)]
    while pending:
        where, field, value = pending.pop()
        if isinstance(value, str):
            yield where, field, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield f"the JSON field {_shown(key)}", "", key
                pending.append((f"the JSON field {_shown(key)}", key, item))
        elif isinstance(value, list):
            pending.extend((where, field, item) for item in value)


# --- whole numbers and ids ---------------------------------------------------------------------------
SQLITE_MIN_INT, SQLITE_MAX_INT = -(2**63), 2**63 - 1  # SQLite's INTEGER; a number past it overflows a query
ID_RANGE = (1, SQLITE_MAX_INT)  # a row id (brief, item, chunk) as SQLite hands them out
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_LONGEST_SHOWN = 40  # characters of a refused value quoted back in the message


def whole_number(raw: str | int, what: str, low: int | None = None, high: int | None = None) -> int:
    """`raw` (ASCII digits with an optional sign, spaces around them, or an int) as a whole number from low to high
    (None: SQLite's bound, past which no stored number lies); a BadQueryError (400) naming `what` otherwise."""
    low = SQLITE_MIN_INT if low is None else low
    high = SQLITE_MAX_INT if high is None else high
    if isinstance(raw, str):
        raw = raw.strip()
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise BadQueryError(f"{what} must be a whole number, got {_shown(raw)}")
        if len(raw.lstrip("+-0")) > len(str(SQLITE_MAX_INT)):  # far out of range: not worth converting
            raise BadQueryError(f"{what} must be between {low} and {high}, got a number of {len(raw):,} digits")
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise BadQueryError(f"{what} must be a whole number, got {_shown(raw)}")
    if not low <= raw <= high:
        raise BadQueryError(f"{what} must be between {low} and {high}, got {_shown(raw)}")
    return raw


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _LONGEST_SHOWN else f"{text[:_LONGEST_SHOWN]}… ({len(text):,} characters)"


class IdConverter(BaseConverter):
    """`<id:name>` in a route: a row id, 1 to SQLite's largest integer. Any other number names nothing there: a 404
    that says so (werkzeug's own bounded converter would answer 405 when the route has other methods)."""

    regex = r"[0-9]+"
    weight = 50

    def to_python(self, value: str) -> int:
        try:
            return whole_number(value, "an id in the address", *ID_RANGE)
        except BadQueryError as exc:
            raise NotFound(str(exc)) from None

    def to_url(self, value: int) -> str:
        return str(value)


# --- parameters -----------------------------------------------------------------------------------
def int_arg(
    name: str, default: int | None = None, low: int | None = 1, high: int | None = 10**6, *, lenient: bool = False
) -> int | None:
    """The query parameter `name` as a whole number from low to high; missing or empty, `default`.

    Any other value is a 400, or with `lenient` it counts as missing: for the positions in links the pages make
    themselves, where a hand-edited link shows the page without them rather than an error.
    """
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        return whole_number(raw, f"parameter {name!r}", low, high)
    except BadQueryError:
        if lenient:
            return default
        raise


def form_int(name: str, low: int | None = None, high: int | None = None) -> int:
    """The form field `name`, which must be a whole number from low to high (None: SQLite's bound)."""
    return whole_number(request.form.get(name, ""), f"the form field {name!r}", low, high)


def text_arg(name: str) -> str:
    """The query parameter `name` without surrounding spaces; "" when missing."""
    return request.args.get(name, "").strip()


def mode_arg() -> str:
    """The search mode: one of MODES, "hybrid" when missing."""
    mode = request.args.get("mode", "hybrid")
    if mode not in MODES:
        raise BadQueryError(f"parameter 'mode' must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def in_force_on_arg() -> str | None:
    """The date of the "in force on" search filter (YYYY-MM-DD); None when it is off (missing or empty)."""
    raw = text_arg("in_force_on")
    return parse_on(raw, "parameter 'in_force_on'") if raw else None


def not_in_force(readable: frozenset[str] | None, on: str) -> frozenset[str]:
    """The documents the viewer's collections say were not in force on `on`, kept per generation of the index."""
    kept = current_app.extensions.setdefault("policykb_not_in_force", NotInForceKept())
    return kept.get(require_store(), searcher().generation, readable, on)


def filters_from_args() -> Filters:
    """The search filters of the query string, with the collections the viewer may read (never from the request);
    with `in_force_on`, the documents the viewer's collections say were not in force that day are left out."""
    readable = readable_collections()
    on = in_force_on_arg()
    excluded = not_in_force(readable, on) if on else None
    return Filters(
        doc_type=request.args.get("type") or None,
        language=request.args.get("lang") or None,
        year=int_arg("year", None, 1000, 9999),
        doc_id=request.args.get("doc") or None,
        issuer=request.args.get("issuer") or None,
        agency=request.args.get("agency") or None,
        collections=readable,
        excluded_docs=excluded or None,
    )
