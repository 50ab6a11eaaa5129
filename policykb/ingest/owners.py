"""Who owns a task: lead and coordinating agencies and deadlines, read from sentences, labelled lines and task tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.glossary import Glossary, Mention
from policykb.ingest.chunking import page_of
from policykb.ingest.structure import scan_lines
from policykb.models import Assignment, Chunk
from policykb.textnorm import fold_lower_aligned

# Patterns run on folded, lower-cased text of the same length (so "chủ trì" is "chu tri").
_LEAD_AFTER = re.compile(  # the lead is named after these words
    r"\b(?:led by|leading by|under the (?:leadership|lead|direction) of|chaired by|headed by|coordinated by|"
    r"assigns? (?:duties|tasks|responsibilit(?:y|ies)) to|assigned to|tasks?|giao(?: cho)?)\s+(?:the\s+)?"
)
_LEAD_BEFORE = re.compile(  # the lead is named before these words
    r"\s*(?:\([^)]{1,20}\)\s*)?(?:,\s*)?(?:will |shall |must |should |is to |are to |to )?(?:chu tri|takes? the lead|leads?\b|"
    r"(?:is|are|was|were|will be|shall be) (?:responsible|in charge|the lead)|(?:has|have) been tasked|(?:is|are) tasked|"
    r"co trach nhiem|must\b|shall\b)"
)
_SUPPORT_AFTER = re.compile(
    r"\b(?:in (?:close )?(?:coordination|cooperation|collaboration|partnership) with|coordinat(?:e|es|ing) with|"
    r"with (?:the )?(?:technical )?support (?:of|from)|supported by|phoi hop voi|phoi hop cung)\s+(?:the\s+)?"
)
_SUPPORTED_LEAD = re.compile(r"\b(?:supported|assisted|helped)\s+(?:the\s+)?")  # "The ILO supported MOLISA to …"
_LABEL = re.compile(
    r"(?:\d{1,2}\.\s*)?(?:(?P<lead>(?:coordinating|lead|leading|implementing|responsible|executing|focal|presiding) "
    r"(?:agency|agencies|ministry|body|unit|organi[sz]ation)|co quan chu tri|don vi chu tri|chu tri)"
    r"|(?P<support>(?:supporting|cooperating|partner|collaborating) (?:agenc(?:y|ies)|organi[sz]ations?)|potential partners|"
    r"co quan phoi hop|don vi phoi hop|phoi hop)"
    r"|(?P<deadline>deadline|completion (?:time|date)|time ?frame|implementing duration|duration|thoi han(?: hoan thanh)?|"
    r"thoi gian hoan thanh|thoi gian thuc hien))\s*:\s*"
)
_DEADLINE = re.compile(
    r"\b(?:by (?:the end of )?|before |no later than |until |truoc (?:ngay |thang |nam )?|trong nam |nam )"
    r"((?:(?:q(?:uy)?\s*[ivx1-4]+\s*/\s*)|(?:thang \d{1,2}\s*/\s*)|(?:[a-z]+ ))?(?:19|20)\d\d)\b"
)
_TABLE_HEADS = {
    "task": re.compile(r"^(?:task|tasks|nhiem vu|noi dung|activity|activities|cong viec)"),
    "lead": re.compile(r"^(?:lead|lead agency|responsible agency|co quan chu tri|chu tri|don vi chu tri)"),
    "coordinating": re.compile(r"^(?:coordinating|supporting|co quan phoi hop|phoi hop|don vi phoi hop)"),
    "deadline": re.compile(r"^(?:deadline|completion|thoi han|thoi gian)"),
}
_SENTENCE = re.compile(r"[^.!?;]+(?:[.!?;]+|$)")


@dataclass(slots=True)
class _Span:
    start: int
    end: int


def _mentions_in(all_mentions: list[Mention], start: int, end: int) -> list[Mention]:
    return [m for m in all_mentions if start <= m.start and m.end <= end]


def _first_after(mentions: list[Mention], position: int, limit: int = 6) -> Mention | None:
    return next((m for m in mentions if 0 <= m.start - position <= limit), None)


def _list_after(mentions: list[Mention], folded: str, position: int) -> list[Mention]:
    """The mention at `position` and those joined to it by commas and "and"/"và"."""
    chain: list[Mention] = []
    cursor = position
    for mention in mentions:
        if mention.start < cursor:
            continue
        if re.fullmatch(r"[\s,;]*(?:(?:and|va|as well as|cung)\s+)?(?:the\s+)?", folded[cursor : mention.start]):
            chain.append(mention)
            cursor = mention.end
        elif chain or mention.start - cursor > 6:
            break
    return chain


def _deadline(folded: str, text: str) -> str | None:
    match = _DEADLINE.search(folded)
    return text[match.start(1) : match.end(1)].strip() if match else None


def _sentence_assignment(text: str, folded: str, span: _Span, mentions: list[Mention]) -> tuple[str, list[str], str | None] | None:
    """(lead, coordinating, deadline) from one sentence, or None when it names no owner."""
    local = _mentions_in(mentions, span.start, span.end)
    if not local:
        return None
    sentence = folded[span.start : span.end]
    lead: Mention | None = None
    for match in _LEAD_AFTER.finditer(sentence):
        lead = lead or _first_after(local, span.start + match.end())
    if lead is None:
        for mention in local:
            if _LEAD_BEFORE.match(folded, mention.end, span.end) and mention.start - span.start < 60:
                lead = mention
                break
    supporters: list[Mention] = []
    for match in _SUPPORTED_LEAD.finditer(sentence):
        helped = _first_after(local, span.start + match.end())
        helper = next((m for m in reversed(local) if m.end <= span.start + match.start()), None)
        if lead is None and helped is not None and helper is not None:
            lead, supporters = helped, [helper]
    for match in _SUPPORT_AFTER.finditer(sentence):
        supporters += _list_after(local, folded, span.start + match.end())
    if lead is None:
        return None
    coordinating = [m.canonical for m in supporters if m.canonical != lead.canonical]
    return lead.canonical, list(dict.fromkeys(coordinating)), _deadline(sentence, text[span.start : span.end])


def _sentences(text: str, start: int, end: int) -> list[_Span]:
    spans = []
    for match in _SENTENCE.finditer(text, start, end):
        left = match.start() + len(match.group()) - len(match.group().lstrip())
        right = match.end()
        if right - left > 3:
            spans.append(_Span(left, right))
    return spans


def _chunk_at(chunks: list[Chunk], offset: int) -> Chunk | None:
    return next((c for c in chunks if c.start <= offset < c.end), None)


def _task_from_sentence(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence).strip()


def extract_assignments(text: str, chunks: list[Chunk], glossary: Glossary, page_starts: list[int] | None = None,
                        title: str = "") -> list[Assignment]:
    """Every task assignment in a document's cleaned text; each cites the sentence, line or row that says it."""
    folded = fold_lower_aligned(text)
    mentions = sorted(glossary.mentions(text, "agency") + glossary.mentions(text, "group"), key=lambda m: m.start)
    found: list[Assignment] = []
    found += _labelled_blocks(text, folded, chunks, mentions, title)
    found += _table_rows(text, folded, chunks, mentions)
    covered = [(a.start, a.end) for a in found]
    for line in scan_lines(text):
        if " | " in line.text or _LABEL.match(folded, line.start, line.end):
            continue
        for span in _sentences(text, line.start, line.end):
            if any(s <= span.start < e for s, e in covered):
                continue
            result = _sentence_assignment(text, folded, span, mentions)
            if result is not None:
                lead, coordinating, deadline = result
                found.append(Assignment(span.start, span.end, text[span.start : span.end], _task_from_sentence(text[span.start : span.end]),
                                        lead, coordinating, deadline))
    for assignment in found:
        chunk = _chunk_at(chunks, assignment.start)
        assignment.section = chunk.section if chunk else ""
        assignment.page = page_of(assignment.start, page_starts or [])
    return sorted(found, key=lambda a: a.start)


