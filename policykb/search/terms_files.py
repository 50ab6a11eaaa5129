"""A generation's term matrix on disk: written by ingest after every change (write_terms), read by searchers
(read_terms), rebuilt by a reader that found it unreadable (restore_terms).

Each generation has a folder `terms.N`: a whole matrix, or a live one (policykb.search.terms_live) holding only the
rows added and removed since the whole matrix of an earlier generation, its base, which is kept while a live matrix
needs it. A change adds a live matrix while the rows changed since the base stay within LIVE_SHARE of it; past that the
whole matrix is built again."""

from __future__ import annotations

import errno
import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

from policykb.durable import replace_folder_durably
from policykb.search.damaged import set_aside, warn_once
from policykb.search.terms import OutdatedMatrixError, TermMatrix, terms_dir
from policykb.search.terms_live import (
    LiveTermMatrix,
    added_since,
    is_live,
    live_base,
    load_live,
    row_sample,
    same_rows,
    save_live,
)
from policykb.search.weights import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS
from policykb.store import Store

log = logging.getLogger(__name__)

_DIR = re.compile(r"^terms\.(\d+)$")
T = TypeVar("T")


def write_terms(store: Store, data_dir: Path, threshold: int, phrases: list[str] = ()) -> TermMatrix | None:
    """Bring the term matrix up to the store's generation (ingest calls this after every change): build and save it,
    with the matrix of whole documents, once the store holds `threshold` passages, with postings for `phrases` (the
    glossary's names), and remove those of other generations. Below the threshold there is none and FTS5 ranks alone."""
    target = terms_dir(data_dir, store.generation())
    wanted = store.count_chunks() >= max(threshold, 1)
    matrix = _sound(load_terms(data_dir, store.generation()), target) if wanted else None
    if wanted and (matrix is None or (matrix.documents is None and store.has_document_terms)):
        shutil.rmtree(target, ignore_errors=True)  # an unreadable leftover, or one from before documents_fts
        matrix = _live_into(store, data_dir, target, phrases) or _build_into(store, phrases, target)
    kept = {target} if wanted else set()
    if isinstance(matrix, LiveTermMatrix):
        kept.add(terms_dir(data_dir, matrix.base_generation))
    for old in data_dir.glob("terms.*"):
        if (_DIR.match(old.name) or old.name.endswith(".tmp")) and old not in kept:
            shutil.rmtree(old, ignore_errors=True)
    return matrix


def _live_into(store: Store, data_dir: Path, target: Path, phrases: list[str]) -> LiveTermMatrix | None:
    """A live matrix over the newest whole matrix of an earlier generation, written to `target`; None when there is
    no such matrix, its values are spoiled, or a live matrix would not score as a rebuild (added_since)."""
    base, base_generation = _newest_base(data_dir, store.generation())
    if base is None or (store.has_document_terms and base.documents is None):
        return None
    base_dir = terms_dir(data_dir, base_generation)
    if _sound(base, base_dir) is None:  # set aside; the whole matrix is built again
        return None
    sample = base_dir / "sample.npy"
    rows_of = partial(store.fts_rows, "chunks_fts")
    if not sample.exists() or not same_rows(rows_of, np.load(sample)):
        return None
    passages = added_since(store.conn, base, "chunks_fts", rows_of, phrases, FTS_WEIGHTS, DOCUMENT_WEIGHTS)
    if passages is None:
        return None
    live = LiveTermMatrix(base, passages.added, passages.removed, base_generation, passages.named, passages.dropped)
    if store.has_document_terms:
        documents = added_since(
            store.conn,
            base.documents,
            "documents_fts",
            partial(store.fts_rows, "documents_fts"),
            phrases,
            WHOLE_DOCUMENT_WEIGHTS,
            WHOLE_DOCUMENT_WEIGHTS,
        )
        if documents is None or (documents.named is None) != (passages.named is None):
            return None
        live.documents = LiveTermMatrix(
            base.documents, documents.added, documents.removed, base_generation, documents.named, documents.dropped
        )
        # saved in the passages' folders, as a whole matrix's is
        live.added.documents = live.documents.added
        if live.named is not None:
            live.named.documents = live.documents.named
    write_folder(target, lambda folder: save_live(folder, live))
    return live


def _newest_base(data_dir: Path, generation: int) -> tuple[TermMatrix | None, int]:
    """The whole matrix of the newest earlier generation, or the base of its live matrix, with its generation."""
    earlier = sorted(
        (int(found[1]), path)
        for path in data_dir.glob("terms.*")
        if (found := _DIR.match(path.name)) and int(found[1]) < generation
    )
    if not earlier:
        return None, 0
    number, path = earlier[-1]
    try:
        if is_live(path):  # its base, named in live.json: the live matrix itself need not be put together
            number = live_base(path)
        return TermMatrix.load(terms_dir(data_dir, number)), number
    except Exception as error:  # unreadable or outdated: the whole matrix is built again
        log.debug("no base in %s", path, exc_info=error)
        return None, 0


