"""A worker: takes ingest jobs from the store one at a time and ingests each, renewing its lease while it works.

Any number of workers may serve one data folder (`policykb worker`, and the web server's own unless it is told not
to). A document is written in one transaction, so a worker killed mid-job leaves nothing half-written: its lease runs
out, another worker takes the job, and ingest (which skips a file whose document is already stored) finishes it.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import uuid
from pathlib import Path

from policykb.access import audit
from policykb.config import Config
from policykb.errors import PolicyKBError
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import Embedder, UsesEmbedder
from policykb.store import JobRow, Store

log = logging.getLogger(__name__)
BEAT_SECONDS = 1.0  # how often a worker renews its lease and writes its job's progress (what a poller sees)
POLL_SECONDS = 1.0  # how long an idle worker waits before looking for a job again


def worker_name() -> str:
    """A name no other worker has: the machine, the process and a random part (one process may run several)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def remove_upload(path: Path) -> None:
    """Delete an upload and its folder, when the folder holds nothing else."""
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:  # not empty, or already gone
        pass


class _Lease(threading.Thread):
    """Renews a job's lease every BEAT_SECONDS, with the progress last reported, on a connection of its own."""

    def __init__(self, db_path: Path, job: JobRow, worker: str) -> None:
        super().__init__(name=f"policykb-lease-{job.id[:8]}", daemon=True)
        self.db_path, self.job, self.worker = db_path, job, worker
        self.progress = ("", 0, 0)
        self.stopped = threading.Event()

    def report(self, stage: str, done: int, total: int) -> None:
        self.progress = (stage, done, total)

    def run(self) -> None:
        with Store(self.db_path) as store:
            while not self.stopped.wait(BEAT_SECONDS):
                try:
                    if not store.renew_job(self.job.id, self.worker, *self.progress):
                        log.warning("job %s: its lease ran out and another worker took it", self.job.id)
                        return
                except sqlite3.OperationalError as error:  # the store stayed busy: the next beat renews it
                    log.info("job %s: lease not renewed this beat (%s)", self.job.id, error)

    def stop(self) -> None:
        self.stopped.set()
        self.join()


class Worker(UsesEmbedder):
    """Takes the oldest waiting job, ingests its file, records the outcome, and goes on."""

    def __init__(
        self, config: Config, embedder: Embedder | None = None, name: str | None = None, lease: float | None = None
    ) -> None:
        self.config = config
        self._embedder = embedder  # made on the first job (UsesEmbedder), then kept
        self.name = name or worker_name()
        self.lease = lease if lease is not None else config.job_lease

    def run(self, stop: threading.Event, until_empty: bool = False) -> int:
        """Do jobs until `stop` is set (or, with `until_empty`, until none is waiting); how many were done. A store
        busy with another writer past SQLite's wait is waited for, not a reason to stop."""
        done = 0
        while not stop.is_set():
            try:
                job = self.run_next()
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                log.warning("worker %s: the store is busy (%s); trying again", self.name, error)
                stop.wait(POLL_SECONDS)
                continue
            if job is not None:
                done += 1
            elif until_empty:
                break
            else:
                stop.wait(POLL_SECONDS)
        return done

    def run_next(self) -> JobRow | None:
        """Take the oldest waiting job and do it; the job as it was taken, or None when none is waiting."""
        with Store(self.config.db_path) as store:
            job, given_up = store.take_job(self.name, self.lease)
        for abandoned in given_up:
            if abandoned.upload:
                remove_upload(Path(abandoned.path))
        if job is not None:
            log.info("job %s: %s (attempt %d) taken by %s", job.id, job.filename, job.attempts, self.name)
            self._run(job)
        return job

    def _run(self, job: JobRow) -> None:
        lease = _Lease(self.config.db_path, job, self.name)
        lease.start()
        try:
            outcome = self._ingest(job, lease.report)
        finally:
            lease.stop()
        recorded = self._finish(job, outcome, lease.progress)
        if not recorded:
            log.warning("job %s: another worker took it over; its outcome is theirs to record", job.id)
        elif outcome[0] == "failed" and job.upload:
            remove_upload(Path(job.path))

    def _finish(self, job: JobRow, outcome: tuple[str, str | None, list[str]], progress: tuple[str, int, int]) -> bool:
        """Record the outcome, with the upload's audit entry in the same transaction (so that a worker killed before
        it, whose job is done again, leaves one entry, not two); a busy store is tried again while the lease lasts."""

        def audit_entry(store: Store) -> None:
            if job.upload and outcome[1] is not None:
                audit.record_for(
                    store,
                    (job.user_id, job.user_name),
                    "document.upload",
                    outcome[1],
                    job.address,
                    collection=job.collection,
                    file=job.filename,
                )

        for attempt in range(3):
            try:
                with Store(self.config.db_path) as store:
                    return store.finish_job(job.id, self.name, outcome, progress, then=audit_entry)
            except sqlite3.OperationalError as error:
                if not is_busy(error) or attempt == 2:
                    raise
                log.warning("job %s: the store is busy (%s); recording its outcome again", job.id, error)
        return False

    def _ingest(self, job: JobRow, report) -> tuple[str, str | None, list[str]]:
        """Ingest the job's file: (state, the document it became or None, the errors to show)."""
        path = Path(job.path)
        try:
            with Indexer(self.config, self.embedder, progress=False, on_progress=report) as indexer:
                outcome = indexer.ingest([path], job.collection)
                found = _document_of(indexer.store, job)
        except PolicyKBError as exc:
            # A write after the document's own commit (its search files on a full disk) failed: the document is
            # indexed and searchable, so it keeps its original file and the job names it, with the error.
            doc_id = self._stored(job)
            return ("done" if doc_id else "failed"), doc_id, [str(exc)]
        except Exception as exc:  # a job must always end with its outcome recorded
            log.exception("job %s: ingesting %s failed", job.id, path)
            return "failed", None, [f"{type(exc).__name__}: {exc}"]
        errors = [f"{error.reason} — {error.fix}" for error in outcome.errors]
        return ("done" if found and not errors else "failed"), found, errors

    def _stored(self, job: JobRow) -> str | None:
        """After a failed ingest: the job's document if it was committed all the same, else None."""
        try:
            with Store(self.config.db_path, readonly=True) as store:
                return _document_of(store, job)
        except (PolicyKBError, OSError, sqlite3.Error) as error:
            log.warning("job %s: could not look for its document after the failure (%s)", job.id, error)
            return None


def is_busy(error: sqlite3.OperationalError) -> bool:
    """Whether SQLite gave up waiting for another process's lock (which passes), rather than failing."""
    return any(word in str(error).lower() for word in ("locked", "busy"))


def _document_of(store: Store, job: JobRow) -> str | None:
    """The id of the document the job's file became, if it was indexed."""
    found = store.document_for_source(str(Path(job.path).resolve()))
    return found[0] if found else None
