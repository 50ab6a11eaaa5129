"""The MCP server through the SDK's own client: in memory, over stdio (`python -m policykb mcp`) and over streamable
HTTP. Its tools answer the JSON API's JSON, and a document its user may not read is in no tool's answer.

The index is the bundled corpus plus restricted minutes (in collection "drafts", readable by group "secretariat") that
hold a word found nowhere else. Alice is in the secretariat, Bob is not.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx2
import pytest
from builders import identify_by, text_pdf
from flask import g
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from policykb.accounts import viewer_for
from policykb.accounts.tokens import token_hash
from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.mcpserver.identity import StdioIdentity
from policykb.mcpserver.server import build_server
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.web import create_app

ROOT = Path(__file__).resolve().parent.parent
SECRET = "zorblaxity"  # a word only the restricted minutes hold
SECRET_ID = "secret-minutes"
TOKENS = {"alice": "pkb_alice-test-token", "bob": "pkb_bob-test-token"}
TOOLS = {
    "search",
    "doc",
    "owners",
    "relations",
    "brief_list",
    "brief_show",
    "brief_create",
    "brief_add",
    "brief_export",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Config:
    base = tmp_path_factory.mktemp("mcp")
    corpus, secret = base / "corpus", base / "secret"
    shutil.copytree(ROOT / "corpus", corpus)
    secret.mkdir()
    lines = [
        f"Draft resolution on the {SECRET} review",
        f"The Ministry of Finance shall lead the {SECRET} review of pension funds.",
    ]
    (secret / f"{SECRET_ID}.pdf").write_bytes(text_pdf([lines]))
    config = Config.from_env(data_dir=base / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([corpus]).errors
        store = indexer.store
        with store.transaction():
            store.add_group("secretariat")
            store.add_group("press")
            for name, group in (("alice", "secretariat"), ("bob", "press")):
                user = store.add_user(name, "reader", None)
                store.add_user_to_groups(user.id, [group])
                store.add_token(user.id, token_hash(TOKENS[name]))
        store.save_collection("drafts", public=False, groups=["secretariat"])
        assert not indexer.ingest([secret], "drafts").errors
    return config


def call(server, tool: str, arguments: dict | None = None):
    """One tool call through the SDK's in-memory client."""

    async def run():
        async with Client(server) as client:
            return await client.call_tool(tool, arguments or {})

    return anyio.run(run)


def as_user(index: Config, name: str):
    return build_server(index, StdioIdentity(user=name))


def api(index: Config, name: str, path: str, **query) -> dict:
    """What the JSON API answers `name` for `path`."""
    app = create_app(config=index)
    with Store(index.db_path, readonly=True) as store:
        viewer = viewer_for(store.require_user(name))
    identify_by(app, lambda: setattr(g, "viewer", viewer))
    return app.test_client().get(path, query_string=query).get_json()


def without_timing(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "took_ms"}


# --- tools and their JSON ---------------------------------------------------------------------------
def test_the_server_lists_the_search_doc_owners_and_brief_tools_with_their_input_schemas(index):
    async def run():
        async with Client(as_user(index, "alice")) as client:
            return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in anyio.run(run)}
    assert set(tools) == TOOLS
    assert tools["search"].input_schema["required"] == ["q"]
    assert tools["search"].annotations.read_only_hint is True
    assert tools["brief_add"].annotations.read_only_hint is False


def test_a_search_answers_cited_hits_with_the_json_of_the_api(index):
    result = call(as_user(index, "alice"), "search", {"q": "social insurance", "k": 5})
    assert not result.is_error
    body = result.structured_content
    assert body["ok"] is True and body["hits"]
    hit = body["hits"][0]
    assert hit["citation"] and hit["text"] and hit["end"] > hit["start"]
    assert "/" not in hit["source"]  # never where the server keeps it
    assert without_timing(body) == without_timing(api(index, "alice", "/api/search", q="social insurance", k=5))


def test_the_doc_and_owners_tools_answer_the_json_of_the_api(index):
    hit = call(as_user(index, "alice"), "search", {"q": "social insurance", "k": 1}).structured_content["hits"][0]
    doc = call(as_user(index, "alice"), "doc", {"doc_id": hit["doc_id"]}).structured_content
    assert doc == api(index, "alice", f"/api/docs/{hit['doc_id']}")
    assert doc["text"][hit["start"] : hit["end"]] == hit["text"]
    question = "who leads the partnership group"
    owners = call(as_user(index, "alice"), "owners", {"q": question}).structured_content
    assert owners == api(index, "alice", "/api/owners", q=question)


