"""Relations read from a document's text at ingest: each with its kind, its two documents, the articles and date the
text gives, and the words and sentence that state it (offsets into the cleaned text, as every citation).

The subject of a relation is the document the text speaks of: itself ("Nghị định này thay thế …", a list item or
recital of its own), or another it names ("Nghị quyết số 68/NQ-CP … ban hành Chương trình hành động … thực hiện
Nghị quyết số 42-NQ/TW" in a news item). A text that is not a legal document (a news item, a report) never speaks
for itself: only relations between the documents it names are read from it.
"""

from __future__ import annotations

import re

from policykb.citations import LEGAL_TYPES
from policykb.models import DocumentRef, Relation
from policykb.relations import patterns as p
from policykb.relations.amending import (
    ISSUED_TEXT_KINDS,
    amended_here,
    attachment_start,
    consolidated,
    repealed_in_amendment,
)
from policykb.relations.clauses import (
    NOBODY,
    SELF,
    Clause,
    OwnDocument,
    explicit_date,
    inside,
    is_title,
    make_relation,
    named_by,
    quoted_spans,
    split_clauses,
    states,
    subject_of,
    target_after,
)
from policykb.relations.dates import date_at
from policykb.relations.endings import ends_relations, listed_relations
from policykb.relations.references import Mention, find_mentions, number_key, title_key

_LAW_TITLE = re.compile(r"^(?:Bộ luật|Luật|Pháp lệnh|Hiến pháp|(?:the )?(?:Law|Code|Ordinance|Constitution))\b", re.I)


def document_node(number: str | None, title: str, date: str | None, doc_type: str) -> tuple[DocumentRef, list[str]]:
    """The document's own node and every key other texts may name it by: its number; a law also its name and year."""
    year = date[:4] if date else None
    keys = [number_key(number)] if number else []
    if year and (doc_type == "law" or _LAW_TITLE.match(title)):
        keys.append(title_key(title, year))
    key = keys[0] if keys else title_key(title, year)
    return DocumentRef(key, number, title, date), keys


def extract_relations(
    text: str, number: str | None, title: str, date: str | None, doc_type: str
) -> tuple[list[Relation], list[str]]:
    """The relations `text` states, in order, and the keys of the document's own node (see document_node)."""
    ref, keys = document_node(number, title, date, doc_type)
    own = OwnDocument(ref, date, number is not None or doc_type in LEGAL_TYPES)
    mentions = find_mentions(text)
    quoted = quoted_spans(text)
    found = _based_on(text, mentions, own)
    for clause in split_clauses(text, mentions):
        found += _active(text, clause, own) + _passive(text, clause) + ends_relations(text, clause, own)
        found += listed_relations(text, clause, mentions, own) + consolidated(text, clause, mentions)
        found += amended_here(text, clause, own) + repealed_in_amendment(text, clause, mentions, own, quoted)
        found += _implements(text, clause, own) + _implements_directed(text, clause, own)
        found += _effective(text, clause, own)
    attached = attachment_start(text)
    relations = [
        r
        for r in found
        if _between_two(r, set(keys) | {ref.key})
        and not inside(r.start, quoted)
        and not (r.source_self and r.kind in ISSUED_TEXT_KINDS and r.start >= attached)
    ]
    return _with_dates(_unique(relations)), keys


