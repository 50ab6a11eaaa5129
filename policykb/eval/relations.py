"""Precision and recall of relation extraction (policykb.relations), by kind, on each gold set apart.

A set is a list of parts, each a folder of documents with its gold file (policykb/eval/data/relations/):
    dev      the development fixtures (dev/documents, dev/gold.jsonl), the bundled corpus (dev/corpus_gold.jsonl),
             the four development laws of ALQAC (dev/laws_gold.jsonl; written from law.json, left out without it) and
             fixtures written by an annotator who had not read the rules (dev2/), for tuning
    heldout  fixtures written before the rules and never used to shape them (heldout/), and fixtures written by
             someone who had not seen the rules, once the rules were written (heldout/fresh/)
A gold line: {"file", "kind", "source": "self" or a number, "target": a number, a law's "name year", or null,
"date", "articles"}. An extracted relation matches a gold one of its file with the same kind, source and target
(numbers without diacritics, names folded) and, for "effective", the same date. Documents are read by parse_file
exactly as ingest reads them; nothing is indexed.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from policykb.config import DEFAULT_CORPUS_DIR
from policykb.errors import PolicyKBError
from policykb.eval.laws import write_law_files
from policykb.eval.lawsets import read_gold
from policykb.eval.sets import DATA
from policykb.glossary import load_glossary
from policykb.ingest.pipeline import parse_file
from policykb.models import RELATION_KINDS, Relation
from policykb.relations.references import label
from policykb.textnorm import fold_lower

RELATIONS = DATA / "relations"
SETS = ("dev", "heldout")


def _norm(value: str | None) -> str | None:
    return None if value is None else " ".join(fold_lower(value).replace(",", " ").split())


def gold_key(item: dict) -> tuple:
    """What a gold relation is matched on."""
    date = item.get("date") if item["kind"] == "effective" else None
    return (item["file"], item["kind"], _norm(item["source"]), _norm(item.get("target")), date)


def relation_key(file: str, relation: Relation) -> tuple:
    source = "self" if relation.source_self else label(relation.source)
    target = label(relation.target) if relation.target is not None else None
    date = relation.date if relation.kind == "effective" else None
    return (file, relation.kind, _norm(source), _norm(target), date)


def _parts(which: str, law_json: Path, workdir: Path) -> list[tuple[str, Path, Path]]:
    """(name, documents folder, gold file) of each part of the set."""
    if which == "heldout":
        fresh = RELATIONS / "heldout" / "fresh"
        return [
            ("fixtures", RELATIONS / "heldout" / "documents", RELATIONS / "heldout" / "gold.jsonl"),
            ("fresh", fresh / "documents", fresh / "gold.jsonl"),
        ]
    parts = [
        ("fixtures", RELATIONS / "dev" / "documents", RELATIONS / "dev" / "gold.jsonl"),
        ("corpus", DEFAULT_CORPUS_DIR, RELATIONS / "dev" / "corpus_gold.jsonl"),
        ("fixtures2", RELATIONS / "dev2" / "documents", RELATIONS / "dev2" / "gold.jsonl"),
    ]
    if law_json.is_file():
        write_law_files(law_json, workdir, "dev")
        parts.append(("laws", workdir, RELATIONS / "dev" / "laws_gold.jsonl"))
    return parts


def extracted(folder: Path) -> dict[str, list[Relation]]:
    """The relations parse_file reads from each .txt of the folder, by file name."""
    glossary = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")
    return {path.name: parse_file(path, glossary).relations for path in sorted(folder.glob("*.txt"))}


def score(gold: list[dict], found: dict[str, list[Relation]]) -> dict:
    """Precision and recall overall and by kind, with the misses and the wrong ones."""
    expected = {gold_key(item) for item in gold}
    got = {relation_key(file, r) for file, relations in found.items() for r in relations}
    right, wrong, missed = expected & got, got - expected, expected - got
    by_kind = {}
    for kind in RELATION_KINDS:
        counts = Counter(
            {
                name: sum(1 for key in keys if key[1] == kind)
                for name, keys in (("right", right), ("wrong", wrong), ("missed", missed))
            }
        )
        if sum(counts.values()):
            by_kind[kind] = _figures(counts["right"], counts["wrong"], counts["missed"])
    return {
        **_figures(len(right), len(wrong), len(missed)),
        "by_kind": by_kind,
        "wrong": sorted(map(list, wrong)),
        "missed": sorted(map(list, missed)),
    }


def _figures(right: int, wrong: int, missed: int) -> dict:
    return {
        "gold": right + missed,
        "found": right + wrong,
        "right": right,
        "precision": round(right / (right + wrong), 3) if right + wrong else None,
        "recall": round(right / (right + missed), 3) if right + missed else None,
    }


def evaluate_relations(which: str, law_json: Path, show_misses: bool | None = None) -> dict:
    """Score one set, part by part and all its parts together. Misses are listed for dev, not for the held-out set
    unless asked, so that no one tunes on it by accident."""
    if which not in SETS:
        raise PolicyKBError(f"relation set {which!r} is not one of {', '.join(SETS)}")
    show = which == "dev" if show_misses is None else show_misses
    with tempfile.TemporaryDirectory(prefix="policykb-relations-") as workdir:
        gold_all: list[dict] = []
        found_all: dict[str, list[Relation]] = {}
        result: dict = {"set": which, "parts": {}}
        for name, folder, gold_file in _parts(which, law_json, Path(workdir)):
            gold = read_gold(gold_file)
            found = extracted(folder)  # every file counts: a relation read from one without gold is wrong
            result["parts"][name] = _shown(score(gold, found), show)
            gold_all += gold
            found_all.update(found)
        result["all"] = _shown(score(gold_all, found_all), show)
    return result


def _shown(scores: dict, show: bool) -> dict:
    if not show:
        scores = {**scores, "wrong": "hidden", "missed": "hidden"}
    return scores
