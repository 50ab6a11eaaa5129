"""Search behaviour over the bundled corpus with the fake embedder: citations, numbers, acronyms, filters."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from policykb.errors import BadQueryError
from policykb.glossary import NO_GLOSSARY
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.fusion import (
    WordPairs,
    cap_per_document,
    drop_near_duplicates,
    favour_word_pairs,
    rank_documents_by,
    weighted_rrf,
)
from policykb.search.query import content_pairs, plan_query, quote
from policykb.search.searcher import Searcher
from policykb.search.weights import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS
from policykb.store import Filters, Store
from policykb.textnorm import fold_lower

RESOLUTION_DOC = "004_6608ed9db748e12c"


def _assert_citations_match(searcher, hits):
    for hit in hits:
        text = searcher.store.get_document(hit.doc_id).text
        assert hit.text == text[hit.start : hit.end]


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "dense"])
def test_every_hit_text_is_the_exact_slice_of_its_document(fake_searcher, mode):
    for query in ("partnership group", "social insurance for farmers", "Chủ trì", "68/NQ-CP"):
        result = fake_searcher.search(query, mode=mode, k=20)
        _assert_citations_match(fake_searcher, result.hits)


@pytest.mark.parametrize("query", ["68/NQ-CP", "Resolution 68", "NQ 68", "42-NQ/TW", "nghị quyết 68"])
@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
def test_document_numbers_find_the_resolution_first(fake_searcher, query, mode):
    hits = fake_searcher.search(query, mode=mode).hits
    assert hits[0].doc_id == RESOLUTION_DOC
    assert "68/NQ-CP" in hits[0].text or "42-NQ/TW" in hits[0].text


def test_diacritics_are_folded_so_unaccented_queries_match_vietnamese_text(fake_config, fake_indexer, tmp_path):
    path = tmp_path / "vi.txt"
    path.write_text(
        "Nghị quyết\n\nBộ Lao động - Thương binh và Xã hội chủ trì, phối hợp với Bộ Tài chính. Thời hạn hoàn thành: 2025.",
        encoding="utf-8",
    )
    fake_indexer.ingest([path])
    from test_index import FakeEmbedder

    from policykb.search.searcher import Searcher

    searcher = Searcher(fake_config, FakeEmbedder())
    for query in ("chu tri", "chủ trì", "CHU TRI", "thoi han hoan thanh", "Bo Tai chinh"):
        hits = searcher.search(query, mode="keyword").hits
        assert hits and "chủ trì" in hits[0].text, query


def test_acronym_query_matches_the_full_name_and_the_reverse(fake_searcher):
    hits = fake_searcher.search("MOLISA", mode="keyword", k=30).hits
    assert any("Ministry of Labour, Invalids and Social Affairs" in h.text and "MOLISA" not in h.text for h in hits)
    hits = fake_searcher.search("Ministry of Labour, Invalids and Social Affairs", mode="keyword", k=30).hits
    assert any("MoLISA" in h.text or "MOLISA" in h.text for h in hits)


def test_acronyms_learned_from_the_corpus_expand_queries(fake_searcher):
    plan = plan_query("what did JPG do", fake_searcher.glossary)
    assert "joint programming group" in (plan.fts or "")
    plan = plan_query("MPSAR action plan", fake_searcher.glossary)
    assert "master plan of social assistance reform" in (plan.fts or "")


def test_vietnamese_query_is_expanded_to_english_terms(fake_searcher):
    plan = plan_query("bảo hiểm thất nghiệp", fake_searcher.glossary)
    assert "unemployment insurance" in plan.dense_text
    hits = fake_searcher.search("bao hiem that nghiep", mode="keyword").hits
    assert hits and "unemployment insurance" in hits[0].text.lower()


def test_fts_queries_are_always_quoted_so_user_syntax_is_harmless(fake_searcher):
    for query in ("NEAR(a b)", 'social" OR x', "title:foo", "a AND NOT b*", "^x", '"""'):
        fake_searcher.search(query, mode="keyword")  # must not raise an FTS5 syntax error
    assert quote('say "hi"') == '"say ""hi"""'


