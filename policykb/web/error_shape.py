"""One error shape: {"ok": false, "error", "status"} for everything under /api/; pages show the same refusals on the
site's error page (an upload over the size limit on the upload page)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from policykb.errors import PolicyKBError

log = logging.getLogger(__name__)


def error(message: str, status: int):
    return jsonify({"ok": False, "error": said(message), "status": status}), status


def said(refusal: Exception | str, data_dir: Path | None = None) -> str:
    """What a web user is told of a refusal: its words, with the server's data folder (`data_dir`, else the app's)
    written DATA wherever a path names it, so that no answer shows where the server keeps its files ("… while writing
    DATA/uploads/…"); other words that hold the folder's name stay as they are."""
    data_dir = data_dir or current_app.config["POLICYKB_CONFIG"].data_dir
    absolute = sorted({str(data_dir.resolve()), str(data_dir.absolute())}, key=len, reverse=True)
    message = str(refusal)
    # An absolute path starts the message or follows a space, quote or parenthesis, and ends at a separator, a space,
    # a quote or the end of a sentence; the folder as configured, if relative, only where a path goes on inside it.
    ends = r"(?=$|[/\s'\")]|[.,;:](?:\s|$))"
    for folder in absolute:
        message = re.sub(rf"(?<![^\s'\"(]){re.escape(folder)}{ends}", "DATA", message)
    if not data_dir.is_absolute():
        message = re.sub(rf"(?<![^\s'\"(]){re.escape(str(data_dir))}(?=/)", "DATA", message)
    return message


def _http_message(exc: HTTPException) -> str:
    """What the error shape says for an HTTP error: the size limit for a 413, else its description."""
    return too_large() if exc.code == 413 else exc.description or exc.name


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
        return http_error(exc, _http_message(exc))


def size_label(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{max(1, size // 1024)} KB"


def too_large() -> str:
    """What a 413 says, on the upload page and in the API alike."""
    limit = size_label(current_app.config["POLICYKB_CONFIG"].max_file_bytes)
    return f"the file is over the {limit} limit; split it, or ask the operator to raise POLICYKB_MAX_FILE_MB"


def _error_page(exc: HTTPException):
    """An HTTP error of a page (a document you may not read, a role refused) on the site's own error page, with its
    navigation and sign-out, and with the headers HTTP asks for (a 405's Allow); a response given to abort() as is."""
    if exc.response is not None or exc.code is None:
        return exc
    body = render_template("error.html", message=exc.description or exc.name, status=exc.code)
    return body, exc.code, [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]


def register_error_shape(app: Flask) -> None:
    """Errors that no blueprint handled (unknown routes, too large, refusals before any view, crashes): the error shape
    under /api/, a page saying what went wrong elsewhere."""

    @app.errorhandler(PolicyKBError)
    def _app_policykb_error(exc: PolicyKBError):
        if request.path.startswith("/api/"):
            return error(str(exc), exc.status)
        return render_template("error.html", message=said(exc), status=exc.status), exc.status

    @app.errorhandler(HTTPException)
    def _app_http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return http_error(exc, _http_message(exc))
        if exc.code == 413:
            from policykb.web.security import uploads_offered

            config = current_app.config["POLICYKB_CONFIG"]
            enabled, needs_token = uploads_offered()
            return render_template(
                "upload.html",
                enabled=enabled,
                needs_token=needs_token,
                limit_mb=config.max_file_bytes // 2**20,
                message=too_large(),
            ), 413
        return _error_page(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return error("internal error; the server log has the details", 500)
        return "Internal error; the server log has the details.", 500
