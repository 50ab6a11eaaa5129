"""Who owns a task: lead and coordinating agencies and deadlines, read from sentences, labelled lines and task tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.glossary import Glossary, Mention
from policykb.models import Assignment, Chunk
from policykb.owners import patterns
from policykb.textlines import Line, page_of, scan_lines
from policykb.textnorm import fold_lower_aligned


@dataclass(slots=True)
class _Found:
    """One clause's owner: the lead and whoever the clause names beside it."""

    lead: str
    coordinating: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Text:
    """A document's text with its folded twin and the owner names found in it."""

    text: str
    folded: str
    mentions: list[Mention]
    groups: set[str]

    def within(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if start <= m.start and m.end <= end]

    def at(self, position: int, end: int, limit: int = 6) -> Mention | None:
        """The name that starts within `limit` characters of `position`, before `end`."""
        return next((m for m in self.mentions if 0 <= m.start - position <= limit and m.end <= end), None)

    def chain(self, first: Mention, end: int) -> list[Mention]:
        """`first` and the names joined to it by commas, "and" or "và" ("Bộ Kế hoạch và Đầu tư, Bộ Tài chính")."""
        chain, cursor = [first], first.end
        for mention in self.mentions:
            if mention.start < cursor or mention.end > end:
                continue
            if not re.fullmatch(
                r"[\s,;/]*(?:(?:and|va|as well as|cung)\s+)?(?:the\s+)?", self.folded[cursor : mention.start]
            ):
                break
            chain.append(mention)
            cursor = mention.end
        return chain


def _names(mentions: list[Mention], lead: str | None = None) -> list[str]:
    return [name for name in dict.fromkeys(m.canonical for m in mentions) if name != lead]


def _led_after(doc: _Text, start: int, end: int) -> _Found | None:
    """ "led by MOLISA", "giao Bộ Tài chính", "assigns duties to ministries, sectors, and localities"."""
    for match in patterns.LEAD_AFTER.finditer(doc.folded, start, end):
        first = doc.at(match.end(), end)
        if first is not None:
            chain = doc.chain(first, end)
            return _Found(first.canonical, _names(chain[1:], first.canonical))
    return None


def _subject(doc: _Text, start: int, end: int) -> tuple[list[Mention], int] | None:
    """The names a clause opens with (after an introductory phrase) and where their verb should start."""
    local = doc.within(start, end)
    if not local:
        return None
    first = local[0]
    if first.start - start >= 80:  # named after a long introduction, it is rarely the one who acts
        return None
    chain = doc.chain(first, end)
    cursor = chain[-1].end
    parent = patterns.OF_PARENT.match(doc.folded, cursor, end)
    if parent and (owner := doc.at(parent.end(), end, 0)) is not None:
        cursor = owner.end
    return chain, cursor


def _subject_with_partners(doc: _Text, start: int, end: int) -> tuple[list[Mention], list[Mention], int] | None:
    """A clause's subject, partners named right after it ("in collaboration with MOLISA") and where the verb starts."""
    found = _subject(doc, start, end)
    if found is None:
        return None
    chain, cursor = found
    partners: list[Mention] = []
    clause = patterns.SUPPORT_CLAUSE.match(doc.folded, cursor, end)
    if clause and (partner := doc.at(clause.end(), end, 0)) is not None:
        partners = doc.chain(partner, end)
        cursor = partners[-1].end
        cursor += len(re.match(r",?", doc.folded[cursor:end]).group())
    return chain, partners, cursor


def _helped(doc: _Text, start: int, end: int) -> _Found | None:
    """ "The ILO supported MOLISA to …": MOLISA leads, the ILO coordinates. Only when the helper is a known name: "The
    partnership group will assist MOLISA in …" states the group's duty, which a card saying "Lead: MOLISA" would hide."""
    for match in patterns.HELPS.finditer(doc.folded, start, end):
        helped = doc.at(match.end(), end, 0)
        helpers = doc.within(start, match.start())[:1]
        if helped is None or not helpers:
            continue
        others: list[Mention] = []
        special = patterns.ESPECIALLY.match(doc.folded, helped.end, end)
        if special and (named := doc.at(special.end(), end, 0)) is not None:
            others, helped = [helped], named
        if not patterns.HELPED_TASK.match(doc.folded, helped.end, end):
            continue
        return _Found(helped.canonical, _names(others + helpers, helped.canonical))
    return None