def test_filters_narrow_every_mode(fake_searcher):
    for mode in ("hybrid", "keyword", "dense"):
        hits = fake_searcher.search("social protection", mode=mode, filters=Filters(doc_type="news"), k=20).hits
        assert hits and {h.doc_type for h in hits} == {"news"}
        hits = fake_searcher.search(
            "social protection", mode=mode, filters=Filters(doc_id="003_64fe6cf54000ffa1"), k=20
        ).hits
        assert hits and {h.doc_id for h in hits} == {"003_64fe6cf54000ffa1"}
        assert (
            fake_searcher.search("social protection", mode=mode, filters=Filters(year=2024), k=20).hits[0].doc_id
            == RESOLUTION_DOC
        )
        assert not fake_searcher.search("social protection", mode=mode, filters=Filters(language="vi")).hits


def test_at_most_three_passages_per_document_in_the_top_ten(fake_searcher):
    hits = fake_searcher.search("Ministry of Labour, Invalids and Social Affairs partnership strategy", k=10).hits
    per_doc = {}
    for hit in hits:
        per_doc[hit.doc_id] = per_doc.get(hit.doc_id, 0) + 1
    assert max(per_doc.values()) <= 3
    page_two = fake_searcher.search(
        "Ministry of Labour, Invalids and Social Affairs partnership strategy", k=10, page=2
    ).hits
    assert {h.chunk_id for h in hits}.isdisjoint({h.chunk_id for h in page_two})


def test_bad_mode_and_paging_are_refused(fake_searcher):
    with pytest.raises(BadQueryError, match="unknown mode"):
        fake_searcher.search("x", mode="magic")
    with pytest.raises(BadQueryError):
        fake_searcher.search("x", k=0)


def test_empty_and_stopword_only_queries_return_no_hits(fake_searcher):
    assert fake_searcher.search("   ").hits == []
    assert fake_searcher.search("!!!").hits == []


def test_weighted_rrf_rewards_agreement_and_weight():
    fused = weighted_rrf([([1, 2, 3], 1.0), ([3, 2, 4], 1.0)])
    assert [item for item, _ in fused] == [3, 2, 1, 4]
    assert weighted_rrf([([1], 1.0), ([2], 3.0)])[0][0] == 2


def test_near_duplicate_passages_are_shown_once():
    texts = {
        1: "The partnership group will assist MOLISA in coordinating the Strategy.",
        2: "The partnership group will assist MOLISA in coordinating the Strategy .",
        3: "Something else entirely about disasters.",
    }
    assert drop_near_duplicates([1, 2, 3], texts) == [1, 3]


def test_cap_per_document_defers_extra_passages_after_the_window():
    doc_of = {1: "a", 2: "a", 3: "a", 4: "a", 5: "b"}
    assert cap_per_document([1, 2, 3, 4, 5], doc_of, cap=3, window=4) == [1, 2, 3, 5, 4]


def test_rank_documents_by_orders_documents_by_one_score_and_each_documents_passages_by_the_other():
    doc_of = {1: "a", 2: "a", 3: "b", 4: "b", 5: "c"}
    passages = [(3, 0.9), (1, 0.8), (4, 0.5), (2, 0.4)]  # 5 is ranked only for documents; 6 has no document
    documents = [(2, 1.0), (3, 0.9), (5, 0.95), (1, 0.6)]
    moved = rank_documents_by(passages + [(6, 0.85)], documents, doc_of)
    assert [item for item, _ in moved] == [1, 3, 6, 2, 4]  # a (best 1.0) before b (0.9); 1 before 2 within a
    assert dict(moved)[1] == pytest.approx(0.8 + 1.0 - 0.8) and dict(moved)[6] == 0.85


def test_word_pairs_are_found_as_written_next_to_each_other():
    pairs = WordPairs(
        content_pairs("Who chairs the UN Joint Programming Group?")
    )  # "who chairs", "chairs the": stopwords
    assert pairs.size == 3  # "un joint", "joint programming", "programming group"
    assert pairs.share(fold_lower("The UN Joint  Programming Group met.")) == 1.0
    assert pairs.share(fold_lower("the UN joint programming team, and the group")) == pytest.approx(2 / 3)
    assert pairs.share(fold_lower("joint. Programming; group, UN")) == 0.0  # not across punctuation
    assert pairs.share(fold_lower("disjoint programming groups")) == 0.0  # whole words only
    assert WordPairs([]).share("anything") == 0.0


