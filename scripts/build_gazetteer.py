"""Writes policykb/data/gazetteer.json: Vietnam's state bodies, their names, parents and lineage.

Run from the repository root: `python scripts/build_gazetteer.py`. The bodies of corpus/glossary.json keep their
canonical names and every variant they have there; provinces and their People's Committees and Councils are generated.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gazetteer_bases import BASES, SOURCES  # noqa: E402
from gazetteer_provinces import province_bodies  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "policykb" / "data" / "gazetteer.json"
GLOSSARY = ROOT / "corpus" / "glossary.json"
REFORM = "2025-03-01"  # the new Government's ministries operate from this day (Resolution 176/2025/QH15)
UNTIL_REFORM = "2025-02-28"


def body(id, en, vi, kind, acronyms=(), variants=(), parent=None, **extra) -> dict:
    """One body; `vi` is its Vietnamese name (a list when it has several)."""
    vi_names = [vi] if isinstance(vi, str) else list(vi)
    return {
        "id": id,
        "en": en,
        "vi": vi_names[0] if vi_names else "",
        "acronyms": list(acronyms),
        "variants": [v for v in variants if v] + vi_names[1:],
        "kind": kind,
        "parent": parent,
        **extra,
    }


def to(successor: str, fields: list[str], basis: str | list[str], change: str = "merged", date: str = REFORM, **extra):
    """A lineage item: `fields` of the body went to `successor` on `date` under `basis` (keys of BASES)."""
    keys = [basis] if isinstance(basis, str) else basis
    item = {"successor": successor, "fields": fields, "date": date, "change": change, "basis": [_basis(k) for k in keys]}
    if any(BASES[k].get("unverified") for k in keys):
        item["unverified"] = True
    return item | extra


def _basis(key: str) -> dict:
    return {k: v for k, v in BASES[key].items() if k in ("number", "title", "date", "unverified")}


def ceased(*lineage: dict, until: str = UNTIL_REFORM) -> dict:
    return {"valid_until": until, "lineage": list(lineage)}


ALL = ["all"]


def central_bodies() -> list[dict]:
    """Government, ministries (before and after 1 March 2025), government agencies."""
    return [
        body("Government", "Government of Viet Nam", "Chính phủ", "government"),
        body("Prime Minister", "Prime Minister", "Thủ tướng Chính phủ", "government", parent="Government"),
        body(
            "Government Office",
            "Government Office",
            ["Văn phòng Chính phủ", "Chủ nhiệm Văn phòng Chính phủ"],
            "ministry_level",
            acronyms=["VPCP"],
            variants=["Office of the Government", "Minister, Chairman of the Government Office"],
        ),
        body(
            "Government Inspectorate",
            "Government Inspectorate",
            ["Thanh tra Chính phủ", "Tổng Thanh tra Chính phủ"],
            "ministry_level",
            acronyms=["TTCP"],
            variants=["Government Inspectorate of Viet Nam", "Inspector General of the Government"],
        ),
        body(
            "SBV",
            "State Bank of Viet Nam",
            ["Ngân hàng Nhà nước Việt Nam", "Thống đốc Ngân hàng Nhà nước"],
            "ministry_level",
            acronyms=["NHNN"],
            variants=["Governor of the State Bank"],
        ),
        body(
            "CEMA",
            "Committee for Ethnic Minority Affairs",
            ["Ủy ban Dân tộc", "Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc"],
            "ministry_level",
            acronyms=["UBDT"],
            variants=["Ethnic Minorities Committee", "Committee for Ethnic Affairs"],
            **ceased(to("Ministry of Ethnic Minorities and Religions", ["ethnic affairs"], ["NQ176", "ND41"], "renamed")),
        ),
        body("MOD", "Ministry of National Defence", "Bộ Quốc phòng", "ministry", ["MoD", "MND"],
             ["Ministry of National Defense", "Ministry of Defence"]),
        body("MPS", "Ministry of Public Security", "Bộ Công an", "ministry", ["MoPS"]),
        body("MOFA", "Ministry of Foreign Affairs", "Bộ Ngoại giao", "ministry", ["MoFA"]),
        body("MOHA", "Ministry of Home Affairs", "Bộ Nội vụ", "ministry", ["MoHA"],
             lineage=[to("Ministry of Ethnic Minorities and Religions", ["religion"], ["NQ176", "ND41"], "transferred")]),
        body("MOJ", "Ministry of Justice", "Bộ Tư pháp", "ministry", ["MoJ"]),
        body("MOF", "Ministry of Finance", "Bộ Tài chính", "ministry", ["MoF"]),
        body(
            "MPI",
            "Ministry of Planning and Investment",
            ["Bộ Kế hoạch và Đầu tư", "Bộ KH&ĐT", "Bộ KHĐT"],
            "ministry",
            ["MoPI"],
            **ceased(to("MOF", ALL, ["NQ176", "ND29"])),
        ),
        body("MOIT", "Ministry of Industry and Trade", "Bộ Công Thương", "ministry", ["MoIT"]),
        body(
            "MOLISA",
            "Ministry of Labour, Invalids and Social Affairs",
            ["Bộ Lao động - Thương binh và Xã hội", "Bộ Lao động, Thương binh và Xã hội"],
            "ministry",
            **ceased(
                to(
                    "MOHA",
                    ["labour", "wages", "employment", "social insurance", "occupational safety and health",
                     "people with meritorious services", "gender equality"],
                    ["NQ176", "ND25"],
                ),
                to("MOH", ["social protection", "children", "prevention of social evils"], ["NQ176", "ND42"],
                   "transferred"),
                to("MOET", ["vocational education"], ["NQ176", "ND37"], "transferred"),
            ),
        ),
        body(
            "MOT", "Ministry of Transport", ["Bộ Giao thông vận tải", "Bộ GTVT"], "ministry", ["MoT"],
            **ceased(to("MOC", ALL, "NQ176")),
        ),
        body("MOC", "Ministry of Construction", "Bộ Xây dựng", "ministry", ["MoC"]),
        body(
            "MIC", "Ministry of Information and Communications", ["Bộ Thông tin và Truyền thông", "Bộ TT&TT", "Bộ TTTT"],
            "ministry", valid_from="2007-08-01",
            **ceased(to("MOST", ALL, "NQ176")),
        ),
        body("MOET", "Ministry of Education and Training", ["Bộ Giáo dục và Đào tạo", "Bộ GD&ĐT", "Bộ GDĐT"],
             "ministry", ["MoET"]),
        body(
            "MARD", "Ministry of Agriculture and Rural Development",
            ["Bộ Nông nghiệp và Phát triển nông thôn", "Bộ NN&PTNT", "Bộ NNPTNT"], "ministry", ["MoARD"],
            **ceased(to("MAE", ALL, "NQ176")),
        ),
        body(
            "MONRE", "Ministry of Natural Resources and Environment", ["Bộ Tài nguyên và Môi trường", "Bộ TN&MT", "Bộ TNMT"],
            "ministry", ["MoNRE"], **ceased(to("MAE", ALL, "NQ176")),
        ),
        body("MAE", "Ministry of Agriculture and Environment", ["Bộ Nông nghiệp và Môi trường", "Bộ NN&MT"], "ministry",
             ["MoAE"], valid_from=REFORM),
        body("MOST", "Ministry of Science and Technology", ["Bộ Khoa học và Công nghệ", "Bộ KH&CN", "Bộ KHCN"],
             "ministry", ["MoST"]),
        body("MOCST", "Ministry of Culture, Sports and Tourism", ["Bộ Văn hóa, Thể thao và Du lịch", "Bộ VHTTDL"],
             "ministry", ["MCST", "MoCST"], valid_from="2007-08-01"),
        body("MOH", "Ministry of Health", "Bộ Y tế", "ministry", ["MoH"]),
        body(
            "Ministry of Ethnic Minorities and Religions", "Ministry of Ethnic Minorities and Religions",
            ["Bộ Dân tộc và Tôn giáo"], "ministry", ["MEMR"],
            ["Ministry of Ethnic and Religious Affairs", "Ministry of Ethnic Affairs and Religion"], valid_from=REFORM,
        ),
        body(
            "Ministry of Culture and Information", "Ministry of Culture and Information", "Bộ Văn hóa - Thông tin",
            "ministry",
            **ceased(
                to("MOCST", ["culture"], "NQ01-2007", "split", "2007-08-01"),
                to("MIC", ["press", "publishing"], "NQ01-2007", "split", "2007-08-01"),
                until="2007-07-31",
            ),
        ),
        body(
            "Ministry of Post and Telematics", "Ministry of Post and Telematics", "Bộ Bưu chính, Viễn thông", "ministry",
            **ceased(to("MIC", ALL, "NQ01-2007", "renamed", "2007-08-01"), until="2007-07-31"),
        ),
        # Agencies of the Government
        body("VSS", "Viet Nam Social Security", ["Bảo hiểm xã hội Việt Nam", "BHXH Việt Nam"], "government_agency",
             parent="Government",
             moves=[{"parent": "MOF", "date": REFORM, "basis": [_basis("NQ176"), _basis("ND29"), _basis("QD391")]}]),
        body("VASS", "Viet Nam Academy of Social Sciences", "Viện Hàn lâm Khoa học xã hội Việt Nam", "government_agency",
             variants=["Vietnam Academy of Social Sciences"]),
        body("VAST", "Viet Nam Academy of Science and Technology", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam",
             "government_agency", variants=["Vietnam Academy of Science and Technology"]),
        body("VNA", "Vietnam News Agency", ["Thông tấn xã Việt Nam", "TTXVN"], "government_agency"),
        body("VTV", "Vietnam Television", "Đài Truyền hình Việt Nam", "government_agency",
             variants=["Viet Nam Television"]),
        body("VOV", "Voice of Vietnam", "Đài Tiếng nói Việt Nam", "government_agency", variants=["Voice of Viet Nam"]),
        body("HCMA", "Ho Chi Minh National Academy of Politics", "Học viện Chính trị quốc gia Hồ Chí Minh",
             "government_agency"),
        body("Ho Chi Minh Mausoleum Management Board", "Ho Chi Minh Mausoleum Management Board",
             "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh", "government_agency"),
        body("CMSC", "Commission for the Management of State Capital at Enterprises",
             "Ủy ban Quản lý vốn nhà nước tại doanh nghiệp", "government_agency",
             **ceased(to("MOF", ALL, "NQ176", unverified=True))),
        body("Government Cipher Committee", "Government Cipher Committee", "Ban Cơ yếu Chính phủ", "government_agency",
             parent="MOD", variants=["Vietnam Government Cipher Committee"]),
        body("VBSP", "Vietnam Bank for Social Policies", "Ngân hàng Chính sách xã hội", "policy_bank"),
    ]


def state_bodies() -> list[dict]:
    """The National Assembly and its bodies, the President, courts, procuracy and audit."""
    na = "National Assembly"

    def committee(id, en, vi, until=None, lineage=(), variants=(), valid_from=None):
        extra = {"valid_until": until, "lineage": list(lineage)} if until else {}
        if valid_from:
            extra["valid_from"] = valid_from
        return body(id, en, vi, "na_committee", parent=na, variants=variants, **extra)

    new = "2025-02-18"
    old = "2025-02-17"
    return [
        body(na, na, "Quốc hội", "national_assembly", variants=["Vietnamese National Assembly"]),
        body("NASC", "Standing Committee of the National Assembly", ["Ủy ban Thường vụ Quốc hội", "UBTVQH"],
             "national_assembly", parent=na, variants=["National Assembly Standing Committee"]),
        body("National Assembly Office", "Office of the National Assembly", "Văn phòng Quốc hội", "national_assembly",
             parent=na, variants=["National Assembly Office"]),
        committee("Ethnic Council", "Ethnic Council of the National Assembly", ["Hội đồng Dân tộc"],
                  variants=["Council for Ethnic Affairs", "Council of Ethnic Affairs"]),
        committee("Committee for Legal Affairs", "Committee for Legal Affairs of the National Assembly",
                  ["Ủy ban Pháp luật của Quốc hội", "Ủy ban Pháp luật Quốc hội"], old,
                  [to("Committee for Legal and Judicial Affairs", ALL, "NQ178", date=new)],
                  ["NA Law Committee", "Law Committee of the National Assembly"]),
        committee("Committee for Judicial Affairs", "Judicial Committee of the National Assembly",
                  ["Ủy ban Tư pháp của Quốc hội", "Ủy ban Tư pháp Quốc hội"], old,
                  [to("Committee for Legal and Judicial Affairs", ALL, "NQ178", date=new)]),
        committee("Economic Committee", "Economic Committee of the National Assembly",
                  ["Ủy ban Kinh tế của Quốc hội", "Ủy ban Kinh tế Quốc hội"], old,
                  [to("Committee for Economic and Financial Affairs", ALL, "NQ178", date=new)]),
        committee("Finance and Budget Committee", "Finance and Budget Committee of the National Assembly",
                  ["Ủy ban Tài chính, Ngân sách", "Ủy ban Tài chính - Ngân sách"], old,
                  [to("Committee for Economic and Financial Affairs", ALL, "NQ178", date=new)]),
        committee("Committee for Culture and Education", "Committee for Culture and Education of the National Assembly",
                  ["Ủy ban Văn hóa, Giáo dục", "Ủy ban Văn hóa - Giáo dục"], old,
                  [to("Committee for Culture and Social Affairs", ALL, "NQ178", date=new)]),
        committee("Committee for Social Affairs", "Committee for Social Affairs of the National Assembly",
                  ["Ủy ban Xã hội của Quốc hội", "Ủy ban Xã hội Quốc hội"], old,
                  [to("Committee for Culture and Social Affairs", ALL, "NQ178", date=new)]),
        committee("National Defence and Security Committee", "National Defence and Security Committee",
                  ["Ủy ban Quốc phòng và An ninh"], old,
                  [to("Committee for National Defence, Security and Foreign Affairs", ALL, "NQ178", "renamed", new)]),
        committee("Committee for External Relations", "Committee for External Relations of the National Assembly",
                  ["Ủy ban Đối ngoại của Quốc hội", "Ủy ban Đối ngoại Quốc hội"], old,
                  [to("Committee for National Defence, Security and Foreign Affairs", ["external relations"], "NQ178",
                      date=new),
                   to("MOFA", ["external relations"], "KL121", "transferred", new)]),
        committee("Committee for Science, Technology and Environment",
                  "Committee for Science, Technology and Environment", ["Ủy ban Khoa học, Công nghệ và Môi trường"]),
        committee("Committee for Legal and Judicial Affairs", "Committee for Legal and Judicial Affairs",
                  ["Ủy ban Pháp luật và Tư pháp"], valid_from=new),
        committee("Committee for Economic and Financial Affairs", "Committee for Economic and Financial Affairs",
                  ["Ủy ban Kinh tế và Tài chính"], valid_from=new),
        committee("Committee for Culture and Social Affairs", "Committee for Culture and Social Affairs",
                  ["Ủy ban Văn hóa và Xã hội"], valid_from=new, variants=["Committee on Cultural and Social Affairs"]),
        committee("Committee for National Defence, Security and Foreign Affairs",
                  "Committee for National Defence, Security and Foreign Affairs",
                  ["Ủy ban Quốc phòng, An ninh và Đối ngoại"], valid_from=new,
                  variants=["Committee on National Defense, Security and External Relations"]),
        committee("Committee for Deputies' Affairs", "Committee for Deputies' Affairs", ["Ủy ban Công tác đại biểu"],
                  valid_from=new),
        committee("Committee for Petitions and Oversight", "Committee for Petitions and Oversight",
                  ["Ủy ban Dân nguyện và Giám sát"], valid_from=new),
        body("State President", "President of the Socialist Republic of Viet Nam", ["Chủ tịch nước"],
             "president_office", variants=["State President", "President of Viet Nam", "President of Vietnam"]),
        body("Office of the President", "Office of the President", "Văn phòng Chủ tịch nước", "president_office",
             parent="State President", variants=["President's Office"]),
        body("SPC", "Supreme People's Court", ["Tòa án nhân dân tối cao", "Toà án nhân dân tối cao", "TANDTC"], "court"),
        body("SPP", "Supreme People's Procuracy", ["Viện kiểm sát nhân dân tối cao", "VKSNDTC"], "procuracy",
             variants=["Supreme People's Procuratorate"]),
        body("SAV", "State Audit Office of Viet Nam", ["Kiểm toán nhà nước", "KTNN"], "state_audit",
             variants=["State Audit of Vietnam", "State Audit Office of Vietnam", "State Audit Office"]),
    ]


def party_and_front() -> list[dict]:
    """Central Party bodies (with the 2025 mergers), the Fatherland Front and mass organisations."""
    merged = "2025-02-03"  # the Politburo's decisions were announced on this day
    party = "Party Central Committee"
    pm = "Central Propaganda and Mass Mobilisation Commission"
    return [
        body(party, "Central Committee of the Communist Party of Viet Nam",
             ["Ban Chấp hành Trung ương Đảng", "Ban Chấp hành Trung ương"], "party",
             variants=["Party Central Committee", "CPV Central Committee"]),
        body("Politburo", "Politburo", "Bộ Chính trị", "party", parent=party, variants=["Political Bureau"]),
        body("Party Secretariat", "Secretariat of the Party Central Committee", ["Ban Bí thư Trung ương Đảng", "Ban Bí thư"],
             "party", parent=party, variants=["Party Secretariat"]),
        body("Central Organisation Commission", "Central Organisation Commission", "Ban Tổ chức Trung ương", "party",
             parent=party, variants=["Central Organization Commission", "Party Central Committee's Organisation Commission"]),
        body("Central Propaganda Commission", "Central Propaganda and Education Commission", "Ban Tuyên giáo Trung ương",
             "party", parent=party, variants=["Central Propaganda Commission", "Central Propaganda Department"],
             **ceased(to(pm, ALL, "KL121", date=merged), until="2025-02-02")),
        body("Central Mass Mobilisation Commission", "Central Mass Mobilisation Commission", "Ban Dân vận Trung ương",
             "party", parent=party, variants=["Central Mass Mobilization Commission"],
             **ceased(to(pm, ALL, "KL121", date=merged), until="2025-02-02")),
        body(pm, pm, "Ban Tuyên giáo và Dân vận Trung ương", "party", parent=party,
             variants=["Central Propaganda and Mass Mobilization Commission"], valid_from=merged),
        body("Central Inspection Commission", "Central Inspection Commission", "Ủy ban Kiểm tra Trung ương", "party",
             parent=party),
        body("Central Internal Affairs Commission", "Central Internal Affairs Commission", "Ban Nội chính Trung ương",
             "party", parent=party),
        body("Central Economic Commission", "Central Economic Commission", "Ban Kinh tế Trung ương", "party",
             parent=party, **ceased(to("Central Policy and Strategy Commission", ALL, "KL121", "renamed", merged),
                                    until="2025-02-02")),
        body("Central Policy and Strategy Commission", "Central Policy and Strategy Commission",
             "Ban Chính sách, chiến lược Trung ương", "party", parent=party, valid_from=merged),
        body("Central External Relations Commission", "Central Commission for External Relations",
             "Ban Đối ngoại Trung ương", "party", parent=party, variants=["Central External Relations Commission"],
             **ceased(to("MOFA", ["external relations"], "KL121", "transferred", merged),
                      to("Central Party Office", ["part of the work"], "KL121", "transferred", merged),
                      until="2025-02-02")),
        body("Central Party Office", "Central Party Office", ["Văn phòng Trung ương Đảng"], "party", parent=party,
             variants=["Office of the Party Central Committee"]),
        body("VFF", "Viet Nam Fatherland Front", ["Mặt trận Tổ quốc Việt Nam", "MTTQ Việt Nam"], "front",
             variants=["Vietnam Fatherland Front", "Fatherland Front"]),
        body("VGCL", "Vietnam General Confederation of Labour", "Tổng Liên đoàn Lao động Việt Nam", "mass_org",
             parent="VFF"),
        body("VWU", "Vietnam Women's Union", ["Hội Liên hiệp Phụ nữ Việt Nam", "Hội LHPN Việt Nam"], "mass_org",
             parent="VFF", variants=["Viet Nam Women's Union"]),
        body("HCYU", "Ho Chi Minh Communist Youth Union", ["Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh"],
             "mass_org", parent="VFF", variants=["Youth Union"]),
        body("VNFU", "Vietnam Farmers' Union", "Hội Nông dân Việt Nam", "mass_org", parent="VFF",
             variants=["Viet Nam Farmers' Union"]),
        body("VVA", "Vietnam Veterans' Association", "Hội Cựu chiến binh Việt Nam", "mass_org", parent="VFF",
             variants=["Viet Nam Veterans' Association"]),
        body("VNRC", "Vietnam Red Cross Society", "Hội Chữ thập đỏ Việt Nam", "mass_org",
             variants=["Viet Nam Red Cross Society", "Vietnam Red Cross"]),
        body("VAE", "Vietnam Association of the Elderly", "Hội Người cao tuổi Việt Nam", "mass_org"),
    ]


def departments() -> list[dict]:
    """Departments and institutes of the big ministries, with their parents and their 2025 moves."""

    def dept(id, en, vi, parent, variants=(), acronyms=(), **extra):
        return body(id, en, vi, extra.pop("kind", "department"), acronyms, variants, parent, **extra)

    def move(parent, basis, unverified=False):
        item = {"parent": parent, "date": REFORM, "basis": [_basis(k) for k in basis]}
        return {"moves": [item | ({"unverified": True} if unverified else {})]}

    moh = ["NQ176", "ND42"]
    moha = ["NQ176", "ND25"]
    return [
        dept("SAD", "Social Assistance Department", ["Cục Bảo trợ xã hội"], "MOLISA",
             ["Department of Social Assistance", "Department of Social Protection"], **move("MOH", moh)),
        dept("Department of Children", "Department of Children", ["Cục Trẻ em"], "MOLISA", ["Children Department"],
             **ceased(to("Department of Mothers and Children", ["children"], moh, unverified=True))),
        dept("Department of Social Evils Prevention", "Department of Social Evils Prevention",
             ["Cục Phòng, chống tệ nạn xã hội"], "MOLISA", ["Department of Social Vice Prevention"],
             **move("MOH", moh, unverified=True)),
        dept("Department of Employment", "Department of Employment", ["Cục Việc làm"], "MOLISA",
             ["Employment Department", "Bureau of Employment"], **move("MOHA", moha)),
        dept("Department of Overseas Labour", "Department of Overseas Labour", ["Cục Quản lý lao động ngoài nước"],
             "MOLISA", ["Department of Overseas Labour Management", "Department of Overseas Labor", "DOLAB"],
             **move("MOHA", moha)),
        dept("Department of Meritorious People", "Department of Meritorious People", ["Cục Người có công"], "MOLISA",
             ["Department of People with Meritorious Services"], **move("MOHA", moha)),
        dept("Department of Work Safety", "Department of Work Safety", ["Cục An toàn lao động"], "MOLISA",
             ["Department of Occupational Safety"],
             **ceased(to("MOHA", ["occupational safety and health"], moha, "transferred"))),
        dept("DVET", "Directorate of Vocational Education and Training", ["Tổng cục Giáo dục nghề nghiệp"], "MOLISA",
             ["General Department of Vocational Education and Training"],
             **ceased(to("Department of Vocational Education and Continuing Education", ["vocational education"],
                         ["NQ176", "ND37"]))),
        dept("Department of Gender Equality", "Department of Gender Equality", ["Vụ Bình đẳng giới"], "MOLISA",
             **ceased(to("Department of Youth and Gender Equality", ["gender equality"], moha))),
        dept("MOLISA Department of Social Insurance", "Department of Social Insurance (MOLISA)", ["Vụ Bảo hiểm xã hội"],
             "MOLISA", **ceased(to("Department of Salaries and Social Insurance", ["social insurance"], moha))),
        dept("Department of Labour and Wages", "Department of Labour and Wages", ["Vụ Lao động - Tiền lương"], "MOLISA",
             **ceased(to("Department of Salaries and Social Insurance", ["wages"], moha))),
        dept("ILSSA", "Institute of Labour Science and Social Affairs", ["Viện Khoa học Lao động và Xã hội"], "MOLISA",
             ["Research Institute for Labour Science and Social Affairs"], kind="institute",
             **ceased(to("MOHA", ALL, moha, unverified=True))),
        # MOHA after the merger
        dept("Department of Salaries and Social Insurance", "Department of Salaries and Social Insurance",
             ["Vụ Tiền lương và Bảo hiểm xã hội"], "MOHA", ["Department of Salary and Social Insurance"],
             valid_from=REFORM),
        dept("Department of Youth and Gender Equality", "Department of Youth and Gender Equality Work",
             ["Vụ Công tác thanh niên và Bình đẳng giới"], "MOHA", valid_from=REFORM),
        dept("Government Committee for Religious Affairs", "Government Committee for Religious Affairs",
             ["Ban Tôn giáo Chính phủ"], "MOHA",
             **ceased(to("Ministry of Ethnic Minorities and Religions", ["religion"], ["NQ176", "ND41"]))),
        dept("Central Emulation and Commendation Board", "Central Emulation and Commendation Board",
             ["Ban Thi đua - Khen thưởng Trung ương"], "MOHA"),
        # MOH
        dept("Department of Mothers and Children", "Department of Mothers and Children", ["Cục Bà mẹ và Trẻ em"], "MOH",
             valid_from=REFORM),
        dept("Health Insurance Department", "Health Insurance Department", ["Vụ Bảo hiểm y tế"], "MOH"),
        dept("DAV", "Drug Administration of Vietnam", ["Cục Quản lý Dược"], "MOH"),
        dept("VFA", "Vietnam Food Administration", ["Cục An toàn thực phẩm"], "MOH", ["Food Safety Department"]),
        dept("General Department of Population", "General Department of Population", ["Tổng cục Dân số"], "MOH",
             **ceased(to("Population Department", ALL, moh, "renamed"))),
        dept("Population Department", "Population Department", ["Cục Dân số"], "MOH", valid_from=REFORM),
        # MOET
        dept("Department of Vocational Education and Continuing Education",
             "Department of Vocational Education and Continuing Education",
             ["Cục Giáo dục nghề nghiệp và Giáo dục thường xuyên"], "MOET", valid_from=REFORM),
        # MPI, MOF
        dept("GSO", "General Statistics Office", ["Tổng cục Thống kê"], "MPI", ["General Statistics Office of Viet Nam"],
             **ceased(to("National Statistics Office", ALL, ["NQ176", "ND29"], "renamed"))),
        dept("National Statistics Office", "National Statistics Office", ["Cục Thống kê"], "MOF",
             ["Statistics Office"], valid_from=REFORM),
        dept("GDT", "General Department of Taxation", ["Tổng cục Thuế"], "MOF",
             **ceased(to("Department of Taxation", ALL, ["NQ176", "ND29"], "renamed"))),
        dept("Department of Taxation", "Department of Taxation", ["Cục Thuế"], "MOF", ["Tax Department"],
             valid_from=REFORM),
        dept("GDVC", "General Department of Vietnam Customs", ["Tổng cục Hải quan"], "MOF",
             ["General Department of Customs"],
             **ceased(to("Customs Department", ALL, ["NQ176", "ND29"], "renamed"))),
        dept("Customs Department", "Customs Department", ["Cục Hải quan"], "MOF", ["Department of Customs"],
             valid_from=REFORM),
        dept("State Treasury", "State Treasury", ["Kho bạc Nhà nước"], "MOF", ["Vietnam State Treasury"]),
        dept("SSC", "State Securities Commission", ["Ủy ban Chứng khoán Nhà nước"], "MOF",
             ["State Securities Commission of Viet Nam"]),
    ]


GROUPS = [
    body("People's Committees", "Provincial People's Committees",
         ["Ủy ban nhân dân cấp tỉnh", "Chủ tịch Ủy ban nhân dân cấp tỉnh", "UBND cấp tỉnh", "UBND các tỉnh, thành phố"],
         "province_committee", variants=["People's Committees of provinces and centrally-run cities"]),
    body("Ministries and ministry-level agencies", "Ministries and ministry-level agencies",
         ["các bộ, cơ quan ngang bộ", "bộ, cơ quan ngang bộ", "các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
          "Bộ trưởng, Thủ trưởng cơ quan ngang bộ",
          "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ",
          "Thủ trưởng cơ quan ngang bộ", "Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ",
          "cơ quan ngang bộ"],
         "group", variants=["ministries and ministry-level agencies", "ministries, ministry-level agencies",
                            "Ministers and Heads of ministry-level agencies", "ministerial-level agencies"]),
    body("District-level People's Committees", "District-level People's Committees",
         ["Ủy ban nhân dân cấp huyện", "UBND cấp huyện", "Chủ tịch Ủy ban nhân dân cấp huyện",
          "Ủy ban nhân dân các quận, huyện", "UBND các quận, huyện"],
         "group", variants=["district-level People's Committees", "District People's Committees"],
         **ceased(to("Commune-level People's Committees", ["district-level tasks"], "LOCAL2025", "dissolved",
                     "2025-07-01"),
                  to("People's Committees", ["district-level tasks"], "LOCAL2025", "dissolved", "2025-07-01"),
                  until="2025-06-30")),
    body("Commune-level People's Committees", "Commune-level People's Committees",
         ["Ủy ban nhân dân cấp xã", "UBND cấp xã", "Chủ tịch Ủy ban nhân dân cấp xã"], "group",
         variants=["commune-level People's Committees"]),
    body("People's Councils", "People's Councils",
         ["Hội đồng nhân dân các tỉnh, thành phố trực thuộc trung ương", "Hội đồng nhân dân cấp tỉnh",
          "HĐND cấp tỉnh", "Hội đồng nhân dân các cấp", "HĐND các cấp"],
         "province_council", variants=["Provincial People's Councils", "People's Councils of provinces and cities"]),
]

INTERNATIONAL = ["ILO", "UNICEF", "UNDP", "UN Women", "UNFPA", "UNAIDS", "UN-Habitat", "World Bank", "GIZ", "DFID",
                 "Irish Aid", "FAO", "EU", "OECD", "ADB", "UN Social Protection JPG"]
FILE_GROUPS_KIND = "group"


def from_glossary_file(bodies: list[dict]) -> list[dict]:
    """Every variant corpus/glossary.json gives a body joins it, so the built-in gazetteer matches at least as much;
    its international partners and groups come in whole."""
    data = json.loads(GLOSSARY.read_text(encoding="utf-8"))
    by_id = {b["id"]: b for b in bodies}
    added: list[dict] = []
    for key in ("agencies", "groups"):
        for item in data[key]:
            names = [n for n in [*item.get("variants", []), *item.get("vi", [])] if n]
            if item["name"] in by_id:
                known = _names(by_id[item["name"]])
                by_id[item["name"]]["variants"] += [n for n in names if n not in known]
            elif key == "groups":
                added.append(body(item["name"], item["name"], [], "group", variants=names))
            elif item["name"] in INTERNATIONAL:
                added.append(body(item["name"], names[0] if names else item["name"], [], "international",
                                  variants=names[1:] if names else []))
            else:
                raise SystemExit(f"{GLOSSARY}: {item['name']!r} is not in the gazetteer — add it to {__file__}")
    return bodies + added


def _names(b: dict) -> set[str]:
    return {b["id"], b["en"], b["vi"], *b["acronyms"], *b["variants"]}


def main() -> None:
    bodies = central_bodies() + state_bodies() + party_and_front() + departments() + GROUPS
    bodies = from_glossary_file(bodies) + province_bodies(_basis("NQ202"), _basis("NQ1314"))
    data = {
        "about": "Vietnam's state bodies for policykb: ministries and agencies before and after the reorganisation of "
        "1 March 2025, the National Assembly and its committees, courts, procuracy, audit, central Party bodies, the "
        "Fatherland Front and mass organisations, the 63 provinces before 1 July 2025 and the 34 after with their "
        "People's Committees and Councils, departments of the big ministries, and international partners. Written by "
        "scripts/build_gazetteer.py; lineage items cite their legal basis, and say \"unverified\": true where the "
        "basis was not checked against a source.",
        "sources": SOURCES,
        "bodies": bodies,
    }
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, OUT)
    print(f"wrote {len(bodies)} bodies to {OUT}")


if __name__ == "__main__":
    main()
