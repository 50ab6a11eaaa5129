"""Uploaded files: checked by content as well as extension, saved under the data folder, ingested in the background."""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from werkzeug.datastructures import FileStorage

from policykb.access import OPEN, Viewer, audit
from policykb.config import Config
from policykb.disk import write_or_remove, writing
from policykb.errors import IngestError, PolicyKBError
from policykb.ingest import SUPPORTED_EXTENSIONS
from policykb.ingest.archives import ArchiveTooLargeError, check_zip_budget
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import make_embedder
from policykb.store import Store
from policykb.store.collections import PUBLIC
from policykb.web.error_shape import said
from policykb.web.upload_names import new_upload_path, remove_upload, safe_file_name

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


@dataclass
class Job:
    id: str
    filename: str
    state: str = "queued"  # queued, running, done, failed
    stage: str = ""
    done: int = 0
    total: int = 0
    doc_id: str | None = None
    errors: list[str] = field(default_factory=list)
    collection: str = PUBLIC  # the collection the document goes to

    def to_json(self) -> dict:
        return asdict(self)


class UploadJobs:
    """One worker thread ingests uploads in order; their progress can be polled."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policykb-upload")

    def submit(
        self,
        path: Path,
        filename: str,
        collection: str = PUBLIC,
        viewer: Viewer = OPEN,
        address: str | None = None,
    ) -> Job:
        """Queue the upload at `path` for ingest into `collection`; `viewer` and `address` go to the audit log."""
        job = Job(uuid.uuid4().hex, filename, collection=collection)
        with self._lock:
            self.jobs[job.id] = job
        self._pool.submit(self._run, job, path, viewer, address)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self.jobs.get(job_id)

    @staticmethod
    def _record(store: Store, path: Path, job: Job, viewer: Viewer, address: str | None) -> str | None:
        """The id of the document the upload became, if it was indexed, with the audit entry that says who uploaded it."""
        found = store.document_for_source(str(path.resolve()))
        if found:
            with store.transaction():
                audit.record(
                    store, viewer, "document.upload", found[0], address, collection=job.collection, file=job.filename
                )
        return found[0] if found else None

    def _stored(self, path: Path, job: Job, viewer: Viewer, address: str | None) -> str | None:
        """After a failed ingest: the upload's document if it was committed all the same, with its audit entry where
        the disk still takes one; else None."""
        try:
            with Store(self.config.db_path, readonly=True) as store:
                found = store.document_for_source(str(path.resolve()))
            if found is None:
                return None
        except (PolicyKBError, OSError, sqlite3.Error) as error:
            log.warning("upload %s: could not look for its document after the failure (%s)", path.name, error)
            return None
        try:
            with Store(self.config.db_path) as store:
                self._record(store, path, job, viewer, address)
        except (PolicyKBError, OSError, sqlite3.Error) as error:
            log.warning(
                "upload %s: indexed as %s, but its audit entry could not be written (%s)", path.name, found[0], error
            )
        return found[0]

    def _run(self, job: Job, path: Path, viewer: Viewer = OPEN, address: str | None = None) -> None:
        job.state = "running"

        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total

        try:
            with Indexer(
                self.config,
                make_embedder(self.config.embedder, self.config.models_dir),
                progress=False,
                on_progress=progress,
            ) as indexer:
                report = indexer.ingest([path], job.collection)
                found = self._record(indexer.store, path, job, viewer, address)
        except PolicyKBError as exc:
            # A write after the document's own commit (its search files on a full disk) failed: the document is
            # indexed and searchable, so it keeps its original file and the job names it, with the error. The state is
            # set last, once: a poller that sees the job end sees its outcome.
            job.errors, job.doc_id = [said(exc, self.config.data_dir)], self._stored(path, job, viewer, address)
            job.state = "done" if job.doc_id else "failed"
        except Exception as exc:  # a worker thread must always finish its job record
            log.exception("upload %s failed", path)
            job.errors, job.state = [f"{type(exc).__name__}: {exc}"], "failed"
        else:
            job.errors = [f"{error.reason} — {error.fix}" for error in report.errors]
            job.doc_id = found
            job.state = "done" if found and not report.errors else "failed"
        if job.state == "failed":
            remove_upload(path)