def test_passages_that_contend_for_their_documents_first_place_are_ordered_by_the_query_pairs_they_hold():
    doc_of = {1: "a", 2: "a", 3: "a", 4: "b", 5: "c", 6: "c"}
    texts = {
        1: "joint advocacy on social protection",
        2: "the UN Social Protection Joint Programming Group",
        3: "Joint Programming Group members",
        4: "Joint Programming Group",
        5: "a note",
        6: "the Joint Programming Group",
    }
    read: list[int] = []

    def texts_of(ids):
        read.extend(ids)
        return {item: texts[item] for item in ids}

    passages = [(1, 1.0), (4, 0.98), (2, 0.96), (5, 0.6), (3, 0.5), (6, 0.3)]
    favoured = favour_word_pairs(passages, doc_of, WordPairs(content_pairs("joint programming group")), 0.075, texts_of)
    assert [item for item, _ in favoured][:3] == [2, 1, 4]  # 2 holds both pairs and was within 0.075 of 1
    assert dict(favoured)[2] == pytest.approx(0.96 + 0.075) and dict(favoured)[3] == 0.5
    # 3 and 6 are too far below their documents' best to lead them, 4 is its document's only contender: none is read
    assert sorted(read) == [1, 2]


class _NoMeaning(FakeEmbedder):
    """Every query vector is zero, so that only BM25 decides."""

    def embed_query(self, text: str) -> np.ndarray:
        return np.zeros(self.dim, dtype=np.float32)


