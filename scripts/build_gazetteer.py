"""Writes policykb/data/gazetteer.json: Vietnam's state bodies, their names, parents and lineage.

Run from the repository root: `python scripts/build_gazetteer.py`. The bodies of corpus/glossary.json keep their
canonical names and every variant they have there; provinces and their People's Committees and Councils are generated.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gazetteer_bases import SOURCES  # noqa: E402
from gazetteer_party import GROUPS, departments, party_and_front  # noqa: E402
from gazetteer_provinces import province_bodies  # noqa: E402
from gazetteer_records import body, legal_basis  # noqa: E402
from gazetteer_state import central_bodies, state_bodies  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "policykb" / "data" / "gazetteer.json"
GLOSSARY = ROOT / "corpus" / "glossary.json"


INTERNATIONAL = [
    "ILO",
    "UNICEF",
    "UNDP",
    "UN Women",
    "UNFPA",
    "UNAIDS",
    "UN-Habitat",
    "World Bank",
    "GIZ",
    "DFID",
    "Irish Aid",
    "FAO",
    "EU",
    "OECD",
    "ADB",
    "UN Social Protection JPG",
]


def from_glossary_file(bodies: list[dict]) -> list[dict]:
    """Every variant corpus/glossary.json gives a body joins it, so the built-in gazetteer matches at least as much;
    its international partners and groups come in whole."""
    data = json.loads(GLOSSARY.read_text(encoding="utf-8"))
    by_id = {b["id"]: b for b in bodies}
    added: list[dict] = []
    for key in ("agencies", "groups"):
        for item in data[key]:
            names = [n for n in [*item.get("variants", []), *item.get("vi", [])] if n]
            if item["name"] in by_id:
                known = _names(by_id[item["name"]])
                by_id[item["name"]]["variants"] += [n for n in names if n not in known]
            elif key == "groups":
                added.append(body(item["name"], item["name"], [], "group", variants=names))
            elif item["name"] in INTERNATIONAL:
                added.append(
                    body(
                        item["name"],
                        names[0] if names else item["name"],
                        [],
                        "international",
                        variants=names[1:] if names else [],
                    )
                )
            else:
                raise SystemExit(f"{GLOSSARY}: {item['name']!r} is not in the gazetteer — add it to {__file__}")
    return bodies + added


def _names(b: dict) -> set[str]:
    return {b["id"], b["en"], b["vi"], *b["acronyms"], *b["variants"]}


def main() -> None:
    bodies = central_bodies() + state_bodies() + party_and_front() + departments() + GROUPS
    bodies = from_glossary_file(bodies) + province_bodies(legal_basis("NQ202"), legal_basis("NQ1314"))
    data = {
        "about": "Vietnam's state bodies for policykb: ministries and agencies before and after the reorganisation of "
        "1 March 2025, the National Assembly and its committees, courts, procuracy, audit, central Party bodies, the "
        "Fatherland Front and mass organisations, the 63 provinces before 1 July 2025 and the 34 after with their "
        "People's Committees and Councils, departments of the big ministries, and international partners. Written by "
        'scripts/build_gazetteer.py; lineage items cite their legal basis, and say "unverified": true where the '
        "basis was not checked against a source.",
        "sources": SOURCES,
        "bodies": bodies,
    }
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, OUT)
    print(f"wrote {len(bodies)} bodies to {OUT}")


if __name__ == "__main__":
    main()
