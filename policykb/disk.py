"""Writes to the data folder that the operating system refuses (a full disk, a read-only folder, an I/O error),
turned into one line naming the file, the cause and the fix instead of a traceback.

SQLite says the same things its own way (`database or disk is full`, `disk I/O error`, `attempt to write a readonly
database`); those are read as the matching OS error. Every write to the store is one transaction, so a refused write
leaves what was already indexed as it was, which the message says.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from policykb.errors import StorageError

NEARLY_FULL_BYTES = 64 * 2**20  # less free space than this, and an I/O error is taken for a full disk
_CAUSES = {
    errno.ENOSPC: ("no space left on device", "free space"),
    errno.EDQUOT: ("disk quota exceeded", "free space or raise the quota"),
    errno.EROFS: ("read-only file system", "make the data folder writable"),
    errno.EACCES: ("permission denied", "make the data folder writable by this user"),
    errno.EPERM: ("operation not permitted", "make the data folder writable by this user"),
}
_REFUSED_WRITES = {*_CAUSES, errno.EIO, errno.EFBIG}
_SQLITE_CAUSES = (  # (SQLite's result code, words of its message, the OS error it stands for)
    ("SQLITE_FULL", "disk is full", errno.ENOSPC),
    ("SQLITE_IOERR", "disk i/o error", errno.EIO),
    ("SQLITE_READONLY", "readonly database", errno.EROFS),
)


def storage_error(path: Path, code: int | None, detail: str, again: str = "run the command again") -> StorageError:
    """The StorageError for OS error `code` (an errno) met while writing `path`."""
    cause, fix = _CAUSES.get(code, (None, "check the disk"))
    cause = cause or (os.strerror(code).lower() if code else detail)
    return StorageError(path, cause, f"{fix} and {again}; nothing already indexed was changed")


def sqlite_errno(error: sqlite3.Error, path: Path) -> int | None:
    """The OS error a SQLite error about `path` stands for (ENOSPC for `database or disk is full`), or None for any
    other. In WAL mode a full disk reaches SQLite as a failed write, `disk I/O error`, whose errno Python does not
    pass on: on a disk with next to no free space, that is read as the full disk it almost surely is."""
    name = getattr(error, "sqlite_errorname", None) or ""
    message = str(error).lower()
    for prefix, words, code in _SQLITE_CAUSES:
        if name.startswith(prefix) or words in message:
            return errno.ENOSPC if code == errno.EIO and _nearly_full(path) else code
    return None


def _nearly_full(path: Path) -> bool:
    folder = next((p for p in (path, *path.parents) if p.is_dir()), None)
    try:
        return folder is not None and shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


@contextmanager
def writing(path: Path, again: str = "run the command again") -> Iterator[None]:
    """Run a write to `path` (a file, or the folder written into); an OS or SQLite error of the disk (full, read-only,
    failing, not permitted) becomes a StorageError naming the file (the one the OS names, else `path`), the cause and
    the fix. Other errors pass through as they are."""
    try:
        yield
    except StorageError:
        raise
    except OSError as error:
        code = error.errno
        if code is None and _nearly_full(path):  # a short write (NumPy: "15579 requested and 7664 written")
            code = errno.ENOSPC
        elif code not in _REFUSED_WRITES:  # a missing file and the like are not the disk's doing
            raise
        named = Path(os.fsdecode(error.filename)) if isinstance(error.filename, (str, bytes)) else path
        raise storage_error(named, code, error.strerror or str(error), again) from error
    except sqlite3.Error as error:
        code = sqlite_errno(error, path)
        if code is None:
            raise
        raise storage_error(path, code, str(error), again) from error


def write_or_remove(path: Path, write: Callable[[Path], object], again: str = "run the command again") -> None:
    """`write(path)`, or, if it fails for any reason, no file at `path` (never a partial or empty one) and the error,
    a StorageError when the disk refused it."""
    try:
        with writing(path, again):
            write(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@contextmanager
def one_writer(data_dir: Path, what: str = "derived") -> Iterator[None]:
    """Hold the data folder's lock for `what` while the block runs: one process at a time writes the files derived
    from the store (several workers ingest at once, each bringing those files up to date after its commit). An
    advisory lock on a file of the folder, released by the system if the process dies."""
    import fcntl  # POSIX only, as the rest of the data folder's handling

    with open(data_dir / f".{what}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
