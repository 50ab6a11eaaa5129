"""The built-in gazetteer of Vietnam's state bodies (policykb/data/gazetteer.json): names, parents and lineage.

A body that ceased or was renamed names its successors, which of its fields each took, from when and under which legal
basis; a department names the ministry it belongs to, and when it moved to another. The glossary's agencies and groups
are made from it, so owner extraction knows every ministry, province and central body by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from policykb.errors import PolicyKBError

DATA_DIR = Path(__file__).resolve().parent / "data"
GAZETTEER_PATH = DATA_DIR / "gazetteer.json"
GROUP_KINDS = frozenset({"group"})  # kinds named as a collective owner ("các bộ, ngành"), kept as a group
UNIT_KINDS = frozenset({"province", "city"})  # places, not owners: their committees and councils own tasks


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """The document a change rests on: "176/2025/QH15", its title and date (None where not checked)."""

    number: str
    title: str
    date: str | None
    unverified: bool = False


@dataclass(frozen=True, slots=True)
class Succession:
    """Part or all of a body's fields ("labour", "all") went to `successor` on `date`."""

    successor: str
    fields: tuple[str, ...]
    date: str
    change: str  # "merged", "renamed", "transferred", "split" or "dissolved"
    basis: tuple[LegalBasis, ...]
    unverified: bool = False

    @property
    def basis_label(self) -> str:
        """The legal basis as a reader cites it: "Resolution 176/2025/QH15; Decree 25/2025/ND-CP"."""
        return "; ".join(f"{b.title.split(' ', 1)[0]} {b.number}" for b in self.basis)


@dataclass(frozen=True, slots=True)
class Move:
    """A body that went on under another parent from `date` (a department moved to another ministry)."""

    parent: str
    date: str
    basis: tuple[LegalBasis, ...]
    unverified: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """One state body, group or partner; `id` is its canonical name."""

    id: str
    en: str
    vi: str
    acronyms: tuple[str, ...]
    variants: tuple[str, ...]
    kind: str
    parent: str | None = None  # the parent it had first; `moves` says when that changed
    valid_from: str | None = None
    valid_until: str | None = None
    lineage: tuple[Succession, ...] = ()
    moves: tuple[Move, ...] = ()
    province: str | None = None  # a People's Committee's or Council's province or city
    note: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name, canonical first; Vietnamese with and without diacritics match alike, so one spelling is kept."""
        return tuple(dict.fromkeys(n for n in (self.id, self.en, self.vi, *self.acronyms, *self.variants) if n))

    @property
    def glossary_kind(self) -> str:
        return "group" if self.kind in GROUP_KINDS else "agency"

    def exists_on(self, day: str) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Gazetteer:
    """Bodies by canonical name, with their parents, children and successors."""

    def __init__(self, bodies: list[Body]) -> None:
        self.bodies = {body.id: body for body in bodies}

    def __contains__(self, canonical: str) -> bool:
        return canonical in self.bodies

    def get(self, canonical: str) -> Body | None:
        return self.bodies.get(canonical)

    def parent_of(self, canonical: str, on: str | None = None) -> str | None:
        """The body's parent on the day (ISO date), or, without a day, the parent it was first named under."""
        body = self.bodies.get(canonical)
        if body is None:
            return None
        parent = body.parent
        for move in body.moves if on else ():
            if move.date <= on:
                parent = move.parent
        return parent

    def children_of(self, canonical: str) -> list[str]:
        """Every body under this one, at any time and at any depth (a ministry's departments and their units)."""
        direct: dict[str, set[str]] = {}
        for body in self.bodies.values():
            for parent in {body.parent, *(move.parent for move in body.moves)} - {None}:
                direct.setdefault(parent, set()).add(body.id)
        found: list[str] = []
        stack = sorted(direct.get(canonical, ()))
        while stack:
            child = stack.pop(0)
            if child not in found and child != canonical:
                found.append(child)
                stack += sorted(direct.get(child, ()))
        return found

    def successors(self, canonical: str, on: str | None = None) -> list[Succession]:
        """What became of the body's fields by the day (all of it recorded, without one)."""
        body = self.bodies.get(canonical)
        return [item for item in body.lineage if on is None or item.date <= on] if body else []

    def ceased(self, canonical: str, on: str | None = None) -> bool:
        """Whether the body no longer existed on the day (or no longer exists, without one)."""
        body = self.bodies.get(canonical)
        return bool(body and body.valid_until and (on is None or body.valid_until < on))

    def provinces(self, on: str) -> list[Body]:
        """The provinces and centrally-run cities that existed on the day."""
        return [b for b in self.bodies.values() if b.kind in UNIT_KINDS and b.exists_on(on)]

    def owners(self) -> list[Body]:
        """The bodies that can own a task: all but the provinces and cities as places."""
        return [b for b in self.bodies.values() if b.kind not in UNIT_KINDS]


def _bases(items: list[dict]) -> tuple[LegalBasis, ...]:
    return tuple(LegalBasis(b["number"], b["title"], b.get("date"), b.get("unverified", False)) for b in items)


def _body(item: dict) -> Body:
    lineage = tuple(
        Succession(
            s["successor"], tuple(s["fields"]), s["date"], s["change"], _bases(s["basis"]), s.get("unverified", False)
        )
        for s in item.get("lineage", [])
    )
    moves = tuple(
        Move(m["parent"], m["date"], _bases(m["basis"]), m.get("unverified", False)) for m in item.get("moves", [])
    )
    return Body(
        item["id"],
        item.get("en", ""),
        item.get("vi", ""),
        tuple(item.get("acronyms", [])),
        tuple(item.get("variants", [])),
        item["kind"],
        item.get("parent"),
        item.get("valid_from"),
        item.get("valid_until"),
        lineage,
        moves,
        item.get("province"),
        item.get("note"),
    )


def problems(gazetteer: Gazetteer) -> list[str]:
    """What is wrong with the data: a parent, successor or move naming no known body, a lineage without a basis."""
    out: list[str] = []
    for body in gazetteer.bodies.values():
        named = [("parent", body.parent)] + [("successor", s.successor) for s in body.lineage]
        named += [("moved to", m.parent) for m in body.moves] + [("province", body.province)]
        out += [f"{body.id}: {role} {name!r} is not a body" for role, name in named if name and name not in gazetteer]
        out += [f"{body.id}: a lineage item to {s.successor} has no legal basis" for s in body.lineage if not s.basis]
        if body.lineage and not body.valid_until and all(s.change != "transferred" for s in body.lineage):
            out.append(f"{body.id}: has successors but no valid_until")
    return out


@lru_cache(maxsize=2)
def load_gazetteer(path: Path = GAZETTEER_PATH) -> Gazetteer:
    """The gazetteer shipped with policykb (or another file of the same shape)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Gazetteer([_body(item) for item in data["bodies"]])
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise PolicyKBError(
            f"{path}: cannot read the gazetteer ({exc}) — reinstall policykb or run scripts/build_gazetteer.py"
        ) from exc
