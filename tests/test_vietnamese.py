"""Vietnamese retrieval: syllable pairs, telling Vietnamese queries apart, and ALQAC 2023 law articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import testdata as shared_testdata

from policykb.config import Config
from policykb.eval.retrieval import evaluate_alqac
from policykb.glossary import Glossary
from policykb.search.embedder import FakeEmbedder
from policykb.search.query import plan_query
from policykb.search.searcher import Searcher
from policykb.store import Filters
from policykb.textnorm import looks_vietnamese, syllable_bigrams


def test_syllable_pairs_are_folded_and_never_cross_punctuation():
    assert syllable_bigrams("Bảo hiểm xã hội, chính sách; Người có công.") == [
        "bao hiem",
        "hiem xa",
        "xa hoi",
        "chinh sach",
        "nguoi co",
        "co cong",
    ]
    assert syllable_bigrams("ĐĂNG KÝ thường trú") == ["dang ky", "ky thuong", "thuong tru"]
    assert syllable_bigrams("bảo hiểm và bảo hiểm") == ["bao hiem", "hiem va", "va bao"]  # each pair once
    assert syllable_bigrams("một") == [] and syllable_bigrams("") == []


def test_english_text_gives_word_pairs_too_but_english_queries_do_not_use_them():
    assert syllable_bigrams("social pension, older people") == ["social pension", "older people"]
    assert plan_query("social pension for older people", Glossary([])).pairs_fts is None


@pytest.mark.parametrize(
    "query",
    [
        "bảo hiểm xã hội",
        "bao hiem xa hoi tu nguyen",
        "Người có công",
        "giam ngheo 2025",
        "dang ky thuong tru cho cong dan o noi c",
    ],
)
def test_vietnamese_queries_are_recognised_with_or_without_diacritics(query):
    assert looks_vietnamese(query)
    assert plan_query(query, Glossary([])).pairs_fts


@pytest.mark.parametrize(
    "query",
    [
        "social pension",
        "unemployment insurance for workers",
        "68/NQ-CP",
        "MOLISA",
        "pension",
        "Which agency leads the partnership group?",
    ],
)
def test_english_queries_and_numbers_are_not_taken_for_vietnamese(query):
    assert not looks_vietnamese(query)


# The scattered document has every syllable of the query more often; only the target has them side by side.
TARGET = "Người lao động tham gia bảo hiểm xã hội tự nguyện được hưởng lương hưu."
SCATTERED = (
    "Xã bảo vệ hội viên. Hội nghị tự quản. Nguyện vọng của xã. Hiểm họa ở xã. Bảo đảm hội họp tự do. Nơi hiểm trở."
)
OTHERS = [
    "Chính sách giáo dục phổ thông miễn học phí cho học sinh.",
    "Quy định về đăng ký thường trú của công dân.",
    "Trợ cấp thất nghiệp cho lao động mất việc làm.",
    "Phòng, chống ma túy trong trường học.",
    "Bảo vệ môi trường và tài nguyên nước.",
    "Luật Du lịch quy định dịch vụ lưu trú.",
]


@pytest.fixture
def pair_searcher(fake_config: Config, fake_indexer, tmp_path: Path):
    folder = tmp_path / "vi"
    folder.mkdir()
    for name, text in [("target", TARGET), ("scattered", SCATTERED), *((f"other{i}", t) for i, t in enumerate(OTHERS))]:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    fake_indexer.ingest([folder])
    searcher = Searcher(fake_config, FakeEmbedder())
    yield searcher
    searcher.close()


def _first_doc(searcher: Searcher, ranked: list[tuple[int, float]]) -> str:
    return searcher.store.chunk_rows([ranked[0][0]])[ranked[0][0]].doc_id


@pytest.mark.parametrize("query", ["bảo hiểm xã hội tự nguyện", "bao hiem xa hoi tu nguyen"])
def test_syllable_pairs_put_the_passage_with_the_words_side_by_side_first(pair_searcher, query):
    plan = plan_query(query, pair_searcher.glossary)
    assert (
        _first_doc(pair_searcher, pair_searcher.rank_keyword(plan, Filters())) == "scattered"
    )  # single syllables alone
    for mode in ("keyword", "hybrid"):
        hits = pair_searcher.search(query, mode=mode).hits
        assert hits[0].doc_id == "target", mode
        assert hits[0].text == TARGET


@pytest.mark.parametrize("query", ["bảo hiểm xã hội", "bao hiem xa hoi"])
def test_a_vietnamese_query_that_matches_pairs_gives_the_embedder_only_a_tie_breakers_share(pair_searcher, query):
    plan = plan_query(query, pair_searcher.glossary)
    keyword, vietnamese = pair_searcher.rank_keyword_with_pairs(plan, Filters())
    assert vietnamese and _first_doc(pair_searcher, keyword) == "target"
    english = plan_query("older people", pair_searcher.glossary)
    assert pair_searcher.rank_keyword_with_pairs(english, Filters()) == (
        pair_searcher.rank_keyword(english, Filters()),
        False,
    )


def test_hybrid_gives_what_the_syllable_pairs_found_its_real_dense_score(pair_searcher, monkeypatch):
    plan = plan_query("bảo hiểm xã hội tự nguyện", pair_searcher.glossary)
    keyword, vietnamese = pair_searcher.rank_keyword_with_pairs(plan, Filters(), 5)
    assert vietnamese and keyword != pair_searcher.rank_keyword(plan, Filters(), 5)
    scored: list[list[tuple[int, float]]] = []
    original = pair_searcher.dense.scores_of_candidates

    def recording(vector, dense, *rankings):
        scored.extend(rankings)
        return original(vector, dense, *rankings)

    monkeypatch.setattr(pair_searcher.dense, "scores_of_candidates", recording)
    pair_searcher.rank(plan, "hybrid", Filters(), 5)
    assert keyword in scored  # the ranking with the pairs fused in, not the single syllables' alone


def test_alqac_keyword_search_finds_the_gold_article_first_nearly_always(tmp_path):
    folder = shared_testdata("alqac2023")
    result = evaluate_alqac(Config.from_env(data_dir=tmp_path / "unused", embedder="fake"), folder)
    keyword = result["modes"]["keyword"]
    # Single syllables alone reach MRR@10 0.932 here; syllable pairs lift it to 0.978 (docs/BENCHMARKS.md).
    assert result["queries"] == 100 and result["documents"] == 2131
    assert keyword["mrr@10"] >= 0.96 and keyword["recall@10"] >= 0.98
    assert result["modes"]["hybrid"]["mrr@10"] >= keyword["mrr@10"] - 0.02
