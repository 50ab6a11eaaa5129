"""What an assignment asks of its owner, in the document's words, and what sort of duty that is."""

from __future__ import annotations

import re

from policykb.owners import patterns
from policykb.owners.clauses import Found, OwnerText

TASK_CHARS = 200  # a task is read in a table cell or a card: the duty, not the paragraph around it

_STATE_MANAGEMENT = re.compile(
    r"(?:quan ly nha nuoc|state management)\b.*?(?=,? (?:va|and) (?:co|thuc hien|chiu|has|shall)\b|[;:.]|$)"
)
_ITEM = re.compile(r"\s*(?:\d{1,2}\.|[^\W\d_]\)|\([a-z]\)|[-–•*+·▪►])\s*")


def duty(doc: OwnerText, found: Found, start: int, end: int) -> tuple[str, str]:
    """The task a clause gives its owner and its kind (models.ASSIGNMENT_KINDS): the words after the owner and the verb
    that makes it owner ("Bộ Công an chủ trì, phối hợp với Bộ Y tế tổ chức …" → "tổ chức …", a task it leads)."""
    begin, led = start, False
    if found.verb_at is not None:
        verb_at = patterns.NAME_AND_ADVERBS.match(doc.folded, found.verb_at, end).end()
        verb = patterns.DUTY_VERB.match(doc.folded, verb_at, end)
        begin = verb.end() if verb else verb_at
        led = verb is not None and bool(re.search(r"chu tri|the lead", verb.group()))
    kind = "rule_making" if found.rule_making else kind_of(doc.folded[begin:end], led)
    partner = patterns.SUPPORT_AFTER.match(doc.folded, begin, end)
    if partner and (first := doc.at(partner.end(), end, 0)) is not None:  # the partners are named beside the task
        begin = doc.chain(first, end)[-1].end
    task = task_text(doc, begin, end, kind)
    if len(task.split()) < 4:  # "… ra quyết định quản lý": the verb alone says too little; the clause says it
        task = task_text(doc, start, end, kind)
    return task, kind


def kind_of(folded: str, led: bool = False) -> str:
    """The kind of the duty that `folded` (the words after its owner and verb) states."""
    folded = _ITEM.sub("", folded, count=1) if _ITEM.match(folded) else folded.lstrip()
    for kind, pattern in patterns.KINDS:
        if kind == "coordinate" and led:
            continue
        if pattern.search(folded) if kind == "state_management" else pattern.match(folded):
            return kind
    return "lead"


def task_text(doc: OwnerText, begin: int, end: int, kind: str) -> str:
    """The task in the document's words: a state-management duty is its field ("quản lý nhà nước về điện ảnh"); any
    other the rest of its clause, without list markers or closing punctuation, shortened to TASK_CHARS."""
    if kind == "state_management" and (field := _STATE_MANAGEMENT.search(doc.folded, begin, end)):
        begin, end = field.start(), field.end()
    item = _ITEM.match(doc.text, begin, end)
    text = re.sub(r"\s+", " ", doc.text[item.end() if item else begin : end]).strip(" ,;:.")
    if len(text) > TASK_CHARS:
        text = text[:TASK_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return text
