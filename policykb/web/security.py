"""Web security in one place: who may change documents (an editor's account, or the admin token until an admin
account exists), CSRF tokens checked on every form post, response headers."""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask, abort, current_app, request, session
from werkzeug.exceptions import HTTPException

from policykb.disk import write_or_remove, writing
from policykb.errors import StorageError
from policykb.store import Store
from policykb.web.request import current_viewer, get_store

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def secret_key(data_dir: Path, configured: str | None) -> str:
    """The configured key, or one made once and kept (owner-only) in the data folder."""
    if configured:
        return configured
    path = data_dir / "secret_key"
    if not path.exists() or not path.read_text().strip():  # empty: left by a full disk before writes were checked
        key = secrets.token_urlsafe(32)
        try:
            with writing(data_dir):
                data_dir.mkdir(parents=True, exist_ok=True)
            write_or_remove(path, lambda target: target.write_text(key))
            path.chmod(0o600)
        except StorageError as error:  # a full disk must not stop the server: this run keeps its key in memory
            logging.getLogger(__name__).warning("%s (sessions last until the server stops)", error)
            return key
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


def legacy_token_valid(store: Store) -> bool:
    """Whether the request carries the operator's admin token while it still counts: until an admin account exists."""
    return admin_token_problem(token_from_request()) is None and not store.has_admin()


def _change_action() -> str:
    """What the guarded view does, as an action of policykb.access: removing a document, editing its details, or
    uploading one."""
    endpoint = request.endpoint or ""
    if request.method == "DELETE" or endpoint.endswith("remove"):
        return "remove"
    return "edit" if request.method == "PATCH" or endpoint.endswith("edit_details") else "upload"


def change_problem() -> tuple[int, str] | None:
    """None when this request may upload or remove documents, else (status, message).

    A signed-in editor or admin may. The admin token (POLICYKB_ADMIN_TOKEN) may too, until an admin account exists:
    from then on accounts decide alone."""
    viewer, action = current_viewer(), _change_action()
    if not viewer.is_open and viewer.can(action):
        return None
    store = get_store()
    if store is not None and store.has_admin():
        if viewer.name is None:
            return 401, f"sign in as an editor or admin to {action} documents (the admin token no longer works)"
        return 403, f"{viewer.name} is a {viewer.role}: to {action} documents needs an editor or admin account"
    return admin_token_problem(token_from_request())


def uploads_offered() -> tuple[bool, bool]:
    """(whether the upload form is offered to this request's viewer, whether it asks for the admin token)."""
    viewer = current_viewer()
    if not viewer.is_open and viewer.can("upload"):
        return True, False
    store = get_store()
    token_counts = bool(current_app.config["POLICYKB_CONFIG"].admin_token) and not (store and store.has_admin())
    return token_counts, token_counts


class AdminRefused(HTTPException):
    """The admin token is missing (401) or wrong, or uploads and removal are off (403)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code


def admin_required(view: Callable) -> Callable:
    """Runs the view only for who may change documents (change_problem), else AdminRefused."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        problem = change_problem()
        if problem:
            raise AdminRefused(*problem)
        return view(*args, **kwargs)

    return checked


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


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def init_security(app: Flask, csrf_exempt: Iterable[str] = ()) -> None:
    """`csrf_exempt`: blueprints that need no form token, because a cross-site page cannot send what they take: the
    admin token (which it does not know) or a JSON body (which a form cannot send)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    exempt = frozenset(csrf_exempt)

    @app.before_request
    def _csrf():
        """Every change through a page's form carries this session's token: checked here, once, before any view."""
        if request.method not in SAFE_METHODS and request.url_rule is not None and request.blueprint not in exempt:
            check_csrf()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
