"""Uploaded files: checked by content as well as extension, saved under the data folder, ingested in the background."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import zipfile
from dataclasses import replace
from pathlib import Path

from werkzeug.datastructures import FileStorage

from policykb.access import OPEN, Viewer
from policykb.config import Config
from policykb.disk import write_or_remove, writing
from policykb.errors import IngestError, PolicyKBError, StoreBusyError
from policykb.ingest import SUPPORTED_EXTENSIONS
from policykb.ingest.archives import ArchiveTooLargeError, check_zip_budget
from policykb.jobs.queue import new_job_id
from policykb.jobs.worker import POLL_SECONDS, Worker, is_busy, remove_upload
from policykb.store import JobRow, Store
from policykb.store.collections import PUBLIC
from policykb.web.error_shape import said
from policykb.web.upload_names import new_upload_path, safe_file_name

log = logging.getLogger(__name__)
AGAIN = "upload the file again"


IMAGE_MAGIC = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
}


class UploadRejected(PolicyKBError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _content_matches(suffix: str, head: bytes, path: Path) -> bool:
    if suffix == ".pdf":
        return head.lstrip().startswith(b"%PDF-")
    if suffix == ".docx":
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    if suffix in IMAGE_MAGIC:
        return head.startswith(IMAGE_MAGIC[suffix])
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return suffix in (".txt", ".md")
    if b"\x00" in head or head.startswith((b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return False
    if suffix in (".html", ".htm"):
        lowered = head[:4096].lower()
        return any(tag in lowered for tag in (b"<html", b"<!doctype html", b"<body", b"<article", b"<p"))
    return True


def save_upload(upload: FileStorage | None, config: Config) -> Path:
    """Save an upload after checking its type by extension and content; raise UploadRejected otherwise."""
    if upload is None or not upload.filename:
        raise UploadRejected(400, "choose a file to upload (field 'file')")
    suffix = Path(safe_file_name(upload.filename)).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise UploadRejected(
            415,
            f"{upload.filename}: unsupported file type {suffix or '(none)'} — upload one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}",
        )
    uploads = config.data_dir / "uploads"
    with writing(uploads, AGAIN):
        path = new_upload_path(uploads, upload.filename)
    try:
        write_or_remove(path, upload.save, AGAIN)  # a full disk is a 507, and leaves no partial file
    except BaseException:
        remove_upload(path)
        raise
    size = path.stat().st_size
    if size > config.max_file_bytes:
        remove_upload(path)
        raise UploadRejected(
            413, f"{upload.filename}: {size / 2**20:.1f} MB is over the {config.max_file_bytes / 2**20:.0f} MB limit"
        )
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not _content_matches(suffix, head, path):
        remove_upload(path)
        raise UploadRejected(
            415,
            f"{upload.filename}: the content is not a {suffix} file — check the file, or give it its real extension",
        )
    if suffix == ".docx":
        _refuse_zip_bomb(path, upload.filename, config)
    return path


def _refuse_zip_bomb(path: Path, filename: str, config: Config) -> None:
    """Answer at once what ingest would refuse anyway: a zip bomb (413), a part declaring entities (415)."""
    try:
        check_zip_budget(path, path.read_bytes(), config.max_inflated_bytes, "save it again as .docx")
    except IngestError as exc:
        remove_upload(path)
        status = 413 if isinstance(exc, ArchiveTooLargeError) else 415
        raise UploadRejected(status, f"{filename}: {exc.reason} — {exc.fix}") from exc


class UploadJobs:
    """Uploads are queued as jobs in the store (policykb.jobs); their progress is read back from it, so any server on
    the data folder shows any upload's job. Unless POLICYKB_UPLOAD_WORKER is off, this server also runs a worker of
    its own, a thread that does jobs while any is waiting."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._more = False  # a job was queued since the worker last found none waiting
        if config.upload_worker and config.db_path.exists():
            try:
                with Store(config.db_path, readonly=True) as store:
                    waiting = store.waiting_job_paths()  # left by a server that stopped, or queued by `ingest --queue`
            except (PolicyKBError, sqlite3.Error) as error:  # the server still starts, to say what is wrong
                log.warning("waiting jobs not looked for: the store could not be read (%s)", error)
                waiting = set()
            if waiting:
                self._wake()

    def submit(
        self,
        path: Path,
        filename: str,
        collection: str = PUBLIC,
        viewer: Viewer = OPEN,
        address: str | None = None,
    ) -> JobRow:
        """Queue the upload at `path` for ingest into `collection`; `viewer` and `address` go to the audit log."""
        try:
            with writing(self.config.db_path), Store(self.config.db_path) as store:
                job = store.add_job(
                    new_job_id(),
                    str(path.resolve()),
                    filename,
                    collection,
                    upload=True,
                    user=(viewer.user_id, viewer.name),
                    address=address,
                )
        except BaseException as error:  # a job that was not queued would never remove its file
            remove_upload(path)
            if isinstance(error, sqlite3.OperationalError) and is_busy(error):
                raise StoreBusyError(f"the index is busy with another writer — {AGAIN} in a minute") from error
            raise
        if self.config.upload_worker:
            self._wake()
        return self._shown(job)

    def get(self, job_id: str, readable: frozenset[str] | None = None) -> JobRow | None:
        """The job, as a web user is shown it, if it goes to a collection in `readable` (None: any)."""
        if not self.config.db_path.exists():
            return None
        with Store(self.config.db_path, readonly=True) as store:
            job = store.job(job_id)
        if job is None or (readable is not None and job.collection not in readable):
            return None
        return self._shown(job)

    def _shown(self, job: JobRow) -> JobRow:
        """The job with the data folder written DATA in its errors (policykb.web.error_shape.said)."""
        return replace(job, errors=[said(error, self.config.data_dir) for error in job.errors])

    def _wake(self) -> None:
        """Start this server's worker unless it runs; tell it a job was queued if it does."""
        with self._lock:
            self._more = True
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="policykb-upload", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        """Do jobs while any is waiting: queued, or held by another worker, whose lease may run out."""
        worker = Worker(self.config)
        while True:
            try:
                if worker.run_next() is not None:
                    continue
                with Store(self.config.db_path, readonly=True) as store:
                    waiting = bool(store.waiting_job_paths())
            except sqlite3.OperationalError as error:  # busy with another writer: jobs still wait, try again
                log.warning("upload worker: the store is busy (%s); trying again", error)
                waiting = True
            except Exception:  # the store cannot be read or written (a job's own errors are in the job): the next
                log.exception("upload worker: could not take a job; the next upload tries again")  # upload retries
                waiting = False
            with self._lock:
                if not waiting and not self._more:
                    self._worker = None
                    return
                self._more = False
            if waiting:
                time.sleep(POLL_SECONDS)
