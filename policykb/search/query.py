"""Query analysis: FTS5 expressions (always quoted), glossary and acronym expansion, document numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest

from policykb.docnumbers import NumberReference, number_references
from policykb.glossary import Glossary, is_acronym
from policykb.search.weights import DENSE_EXPANSIONS, EXPANSIONS_PER_ENTRY, EXPANSIONS_PER_QUERY, SHORT_QUERY_TERMS
from policykb.textnorm import fold_lower, looks_vietnamese, syllable_bigrams, words

# Words that carry no meaning for BM25 (folded, lower case): English, and Vietnamese function words.
STOPWORDS = frozenset(
    """a an and are as at be by for from has have how i in is it its of on or that the this to was were what when
    where which who whom whose why will with do does did can could should would about into than then there these
    those their they them we our you your not no yes
    va cua cac la cho duoc trong voi nhung co nay do thi ma nao gi ai ve tai theo den tu mot nhu""".split()
)


@dataclass(slots=True)
class QueryPlan:
    """What one query means to each ranker."""

    text: str
    terms: list[str]
    fts: str | None
    dense_text: str
    references: list[NumberReference] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    pairs_fts: str | None = None  # a Vietnamese query's adjacent syllable pairs, each an FTS5 phrase
    keyword_parts: list[str] = field(default_factory=list)  # the phrases `fts` is made of, in order
    pairs: list[str] = field(default_factory=list)  # the syllable pairs `pairs_fts` is made of, in order
    # For each entry of the glossary file the query names (not acronyms learned from documents): the query's own words
    # for it and the other names it was expanded with.
    synonyms: list[tuple[list[str], list[str]]] = field(default_factory=list)

    @property
    def keyword_like(self) -> bool:
        """Short or identifier-like queries lean on exact matching."""
        return bool(self.references) or len(self.terms) <= SHORT_QUERY_TERMS

    def entries(self, parts: list[str]) -> tuple[list[str], list[list[list[str]]]]:
        """`parts` split for BM25: those that count on their own, and for each entry of the glossary file the query
        names, its names (the query's own words for it, then each other name it was expanded with). An entry counts
        once, by the best of its names, as a search engine scores synonyms: a passage that writes both "MOLISA" and
        the ministry's full name is not scored twice for one body against the question's other words, and one that
        writes only the full name is scored for it too."""
        remaining, used = list(dict.fromkeys(parts)), set()
        entries = []
        for names, others in self.synonyms:
            own = [word for word in names if word in remaining]
            other = [name for name in others if name not in used and name not in own]
            used.update(own, other)
            remaining = [part for part in remaining if part not in used]
            entries.append([name for name in [own, *([name] for name in other)] if name])
        return remaining, [names for names in entries if names]

    def reference_fts(self) -> str | None:
        phrases = [ref.phrase for ref in self.references]
        return " OR ".join(quote(p) for p in phrases) if phrases else None


def quote(phrase: str) -> str:
    """An FTS5 string literal: user text never reaches FTS5 as syntax."""
    return '"' + phrase.replace('"', '""') + '"'


def _expansions(query: str, glossary: Glossary) -> tuple[list[str], list[str], list[tuple[list[str], list[str]]]]:
    """Other names of the glossary entries the query mentions: (for FTS, folded), (for the embedder), and per entry of
    the glossary file the query's own words for it with its other names for FTS."""
    fts_phrases: list[str] = []
    readable: list[str] = []
    synonyms: list[tuple[list[str], list[str]]] = []
    query_folded = fold_lower(query)
    vietnamese = looks_vietnamese(query)
    for entry, matched in glossary.matches(query):
        others: list[str] = []
        # The names in the other language take turns with the query's own: those carry a question to documents in
        # that language, these to documents that call the thing otherwise in the query's.
        for variant in _alternating(entry.variants, lambda v: looks_vietnamese(v) != vietnamese):
            folded = " ".join(words(variant))
            if variant == matched or not folded or folded in query_folded or folded in others:
                continue
            if len(others) == EXPANSIONS_PER_ENTRY or len(fts_phrases) + len(others) == EXPANSIONS_PER_QUERY:
                break
            others.append(folded)
            # Acronyms mean little to the embedder; the English name helps Vietnamese queries most.
            if not is_acronym(variant) and fold_lower(variant) == variant.lower():
                readable.append(variant)
        fts_phrases.extend(others)
        if others and not entry.learned:
            synonyms.append((list(dict.fromkeys(words(matched))), list(dict.fromkeys(others))))
    return list(dict.fromkeys(fts_phrases)), list(dict.fromkeys(readable)), synonyms


def _alternating(names: tuple[str, ...], first: Callable[[str], bool]) -> list[str]:
    """The names for which `first` holds and the others, taking turns, each kind in its own order."""
    ones, others = [n for n in names if first(n)], [n for n in names if not first(n)]
    turns = [name for pair in zip_longest(ones, others) for name in pair if name is not None]
    return turns


def expansion_phrases(glossary: Glossary) -> list[str]:
    """Every name of every glossary entry as a query's expansions spell it for FTS5, but for the bodies only the
    built-in gazetteer knows: a thousand names that few queries use, which FTS5 scores when one does."""
    return list(
        dict.fromkeys(
            " ".join(words(variant))
            for entry in glossary.entries
            if not entry.gazetteer_only
            for variant in entry.variants
        )
    )


def content_pairs(text: str) -> list[str]:
    """The text's pairs of adjacent words (never across punctuation) without a stopword in them: "joint programming"."""
    return [pair for pair in syllable_bigrams(text) if not any(word in STOPWORDS for word in pair.split(" "))]


def plan_query(query: str, glossary: Glossary) -> QueryPlan:
    query = re.sub(r"\s+", " ", query).strip()
    all_terms = words(query)
    terms = [t for t in all_terms if t not in STOPWORDS] or all_terms
    fts_phrases, readable, synonyms = _expansions(query, glossary)
    # No phrase of the whole query: the exact wording of a question is rarely in a passage, and on large collections
    # such a phrase is most of the keyword cost (docs/BENCHMARKS.md).
    parts: list[str] = list(dict.fromkeys(terms))
    parts.extend(fts_phrases)
    fts = " OR ".join(quote(part) for part in parts) if parts else None
    dense_text = query if not readable else f"{query} ({'; '.join(readable[:DENSE_EXPANSIONS])})"
    pairs = syllable_bigrams(query) if looks_vietnamese(query) else []
    pairs_fts = " OR ".join(quote(pair) for pair in pairs) if pairs else None
    return QueryPlan(
        query, terms, fts, dense_text, number_references(query), readable, pairs_fts, parts, pairs, synonyms
    )
