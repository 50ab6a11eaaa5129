"""Who owns a task: extract_assignments on each sentence form, English and Vietnamese, and its life in the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.config import DEFAULT_CORPUS_DIR
from policykb.eval.sets import DATA, OWNERS_DOCUMENTS
from policykb.glossary import load_glossary
from policykb.ingest import parse_file
from policykb.ingest.indexer import Indexer
from policykb.models import Assignment
from policykb.owners.extract import extract_assignments

GLOSSARY = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")
FIXTURES = OWNERS_DOCUMENTS
EVAL = DATA


def assignments(text: str) -> list[Assignment]:
    found = extract_assignments(text, [], GLOSSARY)
    assert all(a.text == text[a.start : a.end] for a in found)
    return found


def owners(text: str) -> list[tuple[str, list[str]]]:
    return [(a.lead, a.coordinating) for a in assignments(text)]


def test_coordinating_agency_label_makes_the_agency_lead_with_partners_and_duration():
    text = (
        "7. Coordinating agency: Ministry of Labour, Invalids and Social Affairs\n\n8. Potential partners: World Bank, UNDP\n\n"
        "9. Implementing Duration: June 2010 to December 2020\n\n10. Proposal of the Institute: an expert"
    )
    [found] = assignments(text)
    assert (found.lead, found.coordinating, found.deadline) == (
        "MOLISA",
        ["World Bank", "UNDP"],
        "June 2010 to December 2020",
    )
    assert found.text == "7. Coordinating agency: Ministry of Labour, Invalids and Social Affairs"


def test_coordinating_agency_label_coordinates_when_the_block_names_a_lead_agency():
    text = (
        "Pilot 2: Electronic payment of social pensions\nCoordinating agencies: State Bank of Viet Nam, Viet Nam Social Security\n"
        "Lead agency: Ministry of Finance\nDeadline: Q3/2026\n"
    )
    [found] = assignments(text)
    assert (found.lead, found.coordinating, found.deadline) == ("MOF", ["SBV", "VSS"], "Q3/2026")
    assert found.task == "Electronic payment of social pensions"


def test_vietnamese_labelled_blocks_are_kept_apart_by_their_task_lines():
    text = (
        "Nhiệm vụ 1: Hỗ trợ mức đóng bảo hiểm y tế\nCơ quan chủ trì: Bộ Y tế\nCơ quan phối hợp: Bộ Tài chính\n"
        "Thời hạn hoàn thành: Quý IV/2025\n\nNhiệm vụ 2: Kết nối dữ liệu\nCơ quan chủ trì: Bảo hiểm xã hội Việt Nam\n"
        "Cơ quan phối hợp: Bộ Công an\nThời hạn hoàn thành: Tháng 6/2026\n"
    )
    first, second = assignments(text)
    assert (first.task, first.lead, first.coordinating, first.deadline) == (
        "Hỗ trợ mức đóng bảo hiểm y tế",
        "MOH",
        ["MOF"],
        "Quý IV/2025",
    )
    assert (second.task, second.lead, second.coordinating, second.deadline) == (
        "Kết nối dữ liệu",
        "VSS",
        ["MPS"],
        "Tháng 6/2026",
    )


def test_a_task_line_above_labels_is_the_blocks_task_not_an_assignment_of_its_own():
    [found] = assignments("Task 1: MOLISA shall review the pension law\nLead agency: Ministry of Finance\n")
    assert (found.task, found.lead, found.text) == (
        "MOLISA shall review the pension law",
        "MOF",
        "Lead agency: Ministry of Finance",
    )


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (
            "The cooperating process between Governmental agencies, leading by Ministry of Labour, Invalids and Social Affairs and donors.",
            ("MOLISA", ["International donors"]),
        ),
        (
            "Ministries and localities have been tasked with streamlining the State management apparatus.",
            ("Ministries and localities", []),
        ),
        ("The ILO supported MOLISA to conduct a review study.", ("MOLISA", ["ILO"])),
        (
            "The resolution assigns duties to ministries, sectors, and localities.",
            ("Ministries, sectors and localities", []),
        ),
        ("The Ministry of Health shall be responsible for issuing health insurance cards.", ("MOH", [])),
        (
            "The move to cashless payment is led by the Ministry of Finance in coordination with the State Bank of Viet Nam.",
            ("MOF", ["SBV"]),
        ),
        (
            "The database will be built under the leadership of MOLISA, in coordination with the Ministry of Public Security.",
            ("MOLISA", ["MPS"]),
        ),
        (
            "On 16 May 2018, the ILO in collaboration with MOLISA organized a workshop to disseminate the report.",
            ("ILO", ["MOLISA"]),
        ),
        (
            "A seminar was co-organised by the Ministry of Labour, Invalids and Social Affairs and the German development cooperation agency GIZ.",
            ("MOLISA", ["GIZ"]),
        ),
        (
            "A team of professional social workers will be assembled by ministries and localities.",
            ("Ministries and localities", []),
        ),
        ("The Social Assistance Department (SAD) of MOLISA finalized the Action Plan.", ("SAD", [])),
        ("As per the plan, the Government aims to establish a social support service network.", ("Government", [])),
    ],
)
def test_english_sentence_forms_name_the_lead_and_coordinating_agencies(sentence, expected):
    assert owners(sentence) == [expected]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (
            "Bộ Lao động - Thương binh và Xã hội chủ trì, phối hợp với Bộ Tài chính và Bộ Tư pháp xây dựng Nghị định.",
            ("MOLISA", ["MOF", "MOJ"]),
        ),
        (
            "Bo Lao dong - Thuong binh va Xa hoi chu tri, phoi hop voi Bo Tai chinh va Bo Tu phap xay dung Nghi dinh.",
            ("MOLISA", ["MOF", "MOJ"]),
        ),
        ("Giao Bộ Tài chính bảo đảm kinh phí thực hiện Chương trình.", ("MOF", [])),
        ("Thủ tướng Chính phủ giao Bộ Y tế chủ trì, phối hợp với Bộ Tài chính xây dựng đề án.", ("MOH", ["MOF"])),
        ("Ngân hàng Chính sách xã hội chịu trách nhiệm bố trí nguồn vốn cho vay ưu đãi.", ("VBSP", [])),
        (
            "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương có trách nhiệm rà soát danh sách.",
            ("People's Committees", []),
        ),
        ("Bộ Y tế là cơ quan đầu mối, chủ trì theo dõi, tổng hợp kết quả thực hiện Kế hoạch.", ("MOH", [])),
        ("Bộ Kế hoạch và Đầu tư, Bộ Tài chính cân đối, bố trí vốn đầu tư công.", ("MPI", ["MOF"])),
        (
            "Các bộ, ngành, địa phương căn cứ chức năng, nhiệm vụ được giao, xây dựng kế hoạch triển khai.",
            ("Ministries, sectors and localities", []),
        ),
        ("Tong Lien doan Lao dong Viet Nam phoi hop voi Bo LDTBXH van dong doan vien tham gia.", ("VGCL", ["MOLISA"])),
    ],
)
def test_vietnamese_sentence_forms_with_and_without_diacritics_name_the_lead(sentence, expected):
    assert owners(sentence) == [expected]


def test_a_deadline_clause_after_a_semicolon_completes_the_assignment_and_its_citation():
    text = "Bộ Lao động - Thương binh và Xã hội chủ trì, phối hợp với Bộ Tài chính…; Thời hạn hoàn thành: 2025"
    [found] = assignments(text)
    assert (found.lead, found.coordinating, found.deadline, found.text) == ("MOLISA", ["MOF"], "2025", text)


def test_a_deadline_line_completes_the_assignment_on_the_line_above():
    [found] = assignments("Bộ Y tế chủ trì rà soát chính sách.\nThời hạn hoàn thành: Quý IV/2025\n")
    assert (found.lead, found.deadline) == ("MOH", "Quý IV/2025")


@pytest.mark.parametrize(
    "sentence, deadline",
    [
        (
            "Ủy ban nhân dân các tỉnh có trách nhiệm gửi danh sách trước ngày 30 tháng 6 năm 2025.",
            "30 tháng 6 năm 2025",
        ),
        ("Bao hiem xa hoi Viet Nam chu tri phat trien dai ly thu, hoan thanh truoc thang 9/2025.", "thang 9/2025"),
        ("Cac bo, nganh, dia phuong bao cao ket qua truoc ngay 15/12/2025.", "15/12/2025"),
        ("Viet Nam Social Security has been tasked with linking records by December 2026.", "December 2026"),
        ("Bộ Y tế chủ trì hướng dẫn khám, chữa bệnh, hoàn thành trong năm 2025.", "2025"),
    ],
)
def test_deadlines_are_read_in_english_and_vietnamese(sentence, deadline):
    [found] = assignments(sentence)
    assert found.deadline == deadline


@pytest.mark.parametrize(
    "table",
    [
        "Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời hạn hoàn thành\n"
        "Sửa đổi Luật Người cao tuổi | Bộ Lao động - Thương binh và Xã hội | Bộ Tư pháp; Bộ Y tế | Quý IV/2025\n",
        "TT | Nhiem vu | Co quan chu tri | Co quan phoi hop | Thoi han hoan thanh\n"
        "1 | Sua doi Luat Nguoi cao tuoi | Bo LDTBXH | Bo Tu phap; Bo Y te | Quy IV/2025\n",
    ],
)
def test_task_table_rows_give_task_lead_coordinating_and_deadline(table):
    [found] = assignments(table)
    assert found.task in ("Sửa đổi Luật Người cao tuổi", "Sua doi Luat Nguoi cao tuoi")
    assert (found.lead, found.coordinating, found.deadline[-7:]) == ("MOLISA", ["MOJ", "MOH"], "IV/2025")
    assert found.text == table.splitlines()[1]


@pytest.mark.parametrize(
    "name",
    [
        "MOLISA",
        "MoLISA",
        "Ministry of Labour, Invalids and Social Affairs",
        "Bộ Lao động - Thương binh và Xã hội",
        "Bo Lao dong - Thuong binh va Xa hoi",
        "Bộ LĐTBXH",
        "Bo LDTBXH",
        "LĐTBXH",
        "Bộ LĐ-TB&XH",
    ],
)
def test_every_name_of_molisa_gives_the_same_canonical_lead(name):
    assert owners(f"{name} chủ trì rà soát chính sách trợ giúp xã hội.") == [("MOLISA", [])]


def test_an_assisted_agency_leads_when_its_helper_is_a_known_body_or_goes_unnamed():
    """Decision: "X supported Y to do Z" says Y does Z with X's help, so Y leads and X coordinates when X is a glossary
    name. When the helper goes unnamed in an item of its duties ("- Assist MOLISA to form a partnership network;" under
    "Responsibilities of the partnership group:"), Z is still Y's to do: both development sets ask "which ministry" of
    these tasks and expect MOLISA. A helper named but not known ("The partnership group will assist MOLISA in …")
    states its own duty: "Lead: MOLISA" would hide it, and would answer "who coordinates the partnership group" with it."""
    assert owners("The partnership group will assist MOLISA in coordinating the Strategy.") == []
    listed = assignments("- Assist Ministry of Labour, Invalids and Social Affairs to form a partnership network;")
    assert [(a.lead, a.kind, a.task) for a in listed] == [("MOLISA", "lead", "form a partnership network")]
    assert owners("UNICEF will assist the Social Assistance Department in training social workers.") == [
        ("SAD", ["UNICEF"])
    ]
    assert owners("UNICEF will assist Governmental agencies, especially the MOLISA in coordinating the Strategy.") == [
        ("MOLISA", ["Governmental agencies", "UNICEF"])
    ]


@pytest.mark.parametrize(
    "sentence, lead, task",
    [
        (
            "Ha Noi, 17/10/2017 - Aiming at improving the living environment and bringing culture and art to the "
            "community, United Nations Human Settlements Programme (UN-Habitat) successfully developed the Public Spaces "
            "project.",
            "UN-Habitat",
            "developed the Public Spaces project",
        ),
        (
            "Nhằm cải thiện môi trường sống cho người dân ở các khu đô thị và nông thôn trên cả nước, Bộ Y tế đã tổ "
            "chức hội thảo về bảo hiểm y tế.",
            "MOH",
            "tổ chức hội thảo về bảo hiểm y tế",
        ),
    ],
)
def test_a_body_named_right_after_a_long_introduction_is_the_clauses_subject(sentence, lead, task):
    assert [(a.lead, a.task) for a in assignments(sentence)] == [(lead, task)]


@pytest.mark.parametrize(
    "sentence, lead, task",
    [
        (
            "The Social Protection JPG also brokered cross-country exchange of experience with Sweden.",
            "UN Social Protection JPG",
            "brokered cross-country exchange of experience with Sweden",
        ),
        (
            "The Social Protection JPG made a substantive contribution by consolidating UN's inputs to the Plan.",
            "UN Social Protection JPG",
            "made a substantive contribution by consolidating UN's inputs to the Plan",
        ),
        (
            "The ILO conducted a review study on shock-responsive social protection.",
            "ILO",
            "conducted a review study on shock-responsive social protection",
        ),
        (
            "Bộ Y tế đã tổ chức hội thảo về bảo hiểm y tế cho người cao tuổi.",
            "MOH",
            "tổ chức hội thảo về bảo hiểm y tế cho người cao tuổi",
        ),
        (
            "Bo Y te da to chuc hoi thao ve bao hiem y te cho nguoi cao tuoi.",
            "MOH",
            "to chuc hoi thao ve bao hiem y te cho nguoi cao tuoi",
        ),
    ],
)
def test_what_a_report_says_a_body_did_is_that_bodys_task(sentence, lead, task):
    assert [(a.lead, a.task) for a in assignments(sentence)] == [(lead, task)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Strengthening capacities for staff of Ministry of Labour, Invalids and Social Affairs in the implementing process.",
        "According to MoLISA Deputy Minister Nguyen Trong Dam, the ministry has received cooperation from partners.",
        "Localities and enterprises sent nearly 90,000 workers abroad.",
        "A mid-term review of the plan will be conducted in 2026.",
        "The ILO, with support of the Government of Ireland, focused on the integration of schemes.",
        "Recommendations were provided to MOLISA for strengthening the social assistance system.",
        "UN Secretary-General Ban Ki-moon's message for World AIDS Day, observed on 1 December",
        "Deadline for round 1: From 17/10/2017 to 04/11/2017 Extended to 9 November 2017",
        "Phấn đấu đến năm 2030 có 60% người cao tuổi được hưởng lương hưu hoặc trợ cấp xã hội.",
        "Các bộ, ngành phối hợp với Bộ Lao động - Thương binh và Xã hội trong việc triển khai.",
        "In a meeting held in Hanoi with representatives of ministries, sectors and donors last week, MOLISA's Deputy "
        "Minister said the plan was on track.",
        "Theo báo cáo tổng kết năm 2023 của các bộ, ngành và địa phương gửi về cơ quan thường trực, Bộ Y tế cho biết "
        "tỷ lệ bao phủ đã tăng.",
    ],
)
def test_no_owner_is_invented_where_a_sentence_names_none(sentence):
    assert assignments(sentence) == []


def test_they_continues_a_group_assignment_but_not_after_a_sentence_without_owner():
    text = (
        "Ministries and localities must also enhance supervision.\nThey must strengthen citizen reception.\n"
        "Public trust must act as a criterion.\nThey must publish the standard.\n"
    )
    assert [a.text for a in assignments(text)] == [
        "Ministries and localities must also enhance supervision.",
        "They must strengthen citizen reception.",
    ]
    assert owners("The Government will give priority to health care. It will also make sure they are housed.") == [
        ("Government", []),
        ("Government", []),
    ]


def _owner_files() -> list[Path]:
    return sorted(DEFAULT_CORPUS_DIR.glob("*.txt")) + sorted(FIXTURES.glob("*.txt"))


@pytest.mark.parametrize("path", _owner_files(), ids=lambda p: p.stem)
def test_every_assignment_cites_its_exact_document_slice_with_a_known_lead(path):
    doc = parse_file(path, GLOSSARY)
    known = {entry.canonical for entry in GLOSSARY.with_acronyms(doc.acronyms).entries}
    for a in doc.assignments:
        assert a.text == doc.text[a.start : a.end] and a.text.strip() == a.text
        assert a.lead in known and a.lead not in a.coordinating


def test_owner_fixtures_are_marked_and_evaluation_phrases_occur_in_their_documents():
    texts = {path.stem: path.read_text(encoding="utf-8") for path in _owner_files()}
    assert all(texts[path.stem].startswith("TEST FIXTURE — not a real document") for path in FIXTURES.glob("*.txt"))
    for name in ("owners_gold.jsonl", "owners_questions.jsonl"):
        for line in (EVAL / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            assert item["phrase"] in texts[item["doc"]], (name, item)


def test_assignments_are_extracted_again_when_a_file_changes_and_deleted_with_its_document(
    fake_indexer: Indexer, tmp_path: Path
):
    path = tmp_path / "nghi_quyet.txt"
    path.write_text("Bộ Y tế chủ trì, phối hợp với Bộ Tài chính rà soát chính sách bảo hiểm y tế.\n", encoding="utf-8")
    fake_indexer.ingest([path])
    assert [(r.lead, r.coordinating) for r in fake_indexer.store.assignments()] == [("MOH", ["MOF"])]
    path.write_text("Giao Bộ Tài chính bảo đảm kinh phí.\nBộ LĐTBXH chủ trì xây dựng đề án.\n", encoding="utf-8")
    fake_indexer.ingest([path])
    rows = fake_indexer.store.assignments()
    assert [(r.lead, r.text) for r in rows] == [
        ("MOF", "Giao Bộ Tài chính bảo đảm kinh phí."),
        ("MOLISA", "Bộ LĐTBXH chủ trì xây dựng đề án."),
    ]
    fake_indexer.remove(rows[0].doc_id)
    assert fake_indexer.store.assignments() == []
