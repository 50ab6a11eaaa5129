"""Answering "who owns this task?": stored assignments ranked for a question or listed for an agency."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import partial
from weakref import WeakKeyDictionary

from policykb.errors import BadQueryError
from policykb.glossary import Glossary
from policykb.models import SearchHit
from policykb.owners.lineage import LeadStatus, lead_status
from policykb.search.query import STOPWORDS, plan_query
from policykb.search.searcher import Searcher
from policykb.spreadsheet import csv_text
from policykb.store import AssignmentRow, Filters
from policykb.textnorm import fold_lower, fold_lower_aligned, looks_vietnamese, syllable_bigrams

# A question about ownership: the search page shows an answer card for these.
_OWNERSHIP_QUESTION = re.compile(
    r"\b(?:who|whom|which (?:ministry|ministries|agency|agencies|organi[sz]ation|body|department|unit)|responsible|"
    r"in charge|owns?|owner|leads?|coordinat\w*|co quan nao|bo nao|don vi nao|ai chu tri|chu tri|phoi hop|trach nhiem|"
    r"phu trach|dam nhiem)\b|^\s*ai\b"
)
# "Which ministry …", "Bộ nào …": the answer is a ministry, a ministry-level agency or one of their departments.
_ASKS_FOR_MINISTRY = re.compile(r"\b(?:which|what) ministr(?:y|ies)\b|\bbo nao\b")
_MINISTRY_KINDS = frozenset({"ministry", "ministry_level"})
PAGE_SIZE = 100  # assignments per page of the owners page's listings
PASSAGES = 5  # an answer must be stated in one of the best passages for the question
# An answer shares at least a third of the question's subject words (weighted by rarity): the lowest share at which no
# question that no document answers gets an owner on the two development sets (docs/decisions/0031-owners-in-legal-texts.md).
MIN_OVERLAP = 0.34
# And its score (passage rank and overlap together) reaches this; values from 0.4 to 0.6 answer the same development
# questions (the same decision).
MIN_SCORE = 0.5
# Read in the other language's passages, an answer names more than this share of the glossary entries the question
# names (more than half), and its score reaches MIN_SCORE_ACROSS: with only the glossary's names to carry the question
# across, a passage low in that ranking naming half of them is as often a neighbouring task. Both chosen on the
# development questions over the bundled corpus (the same decision).
MIN_NAMES_ACROSS = 0.5
MIN_SCORE_ACROSS = 0.6
_OWNERSHIP_WORDS = frozenset(
    """who whom which ministry ministries agency agencies organization organisation body department unit responsible
    charge owns own owner lead leads leading led coordinate coordinates coordinating coordination task tasks
    co quan nao bo don vi ai chu tri phoi hop chiu trach nhiem nhiem vu phu trach dam""".split()
)
_OWNERSHIP_STEMS = frozenset(word[:5] for word in _OWNERSHIP_WORDS)
EXPORT_COLUMNS = (
    "task",
    "lead",
    "lead_note",
    "kind",
    "coordinating",
    "deadline",
    "document",
    "doc_id",
    "section",
    "page",
    "start",
    "end",
    "text",
    "ocr",
)


def is_ownership_question(query: str) -> bool:
    return bool(_OWNERSHIP_QUESTION.search(fold_lower(query)))


@dataclass(slots=True)
class OwnersResult:
    query: str | None
    agency: str | None
    assignments: list[AssignmentRow]
    total: int | None = None  # of a listing shown a page at a time: all its assignments; else len(assignments)
    page: int = 1
    # Per lead: its label with its parent, and who holds its fields now if it has ceased (the lead stays as written).
    statuses: dict[str, LeadStatus] = field(default_factory=dict)

    def status(self, lead: str) -> LeadStatus:
        return self.statuses.get(lead) or LeadStatus(lead, lead)

    @property
    def notes(self) -> list[str]:
        """One line per lead that has since ceased or moved, in the order the leads first appear."""
        leads = dict.fromkeys(a.lead for a in self.assignments)
        return [note for lead in leads if (note := self.status(lead).note)]

    @property
    def pages(self) -> int:
        return _pages(self.total) if self.total is not None else 1

    def to_json(self) -> dict:
        keys = (
            "task",
            "lead",
            "kind",
            "coordinating",
            "deadline",
            "doc_id",
            "title",
            "section",
            "page",
            "ocr",
            "start",
            "end",
            "text",
            "score",
        )
        listed = {"total": self.total, "page": self.page, "pages": self.pages} if self.total is not None else {}
        return {
            "query": self.query,
            "agency": self.agency,
            **listed,
            "assignments": [
                {key: getattr(a, key) for key in keys} | self.status(a.lead).to_json() for a in self.assignments
            ],
        }


class OwnersFinder:
    """Ranks assignments with the same search machinery as passages; never makes one up. With `collections`, only
    the assignments of those collections' documents count, for answers, listings and leads alike (None: every one)."""

    def __init__(self, searcher: Searcher, collections: frozenset[str] | None = None) -> None:
        self.searcher = searcher
        self.collections = collections
        self.glossary = searcher.glossary_for(collections)  # without acronyms from documents it may not read

    def find(self, query: str | None, agency: str | None, k: int = 5, page: int | None = None) -> OwnersResult:
        """The one choice every caller makes: a question is answered (`k` assignments at most, only the agency's when
        one is given); else everything the agency leads or supports; else the whole task matrix. `page` counts only for
        the two listings (None: all of it at once)."""
        if query:
            return self.ask(query, k=k, agency=agency)
        if agency:
            return self.for_agency(agency, page)
        return self.all(page)

    def with_statuses(self, result: OwnersResult) -> OwnersResult:
        """The result with what the gazetteer says of each lead (parent, successors, legal basis)."""
        glossary = self.glossary
        result.statuses = {lead: lead_status(glossary, lead) for lead in {a.lead for a in result.assignments}}
        return result

    def family(self, canonical: str) -> list[str]:
        """The agency and every body under it (a ministry's departments), whose tasks a listing of it includes."""
        return [canonical, *self.glossary.children_of(canonical)]

    def canonical_agency(self, name: str) -> str:
        """The gazetteer's canonical name for any variant ("Bộ LĐTBXH", "MoLISA" -> "MOLISA"); an owner named as a
        readable document describes it ("cơ quan cung cấp thông tin", owners/described.py) as it is, rather than a
        name inside it ("Hội đồng nhân dân cấp tỉnh" in "Văn phòng Hội đồng nhân dân cấp tỉnh")."""
        entries = [entry for entry, _ in self.glossary.matches(name) if entry.kind in ("agency", "group")]
        exact = [entry for entry in entries if fold_lower(name) in (fold_lower(v) for v in entry.variants)]
        if exact:
            return exact[0].canonical
        with self.searcher.reading() as store:
            if store.leads_any(name, self.collections):
                return name
        if entries:
            return entries[0].canonical
        raise BadQueryError(
            f"unknown agency {name!r} — use a name, acronym or Vietnamese name from the built-in gazetteer or "
            "corpus/glossary.json (POLICYKB_GLOSSARY)"
        )

    def for_agency(self, agency: str, page: int | None = None) -> OwnersResult:
        """Everything the agency or a body under it leads or supports; with `page`, that page of PAGE_SIZE assignments
        and their total. What the agency leads scores 1, what its departments lead 0.75, what they support 0.5."""
        canonical = self.canonical_agency(agency)
        family = self.family(canonical)
        result = self._listing(page, canonical, family)
        scores = {canonical: 1.0} | dict.fromkeys(family[1:], 0.75)
        result.assignments = [replace(row, score=scores.get(row.lead, 0.5)) for row in result.assignments]
        return self.with_statuses(result)

    def leads(self) -> list[str]:
        """Every agency that leads an assignment, in name order."""
        with self.searcher.reading() as store:
            return store.assignment_leads(self.collections)

    def all(self, page: int | None = None) -> OwnersResult:
        """The whole task matrix; with `page`, that page of PAGE_SIZE assignments and their total."""
        return self.with_statuses(self._listing(page, None))

    def _listing(self, page: int | None, agency: str | None, family: list[str] | None = None) -> OwnersResult:
        """All assignments, or those of the agency (a canonical name) and its `family`; with `page`, that page of them
        and their total."""
        names = family or ([agency] if agency else None)
        with self.searcher.reading() as store:
            rows = store.assignments if names is None else partial(store.assignments_of_agency, names)
            if page is None:
                return OwnersResult(None, agency, rows(collections=self.collections))
            total = store.count_assignments(names, self.collections)
            page = min(max(page, 1), _pages(total))  # a page past the last shows the last
            rows = rows(PAGE_SIZE, (page - 1) * PAGE_SIZE, collections=self.collections)
            return OwnersResult(None, agency, rows, total, page)

    def ask(self, query: str, k: int = 5, agency: str | None = None) -> OwnersResult:
        """The assignments stated in the passages that best answer the question, best passage first.

        An assignment answers only when its passage ranks among the first few and it shares the question's subject
        words; otherwise the result is empty and callers say that no document names an owner. Passages in the
        question's own language share its words and fill the first places even where the answer is only written in
        the other language: when they hold no answer, the passages in that language that best match the glossary's
        names there ("social assistance" for "trợ giúp xã hội") are read the same way, as a translated question's.
        """
        canonical = self.canonical_agency(agency) if agency else None
        plan = plan_query(query, self.glossary)
        question = _Question(
            subject=subject_words(query, plan.terms, plan.synonyms),
            translated=other_language_names(query, plan.synonyms),
            helped=objects_named(query, self.glossary),
            family=set(self.family(canonical)) if canonical else set(),
            wants_ministry=bool(_ASKS_FOR_MINISTRY.search(fold_lower(query))),
            names=bodies_named(query, self.glossary),
            glossary=self.glossary,
        )
        readable = Filters(collections=self.collections)
        found = self._answers(self.searcher.search(query, filters=readable, k=PASSAGES).hits, question)
        names = translated_query(query, plan.synonyms)
        if not found and names:
            other = replace(readable, language="en" if looks_vietnamese(query) else "vi")
            question = replace(question, across=True)
            found = self._answers(self.searcher.search(names, filters=other, k=PASSAGES).hits, question)
        return self.with_statuses(OwnersResult(query, canonical, found[:k]))

    def _answers(self, hits: list[SearchHit], question: _Question) -> list[AssignmentRow]:
        """The assignments stated within `hits` that answer `question`, best first, each once at its best score."""
        weights = self._weights()
        with self.searcher.reading() as store:  # only the assignments stated within the passages found
            rows = store.assignments_within([(hit.doc_id, hit.start, hit.end) for hit in hits], self.collections)
        best: dict[int, AssignmentRow] = {}
        for rank, hit in enumerate(hits):
            for row in rows:
                if row.doc_id != hit.doc_id or not hit.start <= row.start < hit.end:
                    continue
                if question.wants_ministry and not self._may_be_ministry(row.lead):
                    continue
                score = question.score(row, 1.0 - rank / PASSAGES, weights)
                if score is not None and (row.id not in best or score > best[row.id].score):
                    best[row.id] = replace(row, score=round(score, 4))
        return sorted(best.values(), key=lambda row: -row.score)

    def _may_be_ministry(self, lead: str) -> bool:
        """Whether the lead is a ministry, a ministry-level agency or a department of one; a name the gazetteer does not
        hold may be one."""
        kinds = [self.glossary.body_kind(name) for name in (lead, self.glossary.parent_of(lead)) if name]
        return kinds[0] is None or any(kind in _MINISTRY_KINDS for kind in kinds)

    def _weights(self) -> dict[str, float]:
        """The idf of word stems over every assignment the finder may read, worked out once for the searcher's
        generation of the index and those collections: it reads each assignment's cited text, which on a large
        collection is most of an answer's time. (Over the readable ones only, so that no score moves with the words of
        documents the asker cannot see.)"""
        with self.searcher.reading() as store:
            kept = _WEIGHTS.setdefault(self.searcher, {})
            if self.collections not in kept:
                rows = store.assignments(collections=self.collections)
                kept[self.collections] = _idf([f"{row.task} {row.text} {article_heading(row.section)}" for row in rows])
            return kept[self.collections]


