"""Briefs: named collections of pinned passages and headings, kept in the store, checked against their sources."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from policykb.errors import BadQueryError, NotFoundError, PolicyKBError
from policykb.limits import BRIEF_INTRO, BRIEF_TITLE, HEADING, NOTE, TextLimit
from policykb.store import Store
from policykb.store.filters import in_collections

OK, CHANGED, REMOVED = "ok", "source changed", "source removed"


class BriefVersionError(PolicyKBError):
    """A change based on a version of the brief that another change has since replaced: refused, so that neither is
    lost (optimistic versioning)."""

    status = 409

    def __init__(self, sent: int, current: int) -> None:
        self.sent, self.current = sent, current
        super().__init__(
            f"the brief changed since you loaded it (version {sent}, now {current}) — reload it and make your change again"
        )


def no_brief(brief_id: int) -> NotFoundError:
    """What a missing brief, and one the viewer may not read, both say: the same words, so that neither is told apart."""
    return NotFoundError(f"no brief {brief_id} — `policykb brief list` shows them")


@dataclass(slots=True)
class BriefItem:
    id: int
    position: int
    kind: str  # "passage" or "heading"
    heading: str | None = None
    note: str = ""
    doc_id: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None  # the passage as it was pinned
    title: str | None = None
    section: str | None = None
    page: int | None = None
    date: str | None = None
    doc_numbers: list[str] = field(default_factory=list)
    ocr: bool = False  # the passage's text was read by OCR from a scan
    doc_type: str | None = None  # the document's type now (not stored with the item): a legal one is cited by article
    status: str = OK
    moved_to: tuple[int, int] | None = None  # where the pinned text now stands, when the source changed around it

    def to_json(self) -> dict:
        data = {name: getattr(self, name) for name in self.__slots__}
        data["moved_to"] = list(self.moved_to) if self.moved_to else None
        return data


@dataclass(slots=True)
class Brief:
    id: int
    title: str
    intro: str
    created_at: str
    updated_at: str
    items: list[BriefItem] = field(default_factory=list)
    version: int = 1  # grows by one with every change: what an edit says it is based on
    owner_id: int | None = None  # None: made before accounts (or in open mode), everyone's until an admin takes it
    owner: str | None = None  # the owner's user name

    @property
    def problems(self) -> list[BriefItem]:
        return [item for item in self.items if item.kind == "passage" and item.status != OK]

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "intro": self.intro,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "version": self.version,
            "owner": self.owner,
            "items": [item.to_json() for item in self.items],
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _within(limit: TextLimit, text: str) -> str:
    """The text as stored (without surrounding spaces), refused (400) when over its limit."""
    return limit.check(text.strip())


class Briefs:
    """Brief operations over a read-write store; every change is one transaction. With `collections` (those a viewer
    may read; None: every one), a passage from a document outside them is left out of every brief read, and cannot be
    pinned: to the viewer it is a document that does not exist."""

    def __init__(self, store: Store, collections: frozenset[str] | None = None) -> None:
        self.store = store
        self.conn = store.conn
        # An index from before accounts (migration 12), opened read-only, has briefs without owners or versions.
        self.has_owners = any(row[1] == "owner_id" for row in self.conn.execute("PRAGMA table_info(briefs)"))
        self.collections = collections

    def create(self, title: str, intro: str = "", owner_id: int | None = None) -> int:
        """A new brief owned by `owner_id` (None: everyone's, as in open mode); its id."""
        if not title.strip():
            raise BadQueryError("a brief needs a title")
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO briefs (title, intro, created_at, updated_at, owner_id) VALUES (?, ?, ?, ?, ?)",
                (_within(BRIEF_TITLE, title), _within(BRIEF_INTRO, intro), _now(), _now(), owner_id),
            )
        return cursor.lastrowid

    def _owners_sql(self) -> tuple[str, str]:
        """(columns, join) that add each brief's owner_id, owner (name) and version; constants on an older index."""
        if not self.has_owners:
            return "NULL AS owner_id, NULL AS owner, 1 AS version", ""
        return "b.owner_id, u.name AS owner, b.version", " LEFT JOIN users u ON u.id = b.owner_id"

    def list(self) -> list[dict]:
        """Every brief, the most recently changed first: id, title, updated_at, passages (those of documents outside the
        readable collections left out of the count, as they are of the brief), owner_id, owner, version."""
        unreadable, params = in_collections("d.collection", self.collections)
        columns, join = self._owners_sql()
        sql = (
            "SELECT b.id, b.title, b.updated_at, (SELECT count(*) FROM brief_items i WHERE i.brief_id = b.id AND i.kind = 'passage'"
            f" AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = i.doc_id AND NOT ({unreadable})))"
            f" AS passages, {columns} FROM briefs b{join} ORDER BY b.updated_at DESC, b.id DESC"
        )
        return [dict(row) for row in self.conn.execute(sql, params)]

    def get(self, brief_id: int) -> Brief:
        columns, join = self._owners_sql()
        row = self.conn.execute(f"SELECT b.*, {columns} FROM briefs b{join} WHERE b.id = ?", (brief_id,)).fetchone()
        if row is None:
            raise no_brief(brief_id)
        brief = Brief(
            row["id"], row["title"], row["intro"], row["created_at"], row["updated_at"],
            version=row["version"], owner_id=row["owner_id"], owner=row["owner"],
        )  # fmt: skip
        for item_row in self.conn.execute(
            "SELECT * FROM brief_items WHERE brief_id = ? ORDER BY position, id", (brief_id,)
        ):
            item = BriefItem(
                **{key: item_row[key] for key in item_row.keys() if key not in ("brief_id", "doc_numbers", "ocr")},
                doc_numbers=json.loads(item_row["doc_numbers"]),
                ocr=bool(item_row["ocr"]),
            )
            if self._check(item):
                brief.items.append(item)
        return brief

    def expect_version(self, brief_id: int, version: int | None) -> None:
        """Refuse (409) a change based on another version than the brief's current one; None: not checked. Called in
        the change's transaction, so that no other change comes between the check and this one."""
        row = self.conn.execute("SELECT version FROM briefs WHERE id = ?", (brief_id,)).fetchone()
        if row is None:
            raise no_brief(brief_id)
        if version is not None and version != row[0]:
            raise BriefVersionError(version, row[0])

    def _check(self, item: BriefItem) -> bool:
        """Compare a pinned quote with its document's cleaned text now; False for a passage of a document outside
        the readable collections, which is left out."""
        if item.kind != "passage":
            return True
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (item.doc_id,)).fetchone()
        if row is not None and self.collections is not None and row["collection"] not in self.collections:
            return False
        if row is None:
            item.status = REMOVED
            return True
        item.doc_type = row["doc_type"]
        if row["text"][item.start : item.end] != item.quote:
            item.status = CHANGED
            found = row["text"].find(item.quote)
            if found != -1 and row["text"].find(item.quote, found + 1) == -1:
                item.moved_to = (found, found + len(item.quote))
        return True

    def _next_position(self, brief_id: int) -> int:
        self.get(brief_id)  # raises for an unknown brief
        return self.conn.execute(
            "SELECT coalesce(max(position), 0) + 1 FROM brief_items WHERE brief_id = ?", (brief_id,)
        ).fetchone()[0]

    def _touch(self, brief_id: int) -> None:
        """Mark a change: the time, and the next version (in the change's transaction)."""
        bump = ", version = version + 1" if self.has_owners else ""
        self.conn.execute(f"UPDATE briefs SET updated_at = ?{bump} WHERE id = ?", (_now(), brief_id))

    def add_span(self, brief_id: int, doc_id: str, start: int, end: int, note: str = "") -> int:
        """Pin doc_id's cleaned text from start to end (a chunk, or a selection in the document page)."""
        note = _within(NOTE, note)
        doc = self.store.get_document(doc_id, self.collections)
        if not 0 <= start < end <= len(doc.text):
            raise BadQueryError(f"characters {start}–{end} are outside {doc_id} (0–{len(doc.text)})")
        chunk = next((c for c in doc.chunks if c.start <= start < c.end), None)
        position = self._next_position(brief_id)
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO brief_items (brief_id, position, kind, note, doc_id, start, end, quote, title, section, page, date, doc_numbers, ocr)"
                " VALUES (?, ?, 'passage', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    brief_id,
                    position,
                    note,
                    doc_id,
                    start,
                    end,
                    doc.text[start:end],
                    doc.title,
                    chunk.section if chunk else "",
                    chunk.page if chunk else None,
                    doc.date,
                    json.dumps(doc.doc_numbers),
                    int(bool(chunk and chunk.ocr)),
                ),
            )
            self._touch(brief_id)
        return cursor.lastrowid

    def add_chunk(self, brief_id: int, chunk_id: int, note: str = "") -> int:
        row = self.conn.execute(
            "SELECT c.doc_id, c.start, c.end, d.collection FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE c.id = ?",
            (chunk_id,),
        ).fetchone()
        if row is None or (self.collections is not None and row["collection"] not in self.collections):
            raise NotFoundError(f"no chunk {chunk_id} — chunk ids are in `policykb search --json` output")
        return self.add_span(brief_id, row["doc_id"], row["start"], row["end"], note)

    def add_heading(self, brief_id: int, heading: str) -> int:
        if not heading.strip():
            raise BadQueryError("a heading needs text")
        position = self._next_position(brief_id)
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO brief_items (brief_id, position, kind, heading) VALUES (?, ?, 'heading', ?)",
                (brief_id, position, _within(HEADING, heading)),
            )
            self._touch(brief_id)
        return cursor.lastrowid

    def _item(self, brief_id: int, item_id: int):
        row = self.conn.execute(
            "SELECT * FROM brief_items WHERE id = ? AND brief_id = ?", (item_id, brief_id)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"brief {brief_id} has no item {item_id}")
        return row

    def update_item(self, brief_id: int, item_id: int, note: str | None = None, heading: str | None = None) -> None:
        row = self._item(brief_id, item_id)
        if heading is not None and not heading.strip():
            raise BadQueryError("a heading needs text")
        note = None if note is None else _within(NOTE, note)
        heading = None if heading is None else _within(HEADING, heading)
        with self.store.transaction():
            if note is not None:
                self.conn.execute("UPDATE brief_items SET note = ? WHERE id = ?", (note, item_id))
            if heading is not None and row["kind"] == "heading":
                self.conn.execute("UPDATE brief_items SET heading = ? WHERE id = ?", (heading, item_id))
            self._touch(brief_id)

    def move(self, brief_id: int, item_id: int, delta: int) -> None:
        """Move an item up (delta -1) or down (+1) by renumbering the brief's items."""
        self._item(brief_id, item_id)
        order = [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM brief_items WHERE brief_id = ? ORDER BY position, id", (brief_id,)
            )
        ]
        index = order.index(item_id)
        target = max(0, min(len(order) - 1, index + delta))
        order.insert(target, order.pop(index))
        with self.store.transaction():
            self.conn.executemany(
                "UPDATE brief_items SET position = ? WHERE id = ?", ((n, i) for n, i in enumerate(order, 1))
            )
            self._touch(brief_id)

    def remove_item(self, brief_id: int, item_id: int) -> None:
        self._item(brief_id, item_id)
        with self.store.transaction():
            self.conn.execute("DELETE FROM brief_items WHERE id = ?", (item_id,))
            self._touch(brief_id)

    def repin(self, brief_id: int, item_id: int) -> None:
        """Point a changed item at where its quoted text now stands (only when it stands there exactly once)."""
        row = self._item(brief_id, item_id)
        brief = self.get(brief_id)
        item = next(i for i in brief.items if i.id == item_id)
        if item.moved_to is None:
            raise BadQueryError(
                f"item {item_id} cannot be re-pinned: its text is {'gone' if row['doc_id'] else 'not a passage'} — remove it and pin the passage again"
            )
        doc = self.store.get_document(item.doc_id)
        chunk = next((c for c in doc.chunks if c.start <= item.moved_to[0] < c.end), None)
        with self.store.transaction():
            self.conn.execute(
                "UPDATE brief_items SET start = ?, end = ?, section = ?, page = ?, ocr = ? WHERE id = ?",
                (
                    *item.moved_to,
                    chunk.section if chunk else "",
                    chunk.page if chunk else None,
                    int(bool(chunk and chunk.ocr)),
                    item_id,
                ),
            )
            self._touch(brief_id)

    def update(self, brief_id: int, title: str | None = None, intro: str | None = None) -> None:
        self.get(brief_id)
        if title is not None and not title.strip():
            raise BadQueryError("a brief needs a title")
        title = None if title is None else _within(BRIEF_TITLE, title)
        intro = None if intro is None else _within(BRIEF_INTRO, intro)
        with self.store.transaction():
            if title:
                self.conn.execute("UPDATE briefs SET title = ? WHERE id = ?", (title, brief_id))
            if intro is not None:
                self.conn.execute("UPDATE briefs SET intro = ? WHERE id = ?", (intro, brief_id))
            self._touch(brief_id)

    def delete(self, brief_id: int) -> None:
        self.get(brief_id)
        with self.store.transaction():
            self.conn.execute("DELETE FROM briefs WHERE id = ?", (brief_id,))
