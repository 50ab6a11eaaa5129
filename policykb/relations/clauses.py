"""The pieces every relation rule reads a sentence with: its clauses, the document being read, who a verb speaks of
(subject_of), what it names after it (target_after), the articles and date it gives, and the relation it makes.

The subject of a relation is the document the text speaks of: itself ("Nghị định này thay thế …", a list item or
recital of its own), or another it names. A text that is not a legal document (a news item, a report) never speaks
for itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from policykb.models import DocumentRef, Relation
from policykb.relations import patterns as p
from policykb.relations.dates import date_at
from policykb.relations.references import Mention

_SPLIT = re.compile(r"(?<!\bNo)(?<!\bno)(?<!\bArt)[.;](?=\s)|\n")
_LONGEST_QUOTE = 20000
_QUOTES = re.compile(r"“[^”]{0,20000}”")
SELF = "self"  # a relation's subject when it is the document being read


@dataclass(frozen=True, slots=True)
class Clause:
    """A sentence, or an item of a list ending in ";", with the documents it names."""

    start: int
    end: int
    mentions: tuple[Mention, ...]


@dataclass(frozen=True, slots=True)
class OwnDocument:
    """The document being read, as its relations name it."""

    ref: DocumentRef
    date: str | None  # its signing date: "có hiệu lực kể từ ngày ký" means this day
    legal: bool  # a legal document speaks of itself; a news item or report does not


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The spans in quotation marks: the new wording an amending text quotes ("Điều 3. … Nghị định này thay thế …")
    speaks of the amended document, not of this one. Straight quotes pair in order, when they pair at all."""
    spans = [m.span() for m in _QUOTES.finditer(text)]
    straight = [m.start() for m in re.finditer('"', text)]
    if len(straight) % 2 == 0:
        spans += [(a, b) for a, b in zip(straight[::2], straight[1::2]) if b - a <= _LONGEST_QUOTE]
    return spans


def inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < offset < end for start, end in spans)


def split_clauses(text: str, mentions: list[Mention]) -> list[Clause]:
    """Sentences, and the items of a list ending in ";": never cut inside a mention ("Decree No. 44/2017/ND-CP")."""
    starts = [m.start for m in mentions]
    cuts = [0]
    for match in _SPLIT.finditer(text):
        before = bisect_right(starts, match.start()) - 1  # the last mention that starts at or before the cut
        if before < 0 or match.start() >= mentions[before].end:
            cuts.append(match.end())
    cuts.append(len(text))
    clauses, index = [], 0
    for start, end in zip(cuts, cuts[1:]):
        inside = []
        while index < len(mentions) and mentions[index].start < end:
            if mentions[index].start >= start:
                inside.append(mentions[index])
            index += 1
        if text[start:end].strip():
            clauses.append(Clause(start, end, tuple(inside)))
    return clauses


def make_relation(
    kind: str, source, target: Mention | None, span: tuple[int, int], clause: Clause, own: OwnDocument, **extra
) -> Relation:
    is_self = source == SELF or (isinstance(source, Mention) and source.is_self)
    return Relation(
        kind,
        own.ref if is_self else source.ref,
        target.ref if target is not None else None,
        span[0],
        span[1],
        clause.start,
        clause.end,
        source_self=is_self,
        **extra,
    )


def subject_of(text: str, clause: Clause, verb_start: int, own: OwnDocument) -> Mention | str | None:
    """Who the verb at verb_start speaks of: the document named just before it, the document itself (a clause that
    opens with the verb, "ban hành Nghị định …"), the document the sentence opens with (a verb after a comma or "và" /
    "and": "Luật … số 41/2024/QH15 …, có hiệu lực … và thay thế …"), or nobody the text names (None)."""
    before = [m for m in clause.mentions if m.end <= verb_start]
    if before and p.SUBJECT_GAP.fullmatch(text, before[-1].end, verb_start):
        topic = _topic(text, clause, before, verb_start) if before[-1] is not before[0] else None
        if topic is not None and re.search(r",\s*$", text[before[-1].start : verb_start]):
            return topic  # "Nghị định số X … quy định chi tiết … Luật Thú y, có hiệu lực …" speaks of X
        return before[-1] if not before[-1].is_self or own.legal else None
    prefix = text[clause.start : verb_start]
    if own.legal and (p.CLAUSE_START.fullmatch(prefix) or p.SELF_LEAD.search(prefix)):
        return SELF
    opening = before[0] if before else None  # "Thông tư này có hiệu lực … và thay thế …"
    if opening is not None and opening.is_self and own.legal and p.COORDINATED.fullmatch(text, opening.end, verb_start):
        if p.CLAUSE_START.fullmatch(text, clause.start, opening.start):
            return opening
    return _topic(text, clause, before, verb_start)