def _active(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    found = []
    for kind, verb in p.ACTIVE.items():
        for match in verb.finditer(text, clause.start, clause.end):
            if re.search(r"(?:bị|được|là)\s+$", text[clause.start : match.start()]):
                continue  # a passive ("bị bãi bỏ") names its target before the verb
            target = target_after(text, clause, match.end(), p.TARGET_GAP)
            subject = subject_of(text, clause, match.start(), own) if target else None
            if target is None or subject is None or not states(text, subject, match):
                continue
            start = subject.start if isinstance(subject, Mention) else match.start()
            stated = _part_replaced(text, kind, match.end(), target[0].start)
            targets = [target[0]] + (_listed_after(text, clause, target[0]) if stated in _LISTS else [])
            date = explicit_date(text, targets[-1].end, clause.end) if stated in _LISTS else None
            for named in targets:
                articles = target[1] if named is target[0] else []
                found.append(
                    make_relation(stated, subject, named, (start, named.end), clause, own, articles=articles, date=date)
                )
    return found


def _part_replaced(text: str, kind: str, start: int, end: int) -> str:
    """ "Thay thế Phụ lục I ban hành kèm theo Nghị định số …", "replaces the phrase … in Article 4 of …": replacing a
    part of a document amends it."""
    return "amends" if kind == "replaces" and p.PART.search(text, start, end) else kind


_LISTS = ("replaces", "repeals")  # "thay thế Nghị định số A … và Nghị định số B"


def _listed_after(text: str, clause: Clause, first: Mention) -> list[Mention]:
    """Further numbered documents of a list ("… và Nghị định số 140/2018/NĐ-CP"), each joined by "và" / "and" / a
    comma, with no verb between (which would make it another relation's)."""
    listed, previous = [], first
    for mention in (m for m in clause.mentions if m.start > first.end):
        between = text[previous.end : mention.start]
        joined = re.search(r"(?:,|\bvà|\band)\s*$", between) is not None
        if mention.is_self or mention.ref.number is None or not joined or _has_verb(between):
            break
        listed.append(mention)
        previous = mention
    return listed


def _has_verb(text: str) -> bool:
    verbs = [*p.ACTIVE.values(), p.IMPLEMENTS, p.ENDS, p.EFFECTIVE]
    return any(verb.search(text) for verb in verbs)


def _passive(text: str, clause: Clause) -> list[Relation]:
    """TARGET "đã được sửa đổi, bổ sung … theo" SOURCE, SOURCE và SOURCE; TARGET "is superseded by" SOURCE."""
    found = []
    for target in clause.mentions:
        if target.is_self:
            continue
        for kind, pattern in (("amends", p.AMENDED_BY), ("replaces", p.REPLACED_BY)):
            sources, _ = named_by(text, clause, target, pattern)
            for source in sources[:1] if kind == "replaces" else sources:
                found.append(make_relation(kind, source, target, (target.start, source.end), clause, NOBODY))
    return found


def _implements(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    """A plan or programme "thực hiện" / "implementing" TARGET: by the document named before it, else by this one."""
    found = []
    for match in p.IMPLEMENTS.finditer(text, clause.start, clause.end):
        prefix = text[clause.start : match.start()]
        finite = _finite_implements(text, clause, match)
        if not finite and (p.NOT_IMPLEMENTS.search(prefix) or not p.PLAN_WORDS.search(prefix)):
            continue
        target = target_after(text, clause, match.end(), re.compile(r"\s*(?:the\s+)?", re.I))
        if target is None:
            continue
        before = [m for m in clause.mentions if m.end <= match.start()]
        subject = finite or (before[-1] if before else (SELF if own.legal else None))
        if subject is None or (isinstance(subject, Mention) and subject.is_self and not own.legal):
            continue
        if isinstance(subject, Mention) and not subject.is_self and is_title(text, subject, match.start(), True):
            continue  # "Căn cứ Nghị quyết số 71/NQ-CP ngày … của Chính phủ sửa đổi … Chương trình … thực hiện …"
        start = subject.start if isinstance(subject, Mention) else match.start()
        found.append(make_relation("implements", subject, target[0], (start, target[0].end), clause, own))
    return found


def _implements_directed(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    """A directive's title "Về việc tổ chức thi hành Luật …" or purpose "Để triển khai thực hiện Nghị quyết số …,
    Thủ tướng Chính phủ chỉ thị:": the document implements what it names."""
    if not own.legal:
        return []
    lead = p.IMPLEMENTS_TITLE.match(text, clause.start, clause.end)
    if lead is None:
        lead = p.IMPLEMENTS_PURPOSE.match(text, clause.start, clause.end)
        if lead is None or not p.DIRECTS.search(text, clause.start, clause.end):
            return []
    following = [m for m in clause.mentions if m.start >= lead.end()]
    if not following or following[0].is_self or following[0].start != lead.end():
        return []
    target = following[0]
    return [make_relation("implements", SELF, target, (lead.start(), target.end), clause, own)]


def _finite_implements(text: str, clause: Clause, verb: re.Match[str]) -> Mention | None:
    """ "Resolution No. 125/NQ-CP implements Resolution No. 28-NQ/TW": the document named right before a finite verb."""
    if verb.group(0).lower() != "implements":
        return None
    before = [m for m in clause.mentions if m.end <= verb.start() and not m.is_self]
    if before and p.SUBJECT_GAP.fullmatch(text, before[-1].end, verb.start()):
        return before[-1]
    return None


def _effective(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    """SUBJECT "có hiệu lực thi hành từ ngày …" / "kể từ ngày ký" / "takes effect on …"."""
    found = []
    for match in p.EFFECTIVE.finditer(text, clause.start, clause.end):
        subject = subject_of(text, clause, match.start(), own)
        when = p.EFFECTIVE_WHEN.match(text, match.end())
        if not isinstance(subject, Mention) or when is None:
            continue
        signing = p.SIGNING.match(text, when.end())
        if signing is not None:
            date, end = (own.date if subject.is_self else subject.ref.date), signing.end()
        else:
            found_date = date_at(text, when.end())
            date, end = found_date if found_date else (None, when.end())
        if date is not None and len(date) == 10:
            found.append(make_relation("effective", subject, None, (subject.start, end), clause, own, date=date))
    return found


def _based_on(text: str, mentions: list[Mention], own: OwnDocument) -> list[Relation]:
    """ "Căn cứ Luật …; Luật …;" / "Pursuant to …": each item of the recital opens with what the document rests on."""
    if not own.legal:
        return []
    found = []
    for match in p.BASIS.finditer(text):
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end < 0 else line_end
        at = match.end()
        for piece in re.finditer(r"[^;]+", text[at:line_end]):
            start = at + piece.start() + len(piece.group(0)) - len(piece.group(0).lstrip())
            start += len(p.BASIS_ITEM_LEAD.match(text, start).group(0))
            first = next((m for m in mentions if m.start == start and not m.is_self), None)
            if first is not None:
                clause = Clause(match.start(), line_end, (first,))
                found.append(make_relation("based_on", SELF, first, (match.start(), first.end), clause, own))
    return found


def _between_two(relation: Relation, own_keys: set[str]) -> bool:
    """A relation names two documents (or one, for its date of effect), neither the same as the other."""
    if relation.target is None:
        return True
    if relation.target.key == relation.source.key:
        return False
    return not (relation.source_self and relation.target.key in own_keys)


def _unique(relations: list[Relation]) -> list[Relation]:
    """One relation per kind, source and target (a law repeats "… đã được sửa đổi, bổ sung theo Luật số …" in many
    articles): the first place that says it, with the articles of every place."""
    kept: dict[tuple, Relation] = {}
    for relation in sorted(relations, key=lambda r: r.start):
        key = (relation.kind, relation.source.key, relation.target.key if relation.target else relation.date)
        if key in kept:
            first = kept[key]
            first.articles = list(dict.fromkeys(first.articles + relation.articles))
        else:
            kept[key] = relation
    return sorted(kept.values(), key=lambda r: r.start)


def _with_dates(relations: list[Relation]) -> list[Relation]:
    """An amendment, replacement or repeal without a date of its own takes effect when its source does, if this text
    says when that is."""
    effective = {r.source.key: r.date for r in relations if r.kind == "effective" and r.date}
    for relation in relations:
        if relation.date is None and relation.kind in ("amends", "replaces", "repeals"):
            relation.date = effective.get(relation.source.key)
    return relations
