"""The Government and its ministries (before and after 1 March 2025), government agencies, the National Assembly and
its committees, the President, courts, procuracy and audit; read by scripts/build_gazetteer.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gazetteer_records import ALL, REFORM, body, ceased, legal_basis, to  # noqa: E402


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
            **ceased(
                to("Ministry of Ethnic Minorities and Religions", ["ethnic affairs"], ["NQ176", "ND41"], "renamed")
            ),
        ),
        body(
            "MOD",
            "Ministry of National Defence",
            "Bộ Quốc phòng",
            "ministry",
            ["MoD", "MND"],
            ["Ministry of National Defense", "Ministry of Defence"],
        ),
        body("MPS", "Ministry of Public Security", "Bộ Công an", "ministry", ["MoPS"]),
        body("MOFA", "Ministry of Foreign Affairs", "Bộ Ngoại giao", "ministry", ["MoFA"]),
        body(
            "MOHA",
            "Ministry of Home Affairs",
            "Bộ Nội vụ",
            "ministry",
            ["MoHA"],
            lineage=[to("Ministry of Ethnic Minorities and Religions", ["religion"], ["NQ176", "ND41"], "transferred")],
        ),
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
                    [
                        "labour",
                        "wages",
                        "employment",
                        "social insurance",
                        "occupational safety and health",
                        "people with meritorious services",
                        "gender equality",
                    ],
                    ["NQ176", "ND25"],
                ),
                to(
                    "MOH",
                    ["social protection", "children", "prevention of social evils"],
                    ["NQ176", "ND42"],
                    "transferred",
                ),
                to("MOET", ["vocational education"], ["NQ176", "ND37"], "transferred"),
            ),
        ),
        body(
            "MOT",
            "Ministry of Transport",
            ["Bộ Giao thông vận tải", "Bộ GTVT"],
            "ministry",
            ["MoT"],
            **ceased(to("MOC", ALL, "NQ176")),
        ),
        body("MOC", "Ministry of Construction", "Bộ Xây dựng", "ministry", ["MoC"]),
        body(
            "MIC",
            "Ministry of Information and Communications",
            ["Bộ Thông tin và Truyền thông", "Bộ TT&TT", "Bộ TTTT"],
            "ministry",
            valid_from="2007-08-01",
            note="valid_from from Resolution 01/2007/QH12, not verified against a source",
            **ceased(to("MOST", ALL, "NQ176")),
        ),
        body(
            "MOET",
            "Ministry of Education and Training",
            ["Bộ Giáo dục và Đào tạo", "Bộ GD&ĐT", "Bộ GDĐT"],
            "ministry",
            ["MoET"],
        ),
        body(
            "MARD",
            "Ministry of Agriculture and Rural Development",
            ["Bộ Nông nghiệp và Phát triển nông thôn", "Bộ NN&PTNT", "Bộ NNPTNT"],
            "ministry",
            ["MoARD"],
            **ceased(to("MAE", ALL, "NQ176")),
        ),
        body(
            "MONRE",
            "Ministry of Natural Resources and Environment",
            ["Bộ Tài nguyên và Môi trường", "Bộ TN&MT", "Bộ TNMT"],
            "ministry",
            ["MoNRE"],
            **ceased(to("MAE", ALL, "NQ176")),
        ),
        body(
            "MAE",
            "Ministry of Agriculture and Environment",
            ["Bộ Nông nghiệp và Môi trường", "Bộ NN&MT"],
            "ministry",
            ["MoAE"],
            valid_from=REFORM,
        ),
        body(
            "MOST",
            "Ministry of Science and Technology",
            ["Bộ Khoa học và Công nghệ", "Bộ KH&CN", "Bộ KHCN"],
            "ministry",
            ["MoST"],
        ),
        body(
            "MOCST",
            "Ministry of Culture, Sports and Tourism",
            ["Bộ Văn hóa, Thể thao và Du lịch", "Bộ VHTTDL"],
            "ministry",
            ["MCST", "MoCST"],
            valid_from="2007-08-01",
            note="valid_from from Resolution 01/2007/QH12, not verified against a source",
        ),
        body("MOH", "Ministry of Health", "Bộ Y tế", "ministry", ["MoH"]),
        body(
            "Ministry of Ethnic Minorities and Religions",
            "Ministry of Ethnic Minorities and Religions",
            ["Bộ Dân tộc và Tôn giáo"],
            "ministry",
            ["MEMR"],
            ["Ministry of Ethnic and Religious Affairs", "Ministry of Ethnic Affairs and Religion"],
            valid_from=REFORM,
        ),
        body(
            "Ministry of Culture and Information",
            "Ministry of Culture and Information",
            "Bộ Văn hóa - Thông tin",
            "ministry",
            **ceased(
                to("MOCST", ["culture"], "NQ01-2007", "split", "2007-08-01"),
                to("MIC", ["press", "publishing"], "NQ01-2007", "split", "2007-08-01"),
                until="2007-07-31",
            ),
        ),
        body(
            "Ministry of Post and Telematics",
            "Ministry of Post and Telematics",
            "Bộ Bưu chính, Viễn thông",
            "ministry",
            **ceased(to("MIC", ALL, "NQ01-2007", "renamed", "2007-08-01"), until="2007-07-31"),
        ),
        # Agencies of the Government
        body(
            "VSS",
            "Viet Nam Social Security",
            ["Bảo hiểm xã hội Việt Nam", "BHXH Việt Nam"],
            "government_agency",
            parent="Government",
            moves=[
                {
                    "parent": "MOF",
                    "date": REFORM,
                    "basis": [legal_basis("NQ176"), legal_basis("ND29"), legal_basis("QD391")],
                }
            ],
        ),
        body(
            "VASS",
            "Viet Nam Academy of Social Sciences",
            "Viện Hàn lâm Khoa học xã hội Việt Nam",
            "government_agency",
            variants=["Vietnam Academy of Social Sciences"],
        ),
        body(
            "VAST",
            "Viet Nam Academy of Science and Technology",
            "Viện Hàn lâm Khoa học và Công nghệ Việt Nam",
            "government_agency",
            variants=["Vietnam Academy of Science and Technology"],
        ),
        body("VNA", "Vietnam News Agency", ["Thông tấn xã Việt Nam", "TTXVN"], "government_agency"),
        body(
            "VTV",
            "Vietnam Television",
            "Đài Truyền hình Việt Nam",
            "government_agency",
            variants=["Viet Nam Television"],
        ),
        body("VOV", "Voice of Vietnam", "Đài Tiếng nói Việt Nam", "government_agency", variants=["Voice of Viet Nam"]),
        body(
            "HCMA",
            "Ho Chi Minh National Academy of Politics",
            "Học viện Chính trị quốc gia Hồ Chí Minh",
            "government_agency",
        ),
        body(
            "Ho Chi Minh Mausoleum Management Board",
            "Ho Chi Minh Mausoleum Management Board",
            "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh",
            "government_agency",
        ),
        body(
            "CMSC",
            "Commission for the Management of State Capital at Enterprises",
            "Ủy ban Quản lý vốn nhà nước tại doanh nghiệp",
            "government_agency",
            **ceased(to("MOF", ALL, "NQ176", unverified=True)),
        ),
        body(
            "Government Cipher Committee",
            "Government Cipher Committee",
            "Ban Cơ yếu Chính phủ",
            "government_agency",
            parent="MOD",
            variants=["Vietnam Government Cipher Committee"],
        ),
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
        body(
            "NASC",
            "Standing Committee of the National Assembly",
            ["Ủy ban Thường vụ Quốc hội", "UBTVQH"],
            "national_assembly",
            parent=na,
            variants=["National Assembly Standing Committee"],
        ),
        body(
            "National Assembly Office",
            "Office of the National Assembly",
            "Văn phòng Quốc hội",
            "national_assembly",
            parent=na,
            variants=["National Assembly Office"],
        ),
        body(  # one per province: the deputies it elects (Law on the Organisation of the National Assembly, art. 43)
            "National Assembly delegations",
            "National Assembly delegations",
            "Đoàn đại biểu Quốc hội",
            "national_assembly",
            parent=na,
            variants=[
                "National Assembly deputies' delegations",
                "delegation of National Assembly deputies",
                "Đoàn ĐBQH",
            ],
        ),
        committee(
            "Ethnic Council",
            "Ethnic Council of the National Assembly",
            ["Hội đồng Dân tộc"],
            variants=["Council for Ethnic Affairs", "Council of Ethnic Affairs"],
        ),
        committee(
            "Committee for Legal Affairs",
            "Committee for Legal Affairs of the National Assembly",
            ["Ủy ban Pháp luật của Quốc hội", "Ủy ban Pháp luật Quốc hội"],
            old,
            [to("Committee for Legal and Judicial Affairs", ALL, "NQ178", date=new)],
            ["NA Law Committee", "Law Committee of the National Assembly"],
        ),
        committee(
            "Committee for Judicial Affairs",
            "Judicial Committee of the National Assembly",
            ["Ủy ban Tư pháp của Quốc hội", "Ủy ban Tư pháp Quốc hội"],
            old,
            [to("Committee for Legal and Judicial Affairs", ALL, "NQ178", date=new)],
        ),
        committee(
            "Economic Committee",
            "Economic Committee of the National Assembly",
            ["Ủy ban Kinh tế của Quốc hội", "Ủy ban Kinh tế Quốc hội"],
            old,
            [to("Committee for Economic and Financial Affairs", ALL, "NQ178", date=new)],
        ),
        committee(
            "Finance and Budget Committee",
            "Finance and Budget Committee of the National Assembly",
            ["Ủy ban Tài chính, Ngân sách", "Ủy ban Tài chính - Ngân sách"],
            old,
            [to("Committee for Economic and Financial Affairs", ALL, "NQ178", date=new)],
        ),
        committee(
            "Committee for Culture and Education",
            "Committee for Culture and Education of the National Assembly",
            ["Ủy ban Văn hóa, Giáo dục", "Ủy ban Văn hóa - Giáo dục"],
            old,
            [to("Committee for Culture and Social Affairs", ALL, "NQ178", date=new)],
        ),
        committee(
            "Committee for Social Affairs",
            "Committee for Social Affairs of the National Assembly",
            ["Ủy ban Xã hội của Quốc hội", "Ủy ban Xã hội Quốc hội"],
            old,
            [to("Committee for Culture and Social Affairs", ALL, "NQ178", date=new)],
        ),
        committee(
            "National Defence and Security Committee",
            "National Defence and Security Committee",
            ["Ủy ban Quốc phòng và An ninh"],
            old,
            [to("Committee for National Defence, Security and Foreign Affairs", ALL, "NQ178", "renamed", new)],
        ),
        committee(
            "Committee for External Relations",
            "Committee for External Relations of the National Assembly",
            ["Ủy ban Đối ngoại của Quốc hội", "Ủy ban Đối ngoại Quốc hội"],
            old,
            [
                to(
                    "Committee for National Defence, Security and Foreign Affairs",
                    ["external relations"],
                    "NQ178",
                    date=new,
                ),
                to("MOFA", ["external relations"], "KL121", "transferred", new),
            ],
        ),
        committee(
            "Committee for Science, Technology and Environment",
            "Committee for Science, Technology and Environment",
            ["Ủy ban Khoa học, Công nghệ và Môi trường"],
        ),
        committee(
            "Committee for Legal and Judicial Affairs",
            "Committee for Legal and Judicial Affairs",
            ["Ủy ban Pháp luật và Tư pháp"],
            valid_from=new,
        ),
        committee(
            "Committee for Economic and Financial Affairs",
            "Committee for Economic and Financial Affairs",
            ["Ủy ban Kinh tế và Tài chính"],
            valid_from=new,
        ),
        committee(
            "Committee for Culture and Social Affairs",
            "Committee for Culture and Social Affairs",
            ["Ủy ban Văn hóa và Xã hội"],
            valid_from=new,
            variants=["Committee on Cultural and Social Affairs"],
        ),
        committee(
            "Committee for National Defence, Security and Foreign Affairs",
            "Committee for National Defence, Security and Foreign Affairs",
            ["Ủy ban Quốc phòng, An ninh và Đối ngoại"],
            valid_from=new,
            variants=["Committee on National Defense, Security and External Relations"],
        ),
        committee(
            "Committee for Deputies' Affairs",
            "Committee for Deputies' Affairs",
            ["Ủy ban Công tác đại biểu"],
            valid_from=new,
        ),
        committee(
            "Committee for Petitions and Oversight",
            "Committee for Petitions and Oversight",
            ["Ủy ban Dân nguyện và Giám sát"],
            valid_from=new,
        ),
        body(
            "State President",
            "President of the Socialist Republic of Viet Nam",
            ["Chủ tịch nước"],
            "president_office",
            variants=["State President", "President of Viet Nam", "President of Vietnam"],
        ),
        body(
            "Office of the President",
            "Office of the President",
            "Văn phòng Chủ tịch nước",
            "president_office",
            parent="State President",
            variants=["President's Office"],
        ),
        body(
            "SPC", "Supreme People's Court", ["Tòa án nhân dân tối cao", "Toà án nhân dân tối cao", "TANDTC"], "court"
        ),
        body(
            "Provincial-level People's Courts",
            "Provincial-level People's Courts",
            "Tòa án nhân dân cấp tỉnh",
            "group",
            variants=[
                "provincial-level People's Courts",
                "provincial People's Courts",
                "Toà án nhân dân cấp tỉnh",
                "TAND cấp tỉnh",
                "Tòa án nhân dân tỉnh, thành phố trực thuộc trung ương",
            ],
        ),
        body(
            "District-level People's Courts",
            "District-level People's Courts",
            "Tòa án nhân dân cấp huyện",
            "group",
            variants=[
                "district-level People's Courts",
                "district People's Courts",
                "Toà án nhân dân cấp huyện",
                "TAND cấp huyện",
            ],
            **ceased(
                to("Regional People's Courts", ["first-instance trials"], "LAW81", "dissolved", "2025-07-01"),
                until="2025-06-30",
            ),
        ),
        body(
            "Regional People's Courts",
            "Regional People's Courts",
            "Tòa án nhân dân khu vực",
            "group",
            variants=["regional People's Courts", "Toà án nhân dân khu vực", "TAND khu vực"],
            valid_from="2025-07-01",
        ),
        body(
            "SPP",
            "Supreme People's Procuracy",
            ["Viện kiểm sát nhân dân tối cao", "VKSNDTC"],
            "procuracy",
            variants=["Supreme People's Procuratorate"],
        ),
        body(
            "SAV",
            "State Audit Office of Viet Nam",
            ["Kiểm toán nhà nước", "KTNN"],
            "state_audit",
            variants=["State Audit of Vietnam", "State Audit Office of Vietnam", "State Audit Office"],
        ),
    ]
