"""The SQLite store: documents, passages with their vectors, FTS5 over folded text; every write one transaction.

Store is assembled from one part per table group, each a subclass of StoreBase (base.py: the connection, its
transactions and the meta table). Mixins rather than composition because the parts are one store, not several:
they share one connection and transaction, a document's write goes through all of them, and callers keep asking
one object (`store.chunk_rows`, `store.get_document`) instead of learning which part holds what.
"""

from __future__ import annotations

from policykb.store.assignments import Assignments
from policykb.store.base import INIT_HINT
from policykb.store.document_terms import DocumentTerms
from policykb.store.documents import ACRONYMS_SQL, Documents, slugify
from policykb.store.filters import Filters
from policykb.store.passage_terms import PassageTerms
from policykb.store.passages import Passages

__all__ = ["ACRONYMS_SQL", "INIT_HINT", "Filters", "Store", "slugify"]


class Store(Documents, Passages, PassageTerms, DocumentTerms, Assignments):
    """One connection to the store; open read-only for searches, read-write for ingest."""
