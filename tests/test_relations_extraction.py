"""Relations read from a document's text: each kind in Vietnamese and English, with its span, and the sentences that
look like a relation but state none."""

from __future__ import annotations

import pytest
from conftest import testdata as shared_testdata

from policykb.eval.relations import evaluate_relations
from policykb.relations.extract import extract_relations
from policykb.relations.references import label

VI_HEADER = """CHÍNH PHỦ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 30/2022/NĐ-CP
Hà Nội, ngày 10 tháng 5 năm 2022

NGHỊ ĐỊNH
VỀ CHÍNH SÁCH TRỢ GIÚP

"""
EN_HEADER = """THE GOVERNMENT
SOCIALIST REPUBLIC OF VIETNAM
Independence - Freedom - Happiness
No. 30/2022/ND-CP
Hanoi, May 10, 2022

DECREE
ON ASSISTANCE POLICIES

"""


def relations_of(body: str, english: bool = False, number: str | None = "30/2022/NĐ-CP", doc_type: str = "decree"):
    text = (EN_HEADER if english else VI_HEADER) + body
    relations, _ = extract_relations(text, number, "Nghị định về chính sách trợ giúp", "2022-05-10", doc_type)
    return text, relations


def read(relations) -> list[tuple]:
    return [
        (r.kind, "self" if r.source_self else label(r.source), label(r.target) if r.target else None, r.date)
        for r in relations
    ]


KINDS = [
    # (kind, Vietnamese body, English body, expected target)
    (
        "based_on",
        "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;\n",
        "Pursuant to the Law on Government Organization dated June 19, 2015;\n",
        ("Luật Tổ chức Chính phủ 2015", "Law on Government Organization 2015"),
    ),
    (
        "implements",
        "Điều 1. Ban hành kèm theo Nghị định này Chương trình hành động thực hiện Nghị quyết số 42-NQ/TW.\n",
        "Article 1. The action programme implementing Resolution No. 42-NQ/TW is promulgated together with this Decree.\n",
        ("42-NQ/TW", "42-NQ/TW"),
    ),
    (
        "guides",
        "Điều 1. Nghị định này quy định chi tiết Điều 5 của Luật Người cao tuổi số 39/2009/QH12.\n",
        "Article 1. This Decree details Article 5 of the Law on the Elderly No. 39/2009/QH12.\n",
        ("39/2009/QH12", "39/2009/QH12"),
    ),
    (
        "amends",
        "Điều 1. Sửa đổi, bổ sung Điều 3 của Nghị định số 15/2019/NĐ-CP như sau:\n",
        "Article 1. To amend and supplement Article 3 of Decree No. 15/2019/ND-CP as follows:\n",
        ("15/2019/NĐ-CP", "15/2019/ND-CP"),
    ),
    (
        "replaces",
        "Nghị định này thay thế Nghị định số 136/2013/NĐ-CP.\n",
        "This Decree replaces Decree No. 136/2013/ND-CP.\n",
        ("136/2013/NĐ-CP", "136/2013/ND-CP"),
    ),
    (
        "repeals",
        "2. Nghị định số 44/2017/NĐ-CP hết hiệu lực kể từ ngày 01 tháng 7 năm 2022.\n",
        "2. Decree No. 44/2017/ND-CP ceases to be in force from July 1, 2022.\n",
        ("44/2017/NĐ-CP", "44/2017/ND-CP"),
    ),
]


@pytest.mark.parametrize("kind, vietnamese, english, targets", KINDS, ids=[k[0] for k in KINDS])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_kind_is_read_in_both_languages_with_the_words_that_state_it(kind, vietnamese, english, targets, language):
    text, relations = relations_of(english if language == "en" else vietnamese, english=language == "en")
    target = targets[1] if language == "en" else targets[0]
    found = [r for r in relations if r.kind == kind]
    assert [(r.source_self, label(r.target)) for r in found] == [(True, target)]
    relation = found[0]
    assert text[relation.sentence_start : relation.sentence_end].find(text[relation.start : relation.end]) >= 0
    assert target.split()[0].split("/")[0] in text[relation.start : relation.end]


@pytest.mark.parametrize(
    "body, english, date",
    [
        ("Nghị định này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2022.\n", False, "2022-07-01"),
        ("Nghị định này có hiệu lực kể từ ngày ký.\n", False, "2022-05-10"),
        ("This Decree takes effect on July 1, 2022.\n", True, "2022-07-01"),
        ("This Decree comes into force from the date of signing.\n", True, "2022-05-10"),
    ],
)
def test_the_date_of_effect_is_read_and_from_signing_is_the_signing_date(body, english, date):
    _, relations = relations_of(body, english)
    assert read(relations) == [("effective", "self", None, date)]


def test_a_replacement_without_a_date_of_its_own_takes_the_documents_date_of_effect():
    _, relations = relations_of(
        "1. Nghị định này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2022.\n"
        "2. Nghị định này thay thế Nghị định số 136/2013/NĐ-CP.\n"
    )
    assert ("replaces", "self", "136/2013/NĐ-CP", "2022-07-01") in read(relations)


def test_an_amendment_names_its_articles():
    _, relations = relations_of("Điều 1. Sửa đổi, bổ sung Điều 5, Điều 7 của Nghị định số 15/2019/NĐ-CP như sau:\n")
    assert relations[0].articles == ["Điều 5", "Điều 7"]


def test_a_law_named_without_a_date_takes_the_year_the_recitals_give_it():
    _, relations = relations_of(
        "Căn cứ Luật Người cao tuổi ngày 23 tháng 11 năm 2009;\n\n"
        "Điều 1. Nghị định này quy định chi tiết Điều 5 của Luật Người cao tuổi.\n"
    )
    assert ("guides", "self", "Luật Người cao tuổi 2009", None) in read(relations)


