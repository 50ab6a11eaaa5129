"""A document's relations as its page lists them: one line per relation, grouped under how it reads from the document
("Based on", "Amended by", "Replaced by", …), each with the other document and the sentence that states it; and the
articles of the document that another text amends or repeals.

Works on RelationsReport.to_json(), so the page shows exactly what the API answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# How a relation reads from the document it is shown on: its own statements ("out"), and others' about it ("in").
OUT_LABELS = {
    "based_on": "Based on",
    "implements": "Implements",
    "guides": "Guides",
    "amends": "Amends",
    "replaces": "Replaces",
    "repeals": "Repeals",
    "effective": "Takes effect",
}
IN_LABELS = {
    "based_on": "Basis of",
    "implements": "Implemented by",
    "guides": "Guided by",
    "amends": "Amended by",
    "replaces": "Replaced by",
    "repeals": "Repealed by",
    "effective": "Takes effect",
}
# A relation as a verb between its two documents ("A replaces B").
KIND_WORDS = {
    "based_on": "is based on",
    "implements": "implements",
    "guides": "guides",
    "amends": "amends",
    "replaces": "replaces",
    "repeals": "repeals",
    "effective": "takes effect",
}
STATED_HERE = "Stated here between other documents"
ORDER = (
    "Takes effect",
    "Replaced by",
    "Repealed by",
    "Amended by",
    "Guided by",
    "Implemented by",
    "Basis of",
    "Based on",
    "Implements",
    "Guides",
    "Amends",
    "Replaces",
    "Repeals",
    STATED_HERE,
)
STATUS_LABELS = {
    "in_force": "in force",
    "not_yet_in_force": "not yet in force",
    "partly_amended": "partly amended",
    "replaced": "replaced",
    "repealed": "repealed",
    "unknown": "unknown",
}
_ARTICLE = re.compile(r"\b(?:Điều|Article|Art\.)\s+(\d+[a-z]?)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PanelLine:
    """One relation on the page: the other document (None for a date of effect), and the relation as the API has it
    (`articles`, `date`, `stated_in`, `start`, `end`, `sentence`)."""

    label: str
    other: dict | None
    relation: dict


def label_of(relation: dict) -> str:
    if relation["direction"] == "about":
        return STATED_HERE
    labels = OUT_LABELS if relation["direction"] == "out" else IN_LABELS
    return labels.get(relation["kind"], relation["reads"])


def other_node(relation: dict) -> dict | None:
    """The document at the other end of the relation from the one shown (None for one between two others)."""
    if relation["direction"] == "about":
        return None
    if relation["direction"] == "out":
        return relation["target"]
    return relation["source"]


def panel_groups(relations: list[dict]) -> list[tuple[str, list[PanelLine]]]:
    """The relations grouped by label, in ORDER (a label ORDER lacks last)."""
    groups: dict[str, list[PanelLine]] = {}
    for relation in relations:
        label = label_of(relation)
        groups.setdefault(label, []).append(PanelLine(label, other_node(relation), relation))
    rank = {label: i for i, label in enumerate(ORDER)}
    return sorted(groups.items(), key=lambda item: rank.get(item[0], len(ORDER)))


def article_of(text: str) -> str | None:
    """The article number a heading or a relation's part names ("Điều 5. …" → "5", "khoản 2 Điều 3" → "3")."""
    found = _ARTICLE.findall(text)
    return found[-1].lower() if found else None


def heading_article(heading: str) -> str | None:
    """The article a heading opens ("Điều 5. Phạm vi", "Article 5"), None for any other heading."""
    match = _ARTICLE.match(heading.strip())
    return match.group(1).lower() if match else None


def amended_articles(relations: list[dict]) -> dict[str, list[dict]]:
    """For each article of the document another text amends or repeals, the relations that say so."""
    flagged: dict[str, list[dict]] = {}
    for relation in relations:
        if relation["direction"] != "in" or relation["kind"] not in ("amends", "repeals"):
            continue
        for part in relation["articles"]:
            number = article_of(part)
            if number is not None and relation not in flagged.setdefault(number, []):
                flagged[number].append(relation)
    return flagged
