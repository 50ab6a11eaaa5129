"""The job queue (policykb.store.jobs) on PostgreSQL: the same methods and rules, for workers on any number of
machines. A job is taken with `SELECT … FOR UPDATE SKIP LOCKED`, so that workers taking jobs at once neither wait for
one another nor take the same one; times are the database's clock, so that the workers' clocks need not agree."""

from __future__ import annotations

import json
from collections.abc import Callable

from policykb.store.jobs import GIVEN_UP_ERROR, JOB_COLUMNS, MAX_ATTEMPTS
from policykb.store.postgres.connect import connect
from policykb.store.records import JobRow

NOW = "extract(epoch FROM now())"  # one time per transaction, as the embedded queue reads the clock once
_GIVE_UP = f"""
    UPDATE jobs SET state = 'failed', finished_at = {NOW}, errors = json_build_array({GIVEN_UP_ERROR})::text
    WHERE id IN (
        SELECT id FROM jobs WHERE state = 'running' AND heartbeat_at < {NOW} - %(lease)s AND attempts >= {MAX_ATTEMPTS}
        FOR UPDATE SKIP LOCKED
    )
    RETURNING {JOB_COLUMNS}
"""
_TAKE = f"""
    UPDATE jobs SET state = 'running', worker = %(worker)s, attempts = attempts + 1, heartbeat_at = {NOW},
                    stage = '', done = 0, total = 0
    WHERE id = (
        SELECT id FROM jobs WHERE state = 'queued'
            OR (state = 'running' AND heartbeat_at < {NOW} - %(lease)s AND attempts < {MAX_ATTEMPTS})
        ORDER BY created_at LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    RETURNING {JOB_COLUMNS}
"""


class PostgresJobs:
    """Ingest jobs in a PostgreSQL database (its schema: policykb.store.postgres.schema)."""

    def __init__(self, url: str) -> None:
        from psycopg.rows import dict_row

        self.conn = connect(url, vectors=False)
        self.conn.autocommit = True  # each method's `transaction()` is then its own transaction
        self.conn.row_factory = dict_row

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> PostgresJobs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
        with self.conn.transaction():
            row = self.conn.execute(
                "INSERT INTO jobs (id, path, filename, upload, collection, user_id, user_name, address, created_at) "
                f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {NOW}) RETURNING {JOB_COLUMNS}",
                (job_id, path, filename, int(upload), collection, *user, address),
            ).fetchone()
        return JobRow.from_row(row)

    def job(self, job_id: str) -> JobRow | None:
        with self.conn.transaction():
            row = self.conn.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = %s", (job_id,)).fetchone()
        return JobRow.from_row(row) if row else None

    def recent_jobs(self, limit: int = 100) -> list[JobRow]:
        with self.conn.transaction():
            rows = self.conn.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, id DESC LIMIT %s", (limit,)
            ).fetchall()
        return [JobRow.from_row(row) for row in rows]

    def take_job(self, worker: str, lease: float) -> tuple[JobRow | None, list[JobRow]]:
        with self.conn.transaction():
            given_up = [JobRow.from_row(row) for row in self.conn.execute(_GIVE_UP, {"lease": lease}).fetchall()]
            row = self.conn.execute(_TAKE, {"worker": worker, "lease": lease}).fetchone()
        return (JobRow.from_row(row) if row else None), given_up

    def renew_job(self, job_id: str, worker: str, stage: str, done: int, total: int) -> bool:
        with self.conn.transaction():
            cursor = self.conn.execute(
                f"UPDATE jobs SET heartbeat_at = {NOW}, stage = %s, done = %s, total = %s "
                "WHERE id = %s AND worker = %s AND state = 'running'",
                (stage, done, total, job_id, worker),
            )
        return cursor.rowcount == 1

    def finish_job(
        self,
        job_id: str,
        worker: str,
        outcome: tuple[str, str | None, list[str]],
        progress: tuple[str, int, int],
        then: Callable[[PostgresJobs], None] | None = None,
    ) -> bool:
        state, doc_id, errors = outcome
        with self.conn.transaction():
            cursor = self.conn.execute(
                f"UPDATE jobs SET state = %s, doc_id = %s, errors = %s, finished_at = {NOW}, stage = %s, done = %s, "
                "total = %s WHERE id = %s AND worker = %s AND state = 'running'",
                (state, doc_id, json.dumps(errors, ensure_ascii=False), *progress, job_id, worker),
            )
            if cursor.rowcount == 1 and then is not None:
                then(self)
        return cursor.rowcount == 1

    def waiting_job_paths(self) -> set[str]:
        with self.conn.transaction():
            rows = self.conn.execute("SELECT path FROM jobs WHERE state IN ('queued', 'running')").fetchall()
        return {row["path"] for row in rows}
