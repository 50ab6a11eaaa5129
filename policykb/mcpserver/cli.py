"""`policykb mcp`: the MCP server over stdio (for a client that starts it) or streamable HTTP (for clients that connect)."""

from __future__ import annotations

import click

from policykb.access import OPEN
from policykb.config import Config
from policykb.errors import PolicyKBError
from policykb.store import Store

# The SDK (starlette, uvicorn, pydantic models) is imported only when the server starts, so that every other command
# starts as fast as before.


@click.command("mcp")
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http"]),
    default="stdio",
    show_default=True,
    help="stdio: a client starts the server; http: streamable HTTP at http://HOST:PORT/mcp.",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (http; loopback by default)."
)
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on (http)."
)
@click.option("--user", "user", help="Act for this user (stdio); else the owner of the token in $POLICYKB_TOKEN.")
@click.pass_obj
def mcp(config: Config, transport: str, host: str, port: int, user: str | None) -> None:
    """Serve search, documents, owners and briefs as MCP tools, with the JSON of the API and what the user may read.

    stdio acts for --user NAME, or the owner of the personal token in $POLICYKB_TOKEN; while no account exists, for
    everyone (open mode). http asks every request for a personal token (Authorization: Bearer TOKEN), so it needs
    accounts.

    Example: policykb mcp --user lan
    """
    if transport == "stdio":
        from policykb.mcpserver.identity import StdioIdentity

        identity = StdioIdentity(user, config.mcp_token)
        who = _check_stdio(config, identity)
        click.echo(f"policykb MCP server on stdio for {who}, reading {config.data_dir}", err=True)
        from policykb.mcpserver.server import run_stdio

        run_stdio(config, identity)
        return
    if user:
        raise click.UsageError("--user is for stdio: over http each request names its user by its token")
    _check_http(config)
    click.echo(f"policykb MCP server on http://{host}:{port}/mcp, reading {config.data_dir}", err=True)
    from policykb.mcpserver.server import run_http

    run_http(config, host, port)


def _check_stdio(config: Config, identity) -> str:
    """Whom the stdio server will act for, said at start; a refusal (one line) before any client talks to it."""
    with Store(config.db_path, readonly=True) as store:
        viewer = identity.viewer(store)
    return "everyone (open mode: no accounts)" if viewer is OPEN else f"{viewer.name} ({viewer.role})"


def _check_http(config: Config) -> None:
    with Store(config.db_path, readonly=True) as store:
        has_users = store.has_users()
    if not has_users:
        raise PolicyKBError(
            "--transport http needs a personal token on every request, and no account exists yet: create one with "
            "`policykb users add NAME` and its token with `policykb users token NAME`, or use --transport stdio"
        )
