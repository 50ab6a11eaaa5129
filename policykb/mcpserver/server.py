"""The MCP server: its tool registry, and how it runs over stdio or streamable HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import ValidationError

from policykb.config import Config
from policykb.mcpserver.brief_tools import BriefTools
from policykb.mcpserver.identity import HttpIdentity, PersonalTokens, StdioIdentity
from policykb.mcpserver.reading_tools import ReadingTools
from policykb.mcpserver.toolbox import Identity, Toolbox, arguments_refused

NAME = "policykb"
INSTRUCTIONS = (
    "Cited search over public-policy documents (Viet Nam's social protection field, English and Vietnamese). "
    "`search` finds passages, each with its citation and exact character span; `doc` gives a document's whole text "
    "those spans point into; `owners` says which agency leads a task; the brief tools collect passages for a meeting "
    "and export them with footnotes. Quote a passage's `text` with its `citation`."
)
READS = ToolAnnotations(read_only_hint=True, open_world_hint=False)
ADDS = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)


class PolicyKBServer(MCPServer):
    """The SDK's server, with arguments that fail the input schema refused in the tools' one error shape."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                return arguments_refused(name, exc.__cause__)
            raise


def tools(box: Toolbox) -> list[tuple[Callable, ToolAnnotations]]:
    """Every tool, in the order a client lists them, with what it does to the data. Each is a method whose name is the
    tool's name, whose docstring is its description and whose typed arguments are its input schema."""
    reading, briefs = ReadingTools(box), BriefTools(box)
    return [
        (reading.search, READS),
        (reading.doc, READS),
        (reading.owners, READS),
        (reading.relations, READS),
        (briefs.brief_list, READS),
        (briefs.brief_show, READS),
        (briefs.brief_create, ADDS),
        (briefs.brief_add, ADDS),
        (briefs.brief_export, READS),  # notes the export in the audit log, as the API does; changes no brief
    ]


def build_server(
    config: Config, identity: Identity, auth: tuple[AuthSettings, PersonalTokens] | None = None
) -> MCPServer:
    """The server with every tool, reading through `identity` (with `auth`, the SDK checks each request's token)."""
    settings, verifier = auth if auth else (None, None)
    server = PolicyKBServer(
        NAME, instructions=INSTRUCTIONS, token_verifier=verifier, auth=settings, log_level="WARNING"
    )
    box = Toolbox(config, identity)
    for tool, hints in tools(box):
        server.add_tool(tool, annotations=hints, structured_output=False)
    return server


def run_stdio(config: Config, identity: StdioIdentity) -> None:
    build_server(config, identity).run("stdio")


def run_http(config: Config, host: str, port: int) -> None:
    """Streamable HTTP at http://HOST:PORT/mcp; every request needs a personal token (Authorization: Bearer …)."""
    url = f"http://{host}:{port}"
    # policykb is its own authorization server: its personal tokens are made by `policykb users token` or on the
    # account page, and checked here on every request (no OAuth metadata is published: no resource_server_url).
    settings = AuthSettings(issuer_url=url, resource_server_url=None)
    server = build_server(config, HttpIdentity(), (settings, PersonalTokens(config.db_path)))
    server.run("streamable-http", host=host, port=port)
