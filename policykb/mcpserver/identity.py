"""Who the MCP server acts for, by the rules of a signed-in user (policykb.access, policykb.accounts).

- stdio: the user named by `--user NAME`, else the owner of the personal token in POLICYKB_TOKEN, else — only while no
  account exists (open mode) — the open viewer. The process runs with the data folder's rights, as every `policykb`
  command does, so naming a user is enough; the account must exist and be enabled, checked at start and again at
  every call (a user disabled meanwhile is refused at their next call).
- streamable HTTP: a personal token in `Authorization: Bearer …` on every request, checked by the SDK's bearer
  middleware through `PersonalTokens`; a request without a valid one is a 401 before any tool runs. Tokens exist only
  with accounts, so the HTTP transport needs one (open mode has no one to give a token to: use stdio there).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken

from policykb.access import OPEN, Viewer
from policykb.accounts import viewer_for
from policykb.accounts.tokens import note_token_use, token_hash
from policykb.errors import NotAllowedError
from policykb.store import Store

TOKEN_ENV = "POLICYKB_TOKEN"  # the stdio server's personal token, when --user does not name the user (Config.mcp_token)
SAY_WHO = (
    f"accounts exist, so say whom the MCP server acts for: `policykb mcp --user NAME`, or a personal token in "
    f"{TOKEN_ENV} (made by `policykb users token NAME`)"
)


class NotSignedInError(NotAllowedError):
    """The MCP server cannot tell who asks, or the user it was told is not (or no longer) allowed in."""

    status = 401


@dataclass(frozen=True)
class StdioIdentity:
    """The stdio server's one user: by name, by personal token, or open mode (neither, while no account exists)."""

    user: str | None = None
    token: str | None = None

    def viewer(self, store: Store) -> Viewer:
        if self.user:
            found = store.user(self.user)
            if found is None or found.disabled:
                raise NotSignedInError(
                    f"--user {self.user!r}: no enabled account of that name — `policykb users list` shows them"
                )
            return viewer_for(found)
        if self.token:
            return token_viewer(store, self.token, f"the token in {TOKEN_ENV}")
        if store.has_users():
            raise NotSignedInError(SAY_WHO)
        return OPEN


@dataclass(frozen=True)
class HttpIdentity:
    """The user of this HTTP request's personal token (read from the SDK's authentication context)."""

    def viewer(self, store: Store) -> Viewer:
        access = get_access_token()
        if access is None:  # the SDK refuses such a request before any tool runs; this is the second lock
            raise NotSignedInError("send 'Authorization: Bearer TOKEN' with a personal API token")
        return token_viewer(store, access.token, "the API token")


def token_viewer(store: Store, token: str, what: str) -> Viewer:
    """The viewer of an enabled user's unrevoked personal token; a NotSignedInError naming `what` otherwise."""
    found = store.token_owner(token_hash(token))
    if found is None:
        raise NotSignedInError(f"{what} is not valid: it was revoked, its user disabled, or it was mistyped")
    user, row = found
    note_token_use(store.path, row)  # as the web notes it: the account page shows when a token was last used
    return viewer_for(user)


class PersonalTokens:
    """The SDK's TokenVerifier over policykb's personal API tokens: a token is good while its user is enabled and it
    is not revoked, looked up afresh on every request."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    async def verify_token(self, token: str) -> AccessToken | None:
        with Store(self.db_path, readonly=True) as store:
            found = store.token_owner(token_hash(token))
        if found is None:
            return None
        user, row = found
        return AccessToken(
            token=token, client_id=user.name, scopes=[], subject=str(user.id), claims={"token_id": row.id}
        )
