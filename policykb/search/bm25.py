"""Keyword rankings by BM25: of passages (with the passage weights, or with the document weights as well), of whole
documents, and of the passages that cite an asked-for document number. With this generation's term matrix, words and
glossary names are added up from it and any other phrase is scored by FTS5 on its own (and kept, see PhraseScores);
without one, FTS5 ranks alone. Both give FTS5's scores (see policykb.search.terms)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from policykb.docnumbers import CitedNumbers
from policykb.search.allowed import AllowedByFilters
from policykb.search.query import QueryPlan, quote
from policykb.search.terms import PhraseScores, TermMatrix, load_terms
from policykb.search.weights import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS
from policykb.store import Filters, Store

TERMS_LOOK_AGAIN_SECONDS = 5.0

Ranking = list[tuple[int, float]]


class Bm25Ranker:
    """BM25 over one generation of the store; every method takes the searcher's lock, which guards the store's one
    connection."""

    def __init__(
        self, store: Store, lock: threading.Lock, data_dir: Path, generation: int, allowed: AllowedByFilters
    ) -> None:
        self.store, self._lock, self._data_dir, self._generation, self._allowed = (
            store,
            lock,
            data_dir,
            generation,
            allowed,
        )
        self.terms = load_terms(data_dir, self._generation)
        self._terms_looked_for = time.monotonic()
        self._phrase_scores: PhraseScores | None = None
        self._document_phrase_scores: PhraseScores | None = None
        self._cited_numbers: CitedNumbers | None = None

    # --- passages ---------------------------------------------------------------------------------
    def passages(self, parts: list[str], match: str | None, filters: Filters, limit: int) -> Ranking:
        """FTS5's BM25 ranking of `match`, the OR of `parts`, with the passage weights (FTS_WEIGHTS)."""
        if match is None:
            return []
        with self._lock:
            if self._term_matrix() is None:
                return self.store.keyword_search(match, filters, limit, FTS_WEIGHTS)
            keys = [self.terms.key(part) for part in parts]
            total = self.terms.scores([key for key in keys if key is not None])
            return self._top(total, parts, keys, filters, limit, document_weights=False)

    def passages_and_documents(
        self, parts: list[str], match: str | None, filters: Filters, limit: int
    ) -> tuple[Ranking, Ranking]:
        """The ranking of `passages`, and the same with the document weights (DOCUMENT_WEIGHTS: the title weighing
        more). From the term matrix the second agrees with FTS5's to 12 digits (see TermMatrix)."""
        if match is None:
            return [], []
        with self._lock:
            if self._term_matrix() is None:
                passages, documents = self.store.keyword_rankings(
                    match, filters, limit, (FTS_WEIGHTS, DOCUMENT_WEIGHTS)
                )
                return passages, documents
            keys = [self.terms.key(part) for part in parts]
            words = [key for key in keys if key is not None]
            passages = self.terms.scores(words)
            documents = passages.copy()
            self.terms.add_document_weights(documents, words)
            return (
                self._top(passages, parts, keys, filters, limit, document_weights=False),
                self._top(documents, parts, keys, filters, limit, document_weights=True),
            )

    def _top(
        self,
        total: np.ndarray,
        parts: list[str],
        keys: list[str | None],
        filters: Filters,
        limit: int,
        document_weights: bool,
    ) -> Ranking:
        """The best `limit` passages once the parts the matrix holds no postings for are added in from FTS5 and the
        passages the filters leave out are zeroed (the caller holds the lock)."""
        rows = self._allowed.get(filters).rows(self.terms) if filters.active else None
        for part, key in zip(parts, keys):
            if key is None:
                self._phrases.add_to(total, part, documents=document_weights)
        if rows is not None:
            self.terms.keep_only(total, rows)
        return self.terms.top(total, limit)

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
        remaining = list(dict.fromkeys(plan.terms))
        entries: list[list[list[str]]] = []  # per entry, its names: the query's own words, then each other name
        for names, others in plan.synonyms:
            own = [word for word in names if word in remaining]
            remaining = [word for word in remaining if word not in own]
            entries.append([own, *([other] for other in others)])
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
        documents = self.terms.documents if self._term_matrix() is not None else None
        if documents is None:
            return self.store.document_scores(
                " OR ".join(quote(part) for part in parts), list(keys.values()), WHOLE_DOCUMENT_WEIGHTS
            )
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
    def _term_matrix(self) -> TermMatrix | None:
        """This generation's term matrix; ingest writes it just after the passages, so a searcher that opened in
        between looks for it again every few seconds."""
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