def test_the_relations_tool_answers_the_json_of_the_api_with_the_sentence_that_states_each(index):
    relations = call(as_user(index, "alice"), "relations", {"doc": "68/NQ-CP", "on": "2025-01-01"}).structured_content
    assert relations == api(index, "alice", "/api/relations", doc="68/NQ-CP", on="2025-01-01")
    implements = [r for r in relations["relations"] if r["kind"] == "implements"]
    assert implements and "42-NQ/TW" in implements[0]["sentence"]["text"]
    bad = call(as_user(index, "alice"), "relations", {"doc": "68/NQ-CP", "on": "May 2025"})
    assert bad.is_error and "argument 'on' must be a date" in bad.content[0].text
    blank = call(as_user(index, "alice"), "relations", {"doc": "  "})
    assert blank.is_error and "argument 'doc' is required" in blank.content[0].text


def test_a_refusal_is_one_line_with_the_error_shape_of_the_api(index):
    missing = call(as_user(index, "alice"), "doc", {"doc_id": "never-was"})
    assert missing.is_error
    assert missing.structured_content == {"ok": False, "error": missing.content[0].text, "status": 404}
    bad = call(as_user(index, "alice"), "search", {"q": "x", "k": 0})
    assert bad.is_error and bad.structured_content["status"] == 400
    assert "\n" not in bad.content[0].text and "'k'" in bad.content[0].text


def test_the_search_tool_takes_the_in_force_date_and_answers_each_status_as_the_api_does(index):
    arguments = {"q": "social insurance", "k": 5, "in_force_on": "2025-01-01"}
    body = call(as_user(index, "alice"), "search", arguments).structured_content
    assert without_timing(body) == without_timing(api(index, "alice", "/api/search", **arguments))
    assert body["hits"] and all(hit["status"]["on"] == "2025-01-01" for hit in body["hits"])
    bad = call(as_user(index, "alice"), "search", {"q": "x", "in_force_on": "soon"})
    assert bad.is_error and bad.structured_content["status"] == 400 and "in_force_on" in bad.content[0].text


# --- what a user may not read ---------------------------------------------------------------------------
def test_a_document_in_a_collection_the_user_may_not_read_is_in_no_tools_answer(index):
    alice, bob = as_user(index, "alice"), as_user(index, "bob")
    found = call(alice, "search", {"q": SECRET, "k": 100}).structured_content
    assert SECRET_ID in {hit["doc_id"] for hit in found["hits"]}
    hidden = call(bob, "search", {"q": SECRET, "k": 100}).structured_content
    assert SECRET_ID not in {hit["doc_id"] for hit in hidden["hits"]}
    assert SECRET not in str(hidden["hits"]) + str(hidden["facets"])  # the query itself is echoed, nothing else
    # The document answers exactly as one that does not exist.
    assert call(bob, "doc", {"doc_id": SECRET_ID}).content[0].text == call(bob, "doc", {"doc_id": "never-was"}).content[
        0
    ].text.replace("never-was", SECRET_ID)
    question = {"q": f"who leads the {SECRET} review"}
    assert SECRET in str(call(alice, "owners", question).structured_content["assignments"])
    assert SECRET not in str(call(bob, "owners", question).structured_content["assignments"])
    assert SECRET not in str(call(bob, "owners", {"page": 1}).structured_content)


def test_briefs_are_made_added_to_and_exported_by_the_rules_of_the_api(index):
    alice, bob = as_user(index, "alice"), as_user(index, "bob")
    made = call(alice, "brief_create", {"title": "Pension review"}).structured_content
    assert made["ok"] and made["access"] == "owner" and made["owner"] == "alice"
    hit = call(alice, "search", {"q": SECRET, "k": 1}).structured_content["hits"][0]
    added = call(alice, "brief_add", {"brief_id": made["id"], "chunk_id": hit["chunk_id"], "note": "the lead"})
    assert added.structured_content["item"]["quote"] == hit["text"]
    assert added.structured_content["version"] == made["version"] + 1
    shown = call(alice, "brief_show", {"brief_id": made["id"]}).structured_content
    assert shown == api(index, "alice", f"/api/briefs/{made['id']}")
    stale = call(alice, "brief_add", {"brief_id": made["id"], "heading": "Next", "version": made["version"]})
    assert stale.is_error and stale.structured_content["status"] == 409
    heading = call(alice, "brief_add", {"brief_id": made["id"], "heading": "Next", "version": shown["version"]})
    assert heading.structured_content["item"]["heading"] == "Next"
    span = {"brief_id": made["id"], "doc_id": SECRET_ID, "start": hit["start"], "end": hit["start"] + 20}
    assert call(alice, "brief_add", span).structured_content["item"]["quote"] == hit["text"][:20]
    exported = call(alice, "brief_export", {"brief_id": made["id"], "format": "md"}).structured_content
    assert hit["text"].split()[0] in exported["text"] and exported["filename"].endswith(".md")
    assert call(alice, "brief_export", {"brief_id": made["id"], "format": "docx"}).structured_content["base64"]
    # Bob may neither see Alice's brief nor pin the restricted passage into his own.
    assert call(bob, "brief_show", {"brief_id": made["id"]}).structured_content["status"] == 404
    assert made["id"] not in {brief["id"] for brief in call(bob, "brief_list").structured_content["briefs"]}
    own = call(bob, "brief_create", {"title": "Bob's"}).structured_content
    pinned = call(bob, "brief_add", {"brief_id": own["id"], "doc_id": SECRET_ID, "start": 0, "end": 20})
    assert pinned.is_error and pinned.structured_content["status"] == 404


