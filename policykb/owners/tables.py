"""Assignments laid out rather than written: labelled blocks ("Cơ quan chủ trì: …") and task tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.glossary import Mention
from policykb.models import Assignment, Chunk
from policykb.owners import patterns
from policykb.owners.clauses import OwnerText, names
from policykb.owners.tasks import kind_of
from policykb.textlines import Line, scan_lines
from policykb.textnorm import fold_lower


def chunk_at(chunks: list[Chunk], offset: int) -> Chunk | None:
    return next((c for c in chunks if c.start <= offset < c.end), None)


@dataclass(slots=True)
class _Block:
    """A task line ("Nhiệm vụ 1: …", "Pilot 2: …"), if any, and the labelled lines under it."""

    head: Line | None
    labels: list[tuple[Line, re.Match[str]]] = field(default_factory=list)


def blocks(doc: OwnerText) -> list[_Block]:
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


def labelled_blocks(doc: OwnerText, blocks: list[_Block], chunks: list[Chunk], title: str) -> list[Assignment]:
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
        out.append(_laid_out(line, _task_for_block(doc, block, chunks, title), leads + supporters, deadline))
    return out


def _laid_out(line: Line, task: str, owners: list[Mention], deadline: str | None) -> Assignment:
    """The assignment a labelled block or a table row states: its first owner leads, the others coordinate; the
    line or row is cited."""
    lead = owners[0].canonical
    return Assignment(
        line.start,
        line.end,
        line.text,
        task,
        lead,
        names(owners[1:], lead),
        deadline or None,
        kind=kind_of(fold_lower(task)),
    )


def _task_for_block(doc: OwnerText, block: _Block, chunks: list[Chunk], title: str) -> str:
    """The task line's text; without one, a labelled block owns what its document part is about: the part's
    title, else the document's title."""
    if block.head is not None:
        label = patterns.TASK_LINE.match(doc.folded, block.head.start, block.head.end)
        return doc.text[label.end() : block.head.end].strip() or block.head.text.strip()
    chunk = chunk_at(chunks, block.labels[0][0].start)
    if chunk is not None and " › " in chunk.section:
        return chunk.section.split(" › ")[0]
    return title


def table_rows(doc: OwnerText) -> list[Assignment]:
    """Rows of a task table ("Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời hạn"); several leads in one cell:
    the first leads, the others coordinate."""
    out: list[Assignment] = []
    columns: dict[str, int] | None = None
    for line in scan_lines(doc.text):
        if " | " not in line.text:
            columns = None
            continue
        cells = line.text.split("|")  # an empty cell is "| |": splitting on " | " would shift the columns after it
        heads = {
            name: i
            for i, cell in enumerate(doc.folded[line.start : line.end].split("|"))
            for name, pattern in patterns.TABLE_HEADS.items()
            if pattern.match(cell.strip())
        }
        if "lead" in heads:
            columns = heads
            continue
        if columns is None or len(cells) <= columns["lead"]:
            continue
        row = _TableRow(
            doc, cells, columns, [line.start + sum(len(c) + 1 for c in cells[:i]) for i in range(len(cells))]
        )
        leads = row.names_in("lead")
        if leads:
            owners = leads + row.names_in("coordinating")
            out.append(_laid_out(line, row.cell("task") or line.text, owners, row.cell("deadline")))
    return out


@dataclass(slots=True)
class _TableRow:
    """One row of a task table: its cells, where each starts in the text, and which column holds what."""

    doc: OwnerText
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
