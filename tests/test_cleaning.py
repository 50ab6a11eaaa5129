"""Cleaning: boilerplate lines, duplicate paragraphs, glued headings, page offsets."""

from __future__ import annotations

from pathlib import Path

from conftest import CORPUS

from policykb.glossary import Glossary
from policykb.ingest import parse_file
from policykb.ingest.cleaning import clean_pages, is_boilerplate, split_glued_heading


def test_seed_002_repeated_body_keeps_each_paragraph_once():
    doc = parse_file(CORPUS / "002_629d27a461f4eef1.txt", Glossary([]))
    raw = (CORPUS / "002_629d27a461f4eef1.txt").read_text(encoding="utf-8")
    paragraph = "According to MoLISA Deputy Minister Nguyen Trong Dam"
    assert raw.count(paragraph) == 2
    assert doc.text.count(paragraph) == 1
    assert sum(paragraph in chunk.text for chunk in doc.chunks) == 1


def test_seed_003_site_boilerplate_lines_are_dropped():
    doc = parse_file(CORPUS / "003_64fe6cf54000ffa1.txt", Glossary([]))
    assert "Follow us on" not in doc.text
    assert "Print Email" not in doc.text
    assert "Ensuring coherence for more inclusive policies" in doc.text


def test_boilerplate_detection_keeps_sentences_that_mention_printing():
    assert is_boilerplate("Print Email")
    assert is_boilerplate("Follow us on:")
    assert is_boilerplate("Share on Facebook")
    assert not is_boilerplate("Print media coverage of the Strategy was limited.")
    assert not is_boilerplate("Email campaigns reached 2,000 households")


def test_heading_glued_to_the_end_of_a_sentence_is_split_off():
    line = "The Social Assistance Department (SAD) of MOLISA finalized the Master Plan of Social Assistance ReformOutcome achieved"
    assert split_glued_heading(line) == [line.removesuffix("Outcome achieved"), "Outcome achieved"]
    doc = parse_file(CORPUS / "001_b1062dfbbf733c4b.txt", Glossary([]))
    assert "ReformOutcome" not in doc.text
    assert "\nOutcome achieved\n" in doc.text


def test_glued_words_inside_names_are_left_alone():
    for line in (
        "According to MoLISA Deputy Minister Nguyen Trong Dam the",
        "We met the iPhone team at McDonald",
        "Short LineEnd",
    ):
        assert split_glued_heading(line) == [line]


def test_page_starts_point_at_each_page_in_the_cleaned_text():
    clean = clean_pages(["First page text.\n\n", "Second  page\u00a0text.", "Third"])
    assert clean.text[clean.page_starts[1] :].startswith("Second page text.")
    assert clean.text[clean.page_starts[2] :] == "Third"


def test_soft_hyphens_and_odd_spaces_are_normalised():
    clean = clean_pages(["Genesenen\u00adnachweise  and\u00a0more\r\nnext"])
    assert clean.text == "Genesenennachweise and more\nnext"


def test_duplicate_detection_spans_pages_but_keeps_short_repeated_lines(tmp_path: Path):
    long_line = "This paragraph is long enough to count as a real paragraph of the document body."
    clean = clean_pages([f"Resources:\n{long_line}", f"Resources:\n{long_line}\nEnd."])
    assert clean.text.count(long_line) == 1
    assert clean.text.count("Resources:") == 2


def test_a_numbered_clause_repeated_under_another_article_is_kept():
    clause = (
        "1. Ban hành theo thẩm quyền hoặc trình cơ quan nhà nước có thẩm quyền ban hành văn bản quy phạm pháp luật."
    )
    clean = clean_pages([f"Điều 47. Trách nhiệm của Bộ A\n\n{clause}\n\nĐiều 48. Trách nhiệm của Bộ B\n\n{clause}"])
    assert clean.text.count(clause) == 2
