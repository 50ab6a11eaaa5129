"""Evaluates policykb on Vietnamese laws: article search, owner extraction and owner answers, per set and language.

A set is a folder of gold files over some of ALQAC's laws (policykb/eval/data/dev/ for the development set, .../heldout/
for the held-out one), each optional:
    law_questions.jsonl    {"query", "law", "article", "language"}: the article that answers the question
    law_owners.jsonl       {"question", "law", "article", "lead", "coordinating", "language"}: who owns the task asked
    law_assignments.jsonl  {"law", "article", "clause", "point", "lead", "coordinating", "kind", "task", "phrase"}:
                           every task the laws give a state body, `phrase` where the law gives it
The set's laws are written as files (policykb.eval.laws), ingested the ordinary way into a temporary (or kept) data
folder, and scored by policykb.eval.lawscore. Misses of the held-out set are left out unless asked for, so that no
one tunes on them by accident.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from policykb.config import Config
from policykb.errors import PolicyKBError
from policykb.eval.laws import load_laws, write_law_files
from policykb.eval.lawscore import (
    GoldAssignment,
    OwnerAnswer,
    OwnerNames,
    article_rank,
    locate_phrase,
    rank_scores,
    score_law_extraction,
    score_owner_answers,
)
from policykb.eval.sets import DATA
from policykb.ingest.indexer import Indexer
from policykb.owners.answer import OwnersFinder
from policykb.search.embedder import make_embedder
from policykb.search.searcher import MODES, Searcher

LAW_SETS = ("dev", "heldout")
QUESTIONS, OWNERS, ASSIGNMENTS = "law_questions.jsonl", "law_owners.jsonl", "law_assignments.jsonl"


def read_gold(path: Path) -> list[dict]:
    """A JSON Lines gold file; a line that is not JSON is named with its file and line number."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise PolicyKBError(f"{path}:{number}: not a JSON object ({exc}) — one object per line") from exc
    return items


def load_law_set(which: str, folder: Path | None = None) -> dict[str, list[dict]]:
    """The gold files of a set that exist, by file name (an absent file is an empty list)."""
    if which not in LAW_SETS:
        raise PolicyKBError(f"law set {which!r} is not one of {', '.join(LAW_SETS)}")
    folder = folder or DATA / which
    gold = {
        name: read_gold(folder / name) if (folder / name).exists() else [] for name in (QUESTIONS, OWNERS, ASSIGNMENTS)
    }
    if not any(gold.values()):
        raise PolicyKBError(f"{folder} holds none of {QUESTIONS}, {OWNERS}, {ASSIGNMENTS} — write the set's gold there")
    return gold


def evaluate_law_set(
    config: Config, which: str, law_json: Path, index_dir: Path | None = None, show_misses: bool | None = None
) -> dict:
    """Write the set's laws as files, index them with config's embedder and score every gold file of the set.

    `show_misses` defaults to True for the development set and False for the held-out one."""
    gold = load_law_set(which)
    laws = [law.name for law in load_laws(law_json, which)]
    embedder = make_embedder(config.embedder, config.models_dir)
    with tempfile.TemporaryDirectory(prefix="policykb-laws-") as tmp:
        data = index_dir or Path(tmp) / "data"
        files = data / "law-files"
        write_law_files(law_json, files, which)
        config = replace(config, data_dir=data)
        with Indexer(config, embedder, progress=True) as indexer:
            report = indexer.ingest([files])
        if report.errors:
            raise PolicyKBError("\n".join(str(error) for error in report.errors))
        searcher = Searcher(config, embedder)
        try:
            result = {"set": which, "laws": laws, "embedder": embedder.name, "date": datetime.date.today().isoformat()}
            result |= score_law_set(searcher, gold, laws)
        finally:
            searcher.close()
    misses = result.pop("misses")
    show = which == "dev" if show_misses is None else show_misses
    why = " (the held-out set is for measuring, not tuning)" if which == "heldout" else ""
    result["misses"] = misses if show else f"{len(misses)} hidden{why}; --show-misses lists them"
    return result


