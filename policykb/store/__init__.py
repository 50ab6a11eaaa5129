"""The SQLite store and the typed records its reads return."""

from policykb.store.base import INIT_HINT
from policykb.store.batches import in_batches
from policykb.store.db import Store
from policykb.store.documents import ACRONYMS_SQL, slugify
from policykb.store.filters import Filters
from policykb.store.records import (
    AssignmentRow,
    ChunkInfo,
    DocumentSummary,
    JobRow,
    PassageRow,
    RelatedDocument,
    RelationRow,
    StoredDocument,
)

__all__ = [
    "ACRONYMS_SQL",
    "INIT_HINT",
    "AssignmentRow",
    "ChunkInfo",
    "DocumentSummary",
    "JobRow",
    "Filters",
    "PassageRow",
    "RelatedDocument",
    "RelationRow",
    "Store",
    "StoredDocument",
    "in_batches",
    "slugify",
]
