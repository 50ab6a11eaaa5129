"""Queueing ingest jobs: one per file, so that workers share a bulk ingest file by file."""

from __future__ import annotations

import uuid
from pathlib import Path

from policykb.errors import IngestError
from policykb.ingest import collect_files
from policykb.store import JobRow, Store


def new_job_id() -> str:
    return uuid.uuid4().hex


def queue_files(store: Store, paths: list[Path], collection: str) -> tuple[list[JobRow], list[IngestError]]:
    """Queue one job per file under `paths` (as `policykb ingest` would read them) for ingest into `collection`; the
    jobs, and the paths that could not be read."""
    store.check_ingest_target(collection)
    files, errors = collect_files(paths)
    with store.transaction():  # all or none: a bulk ingest is queued whole
        jobs = [store.add_job(new_job_id(), str(path.resolve()), path.name, collection) for path in files]
    return jobs, errors