def score_law_set(searcher: Searcher, gold: dict[str, list[dict]], laws: list[str]) -> dict:
    """Every score of the set's gold over an index of its laws, with the misses."""
    with searcher.reading() as store:
        documents = store.list_documents()
        passages = store.count_chunks()
    doc_of = {doc.title: doc.id for doc in documents}
    unknown = sorted({item["law"] for items in gold.values() for item in items} - set(doc_of))
    if unknown:
        raise PolicyKBError(f"the gold names laws that are not in this set: {', '.join(unknown)} — check its law ids")
    names = OwnerNames(searcher.glossary)
    misses: list[dict] = []
    languages: dict[str, dict] = defaultdict(dict)
    for language, scores in _search_by_language(searcher, gold[QUESTIONS], doc_of, misses).items():
        languages[language]["article_search"] = scores
    for language, scores in _answers_by_language(searcher, gold[OWNERS], doc_of, names, misses).items():
        languages[language]["owner_answers"] = scores
    result = {"documents": len(documents), "passages": passages, "languages": dict(sorted(languages.items()))}
    if gold[ASSIGNMENTS]:
        result["extraction"] = _extraction(searcher, gold[ASSIGNMENTS], doc_of, names, misses)
    result["misses"] = misses
    return result


def _search_by_language(searcher: Searcher, questions: list[dict], doc_of: dict, misses: list[dict]) -> dict:
    """Per language and mode: hit@1, hit@5 and MRR@10 of the article that answers each question."""
    ranks: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for item in questions:
        for mode in MODES:
            hits = searcher.search(item["query"], mode=mode, k=10).hits
            rank = article_rank(hits, doc_of[item["law"]], item["article"])
            ranks[item.get("language", "?")][mode].append(rank)
            if mode == "hybrid" and (rank is None or rank > 5):
                got = f"{hits[0].title}: {hits[0].section}" if hits else None
                expected = f"{item['law']}: Điều {item['article']}."
                misses.append({"set": "article_search", "question": item["query"], "expected": expected, "got": got})
    return {lang: {mode: rank_scores(r) for mode, r in by_mode.items()} for lang, by_mode in ranks.items()}


def _answers_by_language(
    searcher: Searcher, questions: list[dict], doc_of: dict, names: OwnerNames, misses: list[dict]
) -> dict:
    """Per language: the owner answers' scores (lawscore.score_owner_answers)."""
    finder = OwnersFinder(searcher)
    answers: dict[str, list[OwnerAnswer]] = defaultdict(list)
    for item in questions:
        top = next(iter(finder.find(item["question"], None, k=1).assignments), None)
        answers[item.get("language", "?")].append(OwnerAnswer(item, doc_of[item["law"]], top))
        if not names.same(top and top.lead, item["lead"]) and not (top is None and item["lead"] is None):
            got = top and f"{top.lead} ({top.section[:60]})"
            misses.append({"set": "owner_answers", "question": item["question"], "expected": item["lead"], "got": got})
    return {lang: score_owner_answers(items, names) for lang, items in answers.items()}


def _extraction(searcher: Searcher, gold: list[dict], doc_of: dict, names: OwnerNames, misses: list[dict]) -> dict:
    """The extraction scores of the set's assignments against the gold (lawscore.score_law_extraction)."""
    with searcher.reading() as store:
        rows = store.assignments()
        texts = {doc_id: store.get_document(doc_id).text for doc_id in set(doc_of.values())}
    located = []
    for item in gold:
        doc_id = doc_of[item["law"]]
        # A phrase the stored text lacks (ingest dropped its line) is a gold item nothing can find: counted, missed.
        span = locate_phrase(texts[doc_id], item["article"], item["phrase"]) or (-1, -1)
        located.append(GoldAssignment(item, doc_id, *span))
    titles = {doc_id: title for title, doc_id in doc_of.items()}
    scores = score_law_extraction(rows, located, names, titles)
    scores["phrase_not_in_index"] = sum(gold.start < 0 for gold in located)
    for missed in scores.pop("missed"):
        where = f"{missed.item['law']} Điều {missed.item['article']}"
        expected = f"{missed.item['lead']} [{missed.item['kind']}]: {missed.item['phrase']}"
        misses.append({"set": "extraction_missed", "question": where, "expected": expected, "got": None})
    for row in scores.pop("wrong"):
        got = f"{row.lead}: {row.task[:100]}"
        misses.append(
            {"set": "extraction_wrong", "question": f"{row.title} {row.section[:40]}", "expected": None, "got": got}
        )
    return scores
