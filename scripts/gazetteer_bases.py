"""Legal bases and sources that the gazetteer's lineage cites; read by scripts/build_gazetteer.py.

Each basis was checked against the sources named with it, unless it says "unverified": true.
"""

from __future__ import annotations

SOURCES = [
    {
        "id": "laodong-176",
        "url": "https://news.laodong.vn/thoi-su/bo-may-cua-chinh-phu-sau-sap-xep-se-hoat-dong-tu-13-1469868.ldo",
        "supports": "Resolution 176/2025/QH15: 14 ministries and 3 ministry-level agencies from 1 March 2025; MPI into MOF, "
        "MOT into MOC, MARD and MONRE into MAE, MIC into MOST, MOLISA into MOHA; Ministry of Ethnic Minorities and "
        "Religions set up from the Committee for Ethnic Minority Affairs with religion added",
    },
    {
        "id": "lawnet-176",
        "url": "https://lawnet.vn/thong-tin-phap-luat/en/thong-bao-van-ban-moi/new-features-in-the-structure-of-the-government-of-vietnam-from-march-1-2025-176627.html",
        "supports": "Resolution 176/2025/QH15 passed 18 February 2025, replaces Resolution 08/2021/QH15; the new ministries "
        "operate from 1 March 2025, the old ones until 28 February 2025",
    },
    {
        "id": "luatvietnam-nd25",
        "url": "https://english.luatvietnam.vn/co-cau-to-chuc/decree-25-2025-nd-cp-defining-the-functions-tasks-powers-of-the-ministry-of-home-affairs-390759-d1.html",
        "supports": "Decree 25/2025/ND-CP of 21 February 2025 on MOHA: labour, salary, social insurance, employment, "
        "occupational safety, people with meritorious services, youth, gender equality",
    },
    {
        "id": "dantri-nd25",
        "url": "https://dtinews.dantri.com.vn/news/dantri-to-operate-under-the-ministry-of-home-affairs-20250226152650584.htm",
        "supports": "MOHA took from MOLISA labour, wages, employment, social insurance, occupational safety, people with "
        "meritorious services and gender equality; its departments after the merger",
    },
    {
        "id": "vietnam-nd42",
        "url": "https://vietnam.vn/en/co-cau-to-chuc-nhiem-vu-cua-bo-y-te-co-gi-thay-doi-tu-ngay-1-3",
        "supports": "Decree 42/2025/ND-CP of 27 February 2025 on MOH, its 20 units (Department of Social Protection, "
        "Department of Mothers and Children, Population Department, Health Insurance Department)",
    },
    {
        "id": "laodong-nd42",
        "url": "https://news.laodong.vn/thoi-su/quy-dinh-moi-ve-co-cau-to-chuc-cua-bo-y-te-tu-ngay-13-1464934.ldo",
        "supports": "MOH manages social protection, mothers and children, prevention and control of social evils (except "
        "drug addiction treatment)",
    },
    {
        "id": "laodong-moh-units",
        "url": "https://news.laodong.vn/y-te/nganh-y-te-doi-dien-voi-nhieu-thach-thuc-trong-nam-toi-1439938.ldo",
        "supports": "MOH receives MOLISA's Department of Children, Department of Social Protection and Department of "
        "Social Evils Prevention and Control",
    },
    {
        "id": "vietnam-nd37",
        "url": "https://vietnam.vn/en/xay-dung-he-thong-giao-duc-lien-thong-chuan-hoa",
        "supports": "Decree 37/2025/ND-CP of 26 February 2025 on MOET: vocational education returns to MOET from 1 March "
        "2025; the Directorate of Vocational Education and the Department of Continuing Education merge",
    },
    {
        "id": "luatvietnam-nd29",
        "url": "https://english.luatvietnam.vn/tai-chinh/decree-29-2025-nd-cp-define-the-functions-tasks-powers-of-the-ministry-of-finance-391470-d1.html",
        "supports": "Decree 29/2025/ND-CP of 24 February 2025 on MOF: socio-economic planning, investment, state budget",
    },
    {
        "id": "vss-391",
        "url": "https://vss.gov.vn/english/news/Pages/vietnam-social-security.aspx?CateID=198&ItemID=12519",
        "supports": "Decision 391/QD-BTC of 26 February 2025: Vietnam Social Security under the Ministry of Finance from "
        "1 March 2025",
    },
    {
        "id": "vietnam-nd41",
        "url": "https://vietnam.vn/en/phat-huy-hon-nua-dong-gop-cua-cac-dan-toc-ton-giao-cho-xay-dung-to-quoc",
        "supports": "Decree 41/2025/ND-CP on the Ministry of Ethnic Minorities and Religions, set up under Resolution "
        "176/2025/QH15",
    },
    {
        "id": "lawnet-178",
        "url": "https://lawnet.vn/thong-tin-phap-luat/en/chinh-sach-moi/resolution-178-on-the-organization-of-the-agencies-of-the-national-assembly-of-vietnam-176720.html",
        "supports": "Resolution 178/2025/QH15 of 18 February 2025: Ethnic Council and 7 committees of the National Assembly",
    },
    {
        "id": "laodong-kl121",
        "url": "https://news.laodong.vn/thoi-su/phuong-an-sap-xep-bo-may-co-quan-dang-quoc-hoi-chinh-phu-1455107.ldo",
        "supports": "Conclusion 121-KL/TW: Central Propaganda and Mass Mobilisation Commissions merge; Central Economic "
        "Commission renamed Central Policy and Strategy Commission; Central External Relations Commission ends (tasks "
        "to MOFA); NA committee mergers",
    },
    {
        "id": "znews-party",
        "url": "https://znews.vn/ong-nguyen-trong-nghia-lam-truong-ban-tuyen-giao-va-dan-van-trung-uong-post1527701.html",
        "supports": "Politburo decisions announced 3 February 2025: Ban Tuyên giáo và Dân vận Trung ương, Ban Chính sách, "
        "chiến lược Trung ương",
    },
    {
        "id": "laodong-202",
        "url": "https://news.laodong.vn/thoi-su/thoi-diem-ket-thuc-hoat-dong-bo-may-52-tinh-thanh-cu-1522769.ldo",
        "supports": "Resolution 202/2025/QH15 of 12 June 2025: 52 provincial units form 23; 34 from then on; 11 unchanged; "
        "new local governments operate from 1 July 2025",
    },
    {
        "id": "vietnam-202",
        "url": "https://www.vietnam.vn/en/nghi-quyet-cua-quoc-hoi-ve-sap-xep-don-vi-hanh-chinh-cap-tinh",
        "supports": "The resolution's list of mergers (Tuyen Quang, Lao Cai, Thai Nguyen, Phu Tho, Bac Ninh, ...)",
    },
    {
        "id": "vietaustralia-202",
        "url": "https://vietaustralia.com/en/official-new-map-of-vietnam-s-34-provinces-and-cities-after-the-2025-merger.html",
        "supports": "The 23 merged units from Tuyen Quang to Ho Chi Minh City",
    },
    {
        "id": "alexdenne-vinhlong",
        "url": "https://alexdenne.com/locations/vietnam/vinh-long",
        "supports": "Vinh Long formed from Ben Tre, Tra Vinh and Vinh Long",
    },
    {
        "id": "xetoday-dongnai",
        "url": "https://xe.today/2025/05/11/which-commune-level-administrative-units-remained-unchanged-after-the-merger-of-dong-nai-and-binh-phuoc-provinces",
        "supports": "Dong Nai merged with Binh Phuoc",
    },
    {
        "id": "laodong-longan",
        "url": "https://news.laodong.vn/thoi-su/long-an-neu-ly-do-sap-nhap-voi-tay-ninh-ma-khong-phai-tinh-khac-1498550.ldo",
        "supports": "Long An merged with Tay Ninh",
    },
    {
        "id": "pbgdpl-courts-2025",
        "url": "https://pbgdpl.gov.vn/SMPT_Publishing_UC/TinTuc/PrintTL.aspx?ItemID=4767&idb=1&l=%2Fnoidung%2Ftintuc%2FLists%2FGioithieuvanbanmoi",
        "supports": "Law amending the Law on Organisation of People's Courts, passed 24 June 2025, in force 1 July 2025: district-level People's Courts end; courts in three levels (Supreme, provincial-level, regional)",
    },
    {
        "id": "chiakhoaphapluat-81",
        "url": "https://chiakhoaphapluat.vn/nhung-diem-moi-noi-bat-ve-co-cau-to-chuc-toa-an-nhan-dan-tu-ngay-01-7-2025",
        "supports": "its number, Law 81/2025/QH15, and Article 4 as amended: Supreme People's Court, provincial-level People's Courts, regional People's Courts",
    },
]

