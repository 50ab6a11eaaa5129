"""Searching the index: keyword (BM25), dense (FAISS) and hybrid fusion of the two, returning cited SearchHits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from policykb.citations import legal_citation
from policykb.config import Config
from policykb.errors import BadQueryError, EmbedderMismatchError, IndexNotReadyError
from policykb.glossary import Glossary, load_glossary
from policykb.models import SearchHit
from policykb.recent import LastAsked
from policykb.search.allowed import ALLOWED_KEPT, AllowedByFilters
from policykb.search.bm25 import Bm25Ranker, Ranking
from policykb.search.dense import DenseRanker
from policykb.search.embedder import Embedder, UsesEmbedder, embedder_name
from policykb.search.facets import facet_counts
from policykb.search.fusion import (
    WordPairs,
    cap_per_document,
    convex_fusion,
    drop_near_duplicates,
    favour_word_pairs,
    rank_documents_by,
)
from policykb.search.query import QueryPlan, content_pairs, expansion_phrases, plan_query
from policykb.search.terms import TermMatrix
from policykb.search.terms_files import restore_terms
from policykb.search.vectors import AnnSettings
from policykb.search.vectors_files import open_vectors
from policykb.search.weights import (
    CANDIDATES,
    DENSE_WEIGHT,
    DENSE_WEIGHT_ACROSS_LANGUAGES,
    DENSE_WEIGHT_SHORT,
    DENSE_WEIGHT_VIETNAMESE,
    REFERENCE_WEIGHT,
    SYLLABLE_PAIR_WEIGHT,
    WHOLE_DOCUMENTS_FROM,
    WORD_PAIR_WEIGHT,
)
from policykb.store import INIT_HINT, Filters, Store
from policykb.textnorm import looks_vietnamese

MODES = ("hybrid", "dense", "keyword")


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
            "facets": {
                name: [{"value": value, "count": count} for value, count in values]
                for name, values in self.facets.items()
            },
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
        self.vectors = open_vectors(
            self.store,
            config.data_dir,
            int(self.store.meta("dim") or 384),
            save=False,
            ann=AnnSettings.from_config(config),
        )
        self._lock = threading.Lock()  # one sqlite3 connection, shared by request threads
        allowed = AllowedByFilters(self.store)
        self.restoring: threading.Thread | None = None  # a term matrix being rebuilt
        self.bm25 = Bm25Ranker(self.store, self._lock, config.data_dir, self.generation, allowed, self._restore_terms)
        self.dense = DenseRanker(self.store, self._lock, self.vectors, allowed)
        self.whole_documents = self.store.has_document_terms and self.store.count_documents() >= WHOLE_DOCUMENTS_FROM
        self._own_glossary = load_glossary(config.glossary_path)
        self.glossary = self._own_glossary.with_acronyms(self.store.all_acronyms())
        self._glossaries: LastAsked[frozenset[str], Glossary] = LastAsked(ALLOWED_KEPT)  # collection sets asked last
        if self.bm25.terms_set_aside:
            self._restore_terms()

    def _restore_terms(self) -> None:
        """Rebuild the unreadable term matrix this searcher set aside, beside its searches (FTS5 ranks them meanwhile,
        with the same scores; the ranker looks for the new matrix every few seconds). A command that answers and ends,
        such as `policykb search`, waits for it (finish_restoring), which Ctrl-C still stops."""
        if self.restoring is not None and self.restoring.is_alive():
            return
        args = (self.config.db_path, self.config.data_dir, self.generation, expansion_phrases(self.glossary))
        self.restoring = threading.Thread(target=restore_terms, args=args, name="policykb-restore-terms", daemon=True)
        self.restoring.start()

    def finish_restoring(self) -> None:
        """Wait for a term matrix being rebuilt (_restore_terms), if any."""
        if self.restoring is not None:
            self.restoring.join()

    def _check_embedder(self, built_with: str | None) -> None:
        expected = self._embedder.name if self._embedder else embedder_name(self.config.embedder)
        if built_with and expected and built_with != expected:
            raise EmbedderMismatchError(
                f"the index at {self.config.data_dir} was built with {built_with}, not {expected} — "
                f"set POLICYKB_EMBEDDER to match, or rebuild: policykb reindex"
            )

    def close(self) -> None:
        self.store.close()

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """The store, for this thread alone while the block runs: its one sqlite3 connection serves every thread."""
        with self._lock:
            yield self.store

    def current_generation(self) -> int:
        """The store's generation now (another process may have ingested since this Searcher opened)."""
        with self.reading() as store:
            return store.generation()

    @property
    def terms(self) -> TermMatrix | None:
        """This generation's term matrix, or None while FTS5 ranks alone; looked for again as searches do, so that one
        written since (a rebuild) counts here without waiting for a search."""
        with self._lock:
            return self.bm25.term_matrix()

    def glossary_for(self, collections: frozenset[str] | None) -> Glossary:
        """The glossary with the acronyms learned from the documents of `collections` only (None: of every one): no
        query is expanded, nor an expansion shown, with what a document its asker may not read defines."""
        if collections is None:
            return self.glossary
        with self._lock:
            return self._glossaries.get_or_make(
                collections, lambda: self._own_glossary.with_acronyms(self.store.all_acronyms(collections))
            )

    def plan(self, query: str, collections: frozenset[str] | None = None) -> QueryPlan:
        """What the query means to each ranker, with this index's glossary and the acronyms learned from the
        documents of `collections` (None: of every one)."""
        return plan_query(query, self.glossary_for(collections))

    def embed_query(self, text: str) -> np.ndarray:
        """The query's vector (loads the embedder on first use)."""
        return self.embedder.embed_query(text)

    # --- the search -------------------------------------------------------------------------------
    def search(
        self, query: str, mode: str = "hybrid", filters: Filters | None = None, k: int = 10, page: int = 1
    ) -> SearchResult:
        """Page `page` of `k` cited passages for `query` in `mode` (one of MODES), with the facets of all results."""
        started = time.perf_counter()
        if mode not in MODES:
            raise BadQueryError(f"unknown mode {mode!r} — use one of {', '.join(MODES)}")
        if k < 1 or k > 100 or page < 1:
            raise BadQueryError("k must be 1–100 and page at least 1")
        filters = filters or Filters()
        plan = self.plan(query, filters.collections)
        if not plan.terms and not plan.references:
            return SearchResult(query, mode, [], 0, page, k, expansions=plan.expansions)
        depth = max(CANDIDATES, k * page * 2)
        ranked = self.rank(plan, mode, filters, depth)
        with self._lock:
            rows = self.store.chunk_rows([chunk_id for chunk_id, _ in ranked])
        present = [
            cid for cid, _ in ranked if cid in rows
        ]  # another process may have removed some since they were ranked
        texts = {cid: rows[cid].text for cid in present}
        ordered = drop_near_duplicates(present, texts, enough=(page + 1) * k + self.config.per_doc_cap * k)
        ordered = cap_per_document(ordered, {cid: rows[cid].doc_id for cid in rows}, self.config.per_doc_cap, window=k)
        scores = dict(ranked)
        window = ordered[(page - 1) * k : page * k]
        hits = [
            _hit(rank, rows[cid], texts[cid], scores[cid]) for rank, cid in enumerate(window, start=(page - 1) * k + 1)
        ]
        took = (time.perf_counter() - started) * 1000
        return SearchResult(
            query,
            mode,
            hits,
            len(ordered),
            page,
            k,
            took,
            plan.expansions,
            facet_counts([rows[cid] for cid in ordered]),
        )

    def rank(self, plan: QueryPlan, mode: str, filters: Filters, depth: int) -> Ranking:
        """At most `depth` passages for `plan` in `mode`, best first, as (chunk id, score): the ranking before
        near-duplicates are dropped and the passages of one document capped."""
        if mode not in self._RANKERS:
            raise BadQueryError(f"unknown mode {mode!r} — use one of {', '.join(MODES)}")
        return self._RANKERS[mode](self, plan, filters, depth)

    def _rank_keyword(self, plan: QueryPlan, filters: Filters, depth: int) -> Ranking:
        keyword, _ = self.rank_keyword_with_pairs(plan, filters, depth)
        return _merge_first(self.rank_references(plan, filters, depth), keyword)

    def _rank_dense(self, plan: QueryPlan, filters: Filters, depth: int) -> Ranking:
        return self.rank_dense(plan, filters, depth)

    def _rank_hybrid(self, plan: QueryPlan, filters: Filters, depth: int) -> Ranking:
        """BM25 and the embedder fused by convex combination; documents then ranked with the title weighing more."""
        pairs = self.rank_syllable_pairs(plan, filters, depth)
        # Where a Vietnamese query's syllable pairs match, they decide rather than the document ranking.
        by_documents = not pairs
        if by_documents and not self.whole_documents:
            passages, weighted = self.bm25.passages_and_documents(
                plan.keyword_parts, plan.fts, filters, depth, plan.entries(plan.keyword_parts)[1]
            )
        else:
            passages, weighted = self.rank_keyword(plan, filters, depth), []
        keyword = _with_pairs(passages, pairs, depth)
        references = self.rank_references(plan, filters, depth)
        dense_weight = DENSE_WEIGHT_VIETNAMESE if pairs else DENSE_WEIGHT_SHORT if plan.keyword_like else DENSE_WEIGHT
        vector = self.embed_query(plan.dense_text)
        dense, doc_of = self.dense.scores_of_candidates(
            vector, self.rank_dense(plan, filters, depth, vector), keyword, weighted
        )
        dense_parts = self._by_language(plan, dense, dense_weight)
        fused = convex_fusion([(references, REFERENCE_WEIGHT), (keyword, 1.0 - dense_weight), *dense_parts])
        if by_documents:
            by_keyword = self._whole_document_ranking(plan, doc_of) if self.whole_documents else weighted
            by_document = convex_fusion(
                [(references, REFERENCE_WEIGHT), (by_keyword, 1.0 - dense_weight), *dense_parts]
            )
            fused = self._rank_documents(plan, fused, by_document, doc_of)
        return fused[:depth]

    def _by_language(self, plan: QueryPlan, dense: Ranking, dense_weight: float) -> list[tuple[Ranking, float]]:
        """The dense ranking with its weight in the fusion, split where passages are in the other language than the
        query's: those get DENSE_WEIGHT_ACROSS_LANGUAGES (an English question over a Vietnamese law is matched by the
        glossary's Vietnamese names, not by the English-only embedder)."""
        if not dense or dense_weight <= DENSE_WEIGHT_ACROSS_LANGUAGES:
            return [(dense, dense_weight)]
        vietnamese = looks_vietnamese(plan.text)
        with self.reading() as store:
            languages = store.passage_languages([cid for cid, _ in dense])
        across = [(cid, score) for cid, score in dense if cid in languages and (languages[cid] == "vi") != vietnamese]
        if not across:
            return [(dense, dense_weight)]
        crossing = {cid for cid, _ in across}
        same = [(cid, score) for cid, score in dense if cid not in crossing]
        return [(same, dense_weight), (across, DENSE_WEIGHT_ACROSS_LANGUAGES)]

    def _whole_document_ranking(self, plan: QueryPlan, doc_of: dict[int, str]) -> Ranking:
        """Every candidate passage scored by its whole document's BM25 (Bm25Ranker.whole_documents)."""
        whole = self.bm25.whole_documents(plan, sorted(set(doc_of.values())))
        return sorted(
            ((cid, whole.get(doc_id, 0.0)) for cid, doc_id in doc_of.items()), key=lambda pair: (-pair[1], pair[0])
        )

    def _rank_documents(self, plan: QueryPlan, fused: Ranking, by_document: Ranking, doc_of: dict[int, str]) -> Ranking:
        """Documents rank by their best passage in `by_document`, whose keyword score weighs the title more, and the
        passages of a document keep their order in `fused`: a title that matches the query lifts its document, and the
        passage that says what was asked stays first in it rather than the shortest of the passages that carry the
        title. The keyword score is the whole document's among many documents (Bm25Ranker.whole_documents), else the
        passage's with DOCUMENT_WEIGHTS."""
        fused = favour_word_pairs(
            fused, doc_of, WordPairs(content_pairs(plan.text)), WORD_PAIR_WEIGHT, self._passage_texts
        )
        return rank_documents_by(fused, by_document, doc_of)

    def _passage_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        with self.reading() as store:
            return store.passage_texts(chunk_ids)

    _RANKERS: ClassVar[dict[str, Callable[..., Ranking]]] = {
        "hybrid": _rank_hybrid,
        "dense": _rank_dense,
        "keyword": _rank_keyword,
    }

    # --- the rankers, each on its own -------------------------------------------------------------
    def rank_keyword(self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES) -> Ranking:
        """BM25 over the query's words and the glossary names it was expanded with."""
        return self.bm25.passages(plan.keyword_parts, plan.fts, filters, limit, plan.entries(plan.keyword_parts)[1])

    def rank_syllable_pairs(self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES) -> Ranking:
        """BM25 over a Vietnamese query's syllable pairs, each a phrase: "bảo hiểm" is one word, "bảo … hiểm" is not."""
        return self.bm25.passages(plan.pairs, plan.pairs_fts, filters, limit)

    def rank_keyword_with_pairs(
        self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES
    ) -> tuple[Ranking, bool]:
        """The keyword ranking with a Vietnamese query's syllable pairs fused in, and whether any passage matched a pair."""
        pairs = self.rank_syllable_pairs(plan, filters, limit)
        return _with_pairs(self.rank_keyword(plan, filters, limit), pairs, limit), bool(pairs)

    def rank_references(self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES) -> Ranking:
        """Passages of documents that cite the document number asked for, the citing passages first."""
        return self.bm25.references(plan, filters, limit)

    def rank_dense(
        self, plan: QueryPlan, filters: Filters, limit: int = CANDIDATES, vector: np.ndarray | None = None
    ) -> Ranking:
        """The passages nearest the query's meaning (`vector`, or the query's own)."""
        return self.dense.rank(self.embed_query(plan.dense_text) if vector is None else vector, filters, limit)


def _with_pairs(words: Ranking, pairs: Ranking, limit: int) -> Ranking:
    """The keyword ranking with a Vietnamese query's syllable pairs fused in, if any passage matched one."""
    if not pairs:
        return words
    return convex_fusion([(words, 1.0 - SYLLABLE_PAIR_WEIGHT), (pairs, SYLLABLE_PAIR_WEIGHT)])[:limit]


def _merge_first(first: Ranking, rest: Ranking) -> Ranking:
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
        legal_citation=legal_citation(row.section, row.title, row.doc_type, row.date),
        collection=row.collection,
    )
