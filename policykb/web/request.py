"""The request layer every blueprint shares: this request's store and searcher, and its parameters read and checked."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from policykb.errors import BadQueryError, IndexNotReadyError
from policykb.search.searcher import MODES, Searcher
from policykb.store import Filters, Store


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


def close_store(_exc: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


def searcher() -> Searcher:
    """The Searcher the app shares across requests (policykb.web.state), of the index's current generation."""
    return current_app.extensions["policykb"].get()


def init_request(app: Flask) -> None:
    app.teardown_appcontext(close_store)


# --- parameters -----------------------------------------------------------------------------------
def whole_number(raw: str, what: str, low: int | None = None, high: int | None = None) -> int:
    """`raw` as a whole number from low to high (None: no bound); a BadQueryError (400) naming `what` otherwise."""
    try:
        value = int(raw)
    except ValueError:
        raise BadQueryError(f"{what} must be a whole number, got {raw!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise BadQueryError(f"{what} must be {_bounds(low, high)}, got {value}")
    return value


def _bounds(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


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


def form_int(name: str) -> int:
    """The form field `name`, which must be a whole number (of any sign)."""
    return whole_number(request.form.get(name, "").strip(), f"the form field {name!r}")


def text_arg(name: str) -> str:
    """The query parameter `name` without surrounding spaces; "" when missing."""
    return request.args.get(name, "").strip()


def mode_arg() -> str:
    """The search mode: one of MODES, "hybrid" when missing."""
    mode = request.args.get("mode", "hybrid")
    if mode not in MODES:
        raise BadQueryError(f"parameter 'mode' must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def filters_from_args() -> Filters:
    return Filters(
        doc_type=request.args.get("type") or None,
        language=request.args.get("lang") or None,
        year=int_arg("year", None, 1000, 9999),
        doc_id=request.args.get("doc") or None,
        issuer=request.args.get("issuer") or None,
        agency=request.args.get("agency") or None,
    )
