"""The MCP server (`policykb mcp`): search, documents, owners and briefs as tools for agents and editors' assistants,
over stdio or streamable HTTP, with the official `mcp` SDK.

Each tool calls what the JSON API calls and answers the JSON the API answers, read by the same rules: the viewer is a
user (named at start for stdio, by a personal token on every HTTP request) and sees only what that user may read. The
package is named apart from the SDK (`import mcp` is the SDK everywhere).
"""
