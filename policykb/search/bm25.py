"""Keyword rankings by BM25: of passages (with the passage weights, or with the document weights as well), of whole
documents, and of the passages that cite an asked-for document number. With this generation's term matrix, words and
glossary names are added up from it and any other phrase is scored by FTS5 on its own (and kept, see PhraseScores);
without one, FTS5 ranks alone. Both give FTS5's scores (see policykb.search.terms)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from policykb.docnumbers import CitedNumbers
from policykb.recent import KeptWithin
from policykb.search.allowed import AllowedByFilters
from policykb.search.damaged import set_aside
from policykb.search.query import QueryPlan, quote
from policykb.search.terms import PhraseScores, TermMatrix, terms_dir
from policykb.search.terms_files import load_terms, read_terms
from policykb.search.weights import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS
from policykb.store import Filters, Store

TERMS_LOOK_AGAIN_SECONDS = 5.0
PART_POSTINGS_KEPT = 2_000_000  # scores of query parts kept without a term matrix, ~24 bytes each

Ranking = list[tuple[int, float]]
Postings = tuple[np.ndarray, np.ndarray]  # rows (or rowids) and a score in each
Entries = list[list[list[str]]] | tuple  # QueryPlan.entries: per glossary entry, its names, each a list of parts


class Bm25Ranker:
    """BM25 over one generation of the store; every method takes the searcher's lock, which guards the store's one
    connection."""

    def __init__(
        self,
        store: Store,
        lock: threading.Lock,
        data_dir: Path,
        generation: int,
        allowed: AllowedByFilters,
        on_set_aside: Callable[[], None] | None = None,  # a term matrix set aside: have it rebuilt
    ) -> None:
        self.on_set_aside = on_set_aside
        self.store, self._lock, self._data_dir, self._generation, self._allowed = (
            store,
            lock,
            data_dir,
            generation,
            allowed,
        )
        self.terms, self.terms_set_aside = read_terms(data_dir, self._generation)
        self._terms_looked_for = time.monotonic()
        self._phrase_scores: PhraseScores | None = None
        self._document_phrase_scores: PhraseScores | None = None
        self._cited_numbers: CitedNumbers | None = None
        # Without a term matrix, each part of a query that names a glossary entry is scored by FTS5 on its own, at
        # about twice the cost of the whole query at once; the same names recur from query to query.
        self._part_scores: KeptWithin[tuple, tuple[np.ndarray, ...]] = KeptWithin(
            PART_POSTINGS_KEPT, lambda scored: len(scored[0])
        )

    # --- passages ---------------------------------------------------------------------------------
    def passages(
        self, parts: list[str], match: str | None, filters: Filters, limit: int, entries: Entries = ()
    ) -> Ranking:
        """FTS5's BM25 ranking of `match`, the OR of `parts`, with the passage weights (FTS_WEIGHTS); each of
        `entries` (QueryPlan.entries: the names of one glossary entry among the parts) counts by the best of its
        names."""
        if match is None:
            return []
        with self._lock:
            if self.term_matrix() is not None:
                try:
                    [scores] = self._scores(parts, entries, (False,))
                    return self._top(scores, filters, limit)
                except (IndexError, ValueError) as error:
                    self._matrix_failed(error)
            if entries:
                return self._by_parts(parts, entries, filters, limit, (FTS_WEIGHTS,))[0]
            return self.store.keyword_search(match, filters, limit, FTS_WEIGHTS)

    def passages_and_documents(
        self, parts: list[str], match: str | None, filters: Filters, limit: int, entries: Entries = ()
    ) -> tuple[Ranking, Ranking]:
        """The ranking of `passages`, and the same with the document weights (DOCUMENT_WEIGHTS: the title weighing
        more). From the term matrix the second agrees with FTS5's to 12 digits (see TermMatrix)."""
        if match is None:
            return [], []
        with self._lock:
            if self.term_matrix() is not None:
                try:
                    passages, documents = self._scores(parts, entries, (False, True))
                    return self._top(passages, filters, limit), self._top(documents, filters, limit)
                except (IndexError, ValueError) as error:
                    self._matrix_failed(error)
            if entries:
                passages, documents = self._by_parts(parts, entries, filters, limit, (FTS_WEIGHTS, DOCUMENT_WEIGHTS))
                return passages, documents
            passages, documents = self.store.keyword_rankings(match, filters, limit, (FTS_WEIGHTS, DOCUMENT_WEIGHTS))
            return passages, documents

    def _matrix_failed(self, error: Exception) -> None:
        """A term matrix whose values a search finds spoiled (an index out of range: its file overwritten past a
        sound header) is set aside like an unreadable one; FTS5 ranks from then on, with the same scores, while it is
        rebuilt (`on_set_aside`). The caller holds the lock."""
        aside = set_aside(
            terms_dir(self._data_dir, self._generation),
            f"spoiled term matrix ({type(error).__name__}: {error})",
            "FTS5 ranks alone (same scores) while it is rebuilt from the store",
        )
        self.terms, self._terms_looked_for = None, time.monotonic()
        if aside is not None and self.on_set_aside is not None:  # only the process that set it aside rebuilds it
            self.on_set_aside()

    def _scores(self, parts: list[str], entries: Entries, weightings: tuple[bool, ...]) -> list[np.ndarray]:
        """Every row's BM25 from the term matrix, with the passage weights (False) or the document weights (True) for
        each of `weightings`: words from the matrix, any other phrase from FTS5 (PhraseScores), each entry by the best
        of its names (the caller holds the lock)."""
        named = {part for names in entries for name in names for part in name}
        loose = [part for part in parts if part not in named]
        keys = [self.terms.key(part) for part in loose]
        words = [key for key in keys if key is not None]
        passages = self.terms.scores(words)
        totals = []
        for position, documents in enumerate(weightings):
            total = passages if position == len(weightings) - 1 else passages.copy()
            if documents:
                self.terms.add_document_weights(total, words)
            for part, key in zip(loose, keys):
                if key is None:
                    self._phrases.add_to(total, part, documents=documents)
            for names in entries:
                total += self._best_name(names, documents)
            totals.append(total)
        return totals

    def _best_name(self, names: list[list[str]], documents: bool) -> np.ndarray:
        """Every row's best score among an entry's names, each name's the sum of its parts'. Dense arrays over the
        matrix's rows: a sort of the postings of common words (a name such as "social insurance") costs more."""
        best = np.zeros(self.terms.size)
        for name in names:
            if len(name) == 1:
                rows, scores = self._postings(name[0], documents)  # one part's rows are distinct
                best[rows] = np.maximum(best[rows], scores)
                continue
            summed = np.zeros(self.terms.size)
            for part in name:
                rows, scores = self._postings(part, documents)
                summed[rows] += scores
            np.maximum(best, summed, out=best)
        return best

    def _postings(self, part: str, documents: bool) -> Postings:
        key = self.terms.key(part)
        return self.terms.postings(key, documents) if key is not None else self._phrases.postings(part, documents)

    def _top(self, total: np.ndarray, filters: Filters, limit: int) -> Ranking:
        """The best `limit` passages once those the filters leave out are zeroed (the caller holds the lock)."""
        if filters.active:
            self.terms.keep_only(total, self._allowed.get(filters).rows(self.terms))
        return self.terms.top(total, limit)

    def _by_parts(
        self,
        parts: list[str],
        entries: Entries,
        filters: Filters,
        limit: int,
        weightings: tuple[tuple[float, ...], ...],
    ) -> list[Ranking]:
        """The ranking with each of `weightings` from FTS5 one part at a time, each entry by the best of its names:
        what the term matrix does, for a collection without one (the caller holds the lock)."""
        scored = {
            part: self._part_scores.get_or_make(
                (part, weightings), lambda part=part: self.store.phrase_scores(quote(part), *weightings)
            )
            for part in parts
        }
        named = {part for names in entries for name in names for part in name}
        allowed = self._allowed.get(filters).ids if filters.active else None
        rankings = []
        for column in range(1, 1 + len(weightings)):
            found = [(scored[part][0], scored[part][column]) for part in parts if part not in named]
            for names in entries:
                found.append(_best([_summed([(scored[p][0], scored[p][column]) for p in name]) for name in names]))
            rowids, scores = _summed(found)
            if allowed is not None:
                kept = np.isin(rowids, allowed)
                rowids, scores = rowids[kept], scores[kept]
            order = np.lexsort((rowids, -scores))[:limit]  # ties by rowid, as FTS5 gives them
            rankings.append(list(zip(rowids[order].tolist(), scores[order].tolist())))
        return rankings

    def references(self, plan: QueryPlan, filters: Filters, limit: int) -> Ranking:
        """Passages of documents that cite the document number asked for, the citing passages first."""
        match = plan.reference_fts()
        if match is None:
            return []
        with self._lock:
            if self._cited_numbers is None:  # fixed for this generation of the index
                self._cited_numbers = CitedNumbers(self.store.doc_number_pairs())
            doc_ids = sorted(self._cited_numbers.documents_citing(plan.references))
            if filters.doc_id is not None:
                doc_ids = [doc_id for doc_id in doc_ids if doc_id == filters.doc_id]
            return self.store.keyword_search(match, filters, limit, FTS_WEIGHTS, doc_ids=doc_ids) if doc_ids else []

    # --- whole documents --------------------------------------------------------------------------
    def whole_documents(self, plan: QueryPlan, doc_ids: list[str]) -> dict[str, float]:
        """BM25 of each document over its title and whole text (WHOLE_DOCUMENT_WEIGHTS); a document the query does
        not match is left out. Passages split a document's words between them, so one that says all of what was asked,
        a part in each passage, would lose to one whose single passage says more of it; summed over the whole text it
        does not. An entry of the glossary file the query names ("MOLISA") counts once, by the best of its names in the
        document (the query's own words, or one of the names it was expanded with), so a document that only writes
        "Ministry of Labour, Invalids and Social Affairs" is scored for it too, and one that writes both is not
        scored twice. Acronyms learned from documents count by the query's own words alone: each was defined by one
        document, and over other documents' whole text its long form is a guess. From FTS5 or, with a term matrix,
        from its matrix of documents: the same scores."""
        remaining, entries = plan.entries(plan.terms)
        with self._lock:
            keys = self.store.document_keys(doc_ids)
            by_key = self._whole_document_bm25(remaining, keys)
            for names in entries:
                best: dict[int, float] = {}
                for parts in names:
                    for key, score in self._whole_document_bm25(parts, keys).items():
                        best[key] = max(best.get(key, 0.0), score)
                for key, score in best.items():
                    by_key[key] = by_key.get(key, 0.0) + score
        return {doc_id: by_key[key] for doc_id, key in keys.items() if key in by_key}

    def _whole_document_bm25(self, parts: list[str], keys: dict[str, int]) -> dict[int, float]:
        """BM25 of `parts` over whole documents for the documents_fts rows in `keys`, where it is above 0 (the caller
        holds the lock)."""
        if not parts or not keys:
            return {}
        documents = self.terms.documents if self.term_matrix() is not None else None
        if documents is not None:
            try:
                return self._whole_document_matrix(documents, parts, keys)
            except (IndexError, ValueError) as error:
                self._matrix_failed(error)
        return self.store.document_scores(
            " OR ".join(quote(part) for part in parts), list(keys.values()), WHOLE_DOCUMENT_WEIGHTS
        )

    def _whole_document_matrix(self, documents: TermMatrix, parts: list[str], keys: dict[str, int]) -> dict[int, float]:
        """_whole_document_bm25 from the matrix of whole documents."""
        words = [documents.key(part) for part in parts]
        total = documents.scores([word for word in words if word is not None])
        for part, word in zip(parts, words):
            if word is None:
                self._document_phrases.add_to(total, part)
        wanted = np.array(list(keys.values()), dtype=np.int64)
        at, known = documents.positions(wanted)
        return {
            key: float(total[row])
            for key, row, held in zip(wanted.tolist(), at.tolist(), known.tolist())
            if held and total[row] > 0.0
        }

    # --- the term matrix and the phrases it does not hold -------------------------------------------
    def term_matrix(self) -> TermMatrix | None:
        """This generation's term matrix; ingest writes it just after the passages, so a searcher that opened in
        between looks for it again every few seconds (the caller holds the lock)."""
        if self.terms is None and time.monotonic() - self._terms_looked_for > TERMS_LOOK_AGAIN_SECONDS:
            self.terms, self._terms_looked_for = load_terms(self._data_dir, self._generation), time.monotonic()
        return self.terms

    @property
    def _phrases(self) -> PhraseScores:
        if self._phrase_scores is None or self._phrase_scores.matrix is not self.terms:
            self._phrase_scores = PhraseScores(
                self.terms, lambda phrase: self.store.phrase_scores(quote(phrase), FTS_WEIGHTS, DOCUMENT_WEIGHTS)
            )
        return self._phrase_scores

    @property
    def _document_phrases(self) -> PhraseScores:
        documents = self.terms.documents
        if self._document_phrase_scores is None or self._document_phrase_scores.matrix is not documents:

            def fetch(phrase: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
                keys, scores = self.store.document_phrase_scores(quote(phrase), WHOLE_DOCUMENT_WEIGHTS)
                return keys, scores, scores

            self._document_phrase_scores = PhraseScores(documents, fetch)
        return self._document_phrase_scores


def _summed(postings: list[Postings]) -> Postings:
    """The rows of any of `postings`, each with the sum of its scores in them."""
    if not postings:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    rows, inverse = np.unique(np.concatenate([rows for rows, _ in postings]), return_inverse=True)
    return rows, np.bincount(inverse, weights=np.concatenate([scores for _, scores in postings]), minlength=len(rows))


def _best(postings: list[Postings]) -> Postings:
    """The rows of any of `postings`, each with the best of its scores in them."""
    if not postings:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    rows, inverse = np.unique(np.concatenate([rows for rows, _ in postings]), return_inverse=True)
    best = np.full(len(rows), -np.inf)
    np.maximum.at(best, inverse, np.concatenate([scores for _, scores in postings]))
    return rows, best
