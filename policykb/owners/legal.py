"""How legal texts list a body's duties: items under a clause that opens them ("Bộ Công an có trách nhiệm sau đây:",
"The Ministry shall have the following tasks:") and the body of an article whose heading names whose duties they are
("Điều 46. Trách nhiệm của Bộ Công an"). Each item is its own assignment of that body, citing the item."""

from __future__ import annotations

from policykb.models import Assignment
from policykb.owners import patterns
from policykb.owners.clauses import Found, OwnerText, clause_owner, deadline_in, names, partners, subject
from policykb.owners.tasks import kind_of, task_text
from policykb.textlines import Line, scan_lines


def _marker(doc: OwnerText, line: Line) -> tuple[str | None, int]:
    """The kind of list marker the line opens with ("1.", "a)", "(a)", "-"), if any, and where the item's words start."""
    for name, pattern in patterns.ITEM_MARKERS:
        if found := pattern.match(doc.folded, line.start, line.end):
            return name, found.end()
    return None, line.start


def _heading_owner(doc: OwnerText, line: Line, after: int) -> Found | None:
    """The one body an article heading gives duties to ("Trách nhiệm của Bộ Công an"); None when it names several."""
    heading = patterns.DUTY_HEADING.match(doc.folded, after, line.end)
    if heading is None:
        return None
    named = doc.within(heading.end(), line.end)
    if len(named) != 1 or named[0].start - heading.end() > 6:
        return None
    return Found(named[0].canonical)


def _intro_owner(doc: OwnerText, line: Line, heading: Found | None) -> tuple[Found | None, bool]:
    """Who a list's opening clause names as owner, and whether the clause says nothing else (so only its items are
    tasks); without a name of its own it speaks for its article's heading ("1. Có trách nhiệm sau đây:")."""
    owner = clause_owner(doc, line.start, line.end)
    if owner is None:
        named = subject(doc, line.start, line.end)
        return (heading, True) if named is None else (None, False)
    # What an opening says besides its list describes the owner or points to other duties ("Cơ quan nhà nước có trách
    # nhiệm cung cấp thông tin quy định tại Điều 9 có trách nhiệm:"), except the state management it may also assign.
    return owner, patterns.STATE_MANAGEMENT.search(doc.folded, line.start, line.end) is None


def _item(doc: OwnerText, line: Line, owner: Found) -> Assignment:
    kind = kind_of(doc.folded[line.start : line.end])
    coordinating = names(partners(doc, line.start, line.end), owner.lead)
    return Assignment(
        line.start,
        line.end,
        line.text,
        task_text(doc, line.start, line.end, kind),
        owner.lead,
        list(dict.fromkeys(owner.coordinating + coordinating)),
        deadline_in(doc, line.start, line.end),
        kind=kind,
    )


def _own_owner(doc: OwnerText, line: Line, start: int) -> bool:
    """Whether an item (its words from `start`) opens with an owner of its own ("3. Ủy ban nhân dân các cấp thực hiện
    …"): running text reads it. A name further in is a partner or an object ("Chủ trì, phối hợp với … chính quyền địa
    phương hướng dẫn …")."""
    named = subject(doc, start, line.end)
    return named is not None and named[0][0].start - start <= 12 and clause_owner(doc, start, line.end) is not None


def legal_assignments(doc: OwnerText) -> tuple[list[Assignment], list[tuple[int, int]]]:
    """Assignments listed under a duty heading or an opening clause, and the opening clauses that say nothing but whose
    list follows (running text should not read them as tasks)."""
    found: list[Assignment] = []
    openings: list[tuple[int, int]] = []
    heading: Found | None = None
    list_owner: Found | None = None
    list_marker: str | None = None
    for line in scan_lines(doc.text):
        article = patterns.ARTICLE.match(doc.folded, line.start, line.end)
        if article is not None:
            heading, list_owner = _heading_owner(doc, line, article.end()), None
            continue
        marker, words = _marker(doc, line)
        if list_owner is not None and (list_marker is None or marker == list_marker) and marker is not None:
            list_marker = marker
            if not _own_owner(doc, line, words):
                found.append(_item(doc, line, list_owner))
            continue
        list_owner = list_marker = None
        if patterns.LIST_INTRO.search(doc.folded, line.start, line.end):
            list_owner, pure = _intro_owner(doc, line, heading)
            if list_owner is not None and pure:
                openings.append((line.start, line.end))
            continue
        if heading is not None and marker in (None, "clause") and not _own_owner(doc, line, words):
            found.append(_item(doc, line, heading))
    return found, openings
