"""Uploads a crash left behind: files in the data folder's uploads/ that no document came from, removed at start-up.

An upload is saved to uploads/ and then queued as a job in the store (policykb.web.uploads, policykb.jobs); a finished
job's file is its document's source and stays, a failed job removes its file, a waiting job's file waits for a worker.
A file in uploads/ that is none of these was left by a server that stopped (a crash, a kill) between saving it and
queueing its job: it would never be ingested or removed. Files saved in the last SETTLED_SECONDS are left, since another
server on the same data folder may be about to queue them.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from policykb.config import Config
from policykb.errors import IndexNotReadyError, StoreDamagedError
from policykb.ingest.pipeline import sidecar_path
from policykb.jobs.worker import remove_upload
from policykb.store import Store

log = logging.getLogger(__name__)
# Uploads younger than this are left: another server on the data folder may be between saving one and queueing its job.
SETTLED_SECONDS = 600


def uploads_folder(config: Config) -> Path:
    return config.data_dir / "uploads"


def sweep_orphaned_uploads(config: Config) -> list[Path]:
    """Remove the files of uploads/ that no document in the store came from (nor are such a file's sidecar), and log
    them in one line; the files removed. Nothing is removed while the store cannot be read."""
    folder = uploads_folder(config)
    if not folder.is_dir():
        return []
    kept = _sources_in(config, folder)
    if kept is None:
        return []
    settled = time.time() - SETTLED_SECONDS
    orphans = [path for path in _upload_files(folder) if path.resolve() not in kept and _mtime(path) < settled]
    for path in orphans:
        if path.parent == folder:
            path.unlink(missing_ok=True)
        else:
            remove_upload(path)
    for empty in [
        child for child in folder.iterdir() if child.is_dir() and not any(child.iterdir()) and _mtime(child) < settled
    ]:
        empty.rmdir()  # a folder whose upload failed before its file was written
    if orphans:
        log.warning(
            "removed %d upload(s) from %s that no job finished (left by a server that stopped): %s",
            len(orphans),
            folder,
            ", ".join(path.name for path in orphans),
        )
    return orphans


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # removed meanwhile (its job failed)
        return time.time()


def _upload_files(folder: Path) -> list[Path]:
    """The files of uploads/: each upload in a folder of its own (policykb.web.upload_names), and those saved directly
    in uploads/ by earlier versions."""
    return sorted(path for path in [*folder.iterdir(), *folder.glob("*/*")] if path.is_file())


def _sources_in(config: Config, folder: Path) -> set[Path] | None:
    """The documents' source files in `folder` and their sidecars, resolved; empty without an index, None when the
    store cannot be read (then nothing is swept)."""
    try:
        with Store(config.db_path, readonly=True) as store:
            sources = [Path(source) for source in store.sources_under(str(folder.resolve()))]
            sources += [Path(path) for path in store.waiting_job_paths()]  # a worker will ingest them
    except IndexNotReadyError:
        return set()
    except (StoreDamagedError, sqlite3.Error) as error:
        log.warning("uploads in %s were not swept: the store could not be read (%s)", folder, error)
        return None
    kept = {source.resolve() for source in sources}
    kept |= {sidecar.resolve() for source in sources if (sidecar := sidecar_path(source)) is not None}
    return kept
