"""The notes an export adds under a quoted passage whose document is no longer in force on the export date: replaced
or repealed, by what and since when, as the documents the exporter may read state it (policykb.relations)."""

from __future__ import annotations

from datetime import UTC, datetime

from policykb.briefs.model import Brief
from policykb.relations.in_force import statuses_of
from policykb.relations.status import Status
from policykb.store import RelationRow, Store

ENDED = {"replaced": "replaced by", "repealed": "repealed by"}


def ended_notes(
    brief: Brief, store: Store, collections: frozenset[str] | None, on: str | None = None
) -> dict[int, str]:
    """For each passage item whose document was replaced or repealed on or before `on` (default today, UTC): the note
    that says so, e.g. "Not in force on 2026-01-01: replaced by 20/2021/NĐ-CP since 2021-07-01."."""
    on = on or datetime.now(UTC).date().isoformat()
    items = [item for item in brief.items if item.kind == "passage" and item.doc_id]
    statuses = statuses_of(store, [item.doc_id for item in items], collections, on)
    notes = {}
    for item in items:
        status = statuses.get(item.doc_id)
        if status is not None and status.status in ENDED:
            notes[item.id] = _note(status, on)
    return notes


def _note(status: Status, on: str) -> str:
    since = f" since {status.since}" if status.since else ""
    return f"Not in force on {on}: {ENDED[status.status]} {_ending_document(status.evidence[0])}{since}."


def _ending_document(row: RelationRow) -> str:
    """The document that replaced or repealed it: its number, with the title of the text when it speaks of itself."""
    name = row.source.number or row.source.title
    if row.source_self:
        return f"{name} ({row.doc_title})" if name else row.doc_title
    return name or row.doc_title
