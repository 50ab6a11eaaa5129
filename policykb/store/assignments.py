"""Task assignments (who leads, who coordinates, by when), each with the text of its document that states it.

Callers ask by intention (all, an agency's, those within some passages); the SQL conditions stay here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from policykb.models import Document
from policykb.store.base import StoreBase
from policykb.store.filters import in_collections
from policykb.store.records import AssignmentRow

_INSERT_ASSIGNMENT = """
    INSERT INTO assignments (doc_id, start, end, task, lead, coordinating, deadline, section, page, kind)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

# The page is chosen from the assignments alone, so only its rows' texts are sliced from their documents.
_ASSIGNMENT_ROWS = """
    SELECT a.id, a.doc_id, a.start, a.end, a.task, a.lead, a.coordinating, a.deadline, a.section, a.page, {kind}, d.title,
           substr(d.text, a.start + 1, a.end - a.start) AS text, {ocr} AS ocr
    FROM assignments a JOIN documents d ON d.id = a.doc_id
    WHERE a.id IN (
        SELECT a.id FROM assignments a WHERE {where} ORDER BY a.doc_id, a.start LIMIT ? OFFSET ?
    )
    ORDER BY a.doc_id, a.start
"""

_ANY = "1 = 1"
_OF_AGENCY = (
    "(a.lead IN ({names}) OR EXISTS (SELECT 1 FROM json_each(a.coordinating) WHERE json_each.value IN ({names})))"
)
_STARTS_WITHIN = "(a.doc_id = ? AND a.start >= ? AND a.start < ?)"
_OVERLAPS = "a.doc_id = ? AND a.start < ? AND a.end > ?"


def _of_agency(agency: str | Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The condition and parameters for assignments that any of these canonical names leads or coordinates."""
    names = (agency,) if isinstance(agency, str) else tuple(agency)
    marks = ", ".join("?" * len(names))
    return _OF_AGENCY.format(names=marks), names + names


def _readable(where: str, params: tuple, collections: frozenset[str] | None) -> tuple[str, tuple]:
    """`where` narrowed to the assignments of documents in `collections` (None: every one)."""
    if collections is None:
        return where, params
    readable, names = in_collections("collection", collections)
    return f"({where}) AND a.doc_id IN (SELECT id FROM documents WHERE {readable})", (*params, *names)


class Assignments(StoreBase):
    """The assignments table."""

    def _insert_assignments(self, doc_id: str, doc: Document) -> None:
        self.conn.executemany(
            _INSERT_ASSIGNMENT,
            (
                (
                    doc_id,
                    a.start,
                    a.end,
                    a.task,
                    a.lead,
                    json.dumps(a.coordinating, ensure_ascii=False),
                    a.deadline,
                    a.section,
                    a.page,
                    a.kind,
                )
                for a in doc.assignments
            ),
        )

    def _delete_assignments(self, doc_id: str) -> None:
        self.conn.execute("DELETE FROM assignments WHERE doc_id = ?", (doc_id,))

    # Every read below takes `collections`: the collections whose documents' assignments it may return (None: every
    # one), so that what a viewer may not read leaves no lead, count or row behind.
    def assignment_leads(self, collections: frozenset[str] | None = None) -> list[str]:
        where, params = _readable(_ANY, (), collections)
        sql = f"SELECT DISTINCT lead FROM assignments a WHERE {where} ORDER BY lead"
        return [row[0] for row in self.conn.execute(sql, params)]

    def leads_any(self, name: str, collections: frozenset[str] | None = None) -> bool:
        """Whether `name` is the lead of an assignment in a document of `collections` (None: of any)."""
        where, params = _readable("a.lead = ?", (name,), collections)
        return self.conn.execute(f"SELECT 1 FROM assignments a WHERE {where} LIMIT 1", params).fetchone() is not None

    def count_assignments(
        self, agency: str | Sequence[str] | None = None, collections: frozenset[str] | None = None
    ) -> int:
        """How many assignments there are, or how many the agency (a canonical name, or several: a ministry and its
        departments) leads or coordinates."""
        where, params = _readable(*((_ANY, ()) if agency is None else _of_agency(agency)), collections)
        return self.conn.execute(f"SELECT count(*) FROM assignments a WHERE {where}", params).fetchone()[0]

    def assignments(
        self, limit: int = -1, offset: int = 0, collections: frozenset[str] | None = None
    ) -> list[AssignmentRow]:
        """Every assignment in document order (`limit` of them from `offset`; -1: all)."""
        return self._assignment_rows(*_readable(_ANY, (), collections), limit, offset)

    def assignments_of_agency(
        self,
        agency: str | Sequence[str],
        limit: int = -1,
        offset: int = 0,
        collections: frozenset[str] | None = None,
    ) -> list[AssignmentRow]:
        """The assignments the agency (a canonical name, or several) leads or coordinates, in document order."""
        return self._assignment_rows(*_readable(*_of_agency(agency), collections), limit, offset)

    def assignments_within(
        self, spans: list[tuple[str, int, int]], collections: frozenset[str] | None = None
    ) -> list[AssignmentRow]:
        """The assignments whose text starts within one of the (document id, start, end) spans, in document order."""
        where = " OR ".join([_STARTS_WITHIN] * len(spans)) or "0"
        return self._assignment_rows(*_readable(where, tuple(v for span in spans for v in span), collections))

    def assignments_overlapping(self, doc_id: str, start: int, end: int) -> list[AssignmentRow]:
        """The assignments whose text overlaps the document's span from start to end, in document order."""
        return self._assignment_rows(_OVERLAPS, (doc_id, end, start))

    def _assignment_rows(self, where: str, params: tuple, limit: int = -1, offset: int = 0) -> list[AssignmentRow]:
        sql = _ASSIGNMENT_ROWS.format(ocr=self._assignment_ocr, kind=self._assignment_kind, where=where)
        return [AssignmentRow.from_row(row) for row in self.conn.execute(sql, (*params, limit, offset))]
