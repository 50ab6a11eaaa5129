"""Reading rows for a list of ids that may be longer than SQLite lets one statement bind."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

BATCH_SIZE = 500  # ids bound per statement: well under SQLITE_MAX_VARIABLE_NUMBER on every SQLite build


def in_batches(
    conn: sqlite3.Connection, sql: str, ids: Sequence, size: int = BATCH_SIZE, **parts: str
) -> Iterator[sqlite3.Row]:
    """The rows of `sql` run for `size` ids at a time: its `{marks}` becomes that many "?", and any other
    `{name}` the SQL in `parts`. Rows come in each statement's order, batch after batch."""
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        yield from conn.execute(sql.format(marks=",".join("?" * len(batch)), **parts), batch)
