"""From an account to the Viewer (policykb.access) it acts as."""

from __future__ import annotations

from policykb.access import Viewer
from policykb.access.viewer import command_line_viewer
from policykb.store.records import UserRow

__all__ = ["ANONYMOUS", "command_line_viewer", "viewer_for"]

# Nobody signed in while accounts exist: reads only what is public. Only the sign-in page and the health check are
# served to it; every other page asks to sign in first.
ANONYMOUS = Viewer("reader")


def viewer_for(user: UserRow) -> Viewer:
    """The viewer a user acts as: its role, name, id and groups."""
    return Viewer(user.role, user.name, user.id, frozenset(user.groups))
