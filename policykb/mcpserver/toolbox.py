"""What every tool shares: the index (one Searcher for the server's life, a store per call), who asks, and the one
shape of an answer — the JSON API's body as the tool's structured result (and as its text), or its error shape."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from policykb.access import Viewer
from policykb.access.collections import readable
from policykb.config import Config
from policykb.errors import IndexNotReadyError, PolicyKBError
from policykb.limits import check_text, limit_for
from policykb.search.holder import SearcherHolder
from policykb.store import INIT_HINT, Store


class Identity(Protocol):
    """Whom a call acts for, read afresh from the store at every call (policykb.mcpserver.identity)."""

    def viewer(self, store: Store) -> Viewer: ...


@dataclass(frozen=True)
class Reading:
    """One call's store (read-only, or read-write in the change's transaction), its viewer and the collections they may
    read (None: every one)."""

    store: Store
    viewer: Viewer
    readable: frozenset[str] | None


class Toolbox:
    """The index and the identity the tools of one server read through."""

    def __init__(self, config: Config, identity: Identity) -> None:
        self.config, self.identity = config, identity
        self.searchers = SearcherHolder(config)

    @contextmanager
    def reading(self) -> Iterator[Reading]:
        """A read-only store for one call (closed after it), with who asks."""
        with Store(self.config.db_path, readonly=True) as store:
            viewer = self.identity.viewer(store)
            yield Reading(store, viewer, readable(store, viewer))

    @contextmanager
    def changing(self) -> Iterator[Reading]:
        """A read-write store for one call's change, all of it in one transaction (closed after it)."""
        if not self.config.db_path.exists():
            raise IndexNotReadyError(f"no index at {self.config.data_dir}: {INIT_HINT}")
        with Store(self.config.db_path) as store:
            viewer = self.identity.viewer(store)  # before the transaction: it may note a token's use on its own
            with store.transaction():
                yield Reading(store, viewer, readable(store, viewer))


def answered(tool: Callable[..., dict]) -> Callable[..., CallToolResult]:
    """The tool's dict as the API's body ({"ok": true, …}) in structured content and as JSON text; a refusal as the
    API's error shape ({"ok": false, "error", "status"}) with its one line as the text, marked as an error."""

    @functools.wraps(tool)
    def call(*args, **kwargs) -> CallToolResult:
        try:
            body = {"ok": True, **tool(*args, **kwargs)}
        except PolicyKBError as exc:
            return refusal(str(exc), exc.status)
        text = json.dumps(body, ensure_ascii=False)
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=body)

    return call


def refusal(message: str, status: int) -> CallToolResult:
    """A refused call: its one line as the text, the API's error shape as the structured result."""
    shape = {"ok": False, "error": message, "status": status}
    return CallToolResult(content=[TextContent(type="text", text=message)], structured_content=shape, is_error=True)


def arguments_refused(tool: str, exc: ValidationError) -> CallToolResult:
    """Arguments the tool's input schema does not allow, as a 400 of one line naming each argument and what is wrong
    (instead of pydantic's report of several lines)."""
    problems = "; ".join(
        f"argument {'.'.join(map(str, error['loc'])) or '(all)'!r}: {error['msg']}" for error in exc.errors()
    )
    return refusal(f"{tool}: {problems} — see the tool's input schema", 400)


def checked(field: str, text: str | None) -> str | None:
    """A text argument within its field's limit and free of characters no text can carry (as the API checks every
    text a request sends); None stays None."""
    return None if text is None else check_text(f"argument {field!r}", text, limit_for(field))
