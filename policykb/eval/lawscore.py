"""Scores of the law sets: article search ranks, assignments found against the gold, owner answers checked.

Pure functions over search hits, assignment rows and gold items, so that each number can be checked on hand-made
inputs; `policykb.eval.lawsets` runs them on an index of the laws.

Owners are compared by canonical name: "Bộ Công an", "Ministry of Public Security" and "MPS" are one owner because the
glossary says so; a minister or chair counts as the body they head ("Bộ trưởng Bộ Y tế" is "Bộ Y tế"); names the
glossary does not know are compared as folded text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from policykb.glossary import Glossary
from policykb.models import SearchHit
from policykb.store import AssignmentRow
from policykb.textnorm import fold_lower

OWNER_KINDS = ("agency", "group")
# Words before a body's name that name the person heading it, or say "all the …": the owner is the body.
_HEAD_WORDS = re.compile(
    r"^(?:(?:bo truong|thu truong|chu tich|truong phong|giam doc|minister of|chair of)\s+|cac\s+|the\s+)+"
)
MAX_TASK_CHARS = 300  # a task longer than this is a passage, not a task


def folded(text: str) -> str:
    """Lower-cased, without diacritics or punctuation runs: how two spellings of one name are compared."""
    return re.sub(r"[\W_]+", " ", fold_lower(text)).strip()


def _body(name: str) -> str:
    return _HEAD_WORDS.sub("", folded(name))


class OwnerNames:
    """Canonical owner names by the glossary, with folded text for the names it does not know."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self._variants = [
            (_body(variant), entry.canonical)
            for entry in glossary.entries
            if entry.kind in OWNER_KINDS
            for variant in entry.variants
            if _body(variant)
        ]
        self.canonical = lru_cache(maxsize=4096)(self._canonical)

    def _canonical(self, name: str) -> str:
        """The glossary's name for the body `name` starts with ("Ủy ban nhân dân cấp xã" -> "People's Committees"),
        else the folded name; the longest variant wins ("Văn phòng Chính phủ" is not "Chính phủ")."""
        body = _body(name)
        known = [(len(variant), canonical) for variant, canonical in self._variants if _starts_with(body, variant)]
        return max(known)[1] if known else body

    def same(self, one: str | None, other: str | None) -> bool:
        return one is not None and other is not None and self.canonical(one) == self.canonical(other)

    def named_in(self, name: str, text: str) -> bool:
        """Whether the text names this owner: a glossary mention of it, or its words."""
        canonical = self.canonical(name)
        if any(entry.canonical == canonical for entry, _ in self.glossary.matches(text)):
            return True
        return f" {_body(name)} " in f" {folded(text)} "


def _starts_with(body: str, variant: str) -> bool:
    return body == variant or body.startswith(variant + " ")


# ---- article search


def in_article(section: str, article: str) -> bool:
    """Whether a section path ("Điều 46. Trách nhiệm … › 5. …", or with the chapter first: "ĐẶT CỌC › Điều 328. …")
    lies in the article "Điều {article}."."""
    return any(part.strip().startswith(f"Điều {article}.") for part in section.split("›"))


def article_rank(hits: Iterable[SearchHit], doc_id: str, article: str) -> int | None:
    """The rank of the first passage of the article "Điều {article}." of the document, or None."""
    return next((n for n, hit in enumerate(hits, 1) if hit.doc_id == doc_id and in_article(hit.section, article)), None)


def rank_scores(ranks: list[int | None]) -> dict:
    """hit@1, hit@5 and MRR@10 of the ranks of the right passage (None: not in the first ten)."""
    if not ranks:
        return {"questions": 0}
    return {
        "questions": len(ranks),
        "hit@1": round(sum(rank == 1 for rank in ranks) / len(ranks), 4),
        "hit@5": round(sum(rank is not None and rank <= 5 for rank in ranks) / len(ranks), 4),
        "mrr@10": round(sum(1 / rank for rank in ranks if rank is not None and rank <= 10) / len(ranks), 4),
    }


# ---- extraction


@dataclass(frozen=True, slots=True)
class GoldAssignment:
    """A gold assignment with where its phrase lies in the stored document (start, end), found by `locate_phrase`."""

    item: dict
    doc_id: str
    start: int
    end: int