# --- stdio and streamable HTTP --------------------------------------------------------------------------
def _environment(**extra: str) -> dict[str, str]:
    """The server process's environment: this checkout's code, the fake embedder, nothing downloaded."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "POLICYKB_EMBEDDER": "fake",
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


def _stdio_search(index: Config, args: list[str], **env: str) -> set[str]:
    """The documents a search for the restricted word finds through a stdio server started with `args`."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "policykb", "--data", str(index.data_dir), "mcp", *args],
        env=_environment(**env),
    )

    async def run():
        async with Client(params) as client:
            return await client.call_tool("search", {"q": SECRET, "k": 100})

    result = anyio.run(run)
    assert not result.is_error, result.content
    return {hit["doc_id"] for hit in result.structured_content["hits"]}


def test_over_stdio_the_server_acts_for_the_user_named_or_the_owner_of_the_token(index):
    assert SECRET_ID in _stdio_search(index, ["--user", "alice"])
    assert SECRET_ID not in _stdio_search(index, [], POLICYKB_TOKEN=TOKENS["bob"])
    with Store(index.db_path, readonly=True) as store:  # noted, as the web notes a token's use
        used = store.conn.execute(
            "SELECT last_used_at FROM api_tokens WHERE token_hash = ?", (token_hash(TOKENS["bob"]),)
        )
        assert used.fetchone()[0] is not None


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--user", "nobody"], {}, "--user 'nobody': no enabled account"),
        ([], {}, "accounts exist, so say whom"),
        ([], {"POLICYKB_TOKEN": "pkb_wrong"}, "the token in POLICYKB_TOKEN is not valid"),
    ],
)
def test_over_stdio_a_server_that_cannot_tell_its_user_stops_at_start_saying_so_in_one_line(index, args, env, says):
    done = subprocess.run(
        [sys.executable, "-m", "policykb", "--data", str(index.data_dir), "mcp", *args],
        env=_environment(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def http_server(index):
    """`policykb mcp --transport http` on a free loopback port; yields its /mcp address."""
    port = _free_port()
    command = [sys.executable, "-m", "policykb", "--data", str(index.data_dir), "mcp", "--transport", "http"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=_environment(), stdin=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}/mcp"
    server.terminate()
    server.wait(timeout=10)


def _http_search(url: str, token: str) -> set[str]:
    async def run():
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                return await client.call_tool("search", {"q": SECRET, "k": 100})

    result = anyio.run(run)
    assert not result.is_error, result.content
    return {hit["doc_id"] for hit in result.structured_content["hits"]}


def test_over_http_each_request_reads_what_the_owner_of_its_token_may_read(index, http_server):
    assert SECRET_ID in _http_search(http_server, TOKENS["alice"])
    assert SECRET_ID not in _http_search(http_server, TOKENS["bob"])


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer pkb_wrong"}])
def test_over_http_a_request_without_a_valid_token_is_refused_before_any_tool_runs(http_server, headers):
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    answer = httpx2.post(
        http_server, json=request, headers={**headers, "Accept": "application/json, text/event-stream"}, timeout=30
    )
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_over_http_the_server_will_not_start_while_no_account_exists(index, tmp_path):
    open_mode = dataclasses.replace(index, data_dir=tmp_path / "data")
    shutil.copytree(index.data_dir, open_mode.data_dir)
    with Store(open_mode.db_path) as store, store.transaction():
        store.conn.execute("DELETE FROM users")
    done = subprocess.run(
        [sys.executable, "-m", "policykb", "--data", str(open_mode.data_dir), "mcp", "--transport", "http"],
        env=_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "no account exists yet" in done.stderr