def _clause_owner(doc: _Text, start: int, end: int) -> _Found | None:
    """Who a clause makes owner of its task, or None when it names nobody as owner."""
    found = _led_after(doc, start, end)
    if found is not None:
        return found
    subject = _subject_with_partners(doc, start, end)
    if subject is not None:
        chain, partners, verb_at = subject
        if patterns.STRONG_VERB.match(doc.folded, verb_at, end):
            return _Found(chain[0].canonical, _names(chain[1:] + partners, chain[0].canonical))
    helped = _helped(doc, start, end)
    if helped is not None:
        return helped
    if subject is not None and patterns.WEAK_VERB.match(doc.folded, verb_at, end):
        return _Found(chain[0].canonical, _names(chain[1:] + partners, chain[0].canonical))
    for mention in doc.within(start, end):  # "In line with ILO standards, MOLISA shall …"
        if mention.start - start < 60 and patterns.STRONG_VERB.match(doc.folded, mention.end, end):
            return _Found(mention.canonical)
    return None


def _partners(doc: _Text, start: int, end: int) -> list[Mention]:
    """Names after "in coordination with", "phối hợp với" and the like."""
    found: list[Mention] = []
    for match in patterns.SUPPORT_AFTER.finditer(doc.folded, start, end):
        first = doc.at(match.end(), end)
        found += doc.chain(first, end) if first is not None else []
    return found


def _deadline(doc: _Text, start: int, end: int) -> str | None:
    match = patterns.DEADLINE.search(doc.folded, start, end)
    return doc.text[match.start(1) : match.end(1)].strip() if match else None


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


def _pronoun_owner(doc: _Text, start: int, end: int, last: tuple[Assignment, int], index: int) -> _Found | None:
    """ "They must …" right after a group's assignment (this line or the one above), "It will …" right after an agency's
    in the same line: the owner named in the sentence before."""
    match = patterns.PRONOUN.match(doc.folded, start, end)
    if match is None:
        return None
    assignment, line_index = last
    plural = match.group("pronoun") == "they"
    if (assignment.lead in doc.groups) == plural and line_index >= index - (1 if plural else 0):
        return _Found(assignment.lead)
    return None


def _sentence_assignments(doc: _Text, covered: list[tuple[int, int]]) -> list[Assignment]:
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
                owner = _clause_owner(doc, start, end)
                if owner is None and last is not None:
                    owner = _pronoun_owner(doc, start, end, last, index)
                if owner is not None:
                    text = doc.text[start:end]
                    coordinating = list(
                        dict.fromkeys(owner.coordinating + _names(_partners(doc, start, end), owner.lead))
                    )
                    current = Assignment(
                        start,
                        end,
                        text,
                        re.sub(r"\s+", " ", text).strip(),
                        owner.lead,
                        coordinating,
                        _deadline(doc, start, end),
                    )
                    found.append(current)
                    last = (current, index)
                elif current is None:  # a sentence without an owner: no pronoun after it refers back
                    last = None
                else:  # "…; Thời hạn hoàn thành: 2025."
                    current.end, current.text = end, doc.text[current.start : end]
                    current.task = re.sub(r"\s+", " ", current.text).strip()
                    current.deadline = current.deadline or _deadline(doc, start, end)
                    current.coordinating += [
                        n for n in _names(_partners(doc, start, end), current.lead) if n not in current.coordinating
                    ]
    return found


def extract_assignments(
    text: str, chunks: list[Chunk], glossary: Glossary, page_starts: list[int] | None = None, title: str = ""
) -> list[Assignment]:
    """Every task assignment in a document's cleaned text; each cites the sentence, line or row that says it."""
    groups = glossary.mentions(text, "group")
    mentions = sorted(glossary.mentions(text, "agency") + groups, key=lambda m: m.start)
    doc = _Text(text, fold_lower_aligned(text), mentions, {m.canonical for m in groups})
    blocks = _blocks(doc)
    found = _labelled_blocks(doc, blocks, chunks, title) + _table_rows(doc)
    task_lines = [(block.head.start, block.head.end) for block in blocks if block.head is not None]
    found += _sentence_assignments(doc, [(a.start, a.end) for a in found] + task_lines)
    for assignment in found:
        chunk = _chunk_at(chunks, assignment.start)
        assignment.section = chunk.section if chunk else ""
        assignment.page = page_of(assignment.start, page_starts or [])
    return sorted(found, key=lambda a: a.start)


def _chunk_at(chunks: list[Chunk], offset: int) -> Chunk | None:
    return next((c for c in chunks if c.start <= offset < c.end), None)


