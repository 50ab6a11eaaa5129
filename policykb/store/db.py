"""The SQLite store: documents, chunks with their vectors, FTS5 over folded text; every write one transaction."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import numpy as np

from policykb.errors import IndexNotReadyError, NotFoundError
from policykb.store.schema import migrate
from policykb.models import Document
from policykb.textnorm import fold_lower

INIT_HINT = "run: policykb ingest corpus/"
ACRONYMS_SQL = "SELECT acronyms FROM documents WHERE acronyms != '{}'"  # read from the partial index of migration 7


@dataclass(frozen=True, slots=True)
class Filters:
    """Search filters; None means "any"."""

    doc_type: str | None = None
    language: str | None = None
    year: int | None = None
    doc_id: str | None = None
    issuer: str | None = None
    agency: str | None = None

    def sql(self) -> tuple[str, list]:
        clauses, params = [], []
        columns = (("d.doc_type", self.doc_type), ("c.language", self.language), ("d.year", self.year), ("d.id", self.doc_id), ("d.issuer", self.issuer))
        for column, value in columns:
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.agency is not None:
            # "!= '[]'" lets SQLite read the passages that name any agency from their partial index (migration 9).
            clauses.append("c.agencies != '[]' AND EXISTS (SELECT 1 FROM json_each(c.agencies) WHERE json_each.value = ?)")
            params.append(self.agency)
        return "".join(f" AND {clause}" for clause in clauses), params

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.doc_type, self.language, self.year, self.doc_id, self.issuer, self.agency))

    @property
    def on_documents(self) -> bool:
        """Whether any filter is on a document's fields (the others are on the passage's own)."""
        return any(value is not None for value in (self.doc_type, self.year, self.doc_id, self.issuer))



def slugify(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", fold_lower(stem)).strip("-")
    return slug[:60] or "doc"


PAGE_SIZE = 8192


def _bm25(weights: tuple[float, float, float]) -> str:
    """FTS5's BM25 of a chunks_fts row with these (title, section, body) weights: lower is better."""
    return f"bm25(chunks_fts, {weights[0]}, {weights[1]}, {weights[2]})"


