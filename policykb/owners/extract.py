"""Who owns a task: lead and coordinating agencies and deadlines, read from sentences, labelled lines, task tables and
the lists of legal texts."""

from __future__ import annotations

from policykb.glossary import Glossary
from policykb.models import Assignment, Chunk
from policykb.owners.clauses import OwnerText
from policykb.owners.sentences import sentence_assignments
from policykb.owners.tables import blocks, chunk_at, labelled_blocks, table_rows
from policykb.textlines import page_of
from policykb.textnorm import fold_lower_aligned


def extract_assignments(
    text: str, chunks: list[Chunk], glossary: Glossary, page_starts: list[int] | None = None, title: str = ""
) -> list[Assignment]:
    """Every task assignment in a document's cleaned text; each cites the sentence, line or row that says it."""
    groups = glossary.mentions(text, "group")
    mentions = sorted(glossary.mentions(text, "agency") + groups, key=lambda m: m.start)
    doc = OwnerText(text, fold_lower_aligned(text), mentions, {m.canonical for m in groups})
    labelled = blocks(doc)
    found = labelled_blocks(doc, labelled, chunks, title) + table_rows(doc)
    task_lines = [(block.head.start, block.head.end) for block in labelled if block.head is not None]
    found += sentence_assignments(doc, [(a.start, a.end) for a in found] + task_lines)
    for assignment in found:
        chunk = chunk_at(chunks, assignment.start)
        assignment.section = chunk.section if chunk else ""
        assignment.page = page_of(assignment.start, page_starts or [])
    return sorted(found, key=lambda a: a.start)
