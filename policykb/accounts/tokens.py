"""Personal API tokens: random, shown once, stored only as their SHA-256 (a token is long and random, so a fast hash
is enough: there is nothing to guess from it, unlike a password)."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "pkb_"  # says what a token is when it turns up in a script or a log


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
