"""Central Party bodies, the Fatherland Front and mass organisations, departments of the big ministries, and
collective owners; read by scripts/build_gazetteer.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gazetteer_records import ALL, REFORM, body, ceased, legal_basis, to  # noqa: E402


def party_and_front() -> list[dict]:
    """Central Party bodies (with the 2025 mergers), the Fatherland Front and mass organisations."""
    merged = "2025-02-03"  # the Politburo's decisions were announced on this day
    when = {"note": "date: the day the Politburo's decisions were announced; their own dates were not checked"}
    party = "Party Central Committee"
    pm = "Central Propaganda and Mass Mobilisation Commission"
    return [
        body(
            party,
            "Central Committee of the Communist Party of Viet Nam",
            ["Ban Chấp hành Trung ương Đảng", "Ban Chấp hành Trung ương"],
            "party",
            variants=["Party Central Committee", "CPV Central Committee"],
        ),
        body("Politburo", "Politburo", "Bộ Chính trị", "party", parent=party, variants=["Political Bureau"]),
        body(
            "Party Secretariat",
            "Secretariat of the Party Central Committee",
            ["Ban Bí thư Trung ương Đảng", "Ban Bí thư"],
            "party",
            parent=party,
            variants=["Party Secretariat"],
        ),
        body(
            "Central Organisation Commission",
            "Central Organisation Commission",
            "Ban Tổ chức Trung ương",
            "party",
            parent=party,
            variants=["Central Organization Commission", "Party Central Committee's Organisation Commission"],
        ),
        body(
            "Central Propaganda Commission",
            "Central Propaganda and Education Commission",
            "Ban Tuyên giáo Trung ương",
            "party",
            parent=party,
            variants=["Central Propaganda Commission", "Central Propaganda Department"],
            **ceased(to(pm, ALL, "KL121", date=merged, **when), until="2025-02-02"),
        ),
        body(
            "Central Mass Mobilisation Commission",
            "Central Mass Mobilisation Commission",
            "Ban Dân vận Trung ương",
            "party",
            parent=party,
            variants=["Central Mass Mobilization Commission"],
            **ceased(to(pm, ALL, "KL121", date=merged, **when), until="2025-02-02"),
        ),
        body(
            pm,
            pm,
            "Ban Tuyên giáo và Dân vận Trung ương",
            "party",
            parent=party,
            variants=["Central Propaganda and Mass Mobilization Commission"],
            valid_from=merged,
        ),
        body(
            "Central Inspection Commission",
            "Central Inspection Commission",
            "Ủy ban Kiểm tra Trung ương",
            "party",
            parent=party,
        ),
        body(
            "Central Internal Affairs Commission",
            "Central Internal Affairs Commission",
            "Ban Nội chính Trung ương",
            "party",
            parent=party,
        ),
        body(
            "Central Economic Commission",
            "Central Economic Commission",
            "Ban Kinh tế Trung ương",
            "party",
            parent=party,
            **ceased(
                to("Central Policy and Strategy Commission", ALL, "KL121", "renamed", merged, **when),
                until="2025-02-02",
            ),
        ),
        body(
            "Central Policy and Strategy Commission",
            "Central Policy and Strategy Commission",
            "Ban Chính sách, chiến lược Trung ương",
            "party",
            parent=party,
            valid_from=merged,
        ),
        body(
            "Central External Relations Commission",
            "Central Commission for External Relations",
            "Ban Đối ngoại Trung ương",
            "party",
            parent=party,
            variants=["Central External Relations Commission"],
            **ceased(
                to("MOFA", ["external relations"], "KL121", "transferred", merged, **when),
                to("Central Party Office", ["part of the work"], "KL121", "transferred", merged, **when),
                until="2025-02-02",
            ),
        ),
        body(
            "Central Party Office",
            "Central Party Office",
            ["Văn phòng Trung ương Đảng"],
            "party",
            parent=party,
            variants=["Office of the Party Central Committee"],
        ),
        body(
            "VFF",
            "Viet Nam Fatherland Front",
            ["Mặt trận Tổ quốc Việt Nam", "MTTQ Việt Nam"],
            "front",
            variants=["Vietnam Fatherland Front", "Fatherland Front"],
        ),
        body(
            "VGCL",
            "Vietnam General Confederation of Labour",
            "Tổng Liên đoàn Lao động Việt Nam",
            "mass_org",
            parent="VFF",
        ),
        body(
            "VWU",
            "Vietnam Women's Union",
            ["Hội Liên hiệp Phụ nữ Việt Nam", "Hội LHPN Việt Nam"],
            "mass_org",
            parent="VFF",
            variants=["Viet Nam Women's Union"],
        ),
        body(
            "HCYU",
            "Ho Chi Minh Communist Youth Union",
            ["Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh"],
            "mass_org",
            parent="VFF",
            variants=["Youth Union"],
        ),
        body(
            "VNFU",
            "Vietnam Farmers' Union",
            "Hội Nông dân Việt Nam",
            "mass_org",
            parent="VFF",
            variants=["Viet Nam Farmers' Union"],
        ),
        body(
            "VVA",
            "Vietnam Veterans' Association",
            "Hội Cựu chiến binh Việt Nam",
            "mass_org",
            parent="VFF",
            variants=["Viet Nam Veterans' Association"],
        ),
        body(
            "VNRC",
            "Vietnam Red Cross Society",
            "Hội Chữ thập đỏ Việt Nam",
            "mass_org",
            variants=["Viet Nam Red Cross Society", "Vietnam Red Cross"],
        ),
        body("VAE", "Vietnam Association of the Elderly", "Hội Người cao tuổi Việt Nam", "mass_org"),
    ]


def departments() -> list[dict]:
    """Departments and institutes of the big ministries, with their parents and their 2025 moves."""

    def dept(id, en, vi, parent, variants=(), acronyms=(), **extra):
        return body(id, en, vi, extra.pop("kind", "department"), acronyms, variants, parent, **extra)

    def move(parent, basis, unverified=False):
        item = {"parent": parent, "date": REFORM, "basis": [legal_basis(k) for k in basis]}
        return {"moves": [item | ({"unverified": True} if unverified else {})]}

    moh = ["NQ176", "ND42"]
    moha = ["NQ176", "ND25"]
    return [
        dept(
            "SAD",
            "Social Assistance Department",
            ["Cục Bảo trợ xã hội"],
            "MOLISA",
            ["Department of Social Assistance", "Department of Social Protection"],
            **move("MOH", moh),
        ),
        dept(
            "Department of Children",
            "Department of Children",
            ["Cục Trẻ em"],
            "MOLISA",
            ["Children Department"],
            **ceased(to("Department of Mothers and Children", ["children"], moh, unverified=True)),
        ),
        dept(
            "Department of Social Evils Prevention",
            "Department of Social Evils Prevention",
            ["Cục Phòng, chống tệ nạn xã hội"],
            "MOLISA",
            ["Department of Social Vice Prevention"],
            **move("MOH", moh, unverified=True),
        ),
        dept(
            "Department of Employment",
            "Department of Employment",
            ["Cục Việc làm"],
            "MOLISA",
            ["Employment Department", "Bureau of Employment"],
            **move("MOHA", moha),
        ),
        dept(
            "Department of Overseas Labour",
            "Department of Overseas Labour",
            ["Cục Quản lý lao động ngoài nước"],
            "MOLISA",
            ["Department of Overseas Labour Management", "Department of Overseas Labor", "DOLAB"],
            **move("MOHA", moha),
        ),
        dept(
            "Department of Meritorious People",
            "Department of Meritorious People",
            ["Cục Người có công"],
            "MOLISA",
            ["Department of People with Meritorious Services"],
            **move("MOHA", moha),
        ),
        dept(
            "Department of Work Safety",
            "Department of Work Safety",
            ["Cục An toàn lao động"],
            "MOLISA",
            ["Department of Occupational Safety"],
            **ceased(to("MOHA", ["occupational safety and health"], moha, "transferred", unverified=True)),
        ),
        dept(
            "DVET",
            "Directorate of Vocational Education and Training",
            ["Tổng cục Giáo dục nghề nghiệp"],
            "MOLISA",
            ["General Department of Vocational Education and Training"],
            **ceased(
                to(
                    "Department of Vocational Education and Continuing Education",
                    ["vocational education"],
                    ["NQ176", "ND37"],
                )
            ),
        ),
        dept(
            "Department of Gender Equality",
            "Department of Gender Equality",
            ["Vụ Bình đẳng giới"],
            "MOLISA",
            **ceased(to("Department of Youth and Gender Equality", ["gender equality"], moha, unverified=True)),
        ),
        dept(
            "MOLISA Department of Social Insurance",
            "Department of Social Insurance (MOLISA)",
            ["Vụ Bảo hiểm xã hội"],
            "MOLISA",
            **ceased(to("Department of Salaries and Social Insurance", ["social insurance"], moha, unverified=True)),
        ),
        dept(
            "Department of Labour and Wages",
            "Department of Labour and Wages",
            ["Vụ Lao động - Tiền lương"],
            "MOLISA",
            **ceased(to("Department of Salaries and Social Insurance", ["wages"], moha, unverified=True)),
        ),
        dept(
            "ILSSA",
            "Institute of Labour Science and Social Affairs",
            ["Viện Khoa học Lao động và Xã hội"],
            "MOLISA",
            ["Research Institute for Labour Science and Social Affairs"],
            kind="institute",
            **ceased(to("MOHA", ALL, moha, unverified=True)),
        ),
        # MOHA after the merger
        dept(
            "Department of Salaries and Social Insurance",
            "Department of Salaries and Social Insurance",
            ["Vụ Tiền lương và Bảo hiểm xã hội"],
            "MOHA",
            ["Department of Salary and Social Insurance"],
            valid_from=REFORM,
        ),
        dept(
            "Department of Youth and Gender Equality",
            "Department of Youth and Gender Equality Work",
            ["Vụ Công tác thanh niên và Bình đẳng giới"],
            "MOHA",
            valid_from=REFORM,
        ),
        dept(
            "Government Committee for Religious Affairs",
            "Government Committee for Religious Affairs",
            ["Ban Tôn giáo Chính phủ"],
            "MOHA",
            **ceased(
                to("Ministry of Ethnic Minorities and Religions", ["religion"], ["NQ176", "ND41"], unverified=True)
            ),
        ),
        dept(
            "Central Emulation and Commendation Board",
            "Central Emulation and Commendation Board",
            ["Ban Thi đua - Khen thưởng Trung ương"],
            "MOHA",
        ),
        # MOH
        dept(
            "Department of Mothers and Children",
            "Department of Mothers and Children",
            ["Cục Bà mẹ và Trẻ em"],
            "MOH",
            valid_from=REFORM,
        ),
        dept("Health Insurance Department", "Health Insurance Department", ["Vụ Bảo hiểm y tế"], "MOH"),
        dept("DAV", "Drug Administration of Vietnam", ["Cục Quản lý Dược"], "MOH"),
        dept("VFA", "Vietnam Food Administration", ["Cục An toàn thực phẩm"], "MOH", ["Food Safety Department"]),
        dept(
            "General Department of Population",
            "General Department of Population",
            ["Tổng cục Dân số"],
            "MOH",
            **ceased(to("Population Department", ALL, moh, "renamed")),
        ),
        dept("Population Department", "Population Department", ["Cục Dân số"], "MOH", valid_from=REFORM),
        # MOET
        dept(
            "Department of Vocational Education and Continuing Education",
            "Department of Vocational Education and Continuing Education",
            ["Cục Giáo dục nghề nghiệp và Giáo dục thường xuyên"],
            "MOET",
            valid_from=REFORM,
        ),
        # MPI, MOF
        dept(
            "GSO",
            "General Statistics Office",
            ["Tổng cục Thống kê"],
            "MPI",
            ["General Statistics Office of Viet Nam"],
            **ceased(to("National Statistics Office", ALL, ["NQ176", "ND29"], "renamed", unverified=True)),
        ),
        dept(
            "National Statistics Office",
            "National Statistics Office",
            ["Cục Thống kê"],
            "MOF",
            ["Statistics Office"],
            valid_from=REFORM,
        ),
        dept(
            "GDT",
            "General Department of Taxation",
            ["Tổng cục Thuế"],
            "MOF",
            **ceased(to("Department of Taxation", ALL, ["NQ176", "ND29"], "renamed")),
        ),
        dept(
            "Department of Taxation",
            "Department of Taxation",
            ["Cục Thuế"],
            "MOF",
            ["Tax Department"],
            valid_from=REFORM,
        ),
        dept(
            "GDVC",
            "General Department of Vietnam Customs",
            ["Tổng cục Hải quan"],
            "MOF",
            ["General Department of Customs"],
            **ceased(to("Customs Department", ALL, ["NQ176", "ND29"], "renamed")),
        ),
        dept(
            "Customs Department",
            "Customs Department",
            ["Cục Hải quan"],
            "MOF",
            ["Department of Customs"],
            valid_from=REFORM,
        ),
        dept("State Treasury", "State Treasury", ["Kho bạc Nhà nước"], "MOF", ["Vietnam State Treasury"]),
        dept(
            "SSC",
            "State Securities Commission",
            ["Ủy ban Chứng khoán Nhà nước"],
            "MOF",
            ["State Securities Commission of Viet Nam"],
        ),
    ]


GROUPS = [
    body(
        "People's Committees",
        "Provincial People's Committees",
        ["Ủy ban nhân dân cấp tỉnh", "Chủ tịch Ủy ban nhân dân cấp tỉnh", "UBND cấp tỉnh", "UBND các tỉnh, thành phố"],
        "province_committee",
        variants=["People's Committees of provinces and centrally-run cities"],
    ),
    body(
        "Ministries and ministry-level agencies",
        "Ministries and ministry-level agencies",
        [
            "các bộ, cơ quan ngang bộ",
            "bộ, cơ quan ngang bộ",
            "các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
            "Bộ trưởng, Thủ trưởng cơ quan ngang bộ",
            "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ",
            "Thủ trưởng cơ quan ngang bộ",
            "Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ",
            "cơ quan ngang bộ",
        ],
        "group",
        variants=[
            "ministries and ministry-level agencies",
            "ministries, ministry-level agencies",
            "Ministers and Heads of ministry-level agencies",
            "ministerial-level agencies",
        ],
    ),
    body(
        "Governmental agencies",
        "Agencies of the Government",
        ["các cơ quan thuộc Chính phủ", "cơ quan thuộc Chính phủ", "Thủ trưởng cơ quan thuộc Chính phủ"],
        "group",
        variants=["agencies of the Government", "Government agencies"],
    ),
    body(
        "District-level People's Committees",
        "District-level People's Committees",
        [
            "Ủy ban nhân dân cấp huyện",
            "UBND cấp huyện",
            "Chủ tịch Ủy ban nhân dân cấp huyện",
            "Ủy ban nhân dân các quận, huyện",
            "UBND các quận, huyện",
        ],
        "group",
        variants=["district-level People's Committees", "District People's Committees"],
        **ceased(
            to("Commune-level People's Committees", ["district-level tasks"], "LOCAL2025", "dissolved", "2025-07-01"),
            to("People's Committees", ["district-level tasks"], "LOCAL2025", "dissolved", "2025-07-01"),
            until="2025-06-30",
        ),
    ),
    body(
        "Commune-level People's Committees",
        "Commune-level People's Committees",
        ["Ủy ban nhân dân cấp xã", "UBND cấp xã", "Chủ tịch Ủy ban nhân dân cấp xã"],
        "group",
        variants=["commune-level People's Committees"],
    ),
    body(
        "People's Councils",
        "People's Councils",
        [
            "Hội đồng nhân dân các tỉnh, thành phố trực thuộc trung ương",
            "Hội đồng nhân dân cấp tỉnh",
            "HĐND cấp tỉnh",
            "Hội đồng nhân dân các cấp",
            "HĐND các cấp",
        ],
        "province_council",
        variants=["Provincial People's Councils", "People's Councils of provinces and cities"],
    ),
]