def locate_phrase(text: str, article: str, phrase: str) -> tuple[int, int] | None:
    """Where the phrase lies within the article "Điều {article}." of a law's text (spacing may differ)."""
    heading = re.search(rf"(?m)^Điều {re.escape(article)}\.", text)
    if heading is None:
        return None
    following = re.compile(r"(?m)^Điều \d+\w*\.").search(text, heading.end())
    end = following.start() if following else len(text)
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    match = re.compile(words).search(text, heading.start(), end)
    return (match.start(), match.end()) if match else None


def finds(row: AssignmentRow, gold: GoldAssignment, names: OwnerNames) -> bool:
    """Whether an extracted assignment is the gold one: same document and owner, its span meets the phrase."""
    return (
        row.doc_id == gold.doc_id
        and row.start < gold.end
        and gold.start < row.end
        and names.same(row.lead, gold.item["lead"])
    )


def score_law_extraction(
    rows: list[AssignmentRow], gold: list[GoldAssignment], names: OwnerNames, titles: dict[str, str]
) -> dict:
    """Precision and recall of the extracted assignments of the gold's documents, the kind of those found (when
    assignments have one) and whether their tasks read as tasks (not the document's title, not a whole passage)."""
    documents = {g.doc_id for g in gold}
    rows = [row for row in rows if row.doc_id in documents]
    match = {id(g): next((row for row in rows if finds(row, g, names)), None) for g in gold}
    found = [g for g in gold if match[id(g)] is not None]
    right = [row for row in rows if any(finds(row, g, names) for g in gold)]
    good_tasks = [row for row in rows if is_task(row.task, titles.get(row.doc_id, ""))]
    result = {
        "gold": len(gold),
        "extracted": len(rows),
        "found": len(found),
        "precision": round(len(right) / len(rows), 3) if rows else None,
        "recall": round(len(found) / len(gold), 3) if gold else None,
        "task_ok": round(len(good_tasks) / len(rows), 3) if rows else None,
        "by_kind": _recall_by_kind(gold, match),
    }
    kinds = [(g.item.get("kind", "?"), getattr(match[id(g)], "kind", None)) for g in found]
    if any(kind is not None for _, kind in kinds):
        result["kind_accuracy"] = round(sum(want == got for want, got in kinds) / len(kinds), 3)
    result["missed"] = [g for g in gold if match[id(g)] is None]
    result["wrong"] = [row for row in rows if row not in right]
    return result


def _recall_by_kind(gold: list[GoldAssignment], match: dict) -> dict:
    kinds = sorted({g.item.get("kind", "?") for g in gold})
    out = {}
    for kind in kinds:
        of_kind = [g for g in gold if g.item.get("kind", "?") == kind]
        out[kind] = {"gold": len(of_kind), "found": sum(match[id(g)] is not None for g in of_kind)}
    return out


def is_task(task: str, title: str) -> bool:
    """A task names what is to be done: not the document's title, and shorter than a passage."""
    return bool(task.strip()) and folded(task) != folded(title) and len(task) < MAX_TASK_CHARS


# ---- owner answers


@dataclass(frozen=True, slots=True)
class OwnerAnswer:
    """A question of the owners set and the first assignment its answer named (None: it named no-one)."""

    question: dict
    doc_id: str | None  # the gold law's document
    top: AssignmentRow | None


def score_owner_answers(answers: list[OwnerAnswer], names: OwnerNames) -> dict:
    """How often the first answer names the right lead (and cites the right article), how often no-one is named, and
    how often the named lead is an invented owner: not named in the cited text or its section heading."""
    right = right_article = nobody = invented = 0
    for answer in answers:
        top, expected = answer.top, answer.question.get("lead")
        nobody += top is None
        if top is not None and not is_named(top, names):
            invented += 1
        if expected is None:
            right += top is None
            continue
        if top is not None and names.same(top.lead, expected):
            right += 1
            article = answer.question.get("article")
            right_article += top.doc_id == answer.doc_id and (article is None or in_article(top.section, article))
    total = len(answers)
    share = lambda n: round(n / total, 3) if total else None  # noqa: E731
    return {
        "questions": total,
        "right_lead": share(right),
        "right_lead_and_article": share(right_article),
        "no_answer": nobody,
        "invented_owners": invented,
    }


def is_named(row: AssignmentRow, names: OwnerNames) -> bool:
    """Whether the assignment's cited text, or the heading of the section it stands in, names its lead."""
    return names.named_in(row.lead, row.text) or names.named_in(row.lead, row.section)
