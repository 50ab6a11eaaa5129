"""What the gazetteer says of an assignment's lead, beside what the document said: the ministry a department belongs
to, and for a body that has since ceased, moved or been renamed, who holds its fields now and under which legal basis.

The assignment's lead stays as the document wrote it; this only adds to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from policykb.glossary import Glossary


@dataclass(frozen=True, slots=True)
class LeadStatus:
    """An assignment lead as the answer shows it: "Social Assistance Department (MOLISA)", and what became of it."""

    lead: str
    label: str
    parent: str | None = None
    now: list[dict] = field(default_factory=list)  # successors: body, name, fields, since, change, basis, unverified
    note: str | None = None  # for people: "MOLISA ceased on 1 March 2025: labour, … → Ministry of Home Affairs"
    ceased: bool = False

    def to_json(self) -> dict:
        return {"lead_label": self.label, "lead_parent": self.parent, "lead_now": self.now, "lead_note": self.note}


def lead_status(glossary: Glossary, lead: str) -> LeadStatus:
    """The lead's label with its parent, and its successors (or its new parent) with the legal basis, where known."""
    gazetteer = glossary.gazetteer
    body = gazetteer.get(lead) if gazetteer else None
    if body is None:
        return LeadStatus(lead, lead)
    parent = glossary.parent_of(lead)
    label = f"{body.en or lead} ({parent})" if parent and body.kind in ("department", "institute") else lead
    successors = glossary.successors(lead)
    now = [
        {
            "body": item.successor,
            "name": _name(glossary, item.successor),
            "fields": list(item.fields),
            "since": item.date,
            "change": item.change,
            "basis": item.basis_label,
            "unverified": item.unverified,
        }
        for item in successors
    ]
    ceased = glossary.ceased(lead)
    note = _lineage_note(lead, now, ceased) if now else _moved_note(glossary, lead)
    return LeadStatus(lead, label, parent, now, note, ceased)


def _lineage_note(lead: str, now: list[dict], ceased: bool) -> str:
    """ "MOLISA ceased on 1 March 2025: labour, wages, … → Ministry of Home Affairs; … (Resolution 176/2025/QH15; …)",
    or for a body that goes on without some of its fields, "MOHA handed over on 1 March 2025: religion → …"."""
    parts = [
        f"all its fields → {item['name']}"
        if item["fields"] == ["all"]
        else f"{', '.join(item['fields'])} → {item['name']}"
        for item in now
    ]
    bases = list(dict.fromkeys(basis for item in now for basis in item["basis"].split("; ")))
    unverified = " (not verified)" if any(item["unverified"] for item in now) else ""
    what = "ceased" if ceased else "handed over"
    return f"{lead} {what} on {_day(now[0]['since'])}: {'; '.join(parts)} ({'; '.join(bases)}){unverified}"


def _moved_note(glossary: Glossary, lead: str) -> str | None:
    """ "SAD has been under the Ministry of Health since 1 March 2025 (…)" for a body that went on under another parent."""
    body = glossary.gazetteer.get(lead) if glossary.gazetteer else None
    if body is None or not body.moves:
        return None
    move = body.moves[-1]
    bases = "; ".join(f"{b.title.split(' ', 1)[0]} {b.number}" for b in move.basis)
    unverified = " (not verified)" if move.unverified else ""
    return f"{lead} has been under the {_name(glossary, move.parent)} since {_day(move.date)} ({bases}){unverified}"


def _name(glossary: Glossary, canonical: str) -> str:
    body = glossary.gazetteer.get(canonical) if glossary.gazetteer else None
    return body.en if body and body.en else canonical


def _day(iso: str) -> str:
    """ "2025-03-01" -> "1 March 2025"."""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"
