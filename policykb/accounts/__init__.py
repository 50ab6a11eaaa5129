"""Who a viewer is: local accounts with hashed passwords, personal API tokens, login throttling, and the Viewer
(policykb.access) a signed-in user acts as. What a viewer may read and do follows in policykb.access."""

from policykb.accounts.viewers import ANONYMOUS, viewer_for

__all__ = ["ANONYMOUS", "viewer_for"]
