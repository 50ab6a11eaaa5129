"""Evaluates "who owns this task": extraction precision and recall, and how often the answer card names the right lead.

Usage:
    POLICYKB_EMBEDDER=minilm policykb eval owners            # the real model (default)
    POLICYKB_EMBEDDER=fake policykb eval owners              # a quick run of the machinery

Indexes corpus/ and policykb/eval/data/owners_documents/ into a temporary data folder, then prints one JSON summary on stdout.

Gold (policykb/eval/data/owners_gold.jsonl): every statement in those texts that names an agency or group from
corpus/glossary.json as the one that does, must do, leads or led a specific task, deliverable or event
("chủ trì", "shall be responsible", "has been tasked", "giao", "led by", "organised by", "finalized", "X supported
MOLISA to …" — where MOLISA does the task). Not gold: mere mentions, beneficiaries, staff of an agency, owners the
glossary does not know. A gold item is found when an extracted assignment of the same document and lead has the
phrase in its cited text or its task; an extracted assignment is right when it finds some gold item.

Questions (policykb/eval/data/owners_questions.jsonl, or another file of the same form such as the held-out set's):
the card is right when OwnersFinder.ask(question, k=1) puts an assignment with the expected lead first (a lead may be
a canonical name or a name as written: they are compared by the glossary's canonical names, lawscore.OwnerNames); for
a question whose answer the texts do not name (lead null) it is right when nothing is returned, and anything returned
is an invented owner.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.errors import PolicyKBError
from policykb.eval.lawscore import OwnerNames
from policykb.eval.sets import OWNERS_DOCUMENTS, OWNERS_GOLD, OWNERS_QUESTIONS
from policykb.ingest.indexer import Indexer
from policykb.owners.answer import OwnersFinder, is_ownership_question
from policykb.search.embedder import make_embedder
from policykb.search.searcher import Searcher
from policykb.store import AssignmentRow
from policykb.textnorm import fold_lower


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", fold_lower(text)).strip()


def same_lead(row: AssignmentRow, lead: str | None, names: OwnerNames | None) -> bool:
    """Whether the assignment's lead is the expected one: the same name, or (with `names`) the same canonical name."""
    return row.lead == lead or (names is not None and names.same(row.lead, lead))


def cites(row: AssignmentRow, item: dict, names: OwnerNames | None = None) -> bool:
    """Whether an extracted assignment says what a gold item (or a question's expected answer) says."""
    said = _normal(f"{row.task}\n{row.text}")  # a labelled block cites its owner line; its task line is the task
    return row.doc_id == item["doc"] and same_lead(row, item["lead"], names) and _normal(item["phrase"]) in said


def score_extraction(rows: list[AssignmentRow], gold: list[dict], names: OwnerNames | None = None) -> dict:
    right = [row for row in rows if any(cites(row, item, names) for item in gold)]
    found = [item for item in gold if any(cites(row, item, names) for row in rows)]
    return {
        "gold": len(gold),
        "extracted": len(rows),
        "precision": round(len(right) / len(rows), 3) if rows else None,
        "recall": round(len(found) / len(gold), 3) if gold else None,
        "wrong": [{"doc": r.doc_id, "lead": r.lead, "text": r.text[:120]} for r in rows if r not in right],
        "missed": [item for item in gold if item not in found],
    }


def score_answers(finder: OwnersFinder, questions: list[dict], names: OwnerNames | None = None) -> dict:
    right, right_and_cited, invented = 0, 0, 0
    not_detected, other_sentence = [], []
    by_language: Counter[str] = Counter()
    right_by_language: Counter[str] = Counter()
    wrong = []
    for q in questions:
        top = (finder.ask(q["question"], k=1).assignments or [None])[0]
        language = q.get("language", "?")
        by_language[language] += 1
        if not is_ownership_question(q["question"]):
            not_detected.append(q["question"])
        if q["lead"] is None:
            ok = top is None
            invented += not ok
            right_and_cited += ok
        else:
            ok = top is not None and same_lead(top, q["lead"], names)
            right_and_cited += ok and cites(top, q, names)
            if ok and not cites(top, q, names):
                other_sentence.append({"question": q["question"], "doc": top.doc_id, "text": top.text[:100]})
        right += ok
        right_by_language[language] += ok
        if not ok:
            wrong.append(
                {
                    "question": q["question"],
                    "expected": q["lead"],
                    "got": top and top.lead,
                    "doc": top and top.doc_id,
                    "text": top and top.text[:100],
                    "score": top and top.score,
                }
            )
    total = len(questions)
    return {
        "questions": total,
        "null_questions": sum(q["lead"] is None for q in questions),
        "right_lead": right,
        "accuracy": round(right / total, 3) if total else None,
        "right_lead_and_cited_sentence": right_and_cited,
        "invented_owners": invented,
        "not_detected_as_ownership_question": not_detected,
        "right_lead_other_sentence": other_sentence,
        "accuracy_by_language": {
            lang: round(right_by_language[lang] / n, 3) for lang, n in sorted(by_language.items())
        },
        "wrong": wrong,
    }


def evaluate_owners(config: Config, questions_path: Path = OWNERS_QUESTIONS) -> dict:
    """Index corpus/ and the owners documents with config's embedder in a temporary data folder, then score extraction
    against the gold and the answer cards against the questions (the project's owners questions unless another file
    of their form is given)."""
    gold = read_jsonl(OWNERS_GOLD)
    questions = read_jsonl(questions_path)
    embedder = make_embedder(config.embedder)
    with tempfile.TemporaryDirectory(prefix="policykb-owners-") as tmp:
        config = replace(config, data_dir=Path(tmp) / "data")
        started = time.perf_counter()
        with Indexer(config, embedder, progress=False) as indexer:
            report = indexer.ingest([DEFAULT_CORPUS_DIR, OWNERS_DOCUMENTS])
        if report.errors:
            raise PolicyKBError("\n".join(str(error) for error in report.errors))
        searcher = Searcher(config, embedder)
        try:
            finder = OwnersFinder(searcher)
            names = OwnerNames(searcher.glossary)
            return {
                "embedder": embedder.name,
                "documents": report.documents,
                "questions_file": str(questions_path),
                "ingest_seconds": round(time.perf_counter() - started, 1),
                "extraction": score_extraction(finder.all().assignments, gold, names),
                "answers": score_answers(finder, questions, names),
            }
        finally:
            searcher.close()