def _labelled_blocks(text: str, folded: str, chunks: list[Chunk], mentions: list[Mention], title: str) -> list[Assignment]:
    """ "Coordinating agency: MOLISA", "Cơ quan chủ trì: …", with the deadline or duration labelled nearby."""
    lines = scan_lines(text)
    labelled = [(line, _LABEL.match(folded, line.start, line.end)) for line in lines]
    out: list[Assignment] = []
    for index, (line, match) in enumerate(labelled):
        if match is None or match.group("lead") is None:
            continue
        leads = [m.canonical for m in _mentions_in(mentions, match.end(), line.end)]
        if not leads:
            continue
        chunk = _chunk_at(chunks, line.start)
        neighbours = [pair for pair in labelled[max(0, index - 4) : index + 5] if pair[1] is not None and pair[0] is not line
                      and _chunk_part(chunks, pair[0].start) == _chunk_part(chunks, line.start)]
        coordinating = [m.canonical for other, m2 in neighbours if m2.group("support")
                        for m in _mentions_in(mentions, m2.end(), other.end)]
        deadline = next((text[m2.end() : other.end].strip() for other, m2 in neighbours if m2.group("deadline")), None)
        task = _task_for_label(title, chunk)
        out.append(Assignment(line.start, line.end, text[line.start : line.end], task, leads[0],
                              [c for c in dict.fromkeys(leads[1:] + coordinating) if c != leads[0]], deadline))
    return out


def _chunk_part(chunks: list[Chunk], offset: int) -> str:
    chunk = _chunk_at(chunks, offset)
    return chunk.section.split(" › ")[0] if chunk and " › " in chunk.section else ""


def _task_for_label(title: str, chunk: Chunk | None) -> str:
    """A labelled owner line owns what its document part is about: the part's title, else the document's title."""
    if chunk is not None and " › " in chunk.section:
        return chunk.section.split(" › ")[0]
    return title


def _table_rows(text: str, folded: str, chunks: list[Chunk], mentions: list[Mention]) -> list[Assignment]:
    """Rows of a task table ("Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời hạn")."""
    out: list[Assignment] = []
    columns: dict[str, int] | None = None
    for line in scan_lines(text):
        if " | " not in line.text:
            columns = None
            continue
        cells = line.text.split(" | ")
        folded_cells = folded[line.start : line.end].split(" | ")
        heads = {name: i for i, cell in enumerate(folded_cells) for name, pattern in _TABLE_HEADS.items() if pattern.match(cell.strip())}
        if "lead" in heads:
            columns = heads
            continue
        if columns is None or len(cells) <= columns["lead"]:
            continue
        offsets = [line.start + sum(len(c) + 3 for c in cells[:i]) for i in range(len(cells))]
        lead_cell = _mentions_in(mentions, offsets[columns["lead"]], offsets[columns["lead"]] + len(cells[columns["lead"]]))
        if not lead_cell:
            continue
        def cell(name: str) -> str | None:
            return cells[columns[name]].strip() if name in columns and columns[name] < len(cells) else None
        coordinating = []
        if "coordinating" in columns and columns["coordinating"] < len(cells):
            start = offsets[columns["coordinating"]]
            coordinating = [m.canonical for m in _mentions_in(mentions, start, start + len(cells[columns["coordinating"]]))]
        out.append(Assignment(line.start, line.end, text[line.start : line.end], cell("task") or line.text, lead_cell[0].canonical,
                              [c for c in dict.fromkeys(coordinating) if c != lead_cell[0].canonical], cell("deadline") or None))
    return out
