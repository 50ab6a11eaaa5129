"""Web security in one place: admin token, CSRF tokens for forms, response headers."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from flask import Flask, abort, current_app, request, session

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def secret_key(data_dir: Path, configured: str | None) -> str:
    """The configured key, or one made once and kept (owner-only) in the data folder."""
    if configured:
        return configured
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def admin_token_problem(given: str | None) -> tuple[int, str] | None:
    """None when `given` is the operator's admin token, else (status, message)."""
    expected = current_app.config["POLICYKB_CONFIG"].admin_token
    if not expected:
        return 403, "uploads and removal are off: the operator has not set POLICYKB_ADMIN_TOKEN"
    if not given:
        return 401, "this needs the admin token (header 'Authorization: Bearer TOKEN' or the form's token field)"
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return 403, "the admin token is wrong"
    return None


def token_from_request() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return request.headers.get("X-Admin-Token") or request.form.get("token") or None


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, "the form has expired or did not come from this site; reload the page and try again")


def init_security(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
