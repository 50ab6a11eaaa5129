"""The viewer: who a request or command acts for, and what their role lets them do."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

# What each role may do, each including the one before: a reader searches, reads and keeps their own briefs; an
# editor also uploads, removes and edits documents and manages the collections they own; an admin also manages users,
# groups, every collection and the settings.
ROLES = ("reader", "editor", "admin")
_ACTIONS = {
    "read": "reader",
    "brief": "reader",
    "upload": "editor",
    "remove": "editor",
    "edit": "editor",
    "manage_collections": "editor",
    "manage_users": "admin",
    "audit": "admin",
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who acts: a signed-in user (id, name, role, groups), or nobody in open mode (`role` "open": a single user on
    their own machine, before any account exists, who reads everything and keeps briefs; documents change only with
    the admin token, as before accounts)."""

    role: str
    name: str | None = None
    user_id: int | None = None
    groups: frozenset[str] = frozenset()

    @property
    def is_open(self) -> bool:
        return self.role == "open"

    @property
    def reads_everything(self) -> bool:
        """Open mode and admins read every collection; everyone else the public ones and their groups'."""
        return self.role in ("open", "admin")

    def can(self, action: str) -> bool:
        """Whether the role allows `action` (a key of _ACTIONS); open mode reads and keeps briefs."""
        needed = _ACTIONS[action]
        if self.is_open:
            return needed == "reader"
        return ROLES.index(self.role) >= ROLES.index(needed)


OPEN = Viewer("open")


def command_line_viewer() -> Viewer:
    """Who a `policykb users|groups|collections` command acts for in the audit log: whoever can write the data
    folder, an admin, named by their login on the server."""
    return Viewer("admin", f"{getpass.getuser()} (command line)")
