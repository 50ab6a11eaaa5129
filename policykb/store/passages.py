"""Passages (the chunks table): their rows, their text and their vectors, which are kept in SQLite beside them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import numpy as np

from policykb.models import Document
from policykb.store.base import StoreBase
from policykb.store.batches import in_batches
from policykb.store.filters import Filters
from policykb.store.records import PassageRow
from policykb.textnorm import fold_lower

log = logging.getLogger(__name__)
_WARNED: set[str] = set()  # the stores whose damaged vectors this process has warned about

_INSERT_CHUNK = """
    INSERT INTO chunks (
        doc_id, ordinal, start, end, section, page, page_end, language, agencies, embed_hash, vector,
        ocr, ocr_confidence, text
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

_PASSAGE_ROWS = """
    SELECT c.id, c.doc_id, c.start, c.end, c.section, c.page, c.page_end, c.language AS chunk_language,
           c.agencies, {ocr_columns}, d.title, d.source, d.doc_type, d.language, d.date, d.year, d.issuer,
           {chunk_text} AS text, {collection}
    FROM chunks c JOIN documents d ON d.id = c.doc_id
    WHERE c.id IN ({marks})
"""

_PASSAGE_TEXTS = """
    SELECT c.id, {chunk_text}
    FROM chunks c JOIN documents d ON d.id = c.doc_id
    WHERE c.id IN ({marks})
"""


class Passages(StoreBase):
    """The chunks table and the vectors in it."""

    # --- writes -----------------------------------------------------------------------------------
    def _insert_chunks(self, doc_id: str, doc: Document, embed_hashes: list[str], vectors: np.ndarray) -> int | None:
        """Write a document's chunks with their vectors and FTS rows (the caller holds the transaction); returns the
        first one's id, or None when it has none."""
        title, first_passage = fold_lower(doc.title), None
        for chunk, embed_hash, vector in zip(doc.chunks, embed_hashes, vectors, strict=True):
            cursor = self.conn.execute(
                _INSERT_CHUNK,
                (
                    doc_id,
                    chunk.ordinal,
                    chunk.start,
                    chunk.end,
                    chunk.section,
                    chunk.page,
                    chunk.page_end,
                    chunk.language or doc.language,
                    json.dumps(chunk.agencies, ensure_ascii=False),
                    embed_hash,
                    np.asarray(vector, dtype=np.float32).tobytes(),
                    int(chunk.ocr),
                    chunk.ocr_confidence,
                    doc.text[
                        chunk.start : chunk.end
                    ],  # the citation's text is the document's, whatever the chunker kept
                ),
            )
            self.conn.execute(
                "INSERT INTO chunks_fts (rowid, title, section, body) VALUES (?, ?, ?, ?)",
                (cursor.lastrowid, title, fold_lower(chunk.section), fold_lower(chunk.text)),
            )
            first_passage = first_passage or cursor.lastrowid
        return first_passage

    def _delete_chunks(self, doc_id: str) -> list[int]:
        """Delete a document's chunks with their FTS rows (the caller holds the transaction)."""
        ids = [row[0] for row in self.conn.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self.conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", ((i,) for i in ids))
        self.conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        return ids

    def replace_vectors(
        self, chunk_ids: list[int], embed_hashes: list[str], vectors: np.ndarray, embedder: str, dim: int
    ) -> None:
        """Swap every chunk's vector (a re-index with another embedder) in one transaction."""
        rows = (
            (h, np.asarray(v, dtype=np.float32).tobytes(), cid)
            for cid, h, v in zip(chunk_ids, embed_hashes, vectors, strict=True)
        )
        with self.transaction():
            self.conn.executemany("UPDATE chunks SET embed_hash = ?, vector = ? WHERE id = ?", rows)
            self._set_meta("embedder", embedder)
            self._set_meta("dim", str(dim))
            self._bump_generation()

    # --- vectors ----------------------------------------------------------------------------------
    def vectors_for_embed_hashes(self, hashes: list[str]) -> dict[str, bytes]:
        """The stored vectors of these embedding inputs that can be reused: a damaged one is embedded again."""
        sql = "SELECT embed_hash, vector FROM chunks WHERE embed_hash IN ({marks})"
        return {row[0]: row[1] for row in self._whole_vectors(in_batches(self.conn, sql, hashes), column=1)}

    def _whole_vectors(self, rows, column: int) -> list:
        """The rows whose vector (at `column`) holds the store's dimension of float32s. A damaged vector (cut short,
        overwritten) is left out of every read, so the FAISS index is rebuilt without its passage rather than not at
        all; said here, counted by `policykb check`, and embedded again by `check --repair` or an ingest of its file."""
        rows = list(rows)
        size = 4 * int(self.meta("dim") or 0)
        whole = [row for row in rows if isinstance(row[column], bytes) and len(row[column]) == size] if size else rows
        if len(whole) < len(rows) and str(self.path) not in _WARNED:
            _WARNED.add(str(self.path))
            log.warning(
                "%s: passages with a damaged vector are left out of dense search — run policykb check --repair",
                self.path,
            )
        return whole

    def damaged_vector_ids(self) -> list[int]:
        """The passages whose stored vector is not the store's dimension of float32s."""
        size = 4 * int(self.meta("dim") or 0)
        sql = "SELECT id FROM chunks WHERE vector IS NULL OR length(vector) != ? ORDER BY id"
        return [row[0] for row in self.conn.execute(sql, (size,))] if size else []

    def iter_vectors(self, batch: int = 20000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """All (ids, vectors) in batches, for rebuilding the FAISS index without embedding again."""
        last = -1
        while True:
            rows = self.conn.execute(
                "SELECT id, vector FROM chunks WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            last = int(rows[-1][0])
            if rows := self._whole_vectors(rows, column=1):
                ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
                yield ids, np.vstack([np.frombuffer(row[1], dtype=np.float32) for row in rows])

    def vectors_for_ids(self, chunk_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of the given chunks that exist, in id order: what an index needs added, without reading the rest."""
        ids, vectors, _ = self.vectors_and_documents(chunk_ids)
        return ids, vectors

    def vectors_and_documents(self, chunk_ids: list[int]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(ids, vectors, document ids) of the given chunks that exist, in id order, from one read of their rows."""
        rows = sorted(
            self._whole_vectors(
                in_batches(self.conn, "SELECT id, vector, doc_id FROM chunks WHERE id IN ({marks})", chunk_ids),
                column=1,
            ),
            key=lambda row: row[0],
        )
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        vectors = (
            np.vstack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
            if rows
            else np.zeros((0, 0), np.float32)
        )
        return ids, vectors, [row[2] for row in rows]

    # --- reads ------------------------------------------------------------------------------------
    def count_chunks(self) -> int:
        return self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def has_chunks(self) -> bool:
        """Whether any passage is indexed, without counting a million of them."""
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM chunks)").fetchone()[0] == 1

    def chunk_ids(self, filters: Filters | None = None) -> np.ndarray:
        """The ids of the chunks the filters allow, in rowid order. SQLite joins them into one string, which numpy
        parses: far faster than taking a million ids one row at a time through Python."""
        filters = filters or Filters()
        where, params = filters.sql()
        rows = "chunks c JOIN documents d ON d.id = c.doc_id" if filters.on_documents else "chunks c"
        joined = self.conn.execute(f"SELECT group_concat(c.id) FROM {rows} WHERE 1 = 1{where}", params).fetchone()[0]
        ids = np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.zeros(0, dtype=np.int64)
        return (
            ids if np.all(ids[1:] > ids[:-1]) else np.sort(ids)
        )  # an index other than the rowid's gives its own order

    def chunk_rows(self, chunk_ids: list[int]) -> dict[int, PassageRow]:
        """Chunk and document fields with the chunk's text, of the given chunks that exist."""
        rows = in_batches(
            self.conn,
            _PASSAGE_ROWS,
            chunk_ids,
            ocr_columns=self._ocr_columns,
            chunk_text=self._chunk_text,
            collection=self._collection,
        )
        return {row["id"]: PassageRow.from_row(row) for row in rows}

    def passage_languages(self, chunk_ids: list[int]) -> dict[int, str]:
        """The language of each of the given chunks that exist."""
        return dict(in_batches(self.conn, "SELECT id, language FROM chunks WHERE id IN ({marks})", chunk_ids))

    def passage_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        """The text of each of the given chunks that exist."""
        return dict(in_batches(self.conn, _PASSAGE_TEXTS, chunk_ids, chunk_text=self._chunk_text))

    def chunks_for_embedding(self, chunk_ids: list[int] | None = None) -> list[tuple[int, str, str, str]]:
        """(chunk id, document title, section, text) of every chunk, or of these, in id order."""
        sql = f"""
            SELECT c.id, d.title, c.section, {self._chunk_text}
            FROM chunks c JOIN documents d ON d.id = c.doc_id
            {"" if chunk_ids is None else "WHERE c.id IN ({marks})"}
            ORDER BY c.id
        """
        if chunk_ids is None:
            return [tuple(row) for row in self.conn.execute(sql)]
        return sorted(tuple(row) for row in in_batches(self.conn, sql, chunk_ids))

    def chunk_texts(self) -> list[str]:
        sql = f"SELECT {self._chunk_text} FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.id"
        return [row[0] for row in self.conn.execute(sql)]
