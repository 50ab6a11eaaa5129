"""Who may read, change and share a brief: its owner, the users and groups it is shared with (as viewer or editor),
and admins. A brief a viewer may not read does not exist for them (404); one they may read but not change says so (403).

In open mode (no accounts) every brief is everyone's, as before accounts. A brief made before accounts has no owner:
admins see it, and until an admin exists everyone reads and changes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from policykb.access import Viewer
from policykb.briefs.model import no_brief
from policykb.errors import BadQueryError, NotAllowedError, NotFoundError
from policykb.store import Store

VIEWER, EDITOR, OWNER = "viewer", "editor", "owner"  # what a viewer may do with a brief, each including the one before
SHARE_ROLES = (VIEWER, EDITOR)
_RANK = {None: 0, VIEWER: 1, EDITOR: 2, OWNER: 3}
# What a refusal says, by the access it needed: the viewer can read the brief (or they would be told it does not exist).
_REFUSALS = {
    EDITOR: "you can read this brief but not change it — ask its owner to share it with you as editor",
    OWNER: "only the brief's owner or an admin can {doing} — ask its owner",
}


class BriefForbiddenError(NotAllowedError):
    """A change to a brief the viewer may read but not change (or not share, or not delete)."""


@dataclass(frozen=True, slots=True)
class Share:
    """A brief shared with one user (by name) or one group, as viewer or editor."""

    role: str
    user: str | None = None
    group: str | None = None

    def to_json(self) -> dict:
        return {"user": self.user, "group": self.group, "role": self.role}


class BriefAccess:
    """What one viewer may do with the briefs of one store."""

    def __init__(self, store: Store, viewer: Viewer) -> None:
        self.store, self.viewer = store, viewer
        self._shared: dict[int, str] | None = None
        self._admin_exists: bool | None = None

    def level(self, brief_id: int, owner_id: int | None) -> str | None:
        """OWNER (change, share, delete), EDITOR (change), VIEWER (read), or None (the brief is invisible)."""
        viewer = self.viewer
        if viewer.is_open or viewer.role == "admin":
            return OWNER
        if owner_id is not None and owner_id == viewer.user_id:
            return OWNER
        if owner_id is None and not self.admin_exists():
            return EDITOR
        return self.shared().get(brief_id)

    def require(self, brief_id: int, needed: str, doing: str = "do this") -> str:
        """The viewer's level on the brief, at least `needed`: else a 404 when they may not read it (as for a brief
        that does not exist), a 403 saying who can when they may read it."""
        row = self.store.conn.execute("SELECT * FROM briefs WHERE id = ?", (brief_id,)).fetchone()
        owner_id = row["owner_id"] if row is not None and "owner_id" in row.keys() else None
        level = None if row is None else self.level(brief_id, owner_id)
        if level is None:
            raise no_brief(brief_id)
        if _RANK[level] < _RANK[needed]:
            raise BriefForbiddenError(_REFUSALS[needed].format(doing=doing))
        return level

    def visible(self, rows: list[dict]) -> list[dict]:
        """The rows (Briefs.list()) this viewer may read, each with its `access` (level) and `section`: "mine", "shared"
        (with me) or "other" (an admin's view of others' briefs, and briefs made before accounts)."""
        shown = []
        for row in rows:
            level = self.level(row["id"], row["owner_id"])
            if level is None:
                continue
            mine = self.viewer.is_open or (row["owner_id"] is not None and row["owner_id"] == self.viewer.user_id)
            section = "mine" if mine else "shared" if row["id"] in self.shared() else "other"
            shown.append({**row, "access": level, "section": section})
        return shown

    def shared(self) -> dict[int, str]:
        """brief id -> VIEWER or EDITOR, for the briefs shared with the viewer or with one of their groups."""
        if self._shared is None:
            self._shared = {}
            if self.viewer.user_id is not None or self.viewer.groups:
                marks = ", ".join("?" * len(self.viewer.groups))
                rows = self.store.conn.execute(
                    "SELECT brief_id, max(role = 'editor') FROM brief_shares"
                    f" WHERE user_id = ? OR group_name IN ({marks}) GROUP BY brief_id",
                    (self.viewer.user_id, *sorted(self.viewer.groups)),
                )
                self._shared = {brief_id: EDITOR if editor else VIEWER for brief_id, editor in rows}
        return self._shared

    def admin_exists(self) -> bool:
        if self._admin_exists is None:
            self._admin_exists = bool(
                self.store.conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0)"
                ).fetchone()[0]
            )
        return self._admin_exists

    def editable(self, rows: list[dict]) -> list[dict]:
        """The visible rows the viewer may change: where a pin can go."""
        return [row for row in self.visible(rows) if _RANK[row["access"]] >= _RANK[EDITOR]]


# --- shares -----------------------------------------------------------------------------------------
def shares(store: Store, brief_id: int) -> list[Share]:
    """Whom the brief is shared with: users by name, then groups (nobody on an index from before accounts)."""
    if not store.has_table("brief_shares"):
        return []
    rows = store.conn.execute(
        """SELECT s.role, u.name, s.group_name FROM brief_shares s LEFT JOIN users u ON u.id = s.user_id
           WHERE s.brief_id = ? ORDER BY s.group_name IS NOT NULL, u.name, s.group_name""",
        (brief_id,),
    )
    return [Share(role, user, group) for role, user, group in rows]


def _user_id(store: Store, name: str) -> int:
    row = store.conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFoundError(f"no user {name!r} to share with — `policykb users list` shows them")
    return row[0]


def _check_share(store: Store, brief_id: int, share: Share) -> int | None:
    """The share's user id (None for a group), once the share is one that can be made."""
    if (share.user is None) == (share.group is None):
        raise BadQueryError("share with a user or with a group: give one of them")
    if share.role not in SHARE_ROLES:
        raise BadQueryError(f"share as {' or '.join(SHARE_ROLES)}, not {share.role!r}")
    if share.group is not None:
        if not store.conn.execute("SELECT 1 FROM groups WHERE name = ?", (share.group,)).fetchone():
            raise NotFoundError(f"no group {share.group!r} to share with — `policykb groups list` shows them")
        return None
    user_id = _user_id(store, share.user)
    owner = store.conn.execute("SELECT owner_id FROM briefs WHERE id = ?", (brief_id,)).fetchone()
    if owner is not None and owner[0] == user_id:
        raise BadQueryError(f"{share.user!r} owns this brief already")
    return user_id