def load_matrix(path: Path) -> TermMatrix:
    """The matrix saved in a generation's folder: a whole one, or a live one over its base."""
    return load_live(path) if is_live(path) else TermMatrix.load(path)


def _sound(matrix: TermMatrix | None, path: Path) -> TermMatrix | None:
    """The matrix a writer is about to keep, if its values are sound; else it is set aside to be built again."""
    if matrix is None:
        return None
    try:
        matrix.check_values(path)
        return matrix
    except ValueError as error:
        set_aside(path, f"spoiled term matrix ({error})", "built again from the store")
        return None


def _build_into(store: Store, phrases: list[str], target: Path) -> TermMatrix:
    """Build the matrix of passages and, if the store has documents_fts, that of whole documents, into a new folder
    renamed to `target`. The documents' matrix is written and let go before the passages' is built: held meanwhile, it
    would add to the build's peak memory, which bounds the largest collection a machine can index."""

    def write(folder: Path) -> TermMatrix:
        if store.has_document_terms:
            documents = TermMatrix.build(
                store.conn, phrases, WHOLE_DOCUMENT_WEIGHTS, "documents_fts", WHOLE_DOCUMENT_WEIGHTS
            )
            documents.write_into(folder / "documents")
            del documents
        matrix = TermMatrix.build(store.conn, phrases)
        matrix.write_into(folder)
        np.save(folder / "sample.npy", row_sample(partial(store.fts_rows, "chunks_fts"), np.asarray(matrix.rowids)))
        return matrix

    matrix = write_folder(target, write)
    if store.has_document_terms:
        matrix.documents = TermMatrix.load(target / "documents", WHOLE_DOCUMENT_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS)
    return matrix


def write_folder(path: Path, write: Callable[[Path], T]) -> T:
    """Have `write` fill a new folder beside `path`, make each file durable, then rename the folder into place. If
    another process put the same generation's folder there first (a searcher rebuilding a matrix it set aside, while
    ingest or `check --repair` writes it too), theirs stays: both were built from the same store."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent))
    try:
        written = write(tmp)
        try:
            replace_folder_durably(tmp, path)
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not path.is_dir():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def load_terms(data_dir: Path, generation: int) -> TermMatrix | None:
    """The saved term matrix of `generation`, or None when there is none or it cannot be read (read_terms)."""
    return read_terms(data_dir, generation)[0]


def read_terms(data_dir: Path, generation: int) -> tuple[TermMatrix | None, bool]:
    """The saved term matrix of `generation` (None when there is none), and whether it could not be read: then it is
    set aside (said once) and FTS5 ranks alone, which gives the same scores, until it is rebuilt (restore_terms)."""
    path = terms_dir(data_dir, generation)
    if not path.exists():
        return None, False
    try:
        return load_matrix(path), False
    except OutdatedMatrixError as error:
        warn_once(str(path), f"{error}; FTS5 ranks alone (same scores) until the next ingest writes it again")
        return None, False
    except Exception as error:  # a missing or cut file, bad JSON, an .npy numpy cannot map: all are unreadable
        log.debug("reading %s failed", path, exc_info=error)
        aside = set_aside(
            path,
            f"unreadable term matrix ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})",
            "FTS5 ranks alone (same scores) while it is rebuilt from the store",
        )
        return None, aside is not None  # only the process that set it aside rebuilds it


def restore_terms(db_path: Path, data_dir: Path, generation: int, phrases: list[str]) -> None:
    """Build again the term matrix of `generation` that a reader set aside, from the store read-only, unless the store
    has moved on or another process has written it meanwhile; nothing of another generation is touched, since a
    writer may be making the next. A failure is said and FTS5 goes on ranking: ingest or `check --repair` rebuild it."""
    target = terms_dir(data_dir, generation)
    try:
        with Store(db_path, readonly=True) as store:
            store.conn.execute("BEGIN")  # one read snapshot: the generation and every row the build reads agree
            try:
                if store.generation() != generation or target.exists():
                    return
                _build_into(store, phrases, target)
            finally:
                store.conn.execute("ROLLBACK")
        log.warning("%s: rebuilt from the store", target)
    except Exception as error:  # a read-only data folder, a full disk, another process's matrix renamed in first
        if not target.exists():
            log.warning("%s: could not be rebuilt (%s); FTS5 ranks alone until policykb check --repair", target, error)
