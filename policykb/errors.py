"""The one exception hierarchy: every message names the thing, the problem and the fix."""

from __future__ import annotations


class PolicyKBError(Exception):
    """Base class for errors policykb reports to people (CLI, web) instead of a traceback.

    `status` is the HTTP status the web app answers with.
    """

    status = 500


class IngestError(PolicyKBError):
    """A file could not be ingested; the rest of the run goes on."""

    def __init__(self, path: str, reason: str, fix: str) -> None:
        self.path, self.reason, self.fix = str(path), reason, fix
        super().__init__(f"{self.path}: {reason} — {fix}")


class OcrUnavailableError(IngestError):
    """A file needs OCR that cannot run here: OCR is off, or Tesseract, its language data or pdftoppm is missing."""


class IndexNotReadyError(PolicyKBError):
    """The data folder holds no index yet, or an empty one."""

    status = 503


class StoreDamagedError(PolicyKBError):
    """SQLite finds the store's file damaged (not a database, a malformed page): it must be restored, not rebuilt."""

    status = 503


class StoreBusyError(PolicyKBError):
    """Another process held the store's write lock past the wait (a long ingest or repair): try again shortly."""

    status = 503


class EmbedderMismatchError(PolicyKBError):
    """The index was built by another embedder than the one configured."""


class NotFoundError(PolicyKBError):
    """A document or chunk id that the index does not hold."""

    status = 404


class NotAllowedError(PolicyKBError):
    """A change the viewer may see but not make: their role, or a brief or collection that is another's."""

    status = 403


class SourceMissingError(PolicyKBError):
    """A change that needs a document's file (its metadata applied to it again), which is no longer where it was
    ingested from."""

    status = 409


class BadQueryError(PolicyKBError):
    """A search parameter that cannot be used (unknown mode, bad filter value)."""

    status = 400


class StorageError(PolicyKBError):
    """The disk refused a write (full, read-only, failing): said in one line naming the file, the cause and the fix.

    507 Insufficient Storage is HTTP's word for a server that cannot store what it was sent."""

    status = 507

    def __init__(self, path: str, reason: str, fix: str) -> None:
        self.path, self.reason, self.fix = str(path), reason, fix
        super().__init__(f"{reason} while writing {self.path} — {fix}")