@dataclass(slots=True)
class _Question:
    """What an ownership question asks, as its candidate answers are scored against it."""

    subject: list[str]  # its subject words (subject_words)
    translated: list[list[list[str]]]  # the glossary's names for them in the other language (other_language_names)
    helped: set[str]  # the bodies it names as helped or answered to: never the answer (objects_named)
    family: set[str]  # with an agency asked for: it and its departments; empty otherwise
    across: bool = False  # scoring passages in the other language, found by the glossary's names there
    wants_ministry: bool = False  # "Which ministry …": only a ministry or one of its departments answers
    names: dict[str, str] = field(default_factory=dict)  # the bodies it names: canonical name -> its words (folded)
    glossary: Glossary | None = None  # for the bodies an answer's text names

    def own_words(self, row: AssignmentRow) -> str:
        """What the row says its task is about, less the names of bodies that hold a body the question names but are
        another ("Đoàn đại biểu Quốc hội" for a question about "Quốc hội"): their words are not that body's."""
        words = f"{row.task} {row.text} {article_heading(row.section)}"
        if not self.names or self.glossary is None:
            return words
        folded = fold_lower_aligned(words)
        for kind in ("agency", "group"):
            for m in self.glossary.mentions(words, kind):
                name = f" {folded[m.start : m.end]} "
                if m.canonical not in self.names and any(f" {own} " in name for own in self.names.values()):
                    words = words[: m.start] + " " * (m.end - m.start) + words[m.end :]
        return words

    def score(self, row: AssignmentRow, passage_weight: float, weights: dict[str, float]) -> float | None:
        """The row's score as an answer (passage rank and overlap together), or None if it is not one."""
        if self.family and row.lead not in self.family and self.family.isdisjoint(row.coordinating):
            return None
        if row.lead in self.helped:
            return None
        own_words = self.own_words(row)
        if self.across:
            # Only the glossary's names carry the question across, so the answer must name most of what it asks.
            overlap = _names_overlap(self.translated, own_words)
            if overlap <= MIN_NAMES_ACROSS:
                return None
        else:
            overlap = max(
                _overlap(self.subject, own_words, weights),
                _names_overlap(self.translated, own_words) if self.translated else 0.0,
            )
            if overlap < MIN_OVERLAP:
                return None
        score = 0.6 * passage_weight + 0.4 * overlap
        return score if score >= (MIN_SCORE_ACROSS if self.across else MIN_SCORE) else None


