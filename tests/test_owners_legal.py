"""Owner extraction on the forms legal texts assign duties in: listed duties, duty headings, state management,
rule-making delegated to the Government, guidance, and names that are objects rather than owners."""

from __future__ import annotations

from policykb.config import DEFAULT_CORPUS_DIR
from policykb.glossary import load_glossary
from policykb.models import Assignment
from policykb.owners.extract import extract_assignments

GLOSSARY = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")


def assignments(text: str) -> list[Assignment]:
    found = extract_assignments(text, [], GLOSSARY)
    assert all(a.text == text[a.start : a.end] for a in found)
    return found


def rows(text: str) -> list[tuple[str, str, str]]:
    return [(a.lead, a.kind, a.task) for a in assignments(text)]


def test_each_item_under_a_body_that_has_the_following_duties_is_its_own_task():
    text = (
        "Điều 20. Quản lý quỹ\n\n"
        "2. Bộ Tài chính có trách nhiệm sau đây:\n\n"
        "a) Hướng dẫn việc lập dự toán kinh phí của quỹ;\n\n"
        "b) Kiểm tra việc sử dụng quỹ hằng năm.\n\n"
        "3. Quỹ được miễn thuế."
    )
    assert rows(text) == [
        ("MOF", "guidance", "Hướng dẫn việc lập dự toán kinh phí của quỹ"),
        ("MOF", "lead", "Kiểm tra việc sử dụng quỹ hằng năm"),
    ]


def test_the_items_of_an_article_headed_with_a_bodys_duties_are_that_bodys_tasks():
    text = (
        "Điều 31. Trách nhiệm của Bộ Y tế\n\n"
        "1. Ban hành theo thẩm quyền văn bản quy phạm pháp luật về khám sàng lọc.\n\n"
        "2. Chủ trì, phối hợp với Bộ Tài chính bố trí kinh phí khám sàng lọc.\n\n"
        "Điều 32. Trách nhiệm của cá nhân\n\n"
        "1. Tham gia khám sàng lọc định kỳ."
    )
    found = assignments(text)
    assert [(a.lead, a.kind, a.coordinating) for a in found] == [
        ("MOH", "lead", []),
        ("MOH", "lead", ["MOF"]),
    ]
    assert found[1].task == "Chủ trì, phối hợp với Bộ Tài chính bố trí kinh phí khám sàng lọc"


def test_an_item_that_names_its_own_owner_keeps_it_under_a_duty_heading():
    text = "Điều 9. Trách nhiệm của Bộ Y tế\n\n1. Tổ chức tập huấn.\n\n2. Bộ Tài chính bảo đảm kinh phí tập huấn."
    assert [a.lead for a in assignments(text)] == ["MOH", "MOF"]


def test_state_management_names_the_body_that_helps_the_government_not_the_government():
    text = (
        "Điều 40. Trách nhiệm quản lý nhà nước\n\n"
        "1. Chính phủ thống nhất quản lý nhà nước về khám sàng lọc.\n\n"
        "2. Bộ Y tế là cơ quan đầu mối giúp Chính phủ thực hiện quản lý nhà nước về khám sàng lọc.\n\n"
        "3. Bộ Tài chính chịu trách nhiệm trước Chính phủ thực hiện quản lý nhà nước về quỹ khám sàng lọc."
    )
    assert rows(text) == [
        ("Government", "state_management", "quản lý nhà nước về khám sàng lọc"),
        ("MOH", "state_management", "quản lý nhà nước về khám sàng lọc"),
        ("MOF", "state_management", "quản lý nhà nước về quỹ khám sàng lọc"),
    ]


def test_delegated_rule_making_is_its_own_kind_and_names_the_article_it_details():
    text = "Điều 14. Khám sàng lọc\n\n1. Người lao động được khám sàng lọc.\n\n2. Chính phủ quy định chi tiết Điều này."
    [found] = assignments(text)
    assert (found.lead, found.kind, found.text) == (
        "Government",
        "rule_making",
        "Chính phủ quy định chi tiết Điều này.",
    )


def test_a_name_after_a_preposition_is_not_the_owner():
    text = (
        "Điều 7. Hồ sơ\n\n"
        "1. Hồ sơ được lập theo mẫu do Chính phủ ban hành.\n\n"
        "2. Tổ chức, cá nhân báo cáo theo quy định của Chính phủ.\n\n"
        "3. Người dân tham gia các hoạt động do chính quyền địa phương tổ chức."
    )
    assert assignments(text) == []


