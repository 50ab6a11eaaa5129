"""Documents: writing one with everything derived from it in one transaction, and reading them back as records."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from policykb.errors import NotFoundError
from policykb.models import Document
from policykb.store.base import StoreBase
from policykb.store.filters import in_collections
from policykb.store.records import ChunkInfo, DocumentSummary, RelatedDocument, StoredDocument
from policykb.textnorm import fold_lower

ACRONYMS_SQL = "SELECT acronyms FROM documents WHERE acronyms != '{}'"  # read from the partial index of migration 7

_INSERT_DOCUMENT = """
    INSERT INTO documents (
        id, source, title, doc_type, language, date, year, issuer, url, file_format,
        content_hash, text, page_starts, agencies, acronyms, ingested_at, collection
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

_LIST_DOCUMENTS = """
    SELECT d.id, d.title, d.source, d.doc_type, d.language, d.date, d.issuer, d.url, d.file_format, d.ingested_at,
           (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) AS chunks, {collection}
    FROM documents d
    WHERE {readable}
    ORDER BY d.id
"""

_DOCUMENT_CHUNKS = """
    SELECT id, ordinal, start, end, section, page, page_end, language, agencies, {ocr_columns}
    FROM chunks
    WHERE doc_id = ?
    ORDER BY ordinal
"""

_RELATED_DOCUMENTS = """
    SELECT o.doc_id AS id, d.title, group_concat(o.number, ', ') AS shared
    FROM doc_numbers n
    JOIN doc_numbers o ON o.number = n.number AND o.doc_id != n.doc_id
    JOIN documents d ON d.id = o.doc_id
    WHERE n.doc_id = ? AND {readable}
    GROUP BY o.doc_id
    ORDER BY count(*) DESC, o.doc_id
"""


def slugify(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", fold_lower(stem)).strip("-")
    return slug[:60] or "doc"


class Documents(StoreBase):
    """The documents table and doc_numbers (whose rows go with their document's by ON DELETE CASCADE)."""

    # --- writes -----------------------------------------------------------------------------------
    def document_for_source(self, source: str) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT id, content_hash FROM documents WHERE source = ?", (source,)).fetchone()
        return (row["id"], row["content_hash"]) if row else None

    def sources_under(self, folder: str) -> list[str]:
        """The source paths of the documents read from files in `folder` (a path as sources are written)."""
        prefix = folder.rstrip("/") + "/"
        rows = self.conn.execute(
            "SELECT source FROM documents WHERE substr(source, 1, length(?)) = ?", (prefix, prefix)
        )
        return [row[0] for row in rows]

    def new_document_id(self, stem: str) -> str:
        base = slugify(stem)
        candidate, n = base, 1
        while self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (candidate,)).fetchone():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _insert_document(self, doc_id: str, doc: Document) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.conn.execute(
            _INSERT_DOCUMENT,
            (
                doc_id,
                doc.source,
                doc.title,
                doc.doc_type,
                doc.language,
                doc.date,
                doc.year,
                doc.issuer,
                doc.url,
                doc.file_format,
                doc.content_hash,
                doc.text,
                json.dumps(doc.page_starts),
                json.dumps(doc.agencies, ensure_ascii=False),
                json.dumps(doc.acronyms, ensure_ascii=False),
                now,
                doc.collection,
            ),
        )
        self.conn.executemany(
            "INSERT INTO doc_numbers (doc_id, number) VALUES (?, ?)", ((doc_id, n) for n in doc.doc_numbers)
        )

    def _delete_document(self, doc_id: str) -> bool:
        """Delete a document's row and its numbers (the caller holds the transaction); whether there was one."""
        return self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0

    # --- reads ------------------------------------------------------------------------------------
    def count_documents(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def list_documents(self, collections: frozenset[str] | None = None) -> list[DocumentSummary]:
        """The documents of `collections` (None: of every one), by id."""
        readable, params = in_collections("d.collection", collections)
        rows = self.conn.execute(_LIST_DOCUMENTS.format(readable=readable, collection=self._collection), params)
        return [DocumentSummary(**row) for row in map(dict, rows)]

    def get_document(self, doc_id: str, collections: frozenset[str] | None = None) -> StoredDocument:
        """The document with its chunks. One outside `collections` (None: every one) is not found, with the very
        message of one that does not exist: what a viewer may not read is invisible, never forbidden."""
        readable, params = in_collections("collection", collections)
        row = self.conn.execute(f"SELECT * FROM documents WHERE id = ? AND {readable}", (doc_id, *params)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {doc_id!r} in the index — `policykb docs` lists them")
        fields = dict(row)
        for key in ("page_starts", "agencies", "acronyms"):
            fields[key] = json.loads(fields[key])
        numbers = self.conn.execute("SELECT number FROM doc_numbers WHERE doc_id = ? ORDER BY rowid", (doc_id,))
        chunks = self.conn.execute(_DOCUMENT_CHUNKS.format(ocr_columns=self._ocr_columns), (doc_id,))
        return StoredDocument(
            **fields, doc_numbers=[r[0] for r in numbers], chunks=[ChunkInfo.from_row(r) for r in chunks]
        )

    def related_documents(self, doc_id: str, collections: frozenset[str] | None = None) -> list[RelatedDocument]:
        """Other documents of `collections` (None: of every one) that mention a document number this one mentions,
        with the numbers shared."""
        readable, params = in_collections("d.collection", collections)
        rows = self.conn.execute(_RELATED_DOCUMENTS.format(readable=readable), (doc_id, *params))
        return [RelatedDocument(*row) for row in rows]

    def doc_number_pairs(self) -> list[tuple[str, str]]:
        """Every (document id, document number it mentions)."""
        return [(row[0], row[1]) for row in self.conn.execute("SELECT doc_id, number FROM doc_numbers")]

    def find_document_id(self, id_or_path: str) -> str:
        """A document id from an id or the path of its source file."""
        row = self.conn.execute("SELECT id FROM documents WHERE id = ?", (id_or_path,)).fetchone()
        if row is None:
            resolved = str(Path(id_or_path).resolve())
            row = self.conn.execute("SELECT id FROM documents WHERE source = ?", (resolved,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id or path {id_or_path!r} in the index — `policykb docs` lists them")
        return row[0]

    def all_acronyms(self, collections: frozenset[str] | None = None) -> dict[str, str]:
        """The acronyms the documents of `collections` (None: of every one) define, the first definition of each."""
        readable, params = in_collections("collection", collections)
        sql = ACRONYMS_SQL if collections is None else f"{ACRONYMS_SQL} AND {readable}"
        merged: dict[str, str] = {}
        for (raw,) in self.conn.execute(sql, params):
            for acronym, expansion in json.loads(raw).items():
                merged.setdefault(acronym, expansion)
        return merged
