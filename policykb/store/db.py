"""The SQLite store: documents, passages with their vectors, FTS5 over folded text; every write one transaction.

Store is assembled from one part per table group, each a subclass of StoreBase (base.py: the connection, its
transactions and the meta table). Mixins rather than composition because the parts are one store, not several:
they share one connection and transaction, a document's write goes through all of them, and callers keep asking
one object (`store.chunk_rows`, `store.get_document`) instead of learning which part holds what.
"""

from __future__ import annotations

import numpy as np

from policykb.errors import NotFoundError
from policykb.models import Document
from policykb.store.assignments import Assignments
from policykb.store.audit_log import AuditLog
from policykb.store.base import INIT_HINT
from policykb.store.collections import Collections
from policykb.store.document_terms import DocumentTerms
from policykb.store.documents import ACRONYMS_SQL, Documents, slugify
from policykb.store.filters import Filters
from policykb.store.fts_upkeep import FtsUpkeep
from policykb.store.jobs import Jobs
from policykb.store.metadata_edits import MetadataEdits
from policykb.store.passage_terms import PassageTerms
from policykb.store.passages import Passages
from policykb.store.people import People
from policykb.store.relations import Relations

__all__ = ["ACRONYMS_SQL", "INIT_HINT", "Filters", "Store", "slugify"]


class Store(
    Documents,
    Passages,
    PassageTerms,
    DocumentTerms,
    Assignments,
    Relations,
    Collections,
    People,
    AuditLog,
    MetadataEdits,
    FtsUpkeep,
    Jobs,
):
    """One connection to the store; open read-only for searches, read-write for ingest. The writes of a whole
    document are here, where every part is at hand."""

    def replace_document(self, doc_id: str, doc: Document, embed_hashes: list[str], vectors: np.ndarray) -> str:
        """Write a document with its chunks and vectors, replacing any earlier version of its source, in one
        transaction; the id it is stored under (see _id_for)."""
        with self.transaction():
            doc_id = self._id_for(doc_id, doc.source)
            self._delete_everywhere(doc_id)
            self._insert_document(doc_id, doc)
            first_passage = self._insert_chunks(doc_id, doc, embed_hashes, vectors)
            if first_passage is not None:  # a document without passages is never found, so it needs no row
                self._insert_document_terms(doc_id, first_passage, doc)
            self._insert_assignments(doc_id, doc)
            self._insert_relations(doc_id, doc)
            self._bump_generation()
        return doc_id

    def _id_for(self, planned: str, source: str) -> str:
        """The id to store `source`'s document under, decided under the write lock: the id it has if it is stored
        (another process may have stored it since `planned` was chosen), else `planned` unless another source took it
        meanwhile (two workers ingesting x/report.txt and y/report.txt at once both plan "report")."""
        stored = self.document_for_source(source)
        if stored is not None:
            return stored[0]
        if self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (planned,)).fetchone() is None:
            return planned
        return self.new_document_id(planned)

    def delete_document(self, doc_id: str) -> int:
        """Delete a document everywhere in the store; returns how many chunks went with it."""
        with self.transaction():
            removed, deleted = self._delete_everywhere(doc_id)
            if not deleted:
                raise NotFoundError(f"no document {doc_id!r} in the index — `policykb docs` lists them")
            self._bump_generation()
        return len(removed)

    def _delete_everywhere(self, doc_id: str) -> tuple[list[int], bool]:
        """Delete a document's terms, passages, assignments, relations and row (the caller holds the transaction):
        the ids of the passages removed, and whether the document was there."""
        self._delete_document_terms(doc_id)  # first: it reads the folded text back from the documents row
        removed = self._delete_chunks(doc_id)
        self._delete_assignments(doc_id)
        self._delete_relations(doc_id)
        return removed, self._delete_document(doc_id)
