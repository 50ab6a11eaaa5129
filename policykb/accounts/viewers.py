"""From an account to the Viewer (policykb.access) it acts as."""

from __future__ import annotations

import getpass

from policykb.access import Viewer
from policykb.store.records import UserRow

# Nobody signed in while accounts exist: reads only what is public. Only the sign-in page and the health check are
# served to it; every other page asks to sign in first.
ANONYMOUS = Viewer("reader")


def viewer_for(user: UserRow) -> Viewer:
    """The viewer a user acts as: its role, name, id and groups."""
    return Viewer(user.role, user.name, user.id, frozenset(user.groups))


def command_line_viewer() -> Viewer:
    """Who a `policykb users|groups` command acts for in the audit log: whoever can write the data folder, an admin."""
    return Viewer("admin", f"{getpass.getuser()} (command line)")
