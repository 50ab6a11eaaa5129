"""Searching the index: keyword (FTS5 BM25), dense (FAISS) and hybrid fusion, returning cited SearchHits."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from policykb.config import Config
from policykb.docnumbers import CitedNumbers
from policykb.errors import BadQueryError, EmbedderMismatchError, IndexNotReadyError
from policykb.glossary import load_glossary
from policykb.search.embedder import Embedder, UsesEmbedder, embedder_name
from policykb.search.fusion import (WordPairs, cap_per_document, convex_fusion, drop_near_duplicates, favour_word_pairs,
                                   rank_documents_by)
from policykb.search.query import QueryPlan, content_pairs, plan_query, quote
from policykb.store import INIT_HINT, Filters, Store
from policykb.search.terms import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS, PhraseScores, TermMatrix, load_terms
from policykb.search.vectors import AnnSettings, VectorIndex, open_vectors
from policykb.models import SearchHit

MODES = ("hybrid", "dense", "keyword")
CANDIDATES = 100
# Hybrid fusion: share of the dense score (the rest is BM25), lower for short keyword-like queries;
# passages of documents that cite an asked-for document number get a bonus that puts them first.
DENSE_WEIGHT = 0.5
DENSE_WEIGHT_SHORT = 0.3
REFERENCE_WEIGHT = 1.0
# Vietnamese queries (tuned on half of the ALQAC 2023 questions, see docs/BENCHMARKS.md): BM25 over their adjacent
# syllable pairs ("bao hiem") shares the keyword score with BM25 over single syllables; where Vietnamese passages
# match those pairs, the English-trained embedder only breaks ties.
SYLLABLE_PAIR_WEIGHT = 0.5
DENSE_WEIGHT_VIETNAMESE = 0.05
# Within a document, passages that score alike are told apart by the query's word pairs they hold as written
# (see favour_word_pairs; documents keep their order, so SciFact is unchanged; the policy query set decided the value).
WORD_PAIR_WEIGHT = 0.075
# With this many documents or more, documents rank by BM25 over their whole text (see Searcher._document_scores). Over
# fewer, a document frequency says little: of five documents, a word in three has no weight at all (BM25's floor), and a
# word one document happens to hold (a deputy minister named Nguyen) outweighs the query's subject (docs/BENCHMARKS.md).
WHOLE_DOCUMENTS_FROM = 100
TERMS_LOOK_AGAIN_SECONDS = 5.0
ALLOWED_KEPT = 8  # filter combinations whose chunk ids a searcher keeps (8 MB each at a million chunks)


@dataclass(slots=True)
class SearchResult:
    query: str
    mode: str
    hits: list[SearchHit]
    total: int
    page: int
    k: int
    took_ms: float = 0.0
    expansions: list[str] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "mode": self.mode,
            "page": self.page,
            "k": self.k,
            "total": self.total,
            "took_ms": round(self.took_ms, 1),
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {name: [{"value": value, "count": count} for value, count in values] for name, values in self.facets.items()},
        }


class Searcher(UsesEmbedder):
    """A read-only view of one generation of the index; cheap to query from many threads."""

    def __init__(self, config: Config, embedder: Embedder | None = None) -> None:
        self.config = config
        self.store = Store(config.db_path, readonly=True)
        if not self.store.has_chunks():
            raise IndexNotReadyError(f"the index at {config.data_dir} is empty: {INIT_HINT}")
        built_with = self.store.meta("embedder")
        self._embedder = embedder
        self._check_embedder(built_with)
        self.generation = self.store.generation()
        self.vectors = open_vectors(self.store, config.data_dir, int(self.store.meta("dim") or 384), save=False,
                                    ann=AnnSettings.from_config(config))
        self.terms = load_terms(config.data_dir, self.generation)
        self._terms_looked_for = time.monotonic()
        self._phrase_scores: PhraseScores | None = None
        self._document_phrase_scores: PhraseScores | None = None
        self.whole_documents = self.store.has_document_terms and self.store.count_documents() >= WHOLE_DOCUMENTS_FROM
        self.glossary = load_glossary(config.glossary_path).with_acronyms(self.store.all_acronyms())
        self._lock = threading.Lock()  # one sqlite3 connection, shared by request threads
        self._cited_numbers: CitedNumbers | None = None
        self._allowed_ids: dict[Filters, _Allowed] = {}

    def _check_embedder(self, built_with: str | None) -> None:
        expected = self._embedder.name if self._embedder else embedder_name(self.config.embedder)
        if built_with and expected and built_with != expected:
            raise EmbedderMismatchError(
                f"the index at {self.config.data_dir} was built with {built_with}, not {expected} — "
                f"set POLICYKB_EMBEDDER to match, or rebuild: policykb reindex"
            )

    def close(self) -> None:
        self.store.close()

    def current_generation(self) -> int:
        """The store's generation now (another process may have ingested since this Searcher opened)."""
        with self._lock:
            return self.store.generation()

    # --- rankers ----------------------------------------------------------------------------------
    def rank_keyword(self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES) -> list[tuple[int, float]]:
        return self._rank_bm25(plan.keyword_parts, plan.fts, filters, limit)

    def rank_syllable_pairs(self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES) -> list[tuple[int, float]]:
        """BM25 over a Vietnamese query's syllable pairs, each a phrase: "bảo hiểm" is one word, "bảo … hiểm" is not."""
        return self._rank_bm25(plan.pairs, plan.pairs_fts, filters, limit)

    def _rank_bm25(self, parts: list[str], match: str | None, filters: Filters, limit: int) -> list[tuple[int, float]]:
        return self._bm25_rankings(parts, match, filters, limit, documents=False)[0]

    def _bm25_rankings(self, parts: list[str], match: str | None, filters: Filters, limit: int,
                       documents: bool) -> list[list[tuple[int, float]]]:
        """FTS5's BM25 ranking of `match`, the OR of `parts`, and with `documents` a second one with the document
        weights (the title weighing more). With a term matrix, words and glossary names are added up from it and any
        other phrase is scored by FTS5 on its own (and kept, see PhraseScores) and added in: the scores agree with
        FTS5's to the last digits of a double (with the document weights, to 12 digits: see TermMatrix)."""
        if match is None:
            return [[], []] if documents else [[]]
        with self._lock:
            if self._term_matrix() is None:
                if documents:
                    return self.store.keyword_rankings(match, filters, limit, (FTS_WEIGHTS, DOCUMENT_WEIGHTS))
                return [self.store.keyword_search(match, filters, limit, FTS_WEIGHTS)]
            keys = [self.terms.key(part) for part in parts]
            words = [key for key in keys if key is not None]
            totals = [self.terms.scores(words)]
            if documents:
                totals.append(totals[0].copy())
                self.terms.add_document_weights(totals[1], words)
            rows = self._allowed(filters).rows(self.terms) if filters.active else None
            for weighted, total in enumerate(totals):
                for part, key in zip(parts, keys):
                    if key is None:
                        self._phrases.add_to(total, part, documents=bool(weighted))
                if rows is not None:
                    self.terms.keep_only(total, rows)
            return [self.terms.top(total, limit) for total in totals]

    def _term_matrix(self) -> TermMatrix | None:
        """This generation's term matrix; ingest writes it just after the passages, so a searcher that opened in
        between looks for it again every few seconds."""
        if self.terms is None and time.monotonic() - self._terms_looked_for > TERMS_LOOK_AGAIN_SECONDS:
            self.terms, self._terms_looked_for = load_terms(self.config.data_dir, self.generation), time.monotonic()
        return self.terms

    @property
    def _phrases(self) -> PhraseScores:
        if self._phrase_scores is None or self._phrase_scores.matrix is not self.terms:
            self._phrase_scores = PhraseScores(
                self.terms, lambda phrase: self.store.phrase_scores(quote(phrase), FTS_WEIGHTS, DOCUMENT_WEIGHTS))
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

    def _document_scores(self, plan: QueryPlan, doc_ids: list[str]) -> dict[str, float]:
        """BM25 of each document over its title and whole text (WHOLE_DOCUMENT_WEIGHTS); a document the query does
        not match is left out. Passages split a document's words between them, so one that says all of what was asked,
        a part in each passage, lost to one whose single passage says more of it; summed over the whole text it does
        not (SciFact nDCG@10 0.7368 → 0.7418 on train queries, 0.7390 → 0.7413 on test, see docs/BENCHMARKS.md).
        An entry of the glossary file the query names ("MOLISA") counts once, by the best of its names in the
        document (the query's own words, or one of the names it was expanded with), so a document that only writes
        "Ministry of Labour, Invalids and Social Affairs" is scored for it too, and one that writes both is not
        scored twice. Acronyms learned from documents count by the query's own words alone: each was defined by one
        document, and over other documents' whole text its long form is a guess (SciFact, whose only expansions are
        learned acronyms: summed with them 0.7393 / 0.7361, the best of the names 0.7424 / 0.7399, without them
        0.7418 / 0.7413 on train / test). From FTS5 or, with a term matrix, from its matrix of documents: the same
        scores."""
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
            return self.store.document_scores(" OR ".join(quote(part) for part in parts), list(keys.values()), WHOLE_DOCUMENT_WEIGHTS)
        words = [documents.key(part) for part in parts]
        total = documents.scores([word for word in words if word is not None])
        for part, word in zip(parts, words):
            if word is None:
                self._document_phrases.add_to(total, part)
        wanted = np.array(list(keys.values()), dtype=np.int64)
        at, known = documents.positions(wanted)
        return {key: float(total[row]) for key, row, held in zip(wanted.tolist(), at.tolist(), known.tolist())
                if held and total[row] > 0.0}

    def rank_keyword_with_pairs(self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES) -> tuple[list[tuple[int, float]], bool]:
        """The keyword ranking with a Vietnamese query's syllable pairs fused in, and whether any passage matched a pair."""
        pairs = self.rank_syllable_pairs(plan, filters, limit)
        return _with_pairs(self.rank_keyword(plan, filters, limit), pairs, limit), bool(pairs)

    def rank_dense(self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES,
                   vector: np.ndarray | None = None) -> list[tuple[int, float]]:
        if vector is None:
            vector = self.embedder.embed_query(plan.dense_text)
        if not filters.active:
            return self.vectors.search(vector, limit)
        with self._lock:
            allowed = self._allowed(filters)
            selector = allowed.selector()
        return self.vectors.search(vector, limit, allowed.ids, selector)

    def _allowed(self, filters: Filters) -> "_Allowed":
        """What the filters allow in this generation, kept for the next searches with the same filters (a facet is
        clicked again and again); the caller holds the lock."""
        if filters not in self._allowed_ids:
            if len(self._allowed_ids) >= ALLOWED_KEPT:
                self._allowed_ids.pop(next(iter(self._allowed_ids)))  # the earliest asked
            self._allowed_ids[filters] = _Allowed(self.store.chunk_ids(filters))
        return self._allowed_ids[filters]

    def dense_scores_of_candidates(self, vector: np.ndarray, dense: list[tuple[int, float]],
                                   *keyword: list[tuple[int, float]]) -> tuple[list[tuple[int, float]], dict[int, str]]:
        """The cosine of every passage any ranker found, so that a keyword candidate outside the dense top list is
        fused with its real dense score instead of none; and the document of each, read with its vector."""
        candidates = list(dict.fromkeys([cid for cid, _ in dense] + [cid for ranking in keyword for cid, _ in ranking]))
        if not candidates:
            return [], {}
        with self._lock:
            ids, vectors, doc_ids = self.store.vectors_and_documents(candidates)
        scores = vectors @ np.asarray(vector, dtype=np.float32)
        return sorted(zip(ids.tolist(), scores.tolist()), key=lambda pair: (-pair[1], pair[0])), dict(zip(ids.tolist(), doc_ids))

    def _passage_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        with self._lock:
            return self.store.passage_texts(chunk_ids)

    def rank_references(self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES) -> list[tuple[int, float]]:
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

    # --- the search -------------------------------------------------------------------------------
    def search(self, query: str, mode: str = "hybrid", filters: Filters | None = None, k: int = 10, page: int = 1) -> SearchResult:
        started = time.perf_counter()
        if mode not in MODES:
            raise BadQueryError(f"unknown mode {mode!r} — use one of {', '.join(MODES)}")
        if k < 1 or k > 100 or page < 1:
            raise BadQueryError("k must be 1–100 and page at least 1")
        filters = filters or Filters()
        plan = plan_query(query, self.glossary)
        if not plan.terms and not plan.references:
            return SearchResult(query, mode, [], 0, page, k, expansions=plan.expansions)
        depth = max(CANDIDATES, k * page * 2)
        ranked = self._rank(plan, mode, filters, depth)
        with self._lock:
            rows = self.store.chunk_rows([chunk_id for chunk_id, _ in ranked])
        present = [cid for cid, _ in ranked if cid in rows]  # another process may have removed some since they were ranked
        texts = {cid: rows[cid].text for cid in present}
        ordered = drop_near_duplicates(present, texts, enough=(page + 1) * k + self.config.per_doc_cap * k)
        ordered = cap_per_document(ordered, {cid: rows[cid].doc_id for cid in rows}, self.config.per_doc_cap, window=k)
        scores = dict(ranked)
        window = ordered[(page - 1) * k : page * k]
        hits = [_hit(rank, rows[cid], texts[cid], scores[cid]) for rank, cid in enumerate(window, start=(page - 1) * k + 1)]
        took = (time.perf_counter() - started) * 1000
        return SearchResult(query, mode, hits, len(ordered), page, k, took, plan.expansions, facet_counts([rows[cid] for cid in ordered]))

    def _rank(self, plan: QueryPlan, mode: str, filters: Filters, depth: int) -> list[tuple[int, float]]:
        if mode == "dense":
            return self.rank_dense(plan, filters, depth)
        pairs = self.rank_syllable_pairs(plan, filters, depth)
        # Hybrid search ranks documents with the title weighing more (see below); where a Vietnamese query's syllable
        # pairs match, they decide instead.
        documents = mode == "hybrid" and not pairs
        rankings = self._bm25_rankings(plan.keyword_parts, plan.fts, filters, depth,
                                       documents=documents and not self.whole_documents)
        keyword = _with_pairs(rankings[0], pairs, depth)
        references = self.rank_references(plan, filters, depth)
        if mode == "keyword":
            return _merge_first(references, keyword)
        dense_weight = DENSE_WEIGHT_VIETNAMESE if pairs else DENSE_WEIGHT_SHORT if plan.keyword_like else DENSE_WEIGHT
        vector = self.embedder.embed_query(plan.dense_text)
        dense, doc_of = self.dense_scores_of_candidates(vector, self.rank_dense(plan, filters, depth, vector), keyword, *rankings[1:])
        fused = convex_fusion([(references, REFERENCE_WEIGHT), (keyword, 1.0 - dense_weight), (dense, dense_weight)])
        if documents:
            # Documents rank by their best passage with the title weighing more, and the passages of a document keep
            # their order: a title that matches the query lifts its document, and the passage that says what was asked
            # stays first in it rather than the shortest of the passages that carry the title. The keyword score is the
            # whole document's among many documents (_document_scores), else the passage's with DOCUMENT_WEIGHTS.
            if self.whole_documents:
                whole = self._document_scores(plan, sorted(set(doc_of.values())))
                by_keyword = sorted(((cid, whole.get(doc_id, 0.0)) for cid, doc_id in doc_of.items()), key=lambda pair: (-pair[1], pair[0]))
            else:
                by_keyword = rankings[1]
            by_document = convex_fusion([(references, REFERENCE_WEIGHT), (by_keyword, 1.0 - dense_weight), (dense, dense_weight)])
            fused = favour_word_pairs(fused, doc_of, WordPairs(content_pairs(plan.text)), WORD_PAIR_WEIGHT, self._passage_texts)
            fused = rank_documents_by(fused, by_document, doc_of)
        return fused[:depth]


