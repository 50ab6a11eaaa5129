"""The standard layout of Vietnamese legal documents and their English translations: the header gives the metadata,
and the header, signature and recipients stay in the text but out of passages."""

from __future__ import annotations

from pathlib import Path

from policykb.glossary import Glossary
from policykb.ingest.legal_header import issuer_name, read_header
from policykb.ingest.legal_layout import read_legal_layout
from policykb.ingest.pipeline import parse_file

RESOLUTION = """CHÍNH PHỦ
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Số: 68/NQ-CP
Hà Nội, ngày 09 tháng 5 năm 2024

NGHỊ QUYẾT

BAN HÀNH CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ THỰC HIỆN NGHỊ QUYẾT SỐ 42-NQ/TW

CHÍNH PHỦ

Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;

Theo đề nghị của Bộ trưởng Bộ Lao động - Thương binh và Xã hội;

QUYẾT NGHỊ:

Điều 1. Ban hành kèm theo Nghị quyết này Chương trình hành động của Chính phủ.

Điều 2. Nghị quyết này có hiệu lực thi hành từ ngày ký ban hành.

Nơi nhận:
- Ban Bí thư Trung ương Đảng;
- Lưu: VT, KGVX (2b).
TM. CHÍNH PHỦ
KT. THỦ TƯỚNG
PHÓ THỦ TƯỚNG

(Đã ký)

Trần Hồng Hà

CHƯƠNG TRÌNH HÀNH ĐỘNG

I. MỤC TIÊU

1. Tiếp tục đổi mới, nâng cao chất lượng chính sách xã hội.
"""

DECISION = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 1234/QĐ-UBND Quảng Ninh, ngày 15 tháng 3 năm 2023

QUYẾT ĐỊNH
V/v phê duyệt Kế hoạch phát triển du lịch năm 2023

Căn cứ Luật Tổ chức chính quyền địa phương;

QUYẾT ĐỊNH:

Điều 1. Phê duyệt Kế hoạch phát triển du lịch năm 2023.
"""

ENGLISH_LAW = """THE NATIONAL ASSEMBLY
SOCIALIST REPUBLIC OF VIETNAM
Independence - Freedom - Happiness
Law No.: 104/2016/QH13
Hanoi, April 6, 2016

LAW
ON ACCESS TO INFORMATION

Pursuant to the Constitution of the Socialist Republic of Vietnam;

Chapter I
GENERAL PROVISIONS

Article 1. Scope

This Law provides for the exercise of citizens' right of access to information.

Recipients:
- As above;
CHAIRWOMAN OF THE NATIONAL ASSEMBLY
(Signed)
Nguyen Thi Kim Ngan
"""

PLAIN_LAW = """LUẬT ĐIỆN ẢNH

Điều 1. Phạm vi điều chỉnh

Luật này quy định về hoạt động điện ảnh.

Luật này được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XV, kỳ họp thứ 3 thông qua ngày 15 tháng 6 năm 2022.

CHỦ TỊCH QUỐC HỘI

(Đã ký)


Vương Đình Huệ
"""


def _parse(tmp_path: Path, text: str):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path, Glossary())


def test_a_government_resolution_header_gives_its_issuer_number_date_type_and_title(tmp_path):
    document = _parse(tmp_path, RESOLUTION)
    assert document.issuer == "Chính phủ"
    assert document.doc_numbers[0] == "68/NQ-CP"
    assert document.date == "2024-05-09"
    assert document.doc_type == "resolution"
    assert document.title == (
        "Nghị quyết ban hành Chương trình hành động của Chính phủ thực hiện Nghị quyết số 42-NQ/TW"
    )


def test_header_signature_and_recipients_stay_in_the_text_but_out_of_passages(tmp_path):
    document = _parse(tmp_path, RESOLUTION)
    passages = "\n".join(chunk.text for chunk in document.chunks)
    for kept_out in (
        "Độc lập - Tự do",
        "Số: 68/NQ-CP",
        "Nơi nhận",
        "Ban Bí thư",
        "TM. CHÍNH PHỦ",
        "(Đã ký)",
        "Trần Hồng Hà",
    ):
        assert kept_out in document.text
        assert kept_out not in passages, kept_out
    for kept_in in ("Căn cứ Luật Tổ chức Chính phủ", "Điều 1. Ban hành", "Điều 2.", "1. Tiếp tục đổi mới"):
        assert kept_in in passages, kept_in
    assert all(document.text[c.start : c.end] == c.text for c in document.chunks)


def test_an_annex_after_the_signature_is_a_part_of_its_own(tmp_path):
    document = _parse(tmp_path, RESOLUTION)
    annex = next(chunk for chunk in document.chunks if "Tiếp tục đổi mới" in chunk.text)
    assert annex.section.startswith("CHƯƠNG TRÌNH HÀNH ĐỘNG › I. MỤC TIÊU")
    assert "Điều 2" not in annex.text


def test_a_provincial_decision_with_columns_on_one_line_and_a_v_v_subject(tmp_path):
    document = _parse(tmp_path, DECISION)
    assert document.issuer == "Ủy ban nhân dân tỉnh Quảng Ninh"
    assert document.doc_numbers[0] == "1234/QĐ-UBND"
    assert document.date == "2023-03-15"
    assert document.doc_type == "decision"
    assert document.title == "Quyết định về việc phê duyệt Kế hoạch phát triển du lịch năm 2023"


def test_an_english_translation_header_and_chapter_titles(tmp_path):
    document = _parse(tmp_path, ENGLISH_LAW)
    assert (document.title, document.doc_type, document.date) == ("Law on Access to Information", "law", "2016-04-06")
    assert document.issuer == "The National Assembly"
    assert document.doc_numbers[0] == "104/2016/QH13"
    article = next(chunk for chunk in document.chunks if "Article 1." in chunk.text)
    assert article.section == "Chapter I. General provisions › Article 1. Scope"
    assert all("Nguyen Thi Kim Ngan" not in chunk.text and "Recipients" not in chunk.text for chunk in document.chunks)


def test_a_law_without_a_header_is_titled_by_its_first_line_and_dated_by_its_passing(tmp_path):
    document = _parse(tmp_path, PLAIN_LAW)
    assert (document.title, document.doc_type, document.date) == ("Luật Điện ảnh", "law", "2022-06-15")
    assert [chunk.section for chunk in document.chunks] == ["Điều 1. Phạm vi điều chỉnh"]
    assert "Vương Đình Huệ" not in document.chunks[0].text


def test_ordinary_text_has_no_legal_layout():
    text = "Government unveils action plan\n\n13/05/2024 04:10 PM\n\nThe Government has identified tasks.\n"
    assert read_header(text) is None
    assert read_legal_layout(text).skip == []


def test_issuing_bodies_are_written_as_in_running_text():
    assert issuer_name("BỘ TÀI CHÍNH") == "Bộ Tài chính"
    assert issuer_name("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI") == "Bộ Lao động - Thương binh và Xã hội"
    assert issuer_name("QUỐC HỘI") == "Quốc hội"
    assert issuer_name("MINISTRY OF FINANCE") == "Ministry of Finance"
