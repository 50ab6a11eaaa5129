"""What the collection says of one document's relations, for one viewer: RelationsFinder.report(ref, on).

    finder = RelationsFinder(store, collections)        # collections: what the viewer may read (None: everything)
    report = finder.report("68/NQ-CP", on="2024-06-01")  # or a document id
    report.status.status                                 # "in_force", … (policykb.relations.status)
    report.to_json()                                     # the CLI's --json and the API's answer

A viewer sees only relations stated by documents they may read, and a node links to a document only when they may
read it: a document they may not read shows at most as the number a readable text gives it, never with its id,
title or the relations its own text states.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from policykb.docnumbers import DOC_NUMBER, normalize_doc_number
from policykb.errors import BadQueryError, NotFoundError
from policykb.models import RELATION_KINDS, DocumentRef
from policykb.relations.references import number_key
from policykb.relations.status import Dated, Status, changes_to, starts_of, status_with_changes, undated_sources
from policykb.store.db import Store
from policykb.store.records import RelationRow

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_on(value: str | None, where: str = "--on") -> str:
    """The date asked for (YYYY-MM-DD), today's (UTC) when none."""
    if not value:
        return datetime.now(UTC).date().isoformat()
    try:
        if not _ISO_DATE.fullmatch(value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise BadQueryError(f"{where} must be a date written YYYY-MM-DD, e.g. 2024-06-01; got {value[:40]!r}") from None


@dataclass(frozen=True, slots=True)
class Node:
    """The document asked about: the keys it answers to, and the document of the collection it is, if any."""

    query: str
    keys: tuple[str, ...]
    number: str | None
    doc_id: str | None
    doc_title: str | None


@dataclass(frozen=True, slots=True)
class RelationsReport:
    node: Node
    on: str
    status: Status
    relations: list[RelationRow]
    linked: dict[str, tuple[str, str]]  # key -> (doc id, title) of a document the viewer may read
    changes: list[Dated] = field(default_factory=list)  # what amends, replaces or repeals it, each with its date

    def to_json(self) -> dict:
        node = self.node
        return {
            "document": {
                "query": node.query,
                "keys": list(node.keys),
                "number": node.number,
                "doc_id": node.doc_id,
                "title": node.doc_title,
            },
            "on": self.on,
            "status": {
                "status": self.status.status,
                "since": self.status.since,
                "evidence": [self._relation(r) for r in self.status.evidence],
                "notes": self.status.notes,
            },
            "relations": [self._relation(r) for r in self.relations],
        }

    def relation_json(self, row: RelationRow) -> dict:
        """One relation as the JSON shows it, read from the document asked about."""
        return self._relation(row)

    def _relation(self, row: RelationRow) -> dict:
        outgoing = self._is_node(row.source, row)
        return {
            "id": row.id,
            "kind": row.kind,
            "reads": row.kind if outgoing or row.target is None else RELATION_KINDS[row.kind],
            "direction": "out" if outgoing else ("in" if row.target and row.target.key in self.node.keys else "about"),
            "source": self._node(row.source, row if row.source_self else None),
            "target": self._node(row.target) if row.target is not None else None,
            "articles": row.articles,
            "date": row.date,
            "stated_in": {"doc_id": row.doc_id, "title": row.doc_title, "collection": row.collection},
            "start": row.start,
            "end": row.end,
            "text": row.text,
            "sentence": {"start": row.sentence_start, "end": row.sentence_end, "text": row.sentence},
        }

    def _is_node(self, ref: DocumentRef, row: RelationRow) -> bool:
        return ref.key in self.node.keys or (row.source_self and row.doc_id == self.node.doc_id)

    def _node(self, ref: DocumentRef, stated_by: RelationRow | None = None) -> dict:
        """A node as shown: as the text names it, and the readable document it is (the stating document itself for
        a relation it states of itself)."""
        doc_id, title = (stated_by.doc_id, stated_by.doc_title) if stated_by else self.linked.get(ref.key, (None, None))
        return {
            "key": ref.key,
            "number": ref.number,
            "title": ref.title,
            "date": ref.date,
            "doc_id": doc_id,
            "doc_title": title,
        }


class RelationsFinder:
    """A document's relations and status, as the documents of `collections` (None: every one) state them."""

    def __init__(self, store: Store, collections: frozenset[str] | None = None) -> None:
        self.store = store
        self.collections = collections

    def node(self, ref: str) -> Node:
        """The document an id or number names; NotFoundError when it is neither a readable document nor a number."""
        ref = ref.strip()
        try:
            doc = self.store.get_document(ref, self.collections)
        except NotFoundError:
            doc = None
        if doc is not None:
            return self.document_node(doc.id, doc.title, doc.doc_numbers)
        match = DOC_NUMBER.fullmatch(ref) or DOC_NUMBER.fullmatch(ref.upper())  # "68/nq-cp" as typed
        if match is None:
            raise NotFoundError(
                f"no document {ref!r} in the index — give a document id (`policykb docs` lists them) or a document "
                "number such as 68/NQ-CP"
            )
        number = normalize_doc_number(match.group(0))
        key = number_key(number)
        named = self.store.documents_named([key], self.collections).get(key, [])
        doc_id, title = named[0] if named else (None, None)
        return Node(ref, (key,), number, doc_id, title)

    def document_node(self, doc_id: str, title: str, numbers: Sequence[str] = ()) -> Node:
        """The node of a document the caller has already read (and may read); its number as the document writes it
        when `numbers` (its document numbers) hold it, else as its key has it (without diacritics)."""
        keys = tuple(self.store.node_keys(doc_id))
        written = next((n for n in numbers if number_key(normalize_doc_number(n)) in keys), None)
        number = written or next((key[2:] for key in keys if key.startswith("n:")), None)
        return Node(doc_id, keys, number, doc_id, title)

    def of_document(self, doc_id: str, title: str, numbers: Sequence[str] = ()) -> dict:
        """What GET /api/docs/<id> adds to a readable document: its relations and its status today."""
        report = self.report(self.document_node(doc_id, title, numbers)).to_json()
        return {"relations": report["relations"], "status": {"on": report["on"], **report["status"]}}

    def asked(self, ref: str | None, on: str | None, fields: str) -> RelationsReport:
        """The report a request asks for (GET /api/relations, the MCP relations tool): a document id or number is
        required and `on` must be a date; `fields` is what the request's fields are called in its errors."""
        if not ref or not ref.strip():
            raise BadQueryError(f"{fields} 'doc' is required: a document id or number, e.g. 68/NQ-CP")
        return self.report(ref, parse_on(on, f"{fields} 'on'"))

    def report(self, ref: str | Node, on: str | None = None) -> RelationsReport:
        """What the collection says of `ref` (a document id or number, or a Node) and its status on `on` (ISO date,
        default today)."""
        node = ref if isinstance(ref, Node) else self.node(ref)
        on = parse_on(on)
        rows = self.store.relations_naming(node.keys, node.doc_id, self.collections)
        if node.doc_id is None and not rows:
            raise NotFoundError(f"no document numbered {node.number} and no relation naming it in the index")
        starts = starts_of_undated(self.store, changes_to(node.keys, rows), self.collections)
        status, changes = status_with_changes(node.keys, node.doc_id, rows, starts, on)
        return RelationsReport(node, on, status, rows, self.linked(rows), changes)

    def linked(self, rows: list[RelationRow]) -> dict[str, tuple[str, str]]:
        """For each key the rows name, the readable document (id, title) it links to."""
        keys = {r.source.key for r in rows} | {r.target.key for r in rows if r.target is not None}
        return {key: docs[0] for key, docs in self.store.documents_named(sorted(keys), self.collections).items()}


def starts_of_undated(
    store: Store, changes: list[RelationRow], collections: frozenset[str] | None
) -> dict[str, RelationRow]:
    """The date of effect, as the readable collection states it, of each source of a change that gives no date of
    its own: what dates that change."""
    undated = undated_sources(changes)
    return starts_of(undated, store.relations_naming(sorted(undated), None, collections)) if undated else {}
