"""The built-in gazetteer: its data, its names in owner extraction, its lineage in answers, and the user's glossary on
top of it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from policykb import glossary as glossary_module
from policykb.config import Config
from policykb.gazetteer import GAZETTEER_PATH, load_gazetteer, problems
from policykb.glossary import NO_GLOSSARY, is_acronym, load_glossary
from policykb.owners.extract import extract_assignments
from policykb.textnorm import fold_lower

GAZETTEER = load_gazetteer()
GLOSSARY = load_glossary(Config().glossary_path)
# Names two bodies may share on purpose (none today): a generic name that longer, specific ones win over.
SHARED_ON_PURPOSE: set[str] = set()


def leads(text: str) -> list[str]:
    return [a.lead for a in extract_assignments(text, [], GLOSSARY)]


def test_the_gazetteer_file_loads_and_every_parent_successor_and_move_names_a_known_body():
    assert GAZETTEER_PATH.exists()
    assert problems(GAZETTEER) == []
    assert len(GAZETTEER.bodies) > 300


def test_no_two_bodies_share_a_name_unless_on_purpose():
    owners_by_name: dict[str, set[str]] = defaultdict(set)
    for body in GAZETTEER.owners():
        for name in body.names:
            owners_by_name[name if is_acronym(name) else " ".join(fold_lower(name).split())].add(body.id)
    shared = {name: ids for name, ids in owners_by_name.items() if len(ids) > 1 and name not in SHARED_ON_PURPOSE}
    assert shared == {}


def test_sixty_three_provinces_before_july_2025_and_thirty_four_after():
    before = GAZETTEER.provinces("2025-06-30")
    after = GAZETTEER.provinces("2025-07-01")
    assert (len(before), len(after)) == (63, 34)
    assert sum(body.kind == "city" for body in after) == 6
    assert {"Hanoi City", "Quang Ninh Province", "Hai Phong City"} <= {body.id for body in after}
    hai_duong = GAZETTEER.successors("Hai Duong Provincial People's Committee")
    assert [(s.successor, s.date, s.basis[0].number) for s in hai_duong] == [
        ("Hai Phong People's Committee", "2025-07-01", "202/2025/QH15")
    ]


def test_the_ministries_of_the_government_before_and_after_the_reorganisation():
    ministries = [b for b in GAZETTEER.bodies.values() if b.kind in ("ministry", "ministry_level")]
    before = [b.id for b in ministries if b.exists_on("2025-02-28")]
    after = [b.id for b in ministries if b.exists_on("2025-03-01")]
    assert (len(before), len(after)) == (22, 17)
    assert {"MOLISA", "MPI", "MONRE", "MARD", "MIC", "MOT", "CEMA"} <= set(before) - set(after)
    assert {"MAE", "Ministry of Ethnic Minorities and Religions"} <= set(after) - set(before)


def test_molisa_fields_went_to_three_ministries_on_1_march_2025_with_their_legal_basis():
    assert GAZETTEER.successors("MOLISA", on="2025-02-28") == []
    assert not GAZETTEER.ceased("MOLISA", on="2025-02-28") and GAZETTEER.ceased("MOLISA")
    now = {s.successor: s for s in GAZETTEER.successors("MOLISA", on="2025-03-01")}
    assert set(now) == {"MOHA", "MOH", "MOET"}
    assert {"labour", "employment", "social insurance", "gender equality"} <= set(now["MOHA"].fields)
    assert {"social protection", "children", "prevention of social evils"} <= set(now["MOH"].fields)
    assert now["MOET"].fields == ("vocational education",)
    assert all(s.date == "2025-03-01" and "176/2025/QH15" in s.basis_label for s in now.values())


def test_a_department_belongs_to_its_ministry_and_moved_with_the_reorganisation():
    assert GAZETTEER.parent_of("SAD") == "MOLISA"
    assert GAZETTEER.parent_of("SAD", on="2025-03-01") == "MOH"
    assert "SAD" in GAZETTEER.children_of("MOLISA") and "SAD" in GAZETTEER.children_of("MOH")
    assert "GSO" in GAZETTEER.children_of("MPI") and "Department of Taxation" in GAZETTEER.children_of("MOF")


def test_every_lineage_item_has_a_basis_with_a_number_and_the_sources_are_listed():
    data = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    assert data["sources"] and all(source["url"].startswith("https://") for source in data["sources"])
    for body in GAZETTEER.bodies.values():
        for item in body.lineage:
            assert item.basis and all(basis.number for basis in item.basis), body.id


def test_the_government_cipher_committee_leads_not_the_government():
    assert leads("Ban Cơ yếu Chính phủ chủ trì, phối hợp với Bộ Công an xây dựng phương án bảo mật.") == [
        "Government Cipher Committee"
    ]


@pytest.mark.parametrize(
    ("sentence", "lead"),
    [
        ("UBND tỉnh Quảng Ninh có trách nhiệm bố trí kinh phí thực hiện.", "Quang Ninh Provincial People's Committee"),
        ("Ủy ban nhân dân tỉnh Quảng Ninh chủ trì tổ chức thực hiện.", "Quang Ninh Provincial People's Committee"),
        ("The Hanoi People's Committee shall lead the pilot.", "Hanoi People's Committee"),
        ("HĐND thành phố Hà Nội chủ trì giám sát việc thực hiện.", "Hanoi People's Council"),
        ("Chủ tịch Ủy ban nhân dân cấp tỉnh có trách nhiệm chỉ đạo thực hiện.", "People's Committees"),
        ("Chánh án Tòa án nhân dân tối cao chủ trì hướng dẫn áp dụng.", "SPC"),
        ("Thống đốc Ngân hàng Nhà nước chủ trì xây dựng phương án.", "SBV"),
    ],
)
def test_a_body_or_its_head_resolves_to_the_body(sentence, lead):
    assert leads(sentence) == [lead]


def test_ministers_and_heads_of_ministry_level_agencies_resolve_to_the_group():
    sentence = "Bộ trưởng, Thủ trưởng cơ quan ngang bộ có trách nhiệm chỉ đạo các đơn vị trực thuộc thực hiện."
    assert leads(sentence) == ["Ministries and ministry-level agencies"]


def test_user_glossary_entries_extend_the_built_in_ones(tmp_path: Path):
    path = tmp_path / "glossary.json"
    path.write_text(
        json.dumps(
            {
                "agencies": [
                    {"name": "MOLISA", "variants": ["Labour Ministry of Testland"]},
                    {"name": "Testland Water Board", "variants": ["TWB"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    glossary = load_glossary(path)
    by_name = {entry.canonical: entry for entry in glossary.entries}
    assert "Labour Ministry of Testland" in by_name["MOLISA"].variants
    assert "Bộ Lao động - Thương binh và Xã hội" in by_name["MOLISA"].variants
    assert by_name["Testland Water Board"].variants == ("Testland Water Board", "TWB")
    assert "Quang Ninh Provincial People's Committee" in by_name
    assert [
        e.canonical for e, _ in glossary.matches("the Labour Ministry of Testland and TWB") if e.kind == "agency"
    ] == [
        "MOLISA",
        "Testland Water Board",
    ]
    assert glossary.from_file is not None and len(glossary.from_file) == 2


def test_no_glossary_means_no_names_at_all_and_builtin_false_only_the_users():
    assert load_glossary(NO_GLOSSARY).entries == []
    assert load_glossary(Path("/nonexistent/glossary.json"), builtin=False).entries == []
    assert "MOLISA" in {e.canonical for e in load_glossary(Path("/nonexistent/glossary.json")).entries}


def test_built_in_terms_join_when_their_file_exists(tmp_path: Path, monkeypatch):
    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps({"terms": [{"name": "cash transfer", "vi": ["chuyển tiền mặt"]}]}), encoding="utf-8")
    monkeypatch.setattr(glossary_module, "TERMS_PATH", terms)
    entries = glossary_module.builtin_entries(GAZETTEER)
    assert ("cash transfer", "term") in {(e.canonical, e.kind) for e in entries}
    monkeypatch.setattr(glossary_module, "TERMS_PATH", tmp_path / "absent.json")
    assert all(e.kind != "term" for e in glossary_module.builtin_entries(GAZETTEER))


@pytest.mark.parametrize(
    ("sentence", "lead"),
    [
        (
            "Việc đưa người nghiện vào cơ sở cai nghiện bắt buộc do Tòa án nhân dân cấp huyện quyết định.",
            "District-level People's Courts",
        ),
        ("Tòa án nhân dân cấp tỉnh có trách nhiệm thông báo kết quả giải quyết.", "Provincial-level People's Courts"),
        ("Regional People's Courts shall hear first-instance civil cases.", "Regional People's Courts"),
    ],
)
def test_local_peoples_courts_are_owners_by_their_level(sentence, lead):
    assert leads(sentence) == [lead]


def test_district_level_courts_ended_on_1_july_2025_and_regional_courts_took_their_trials():
    assert not GAZETTEER.ceased("District-level People's Courts", on="2025-06-30")
    assert GAZETTEER.ceased("District-level People's Courts", on="2025-07-01")
    (after,) = GAZETTEER.successors("District-level People's Courts", on="2025-07-01")
    assert (after.successor, after.date) == ("Regional People's Courts", "2025-07-01")
    assert "81/2025/QH15" in after.basis_label
