"""People: local accounts, the groups they belong to and their personal API tokens (tables users, groups, user_groups
and api_tokens, migration 12). Passwords and tokens arrive here already hashed (policykb.accounts): the store never
sees a password or a token itself."""

from __future__ import annotations

from policykb.errors import BadQueryError, NotFoundError
from policykb.store.base import StoreBase
from policykb.store.records import GroupRow, TokenRow, UserRow

_USER_SQL = """
    SELECT u.id, u.name, u.role, u.disabled, u.created_at, u.password_hash,
           (SELECT json_group_array(g.group_name) FROM user_groups g WHERE g.user_id = u.id) AS groups
    FROM users u
"""
_NOW = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


class People(StoreBase):
    # --- users ------------------------------------------------------------------------------------
    def has_users(self) -> bool:
        """Whether any account exists (none: open mode). False for an index from before accounts, read-only."""
        if not self.has_table("users"):
            return False
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0] == 1

    def has_admin(self) -> bool:
        """Whether an enabled admin account exists (from then on the old admin token no longer works)."""
        if not self.has_table("users"):
            return False
        return (
            self.conn.execute("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0)").fetchone()[0]
            == 1
        )

    def add_user(self, name: str, role: str, password_hash: str | None) -> UserRow:
        """A new enabled account; a name already taken is refused, saying so."""
        name = name.strip()
        if not name:
            raise BadQueryError("a user needs a name")
        with self.transaction():
            if self.user(name) is not None:
                raise BadQueryError(f"a user named {name!r} exists already — `policykb users list` shows them")
            self.conn.execute(
                "INSERT INTO users (name, role, password_hash) VALUES (?, ?, ?)", (name, role, password_hash)
            )
        return self.require_user(name)

    def user(self, name: str) -> UserRow | None:
        row = self.conn.execute(f"{_USER_SQL} WHERE u.name = ?", (name,)).fetchone()
        return UserRow.from_row(row) if row else None

    def user_by_id(self, user_id: int) -> UserRow | None:
        row = self.conn.execute(f"{_USER_SQL} WHERE u.id = ?", (user_id,)).fetchone()
        return UserRow.from_row(row) if row else None

    def require_user(self, name: str) -> UserRow:
        found = self.user(name)
        if found is None:
            raise NotFoundError(f"no user {name!r} — `policykb users list` shows them")
        return found

    def users(self) -> list[UserRow]:
        return [UserRow.from_row(row) for row in self.conn.execute(f"{_USER_SQL} ORDER BY u.name")]

    def set_disabled(self, user_id: int, disabled: bool) -> None:
        self.conn.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))

    def set_role(self, user_id: int, role: str) -> None:
        self.conn.execute("UPDATE users SET role = ? WHERE id = ?", (role, user_id))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    def adopt_unowned_briefs(self, owner_id: int) -> int:
        """Give every brief without an owner (made before accounts) to `owner_id`; how many there were."""
        if not self.has_table("briefs"):
            return 0
        return self.conn.execute("UPDATE briefs SET owner_id = ? WHERE owner_id IS NULL", (owner_id,)).rowcount

    # --- groups -----------------------------------------------------------------------------------
    def add_group(self, name: str) -> GroupRow:
        name = name.strip()
        if not name:
            raise BadQueryError("a group needs a name")
        with self.transaction():
            if self.conn.execute("SELECT 1 FROM groups WHERE name = ?", (name,)).fetchone():
                raise BadQueryError(f"a group named {name!r} exists already — `policykb groups list` shows them")
            self.conn.execute("INSERT INTO groups (name) VALUES (?)", (name,))
        return next(group for group in self.groups() if group.name == name)

    def groups(self) -> list[GroupRow]:
        rows = self.conn.execute(
            """SELECT g.name, g.created_at, (SELECT count(*) FROM user_groups m WHERE m.group_name = g.name)
               FROM groups g ORDER BY g.name"""
        )
        return [GroupRow(*row) for row in rows]

    def add_user_to_groups(self, user_id: int, groups: list[str]) -> None:
        """Add the user to each group (which must exist); a group it is in already stays as it is."""
        known = {row[0] for row in self.conn.execute("SELECT name FROM groups")}
        missing = sorted(set(groups) - known)
        if missing:
            raise NotFoundError(f"no group {', '.join(map(repr, missing))} — create it with `policykb groups add`")
        self.conn.executemany(
            "INSERT OR IGNORE INTO user_groups (user_id, group_name) VALUES (?, ?)", ((user_id, g) for g in groups)
        )

    def remove_user_from_group(self, user_id: int, group: str) -> None:
        self.conn.execute("DELETE FROM user_groups WHERE user_id = ? AND group_name = ?", (user_id, group))

    # --- personal API tokens ------------------------------------------------------------------------
    def add_token(self, user_id: int, token_hash: str, label: str = "") -> TokenRow:
        cursor = self.conn.execute(
            "INSERT INTO api_tokens (user_id, token_hash, label) VALUES (?, ?, ?)", (user_id, token_hash, label)
        )
        return self._token(cursor.lastrowid)

    def _token(self, token_id: int) -> TokenRow:
        row = self.conn.execute(
            "SELECT id, user_id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE id = ?", (token_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no token {token_id}")
        return TokenRow(*row)

    def tokens(self, user_id: int) -> list[TokenRow]:
        rows = self.conn.execute(
            "SELECT id, user_id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? "
            "ORDER BY id",
            (user_id,),
        )
        return [TokenRow(*row) for row in rows]

    def revoke_token(self, user_id: int, token_id: int) -> TokenRow:
        """Revoke one of the user's tokens (at once: the next request with it is refused)."""
        cursor = self.conn.execute(
            f"UPDATE api_tokens SET revoked_at = {_NOW} WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
            (token_id, user_id),
        )
        if cursor.rowcount == 0 and not any(t.id == token_id for t in self.tokens(user_id)):
            raise NotFoundError(f"no token {token_id} of this user — the account page lists them")
        return self._token(token_id)

    def token_owner(self, token_hash: str) -> tuple[UserRow, TokenRow] | None:
        """The enabled user holding this unrevoked token, and the token; None for any other."""
        row = self.conn.execute(
            "SELECT t.id, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0",
            (token_hash,),
        ).fetchone()
        return (self.require_user(row[1]), self._token(row[0])) if row else None

    def touch_token(self, token_id: int) -> None:
        self.conn.execute(f"UPDATE api_tokens SET last_used_at = {_NOW} WHERE id = ?", (token_id,))