@dataclass(slots=True)
class _Block:
    """A task line ("Nhiệm vụ 1: …", "Pilot 2: …"), if any, and the labelled lines under it."""

    head: Line | None
    labels: list[tuple[Line, re.Match[str]]] = field(default_factory=list)


def _blocks(doc: _Text) -> list[_Block]:
    """Runs of labelled lines; blank lines do not end a run, any other line does, and a task line starts one."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for line in scan_lines(doc.text):
        label = patterns.LABEL.match(doc.folded, line.start, line.end)
        if label is not None:
            current = current or _Block(None)
            current.labels.append((line, label))
            continue
        if current is not None and current.labels:
            blocks.append(current)
        current = _Block(line) if patterns.TASK_LINE.match(doc.folded, line.start, line.end) else None
    if current is not None and current.labels:
        blocks.append(current)
    return blocks


def _labelled_blocks(doc: _Text, blocks: list[_Block], chunks: list[Chunk], title: str) -> list[Assignment]:
    """ "Cơ quan chủ trì: …", "Coordinating agency: MOLISA", with partners and the deadline or duration labelled beside them;
    the owner's line is cited. A "coordinating agency" leads unless the block also names a lead agency; then it coordinates."""
    out: list[Assignment] = []
    for block in blocks:
        owners = [(line, m) for line, m in block.labels if m.group("lead") and doc.within(m.end(), line.end)]
        if not owners:
            continue
        primary = next(((line, m) for line, m in owners if not m.group("lead").startswith("coordinating")), owners[0])
        line, match = primary
        leads = doc.within(match.end(), line.end)
        supporters = [
            mention
            for other, m in block.labels
            if (other, m) != primary and (m.group("support") or m.group("lead"))
            for mention in doc.within(m.end(), other.end)
        ]
        deadline = next(
            (doc.text[m.end() : other.end].strip() for other, m in block.labels if m.group("deadline")), None
        )
        task = _task_for_block(doc, block, chunks, title)
        out.append(
            Assignment(
                line.start,
                line.end,
                line.text,
                task,
                leads[0].canonical,
                _names(leads[1:] + supporters, leads[0].canonical),
                deadline or None,
            )
        )
    return out


def _task_for_block(doc: _Text, block: _Block, chunks: list[Chunk], title: str) -> str:
    """The task line's text; without one, a labelled block owns what its document part is about: the part's
    title, else the document's title."""
    if block.head is not None:
        label = patterns.TASK_LINE.match(doc.folded, block.head.start, block.head.end)
        return doc.text[label.end() : block.head.end].strip() or block.head.text.strip()
    chunk = _chunk_at(chunks, block.labels[0][0].start)
    if chunk is not None and " › " in chunk.section:
        return chunk.section.split(" › ")[0]
    return title


def _table_rows(doc: _Text) -> list[Assignment]:
    """Rows of a task table ("Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời hạn"); several leads in one cell:
    the first leads, the others coordinate."""
    out: list[Assignment] = []
    columns: dict[str, int] | None = None
    for line in scan_lines(doc.text):
        if " | " not in line.text:
            columns = None
            continue
        cells = line.text.split(" | ")
        heads = {
            name: i
            for i, cell in enumerate(doc.folded[line.start : line.end].split(" | "))
            for name, pattern in patterns.TABLE_HEADS.items()
            if pattern.match(cell.strip())
        }
        if "lead" in heads:
            columns = heads
            continue
        if columns is None or len(cells) <= columns["lead"]:
            continue
        row = _TableRow(
            doc, cells, columns, [line.start + sum(len(c) + 3 for c in cells[:i]) for i in range(len(cells))]
        )
        leads = row.names_in("lead")
        if leads:
            out.append(
                Assignment(
                    line.start,
                    line.end,
                    line.text,
                    row.cell("task") or line.text,
                    leads[0].canonical,
                    _names(leads[1:] + row.names_in("coordinating"), leads[0].canonical),
                    row.cell("deadline") or None,
                )
            )
    return out


@dataclass(slots=True)
class _TableRow:
    """One row of a task table: its cells, where each starts in the text, and which column holds what."""

    doc: _Text
    cells: list[str]
    columns: dict[str, int]
    offsets: list[int]

    def _column(self, name: str) -> int | None:
        i = self.columns.get(name)
        return i if i is not None and i < len(self.cells) else None

    def names_in(self, name: str) -> list[Mention]:
        i = self._column(name)
        return self.doc.within(self.offsets[i], self.offsets[i] + len(self.cells[i])) if i is not None else []

    def cell(self, name: str) -> str | None:
        i = self._column(name)
        return self.cells[i].strip() if i is not None else None
