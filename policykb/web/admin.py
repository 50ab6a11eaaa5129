"""Admin pages: users and groups (list, add, disable, set a role, reset a password, add to groups) and the audit log,
for admins; collections (who may read each), for admins and for editors over the collections they own. Each change
goes through policykb.accounts.manage or policykb.access.collections, with its audit entry."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from policykb.access import ROLES
from policykb.access.collections import may_manage, save
from policykb.accounts import manage
from policykb.errors import PolicyKBError
from policykb.web.error_shape import said
from policykb.web.request import current_viewer, get_store, int_arg, writable_store

bp = Blueprint("admin", __name__)


# What each page of this blueprint needs of the viewer; the others need an admin.
_NEEDS = {"admin.collections": "manage_collections", "admin.save_collection": "manage_collections"}


@bp.before_request
def _admins_only():
    if not current_viewer().can(_NEEDS.get(request.endpoint, "manage_users")):
        abort(403, "only an admin manages users, groups and the audit log; editors, their own collections")


def _users_page(message: str | None = None, status: int = 200):
    store = get_store()
    context = {"users": store.users(), "groups": store.groups(), "roles": ROLES, "message": message}
    return render_template("admin_users.html", **context), status


@bp.errorhandler(PolicyKBError)
def _refused(exc: PolicyKBError):
    """A refused change (a name taken, a short password, an unknown group) is said on the page it came from."""
    if request.endpoint == "admin.add_group":
        return _groups_page(said(exc), exc.status)
    if request.endpoint == "admin.save_collection":
        return _collections_page(said(exc), exc.status)
    return _users_page(said(exc), exc.status)


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


def _collections_page(message: str | None = None, status: int = 200):
    store, viewer = get_store(), current_viewer()
    rows = [(row, may_manage(viewer, row)) for row in store.collections()]
    context = {"collections": rows, "groups": store.groups(), "message": message}
    return render_template("admin_collections.html", **context), status


@bp.get("/admin/collections")
def collections():
    return _collections_page()


@bp.post("/admin/collections")
def save_collection():
    """Create a collection or change who may read it: public, or the groups ticked."""
    name, groups = request.form.get("name", "").strip(), request.form.getlist("groups")
    with writable_store() as store:
        row, created = save(store, current_viewer(), name, not groups, groups, address=request.remote_addr)
    who = "anyone" if row.public else "groups " + ", ".join(row.groups)
    return _collections_page(f"{'created' if created else 'changed'} collection {row.name}: readable by {who}", 201)


@bp.get("/admin/audit")
def audit():
    """The latest entries of the audit log, newest first (as `policykb audit`)."""
    limit = int_arg("limit", 200, 1, 10_000)
    return render_template("admin_audit.html", entries=get_store().audit_entries(limit), limit=limit)
