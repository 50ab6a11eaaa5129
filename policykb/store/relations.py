"""Relations between documents (policykb.relations), each with the text of the document that states it, and the keys
each document's own node answers to.

A relation names its source and target by key ("n:68/NQ-CP", "t:luat to chuc chinh phu|2015"); which document of the
collection a key stands for is asked at read time (`documents_named`), so that a relation stated before the document
it names was ingested links to it all the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from policykb.models import Document
from policykb.store.base import StoreBase
from policykb.store.filters import in_collections
from policykb.store.records import RelationRow

_INSERT_RELATION = """
    INSERT INTO relations (
        doc_id, kind, source_self, source_key, source_number, source_title, source_date,
        target_key, target_number, target_title, target_date, articles, date, start, end, sentence_start, sentence_end
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

# Only the slices of the stating document's text that the rows cite are read, never its whole text.
_RELATION_ROWS = """
    SELECT r.*, d.title AS doc_title, d.collection AS collection,
           substr(d.text, r.start + 1, r.end - r.start) AS text,
           substr(d.text, r.sentence_start + 1, r.sentence_end - r.sentence_start) AS sentence
    FROM relations r JOIN documents d ON d.id = r.doc_id
    WHERE ({where}) AND {readable}
    ORDER BY r.doc_id, r.start, r.id
"""

# Every readable relation without its words, for the status of every document (the "in force on" filter). The
# readable documents are found once each, not once per relation: their collection is stored after their text.
_RELATION_ROWS_UNQUOTED = """
    WITH readable AS MATERIALIZED (SELECT id, title, collection FROM documents d WHERE {readable})
    SELECT r.*, readable.title AS doc_title, readable.collection AS collection, '' AS text, '' AS sentence
    FROM relations r JOIN readable ON readable.id = r.doc_id
    ORDER BY r.doc_id, r.start, r.id
"""

_NODE_KEYS = """
    SELECT n.doc_id, n.key
    FROM document_nodes n JOIN documents d ON d.id = n.doc_id
    WHERE ({where}) AND {readable}
    ORDER BY n.doc_id, n.key
"""

_NAMED_DOCUMENTS = """
    SELECT n.key, d.id, d.title
    FROM document_nodes n JOIN documents d ON d.id = n.doc_id
    WHERE n.key IN ({marks}) AND {readable}
    ORDER BY d.id
"""


def _marks(values: Sequence[str]) -> str:
    return ", ".join("?" * len(values)) or "NULL"


def _named_marks(condition: str) -> str:
    """in_collections' condition with named parameters (:c0, :c1, …) in place of its question marks."""
    parts = condition.split("?")
    return "".join(part + (f":c{i}" if i < len(parts) - 1 else "") for i, part in enumerate(parts))


def _named(names: list[str]) -> dict[str, str]:
    return {f"c{i}": name for i, name in enumerate(names)}


class Relations(StoreBase):
    """The relations and document_nodes tables (rows go with their document, by ON DELETE CASCADE and here)."""

    def _insert_relations(self, doc_id: str, doc: Document) -> None:
        if not self.has_table("relations"):
            return
        self.conn.executemany(
            "INSERT INTO document_nodes (doc_id, key) VALUES (?, ?)", ((doc_id, key) for key in doc.node_keys)
        )
        self.conn.executemany(_INSERT_RELATION, (_relation_values(doc_id, r) for r in doc.relations))

    def _delete_relations(self, doc_id: str) -> None:
        if not self.has_table("relations"):
            return
        self.conn.execute("DELETE FROM relations WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM document_nodes WHERE doc_id = ?", (doc_id,))

    # Every read takes `collections`: the collections whose documents it may read (None: every one). A relation is
    # read only from a document of them, and a key links only to a document of them.
    def node_keys(self, doc_id: str) -> list[str]:
        """The keys the document's own node answers to (its number; a law's name and year)."""
        if not self.has_table("document_nodes"):
            return []
        rows = self.conn.execute("SELECT key FROM document_nodes WHERE doc_id = ? ORDER BY key", (doc_id,))
        return [row[0] for row in rows]

    def relations_naming(
        self,
        keys: Sequence[str],
        doc_id: str | Sequence[str] | None = None,
        collections: frozenset[str] | None = None,
    ) -> list[RelationRow]:
        """The relations whose source or target is one of `keys`, and those document `doc_id` (or each of several)
        states of itself. Keys and ids go as one JSON parameter each: a page of documents may name many."""
        if not self.has_table("relations"):
            return []
        doc_ids = [doc_id] if isinstance(doc_id, str) else list(doc_id or [])
        where = (
            "r.source_key IN (SELECT value FROM json_each(:keys)) OR r.target_key IN (SELECT value FROM json_each(:keys))"
            " OR (r.source_self = 1 AND r.doc_id IN (SELECT value FROM json_each(:ids)))"
        )
        readable, names = in_collections("d.collection", collections)
        readable = _named_marks(readable)
        sql = _RELATION_ROWS.format(where=where, readable=readable)
        params = {"keys": json.dumps(list(keys)), "ids": json.dumps(doc_ids), **_named(names)}
        return [RelationRow.from_row(row) for row in self.conn.execute(sql, params)]

    def relations_stated_by(self, doc_id: str, collections: frozenset[str] | None = None) -> list[RelationRow]:
        """The relations document `doc_id` states, of itself or of others."""
        if not self.has_table("relations"):
            return []
        readable, names = in_collections("d.collection", collections)
        sql = _RELATION_ROWS.format(where="r.doc_id = ?", readable=readable)
        return [RelationRow.from_row(row) for row in self.conn.execute(sql, (doc_id, *names))]

    def every_relation(self, collections: frozenset[str] | None = None) -> list[RelationRow]:
        """Every relation the documents of `collections` state, without their words (`text` and `sentence` empty)."""
        if not self.has_table("relations"):
            return []
        readable, names = in_collections("d.collection", collections)
        sql = _RELATION_ROWS_UNQUOTED.format(readable=readable)
        return [RelationRow.from_row(row) for row in self.conn.execute(sql, names)]

    def node_keys_of(
        self, doc_ids: Sequence[str] | None, collections: frozenset[str] | None = None
    ) -> dict[str, list[str]]:
        """The keys each document's own node answers to, for `doc_ids` (None: every document of `collections`)."""
        if not self.has_table("document_nodes"):
            return {}
        readable, names = in_collections("d.collection", collections)
        where = "1 = 1" if doc_ids is None else "n.doc_id IN (SELECT value FROM json_each(?))"
        params = ([] if doc_ids is None else [json.dumps(list(doc_ids))]) + names
        found: dict[str, list[str]] = {}
        for doc_id, key in self.conn.execute(_NODE_KEYS.format(where=where, readable=readable), params):
            found.setdefault(doc_id, []).append(key)
        return found

    def documents_named(
        self, keys: Sequence[str], collections: frozenset[str] | None = None
    ) -> dict[str, list[tuple[str, str]]]:
        """For each key, the documents (id, title) whose own node answers to it."""
        if not keys or not self.has_table("document_nodes"):
            return {}
        readable, names = in_collections("d.collection", collections)
        found: dict[str, list[tuple[str, str]]] = {}
        sql = _NAMED_DOCUMENTS.format(marks=_marks(keys), readable=readable)
        for key, doc_id, title in self.conn.execute(sql, (*keys, *names)):
            found.setdefault(key, []).append((doc_id, title))
        return found


def _relation_values(doc_id: str, relation) -> tuple:
    source, target = relation.source, relation.target
    return (
        doc_id,
        relation.kind,
        int(relation.source_self),
        source.key,
        source.number,
        source.title,
        source.date,
        target.key if target else None,
        target.number if target else None,
        target.title if target else None,
        target.date if target else None,
        json.dumps(relation.articles, ensure_ascii=False),
        relation.date,
        relation.start,
        relation.end,
        relation.sentence_start,
        relation.sentence_end,
    )
