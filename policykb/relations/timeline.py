"""A document's timeline: when it was issued, when it takes effect, and when others amend, replace or repeal it —
each dated event with the relation that says so (none for the date of issue, which is the document's own)."""

from __future__ import annotations

from dataclasses import dataclass

from policykb.relations.lookup import RelationsReport
from policykb.relations.panel import label_of, other_node


@dataclass(frozen=True, slots=True)
class Event:
    date: str  # ISO, or YYYY-MM / YYYY as the text gives it
    label: str  # "Issued", "Takes effect", "Amended by", "Replaced by", "Repealed by"
    other: dict | None  # the document that amends, replaces or repeals it
    relation: dict | None  # the relation as the API has it (its sentence is the evidence)
    dated_by: dict | None = None  # the other document's date of effect, when the change gives no date of its own


def timeline(report: RelationsReport, issued: str | None) -> list[Event]:
    """The dated events of the report's document, earliest first; undated changes are left to the relations list."""
    events = [Event(issued, "Issued", None, None)] if issued else []
    for relation in report.relations:
        if relation.kind == "effective" and relation.date:
            shown = report.relation_json(relation)
            if shown["direction"] == "out":
                events.append(Event(relation.date, "Takes effect", None, shown))
    for change in report.changes:
        if change.date:
            shown = report.relation_json(change.relation)
            because = report.relation_json(change.because[0]) if change.because else None
            events.append(Event(change.date, label_of(shown), other_node(shown), shown, because))
    return sorted(events, key=lambda event: (event.date, event.label != "Issued"))