def test_a_list_opened_by_a_body_unknown_to_the_glossary_gives_no_owner():
    text = (
        "Điều 5. Trách nhiệm của gia đình\n\n"
        "1. Gia đình có trách nhiệm sau đây:\n\n"
        "a) Động viên người lao động khám sàng lọc;\n\n"
        "b) Phối hợp với Ủy ban nhân dân cấp xã trong việc khám sàng lọc."
    )
    assert assignments(text) == []


def test_english_legal_forms_assign_lists_headings_rule_making_and_guidance():
    text = (
        "Article 12. Responsibilities of the Ministry of Health\n\n"
        "1. To issue legal documents on screening.\n\n"
        "2. To guide the organisation of screening.\n\n"
        "Article 13. Implementation\n\n"
        "1. The Ministry of Finance shall have the following tasks:\n\n"
        "(a) allocate funds for screening;\n\n"
        "(b) inspect the use of funds.\n\n"
        "2. The Ministry of Justice shall guide the implementation of this Law.\n\n"
        "3. The Government shall provide detailed regulations on this Article."
    )
    assert [(a.lead, a.kind) for a in assignments(text)] == [
        ("MOH", "lead"),
        ("MOH", "guidance"),
        ("MOF", "lead"),
        ("MOF", "lead"),
        ("MOJ", "guidance"),
        ("Government", "rule_making"),
    ]


def test_an_appendix_task_table_gives_each_row_its_lead_partners_deadline_and_kind_even_with_an_empty_cell():
    text = (
        "PHỤ LỤC\n\nSTT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời hạn | Sản phẩm\n"
        "1 | Xây dựng Nghị định về khám sàng lọc | Bộ Y tế | Bộ Tài chính, Bộ Tư pháp | Quý IV/2025 | Nghị định\n"
        "2 | Hướng dẫn thi hành Nghị định | Bộ Tài chính | | 2026 | Thông tư"
    )
    assert [(a.lead, a.coordinating, a.deadline, a.kind, a.task) for a in assignments(text)] == [
        ("MOH", ["MOF", "MOJ"], "Quý IV/2025", "lead", "Xây dựng Nghị định về khám sàng lọc"),
        ("MOF", [], "2026", "guidance", "Hướng dẫn thi hành Nghị định"),
    ]


def test_an_appendix_table_in_a_docx_keeps_its_columns_past_empty_and_multi_paragraph_cells(tmp_path):
    import docx

    from policykb.ingest import parse_file

    document = docx.Document()
    document.add_paragraph("PHỤ LỤC: NHIỆM VỤ TRIỂN KHAI")
    table = document.add_table(rows=3, cols=5)
    rows = [
        ("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"),
        ("1", "Xây dựng đề án khám sàng lọc\nvà trình Chính phủ", "Bộ Y tế", "", "2026"),
        ("2", "Bố trí kinh phí", "Bộ Tài chính", "Bộ Y tế", "Quý I/2026"),
    ]
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    path = tmp_path / "phu_luc.docx"
    document.save(path)
    doc = parse_file(path, GLOSSARY)
    assert [(a.lead, a.coordinating, a.deadline, a.task) for a in doc.assignments] == [
        ("MOH", [], "2026", "Xây dựng đề án khám sàng lọc và trình Chính phủ"),
        ("MOF", ["MOH"], "Quý I/2026", "Bố trí kinh phí"),
    ]


def test_the_body_a_passive_names_as_deciding_owns_the_decision_but_not_a_form_it_issued():
    text = (
        "Điều 35. Cơ sở\n\n"
        "1. Cơ sở cai nghiện ma túy công lập do Chủ tịch Ủy ban nhân dân cấp xã quyết định thành lập.\n\n"
        "2. Hồ sơ lập theo mẫu do Bộ trưởng Bộ Y tế quy định.\n\n"
        "3. Chất ma túy là chất trong danh mục do Chính phủ ban hành."
    )
    assert rows(text) == [
        (
            "Commune-level People's Committees",
            "lead",
            "Cơ sở cai nghiện ma túy công lập do Chủ tịch Ủy ban nhân dân cấp xã quyết định thành lập",
        )
    ]


def test_english_state_management_is_a_duty_only_where_the_text_gives_it():
    text = (
        "Article 5. Implementation\n\n1. The Ministry of Health shall perform state management of screening.\n\n"
        "2. MOLISA shall review the state management apparatus."
    )
    assert rows(text) == [
        ("MOH", "state_management", "state management of screening"),
        ("MOLISA", "lead", "review the state management apparatus"),
    ]


def test_a_passive_agent_that_makes_the_rules_owns_rule_making():
    text = (
        "Điều 32. Phân loại phim\n\n3. Tiêu chí phân loại phim do Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch quy định."
    )
    assert [(lead, kind) for lead, kind, _ in rows(text)] == [("MOCST", "rule_making")]


