"""One error shape: {"ok": false, "error", "status"} for everything under /api/; pages keep Flask's, except that an
upload over the size limit says so on the upload page."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from policykb.errors import PolicyKBError

log = logging.getLogger(__name__)


def error(message: str, status: int):
    return jsonify({"ok": False, "error": message, "status": status}), status


def http_error(exc: HTTPException, message: str | None = None):
    """An HTTP error in the error shape, with the headers it calls for: a 405's Allow, which HTTP requires."""
    body, status = error(message or exc.description or exc.name, exc.code or 500)
    return body, status, [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]


def json_errors(bp: Blueprint) -> None:
    """The blueprint's refusals (PolicyKBError) and HTTP errors in the error shape."""

    @bp.errorhandler(PolicyKBError)
    def _policykb_error(exc: PolicyKBError):
        return error(str(exc), exc.status)

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return http_error(exc)


def size_label(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{max(1, size // 1024)} KB"


def register_error_shape(app: Flask) -> None:
    """Errors under /api/ that never reached the blueprint (unknown routes, too large, crashes) get the same shape."""

    @app.errorhandler(HTTPException)
    def _app_http_error(exc: HTTPException):
        too_large = f"the file is over the {size_label(current_app.config['POLICYKB_CONFIG'].max_file_bytes)} limit"
        if request.path.startswith("/api/"):
            return http_error(exc, too_large if exc.code == 413 else None)
        if exc.code == 413:
            config = current_app.config["POLICYKB_CONFIG"]
            return render_template(
                "upload.html",
                enabled=bool(config.admin_token),
                limit_mb=config.max_file_bytes // 2**20,
                message=f"{too_large}; split it or ask the operator to raise POLICYKB_MAX_FILE_MB",
            ), 413
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return error("internal error; the server log has the details", 500)
        return "Internal error; the server log has the details.", 500