def _topic(text: str, clause: Clause, before: list[Mention], verb_start: int) -> Mention | None:
    """The document a sentence opens with, as the subject of a later verb after a comma or "và" / "and", when every
    other document named on the way belongs to its description (named after a verb of its title: "… quy định chi tiết
    … của Luật Thú y")."""
    if not before or before[0].is_self or verb_start - before[0].end > 300:
        return None
    opening, gap = before[0], text[before[0].end : verb_start]
    if not p.TOPIC_LEAD.fullmatch(text, clause.start, opening.start) or ";" in gap or not p.THEN.search(gap):
        return None
    if len(before) > 1:
        title_verb = min((v.start() for v in map(lambda v: v.search(gap), p.ACTIVE.values()) if v), default=None)
        if title_verb is None or opening.end + title_verb > before[1].start:
            return None
    return opening


def states(text: str, subject: Mention | str, verb: re.Match[str]) -> bool:
    """Whether a verb after another document's mention states a relation, and is not that document's title or an
    apposition ("Nghị định số 82/2023/NĐ-CP ngày … của Chính phủ sửa đổi …", "Decree No. 158/2025/ND-CP,
    detailing …"): a title says what the cited document does, which is no statement of the text."""
    if not isinstance(subject, Mention) or subject.is_self or subject.end > verb.start():
        return True
    if _task_before(text, subject.start):
        return False  # "Xây dựng Nghị định quy định chi tiết … Luật X thay thế …": a task, not a statement
    if verb.group(0).lower().endswith("ing"):  # "…, replacing" states only after a finite verb: "… took effect …,"
        return _finite_verb_in(text[subject.end : verb.start()])
    if p.ENGLISH_FINITE.match(verb.group(0)):  # "Decree No. … dated … replaces …" is a sentence, not a title
        return True
    return not is_title(text, subject, verb.start())


def _task_before(text: str, at: int) -> bool:
    """Whether the sentence up to `at` sets a task ("Xây dựng …", "draft …")."""
    window = text[max(0, at - 200) : at]
    return p.TASK.search(re.split(r"[.;\n]", window)[-1]) is not None


def _finite_verb_in(gap: str) -> bool:
    verbs = [*p.ACTIVE.values(), p.EFFECTIVE]
    return any(not m.group(0).lower().endswith("ing") for verb in verbs for m in verb.finditer(gap))


def is_title(text: str, subject: Mention, verb_start: int, issuing: bool = False) -> bool:
    """Whether what follows a mention up to verb_start is its title: its date or issuer written, then (with
    `issuing`, for a plan the document issues) a verb of issuing or amending ("… của Chính phủ ban hành Chương trình
    hành động …")."""
    gap = text[subject.end : verb_start]
    dated = p.WRITTEN_DATE.search(text, subject.start, subject.end) is not None
    if not dated and p.ISSUER.match(gap) is None:
        return False
    if not issuing:
        return True
    verb = p.TITLE_VERB.search(gap)
    return verb is not None and not re.search(r"[,;]", p.ISSUER.sub("", gap[: verb.start()], count=1))


def target_after(text: str, clause: Clause, after: int, gap: re.Pattern[str]) -> tuple[Mention, list[str]] | None:
    """The document named right after a verb (a named document, not "Nghị định này"), with the articles between."""
    following = [m for m in clause.mentions if m.start >= after]
    if not following or following[0].is_self or not gap.fullmatch(text, after, following[0].start):
        return None
    return following[0], articles_in(text[after : following[0].start])


def articles_in(gap: str) -> list[str]:
    found = []
    for match in p.ARTICLES.finditer(gap):
        words = " ".join(match.group(0).split())
        plural = re.match(r"Articles\s+(.*)", words)
        found += [f"Article {n}" for n in re.findall(r"\d+[a-z]?", plural.group(1))] if plural else [words]
    return found


def named_by(text: str, clause: Clause, target: Mention, pattern: re.Pattern[str]) -> tuple[list[Mention], int]:
    """The documents `pattern` ("đã được sửa đổi, bổ sung theo", "is replaced by") lists right after `target`, and
    where the list ends (the target's end when there is none)."""
    match = pattern.match(text, target.end) or _after_description(text, clause, target, pattern)
    if match is None:
        return [], target.end
    sources, at = [], match.end()
    for source in (m for m in clause.mentions if m.start >= at):
        if source.is_self or (source.start != at and not p.LIST_JOIN.fullmatch(text, at, source.start)):
            break
        sources.append(source)
        at = source.end
    return sources, at if sources else target.end


def _after_description(text: str, clause: Clause, target: Mention, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """`pattern` after the target's description, naming no other document ("Decree No. 123/2020/ND-CP dated … of the
    Government on invoices and documents, which was amended … by …")."""
    bound = next((m.start for m in clause.mentions if m.start >= target.end), clause.end)
    match = pattern.search(text, target.end, bound)
    if match is None or not p.DESCRIPTION.fullmatch(text, target.end, match.start()):
        return None
    return match


# What reads a relation between two documents a text names (a passive "… đã được sửa đổi theo …"): not itself.
NOBODY = OwnDocument(DocumentRef(""), None, False)


def explicit_date(text: str, start: int, end: int) -> str | None:
    """A date the clause gives after a target ("… kể từ ngày 01 tháng 7 năm 2020")."""
    match = p.EXPLICIT_FROM.match(text, start, end)
    found = date_at(text, match.end()) if match else None
    return found[0] if found else None