_WEIGHTS: WeakKeyDictionary[Searcher, dict[frozenset[str] | None, dict[str, float]]] = WeakKeyDictionary()


def _pages(total: int) -> int:
    """Pages of PAGE_SIZE that `total` assignments fill; an empty listing is one page."""
    return max(1, -(-total // PAGE_SIZE))


_ARTICLE_HEADING = re.compile(r"(?:Điều|Article) \d+[a-z]?\. [^›]*")


def article_heading(section: str) -> str:
    """The heading of the article an assignment stands in ("Điều 42. Thành lập Quỹ hỗ trợ phát triển điện ảnh"): it
    says what the article's clauses are about. Other headings are too broad to count as the task's words."""
    found = _ARTICLE_HEADING.search(section)
    return found.group().strip() if found else ""


def subject_words(query: str, terms: list[str], synonyms: list[tuple[list[str], list[str]]] = ()) -> list[str]:
    """What a question asks about (its plan's `terms` less the words of asking who owns it). Vietnamese words are
    mostly two syllables, and single syllables say little: "bảo hiểm y tế" shares "bảo", "hiểm", "y", "tế" with every
    health-insurance task, "tỷ lệ bao phủ" only with the one about coverage; so a Vietnamese question's subject is its
    pairs of syllables. A pair the question names as a glossary term or body is kept even where a syllable, without its
    diacritics, is also a function word ("ma túy", "Hải quan")."""
    if looks_vietnamese(query):
        named = {pair for own, _ in synonyms for pair in syllable_bigrams(" ".join(own))}
        pairs = [
            pair
            for pair in syllable_bigrams(query)
            if pair in named or not any(word in _OWNERSHIP_WORDS or word in STOPWORDS for word in pair.split(" "))
        ]
        if pairs:
            return pairs + _lone_syllables(query, pairs)
    return [term for term in terms if term not in _OWNERSHIP_WORDS]


def _lone_syllables(query: str, pairs: list[str]) -> list[str]:
    """The question's content syllables that no kept pair holds, since their neighbours are function words: "tỉnh" in
    "Hội đồng … của tỉnh" tells the province's council from the ministry's."""
    kept = {word for pair in pairs for word in pair.split(" ")}
    words = re.findall(r"\w+", fold_lower(query))
    lone = [w for w in words if w not in kept and w not in STOPWORDS and w not in _OWNERSHIP_WORDS and not w.isdigit()]
    return list(dict.fromkeys(lone))


_OBJECT_OF_QUESTION = re.compile(
    r"\b(?:giup|ho tro|truoc|cho|do|boi|help|helps|assist|assists|support|supports|advise|advises|to|before)\s+(?:the\s+)?$"
)


def objects_named(query: str, glossary: Glossary) -> set[str]:
    """The bodies a question names as the ones helped, advised or answered to, or as the makers of what it asks about
    ("thông tin do Quốc hội tạo ra"), not as the one it asks about."""
    folded = fold_lower_aligned(query)
    return {
        m.canonical
        for kind in ("agency", "group")
        for m in glossary.mentions(query, kind)
        if _OBJECT_OF_QUESTION.search(folded, max(0, m.start - 25), m.start)
    }


def bodies_named(query: str, glossary: Glossary) -> dict[str, str]:
    """The bodies a question names, each with its words as the question writes them (folded)."""
    folded = fold_lower_aligned(query)
    return {
        m.canonical: " ".join(re.findall(r"\w+", folded[m.start : m.end]))
        for kind in ("agency", "group")
        for m in glossary.mentions(query, kind)
    }


def _subject_names_across(query: str, synonyms: list[tuple[list[str], list[str]]]) -> list[list[str]]:
    """For each glossary entry the question names (not its words of asking: "responsible" is no subject), the entry's
    names in the other language than the question's."""
    vietnamese = looks_vietnamese(query)
    return [
        [name for name in others if looks_vietnamese(name) != vietnamese]
        for own, others in synonyms
        if not all(_stem(word) in _OWNERSHIP_STEMS or word in STOPWORDS for word in own)
    ]


def other_language_names(query: str, synonyms: list[tuple[list[str], list[str]]]) -> list[list[list[str]]]:
    """For each entry of _subject_names_across, its names as the words or syllable pairs each must hold: an English
    question over Vietnamese laws is matched through "quản lý nhà nước", a Vietnamese one over English reports through
    "social assistance"."""
    groups = []
    for names in _subject_names_across(query, synonyms):
        if pieces := [found for found in map(_name_pieces, names) if found]:
            groups.append(pieces)
    return groups


def translated_query(query: str, synonyms: list[tuple[list[str], list[str]]]) -> str:
    """The question's subject as the glossary names it in the other language: for each entry the question names (not
    its words of asking), its first name there; empty if it names none."""
    return "; ".join(names[0] for names in _subject_names_across(query, synonyms) if names)


def _name_pieces(name: str) -> list[str]:
    if looks_vietnamese(name) and " " in name:
        return syllable_bigrams(name)
    return [word for word in name.split() if word not in STOPWORDS]


def _names_overlap(groups: list[list[list[str]]], text: str) -> float:
    """Share of the question's glossary entries that the text names in the other language (any of their names)."""
    stems = _stems(text)
    return sum(any(all(_stem(p) in stems for p in name) for name in names) for names in groups) / len(groups)


def _stems(text: str) -> set[str]:
    """The text's words cut to five letters, and its pairs of adjacent words ("bao hiem") whole."""
    return {word[:5] for word in re.findall(r"\w+", fold_lower(text))} | set(syllable_bigrams(text))


def _stem(term: str) -> str:
    return term if " " in term else term[:5]


def _idf(texts: list[str]) -> dict[str, float]:
    """Inverse document frequency of word stems over the assignments: rare words say more about the task."""
    counts: dict[str, int] = {}
    for text in texts:
        for stem in _stems(text):
            counts[stem] = counts.get(stem, 0) + 1
    return {stem: math.log(1 + len(texts) / (1 + count)) for stem, count in counts.items()} | {
        "": math.log(1 + len(texts))
    }


def _overlap(terms: list[str], text: str, idf: dict[str, float]) -> float:
    """Share of the question's subject words, weighted by rarity, that the text contains (loosely stemmed)."""
    if not terms:
        return 1.0
    stems = _stems(text)
    weight = {term: idf.get(_stem(term), idf[""]) for term in terms}
    return sum(w for term, w in weight.items() if _stem(term) in stems) / sum(weight.values())


def to_csv(result: OwnersResult) -> str:
    """The assignments as CSV, one row each, safe to open in a spreadsheet."""
    rows = (
        [
            a.task,
            a.lead,
            result.status(a.lead).note or "",
            a.kind,
            "; ".join(a.coordinating),
            a.deadline or "",
            a.title,
            a.doc_id,
            a.section,
            a.page or "",
            a.start,
            a.end,
            a.text,
            "yes" if a.ocr else "",
        ]
        for a in result.assignments
    )
    return csv_text(EXPORT_COLUMNS, rows)
