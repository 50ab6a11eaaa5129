"""Assignments said in running text, clause by clause: a clause without an owner continues the one before it."""

from __future__ import annotations

import re

from policykb.models import Assignment
from policykb.owners import patterns
from policykb.owners.clauses import Found, OwnerText, clause_owner, deadline_in, names, partners
from policykb.owners.tasks import duty
from policykb.textlines import Line, scan_lines


def _clauses(text: str, line: Line) -> list[list[tuple[int, int]]]:
    """A line's sentences, each a list of its ";"-separated clauses as (start, end), bullets and spaces trimmed."""
    sentences: list[list[tuple[int, int]]] = []
    start = line.start
    ends = [m.end() for m in patterns.SENTENCE_END.finditer(text, line.start, line.end)]
    for end in ends + ([line.end] if not ends or ends[-1] < line.end else []):
        clauses = []
        for piece in re.finditer(r"[^;]+(?:;|$)", text[start:end]):
            left = start + piece.start() + len(piece.group()) - len(piece.group().lstrip())
            bullet = patterns.BULLET.match(text, left)
            left = bullet.end() if bullet else left
            if start + piece.end() - left > 3:
                clauses.append((left, start + piece.end()))
        if clauses:
            sentences.append(clauses)
        start = end
    return sentences


def _pronoun_owner(doc: OwnerText, start: int, end: int, last: tuple[Assignment, int], index: int) -> Found | None:
    """ "They must …" right after a group's assignment (this line or the one above), "It will …" right after an agency's
    in the same line: the owner named in the sentence before."""
    match = patterns.PRONOUN.match(doc.folded, start, end)
    if match is None:
        return None
    assignment, line_index = last
    plural = match.group("pronoun") == "they"
    if (assignment.lead in doc.groups) == plural and line_index >= index - (1 if plural else 0):
        return Found(assignment.lead)
    return None


def sentence_assignments(doc: OwnerText, covered: list[tuple[int, int]]) -> list[Assignment]:
    """Assignments said in running text. A clause that names no owner continues the one before it in its sentence;
    a pronoun continues the sentence before; a deadline line completes the line above."""
    found: list[Assignment] = []
    last: tuple[Assignment, int] | None = None
    for index, line in enumerate(scan_lines(doc.text)):
        label = patterns.LABEL.match(doc.folded, line.start, line.end)
        if label and label.group("deadline") and last and last[1] == index - 1 and last[0].deadline is None:
            last[0].deadline = doc.text[label.end() : line.end].strip() or None
        if " | " in line.text or label or any(s <= line.start < e for s, e in covered):
            continue
        for clauses in _clauses(doc.text, line):
            current: Assignment | None = None
            for start, end in clauses:
                owner = clause_owner(doc, start, end)
                if owner is None and last is not None:
                    owner = _pronoun_owner(doc, start, end, last, index)
                if owner is not None:
                    coordinating = list(
                        dict.fromkeys(owner.coordinating + names(partners(doc, start, end), owner.lead))
                    )
                    task, kind = duty(doc, owner, start, end)
                    current = Assignment(
                        start,
                        end,
                        doc.text[start:end],
                        task,
                        owner.lead,
                        coordinating,
                        deadline_in(doc, start, end),
                        kind=kind,
                    )
                    found.append(current)
                    last = (current, index)
                elif current is None:  # a sentence without an owner: no pronoun after it refers back
                    last = None
                else:  # "…; Thời hạn hoàn thành: 2025."
                    current.end, current.text = end, doc.text[current.start : end]
                    current.deadline = current.deadline or deadline_in(doc, start, end)
                    current.coordinating += [
                        n for n in names(partners(doc, start, end), current.lead) if n not in current.coordinating
                    ]
    return found
