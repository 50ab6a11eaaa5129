"""Legal citations: a passage of an article is cited by article, clause and point, then the law's name and year."""

from __future__ import annotations

from policykb.citations import format_full_citation, legal_citation, legal_name

ARTICLE_35 = "Chương IV. Trách nhiệm › Điều 35. Trách nhiệm của Chính phủ"


def test_a_vietnamese_point_is_cited_by_article_clause_and_point_then_the_law_and_its_year():
    section = f"{ARTICLE_35} › 1. Chính phủ thống nhất quản lý › a) Ban hành theo thẩm quyền"
    assert legal_citation(section, "Luật Tiếp cận thông tin", "law", "2016-04-06") == (
        "Điều 35 khoản 1 điểm a, Luật Tiếp cận thông tin 2016"
    )


def test_a_whole_article_and_a_clause_are_cited_without_the_finer_units():
    title = "Luật Tiếp cận thông tin"
    assert legal_citation(ARTICLE_35, title, "law", "2016-04-06") == "Điều 35, Luật Tiếp cận thông tin 2016"
    clause = f"{ARTICLE_35} › 2. Bộ, cơ quan ngang bộ"
    assert legal_citation(clause, title, "law", "2016") == "Điều 35 khoản 2, Luật Tiếp cận thông tin 2016"


def test_an_english_translation_is_cited_in_the_english_form():
    section = "Chapter IV › Article 35. Responsibilities › 1. The Government shall › đ) Inspect"
    title = "Law No. 104/2016/QH13 on Access to Information"
    assert legal_citation(section, title, "law", "2016-04-06") == (
        "Article 35(1)(đ), Law on Access to Information 2016"
    )


def test_no_legal_citation_outside_an_article_or_a_legal_document():
    assert legal_citation("I. Mục tiêu › 1. Tiếp tục", "Nghị quyết", "resolution", "2024-05-09") is None
    assert legal_citation("", "Luật Điện ảnh", "law", None) is None
    assert legal_citation("Điều 3. Báo cáo", "Báo cáo", "report", None) is None


def test_the_name_keeps_a_year_it_already_has_and_long_titles_are_cut():
    assert legal_name("Nghị định số 15/2020/NĐ-CP", "2020-02-03") == "Nghị định số 15/2020/NĐ-CP"
    assert legal_name("Bộ luật dân sự", None) == "Bộ luật dân sự"
    long_title = "Nghị quyết ban hành Chương trình hành động của Chính phủ thực hiện Nghị quyết số 42-NQ/TW " * 2
    assert legal_name(long_title, "2024-05-09").endswith("… 2024")


def test_a_brief_footnote_for_a_legal_passage_leads_with_its_legal_citation():
    legal = "Điều 35 khoản 1, Luật Tiếp cận thông tin 2016"
    note = format_full_citation(
        "Luật Tiếp cận thông tin", ["104/2016/QH13"], "2016-04-06", ARTICLE_35, None, legal=legal
    )
    assert note == "Điều 35 khoản 1, Luật Tiếp cận thông tin 2016, No. 104/2016/QH13."
    assert format_full_citation("Report", [], None, "Intro", 3) == "Report, §Intro, p. 3."
