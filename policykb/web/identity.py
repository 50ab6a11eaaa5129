"""Who a request comes from, decided once before any view and kept in g.viewer (read by request.current_viewer).

In order: the signed-in user of the session (Flask-Login); a personal API token (`Authorization: Bearer …`); the user
named by a single-sign-on proxy's header (only when configured, and only from the configured proxy addresses); open
mode while no account exists (the default of `make run`: a single user on their own machine). Otherwise nobody is
signed in: pages send to the sign-in page and the API answers 401 in its error shape.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3

from flask import Flask, current_app, g, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from policykb.access import OPEN, Viewer
from policykb.accounts import ANONYMOUS, viewer_for
from policykb.accounts.throttle import LoginThrottle
from policykb.accounts.tokens import note_token_use, token_hash
from policykb.config import Config
from policykb.errors import PolicyKBError, StoreDamagedError
from policykb.store import Store
from policykb.store.records import UserRow
from policykb.web.error_shape import error
from policykb.web.request import current_viewer, get_store
from policykb.web.security import legacy_token_valid, token_from_request

log = logging.getLogger(__name__)
# What nobody signed in may still reach once accounts exist: signing in, static files and the health check.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "ui.favicon", "api.health", "api.openapi"})
SIGN_IN_HINT = (
    "sign in first: send 'Authorization: Bearer TOKEN' with a personal API token (made on the account page, or by "
    "`policykb users token NAME`)"
)


class SignedIn(UserMixin):
    """A user as Flask-Login keeps them in the session: the id with a fingerprint of the password hash, so that a
    new password ends every other session of the user."""

    def __init__(self, user: UserRow) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{password_fingerprint(self.user)}"


def password_fingerprint(user: UserRow) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _load_signed_in(session_id: str) -> SignedIn | None:
    """The session's user, while it is enabled and its password unchanged since it signed in."""
    user_id, _, fingerprint = session_id.partition(":")
    store = get_store()
    if store is None or not user_id.isdigit():
        return None
    user = store.user_by_id(int(user_id))
    if user is None or user.disabled or password_fingerprint(user) != fingerprint:
        return None
    return SignedIn(user)


def init_accounts(app: Flask) -> None:
    """Flask-Login, the login throttle and the hook that sets g.viewer."""
    config: Config = app.config["POLICYKB_CONFIG"]
    manager = LoginManager(app)
    manager.user_loader(_load_signed_in)
    app.extensions["policykb_login_throttle"] = LoginThrottle()
    app.before_request(identify_viewer)
    app.context_processor(lambda: {"viewer": current_viewer()})
    _say_what_the_admin_token_does(config)


def _say_what_the_admin_token_does(config: Config) -> None:
    """Tell the operator, at start, whether POLICYKB_ADMIN_TOKEN still works and how accounts replace it."""
    if not config.admin_token or not config.db_path.exists():
        return
    try:
        with Store(config.db_path, readonly=True) as store:
            has_admin = store.has_admin()
    except (PolicyKBError, sqlite3.Error):  # a damaged store: the health check says so, and the server still starts
        return
    if has_admin:
        log.warning("POLICYKB_ADMIN_TOKEN is ignored now that an admin account exists: unset it")
    else:
        log.warning(
            "POLICYKB_ADMIN_TOKEN allows uploads and removal until an admin account exists: "
            "run `policykb users add NAME --admin` to replace it with accounts"
        )


def identify_viewer():
    """Set g.viewer for this request; send anyone not signed in to the sign-in page (the API: a 401)."""
    try:
        store = get_store()
        has_users = store is not None and store.has_users()
    except (StoreDamagedError, sqlite3.DatabaseError):  # who may read cannot be known: nobody, but the health check
        g.viewer = ANONYMOUS
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        raise
    if not has_users:
        g.viewer = OPEN
        return None
    viewer = _session_viewer() or _token_viewer(store) or _proxy_viewer(store)
    if viewer is None and legacy_token_valid(store):
        viewer = OPEN  # the operator's old admin token, until an admin account exists
    g.viewer = viewer or ANONYMOUS
    if viewer is not None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.path.startswith("/api/"):
        body, status = error(g.get("token_problem") or SIGN_IN_HINT, 401)
        return body, status, {"WWW-Authenticate": 'Bearer realm="policykb"'}
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _session_viewer() -> Viewer | None:
    return viewer_for(current_user.user) if current_user.is_authenticated else None


def _token_viewer(store: Store) -> Viewer | None:
    """The user of a personal token sent as `Authorization: Bearer …`; None without one or for one that is not valid
    (revoked, or its user disabled: refused at the next request after)."""
    given = token_from_request()
    if not given or not request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    found = store.token_owner(token_hash(given))
    if found is None:
        if not legacy_token_valid(store):
            g.token_problem = "the API token is not valid: it was revoked, its user disabled, or it was mistyped"
        return None
    user, token = found
    note_token_use(current_app.config["POLICYKB_CONFIG"].db_path, token)
    return viewer_for(user)


def _proxy_viewer(store: Store) -> Viewer | None:
    """The user named by the trusted proxy's header: only when the setting names a header, and only when the request
    comes from one of the trusted proxy addresses (a header from anyone else is ignored)."""
    config: Config = current_app.config["POLICYKB_CONFIG"]
    if not config.trusted_user_header:
        return None
    name = request.headers.get(config.trusted_user_header, "").strip()
    proxies = {address.strip() for address in config.trusted_proxies.split(",") if address.strip()}
    if not name or request.remote_addr not in proxies:
        return None
    user = store.user(name)
    if user is None or user.disabled:
        log.warning(
            "%s names %r, who has no enabled account: create it with `policykb users add`",
            config.trusted_user_header,
            name,
        )
        return None
    return viewer_for(user)
