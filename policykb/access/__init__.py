"""Who is asking and what they may read and do: the viewer of a request or command, the collections it may read, and
the audit log of changes. Accounts (policykb.accounts) say who a viewer is; this package says what follows from it."""

from policykb.access.viewer import OPEN, ROLES, Viewer

__all__ = ["OPEN", "ROLES", "Viewer"]
