"""How the gazetteer's data is written: a body, a lineage item, a ceased body; read by the scripts that list bodies."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gazetteer_bases import BASES  # noqa: E402

REFORM = "2025-03-01"  # the new Government's ministries operate from this day (Resolution 176/2025/QH15)
UNTIL_REFORM = "2025-02-28"


def body(id, en, vi, kind, acronyms=(), variants=(), parent=None, **extra) -> dict:
    """One body; `vi` is its Vietnamese name (a list when it has several)."""
    vi_names = [vi] if isinstance(vi, str) else list(vi)
    return {
        "id": id,
        "en": en,
        "vi": vi_names[0] if vi_names else "",
        "acronyms": list(acronyms),
        "variants": [v for v in variants if v] + vi_names[1:],
        "kind": kind,
        "parent": parent,
        **extra,
    }


def to(successor: str, fields: list[str], basis: str | list[str], change: str = "merged", date: str = REFORM, **extra):
    """A lineage item: `fields` of the body went to `successor` on `date` under `basis` (keys of BASES)."""
    keys = [basis] if isinstance(basis, str) else basis
    item = {
        "successor": successor,
        "fields": fields,
        "date": date,
        "change": change,
        "basis": [legal_basis(k) for k in keys],
    }
    if any(BASES[k].get("unverified") for k in keys):
        item["unverified"] = True
    return item | extra


def legal_basis(key: str) -> dict:
    return {k: v for k, v in BASES[key].items() if k in ("number", "title", "date", "unverified")}


def ceased(*lineage: dict, until: str = UNTIL_REFORM) -> dict:
    return {"valid_until": until, "lineage": list(lineage)}


ALL = ["all"]
