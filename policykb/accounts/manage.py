"""Changing accounts, each change with its audit entry in the same transaction: what the CLI (`policykb users`,
`policykb groups`) and the admin and account pages all call, so that each is done and recorded one way."""

from __future__ import annotations

from dataclasses import dataclass

from policykb.access import ROLES, Viewer
from policykb.access.audit import record
from policykb.accounts.passwords import hash_password
from policykb.accounts.tokens import new_token, token_hash
from policykb.errors import BadQueryError
from policykb.store import Store
from policykb.store.records import GroupRow, TokenRow, UserRow


@dataclass(frozen=True)
class NewUser:
    """A user just made, and how many unowned briefs became theirs (only the first admin takes any)."""

    user: UserRow
    adopted_briefs: int = 0


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadQueryError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def add_user(
    store: Store, actor: Viewer, name: str, role: str, password: str, groups: list[str] = (), address: str | None = None
) -> NewUser:
    """Make an account. The first admin also takes every brief made before accounts (they had no owner)."""
    password_hash = hash_password(password)  # before the transaction: it takes a while, and may refuse the password
    with store.transaction():
        first_admin = check_role(role) == "admin" and not store.has_admin()
        user = store.add_user(name, role, password_hash)
        store.add_user_to_groups(user.id, list(groups))
        adopted = store.adopt_unowned_briefs(user.id) if first_admin else 0
        record(store, actor, "user.create", user.name, address, role=role, groups=sorted(groups), briefs=adopted)
    return NewUser(store.require_user(user.name), adopted)


def _keep_an_admin(store: Store, user: UserRow) -> None:
    """Refuse to take away the last enabled admin: without one, nobody could manage users from the web, and the old
    admin token would count again."""
    admins = [other for other in store.users() if other.role == "admin" and not other.disabled]
    if admins == [user]:
        raise BadQueryError(f"{user.name} is the only admin: make another user admin first")


def disable_user(store: Store, actor: Viewer, name: str, disabled: bool = True, address: str | None = None) -> UserRow:
    """Disable (or enable again) an account: a disabled user's sessions and tokens stop working at their next request."""
    with store.transaction():
        user = store.require_user(name)
        if disabled:
            _keep_an_admin(store, user)
        store.set_disabled(user.id, disabled)
        record(store, actor, "user.disable" if disabled else "user.enable", user.name, address)
    return store.require_user(name)


def set_role(store: Store, actor: Viewer, name: str, role: str, address: str | None = None) -> UserRow:
    with store.transaction():
        user = store.require_user(name)
        if check_role(role) != "admin":
            _keep_an_admin(store, user)
        first_admin = role == "admin" and not store.has_admin()
        store.set_role(user.id, role)
        adopted = store.adopt_unowned_briefs(user.id) if first_admin else 0
        record(store, actor, "user.role", user.name, address, role=role, previous=user.role, briefs=adopted)
    return store.require_user(name)


def set_password(store: Store, actor: Viewer, name: str, password: str, address: str | None = None) -> UserRow:
    """A new password (a reset by an admin, or the user's own change): the user's other sessions end with it."""
    password_hash = hash_password(password)
    with store.transaction():
        user = store.require_user(name)
        store.set_password_hash(user.id, password_hash)
        action = "user.password" if actor.user_id == user.id else "user.password_reset"
        record(store, actor, action, user.name, address)
    return store.require_user(name)


def add_to_groups(store: Store, actor: Viewer, name: str, groups: list[str], address: str | None = None) -> UserRow:
    with store.transaction():
        user = store.require_user(name)
        store.add_user_to_groups(user.id, groups)
        record(store, actor, "user.groups", user.name, address, added=sorted(groups))
    return store.require_user(name)


def add_group(store: Store, actor: Viewer, name: str, address: str | None = None) -> GroupRow:
    with store.transaction():
        group = store.add_group(name)
        record(store, actor, "group.create", group.name, address)
    return group


def create_token(
    store: Store, actor: Viewer, name: str, label: str = "", address: str | None = None
) -> tuple[str, TokenRow]:
    """A new personal token for the user: (the token, shown this once; its stored row)."""
    token = new_token()
    with store.transaction():
        user = store.require_user(name)
        row = store.add_token(user.id, token_hash(token), label.strip())
        record(store, actor, "token.create", user.name, address, token_id=row.id, label=row.label)
    return token, row


def revoke_token(store: Store, actor: Viewer, name: str, token_id: int, address: str | None = None) -> TokenRow:
    with store.transaction():
        user = store.require_user(name)
        row = store.revoke_token(user.id, token_id)
        record(store, actor, "token.revoke", user.name, address, token_id=row.id, label=row.label)
    return row
