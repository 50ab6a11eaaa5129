"""Signing in and out, and the account page: a new password, personal API tokens made (shown once) and revoked.

Every form here carries the CSRF token (policykb.web.security checks it before the view)."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from policykb.access.audit import record
from policykb.accounts import manage
from policykb.accounts.passwords import verify
from policykb.errors import PolicyKBError
from policykb.web.error_shape import said
from policykb.web.identity import SignedIn
from policykb.web.request import current_viewer, get_store, writable_store

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site, which `//host` would be)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("ui.index")


def _login_page(message: str | None = None, status: int = 200):
    context = {"message": message, "next": request.values.get("next", ""), "name": request.form.get("name", "")}
    return render_template("login.html", **context), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return _login_page()
    name, password = request.form.get("name", "").strip(), request.form.get("password", "")
    address = request.remote_addr
    throttle = current_app.extensions["policykb_login_throttle"]
    refusal = throttle.refusal(name, address)
    if refusal:
        return _login_page(refusal, 429)
    store = get_store()
    user = store.user(name) if store is not None and name else None
    matches, new_hash = verify(user.password_hash if user and not user.disabled else None, password)
    if not matches:
        if throttle.failed(name, address):
            record_throttled(name, address)
        return _login_page("wrong name or password (or the account is disabled)", 401)
    throttle.succeeded(name, address)
    if new_hash:  # made with older parameters: stored again with today's
        with writable_store() as writable:
            writable.set_password_hash(user.id, new_hash)
            user = writable.require_user(user.name)
    _start_session(SignedIn(user))
    return redirect(_safe_next(request.form.get("next")), code=303)


def _start_session(signed_in: SignedIn) -> None:
    """A new session for the signed-in user: nothing of the one before is kept, so that a session id planted before
    sign-in is worth nothing after it (session fixation); a new CSRF token with it."""
    session.clear()
    login_user(signed_in)
    session.permanent = True  # lasts POLICYKB_SESSION_HOURS
    session["sid"] = secrets.token_urlsafe(16)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"), code=303)


# --- the account page ----------------------------------------------------------------------------
def _signed_in_name() -> str:
    viewer = current_viewer()
    if viewer.user_id is None:
        abort(404, "there is no account page in open mode: no account exists yet (`policykb users add NAME --admin`)")
    return viewer.name


def _account_page(message: str | None = None, new_token: str | None = None, status: int = 200):
    name = _signed_in_name()
    store = get_store()
    user = store.require_user(name)
    context = {"user": user, "tokens": store.tokens(user.id), "message": message, "new_token": new_token}
    return render_template("account.html", **context), status


@bp.get("/account")
def account():
    return _account_page()


@bp.post("/account/password")
def change_password():
    name = _signed_in_name()
    user = get_store().require_user(name)
    if not verify(user.password_hash, request.form.get("current", ""))[0]:
        return _account_page("the current password is wrong", status=400)
    if request.form.get("new", "") != request.form.get("confirm", ""):
        return _account_page("the new password and its confirmation differ", status=400)
    try:
        with writable_store() as store:
            user = manage.set_password(store, current_viewer(), name, request.form.get("new", ""), request.remote_addr)
    except PolicyKBError as exc:
        return _account_page(said(exc), status=exc.status)
    _start_session(SignedIn(user))  # this session goes on; every other one of this user ends
    return _account_page("password changed; your other sessions have ended")


@bp.post("/account/tokens")
def create_token():
    name = _signed_in_name()
    with writable_store() as store:
        token, _row = manage.create_token(
            store, current_viewer(), name, request.form.get("label", ""), request.remote_addr
        )
    return _account_page("copy the new token now: it is shown this once", new_token=token)


@bp.post("/account/tokens/<id:token_id>/revoke")
def revoke_token(token_id: int):
    name = _signed_in_name()
    with writable_store() as store:
        manage.revoke_token(store, current_viewer(), name, token_id, request.remote_addr)
    return redirect(url_for("auth.account"), code=303)


def record_throttled(name: str, address: str | None) -> None:
    """An audit entry for a sign-in refused by the throttle (who tried which name, from where)."""
    with writable_store() as store:
        record(store, current_viewer(), "login.throttled", name, address)
