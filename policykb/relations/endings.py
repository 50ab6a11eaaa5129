"""Endings: what a legal document says ceases to be in force ("Nghị định số A và Nghị định số B hết hiệu lực",
"… is annulled"), and the lists of what it ends or replaces after a colon ("các văn bản sau đây hết hiệu lực:").

A whole document that ceases to be in force as this one takes effect ("… hết hiệu lực kể từ ngày Nghị định này có
hiệu lực thi hành", "… shall cease to have effect from the effective date of this Law") is replaced by it, as issue
21 reads that form; one repealed or annulled, one ending on a date of its own, or some of its articles, is repealed.
"""

from __future__ import annotations

import re

from policykb.models import Relation
from policykb.relations import patterns as p
from policykb.relations.clauses import (
    SELF,
    Clause,
    OwnDocument,
    articles_in,
    explicit_date,
    make_relation,
    named_by,
    subject_of,
)
from policykb.relations.references import Mention


def ends_relations(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    """TARGET … "hết hiệu lực" / "is repealed" / "ceases to be in force", said by a legal document of itself."""
    named = [m for m in clause.mentions if not m.is_self]
    if not own.legal or not named:
        return []
    lead = p.ENDS_LEAD.fullmatch(text, clause.start, named[0].start)
    if lead is None:
        return []
    targets, described_to = _ended_list(text, clause, named[0])
    match = p.ENDS.search(text, described_to, clause.end)
    if match is None or not _described(text, clause, described_to, match.start()):
        return []
    articles = articles_in(lead.group("articles") or "")
    date = explicit_date(text, match.end(), clause.end)
    start = lead.start("articles") if lead.group("articles") else named[0].start
    kind = ending_kind(text[clause.start : clause.end], match, articles)
    return [
        make_relation(kind, SELF, target, (start, match.end()), clause, own, articles=articles, date=date)
        for target in targets
    ]


def ending_kind(sentence: str, verb: re.Match[str], articles: list[str]) -> str:
    """ "replaces" when a whole document ceases to be in force as this one takes effect (its successor), "repeals"
    when it is repealed or annulled, or only some of its articles end, or on a date of its own."""
    if articles or not p.CEASES.search(verb.group(0)) or p.OWN_EFFECT.search(sentence) is None:
        return "repeals"
    return "replaces"


def _described(text: str, clause: Clause, start: int, end: int) -> bool:
    """Whether only the ended documents' description stands between them and the verb: their date and issuer, or
    what they are about, naming no other document."""
    if p.SUBJECT_GAP.fullmatch(text, start, end):
        return True
    if any(start <= m.start < end for m in clause.mentions):
        return False
    return p.ENDS_DESCRIPTION.fullmatch(text, start, end) is not None


def _ended_list(text: str, clause: Clause, first: Mention) -> tuple[list[Mention], int]:
    """The documents a sentence ends, "A và B hết hiệu lực": each may be described by the laws that amended it
    ("… đã được sửa đổi, bổ sung theo Luật số …"); and where the list ends."""
    targets, at = [first], named_by(text, clause, first, p.AMENDED_BY)[1]
    for mention in (m for m in clause.mentions if m.start >= at):
        if mention.is_self or not p.LIST_JOIN.fullmatch(text, at, mention.start):
            break
        targets.append(mention)
        at = named_by(text, clause, mention, p.AMENDED_BY)[1]
    return targets, at


def listed_relations(text: str, clause: Clause, mentions: list[Mention], own: OwnDocument) -> list[Relation]:
    """ "… các văn bản sau đây hết hiệu lực:" / "Nghị định này thay thế các Nghị định sau:" then one item a line,
    each opening with the document it ends."""
    intro = text[clause.start : clause.end].rstrip()
    if not own.legal or not intro.endswith(":") or not p.LIST_INTRO.search(intro):
        return []
    replaces = p.ACTIVE["replaces"].search(intro)
    ends = p.ENDS.search(intro) or p.ACTIVE["repeals"].search(intro)
    if (replaces is None) == (ends is None):
        return []
    kind, verb = ("replaces", replaces) if replaces else (ending_kind(intro, ends, []), ends)
    if subject_of(text, clause, clause.start + verb.start(), own) is None and not _ends_intro(intro, verb):
        return []
    date = explicit_date(text, clause.start + verb.end(), clause.end)
    found = []
    for item in list_items(text, text.find("\n", clause.end - 1), mentions):
        span = (item.start, item.end)
        found.append(make_relation(kind, SELF, item, span, Clause(clause.start, item.end, ()), own, date=date))
    return found


def _ends_intro(intro: str, verb: re.Match[str]) -> bool:
    """ "Kể từ ngày …, các văn bản sau đây hết hiệu lực:" / "The following documents are annulled …:": the verb
    follows the words that announce the list."""
    announced = p.LIST_INTRO.search(intro)
    return announced is not None and announced.start() < verb.start()


def list_items(text: str, at: int, mentions: list[Mention]) -> list[Mention]:
    """The document opening each item of the list that starts on the line after `at`, up to the first line that is
    not such an item."""
    found = []
    starts = {m.start: m for m in mentions if not m.is_self}
    while 0 <= at < len(text):
        line_start = at + 1
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_start:line_end].strip():
            marker = p.LIST_ITEM.match(text, line_start, line_end)
            mention = starts.get(marker.end()) if marker else None
            if mention is None:
                break
            found.append(mention)
        at = line_end if line_end < len(text) else -1
    return found
