"""Relations read from a document's text at ingest: each with its kind, its two documents, the articles and date the
text gives, and the words and sentence that state it (offsets into the cleaned text, as every citation).

The subject of a relation is the document the text speaks of: itself ("Nghị định này thay thế …", a list item or
recital of its own), or another it names ("Nghị quyết số 68/NQ-CP … ban hành Chương trình hành động … thực hiện
Nghị quyết số 42-NQ/TW" in a news item). A text that is not a legal document (a news item, a report) never speaks
for itself: only relations between the documents it names are read from it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from policykb.models import DocumentRef, Relation
from policykb.relations import patterns as p
from policykb.relations.dates import date_at
from policykb.relations.references import Mention, find_mentions, number_key, title_key

LEGAL_TYPES = frozenset({"law", "decree", "decision", "circular", "resolution"})
_LAW_TITLE = re.compile(r"^(?:Bộ luật|Luật|Pháp lệnh|Hiến pháp|(?:the )?(?:Law|Code|Ordinance|Constitution))\b", re.I)
_SPLIT = re.compile(r"(?<!\bNo)(?<!\bno)(?<!\bArt)[.;](?=\s)|\n")
_SELF = "self"


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int
    mentions: tuple[Mention, ...]


@dataclass(frozen=True, slots=True)
class OwnDocument:
    """The document being read, as its relations name it."""

    ref: DocumentRef
    date: str | None  # its signing date: "có hiệu lực kể từ ngày ký" means this day
    legal: bool  # a legal document speaks of itself; a news item or report does not


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
    found = _based_on(text, mentions, own)
    for clause in _clauses(text, mentions):
        found += _active(text, clause, own) + _passive(text, clause) + _ends(text, clause, own)
        found += _listed(text, clause, mentions, own)
        found += _implements(text, clause, own) + _effective(text, clause, own)
    quoted = _quoted(text)
    relations = [r for r in found if _between_two(r, set(keys) | {ref.key}) and not _inside(r.start, quoted)]
    return _with_dates(_unique(relations)), keys


_QUOTES = re.compile(r"“[^”]{0,20000}”")
_LONGEST_QUOTE = 20000


def _quoted(text: str) -> list[tuple[int, int]]:
    """The spans in quotation marks: the new wording an amending text quotes ("Điều 3. … Nghị định này thay thế …")
    speaks of the amended document, not of this one. Straight quotes pair in order, when they pair at all."""
    spans = [m.span() for m in _QUOTES.finditer(text)]
    straight = [m.start() for m in re.finditer('"', text)]
    if len(straight) % 2 == 0:
        spans += [(a, b) for a, b in zip(straight[::2], straight[1::2]) if b - a <= _LONGEST_QUOTE]
    return spans


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < offset < end for start, end in spans)


def _clauses(text: str, mentions: list[Mention]) -> list[Clause]:
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


def _relation(
    kind: str, source, target: Mention | None, span: tuple[int, int], clause: Clause, own: OwnDocument, **extra
) -> Relation:
    is_self = source == _SELF or (isinstance(source, Mention) and source.is_self)
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


def _subject(text: str, clause: Clause, verb_start: int, own: OwnDocument) -> Mention | str | None:
    """Who the verb at verb_start speaks of: the document named just before it, the document itself (a clause that
    opens with the verb, "ban hành Nghị định …"), or nobody the text names (None)."""
    before = [m for m in clause.mentions if m.end <= verb_start]
    if before and p.SUBJECT_GAP.fullmatch(text, before[-1].end, verb_start):
        return before[-1] if not before[-1].is_self or own.legal else None
    prefix = text[clause.start : verb_start]
    if own.legal and (p.CLAUSE_START.fullmatch(prefix) or p.SELF_LEAD.search(prefix)):
        return _SELF
    opening = before[0] if before else None  # "Thông tư này có hiệu lực … và thay thế …"
    if opening is not None and opening.is_self and own.legal and p.COORDINATED.fullmatch(text, opening.end, verb_start):
        if p.CLAUSE_START.fullmatch(text, clause.start, opening.start):
            return opening
    return None


def _target(text: str, clause: Clause, after: int, gap: re.Pattern[str]) -> tuple[Mention, list[str]] | None:
    """The document named right after a verb (a named document, not "Nghị định này"), with the articles between."""
    following = [m for m in clause.mentions if m.start >= after]
    if not following or following[0].is_self or not gap.fullmatch(text, after, following[0].start):
        return None
    return following[0], _articles(text[after : following[0].start])


def _articles(gap: str) -> list[str]:
    found = []
    for match in p.ARTICLES.finditer(gap):
        words = " ".join(match.group(0).split())
        plural = re.match(r"Articles\s+(.*)", words)
        found += [f"Article {n}" for n in re.findall(r"\d+[a-z]?", plural.group(1))] if plural else [words]
    return found


def _active(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    found = []
    for kind, verb in p.ACTIVE.items():
        for match in verb.finditer(text, clause.start, clause.end):
            if re.search(r"(?:bị|được|là)\s+$", text[clause.start : match.start()]):
                continue  # a passive ("bị bãi bỏ") names its target before the verb
            target = _target(text, clause, match.end(), p.TARGET_GAP)
            subject = _subject(text, clause, match.start(), own) if target else None
            if target is None or subject is None:
                continue
            start = subject.start if isinstance(subject, Mention) else match.start()
            targets = [target[0]] + (_listed_after(text, clause, target[0]) if kind in _LISTS else [])
            date = _explicit_date(text, targets[-1].end, clause.end) if kind in _LISTS else None
            for named in targets:
                articles = target[1] if named is target[0] else []
                found.append(
                    _relation(kind, subject, named, (start, named.end), clause, own, articles=articles, date=date)
                )
    return found


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
            sources, _ = _named_by(text, clause, target, pattern)
            for source in sources[:1] if kind == "replaces" else sources:
                found.append(_relation(kind, source, target, (target.start, source.end), clause, _NOBODY))
    return found


def _named_by(text: str, clause: Clause, target: Mention, pattern: re.Pattern[str]) -> tuple[list[Mention], int]:
    """The documents `pattern` ("đã được sửa đổi, bổ sung theo", "is replaced by") lists right after `target`, and
    where the list ends (the target's end when there is none)."""
    match = pattern.match(text, target.end)
    if match is None:
        return [], target.end
    sources, at = [], match.end()
    for source in (m for m in clause.mentions if m.start >= at):
        if source.is_self or (source.start != at and not p.LIST_JOIN.fullmatch(text, at, source.start)):
            break
        sources.append(source)
        at = source.end
    return sources, at if sources else target.end


_NOBODY = OwnDocument(DocumentRef(""), None, False)


def _ends(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    """TARGET … "hết hiệu lực" / "is repealed" / "ceases to be in force", said by a legal document of itself."""
    named = [m for m in clause.mentions if not m.is_self]
    if not own.legal or not named:
        return []
    lead = p.ENDS_LEAD.fullmatch(text, clause.start, named[0].start)
    if lead is None:
        return []
    targets, described_to = _ended_list(text, clause, named[0])
    match = p.ENDS.search(text, described_to, clause.end)
    if match is None or not p.SUBJECT_GAP.fullmatch(text, described_to, match.start()):
        return []
    articles = _articles(lead.group("articles") or "")
    date = _explicit_date(text, match.end(), clause.end)
    start = lead.start("articles") if lead.group("articles") else named[0].start
    return [
        _relation("repeals", _SELF, target, (start, match.end()), clause, own, articles=articles, date=date)
        for target in targets
    ]


def _ended_list(text: str, clause: Clause, first: Mention) -> tuple[list[Mention], int]:
    """The documents a sentence ends, "A và B hết hiệu lực": each may be described by the laws that amended it
    ("… đã được sửa đổi, bổ sung theo Luật số …"); and where the list ends."""
    targets, at = [first], _named_by(text, clause, first, p.AMENDED_BY)[1]
    for mention in (m for m in clause.mentions if m.start >= at):
        if mention.is_self or not p.LIST_JOIN.fullmatch(text, at, mention.start):
            break
        targets.append(mention)
        at = _named_by(text, clause, mention, p.AMENDED_BY)[1]
    return targets, at


def _listed(text: str, clause: Clause, mentions: list[Mention], own: OwnDocument) -> list[Relation]:
    """ "… các văn bản sau đây hết hiệu lực:" / "Nghị định này thay thế các Nghị định sau:" then one item a line,
    each opening with the document it ends."""
    intro = text[clause.start : clause.end].rstrip()
    if not own.legal or not intro.endswith(":") or not p.LIST_INTRO.search(intro):
        return []
    replaces = p.ACTIVE["replaces"].search(intro)
    ends = p.ENDS.search(intro) or p.ACTIVE["repeals"].search(intro)
    if (replaces is None) == (ends is None):
        return []
    kind, verb = ("replaces", replaces) if replaces else ("repeals", ends)
    if _subject(text, clause, clause.start + verb.start(), own) is None and not _ends_intro(intro, verb):
        return []
    date = _explicit_date(text, clause.start + verb.end(), clause.end)
    found = []
    for item in _items(text, text.find("\n", clause.end - 1), mentions):
        span = (item.start, item.end)
        found.append(_relation(kind, _SELF, item, span, Clause(clause.start, item.end, ()), own, date=date))
    return found


def _ends_intro(intro: str, verb: re.Match[str]) -> bool:
    """ "Kể từ ngày …, các văn bản sau đây hết hiệu lực:" / "The following documents are annulled …:": the verb
    follows the words that announce the list."""
    announced = p.LIST_INTRO.search(intro)
    return announced is not None and announced.start() < verb.start()


def _items(text: str, at: int, mentions: list[Mention]) -> list[Mention]:
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


def _implements(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    """A plan or programme "thực hiện" / "implementing" TARGET: by the document named before it, else by this one."""
    found = []
    for match in p.IMPLEMENTS.finditer(text, clause.start, clause.end):
        prefix = text[clause.start : match.start()]
        if p.NOT_IMPLEMENTS.search(prefix) or not p.PLAN_WORDS.search(prefix):
            continue
        target = _target(text, clause, match.end(), re.compile(r"\s*(?:the\s+)?", re.I))
        if target is None:
            continue
        before = [m for m in clause.mentions if m.end <= match.start()]
        subject = before[-1] if before else (_SELF if own.legal else None)
        if subject is None or (isinstance(subject, Mention) and subject.is_self and not own.legal):
            continue
        start = subject.start if isinstance(subject, Mention) else match.start()
        found.append(_relation("implements", subject, target[0], (start, target[0].end), clause, own))
    return found


def _effective(text: str, clause: Clause, own: OwnDocument) -> list[Relation]:
    """SUBJECT "có hiệu lực thi hành từ ngày …" / "kể từ ngày ký" / "takes effect on …"."""
    found = []
    for match in p.EFFECTIVE.finditer(text, clause.start, clause.end):
        subject = _subject(text, clause, match.start(), own)
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
            found.append(_relation("effective", subject, None, (subject.start, end), clause, own, date=date))
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
            start += len(re.match(r"(?:the\s+)?", text[start:], re.I).group(0))
            first = next((m for m in mentions if m.start == start and not m.is_self), None)
            if first is not None:
                clause = Clause(match.start(), line_end, (first,))
                found.append(_relation("based_on", _SELF, first, (match.start(), first.end), clause, own))
    return found


def _explicit_date(text: str, start: int, end: int) -> str | None:
    """A date the clause gives after a target ("… kể từ ngày 01 tháng 7 năm 2020")."""
    match = p.EXPLICIT_FROM.match(text, start, end)
    found = date_at(text, match.end()) if match else None
    return found[0] if found else None


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