def test_a_questions_own_glossary_names_stay_in_its_subject_though_a_syllable_is_a_function_word():
    from policykb.owners.answer import subject_words
    from policykb.search.query import plan_query

    question = "Cơ quan nào chỉ đạo Hải quan thực hiện phòng, chống ma túy?"
    plan = plan_query(question, GLOSSARY)
    subject = subject_words(question, plan.terms, plan.synonyms)
    assert {"ma tuy", "hai quan"} <= set(subject)
    assert "co quan" not in subject


def test_a_body_the_law_describes_rather_than_names_owns_the_duty_its_clause_gives_it():
    text = (
        "Điều 12. Đính chính thông tin\n\n"
        "1. Trường hợp phát hiện thông tin do mình công khai không chính xác, cơ quan đó có trách nhiệm kịp thời đính "
        "chính thông tin.\n\n"
        "2. Cơ quan cung cấp thông tin có trách nhiệm hướng dẫn người yêu cầu bổ sung hồ sơ.\n\n"
        "3. Công an cấp xã nơi chuyển đi có trách nhiệm thông báo cho công an cấp xã nơi chuyển đến."
    )
    assert [(a.lead, a.kind) for a in assignments(text)] == [
        ("cơ quan đó", "lead"),
        ("Cơ quan cung cấp thông tin", "guidance"),
        ("Commune police", "lead"),  # the body the glossary knows, where the law says which of them
    ]


def test_the_office_of_a_named_body_is_its_own_owner_not_the_body():
    text = (
        "Điều 9. Trách nhiệm cung cấp thông tin\n\n"
        "Văn phòng Hội đồng nhân dân cấp tỉnh có trách nhiệm cung cấp thông tin do Hội đồng nhân dân tạo ra."
    )
    assert [a.lead for a in assignments(text)] == ["Văn phòng Hội đồng nhân dân cấp tỉnh"]


def test_kinds_of_actor_listed_together_and_named_bodies_are_not_read_as_one_described_body():
    text = (
        "1. Cơ quan, tổ chức, cá nhân có trách nhiệm phối hợp phòng, chống ma túy.\n\n"
        "2. Tòa án, cơ quan có thẩm quyền khác có trách nhiệm tôn trọng quyền dân sự.\n\n"
        "3. Thủ trưởng Bộ Y tế có trách nhiệm ban hành danh mục thuốc."
    )
    assert [a.lead for a in assignments(text)] == ["MOH"]


def test_a_described_body_after_the_condition_that_thi_closes_owns_the_duty():
    text = (
        "Trường hợp phát hiện thông tin do mình tạo ra nhưng được cơ quan khác công khai không chính xác thì cơ quan "
        "tạo ra thông tin có trách nhiệm yêu cầu cơ quan đã công khai thông tin đính chính. Chậm nhất là 15 ngày kể từ "
        "ngày nhận được kiến nghị, cơ quan đó có trách nhiệm kiểm tra tính chính xác của thông tin."
    )
    assert [a.lead for a in assignments(text)] == ["cơ quan tạo ra thông tin", "cơ quan đó"]


def test_a_negation_or_phai_la_is_no_duty_and_an_adverb_is_not_part_of_the_name():
    text = (
        "1. Cơ quan nhà nước không phải nộp lệ phí cho việc cấp bản sao.\n\n"
        "2. Cơ quan tiếp nhận phải là cơ quan có thẩm quyền.\n\n"
        "3. Cơ quan kiểm tra cũng phải lập biên bản kiểm tra."
    )
    assert [(a.lead, a.task) for a in assignments(text)] == [("Cơ quan kiểm tra", "phải lập biên bản kiểm tra")]


def test_a_verb_of_duty_used_as_a_participle_stays_in_the_description():
    text = "Cơ quan chủ trì soạn thảo có trách nhiệm lấy ý kiến các bộ, ngành về dự thảo."
    assert [(a.lead, a.task) for a in assignments(text)] == [
        ("Cơ quan chủ trì soạn thảo", "lấy ý kiến các bộ, ngành về dự thảo")
    ]


def test_a_description_stays_on_its_line_and_thi_is_not_thi_with_another_tone():
    text = "Điều 4. Cơ quan tiếp nhận đơn\n\nCơ quan tiếp nhận đơn có trách nhiệm trả lời người gửi đơn."
    assert [a.lead for a in assignments(text)] == ["Cơ quan tiếp nhận đơn"]
    urban = "Khi lập quy hoạch đô thị cơ quan lập quy hoạch có trách nhiệm lấy ý kiến cộng đồng."
    assert [a.lead for a in assignments(urban.replace("đô thị", "đô thì"))] == ["cơ quan lập quy hoạch"]
    assert assignments(urban) == []  # "thị" (of "đô thị") opens no clause
