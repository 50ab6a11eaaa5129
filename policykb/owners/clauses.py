"""Who a clause names as owner: the subject before its verb, the name after "led by" or "giao", partners after
"in coordination with", and its deadline. Read on a document's folded twin, so offsets are the text's own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.glossary import Mention
from policykb.owners import patterns


@dataclass(slots=True)
class Found:
    """One clause's owner: the lead and whoever the clause names beside it."""

    lead: str
    coordinating: list[str] = field(default_factory=list)
    verb_at: int | None = None  # where the words stating the duty start, when the clause opens with its owner
    rule_making: bool = False  # "… do Bộ trưởng Bộ Y tế quy định": a passive agent that makes the rules


@dataclass(slots=True)
class OwnerText:
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


def names(mentions: list[Mention], lead: str | None = None) -> list[str]:
    return [name for name in dict.fromkeys(m.canonical for m in mentions) if name != lead]


def led_after(doc: OwnerText, start: int, end: int) -> Found | None:
    """ "led by MOLISA", "giao Bộ Tài chính", "assigns duties to ministries, sectors, and localities"."""
    for match in patterns.LEAD_AFTER.finditer(doc.folded, start, end):
        first = doc.at(match.end(), end)
        if first is None:
            continue
        chain = doc.chain(first, end)
        if match.group("hands_over") and not _acts(doc, chain[-1].end, end):
            continue  # "giao tài sản cho cơ quan nhà nước", "có quyền yêu cầu cơ quan nhà nước": no task of theirs
        return Found(first.canonical, names(chain[1:], first.canonical))
    return None


def _acts(doc: OwnerText, at: int, end: int) -> bool:
    """Whether a verb of duty follows the name ("giao Bộ Tài chính chủ trì …", "đề nghị Bộ Y tế hướng dẫn …")."""
    return bool(patterns.STRONG_VERB.match(doc.folded, at, end) or patterns.WEAK_VERB.match(doc.folded, at, end))


def subject(doc: OwnerText, start: int, end: int) -> tuple[list[Mention], int] | None:
    """The names a clause opens with (after an introductory phrase) and where their verb should start."""
    first = next((m for m in doc.within(start, end) if not is_object(doc, start, m)), None)
    # Named after a long introduction, a body is rarely the one who acts, unless the introduction ends right before it
    # ("Aiming at a better urban future, UN-Habitat developed …", "Nhằm …, Bộ Y tế đã tổ chức …").
    if first is None or (first.start - start >= 80 and not _after_introduction(doc, start, first)):
        return None
    chain = doc.chain(first, end)
    cursor = chain[-1].end
    parent = patterns.OF_PARENT.match(doc.folded, cursor, end)
    if parent and (owner := doc.at(parent.end(), end, 0)) is not None:
        cursor = owner.end
    return chain, cursor


_INTRODUCTION_END = re.compile(
    r"(?:,|\s[-–]|\s(?P<thi>thi))\s*(?:the\s+)?$"
)  # "thì" closes a condition: "Trường hợp … thì"


def _after_introduction(doc: OwnerText, start: int, mention: Mention) -> bool:
    """Whether the name comes right after the comma, dash or "thì" that closes an introductory phrase."""
    end = _INTRODUCTION_END.search(doc.folded, max(start, mention.start - 8), mention.start)
    return end is not None and (not end.group("thi") or doc.text[end.start("thi") : end.end("thi")].lower() == "thì")


def is_object(doc: OwnerText, start: int, mention: Mention) -> bool:
    """Whether the name is the object of a word before it in its clause ("giúp Chính phủ", "to the Government")."""
    return patterns.OBJECT_BEFORE.search(doc.folded, max(start, mention.start - 25), mention.start) is not None


def subject_with_partners(doc: OwnerText, start: int, end: int) -> tuple[list[Mention], list[Mention], int] | None:
    """A clause's subject, partners named right after it ("in collaboration with MOLISA") and where the verb starts."""
    found = subject(doc, start, end)
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


_UNKNOWN_SUBJECT = re.compile(r"[^\W\d_]{3,}")  # a word before the helping verb: a subject, though not a known name


def helped(doc: OwnerText, start: int, end: int) -> Found | None:
    """ "The ILO supported MOLISA to …": MOLISA leads, the ILO coordinates. In an item of another's duties with no
    subject ("- Assist MOLISA to form a network …") what is to be done is still MOLISA's, with help. A helper the
    sentence names but the gazetteer does not know ("The partnership group will assist MOLISA in …") states its own
    duty, which a card saying "Lead: MOLISA" would hide."""
    for match in patterns.HELPS.finditer(doc.folded, start, end):
        helped = doc.at(match.end(), end, 0)
        helpers = doc.within(start, match.start())[:1]
        if helped is None or (not helpers and _UNKNOWN_SUBJECT.search(doc.folded, start, match.start())):
            continue
        others: list[Mention] = []
        special = patterns.ESPECIALLY.match(doc.folded, helped.end, end)
        if special and (named := doc.at(special.end(), end, 0)) is not None:
            others, helped = [helped], named
        task = patterns.HELPED_TASK.match(doc.folded, helped.end, end)
        if task is None:
            continue
        return Found(helped.canonical, names(others + helpers, helped.canonical), task.end())
    return None


def clause_owner(doc: OwnerText, start: int, end: int) -> Found | None:
    """Who a clause makes owner of its task, or None when it names nobody as owner."""
    found = led_after(doc, start, end)
    if found is not None:
        return found
    subject = subject_with_partners(doc, start, end)
    if subject is not None:
        chain, partners, verb_at = subject
        if patterns.STRONG_VERB.match(doc.folded, verb_at, end):
            return Found(chain[0].canonical, names(chain[1:] + partners, chain[0].canonical), verb_at)
    aided = helped(doc, start, end)
    if aided is not None:
        return aided
    if subject is not None and patterns.WEAK_VERB.match(doc.folded, verb_at, end):
        return Found(chain[0].canonical, names(chain[1:] + partners, chain[0].canonical), verb_at)
    for mention in doc.within(start, end):  # "In line with ILO standards, MOLISA shall …"
        if (
            mention.start - start < 60
            and not is_object(doc, start, mention)
            and patterns.STRONG_VERB.match(doc.folded, mention.end, end)
        ):
            return Found(mention.canonical, verb_at=mention.end)
    return passive_agent(doc, start, end)


def passive_agent(doc: OwnerText, start: int, end: int) -> Found | None:
    """ "… do Thủ tướng Chính phủ quyết định thành lập": the body after "do" that the verb after it names as acting."""
    for mention in doc.within(start, end):
        before = doc.folded[max(start, mention.start - 20) : mention.start]
        verb = patterns.PASSIVE_VERB.match(doc.folded, mention.end, end)
        if patterns.PASSIVE_AGENT.search(before) and verb:
            # The task is the whole clause: what is decided comes before the agent.
            return Found(mention.canonical, rule_making=verb.group().strip() == "quy dinh")
    return None


def partners(doc: OwnerText, start: int, end: int) -> list[Mention]:
    """Names after "in coordination with", "phối hợp với" and the like."""
    found: list[Mention] = []
    for match in patterns.SUPPORT_AFTER.finditer(doc.folded, start, end):
        first = doc.at(match.end(), end)
        found += doc.chain(first, end) if first is not None else []
    return found


def deadline_in(doc: OwnerText, start: int, end: int) -> str | None:
    match = patterns.DEADLINE.search(doc.folded, start, end)
    return doc.text[match.start(1) : match.end(1)].strip() if match else None
