"""Search filters, and the SQL conditions they add to a query over passages `c` joined to their documents `d`."""

from __future__ import annotations

import json
from dataclasses import dataclass

# "!= '[]'" lets SQLite read the passages that name any agency from their partial index (migration 9).
_AGENCY_CONDITION = """c.agencies != '[]' AND EXISTS (
    SELECT 1 FROM json_each(c.agencies) WHERE json_each.value = ?
)"""


def in_collections(column: str, collections: frozenset[str] | None) -> tuple[str, list[str]]:
    """The SQL condition that `column` names one of `collections` (None: any, "1 = 1"), with its parameters."""
    if collections is None:
        return "1 = 1", []
    names = sorted(collections)
    return (f"{column} IN ({', '.join('?' * len(names))})" if names else "0"), names


@dataclass(frozen=True, slots=True)
class Filters:
    """Search filters; None means "any"."""

    doc_type: str | None = None
    language: str | None = None
    year: int | None = None
    doc_id: str | None = None
    issuer: str | None = None
    agency: str | None = None
    # The collections the asker may read (policykb.access): None for every one (open mode, an admin).
    collections: frozenset[str] | None = None
    # Documents left out whatever else matches, e.g. those not in force on a date (policykb.relations.in_force).
    excluded_docs: frozenset[str] | None = None

    def sql(self) -> tuple[str, list]:
        """The filters as " AND …" conditions on `c` and `d`, with their parameters."""
        clauses, params = [], []
        columns = (
            ("d.doc_type", self.doc_type),
            ("c.language", self.language),
            ("d.year", self.year),
            ("d.id", self.doc_id),
            ("d.issuer", self.issuer),
        )
        for column, value in columns:
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.agency is not None:
            clauses.append(_AGENCY_CONDITION)
            params.append(self.agency)
        if self.collections is not None:
            clause, names = in_collections("d.collection", self.collections)
            clauses.append(clause)
            params.extend(names)
        if self.excluded_docs:
            # One JSON parameter, so that thousands of documents stay within SQLite's limit on parameters.
            clauses.append("c.doc_id NOT IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(self.excluded_docs)))
        return "".join(f" AND {clause}" for clause in clauses), params

    @property
    def active(self) -> bool:
        return any(
            value is not None
            for value in (
                self.doc_type,
                self.language,
                self.year,
                self.doc_id,
                self.issuer,
                self.agency,
                self.collections,
                self.excluded_docs or None,
            )
        )

    @property
    def on_documents(self) -> bool:
        """Whether any filter is on a document's fields (the others are on the passage's own)."""
        return any(
            value is not None for value in (self.doc_type, self.year, self.doc_id, self.issuer, self.collections)
        )
