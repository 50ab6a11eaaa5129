"""JSON API: /api/search and /api/health, with one error shape everywhere."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from policykb.errors import BadQueryError, IndexNotReadyError, NotFoundError, PolicyKBError
from policykb.index.search import MODES
from policykb.index.store import Filters
from policykb.webapp.state import searcher

bp = Blueprint("api", __name__)
log = logging.getLogger(__name__)


def error(message: str, status: int):
    return jsonify({"ok": False, "error": message, "status": status}), status


@bp.errorhandler(PolicyKBError)
def _policykb_error(exc: PolicyKBError):
    status = {BadQueryError: 400, NotFoundError: 404, IndexNotReadyError: 503}.get(type(exc), 500)
    return error(str(exc), status)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error(exc.description or exc.name, exc.code or 500)


def register_error_shape(app: Flask) -> None:
    """Errors under /api/ that never reached the blueprint (unknown routes, crashes) get the same shape."""

    @app.errorhandler(HTTPException)
    def _app_http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return error(exc.description or exc.name, exc.code or 500)
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return error("internal error; the server log has the details", 500)
        return "Internal error; the server log has the details.", 500


def _int_arg(name: str, default: int | None, low: int = 1, high: int = 10**6) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQueryError(f"parameter {name!r} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise BadQueryError(f"parameter {name!r} must be between {low} and {high}, got {value}")
    return value


def filters_from_args() -> Filters:
    return Filters(
        doc_type=request.args.get("type") or None,
        language=request.args.get("lang") or None,
        year=_int_arg("year", None, 1000, 9999),
        doc_id=request.args.get("doc") or None,
    )


@bp.get("/search")
def search():
    query = request.args.get("q", "").strip()
    if not query:
        raise BadQueryError("parameter 'q' is required, e.g. /api/search?q=social+insurance")
    mode = request.args.get("mode", "hybrid")
    if mode not in MODES:
        raise BadQueryError(f"parameter 'mode' must be one of {', '.join(MODES)}, got {mode!r}")
    result = searcher().search(query, mode, filters_from_args(), _int_arg("k", 10, 1, 100), _int_arg("page", 1))
    return jsonify({"ok": True, **result.to_json()})


@bp.get("/health")
def health():
    try:
        current = searcher()
    except IndexNotReadyError as exc:
        return error(str(exc), 503)
    return jsonify({"ok": True, "generation": current.generation, "chunks": current.vectors.size})
