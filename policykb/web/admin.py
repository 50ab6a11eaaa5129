"""Admin pages for users and groups: list, add, disable, set a role, reset a password, add to groups. Only for a
viewer who may manage users (an admin); each change goes through policykb.accounts.manage, with its audit entry."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from policykb.access import ROLES
from policykb.accounts import manage
from policykb.errors import PolicyKBError
from policykb.web.request import current_viewer, get_store, writable_store

bp = Blueprint("admin", __name__)


@bp.before_request
def _admins_only():
    if not current_viewer().can("manage_users"):
        abort(403, "only an admin manages users and groups")


def _users_page(message: str | None = None, status: int = 200):
    store = get_store()
    context = {"users": store.users(), "groups": store.groups(), "roles": ROLES, "message": message}
    return render_template("admin_users.html", **context), status


@bp.errorhandler(PolicyKBError)
def _refused(exc: PolicyKBError):
    """A refused change (a name taken, a short password, an unknown group) is said on the page it came from."""
    if request.endpoint == "admin.add_group":
        return _groups_page(str(exc), exc.status)
    return _users_page(str(exc), exc.status)


@bp.get("/admin/users")
def users():
    return _users_page()


@bp.post("/admin/users")
def add_user():
    form = request.form
    with writable_store() as store:
        made = manage.add_user(
            store,
            current_viewer(),
            form.get("name", ""),
            form.get("role", "reader"),
            form.get("password", ""),
            form.getlist("groups"),
            request.remote_addr,
        )
    return _users_page(f"added {made.user.name} ({made.user.role})", 201)


@bp.post("/admin/users/<name>/<change>")
def change_user(name: str, change: str):
    """One change to a user: disable, enable, role, password or groups (the form's fields carry the new value)."""
    actor, address, form = current_viewer(), request.remote_addr, request.form
    with writable_store() as store:
        if change in ("disable", "enable"):
            if name == actor.name and change == "disable":
                return _users_page("you cannot disable your own account", 400)
            manage.disable_user(store, actor, name, change == "disable", address)
        elif change == "role":
            manage.set_role(store, actor, name, form.get("role", ""), address)
        elif change == "password":
            manage.set_password(store, actor, name, form.get("password", ""), address)
        elif change == "groups":
            manage.add_to_groups(store, actor, name, form.getlist("groups"), address)
        else:
            abort(404)
    return redirect(url_for("admin.users"), code=303)


def _groups_page(message: str | None = None, status: int = 200):
    return render_template("admin_groups.html", groups=get_store().groups(), message=message), status


@bp.get("/admin/groups")
def groups():
    return _groups_page()


@bp.post("/admin/groups")
def add_group():
    with writable_store() as store:
        group = manage.add_group(store, current_viewer(), request.form.get("name", ""), request.remote_addr)
    return _groups_page(f"added group {group.name}", 201)
