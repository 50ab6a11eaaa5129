"""What an amending text states in its own articles, and a consolidated text in its header.

"1. Một số điều của Luật Xây dựng số 50/2014/QH13 được sửa đổi, bổ sung như sau:" / "A number of articles of the
Law on Construction No. 50/2014/QH13 … are amended and supplemented as follows:"  amends, self → that law
"The phrase "…" in … of the Law on Land No. 31/2024/QH15 is replaced by …"  amends (a phrase, not the law)
"Điều 1. Sửa đổi, bổ sung một số điều của Luật X … 3. Bãi bỏ khoản 3 Điều 24."  repeals, self → X (the heading's)
"Nghị định số X …, được sửa đổi, bổ sung bởi: 1. Nghị định số Y …"  amends, Y → X (a consolidated text)
"""

from __future__ import annotations

import re
from bisect import bisect_right

from policykb.models import Relation
from policykb.relations import patterns as p
from policykb.relations.clauses import (
    NOBODY,
    SELF,
    Clause,
    OwnDocument,
    articles_in,
    inside,
    make_relation,
    named_by,
)
from policykb.relations.endings import list_items
from policykb.relations.references import Mention


def amended_here(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    """ "[Articles of] X [, which was amended by Y,] are amended as follows" / "… X được sửa đổi, bổ sung như sau",
    and "The phrase "…" in … of X is replaced by …": this document amends X."""
    named = [m for m in clause.mentions if not m.is_self]
    if not own.legal or not named:
        return []
    target = named[0]
    phrase = p.PHRASE_REPLACED.fullmatch(text, clause.start, target.start)
    lead = phrase or p.AMENDED_LEAD.fullmatch(text, clause.start, target.start)
    if lead is None:
        return []
    if phrase is not None:
        verb = p.PHRASE_VERB.match(text, target.end)
    else:
        verb = p.AMENDED_HERE.match(text, named_by(text, clause, target, p.AMENDED_BY)[1])
    if verb is None:
        return []
    start = lead.start() + len(lead.group(0)) - len(lead.group(0).lstrip())
    return [
        make_relation("amends", SELF, target, (start, verb.end()), clause, own, articles=articles_in(lead.group(0)))
    ]


def consolidated(text: str, clause: Clause, mentions: list[Mention]) -> list[Relation]:
    """ "Nghị định số X …, có hiệu lực …, được sửa đổi, bổ sung bởi:" then one amending document an item."""
    named = [m for m in clause.mentions if not m.is_self]
    intro = text[clause.start : clause.end].rstrip()
    verb = p.AMENDED_BY_LIST.search(intro)
    if not named or verb is None or not p.TOPIC_LEAD.fullmatch(text, clause.start, named[0].start):
        return []
    target = named[0]
    found = []
    for item in list_items(text, text.find("\n", clause.end - 1), mentions):
        span = (item.start, item.end)
        found.append(make_relation("amends", item, target, span, Clause(clause.start, item.end, ()), NOBODY))
    return found


def repealed_in_amendment(
    text: str, clause: Clause, mentions: list[Mention], own: OwnDocument, quoted: list[tuple[int, int]]
) -> list[Relation]:
    """ "3. Bãi bỏ khoản 3 Điều 24." under "Điều 1. Sửa đổi, bổ sung một số điều của Luật Quảng cáo số …": the
    articles named are that law's, which this document repeals."""
    match = p.BARE_REPEAL.fullmatch(text, clause.start, clause.end)
    if not own.legal or match is None or clause.mentions:
        return []
    articles = articles_in(match.group("a") or match.group("b") or "")
    target = _heading_target(text, clause.start, mentions, quoted)
    if not articles or target is None:
        return []
    span = (match.start("a") if match.group("a") else match.start("b"), clause.end)
    return [make_relation("repeals", SELF, target, span, clause, own, articles=articles)]


def _heading_target(text: str, at: int, mentions: list[Mention], quoted: list[tuple[int, int]]) -> Mention | None:
    """The document the article around `at` amends, as its heading names it ("Điều 1. Sửa đổi, bổ sung … của Luật
    Quảng cáo số 16/2012/QH13"), unless another article starts between."""
    headings = [h for h in p.AMENDING_HEADING.finditer(text, 0, at) if not inside(h.start(), quoted)]
    if not headings:
        return None
    heading = headings[-1]
    later = [m for m in _ARTICLE_START.finditer(text, heading.end(), at) if not inside(m.start(), quoted)]
    if later:
        return None
    starts = [m.start for m in mentions]
    index = bisect_right(starts, heading.end()) - 1
    named = mentions[index] if index >= 0 else None
    if named is None or named.is_self or named.start < heading.start():
        return None
    return named


_ARTICLE_START = re.compile(r"^(?:Điều|Article)\s+\d+[a-z]?\.", re.MULTILINE)


def attachment_start(text: str) -> int:
    """Where what the document issues with it starts (a plan "(Ban hành kèm theo Quyết định số …)"), or the end."""
    match = p.ATTACHMENT.search(text)
    return match.start() if match else len(text)


ISSUED_TEXT_KINDS = ("based_on", "guides", "amends", "replaces", "repeals")  # not said by a plan's tasks
