"""The store's connection: opening it, its transactions, the meta table and what this index's schema has.

Every part of the store (documents.py, passages.py, …) is a subclass of StoreBase, and so shares its connection.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import nullcontext
from pathlib import Path
from typing import Self

from policykb.disk import writing
from policykb.errors import IndexNotReadyError, StoreDamagedError
from policykb.store.schema import migrate

log = logging.getLogger(__name__)
INIT_HINT = "run: policykb ingest corpus/"
PAGE_SIZE = 8192


def damaged_store_message(path: Path, problem: object) -> str:
    """What to say of a SQLite file that SQLite finds damaged (not a database, a malformed page)."""
    return (
        f"{path}: {problem} — the store itself is damaged, which `policykb check --repair` cannot mend: restore it "
        "from a backup, or ingest the documents again into a new data folder"
    )


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection. On a full disk SQLite may fail to size the WAL's shared-memory file (`disk I/O error`);
    while the WAL itself is empty, the database file holds every commit, and is read as an immutable file instead."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # opens the WAL index, where the failure shows
        return conn
    except sqlite3.OperationalError as error:
        conn.close()
        wal = path.with_name(path.name + "-wal")
        if "disk i/o error" not in str(error).lower() or (wal.exists() and wal.stat().st_size > 0):
            raise
        log.warning("%s: %s opening its WAL (is the disk full?); reading the database file as it is", path, error)
        return sqlite3.connect(f"{uri}&immutable=1", uri=True, timeout=30, check_same_thread=False)


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = _connect_readonly(path)
    else:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        # Set only while a database is empty (later a no-op): a passage row (its text and 1.5 KB vector) is too large
        # for two to share a 4 KB page, so 8 KB pages hold three and leave less of each page empty.
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class StoreBase:
    """One connection to the store; open read-only for searches, read-write for ingest."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        if readonly and not path.exists():
            raise IndexNotReadyError(f"no index at {path.parent}: {INIT_HINT}")
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Opening to write sets the journal mode and may migrate: a full disk refuses it in one line (StorageError).
            with nullcontext() if readonly else writing(path):
                self.conn = _connect(path, readonly)
                if not readonly:
                    migrate(self.conn)
            self._read_schema()
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError):  # locked, a full disk: not damage
                raise
            raise StoreDamagedError(damaged_store_message(path, error)) from error

    def _read_schema(self) -> None:
        """What this index's schema has, for the queries that differ with it."""
        # An index from before OCR (migration 6), opened read-only to serve searches until the next ingest upgrades it.
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(chunks)")}
        has_ocr = "ocr" in columns
        self._ocr_columns = "ocr, ocr_confidence" if has_ocr else "0 AS ocr, NULL AS ocr_confidence"
        self._assignment_ocr = (  # whether the passage that states an assignment was read by OCR
            "EXISTS (SELECT 1 FROM chunks c WHERE c.doc_id = a.doc_id AND c.ocr = 1 AND c.start <= a.start AND a.start < c.end)"
            if has_ocr
            else "0"
        )
        # A passage's text: its own copy since migration 8, else sliced from its document's text (an older index).
        self._chunk_text = "c.text" if "text" in columns else "substr(d.text, c.start + 1, c.end - c.start)"
        # Each assignment's kind since migration 11; an older index's were all read as tasks their lead leads.
        assignment_columns = {row[1] for row in self.conn.execute("PRAGMA table_info(assignments)")}
        # Each document's collection since migration 12; an older index's were all public.
        document_columns = {row[1] for row in self.conn.execute("PRAGMA table_info(documents)")}
        self._collection = "d.collection" if "collection" in document_columns else "'public' AS collection"
        self._assignment_kind = "a.kind" if "kind" in assignment_columns else "'lead' AS kind"
        # Whole documents in FTS5 since migration 10; an older index ranks documents by their best passage alone.
        self.has_document_terms = (
            self.conn.execute("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'documents_fts')").fetchone()[0]
            == 1
        )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def has_table(self, name: str) -> bool:
        """Whether the store holds table `name`: one opened read-only from before the migration that makes it has
        not."""
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None

    # --- meta -------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            """
            INSERT INTO meta (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """,
            (key, value),
        )

    def generation(self) -> int:
        """A counter bumped by every committed change; the FAISS file is named after it."""
        return int(self.meta("generation") or 0)

    def _bump_generation(self) -> int:
        generation = self.generation() + 1
        self._set_meta("generation", str(generation))
        return generation

    def set_embedder(self, name: str, dim: int) -> None:
        with self.transaction():
            self._set_meta("embedder", name)
            self._set_meta("dim", str(dim))


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (KeyboardInterrupt included).

    Inside another transaction it is a savepoint, so that many writes (a bulk load) can share one commit. SQLite rolls
    a transaction back by itself on some errors (a full disk, an I/O error); rolling back again would raise "cannot
    rollback - no transaction is active" in place of the cause, so the rollback is only asked for while one is open.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.nested = False

    def __enter__(self) -> sqlite3.Connection:
        self.nested = self.conn.in_transaction
        self.conn.execute("SAVEPOINT nested" if self.nested else "BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._roll_back()
            return
        try:
            self.conn.execute("RELEASE nested" if self.nested else "COMMIT")
        except BaseException:  # a COMMIT that fails (the disk filled up) leaves the transaction to roll back
            self._roll_back()
            raise

    def _roll_back(self) -> None:
        """Undo this transaction's writes if SQLite has not already; never hides the error that led here."""
        if not self.conn.in_transaction:
            return
        try:
            if self.nested:
                self.conn.execute("ROLLBACK TO nested")
                self.conn.execute("RELEASE nested")
            else:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error as error:  # the cause, already raised, is what the user must see
            log.warning("rolling back failed too: %s", error)