def test_a_news_item_states_relations_between_the_documents_it_names_never_of_itself():
    text = (
        "Resolution No 68/NQ-CP, issued on May 9, 2024, lays out tasks for the action plan implementing Resolution "
        "No 42-NQ/TW.\nCircular No. 59/2015/TT-BLDTBXH will also cease to be in force.\n"
    )
    relations, keys = extract_relations(text, None, "Government unveils action plan", "2024-05-13", "news")
    assert read(relations) == [("implements", "68/NQ-CP", "42-NQ/TW", None)]
    assert keys == []


def test_each_document_of_a_list_that_ceases_to_be_in_force_is_repealed_and_nothing_else_is():
    _, relations = relations_of(
        "2. Nghị định số 12/2010/NĐ-CP và Nghị định số 13/2011/NĐ-CP hết hiệu lực kể từ ngày 01 tháng 7 năm 2022.\n"
        "3. Các quy định tại Nghị định số 14/2012/NĐ-CP trái với Nghị định này hết hiệu lực.\n"
    )
    assert read(relations) == [
        ("repeals", "self", "12/2010/NĐ-CP", "2022-07-01"),
        ("repeals", "self", "13/2011/NĐ-CP", "2022-07-01"),
    ]


@pytest.mark.parametrize(
    "body, english, listed",
    [
        (
            "1. Nghị định này có hiệu lực thi hành kể từ ngày 01/7/2022 và thay thế Nghị định số 11/2010/NĐ-CP.\n"
            "2. Kể từ ngày Nghị định này có hiệu lực, các văn bản sau đây hết hiệu lực:\n"
            "a) Nghị định số 12/2010/NĐ-CP;\n\nb) Quyết định số 13/2011/QĐ-TTg.\n\nĐiều 10. Trách nhiệm\n",
            False,
            "replaces",  # they cease to be in force as this one takes effect: it takes their place
        ),
        (
            "1. This Decree takes effect on July 1, 2022 and supersedes Decree No. 11/2010/ND-CP.\n"
            "2. The following documents are annulled from the effective date of this Decree:\n"
            "a) Decree No. 12/2010/ND-CP;\n\nb) Decision No. 13/2011/QD-TTg.\n\nArticle 10. Responsibility\n",
            True,
            "repeals",  # annulled
        ),
    ],
)
def test_a_second_verb_of_the_document_and_a_list_of_what_ends_are_read(body, english, listed):
    _, relations = relations_of(body, english)
    targets = [label(r.target) for r in relations if r.target is not None]
    assert [(r.kind, r.date) for r in relations if r.target is not None] == [
        ("replaces", "2022-07-01"),
        (listed, "2022-07-01"),
        (listed, "2022-07-01"),
    ]
    assert [t.split("/")[0] for t in targets] == ["11", "12", "13"]


def test_a_passive_amendment_names_each_amending_law():
    _, relations = relations_of(
        "Luật Điện ảnh số 62/2006/QH11 đã được sửa đổi, bổ sung một số điều theo Luật số 31/2009/QH12 và Luật số "
        "35/2018/QH14 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành.\n",
        doc_type="law",
    )
    assert set(read(relations)) >= {
        ("amends", "31/2009/QH12", "62/2006/QH11", None),
        ("amends", "35/2018/QH14", "62/2006/QH11", None),
        ("replaces", "self", "62/2006/QH11", None),
    }


@pytest.mark.parametrize(
    "body",
    [
        "Trường hợp các văn bản dẫn chiếu tại Nghị định này được sửa đổi, bổ sung hoặc thay thế thì thực hiện theo "
        "văn bản mới.\n",
        "Chính phủ quy định chi tiết Điều này.\n",
        "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ ngày 22 tháng 11 năm 2019;\n",
        "Giao dịch thì áp dụng Bộ luật dân sự số 33/2005/QH11 và các văn bản quy phạm pháp luật quy định chi tiết Bộ "
        "luật dân sự số 33/2005/QH11.\n",
        "Người nghiện được điều trị bằng thuốc thay thế theo Luật số 16/2008/QH12.\n",
        "Giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết số 05/2022/NQ-HĐND.\n",
        '1. Điều 9 được sửa đổi như sau:\n"Điều 9. Hiệu lực\nNghị định này thay thế Nghị định số 12/2010/NĐ-CP."\n',
        "1. Điều 9 được sửa đổi như sau:\n“Điều 9. Hiệu lực\nBãi bỏ Nghị định số 12/2010/NĐ-CP.”\n",
    ],
)
def test_sentences_that_only_look_like_a_relation_state_none(body):
    _, relations = relations_of(body)
    assert [r for r in relations if r.kind not in ("based_on",)] == []
    assert all(label(r.target).startswith("Luật sửa đổi") for r in relations)


def test_the_fixtures_and_bundled_corpus_meet_the_goals_and_the_held_out_misses_stay_hidden(tmp_path):
    result = evaluate_relations("dev", tmp_path / "no-law.json")
    assert set(result["parts"]) == {"fixtures", "corpus", "fixtures2"}
    assert result["all"]["precision"] >= 0.95 and result["all"]["recall"] >= 0.85, result["all"]
    assert ["68/nq-cp", "42-nq/tw"] not in [item[2:4] for item in result["all"]["missed"]]
    assert evaluate_relations("heldout", tmp_path / "no-law.json")["all"]["missed"] == "hidden"


def test_the_development_laws_state_their_dates_of_effect_and_what_they_replace():
    result = evaluate_relations("dev", shared_testdata("alqac2023", "law.json"))
    laws = result["parts"]["laws"]
    assert laws["precision"] >= 0.95 and laws["recall"] >= 0.85, laws
    assert laws["by_kind"]["replaces"]["right"] >= 3