def _document_bm25(weights: tuple[float, float]) -> str:
    """Every documents_fts row that matches a query, with FTS5's BM25 for these (title, text) weights: higher is better."""
    return f"SELECT rowid, -bm25(documents_fts, {weights[0]}, {weights[1]}) FROM documents_fts WHERE documents_fts MATCH ?"


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        # Set only while a database is empty (later a no-op): a passage row (its text and 1.5 KB vector) is too large
        # for two to share a 4 KB page, so 8 KB pages hold three — 478 instead of 619 MB at 100k synthetic passages.
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Store:
    """One connection to the store; open read-only for searches, read-write for ingest."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        if readonly and not path.exists():
            raise IndexNotReadyError(f"no index at {path.parent}: {INIT_HINT}")
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = _connect(path, readonly)
        if not readonly:
            migrate(self.conn)
        # An index from before OCR (migration 6), opened read-only to serve searches until the next ingest upgrades it.
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(chunks)")}
        has_ocr = "ocr" in columns
        self._ocr_columns = "ocr, ocr_confidence" if has_ocr else "0 AS ocr, NULL AS ocr_confidence"
        self._assignment_ocr = (  # whether the passage that states an assignment was read by OCR
            "EXISTS (SELECT 1 FROM chunks c WHERE c.doc_id = a.doc_id AND c.ocr = 1 AND c.start <= a.start AND a.start < c.end)"
            if has_ocr else "0")
        # A passage's text: its own copy since migration 8, else sliced from its document's text (an older index).
        self._chunk_text = "c.text" if "text" in columns else "substr(d.text, c.start + 1, c.end - c.start)"
        # Whole documents in FTS5 since migration 10; an older index ranks documents by their best passage alone.
        self.has_document_terms = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'documents_fts')").fetchone()[0] == 1

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- meta -------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

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

    def transaction(self):
        return _Transaction(self.conn)

    # --- writes -----------------------------------------------------------------------------------
    def document_for_source(self, source: str) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT id, content_hash FROM documents WHERE source = ?", (source,)).fetchone()
        return (row["id"], row["content_hash"]) if row else None

    def new_document_id(self, stem: str) -> str:
        base = slugify(stem)
        candidate, n = base, 1
        while self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (candidate,)).fetchone():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def vectors_for_embed_hashes(self, hashes: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(hashes), 500):
            batch = hashes[start : start + 500]
            marks = ",".join("?" * len(batch))
            for row in self.conn.execute(f"SELECT embed_hash, vector FROM chunks WHERE embed_hash IN ({marks})", batch):
                found[row[0]] = row[1]
        return found

    def _delete_document_terms(self, doc_id: str) -> None:
        """Take a document's row out of documents_fts (the caller holds the transaction). The table keeps no text, so
        FTS5 is handed the folded title and text the row was written with, which the documents row still holds."""
        row = self.conn.execute("SELECT fts_key, title, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is not None and row["fts_key"] is not None:
            self.conn.execute("INSERT INTO documents_fts (documents_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                              (row["fts_key"], fold_lower(row["title"]), fold_lower(row["text"])))

    def _delete_chunks(self, doc_id: str) -> list[int]:
        """Delete a document's chunks and assignments with their FTS rows (the caller holds the transaction)."""
        ids = [row[0] for row in self.conn.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self.conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", ((i,) for i in ids))
        self.conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM assignments WHERE doc_id = ?", (doc_id,))
        return ids

    def _insert_assignments(self, doc_id: str, doc: Document) -> None:
        self.conn.executemany(
            "INSERT INTO assignments (doc_id, start, end, task, lead, coordinating, deadline, section, page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((doc_id, a.start, a.end, a.task, a.lead, json.dumps(a.coordinating, ensure_ascii=False), a.deadline, a.section, a.page)
             for a in doc.assignments),
        )

    def replace_document(self, doc_id: str, doc: Document, embed_hashes: list[str], vectors: np.ndarray) -> None:
        """Write a document with its chunks and vectors, replacing any earlier version, in one transaction."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.transaction():
            self._delete_document_terms(doc_id)
            self._delete_chunks(doc_id)
            self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self.conn.execute(
                "INSERT INTO documents (id, source, title, doc_type, language, date, year, issuer, url, file_format,"
                " content_hash, text, page_starts, agencies, acronyms, ingested_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, doc.source, doc.title, doc.doc_type, doc.language, doc.date, doc.year, doc.issuer, doc.url,
                 doc.file_format, doc.content_hash, doc.text, json.dumps(doc.page_starts),
                 json.dumps(doc.agencies, ensure_ascii=False), json.dumps(doc.acronyms, ensure_ascii=False), now),
            )
            self.conn.executemany("INSERT INTO doc_numbers (doc_id, number) VALUES (?, ?)", ((doc_id, n) for n in doc.doc_numbers))
            title, first_passage = fold_lower(doc.title), None
            for chunk, embed_hash, vector in zip(doc.chunks, embed_hashes, vectors, strict=True):
                cursor = self.conn.execute(
                    "INSERT INTO chunks (doc_id, ordinal, start, end, section, page, page_end, language, agencies, embed_hash, vector,"
                    " ocr, ocr_confidence, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc_id, chunk.ordinal, chunk.start, chunk.end, chunk.section, chunk.page, chunk.page_end,
                     chunk.language or doc.language, json.dumps(chunk.agencies, ensure_ascii=False), embed_hash,
                     np.asarray(vector, dtype=np.float32).tobytes(), int(chunk.ocr), chunk.ocr_confidence,
                     doc.text[chunk.start : chunk.end]),  # the citation's text is the document's, whatever the chunker kept
                )
                self.conn.execute(
                    "INSERT INTO chunks_fts (rowid, title, section, body) VALUES (?, ?, ?, ?)",
                    (cursor.lastrowid, title, fold_lower(chunk.section), fold_lower(chunk.text)),
                )
                first_passage = first_passage or cursor.lastrowid
            if first_passage is not None:  # a document without passages is never found, so it needs no row
                self.conn.execute("UPDATE documents SET fts_key = ? WHERE id = ?", (first_passage, doc_id))
                self.conn.execute("INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)",
                                  (first_passage, title, fold_lower(doc.text)))
            self._insert_assignments(doc_id, doc)
            self._bump_generation()

    def replace_vectors(self, chunk_ids: list[int], embed_hashes: list[str], vectors: np.ndarray, embedder: str, dim: int) -> None:
        """Swap every chunk's vector (a re-index with another embedder) in one transaction."""
        with self.transaction():
            self.conn.executemany(
                "UPDATE chunks SET embed_hash = ?, vector = ? WHERE id = ?",
                ((h, np.asarray(v, dtype=np.float32).tobytes(), cid) for cid, h, v in zip(chunk_ids, embed_hashes, vectors, strict=True)),
            )
            self._set_meta("embedder", embedder)
            self._set_meta("dim", str(dim))
            self._bump_generation()

    def delete_document(self, doc_id: str) -> int:
        """Delete a document everywhere in the store; returns how many chunks went with it."""
        with self.transaction():
            self._delete_document_terms(doc_id)
            removed = self._delete_chunks(doc_id)
            deleted = self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            if not deleted:
                raise NotFoundError(f"no document {doc_id!r} in the index — `policykb docs` lists them")
            self._bump_generation()
        return len(removed)

    # --- reads ------------------------------------------------------------------------------------
    def count_chunks(self) -> int:
        return self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def has_chunks(self) -> bool:
        """Whether any passage is indexed, without counting a million of them."""
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM chunks)").fetchone()[0] == 1

    def iter_vectors(self, batch: int = 20000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """All (ids, vectors) in batches, for rebuilding the FAISS index without embedding again."""
        last = -1
        while True:
            rows = self.conn.execute("SELECT id, vector FROM chunks WHERE id > ? ORDER BY id LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            vectors = np.vstack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
            yield ids, vectors
            last = int(ids[-1])

    def vectors_for_ids(self, chunk_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of the given chunks that exist, in id order: what an index needs added, without reading the rest."""
        ids, vectors, _ = self.vectors_and_documents(chunk_ids)
        return ids, vectors

    def vectors_and_documents(self, chunk_ids: list[int]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(ids, vectors, document ids) of the given chunks that exist, in id order, from one read of their rows."""
        rows: list = []
        for start in range(0, len(chunk_ids), 500):
            batch = chunk_ids[start : start + 500]
            rows += self.conn.execute(f"SELECT id, vector, doc_id FROM chunks WHERE id IN ({','.join('?' * len(batch))})", batch).fetchall()
        rows.sort(key=lambda row: row[0])
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        vectors = np.vstack([np.frombuffer(row[1], dtype=np.float32) for row in rows]) if rows else np.zeros((0, 0), np.float32)
        return ids, vectors, [row[2] for row in rows]

    def passage_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        """The text of each of the given chunks that exist."""
        found: dict[int, str] = {}
        for start in range(0, len(chunk_ids), 500):
            batch = chunk_ids[start : start + 500]
            sql = (f"SELECT c.id, {self._chunk_text} FROM chunks c JOIN documents d ON d.id = c.doc_id"
                   f" WHERE c.id IN ({','.join('?' * len(batch))})")
            found.update(self.conn.execute(sql, batch))
        return found

    def chunk_ids(self, filters: Filters | None = None) -> np.ndarray:
        """The ids of the chunks the filters allow, in rowid order. SQLite joins them into one string, which numpy
        parses: taking a million ids one row at a time through Python cost 1.5 s."""
        filters = filters or Filters()
        where, params = filters.sql()
        rows = "chunks c JOIN documents d ON d.id = c.doc_id" if filters.on_documents else "chunks c"
        joined = self.conn.execute(f"SELECT group_concat(c.id) FROM {rows} WHERE 1 = 1{where}", params).fetchone()[0]
        ids = np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.zeros(0, dtype=np.int64)
        return ids if np.all(ids[1:] > ids[:-1]) else np.sort(ids)  # an index other than the rowid's gives its own order

    def keyword_search(self, match: str, filters: Filters, limit: int, weights: tuple[float, float, float],
                       doc_ids: list[str] | None = None) -> list[tuple[int, float]]:
        """FTS5 BM25 over (title, section, body), optionally only in some documents; higher score is better."""
        if doc_ids is None and not filters.active:
            return self._keyword_search_all(match, limit, weights)
        bm25 = _bm25(weights)
        where, params = filters.sql()
        if doc_ids is not None:
            # The documents' passages from the chunks_doc index, and only with filters their rows: joining chunk rows
            # to every match made a document-number query read rows from all over a large store (0.1 s uncached at 1M).
            # "+rowid": FTS5 reads the phrase's matches once and each is looked up among the passages; as a rowid
            # constraint SQLite would run the phrase query again for every passage (0.5 s for 10,000 passages).
            marks = ",".join("?" * len(doc_ids))
            passages = (f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.doc_id IN ({marks}){where}"
                        if filters.active else f"SELECT id FROM chunks WHERE doc_id IN ({marks})")
            sql = f"SELECT rowid, {bm25} AS score FROM chunks_fts WHERE chunks_fts MATCH ? AND +rowid IN ({passages}) ORDER BY score LIMIT ?"
            return [(row[0], -row[1]) for row in self.conn.execute(sql, [match, *doc_ids, *params, limit])]
        sql = (
            f"SELECT f.rowid, {bm25} AS score FROM chunks_fts f JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.doc_id"
            f" WHERE chunks_fts MATCH ?{where} ORDER BY score LIMIT ?"
        )
        return [(row[0], -row[1]) for row in self.conn.execute(sql, [match, *params, limit])]

    def _keyword_search_all(self, match: str, limit: int, weights: tuple[float, float, float]) -> list[tuple[int, float]]:
        """keyword_search without filters: the same ranking from the FTS table alone. Joining chunks and documents
        for every match (a chunk row holds its vector) took most of the time when a common word matches most rows."""
        sql = (f"SELECT rowid, {_bm25(weights)} AS score FROM chunks_fts"
               " WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?")
        return [(row[0], -row[1]) for row in self.conn.execute(sql, [match, limit])]

    def keyword_rankings(self, match: str, filters: Filters, limit: int,
                         weightings: tuple[tuple[float, float, float], ...]) -> list[list[tuple[int, float]]]:
        """keyword_search's ranking for each of several column weightings, from one pass over the rows that match:
        each row's scores are kept in a temporary table, and the union of the weightings' best `limit` read from it."""
        scores = ", ".join(f"{_bm25(weights)} AS s{i}" for i, weights in enumerate(weightings))
        where, params = filters.sql()
        matches = (f"SELECT f.rowid AS id, {scores} FROM chunks_fts f JOIN chunks c ON c.id = f.rowid"
                   f" JOIN documents d ON d.id = c.doc_id WHERE chunks_fts MATCH ?{where}" if filters.active else
                   f"SELECT rowid AS id, {scores} FROM chunks_fts WHERE chunks_fts MATCH ?")
        best = " UNION ".join(f"SELECT * FROM (SELECT * FROM m ORDER BY s{i} LIMIT ?)" for i in range(len(weightings)))
        rows = self.conn.execute(f"WITH m AS MATERIALIZED ({matches}) {best}", [match, *params, *[limit] * len(weightings)]).fetchall()
        return [sorted(((row[0], -row[1 + i]) for row in rows), key=lambda pair: (-pair[1], pair[0]))[:limit]
                for i in range(len(weightings))]

    def phrase_scores(self, match: str, weights: tuple[float, float, float],
                      document_weights: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rowids, BM25 scores, BM25 scores with the document weights) of every row that matches `match`, unordered:
        the phrases a term matrix cannot score."""
        sql = f"SELECT rowid, -{_bm25(weights)}, -{_bm25(document_weights)} FROM chunks_fts WHERE chunks_fts MATCH ?"
        rows = self.conn.execute(sql, [match]).fetchall()
        return (np.array([row[0] for row in rows], dtype=np.int64), np.array([row[1] for row in rows], dtype=np.float64),
                np.array([row[2] for row in rows], dtype=np.float64))

    def count_documents(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def document_keys(self, doc_ids: list[str]) -> dict[str, int]:
        """Each given document's rowid in documents_fts (see migration 10), where it has one."""
        keys: dict[str, int] = {}
        for start in range(0, len(doc_ids), 500):
            batch = doc_ids[start : start + 500]
            sql = f"SELECT id, fts_key FROM documents WHERE id IN ({','.join('?' * len(batch))}) AND fts_key IS NOT NULL"
            keys.update(self.conn.execute(sql, batch))
        return keys

    def document_scores(self, match: str, keys: list[int], weights: tuple[float, float]) -> dict[int, float]:
        """FTS5's BM25 of whole documents (title, text) with these weights, for the documents_fts rows `keys`; higher
        is better, and a document the query does not match is left out. "+rowid": see keyword_search."""
        if not keys:
            return {}
        if len(keys) > 500:  # a deep page's candidates: every match, picked here rather than bound one by one
            wanted = set(keys)
            return {key: score for key, score in self.conn.execute(_document_bm25(weights), [match]) if key in wanted}
        sql = f"{_document_bm25(weights)} AND +rowid IN ({','.join('?' * len(keys))})"
        return dict(self.conn.execute(sql, [match, *keys]).fetchall())

    def document_phrase_scores(self, match: str, weights: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """(rowids, BM25 scores) of every documents_fts row that matches `match`, unordered: the phrases a term
        matrix of documents cannot score."""
        rows = self.conn.execute(_document_bm25(weights), [match]).fetchall()
        return np.array([row[0] for row in rows], dtype=np.int64), np.array([row[1] for row in rows], dtype=np.float64)

    def doc_number_pairs(self) -> list[tuple[str, str]]:
        """Every (document id, document number it mentions)."""
        return [(row[0], row[1]) for row in self.conn.execute("SELECT doc_id, number FROM doc_numbers")]

    def chunk_rows(self, chunk_ids: list[int]) -> dict[int, sqlite3.Row]:
        """Chunk and document fields with the chunk's text, of the given chunks that exist."""
        found: dict[int, sqlite3.Row] = {}
        for start in range(0, len(chunk_ids), 500):
            batch = chunk_ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            sql = (
                "SELECT c.id, c.doc_id, c.start, c.end, c.section, c.page, c.page_end, c.language AS chunk_language,"
                f" c.agencies, {self._ocr_columns}, d.title, d.source, d.doc_type, d.language, d.date, d.year, d.issuer,"
                f" {self._chunk_text} AS text FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({marks})"
            )
            found.update((row["id"], row) for row in self.conn.execute(sql, batch))
        return found

    def chunks_for_embedding(self) -> list[tuple[int, str, str, str]]:
        """(chunk id, document title, section, text) of every chunk, in id order."""
        sql = f"SELECT c.id, d.title, c.section, {self._chunk_text} FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.id"
        return [tuple(row) for row in self.conn.execute(sql)]

    def chunk_texts(self) -> list[str]:
        sql = f"SELECT {self._chunk_text} FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.id"
        return [row[0] for row in self.conn.execute(sql)]

    def list_documents(self) -> list[dict]:
        sql = (
            "SELECT d.id, d.title, d.source, d.doc_type, d.language, d.date, d.issuer, d.url, d.file_format, d.ingested_at,"
            " (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) AS chunks FROM documents d ORDER BY d.id"
        )
        return [dict(row) for row in self.conn.execute(sql)]

    def get_document(self, doc_id: str) -> dict:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {doc_id!r} in the index — `policykb docs` lists them")
        doc = dict(row)
        for key in ("page_starts", "agencies", "acronyms"):
            doc[key] = json.loads(doc[key])
        doc["doc_numbers"] = [r[0] for r in self.conn.execute("SELECT number FROM doc_numbers WHERE doc_id = ? ORDER BY rowid", (doc_id,))]
        doc["chunks"] = [dict(r) for r in self.conn.execute(
            f"SELECT id, ordinal, start, end, section, page, page_end, language, agencies, {self._ocr_columns} FROM chunks"
            " WHERE doc_id = ? ORDER BY ordinal", (doc_id,))]
        for chunk in doc["chunks"]:
            chunk["agencies"] = json.loads(chunk["agencies"])
            chunk["ocr"] = bool(chunk["ocr"])
        return doc

    def related_documents(self, doc_id: str) -> list[dict]:
        """Other documents that mention a document number this one mentions, with the numbers shared."""
        sql = (
            "SELECT o.doc_id AS id, d.title, group_concat(o.number, ', ') AS shared"
            " FROM doc_numbers n JOIN doc_numbers o ON o.number = n.number AND o.doc_id != n.doc_id"
            " JOIN documents d ON d.id = o.doc_id WHERE n.doc_id = ? GROUP BY o.doc_id ORDER BY count(*) DESC, o.doc_id"
        )
        return [dict(row) for row in self.conn.execute(sql, (doc_id,))]

    def assignment_count(self, where: str = "1 = 1", params: tuple = ()) -> int:
        return self.conn.execute(f"SELECT count(*) FROM assignments a WHERE {where}", params).fetchone()[0]

    def assignment_leads(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT DISTINCT lead FROM assignments ORDER BY lead")]

    def assignment_rows(self, where: str = "1 = 1", params: tuple = (), limit: int = -1, offset: int = 0) -> list[dict]:
        """Assignments with their document title and cited text, in document order (`limit` of them from `offset`:
        the page is chosen from the assignments alone, so only its rows' texts are sliced from their documents)."""
        page = f"SELECT a.id FROM assignments a WHERE {where} ORDER BY a.doc_id, a.start LIMIT ? OFFSET ?"
        sql = ("SELECT a.id, a.doc_id, a.start, a.end, a.task, a.lead, a.coordinating, a.deadline, a.section, a.page, d.title,"
               f" substr(d.text, a.start + 1, a.end - a.start) AS text, {self._assignment_ocr} AS ocr"
               f" FROM assignments a JOIN documents d ON d.id = a.doc_id WHERE a.id IN ({page}) ORDER BY a.doc_id, a.start")
        rows = [dict(row) for row in self.conn.execute(sql, (*params, limit, offset))]
        for row in rows:
            row["coordinating"] = json.loads(row["coordinating"])
            row["ocr"] = bool(row["ocr"])
        return rows

    def find_document_id(self, id_or_path: str) -> str:
        """A document id from an id or the path of its source file."""
        row = self.conn.execute("SELECT id FROM documents WHERE id = ?", (id_or_path,)).fetchone()
        if row is None:
            resolved = str(Path(id_or_path).resolve())
            row = self.conn.execute("SELECT id FROM documents WHERE source = ?", (resolved,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id or path {id_or_path!r} in the index — `policykb docs` lists them")
        return row[0]

    def all_acronyms(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for (raw,) in self.conn.execute(ACRONYMS_SQL):
            for acronym, expansion in json.loads(raw).items():
                merged.setdefault(acronym, expansion)
        return merged


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (KeyboardInterrupt included).

    Inside another transaction it is a savepoint, so that many writes (a bulk load) can share one commit.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.nested = False

    def __enter__(self) -> sqlite3.Connection:
        self.nested = self.conn.in_transaction
        self.conn.execute("SAVEPOINT nested" if self.nested else "BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.nested:
            if exc_type is not None:
                self.conn.execute("ROLLBACK TO nested")
            self.conn.execute("RELEASE nested")
        elif exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
