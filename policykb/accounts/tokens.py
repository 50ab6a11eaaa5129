"""Personal API tokens: random, shown once, stored only as their SHA-256 (a token is long and random, so a fast hash
is enough: there is nothing to guess from it, unlike a password)."""

from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from policykb.errors import PolicyKBError
from policykb.store import Store
from policykb.store.records import TokenRow

log = logging.getLogger(__name__)

PREFIX = "pkb_"  # says what a token is when it turns up in a script or a log
TOKEN_TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is written at most this often per token


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def note_token_use(db_path: Path, token: TokenRow) -> None:
    """Note when a token was last used (the account page shows it), at most every TOKEN_TOUCH_EVERY: a write, on a
    connection of its own. A busy or full store only skips the note."""
    if token.last_used_at:
        last = datetime.strptime(token.last_used_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if datetime.now(UTC) - last < TOKEN_TOUCH_EVERY:
            return
    try:
        with Store(db_path) as store:
            store.touch_token(token.id)
    except (PolicyKBError, sqlite3.OperationalError) as exc:
        log.warning("could not note the use of API token %s: %s", token.id, exc)
