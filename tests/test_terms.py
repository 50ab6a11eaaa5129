"""The BM25 term matrix: the same rankings as FTS5's bm25(), phrases as FTS5 finds them, and its files kept in step
with the store by ingest (written from the threshold, one generation at a time, optional for readers)."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from policykb.bench.scale import query_embedder
from policykb.bench.synthetic import Vocabulary, benchmark_queries
from policykb.bench.synthetic_index import write_synthetic_index
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.query import expansion_phrases, plan_query, quote
from policykb.search.searcher import Searcher
from policykb.search.terms import PhraseScores, TermMatrix, terms_dir
from policykb.search.terms_files import load_terms, write_terms
from policykb.search.weights import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS
from policykb.store import Filters, Store

GLOSSARY = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Config:
    """3,000 synthetic policy passages with their term matrix, as ingest leaves a collection past the threshold."""
    config = Config.from_env(
        data_dir=tmp_path_factory.mktemp("terms") / "data", embedder="fake", term_matrix_threshold=1
    )
    write_synthetic_index(config, 3000, Vocabulary(DEFAULT_CORPUS_DIR, GLOSSARY))
    with Store(config.db_path) as store:
        assert write_terms(store, config.data_dir, 1, expansion_phrases(GLOSSARY.with_acronyms(store.all_acronyms())))
    return config


@pytest.fixture(scope="module")
def synthetic_searcher(synthetic: Config):
    searcher = Searcher(synthetic, query_embedder(synthetic))
    assert searcher.terms is not None
    yield searcher
    searcher.close()


def assert_same_ranking(ours: list[tuple[int, float]], fts5: list[tuple[int, float]]) -> None:
    """Same scores to the last digits of a double, and the same passages wherever the scores are not tied."""
    assert len(ours) == len(fts5)
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in fts5], rtol=1e-12)
    if fts5:
        kth = fts5[-1][1] * (1 + 1e-12)
        assert {i for i, s in ours if s > kth} == {i for i, s in fts5 if s > kth}
        assert [i for i, s in ours if s > kth][:10] == [i for i, s in fts5 if s > kth][:10] or len(
            {s for _, s in fts5[:10]}
        ) < 10


def fts5_ranking(
    store: Store, plan, filters: Filters, limit: int, weights: tuple[float, ...] = FTS_WEIGHTS
) -> list[tuple[int, float]]:
    """FTS5's own bm25() of each of the plan's keyword parts, added up, with each glossary entry the query names
    counted once, by the best of its names: the ranking BM25 must give, from the matrix or from FTS5."""
    remaining, entries = plan.entries(plan.keyword_parts)
    sql = f"SELECT rowid, -bm25(chunks_fts, {', '.join(map(str, weights))}) FROM chunks_fts WHERE chunks_fts MATCH ?"

    def summed(parts: list[str]) -> Counter:
        total = Counter()
        for part in parts:
            total.update(dict(store.conn.execute(sql, [quote(part)]).fetchall()))
        return total

    total = summed(remaining)
    for names in entries:
        best: dict[int, float] = {}
        for name in names:
            for row, score in summed(name).items():
                best[row] = max(best.get(row, 0.0), score)
        total.update(best)
    allowed = set(store.chunk_ids(filters).tolist()) if filters.active else None
    ranked = sorted(
        ((row, score) for row, score in total.items() if allowed is None or row in allowed),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return ranked[:limit]


@pytest.mark.parametrize(
    "filters", [Filters(), Filters(doc_type="decree"), Filters(year=2019)], ids=["all", "decrees", "2019"]
)
def test_keyword_rankings_from_the_matrix_equal_fts5_bm25(synthetic_searcher: Searcher, filters: Filters):
    """The passages' ranking, and hybrid search's pair of it and the ranking with the document weights."""
    vocab = Vocabulary(DEFAULT_CORPUS_DIR, GLOSSARY)
    compared = differ = with_entries = 0
    for _, query in benchmark_queries(80, vocab):
        plan = plan_query(query, synthetic_searcher.glossary)
        if plan.fts is None:
            continue
        store = synthetic_searcher.store
        fts5 = fts5_ranking(store, plan, filters, 100)
        assert_same_ranking(synthetic_searcher.rank_keyword(plan, filters, 100), fts5)
        entries = plan.entries(plan.keyword_parts)[1]
        ours = synthetic_searcher.bm25.passages_and_documents(plan.keyword_parts, plan.fts, filters, 100, entries)
        both = (fts5, fts5_ranking(store, plan, filters, 100, DOCUMENT_WEIGHTS))
        for mine, theirs in zip(ours, both, strict=True):
            assert_same_ranking(mine, theirs)
        without_entries = synthetic_searcher.bm25.passages_and_documents(plan.keyword_parts, plan.fts, filters, 100)
        summed = store.keyword_rankings(plan.fts, filters, 100, (FTS_WEIGHTS, DOCUMENT_WEIGHTS))
        for mine, theirs in zip(without_entries, summed, strict=True):
            assert_same_ranking(mine, theirs)
        compared += bool(fts5)
        with_entries += bool(entries)
        differ += ours[0] != ours[1]
    assert compared >= 30 and differ >= 10 and with_entries >= 10  # the title weighs differently in most rankings


def test_glossary_phrases_are_scored_from_the_matrix_and_others_by_fts5(synthetic_searcher: Searcher):
    matrix = synthetic_searcher.terms
    glossary_name = next(
        p for p in expansion_phrases(synthetic_searcher.glossary) if matrix.key(p) and " " in matrix.key(p)
    )
    assert matrix.key("social protection of the very poor") is None  # not a glossary name: FTS5 scores it
    for parts in (
        ["social", glossary_name],
        ["insurance", "social protection of the very poor", "coverage"],
        [glossary_name],
    ):
        match = " OR ".join(quote(part) for part in parts)
        ours = synthetic_searcher.bm25.passages_and_documents(parts, match, Filters(), 100)
        fts5 = synthetic_searcher.store.keyword_rankings(match, Filters(), 100, (FTS_WEIGHTS, DOCUMENT_WEIGHTS))
        for mine, theirs in zip(ours, fts5, strict=True):
            assert_same_ranking(mine, theirs)


def _fts_table(rows: list[tuple[str, str, str]]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE chunks_fts USING fts5(title, section, body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.executemany(
        "INSERT INTO chunks_fts (rowid, title, section, body) VALUES (?, ?, ?, ?)",
        [(i, *row) for i, row in enumerate(rows, start=1)],
    )
    conn.commit()  # FTS5 writes its totals when the transaction ends
    return conn


def test_phrase_postings_count_overlapping_instances_and_never_span_two_columns():
    rows = [
        ("levels of care", "care levels", "care care care levels of care"),  # "care care" twice, overlapping
        ("social care", "social", "care homes and social care"),  # "social care" in title and body; not section→body
        ("nothing here", "", "homes for the elderly"),
        ("", "", "social insurance"),
    ]
    conn = _fts_table(rows)
    phrases = ["care care", "social care", "levels of care", "homes and social"]
    matrix = TermMatrix.build(conn, phrases)
    for phrase in phrases:
        key = matrix.key(phrase)
        assert key is not None and " " in key
        ours = matrix.top(matrix.scores([key]), 10)
        sql = "SELECT rowid, -bm25(chunks_fts, 0.3, 1, 1) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY -s LIMIT 10"
        assert ours == conn.execute(sql, [quote(phrase)]).fetchall(), phrase


def test_phrase_scores_leave_out_rows_the_matrix_does_not_hold_and_keep_within_their_budget():
    matrix = TermMatrix.build(_fts_table([("a", "", "social care"), ("b", "", "social insurance")]))
    asked = []
    fetched = {
        "x y": (np.array([2, 7, 99]), np.array([1.0, 5.0, 5.0]), np.array([3.0, 6.0, 6.0])),
        "y z": (np.array([1]), np.array([2.0]), np.array([2.0])),
    }
    phrases = PhraseScores(matrix, lambda phrase: asked.append(phrase) or fetched[phrase], budget=1)
    total, with_document_weights = np.zeros(matrix.size), np.zeros(matrix.size)
    phrases.add_to(total, "x y")  # rowid 2 is row 1; 7 and 99 were written after the matrix
    phrases.add_to(total, "x y")
    phrases.add_to(with_document_weights, "x y", documents=True)
    assert total.tolist() == [0.0, 2.0] and with_document_weights.tolist() == [0.0, 3.0] and asked == ["x y"]
    phrases.add_to(total, "y z")  # over the budget of one posting: the older phrase goes
    phrases.add_to(total, "x y")
    assert asked == ["x y", "y z", "x y"] and phrases.size == 1


def test_vietnamese_syllable_pairs_rank_as_with_fts5(synthetic_searcher: Searcher):
    compared = 0
    for _kind, query in benchmark_queries(80, Vocabulary(DEFAULT_CORPUS_DIR, GLOSSARY)):
        plan = plan_query(query, synthetic_searcher.glossary)
        if plan.pairs_fts:
            for filters in (Filters(), Filters(doc_type="decree")):
                fts5 = synthetic_searcher.store.keyword_search(plan.pairs_fts, filters, 100, FTS_WEIGHTS)
                assert_same_ranking(synthetic_searcher.rank_syllable_pairs(plan, filters, 100), fts5)
                compared += bool(fts5)
    assert compared >= 10


def _fts5_document_scores(searcher: Searcher, words: list[str], doc_ids: list[str]) -> dict[str, float]:
    keys = searcher.store.document_keys(doc_ids)
    scores = searcher.store.document_scores(
        " OR ".join(quote(word) for word in dict.fromkeys(words)), list(keys.values()), WHOLE_DOCUMENT_WEIGHTS
    )
    return {doc_id: scores[key] for doc_id, key in keys.items() if key in scores}


def test_whole_document_scores_from_the_matrix_of_documents_equal_fts5_bm25(
    synthetic: Config, synthetic_searcher: Searcher, monkeypatch
):
    matrix = synthetic_searcher.terms.documents
    doc_ids = [row[0] for row in synthetic_searcher.store.conn.execute("SELECT id FROM documents")]
    assert matrix is not None and matrix.size == len(doc_ids) > 50
    monkeypatch.setattr("policykb.search.bm25.TERMS_LOOK_AGAIN_SECONDS", float("inf"))
    without = Searcher(synthetic, query_embedder(synthetic))
    without.bm25.terms = None  # FTS5 scores the documents
    compared = synonyms = 0
    try:
        for _, query in benchmark_queries(40, Vocabulary(DEFAULT_CORPUS_DIR, GLOSSARY)):
            plan = plan_query(query, synthetic_searcher.glossary)
            ours, fts5 = (
                synthetic_searcher.bm25.whole_documents(plan, doc_ids),
                without.bm25.whole_documents(plan, doc_ids),
            )
            assert ours.keys() == fts5.keys()
            np.testing.assert_allclose([ours[d] for d in fts5], list(fts5.values()), rtol=1e-12)
            compared += len(fts5) > 10
            synonyms += bool(plan.synonyms)
            if not plan.synonyms:
                assert fts5 == _fts5_document_scores(synthetic_searcher, plan.terms, doc_ids)
    finally:
        without.close()
    assert compared >= 20 and synonyms >= 5
    # A word FTS5 reads as two ("budget_annex") is a phrase the matrix has no postings for: FTS5 scores it.
    title = synthetic_searcher.store.conn.execute("SELECT title FROM documents LIMIT 1").fetchone()[0]
    title_words = title.lower().split()
    joined = next(
        f"{a}_{b}"
        for a, b in zip(title_words, title_words[1:])
        if a.isalpha() and b.isalpha() and min(len(a), len(b)) > 3
    )
    plan = plan_query(joined, synthetic_searcher.glossary)
    assert plan.terms == [joined] and matrix.key(joined) is None
    ours, fts5 = (
        synthetic_searcher.bm25.whole_documents(plan, doc_ids),
        _fts5_document_scores(synthetic_searcher, [joined], doc_ids),
    )
    assert fts5 and ours.keys() == fts5.keys()
    np.testing.assert_allclose([ours[d] for d in fts5], list(fts5.values()), rtol=1e-12)


def test_a_matrix_saved_without_whole_documents_is_built_again_with_them(synthetic: Config):
    with Store(synthetic.db_path) as store:
        folder = terms_dir(synthetic.data_dir, store.generation())
        shutil.rmtree(folder / "documents")
        assert load_terms(synthetic.data_dir, store.generation()).documents is None
        assert write_terms(store, synthetic.data_dir, 1).documents is not None
        assert load_terms(synthetic.data_dir, store.generation()).documents.size > 50


# --- files kept in step by ingest ---------------------------------------------------------------------
def _ingest(config: Config, corpus: Path) -> None:
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([corpus]).errors


def test_ingest_writes_the_matrix_of_each_generation_from_the_threshold_and_removes_the_old(
    fake_config: Config, corpus_copy: Path
):
    config = replace(fake_config, term_matrix_threshold=1)
    _ingest(config, corpus_copy)
    with Store(config.db_path, readonly=True) as store:
        first = terms_dir(config.data_dir, store.generation())
    assert first.is_dir() and [p.name for p in config.data_dir.glob("terms.*")] == [first.name]

    doc = next(corpus_copy.glob("*.txt"))
    doc.write_text(
        doc.read_text(encoding="utf-8") + "\n\nA new closing paragraph on cash transfers.\n", encoding="utf-8"
    )
    _ingest(config, corpus_copy)
    with Store(config.db_path, readonly=True) as store:
        second = terms_dir(config.data_dir, store.generation())
    assert second != first and [p.name for p in config.data_dir.glob("terms.*")] == [second.name]
    searcher = Searcher(config, FakeEmbedder())
    try:
        assert searcher.terms is not None
        plan = plan_query("cash transfers for poor households", searcher.glossary)
        assert_same_ranking(
            searcher.rank_keyword(plan, Filters(), 50), fts5_ranking(searcher.store, plan, Filters(), 50)
        )
    finally:
        searcher.close()

    with Indexer(replace(config, term_matrix_threshold=10**6), FakeEmbedder(), progress=False) as indexer:
        indexer.remove(str(doc))
    assert list(config.data_dir.glob("terms.*")) == []  # below the threshold: no matrix, none left behind


def test_a_searcher_without_a_readable_matrix_ranks_with_fts5_and_says_why(
    fake_config: Config, corpus_copy: Path, caplog
):
    config = replace(fake_config, term_matrix_threshold=1)
    _ingest(config, corpus_copy)
    with_matrix = Searcher(config, FakeEmbedder())
    folder = next(config.data_dir.glob("terms.*"))
    (folder / "terms.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        without = Searcher(config, FakeEmbedder())
    assert without.terms is None and "unreadable term matrix" in caplog.text
    assert not folder.exists() and list(config.data_dir.glob(folder.name + ".damaged-*"))  # set aside, read no more
    missing = Searcher(config, FakeEmbedder())
    try:
        assert missing.terms is None
        for query in ("social insurance coverage", "MOLISA", "Resolution 68/NQ-CP", "bảo hiểm xã hội"):
            assert (
                [h.chunk_id for h in with_matrix.search(query, "keyword").hits]
                == [h.chunk_id for h in without.search(query, "keyword").hits]
                == [h.chunk_id for h in missing.search(query, "keyword").hits]
            ), query
    finally:
        for searcher in (with_matrix, without, missing):
            searcher.close()


def test_a_searcher_that_opened_before_its_matrix_was_written_picks_it_up(fake_index: Config, monkeypatch):
    searcher = Searcher(fake_index, FakeEmbedder())
    try:
        assert searcher.terms is None  # the bundled corpus is far below the threshold
        with Store(fake_index.db_path) as store:
            assert write_terms(store, fake_index.data_dir, 1, expansion_phrases(GLOSSARY))
        monkeypatch.setattr("policykb.search.bm25.TERMS_LOOK_AGAIN_SECONDS", 0.0)
        plan = plan_query("social insurance for informal workers", searcher.glossary)
        assert_same_ranking(
            searcher.rank_keyword(plan, Filters(), 50), fts5_ranking(searcher.store, plan, Filters(), 50)
        )
        assert searcher.terms is not None
    finally:
        searcher.close()


def test_a_glossary_name_found_nowhere_is_answered_from_the_matrix_with_nothing():
    matrix = TermMatrix.build(
        _fts_table([("a", "", "social care homes"), ("b", "", "care for older people")]),
        ["older persons", "care homes"],
    )
    assert matrix.key("older persons") == "older person"  # held, with no postings: no FTS5 search for it
    assert not matrix.scores([matrix.key("older persons")]).any()
    assert matrix.scores([matrix.key("care homes")])[0] > 0


@pytest.mark.parametrize("weights", ["weights", "document_weights"])
def test_a_matrix_built_with_other_column_weights_is_not_used_and_ingest_builds_it_again(
    fake_config: Config, corpus_copy: Path, caplog, weights: str
):
    config = replace(fake_config, term_matrix_threshold=1)
    _ingest(config, corpus_copy)
    folder = next(config.data_dir.glob("terms.*"))
    info = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
    (folder / "terms.json").write_text(json.dumps({**info, weights: [1.0, 1.0, 1.0]}), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load_terms(config.data_dir, int(folder.name.split(".")[1])) is None
    assert f"column {weights}" in caplog.text
    with Store(config.db_path) as store:
        matrix = write_terms(store, config.data_dir, 1)
        assert (matrix.weights, matrix.document_weights) == (FTS_WEIGHTS, DOCUMENT_WEIGHTS)


def test_searches_with_the_same_filters_read_the_allowed_passages_once(
    synthetic: Config, synthetic_searcher: Searcher, monkeypatch
):
    searcher = Searcher(synthetic, query_embedder(synthetic))
    asked: list[Filters] = []
    chunk_ids = searcher.store.chunk_ids
    monkeypatch.setattr(searcher.store, "chunk_ids", lambda filters=None: asked.append(filters) or chunk_ids(filters))
    decrees, older = Filters(doc_type="decree"), Filters(year=2019)
    try:
        for filters in (decrees, decrees, older, decrees):
            hits = searcher.search("social insurance for informal workers", filters=filters, k=10).hits
            fresh = synthetic_searcher.search("social insurance for informal workers", filters=filters, k=10).hits
            assert [hit.chunk_id for hit in hits] == [hit.chunk_id for hit in fresh]
            assert hits and all(
                hit.doc_type == filters.doc_type if filters.doc_type else (hit.date or "").startswith("2019")
                for hit in hits
            )
    finally:
        searcher.close()
    assert asked == [decrees, older]


@pytest.mark.parametrize("matrix", [False, True], ids=["fts5", "term matrix"])
def test_a_passage_that_names_a_body_by_two_of_its_names_counts_it_once(fake_index: Config, matrix: bool):
    """ "MOLISA" is expanded with the ministry's full names: a passage that writes the acronym and the full name
    scores for the ministry by the better of the two, not their sum, as does one that writes only one of them."""
    if matrix:
        with Store(fake_index.db_path) as store:
            assert write_terms(store, fake_index.data_dir, 1, expansion_phrases(GLOSSARY))
    searcher = Searcher(fake_index, FakeEmbedder())
    try:
        assert (searcher.terms is not None) == matrix
        plan = searcher.plan("MOLISA partners")
        remaining, [names] = plan.entries(plan.keyword_parts)
        assert remaining == ["partners"] and names[0] == ["molisa"] and len(names) >= 2
        by_name = [
            dict(searcher.bm25.passages(name, " OR ".join(quote(part) for part in name), Filters(), 1000))
            for name in names
        ]
        partners = dict(searcher.bm25.passages(["partners"], quote("partners"), Filters(), 1000))
        ranked = dict(searcher.rank_keyword(plan, Filters(), 1000))
        named_twice = set(by_name[0]) & set().union(*by_name[1:])
        assert named_twice
        for row in set(ranked):
            best = max(scores.get(row, 0.0) for scores in by_name)
            assert ranked[row] == pytest.approx(best + partners.get(row, 0.0), rel=1e-9)
        assert all(
            ranked[row] - partners.get(row, 0.0) < sum(scores.get(row, 0.0) for scores in by_name)
            for row in named_twice
        )
    finally:
        searcher.close()


def test_the_phrase_finder_reads_each_token_once_within_its_budget_and_finds_the_same_beyond_it(monkeypatch):
    rows = [
        ("social care", "", "care homes and social care for the elderly"),
        ("social insurance", "", "social insurance for older people in care homes"),
        ("", "", "homes for the elderly"),
    ]
    phrases = ["social care", "care homes", "social insurance", "homes for the elderly", "social care homes"]
    distinct = {token for phrase in phrases for token in phrase.split()}

    def build() -> tuple[TermMatrix, int]:
        conn, reads = _fts_table(rows), []
        conn.set_trace_callback(lambda sql: reads.append(sql) if "<< 24" in sql else None)  # the finder's reads
        return TermMatrix.build(conn, phrases), len(reads)

    kept, reads_kept = build()
    monkeypatch.setattr("policykb.search.terms_build.PHRASE_TOKENS_KEPT", 0)
    unkept, reads_unkept = build()
    assert reads_kept == len(distinct) < reads_unkept
    for name in ("rowids", "indptr", "rows", "impacts", "doc_postings", "doc_impacts"):
        assert np.array_equal(getattr(kept, name), getattr(unkept, name)), name
    assert kept.term_id == unkept.term_id


def test_a_term_matrix_another_process_renamed_into_place_first_is_kept(tmp_path):
    from policykb.search.terms_files import write_folder

    target = tmp_path / "terms.7"

    def write(folder):
        (folder / "rows.npy").write_bytes(b"ours")
        target.mkdir()  # another process finishes the same generation first
        (target / "rows.npy").write_bytes(b"theirs")
        return "ours"

    assert write_folder(target, write) == "ours"
    assert (target / "rows.npy").read_bytes() == b"theirs" and [p.name for p in tmp_path.iterdir()] == ["terms.7"]
