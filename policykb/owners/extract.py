"""Who owns a task: lead and coordinating agencies and deadlines, read from sentences, labelled lines, task tables and
the lists of legal texts."""

from __future__ import annotations

import re

from policykb.glossary import Glossary
from policykb.models import Assignment, Chunk
from policykb.owners.clauses import OwnerText
from policykb.owners.described import described_bodies
from policykb.owners.legal import legal_assignments
from policykb.owners.sentences import sentence_assignments
from policykb.owners.tables import blocks, chunk_at, labelled_blocks, table_rows
from policykb.textlines import page_of
from policykb.textnorm import fold_lower_aligned


def extract_assignments(
    text: str, chunks: list[Chunk], glossary: Glossary, page_starts: list[int] | None = None, title: str = ""
) -> list[Assignment]:
    """Every task assignment in a document's cleaned text; each cites the sentence, line or row that says it."""
    groups = glossary.mentions(text, "group")
    folded = fold_lower_aligned(text)
    named = sorted(glossary.mentions(text, "agency") + groups, key=lambda m: m.start)
    doc = OwnerText(text, folded, described_bodies(text, folded, named), {m.canonical for m in groups})
    labelled = blocks(doc)
    listed, openings = legal_assignments(doc)
    found = labelled_blocks(doc, labelled, chunks, title) + table_rows(doc) + listed
    task_lines = [(block.head.start, block.head.end) for block in labelled if block.head is not None]
    found += sentence_assignments(doc, [(a.start, a.end) for a in found] + task_lines + openings)
    for assignment in found:
        chunk = chunk_at(chunks, assignment.start)
        assignment.section = chunk.section if chunk else ""
        assignment.page = page_of(assignment.start, page_starts or [])
        assignment.task = _name_this_article(assignment.task, text, assignment.start)
    return sorted(found, key=lambda a: a.start)


_ARTICLE_LINE = re.compile(r"(?m)^(Điều|Article) (\d+[a-z]?)\b")
_CLAUSE_LINE = re.compile(r"(?m)^(\d{1,2})\.\s")


def _name_this_article(task: str, text: str, offset: int) -> str:
    """ "quy định chi tiết Điều này", read apart from its article, says which: "quy định chi tiết Điều 14"; "khoản
    này" the same: "khoản 2 Điều 12" (the article and clause the assignment is written in)."""
    if not re.search(r"\b(?:Điều|khoản) này\b|\bthis (?:Article|Clause)\b", task):
        return task
    article = _last(_ARTICLE_LINE, text, 0, offset)
    if article is None:
        return task
    word, number = article.groups()
    task = re.sub(r"\bĐiều này\b|\bthis Article\b", f"{word} {number}", task)
    clause = _last(_CLAUSE_LINE, text, article.end(), offset)
    if clause is not None:
        named = f"khoản {clause.group(1)} Điều {number}" if word == "Điều" else f"Article {number}({clause.group(1)})"
        task = re.sub(r"\bkhoản này\b|\bthis Clause\b", named, task)
    return task


def _last(pattern: re.Pattern[str], text: str, start: int, end: int) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text, start, end):  # noqa: B007 — the last match before `end` is the one wanted
        pass
    return found
