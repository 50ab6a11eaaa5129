"""The status of many documents at once: the badges of a page of search hits, and the documents the search filter
"in force on DATE" leaves out.

Both answer as RelationsFinder does, one document at a time (policykb.relations.status), from the relations the
documents of the viewer's collections state, but read in a fixed number of queries whatever the number of documents.

The filter leaves out only the documents the collection says were not in force on the date (not yet in force,
replaced, repealed), each for a stated reason; a document whose status the collection does not give (a report, a
news item, a decree without its final article) stays, since nothing says it was not in force.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence

from policykb.recent import LastAsked
from policykb.relations.lookup import parse_on, starts_of_undated
from policykb.relations.status import Status, changes_to, starts_of, status_with_changes, undated_sources
from policykb.store.db import Store
from policykb.store.records import RelationRow

NOT_IN_FORCE = ("not_yet_in_force", "replaced", "repealed")
# The statuses a search hit shows as a badge: what a reader must know before quoting it. "in force" and "unknown"
# would sit on most hits and say little.
BADGES = {
    "not_yet_in_force": "not yet in force",
    "partly_amended": "partly amended",
    "replaced": "replaced",
    "repealed": "repealed",
}


def statuses_of(store: Store, doc_ids: Sequence[str], collections: frozenset[str] | None, on: str) -> dict[str, Status]:
    """The status on `on` of each of `doc_ids` (documents the viewer may read), in three queries at most."""
    doc_ids = list(dict.fromkeys(doc_ids))
    keys = store.node_keys_of(doc_ids, collections)
    every_key = sorted({key for found in keys.values() for key in found})
    rows = store.relations_naming(every_key, doc_ids, collections)
    starts = starts_of_undated(store, changes_to(every_key, rows), collections)
    return {doc_id: _status(doc_id, keys.get(doc_id, []), rows, starts, on) for doc_id in doc_ids}


def hits_with_status(
    store: Store, hits: list[dict], collections: frozenset[str] | None, on: str | None = None
) -> list[dict]:
    """Search hits (their JSON) each with its document's `status` on `on` (default today), as /api/search gives
    them."""
    on = parse_on(on)
    statuses = statuses_of(store, [hit["doc_id"] for hit in hits], collections, on)
    return [
        {**hit, "status": {"status": statuses[hit["doc_id"]].status, "since": statuses[hit["doc_id"]].since, "on": on}}
        for hit in hits
    ]


def documents_not_in_force(store: Store, collections: frozenset[str] | None, on: str) -> frozenset[str]:
    """The ids of the readable documents the collection says were not in force on `on`."""
    keys = store.node_keys_of(None, collections)
    rows = store.every_relation(collections)
    about = _RowsAbout(rows)
    starts = starts_of(undated_sources(rows), rows)
    documents = set(keys) | {row.doc_id for row in rows if row.source_self}
    return frozenset(
        doc_id
        for doc_id in documents
        if _status(doc_id, keys.get(doc_id, []), about.of(doc_id, keys.get(doc_id, [])), starts, on).status
        in NOT_IN_FORCE
    )


class NotInForceKept:
    """documents_not_in_force for the last KEPT (generation, collections, date) asked: a search clicked through its
    pages or facets asks the same again, and reading every relation costs in proportion to the collection."""

    KEPT = 16

    def __init__(self) -> None:
        self._kept: LastAsked[tuple, frozenset[str]] = LastAsked(self.KEPT)
        self._lock = threading.Lock()

    def get(self, store: Store, generation: int, collections: frozenset[str] | None, on: str) -> frozenset[str]:
        key = (generation, collections, on)
        with self._lock:
            if key in self._kept:
                return self._kept[key]
        found = documents_not_in_force(store, collections, on)  # outside the lock: it reads every relation
        with self._lock:
            return self._kept.put(key, found)


def _status(
    doc_id: str, keys: Sequence[str], rows: Iterable[RelationRow], starts: dict[str, RelationRow], on: str
) -> Status:
    return status_with_changes(keys, doc_id, rows, starts, on)[0]


class _RowsAbout:
    """The relations indexed by the keys they name and the documents that state them of themselves."""

    def __init__(self, rows: list[RelationRow]) -> None:
        self._by_key: dict[str, list[RelationRow]] = defaultdict(list)
        self._of_itself: dict[str, list[RelationRow]] = defaultdict(list)
        for row in rows:
            self._by_key[row.source.key].append(row)
            if row.target is not None and row.target.key != row.source.key:
                self._by_key[row.target.key].append(row)
            if row.source_self:
                self._of_itself[row.doc_id].append(row)

    def of(self, doc_id: str, keys: Sequence[str]) -> list[RelationRow]:
        found = {row.id: row for key in keys for row in self._by_key.get(key, ())}
        found.update((row.id, row) for row in self._of_itself.get(doc_id, ()))
        return sorted(found.values(), key=lambda row: (row.doc_id, row.start, row.id))
