"""Structure-aware chunking: sections, parts glued in one file, breadcrumbs, sizes and offsets."""

from __future__ import annotations

from conftest import CORPUS

from policykb.glossary import Glossary
from policykb.ingest import parse_file
from policykb.ingest.chunking import chunk_text

SEEDS = sorted(CORPUS.glob("*.txt"))


def test_every_chunk_is_the_exact_slice_of_the_cleaned_text_and_at_most_1500_chars():
    for path in SEEDS:
        doc = parse_file(path, Glossary([]))
        assert doc.chunks, path
        for chunk in doc.chunks:
            assert chunk.text == doc.text[chunk.start : chunk.end]
            assert 0 < len(chunk.text) <= 1500
        starts = [chunk.start for chunk in doc.chunks]
        assert starts == sorted(starts)


def test_seed_000_minutes_are_a_separate_part_from_the_proposal():
    doc = parse_file(CORPUS / "000_0b935866529ff4c2.txt", Glossary([]))
    minutes_start = doc.text.index("Minute of the Governmental Meeting")
    for chunk in doc.chunks:
        assert not (chunk.start < minutes_start < chunk.end), "a chunk crosses from the proposal into the minutes"
    policy_41 = next(c for c in doc.chunks if "4.1. With regards to the supportive policy in cash" in c.text)
    assert policy_41.section.startswith("Minute of the Governmental Meeting")
    assert " › 4. New policies › 4.1." in policy_41.section


def test_numbered_sections_give_their_own_breadcrumb():
    doc = parse_file(CORPUS / "000_0b935866529ff4c2.txt", Glossary([]))
    coordinating = next(c for c in doc.chunks if "Coordinating agency" in c.text)
    assert coordinating.section.startswith("7. Coordinating agency")
    assert "Potential partners" not in coordinating.text


def test_seed_003_news_items_do_not_share_chunks_with_the_jpg_note():
    doc = parse_file(CORPUS / "003_64fe6cf54000ffa1.txt", Glossary([]))
    for title in (
        "Harsh punishment for child offenders",
        "New Year Greetings from the United Nations",
        "Community spaces design contest",
    ):
        start = doc.text.index(title)
        chunk = next(c for c in doc.chunks if c.start <= start < c.end)
        assert chunk.start == start, f"{title!r} does not start its own chunk"
        assert chunk.section.startswith(title)


def test_long_paragraph_is_split_at_sentence_ends_without_losing_text():
    sentence = "The Government will extend social insurance to informal workers by 2030. "
    text = "Heading line\n\n" + sentence * 60
    chunks = chunk_text(text.strip(), [], target_chars=900, max_chars=1500)
    assert len(chunks) > 2
    assert all(len(c.text) <= 1500 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)
    covered = "".join(c.text for c in chunks)
    assert "".join(covered.split()) == "".join(text.split())


def test_vietnamese_chapters_and_articles_nest_in_the_breadcrumb():
    text = (
        "LUẬT BẢO HIỂM XÃ HỘI\n\nChương I\nNHỮNG QUY ĐỊNH CHUNG\n\n"
        "Điều 1. Phạm vi điều chỉnh\n\nLuật này quy định chế độ, chính sách bảo hiểm xã hội.\n\n"
        "Điều 2. Đối tượng áp dụng\n\n1. Người lao động là công dân Việt Nam thuộc đối tượng tham gia bảo hiểm xã hội bắt buộc.\n\n"
        "2. Người sử dụng lao động tham gia bảo hiểm xã hội bắt buộc bao gồm cơ quan nhà nước."
    )
    chunks = chunk_text(text, [])
    article_2 = next(c for c in chunks if "2. Người sử dụng" in c.text)
    assert article_2.section == "Chương I. Những quy định chung › Điều 2. Đối tượng áp dụng"
    assert article_2.text.startswith("Điều 2.")
    article_1 = next(c for c in chunks if "Phạm vi điều chỉnh" in c.text)
    assert article_1.section == "Chương I. Những quy định chung › Điều 1. Phạm vi điều chỉnh"


def test_pdf_pages_are_recorded_on_chunks():
    text = "Page one heading\n\nFirst page body text.\n\nSecond page body text that continues."
    page_starts = [0, text.index("Second")]
    chunks = chunk_text(text, page_starts, target_chars=30, max_chars=60)
    assert chunks[0].page == 1
    assert chunks[-1].page == 2


def _clause(number: int, words: int = 60) -> str:
    return f"{number}. Cơ quan nhà nước có trách nhiệm " + "cung cấp thông tin " * words + "theo quy định."


def test_short_articles_are_never_merged_into_one_passage():
    text = "Điều 1. Phạm vi\n\nNgắn.\n\nĐiều 2. Đối tượng\n\nCũng ngắn.\n\nĐiều 3. Giải thích\n\nRất ngắn."
    chunks = chunk_text(text, [])
    assert [c.section for c in chunks] == ["Điều 1. Phạm vi", "Điều 2. Đối tượng", "Điều 3. Giải thích"]


def test_a_long_article_splits_where_a_clause_starts_and_each_passage_names_article_and_clause():
    text = "Điều 9. Trách nhiệm cung cấp thông tin\n\n" + "\n\n".join(_clause(n) for n in range(1, 5))
    chunks = chunk_text(text, [], target_chars=900, max_chars=1500)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.section.startswith("Điều 9. Trách nhiệm cung cấp thông tin › ")
        clause = chunk.section.split(" › ")[1]
        assert chunk.text.startswith((clause[:2], "Điều 9."))
    assert chunks[0].section.split(" › ")[1].startswith("1. ")


def test_a_clause_too_long_for_one_passage_splits_at_its_points_with_the_point_in_the_path():
    points = "\n\n".join(
        f"{letter}) Văn phòng " + "có trách nhiệm cung cấp thông tin " * 12 + "." for letter in "abcdđeg"
    )
    text = "Điều 9. Phạm vi\n\n1. Cơ quan nhà nước sau đây:\n\n" + points
    chunks = chunk_text(text, [], target_chars=900, max_chars=1500)
    later = [c for c in chunks if not c.text.startswith("Điều 9.")]
    assert later and all(c.section.split(" › ")[2][:2] == c.text[:2] for c in later)
    assert all(c.section.startswith("Điều 9. Phạm vi › 1. Cơ quan nhà nước sau đây:") for c in chunks)


def test_a_wrapped_line_starting_with_a_lower_case_dieu_is_text_not_an_article():
    text = (
        "Quy định liên quan\n\nCác Bộ luật Dân sự năm 2005; các\nđiều 439, 692 Bộ luật Dân sự năm 2005;\nvà Nghị định."
    )
    assert all("điều 439" not in c.section for c in chunk_text(text, [], wrapped=True))
