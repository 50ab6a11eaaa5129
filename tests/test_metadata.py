"""Metadata detection: document numbers, dates, types, acronyms, agencies, language, sidecars."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS

from policykb.config import Config
from policykb.docnumbers import find_doc_numbers, number_references
from policykb.errors import IngestError
from policykb.glossary import load_glossary
from policykb.ingest import parse_file
from policykb.ingest.language import detect_language
from policykb.ingest.metadata import detect_doc_type, find_acronyms, find_date
from policykb.textnorm import fold, fold_lower_aligned

GLOSSARY = load_glossary(Config().glossary_path)


def test_document_numbers_are_found_and_normalised():
    text = "Resolution No 68/NQ-CP implements Resolution No 42-NQ/TW; see 15/2023/NĐ-CP, 1234/QĐ-TTg and 68 / nq – cp."
    assert find_doc_numbers(text) == ["68/NQ-CP", "42-NQ/TW", "15/2023/NĐ-CP", "1234/QĐ-TTG"]


def test_plain_numbers_and_fractions_are_not_document_numbers():
    assert find_doc_numbers("2.5 million people, 1/2 of them, 3.5 times, 2016-2020 plan, 17/10/2017") == []


@pytest.mark.parametrize(
    "query", ["68/NQ-CP", "Resolution 68", "NQ 68", "resolution no. 68", "Nghị quyết số 68", "nghi quyet 68"]
)
def test_loose_references_to_resolution_68_match_its_number(query):
    refs = number_references(query)
    assert refs and any(ref.matches("68/NQ-CP") for ref in refs)
    assert not any(ref.matches("42-NQ/TW") or ref.matches("68/QĐ-TTG") for ref in refs)


def test_dates_are_read_in_english_numeric_and_vietnamese_forms():
    assert find_date("Government unveils…\n13/05/2024 04:10 PM") == "2024-05-13"
    assert find_date("issued on May 9, 2024, lays out") == "2024-05-09"
    assert find_date("Hà Nội, ngày 9 tháng 5 năm 2024") == "2024-05-09"
    assert find_date("1 December 2017") == "2017-12-01"
    assert find_date("no date at all, 2.5 million") is None


def test_document_types_follow_titles_and_datelines():
    assert detect_doc_type("Resolution No. 68/NQ-CP on the action plan", "Resolution text") == "resolution"
    assert detect_doc_type("Minute of the Governmental Meeting", "…") == "minutes"
    assert (
        detect_doc_type(
            "Government unveils action plan", "Government unveils action plan\n\n13/05/2024 04:10 PM\n\nbody"
        )
        == "news"
    )
    assert detect_doc_type("Nghị quyết về chính sách xã hội", "…") == "resolution"
    assert detect_doc_type("Proposal for a partnership group", "…") == "strategy"


def test_acronyms_defined_in_text_are_learned():
    text = (
        "The Social Assistance Department (SAD) of MOLISA finalized the Master Plan of Social Assistance Reform (MPSAR). "
        "UN Social Protection Joint Programming Group (JPG) and the Social Security (Minimum Standards) Convention (No. 102)."
    )
    assert find_acronyms(text) == {
        "SAD": "Social Assistance Department",
        "MPSAR": "Master Plan of Social Assistance Reform",
        "JPG": "Joint Programming Group",
    }


def test_agencies_are_recognised_by_any_variant_with_canonical_names():
    doc = parse_file(CORPUS / "001_b1062dfbbf733c4b.txt", GLOSSARY)
    assert {"MOLISA", "ILO", "FAO", "SAD", "Irish Aid"} <= set(doc.agencies)
    doc = parse_file(CORPUS / "002_629d27a461f4eef1.txt", GLOSSARY)
    assert {"MOLISA", "GIZ"} <= set(doc.agencies)
    assert GLOSSARY.agencies_in("Bo Lao dong - Thuong binh va Xa hoi chu tri, phoi hop voi Bộ Tài chính") == [
        "MOLISA",
        "MOF",
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ILO and MOLISA", ["MOLISA", "ILO"]),
        ("(ILO), MOLISA.", ["MOLISA", "ILO"]),
        (
            "SILO, MOLISAS, pre-ILO, ILO-led, ILO2",
            [],
        ),  # an acronym inside a longer word or hyphenated is not the agency
        (
            "the ministry  of labour – invalids and social affairs",
            ["MOLISA"],
        ),  # any spacing or punctuation between words
        ("Ministry of Labour, Invalids and Social Affairsx", []),
        ("subministry of labour, invalids and social affairs", []),
        ("Bộ Lao động-Thương binh và Xã hội", ["MOLISA"]),
        ("abo lao dong thuong binh va xa hoi", []),
    ],
)
def test_agency_names_match_as_whole_words_only(text, found):
    assert GLOSSARY.agencies_in(text) == found
    assert sorted(mention.canonical for mention in GLOSSARY.mentions(text)) == sorted(found)


def test_folded_text_keeps_every_offset():
    text = "Bộ LĐ-TB&XH chủ trì; Đắk Lắk, ǅ ﬁnance, ÆØ straße İ"
    folded = fold_lower_aligned(text)
    assert len(folded) == len(text)
    assert folded.startswith("bo ld-tb&xh chu tri; dak lak")
    assert folded == "".join((fold(ch).casefold() or ch)[0] for ch in text)


def test_seed_004_metadata_has_date_numbers_and_type():
    doc = parse_file(CORPUS / "004_6608ed9db748e12c.txt", GLOSSARY)
    assert doc.date == "2024-05-13"
    assert doc.doc_numbers == ["68/NQ-CP", "42-NQ/TW"]
    assert doc.doc_type == "news"
    assert doc.language == "en"


def test_language_detection_is_seeded_and_knows_vietnamese():
    assert (
        detect_language("Bộ Lao động - Thương binh và Xã hội chủ trì, phối hợp với Bộ Tài chính xây dựng nghị định.")
        == "vi"
    )
    english = "The Government has identified the development of a flexible social insurance system as a key task."
    assert {detect_language(english) for _ in range(5)} == {"en"}
    assert detect_language("ok") == "und"


def test_sidecar_overrides_detected_metadata(tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text(
        "Some heading\n\nBody text about social insurance reform in Viet Nam, long enough to detect.", encoding="utf-8"
    )
    (tmp_path / "note.txt.meta.json").write_text(
        json.dumps(
            {
                "title": "Given title",
                "type": "resolution",
                "date": "2024-05-09",
                "issuer": "Government",
                "url": "https://example.org/x",
            }
        )
    )
    doc = parse_file(path, GLOSSARY)
    assert (doc.title, doc.doc_type, doc.date, doc.issuer, doc.url) == (
        "Given title",
        "resolution",
        "2024-05-09",
        "Government",
        "https://example.org/x",
    )


@pytest.mark.parametrize(
    "content, problem",
    [
        ('{"title": "x", "colour": "red"}', "unknown field(s) colour"),
        ('{"type": "memo"}', "field 'type' is 'memo'"),
        ('{"date": "9 May 2024"}', "field 'date' is '9 May 2024'"),
        ('{"title": ', "not valid JSON"),
    ],
)
def test_bad_sidecar_names_the_file_and_field(tmp_path: Path, content: str, problem: str):
    path = tmp_path / "note.txt"
    path.write_text("Body text about social insurance.", encoding="utf-8")
    (tmp_path / "note.meta.json").write_text(content)
    with pytest.raises(IngestError) as info:
        parse_file(path, GLOSSARY)
    assert "note.meta.json" in str(info.value)
    assert problem in str(info.value)


def test_a_footnote_digit_glued_to_a_document_number_is_dropped():
    assert find_doc_numbers("ÁN LỆ SỐ 43/2021/AL1 và Luật số 58/2014/QH13") == ["43/2021/AL", "58/2014/QH13"]