def test_hybrid_ranks_a_document_whose_title_matches_first_with_its_passage_that_says_it(fake_config, tmp_path):
    filler = (
        "The ministry reported on staffing, budgets and the schedule of provincial visits for the coming quarter, "
        "and the working group agreed to circulate the revised annex before the next plenary session. "
    )
    files = tmp_path / "files"
    files.mkdir()

    def write(name: str, title: str, paragraphs: list[str]) -> None:
        (files / f"{name}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
        (files / f"{name}.txt.meta.json").write_text(json.dumps({"title": title}), encoding="utf-8")

    write(
        "reform",
        "Social pension reform",
        [
            filler * 3
            + "The social pension is paid to everyone over eighty without a contributory pension. "
            + filler * 3,
            "Annex tables follow. " + filler * 3,
            "Contacts and addresses. " + filler * 3,
        ],
    )
    write(
        "minutes",
        "Minutes of the March meeting",
        [
            filler * 2
            + "Members asked how the social pension would be financed, and whether the social pension should rise. "
            + filler,
            "Other business. " + filler * 3,
        ],
    )
    for topic in (
        "water",
        "roads",
        "schools",
        "clinics",
        "forests",
        "ports",
        "rice",
        "power",
    ):  # words common elsewhere
        write(topic, f"Notes on {topic}", [f"Plans for {topic}. " + filler * 3])
    config = replace(fake_config, glossary_path=NO_GLOSSARY)  # the ranking alone: no names to expand the query with
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([files]).errors
    searcher = Searcher(config, _NoMeaning())
    try:
        plan = plan_query("social pension", searcher.glossary)
        passages, documents = searcher.bm25.passages_and_documents(plan.keyword_parts, plan.fts, Filters(), 100)
        doc_of = {cid: row.doc_id for cid, row in searcher.store.chunk_rows([cid for cid, _ in passages]).items()}
        # BM25 alone puts the minutes first; with the title weighing more, the reform's short annex passages, which
        # only carry the title, outrank its passage that says what was asked.
        assert doc_of[passages[0][0]] == "minutes"
        assert "Annex tables" in searcher.store.chunk_rows([documents[0][0]])[documents[0][0]].text
        hits = searcher.search("social pension", mode="hybrid").hits
        assert [hit.doc_id for hit in hits[:2]] == ["reform", "minutes"]
        assert "social pension is paid" in hits[0].text
        assert searcher.search("social pension", mode="keyword").hits[0].doc_id == "minutes"
    finally:
        searcher.close()


@pytest.mark.parametrize("filters", [Filters(), Filters(language="en")])
def test_keyword_rankings_with_two_weightings_equal_a_keyword_search_with_each(fake_searcher, filters):
    store = fake_searcher.store
    for query in ("social protection resolution partnership", "Joint Programming Group", "bảo hiểm xã hội"):
        match = plan_query(query, fake_searcher.glossary).fts
        both = store.keyword_rankings(match, filters, 15, (FTS_WEIGHTS, DOCUMENT_WEIGHTS))
        assert both == [
            store.keyword_search(match, filters, 15, FTS_WEIGHTS),
            store.keyword_search(match, filters, 15, DOCUMENT_WEIGHTS),
        ]
        assert both[0] and both[0] != both[1]
    assert (
        len(
            store.keyword_search(plan_query("social protection", fake_searcher.glossary).fts, filters, 100, FTS_WEIGHTS)
        )
        > 15
    )


def test_fold_lower_removes_vietnamese_marks_including_d_stroke():
    assert fold_lower("Bộ Lao động - Thương binh và Xã hội ĐIỀU") == "bo lao dong - thuong binh va xa hoi dieu"


def test_hybrid_gives_keyword_candidates_outside_the_dense_list_their_real_dense_score(fake_searcher):
    plan = plan_query("partnership group social protection", fake_searcher.glossary)
    vector = fake_searcher.embedder.embed_query(plan.dense_text)
    dense = fake_searcher.rank_dense(plan, Filters(), 1, vector)
    keyword = fake_searcher.rank_keyword(plan, Filters(), 20)
    outside = [cid for cid, _ in keyword if cid != dense[0][0]]
    scored, doc_of = fake_searcher.dense.scores_of_candidates(vector, dense, keyword)
    scored = dict(scored)
    assert set(scored) == set(doc_of) == {cid for cid, _ in keyword} | {dense[0][0]}
    assert doc_of == {cid: row.doc_id for cid, row in fake_searcher.store.chunk_rows(list(scored)).items()}
    ids, vectors = fake_searcher.store.vectors_for_ids(outside)
    for cid, row in zip(ids.tolist(), vectors):
        assert scored[cid] == pytest.approx(float(row @ vector), abs=1e-5)
    assert scored[dense[0][0]] == pytest.approx(dense[0][1], abs=1e-5)


def test_a_passage_whose_document_is_removed_mid_search_is_left_out_rather_than_shown_without_its_text(
    fake_searcher, monkeypatch
):
    ranked = fake_searcher.rank(plan_query("social insurance", fake_searcher.glossary), "keyword", Filters(), 20)
    gone = fake_searcher.store.chunk_rows([ranked[0][0]])[ranked[0][0]].doc_id
    with Store(fake_searcher.config.db_path) as writer:  # another process removes the document after ranking
        writer.delete_document(gone)
    monkeypatch.setattr(fake_searcher, "rank", lambda *args: ranked)
    hits = fake_searcher.search("social insurance", mode="keyword", k=20).hits
    assert hits and all(hit.doc_id != gone and hit.text for hit in hits)
    assert len(hits) < len(ranked)


@pytest.mark.parametrize("filters", [Filters(), Filters(language="en")])
def test_keyword_search_in_some_documents_scores_their_passages_as_a_search_over_all_does(fake_searcher, filters):
    store = fake_searcher.store
    match = plan_query("social protection resolution partnership", fake_searcher.glossary).fts
    everywhere = store.keyword_search(match, filters, 1000, FTS_WEIGHTS)
    doc_of = {cid: row.doc_id for cid, row in store.chunk_rows([cid for cid, _ in everywhere]).items()}
    some = sorted(set(doc_of.values()))[:2]
    inside = store.keyword_search(match, filters, 1000, FTS_WEIGHTS, doc_ids=some)
    assert 0 < len(inside) < len(everywhere)
    assert dict(inside) == {cid: score for cid, score in everywhere if doc_of[cid] in some}
    assert [score for _, score in inside] == sorted((score for _, score in inside), reverse=True)


@pytest.mark.parametrize("filters", [Filters(), Filters(language="en")])
def test_keyword_search_in_some_documents_reads_the_matches_once_rather_than_once_per_passage(fake_searcher, filters):
    store = fake_searcher.store
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        store.keyword_search('"social protection"', filters, 10, FTS_WEIGHTS, doc_ids=["a", "b"])
    finally:
        store.conn.set_trace_callback(None)
    (statement,) = [sql for sql in statements if "chunks_fts MATCH" in sql]
    plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + statement)]
    (fts_scan,) = [step for step in plan if "chunks_fts VIRTUAL TABLE" in step]
    # FTS5's index string: "M" a MATCH, "=" a rowid constraint, which runs the phrase query again for each passage.
    assert "M" in fts_scan.split(":")[-1] and "=" not in fts_scan.split(":")[-1], plan