def share(store: Store, brief_id: int, given: Share) -> None:
    """Share the brief with a user or group as viewer or editor, replacing what they had."""
    with store.transaction():
        user_id = _check_share(store, brief_id, given)
        _revoke(store, brief_id, user_id, given.group)
        store.conn.execute(
            "INSERT INTO brief_shares (brief_id, user_id, group_name, role) VALUES (?, ?, ?, ?)",
            (brief_id, user_id, given.group, given.role),
        )


def revoke(store: Store, brief_id: int, user: str | None = None, group: str | None = None) -> bool:
    """Stop sharing the brief with the user or group; whether it was shared with them."""
    with store.transaction():
        return _revoke(store, brief_id, None if user is None else _user_id(store, user), group) > 0


def _revoke(store: Store, brief_id: int, user_id: int | None, group: str | None) -> int:
    return store.conn.execute(
        "DELETE FROM brief_shares WHERE brief_id = ? AND user_id IS ? AND group_name IS ?", (brief_id, user_id, group)
    ).rowcount


def replace_shares(store: Store, brief_id: int, wanted: list[Share]) -> None:
    """Share the brief with exactly `wanted` (each user or group once), in one transaction."""
    targets = [(s.user, s.group) for s in wanted]
    if len(set(targets)) != len(targets):
        raise BadQueryError("each user and group can be named once in a brief's shares")
    with store.transaction():
        store.conn.execute("DELETE FROM brief_shares WHERE brief_id = ?", (brief_id,))
        for given in wanted:
            share(store, brief_id, given)
