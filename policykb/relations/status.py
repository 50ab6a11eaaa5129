"""A document's status on a date, from the relations the collection states about it, and never without them.

    replaced / repealed   a relation ends it (replaces, or repeals without naming articles) on or before the date
    not_yet_in_force      its date of effect is after the date
    partly_amended        in force, and amended (or articles of it repealed) on or before the date
    in_force              its date of effect is on or before the date, and nothing above
    unknown               the collection does not say: no date of effect, or an end whose date it does not give

Each status but "unknown" comes with the relations that say so (their spans are the evidence); "unknown" lists what
is known and, in `notes`, what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from policykb.store.records import RelationRow

STATUSES = ("in_force", "not_yet_in_force", "partly_amended", "replaced", "repealed", "unknown")
ENDING = ("replaces", "repeals")


@dataclass(frozen=True, slots=True)
class Dated:
    """A relation about the document with the date it takes effect: its own, else its source's date of effect (the
    relation that gives that date is evidence too)."""

    relation: RelationRow
    date: str | None
    because: tuple[RelationRow, ...] = ()

    @property
    def evidence(self) -> list[RelationRow]:
        return [self.relation, *self.because]

    @property
    def ends(self) -> bool:
        """Whether it ends the document, not only some of its articles."""
        return self.relation.kind in ENDING and not self.relation.articles


@dataclass(frozen=True, slots=True)
class Status:
    status: str  # one of STATUSES
    on: str
    since: str | None = None  # the date the status began, when the evidence gives it
    evidence: list[RelationRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def status_on(effective: list[RelationRow], changes: list[Dated], on: str) -> Status:
    """The status on `on` (ISO date) of a document whose dates of effect are `effective` (relations of kind
    "effective" whose source it is) and which `changes` amend, replace or repeal."""
    starts = sorted((r for r in effective if r.date), key=lambda r: (not r.source_self, r.date))
    start = starts[0] if starts else None  # what the document says of itself first, else the earliest
    ended = sorted((c for c in changes if c.ends and c.date and c.date <= on), key=_first_said)
    if ended:
        first = ended[0]
        kind = "replaced" if first.relation.kind == "replaces" else "repealed"
        return Status(kind, on, first.date, first.evidence)
    notes = [_upcoming(c) for c in changes if c.ends and c.date and c.date > on]
    if start is not None and on < start.date:
        return Status("not_yet_in_force", on, None, [start], notes)
    undated = [c for c in changes if c.ends and c.date is None]
    if undated:
        notes += [f"{_name(c.relation)} says it ends it, from a date the collection does not give" for c in undated]
        return Status("unknown", on, None, [e for c in undated for e in c.evidence], notes)
    amended = sorted((c for c in changes if not c.ends and c.date and c.date <= on), key=lambda c: c.date)
    if amended:
        evidence = [e for c in amended for e in c.evidence] + ([start] if start else [])
        return Status("partly_amended", on, amended[-1].date, evidence, notes)
    if start is not None:
        return Status("in_force", on, start.date, [start], notes)
    notes.append("the collection gives no date of effect for it, and nothing that amends, replaces or repeals it")
    return Status("unknown", on, None, [], notes)


def _first_said(change: Dated) -> tuple:
    """Earliest first; on one date, what the ending document says of itself before what another text reports."""
    return (change.date, bool(change.because), not change.relation.source_self)


def _name(relation: RelationRow) -> str:
    source = relation.source
    return source.number or source.title or relation.doc_title


def _upcoming(change: Dated) -> str:
    verb = "replaces" if change.relation.kind == "replaces" else "repeals"
    return f"{_name(change.relation)} {verb} it from {change.date}"


# --- which relations speak of a document ------------------------------------------------------------
def is_source(keys: Sequence[str], doc_id: str | None, row: RelationRow) -> bool:
    """Whether the document (its node's keys, its id) is the relation's source."""
    return row.source.key in keys or (row.source_self and doc_id is not None and row.doc_id == doc_id)


def effective_of(keys: Sequence[str], doc_id: str | None, rows: Iterable[RelationRow]) -> list[RelationRow]:
    """The dates of effect the rows give the document."""
    return [r for r in rows if r.kind == "effective" and is_source(keys, doc_id, r)]


def changes_to(keys: Sequence[str], rows: Iterable[RelationRow]) -> list[RelationRow]:
    """The rows that amend, replace or repeal the document."""
    return [r for r in rows if r.kind in ("amends", "replaces", "repeals") and r.target and r.target.key in keys]


def undated_sources(changes: Iterable[RelationRow]) -> set[str]:
    """The keys of the documents whose change gives no date of its own: their date of effect dates it."""
    return {r.source.key for r in changes if r.date is None}


def starts_of(keys: set[str], rows: Iterable[RelationRow]) -> dict[str, RelationRow]:
    """For each key, the first relation among `rows` that gives its document a date of effect."""
    starts: dict[str, RelationRow] = {}
    for row in rows:
        if row.kind == "effective" and row.date and row.source.key in keys:
            starts.setdefault(row.source.key, row)
    return starts


def dated(changes: Iterable[RelationRow], starts: dict[str, RelationRow]) -> list[Dated]:
    """Each change with its date: its own, else its source's date of effect (then evidence too), else none."""
    out = []
    for r in changes:
        if r.date:
            out.append(Dated(r, r.date, ()))
        elif r.source.key in starts:
            out.append(Dated(r, starts[r.source.key].date, (starts[r.source.key],)))
        else:
            out.append(Dated(r, None))
    return out


def status_with_changes(
    keys: Sequence[str], doc_id: str | None, rows: Iterable[RelationRow], starts: dict[str, RelationRow], on: str
) -> tuple[Status, list[Dated]]:
    """The document's status on `on` as `rows` state it, and the dated changes it rests on (`starts`: starts_of the
    undated changes' sources)."""
    rows = list(rows)
    changes = dated(changes_to(keys, rows), starts)
    return status_on(effective_of(keys, doc_id, rows), changes, on), changes