def test_among_enough_documents_hybrid_ranks_them_by_their_whole_text(fake_index, monkeypatch):
    few = Searcher(fake_index, FakeEmbedder())
    monkeypatch.setattr("policykb.search.searcher.WHOLE_DOCUMENTS_FROM", 5)  # the bundled corpus has five
    many = Searcher(fake_index, FakeEmbedder())
    try:
        assert not few.whole_documents and many.whole_documents
        plan = plan_query("income of people in upland villages", many.glossary)
        assert not plan.synonyms  # no glossary entry: the query's words alone
        keys = many.store.document_keys([row[0] for row in many.store.conn.execute("SELECT id FROM documents")])
        match = " OR ".join(quote(term) for term in plan.terms)
        by_key = many.store.document_scores(match, list(keys.values()), WHOLE_DOCUMENT_WEIGHTS)
        assert many.bm25.whole_documents(plan, list(keys)) == {
            doc_id: by_key[key] for doc_id, key in keys.items() if key in by_key
        }
        assert len(by_key) >= 3
        query = "social insurance for farmers"

        monkeypatch.setattr(few.bm25, "whole_documents", lambda *args: pytest.fail("whole documents among five"))
        usual = list(dict.fromkeys(hit.doc_id for hit in few.search(query, k=20).hits))
        assert len(usual) == 5
        monkeypatch.setattr(many.bm25, "whole_documents", lambda plan, doc_ids: {usual[-1]: 1.0})
        assert many.search(query).hits[0].doc_id == usual[-1]
    finally:
        few.close()
        many.close()


def test_whole_documents_count_a_glossary_entry_by_its_best_name_and_a_learned_acronym_by_the_query_words(
    fake_config, tmp_path, monkeypatch
):
    files = tmp_path / "files"
    files.mkdir()
    for name, text in {
        "fullname": "The Ministry of Labour, Invalids and Social Affairs drafted the decree on social assistance.",
        "acronym": "MOLISA drafted the decree on social assistance.",
        "both": "MOLISA, the Ministry of Labour, Invalids and Social Affairs, drafted the decree.",
        "scheme": "The Rural Cash Transfer Scheme (RCTS) pays poor households every month.",
        "longform": "The rural cash transfer scheme was reviewed by the province.",
        "roads": "Notes on roads and bridges in the northern provinces.",
    }.items():
        (files / f"{name}.txt").write_text(text, encoding="utf-8")
    with Indexer(fake_config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([files]).errors
    monkeypatch.setattr("policykb.search.searcher.WHOLE_DOCUMENTS_FROM", 1)
    searcher = Searcher(fake_config, FakeEmbedder())
    try:
        store, doc_ids = searcher.store, [row[0] for row in searcher.store.conn.execute("SELECT id FROM documents")]
        keys = store.document_keys(doc_ids)
        scores = searcher.bm25.whole_documents(plan_query("MOLISA", searcher.glossary), doc_ids)
        assert scores.keys() == {"fullname", "acronym", "both"}
        by_name = [
            store.document_scores(quote(name), [keys["both"]], WHOLE_DOCUMENT_WEIGHTS)[keys["both"]]
            for name in ("molisa", "ministry of labour invalids and social affairs")
        ]
        assert scores["both"] == pytest.approx(max(by_name)) and scores["both"] < sum(by_name) * 0.99

        plan = plan_query("RCTS", searcher.glossary)
        assert "rural cash transfer scheme" in plan.keyword_parts  # passages are still ranked with the long form
        assert searcher.bm25.whole_documents(plan, doc_ids).keys() == {"scheme"}
    finally:
        searcher.close()