BASES = {
    "NQ176": {
        "number": "176/2025/QH15",
        "title": "Resolution on the organisational structure of the Government for the 15th National Assembly term "
        "(Nghị quyết về cơ cấu tổ chức của Chính phủ nhiệm kỳ Quốc hội khóa XV)",
        "date": "2025-02-18",
        "sources": ["laodong-176", "lawnet-176"],
    },
    "ND25": {
        "number": "25/2025/ND-CP",
        "title": "Decree on the functions, tasks, powers and organisational structure of the Ministry of Home Affairs",
        "date": "2025-02-21",
        "sources": ["luatvietnam-nd25", "dantri-nd25"],
    },
    "ND42": {
        "number": "42/2025/ND-CP",
        "title": "Decree on the functions, tasks, powers and organisational structure of the Ministry of Health",
        "date": "2025-02-27",
        "sources": ["vietnam-nd42", "laodong-nd42", "laodong-moh-units"],
    },
    "ND37": {
        "number": "37/2025/ND-CP",
        "title": "Decree on the functions, tasks, powers and organisational structure of the Ministry of Education and "
        "Training",
        "date": "2025-02-26",
        "sources": ["vietnam-nd37"],
    },
    "ND29": {
        "number": "29/2025/ND-CP",
        "title": "Decree on the functions, tasks, powers and organisational structure of the Ministry of Finance",
        "date": "2025-02-24",
        "sources": ["luatvietnam-nd29"],
    },
    "QD391": {
        "number": "391/QD-BTC",
        "title": "Decision of the Minister of Finance on the functions, tasks, powers and organisational structure of "
        "Vietnam Social Security",
        "date": "2025-02-26",
        "sources": ["vss-391"],
    },
    "ND41": {
        "number": "41/2025/ND-CP",
        "title": "Decree on the functions, tasks, powers and organisational structure of the Ministry of Ethnic "
        "Minorities and Religions",
        "date": None,
        "sources": ["vietnam-nd41"],
    },
    "NQ178": {
        "number": "178/2025/QH15",
        "title": "Resolution on the organisation of the agencies of the National Assembly",
        "date": "2025-02-18",
        "sources": ["lawnet-178"],
    },
    "KL121": {
        "number": "121-KL/TW",
        "title": "Conclusion of the Party Central Committee on summarising Resolution 18-NQ/TW and streamlining the "
        "political system's apparatus",
        "date": "2025-01-24",
        "sources": ["laodong-kl121", "znews-party"],
    },
    "NQ202": {
        "number": "202/2025/QH15",
        "title": "Resolution on the arrangement of provincial-level administrative units "
        "(Nghị quyết về việc sắp xếp đơn vị hành chính cấp tỉnh)",
        "date": "2025-06-12",
        "sources": ["laodong-202", "vietnam-202", "vietaustralia-202"],
    },
    "LOCAL2025": {
        "number": "72/2025/QH15",
        "title": "Law on the Organisation of Local Government (two-tier local government from 1 July 2025)",
        "date": "2025-06-16",
        "sources": [],
        "unverified": True,
    },
    "NQ1314": {
        "number": "1314/NQ-UBTVQH15",
        "title": "Resolution of the National Assembly Standing Committee establishing Hue as a centrally-run city",
        "date": "2024-11-30",
        "sources": [],
        "unverified": True,
    },
    "LAW81": {
        "number": "81/2025/QH15",
        "title": "Law amending and supplementing a number of articles of the Law on Organisation of People's Courts (Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Tòa án nhân dân)",
        "date": "2025-06-24",
        "sources": ["pbgdpl-courts-2025", "chiakhoaphapluat-81"],
    },
    "NQ01-2007": {
        "number": "01/2007/QH12",
        "title": "Resolution on the structure of the Government for the 12th National Assembly term",
        "date": "2007-07-31",
        "sources": [],
        "unverified": True,
    },
}
