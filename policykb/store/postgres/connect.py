"""Connections to PostgreSQL: vectors as numpy arrays (pgvector), refusals in one line naming the database."""

from __future__ import annotations

import re

from policykb.errors import PolicyKBError


class DatabaseUnavailableError(PolicyKBError):
    """PostgreSQL cannot be reached, refuses the login, or lacks pgvector."""


def shown_url(url: str) -> str:
    """The URL without its password (in the user part or as a parameter), as messages and logs may show it."""
    url = re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)
    return re.sub(r"(password=)[^&\s]*", r"\1***", url, flags=re.IGNORECASE)


def connect(url: str, vectors: bool = True):
    """A connection to the database at `url` (autocommit off); with `vectors`, pgvector's type is registered, so
    vectors go in and come out as numpy arrays (the extension must exist: schema.migrate creates it)."""
    import psycopg
    from pgvector.psycopg import register_vector

    try:
        conn = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailableError(
            f"{shown_url(url)}: {first} — start PostgreSQL, or correct the URL (postgresql://USER:PASSWORD@HOST/DB)"
        ) from error
    if vectors:
        register_vector(conn)
    return conn
