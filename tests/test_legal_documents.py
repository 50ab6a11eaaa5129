"""Vietnamese laws end to end: two development laws of ALQAC written as a user would have them, ingested with the fake
embedder, searched; every passage is one article (or part of one) and is cited as a lawyer would cite it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import testdata as shared_testdata

from policykb.config import Config
from policykb.eval.laws import write_law_files
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.store import Store
from policykb.web import create_app

ACCESS_LAW, FILM_LAW = "luat_tiep_can_thong_tin", "luat_dien_anh"
LAW_FILES = (ACCESS_LAW, FILM_LAW)
_ARTICLE_HEADING = re.compile(r"(?m)^Điều \d+[a-z]?\.")


@dataclass(slots=True)
class LawIndex:
    """The two laws indexed once for the module: their folder, the data folder and a searcher over it."""

    laws: Path
    config: Config
    searcher: Searcher

    @property
    def store(self) -> Store:
        return self.searcher.store


@pytest.fixture(scope="module")
def law_index(tmp_path_factory) -> LawIndex:
    """Tiếp cận thông tin and Điện ảnh, written with `write_law_files` and indexed with the fake embedder."""
    law_json = shared_testdata("alqac2023", "law.json")
    folder = tmp_path_factory.mktemp("laws")
    laws = [path for path in write_law_files(law_json, folder / "laws", "dev") if path.stem in LAW_FILES]
    config = Config.from_env(data_dir=folder / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest(laws)
    assert not report.errors, report.errors
    searcher = Searcher(config, FakeEmbedder())
    yield LawIndex(folder / "laws", config, searcher)
    searcher.close()


def _documents(index: LawIndex):
    return [index.store.get_document(doc_id) for doc_id in LAW_FILES]


def test_both_laws_are_indexed_as_laws(law_index):
    for document in _documents(law_index):
        assert document.doc_type == "law"
        assert document.chunks


def test_a_phrase_of_an_article_clause_finds_that_clause_cited_by_article_and_clause(law_index):
    phrase = "Chính phủ thống nhất quản lý nhà nước về công tác bảo đảm thực hiện quyền tiếp cận thông tin"
    hits = law_index.searcher.search(phrase, mode="keyword").hits
    hit = next(h for h in hits if h.doc_id == ACCESS_LAW)
    assert hit.section.startswith("Điều 35.")
    assert hit.legal_citation.startswith("Điều 35 khoản 1")
    assert hit.legal_citation.endswith(", Luật Tiếp cận thông tin 2016")
    assert hit.to_json()["legal_citation"] == hit.legal_citation


def test_every_passage_is_the_exact_slice_of_its_law(law_index):
    for document in _documents(law_index):
        for chunk in document.chunks:
            assert document.text[chunk.start : chunk.end] == law_index.store.chunk_rows([chunk.id])[chunk.id].text


def test_no_passage_holds_two_articles(law_index):
    for document in _documents(law_index):
        for chunk in document.chunks:
            text = document.text[chunk.start : chunk.end]
            assert len(_ARTICLE_HEADING.findall(text)) <= 1, (document.id, chunk.section)


def test_every_passage_is_inside_an_article_and_names_it(law_index):
    for document in _documents(law_index):
        for chunk in document.chunks:
            assert chunk.section.startswith("Điều "), (document.id, chunk.section)


def test_the_signature_is_kept_out_of_passages_but_stays_in_the_text(law_index):
    document = law_index.store.get_document(FILM_LAW)
    assert "(Đã ký)" in document.text
    assert all("(Đã ký)" not in document.text[c.start : c.end] for c in document.chunks)


def test_the_result_card_and_the_document_page_show_the_legal_citation(law_index):
    client = create_app(config=law_index.config).test_client()
    phrase = "Chính phủ thống nhất quản lý nhà nước về công tác bảo đảm thực hiện quyền tiếp cận thông tin"
    page = client.get("/", query_string={"q": phrase, "mode": "keyword"}).get_data(as_text=True)
    assert "Điều 35 khoản 1, Luật Tiếp cận thông tin 2016" in page
    hit = next(h for h in law_index.searcher.search(phrase, mode="keyword").hits if h.doc_id == ACCESS_LAW)
    query = {"start": hit.start, "end": hit.end, "chunk": hit.chunk_id}
    document = client.get(f"/doc/{ACCESS_LAW}", query_string=query).get_data(as_text=True)
    assert "Điều 35 khoản 1, Luật Tiếp cận thông tin 2016" in document


def _assignments_in(index: LawIndex, doc_id: str, article: str):
    return [a for a in index.store.assignments() if a.doc_id == doc_id and a.section.startswith(f"Điều {article}.")]


def test_the_governments_listed_duties_each_cite_their_own_point(law_index):
    found = _assignments_in(law_index, ACCESS_LAW, "35")
    government = [a for a in found if a.lead == "Government"]
    assert government[0].kind == "state_management"
    assert government[0].task.startswith("quản lý nhà nước về công tác bảo đảm thực hiện quyền tiếp cận thông tin")
    listed = [a for a in government if a.text.startswith(("a)", "b)", "c)", "d)", "đ)", "e)", "g)"))]
    assert len(listed) >= 6
    assert any(a.kind == "guidance" and a.task.startswith("Hướng dẫn cơ quan, tổ chức") for a in listed)
    document = law_index.store.get_document(ACCESS_LAW)
    assert all(document.text[a.start : a.end] == a.text for a in found)


def test_delegated_rule_making_names_the_clause_it_details(law_index):
    [found] = [a for a in _assignments_in(law_index, ACCESS_LAW, "36") if a.kind == "rule_making"]
    assert (found.lead, found.task) == ("Government", "quy định chi tiết khoản 2 Điều 36")


def test_an_ownership_question_is_answered_with_the_article_that_assigns_it(law_index):
    from policykb.owners.answer import OwnersFinder

    result = OwnersFinder(law_index.searcher).find("Ai thống nhất quản lý nhà nước về tiếp cận thông tin?", None)
    best = result.assignments[0]
    assert (best.lead, best.kind, best.doc_id) == ("Government", "state_management", ACCESS_LAW)
    assert best.section.startswith("Điều 35.")


def test_an_english_ownership_question_over_a_vietnamese_law_is_answered_through_the_glossary(law_index):
    from policykb.owners.answer import OwnersFinder

    result = OwnersFinder(law_index.searcher).find(
        "Who is in charge of state management of access to information?", None
    )
    best = result.assignments[0]
    assert (best.lead, best.kind, best.doc_id) == ("Government", "state_management", ACCESS_LAW)


def test_asking_who_is_responsible_is_not_itself_a_subject_the_answer_must_share(law_index):
    from policykb.owners.answer import OwnersFinder

    assert OwnersFinder(law_index.searcher).find("Who is responsible for World AIDS Day?", None).assignments == []


def test_the_body_a_question_names_as_the_one_helped_is_not_its_answer(law_index):
    from policykb.owners.answer import OwnersFinder

    result = OwnersFinder(law_index.searcher).find(
        "Bộ nào giúp Chính phủ thực hiện quản lý nhà nước về điện ảnh?", None
    )
    assert result.assignments and result.assignments[0].lead == "MOCST"
    assert all(a.lead != "Government" for a in result.assignments)


def test_an_article_heading_says_what_its_clauses_are_about_when_a_question_is_answered(law_index):
    from policykb.owners.answer import OwnersFinder

    result = OwnersFinder(law_index.searcher).find("Ai quyết định thành lập Quỹ hỗ trợ phát triển điện ảnh?", None)
    best = result.assignments[0]
    assert (best.lead, best.doc_id) == ("Prime Minister", FILM_LAW)
    assert best.section.startswith("Điều 42.")


def test_the_body_a_question_names_as_the_maker_of_what_it_asks_about_is_not_its_answer(law_index):
    from policykb.owners.answer import OwnersFinder

    result = OwnersFinder(law_index.searcher).find(
        "Cơ quan nào có trách nhiệm cung cấp thông tin do Quốc hội tạo ra?", None
    )
    assert result.assignments[0].lead == "National Assembly Office"
    assert all(a.lead != "National Assembly" for a in result.assignments)


def test_a_body_the_law_describes_is_an_owner_listed_and_shown_as_the_law_writes_it(law_index):
    from policykb.owners.answer import OwnersFinder

    finder = OwnersFinder(law_index.searcher)
    described = "cơ quan tạo ra thông tin"
    assert described in finder.leads()
    listed = finder.for_agency(described).assignments
    assert {a.lead for a in listed} == {described}
    assert any(
        "thì cơ quan tạo ra thông tin có trách nhiệm yêu cầu" in a.text
        and a.task.startswith("yêu cầu cơ quan đã công khai thông tin")
        for a in listed
    )
    client = create_app(config=law_index.config).test_client()
    page = client.get("/owners", query_string={"agency": described})
    assert page.status_code == 200 and "cơ quan tạo ra thông tin có trách nhiệm" in page.get_data(as_text=True)