class _Allowed:
    """The chunks some filters allow, with what the rankers make of them once: FAISS's selector and the term matrix's
    rows (at a million chunks about 20 and 12 ms each, every search)."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids
        self._selector = None
        self._rows: tuple[TermMatrix, np.ndarray] | None = None

    def selector(self):
        if self._selector is None:
            self._selector = VectorIndex.selector_for(self.ids)
        return self._selector

    def rows(self, matrix: TermMatrix) -> np.ndarray:
        if self._rows is None or self._rows[0] is not matrix:
            self._rows = (matrix, matrix.rows_of(self.ids))
        return self._rows[1]


def facet_counts(rows) -> dict[str, list[tuple[str, int]]]:
    """Passages per type, year, language, issuer and agency among all results, most frequent first."""
    counters: dict[str, Counter] = {name: Counter() for name in ("type", "year", "lang", "issuer", "agency")}
    for row in rows:
        counters["type"][row.doc_type] += 1
        counters["lang"][row.chunk_language or row.language] += 1
        if row.year:
            counters["year"][str(row.year)] += 1
        if row.issuer:
            counters["issuer"][row.issuer] += 1
        for agency in json.loads(row.agencies or "[]"):
            counters["agency"][agency] += 1
    return {name: sorted(counter.items(), key=lambda item: (-item[1], item[0])) for name, counter in counters.items()}


def _with_pairs(words: list[tuple[int, float]], pairs: list[tuple[int, float]], limit: int) -> list[tuple[int, float]]:
    """The keyword ranking with a Vietnamese query's syllable pairs fused in, if any passage matched one."""
    if not pairs:
        return words
    return convex_fusion([(words, 1.0 - SYLLABLE_PAIR_WEIGHT), (pairs, SYLLABLE_PAIR_WEIGHT)])[:limit]


def _merge_first(first: list[tuple[int, float]], rest: list[tuple[int, float]]) -> list[tuple[int, float]]:
    seen = {cid for cid, _ in first}
    return first + [pair for pair in rest if pair[0] not in seen]


def _hit(rank: int, row, text: str, score: float) -> SearchHit:
    return SearchHit(
        rank=rank,
        chunk_id=row.id,
        doc_id=row.doc_id,
        title=row.title,
        source=row.source,
        doc_type=row.doc_type,
        language=row.chunk_language or row.language,
        date=row.date,
        section=row.section,
        page=row.page,
        start=row.start,
        end=row.end,
        text=text,
        score=score,
        ocr=bool(row.ocr),
        ocr_confidence=row.ocr_confidence,
    )
