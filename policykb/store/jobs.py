"""Ingest jobs (table jobs, migration 15): queued by uploads and `policykb ingest --queue`, taken by workers.

A worker takes a job by writing its name and a heartbeat on it in one transaction, so no two workers hold a job at
once; it renews the heartbeat while it works. A job whose heartbeat is older than the lease was held by a worker that
died (killed, crashed, its machine gone) and is taken again; one that was taken MAX_ATTEMPTS times without finishing is
failed, since the file itself may be what stops the worker.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from policykb.store.base import StoreBase
from policykb.store.records import JobRow

if TYPE_CHECKING:
    from policykb.store.db import Store

MAX_ATTEMPTS = 3
JOB_COLUMNS = (
    "id, path, filename, upload, collection, user_id, user_name, address, state, stage, done, total, doc_id, errors, worker, "
    "attempts, created_at, heartbeat_at, finished_at"
)
# What a job given up on says, as an SQL expression over its row (SQLite's and PostgreSQL's alike).
GIVEN_UP_ERROR = (
    "'a worker stopped ' || attempts || ' times while ingesting this file (killed, or out of memory?) — see the '"
    " || 'workers'' logs; ingest it alone with `policykb ingest FILE` to see where it fails'"
)
_GIVE_UP = f"""
    UPDATE jobs SET state = 'failed', finished_at = :now, errors = json_array({GIVEN_UP_ERROR})
    WHERE state = 'running' AND heartbeat_at < :expired AND attempts >= {MAX_ATTEMPTS}
    RETURNING {JOB_COLUMNS}
"""
# The oldest job queued, and the oldest abandoned (held by a worker whose lease ran out): each read from the index
# on (state, created_at); the older of the two is taken.
_OLDEST = {
    "queued": "SELECT id, created_at FROM jobs WHERE state = 'queued' ORDER BY created_at LIMIT 1",
    "abandoned": "SELECT id, created_at FROM jobs WHERE state = 'running' AND heartbeat_at < :expired "
    "ORDER BY created_at LIMIT 1",
}
_TAKE = f"""
    UPDATE jobs SET state = 'running', worker = :worker, attempts = attempts + 1, heartbeat_at = :now,
                    stage = '', done = 0, total = 0
    WHERE id = :id
    RETURNING {JOB_COLUMNS}
"""


class Jobs(StoreBase):
    def add_job(
        self,
        job_id: str,
        path: str,
        filename: str,
        collection: str,
        upload: bool = False,
        user: tuple[int | None, str | None] = (None, None),
        address: str | None = None,
    ) -> JobRow:
        """Queue the ingest of `path` into `collection` (`upload`: a file of uploads/, removed if the job fails);
        `user` (id, name) and `address` go to the audit entry."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO jobs (id, path, filename, upload, collection, user_id, user_name, address, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, path, filename, int(upload), collection, *user, address, time.time()),
            )
        return self.job(job_id)

    def job(self, job_id: str) -> JobRow | None:
        if not self.has_table("jobs"):  # a read-only store of an older schema
            return None
        row = self.conn.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return JobRow.from_row(row) if row else None

    def recent_jobs(self, limit: int = 100) -> list[JobRow]:
        """The latest `limit` jobs, newest first."""
        if not self.has_table("jobs"):
            return []
        rows = self.conn.execute(
            f"SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
        )
        return [JobRow.from_row(row) for row in rows]

    def take_job(self, worker: str, lease: float) -> tuple[JobRow | None, list[JobRow]]:
        """The oldest waiting job (queued, or abandoned by a worker whose lease ran out), now held by `worker`, or
        None when none waits; and the jobs failed first, abandoned MAX_ATTEMPTS times (an upload's file is the
        caller's to remove)."""
        with self.transaction():
            now = time.time()  # once the write lock is held: the wait for it may have been long
            times = {"now": now, "expired": now - lease}
            given_up = [JobRow.from_row(row) for row in self.conn.execute(_GIVE_UP, times).fetchall()]
            waiting = [row for sql in _OLDEST.values() if (row := self.conn.execute(sql, times).fetchone())]
            if not waiting:
                return None, given_up
            oldest = min(waiting, key=lambda row: row["created_at"])["id"]
            row = self.conn.execute(_TAKE, {"worker": worker, "now": now, "id": oldest}).fetchone()
        return JobRow.from_row(row), given_up

    def renew_job(self, job_id: str, worker: str, stage: str, done: int, total: int) -> bool:
        """Renew `worker`'s lease on the job and record how far it is; False if the job is no longer its own."""
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE jobs SET heartbeat_at = ?, stage = ?, done = ?, total = ? "
                "WHERE id = ? AND worker = ? AND state = 'running'",
                (time.time(), stage, done, total, job_id, worker),
            )
        return cursor.rowcount == 1

    def finish_job(
        self,
        job_id: str,
        worker: str,
        outcome: tuple[str, str | None, list[str]],
        progress: tuple[str, int, int],
        then: Callable[[Store], None] | None = None,
    ) -> bool:
        """Record the job's outcome (state done or failed, the document it became, its errors) and last progress
        (stage, done, total), and run `then` in the same transaction; False, and nothing written, if the job is no
        longer `worker`'s."""
        state, doc_id, errors = outcome
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE jobs SET state = ?, doc_id = ?, errors = ?, finished_at = ?, stage = ?, done = ?, total = ? "
                "WHERE id = ? AND worker = ? AND state = 'running'",
                (state, doc_id, json.dumps(errors, ensure_ascii=False), time.time(), *progress, job_id, worker),
            )
            if cursor.rowcount == 1 and then is not None:
                then(self)
        return cursor.rowcount == 1

    def waiting_job_paths(self) -> set[str]:
        """The files of jobs not finished yet: queued, or held by a worker (alive or not)."""
        if not self.has_table("jobs"):
            return set()
        return {row[0] for row in self.conn.execute("SELECT path FROM jobs WHERE state IN ('queued', 'running')")}
