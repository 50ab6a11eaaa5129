"""The 63 provinces and centrally-run cities before 1 July 2025 and the 34 after, with their People's Committees and
People's Councils; read by scripts/build_gazetteer.py.

Resolution 202/2025/QH15 merged 52 units into 23, each named after one of its members, so every one of the 34 carries a
name of the 63: the 29 others cease on 30 June 2025 and name the unit they joined.
"""

from __future__ import annotations

# Vietnamese name, English names (first is canonical), "city" for centrally-run cities.
PROVINCES = [
    ("Hà Nội", ["Hanoi", "Ha Noi"], "city"),
    ("Hồ Chí Minh", ["Ho Chi Minh City", "HCMC", "HCM City"], "city"),
    ("Hải Phòng", ["Hai Phong", "Haiphong"], "city"),
    ("Đà Nẵng", ["Da Nang", "Danang"], "city"),
    ("Cần Thơ", ["Can Tho"], "city"),
    ("Huế", ["Hue"], "city"),
    ("Hà Giang", ["Ha Giang"], "province"),
    ("Cao Bằng", ["Cao Bang"], "province"),
    ("Bắc Kạn", ["Bac Kan", "Bac Can"], "province"),
    ("Tuyên Quang", ["Tuyen Quang"], "province"),
    ("Lào Cai", ["Lao Cai"], "province"),
    ("Điện Biên", ["Dien Bien"], "province"),
    ("Lai Châu", ["Lai Chau"], "province"),
    ("Sơn La", ["Son La"], "province"),
    ("Yên Bái", ["Yen Bai"], "province"),
    ("Hòa Bình", ["Hoa Binh"], "province"),
    ("Thái Nguyên", ["Thai Nguyen"], "province"),
    ("Lạng Sơn", ["Lang Son"], "province"),
    ("Quảng Ninh", ["Quang Ninh"], "province"),
    ("Bắc Giang", ["Bac Giang"], "province"),
    ("Phú Thọ", ["Phu Tho"], "province"),
    ("Vĩnh Phúc", ["Vinh Phuc"], "province"),
    ("Bắc Ninh", ["Bac Ninh"], "province"),
    ("Hải Dương", ["Hai Duong"], "province"),
    ("Hưng Yên", ["Hung Yen"], "province"),
    ("Thái Bình", ["Thai Binh"], "province"),
    ("Hà Nam", ["Ha Nam"], "province"),
    ("Nam Định", ["Nam Dinh"], "province"),
    ("Ninh Bình", ["Ninh Binh"], "province"),
    ("Thanh Hóa", ["Thanh Hoa"], "province"),
    ("Nghệ An", ["Nghe An"], "province"),
    ("Hà Tĩnh", ["Ha Tinh"], "province"),
    ("Quảng Bình", ["Quang Binh"], "province"),
    ("Quảng Trị", ["Quang Tri"], "province"),
    ("Quảng Nam", ["Quang Nam"], "province"),
    ("Quảng Ngãi", ["Quang Ngai"], "province"),
    ("Bình Định", ["Binh Dinh"], "province"),
    ("Phú Yên", ["Phu Yen"], "province"),
    ("Khánh Hòa", ["Khanh Hoa"], "province"),
    ("Ninh Thuận", ["Ninh Thuan"], "province"),
    ("Bình Thuận", ["Binh Thuan"], "province"),
    ("Kon Tum", ["Kon Tum"], "province"),
    ("Gia Lai", ["Gia Lai"], "province"),
    ("Đắk Lắk", ["Dak Lak", "Daklak"], "province"),
    ("Đắk Nông", ["Dak Nong"], "province"),
    ("Lâm Đồng", ["Lam Dong"], "province"),
    ("Bình Phước", ["Binh Phuoc"], "province"),
    ("Tây Ninh", ["Tay Ninh"], "province"),
    ("Bình Dương", ["Binh Duong"], "province"),
    ("Đồng Nai", ["Dong Nai"], "province"),
    ("Bà Rịa - Vũng Tàu", ["Ba Ria - Vung Tau", "Ba Ria-Vung Tau"], "province"),
    ("Long An", ["Long An"], "province"),
    ("Tiền Giang", ["Tien Giang"], "province"),
    ("Bến Tre", ["Ben Tre"], "province"),
    ("Trà Vinh", ["Tra Vinh"], "province"),
    ("Vĩnh Long", ["Vinh Long"], "province"),
    ("Đồng Tháp", ["Dong Thap"], "province"),
    ("An Giang", ["An Giang"], "province"),
    ("Kiên Giang", ["Kien Giang"], "province"),
    ("Hậu Giang", ["Hau Giang"], "province"),
    ("Sóc Trăng", ["Soc Trang"], "province"),
    ("Bạc Liêu", ["Bac Lieu"], "province"),
    ("Cà Mau", ["Ca Mau"], "province"),
]

# The unit each of the 29 joined on 1 July 2025 (Resolution 202/2025/QH15); those not checked against a source say so.
MERGED_INTO = {
    "Hà Giang": "Tuyên Quang",
    "Yên Bái": "Lào Cai",
    "Bắc Kạn": "Thái Nguyên",
    "Vĩnh Phúc": "Phú Thọ",
    "Hòa Bình": "Phú Thọ",
    "Bắc Giang": "Bắc Ninh",
    "Thái Bình": "Hưng Yên",
    "Hải Dương": "Hải Phòng",
    "Hà Nam": "Ninh Bình",
    "Nam Định": "Ninh Bình",
    "Quảng Bình": "Quảng Trị",
    "Quảng Nam": "Đà Nẵng",
    "Kon Tum": "Quảng Ngãi",
    "Bình Định": "Gia Lai",
    "Ninh Thuận": "Khánh Hòa",
    "Đắk Nông": "Lâm Đồng",
    "Bình Thuận": "Lâm Đồng",
    "Phú Yên": "Đắk Lắk",
    "Bình Dương": "Hồ Chí Minh",
    "Bà Rịa - Vũng Tàu": "Hồ Chí Minh",
    "Bình Phước": "Đồng Nai",
    "Long An": "Tây Ninh",
    "Bến Tre": "Vĩnh Long",
    "Trà Vinh": "Vĩnh Long",
    "Sóc Trăng": "Cần Thơ",
    "Hậu Giang": "Cần Thơ",
    "Tiền Giang": "Đồng Tháp",
    "Bạc Liêu": "Cà Mau",
    "Kiên Giang": "An Giang",
}
UNVERIFIED_MERGERS = {"Sóc Trăng", "Hậu Giang", "Tiền Giang", "Bạc Liêu", "Kiên Giang"}
CEASED = "2025-06-30"
MERGED = "2025-07-01"  # local governments of the merged units operate from this day

_BY_VI = {vi: (en, kind) for vi, en, kind in PROVINCES}


def _ids(vi: str) -> tuple[str, str, str]:
    """The unit's, its People's Committee's and its People's Council's canonical names."""
    en, kind = _BY_VI[vi]
    unit = f"{en[0]} City" if kind == "city" and not en[0].endswith("City") else en[0]
    if kind == "city":
        return (unit, f"{en[0]} People's Committee", f"{en[0]} People's Council")
    return (f"{unit} Province", f"{unit} Provincial People's Committee", f"{unit} Provincial People's Council")


def _names(vi: str, council: bool) -> list[str]:
    """Vietnamese and English ways of naming the unit's People's Committee (or Council)."""
    en, kind = _BY_VI[vi]
    vi_body, vi_short = ("Hội đồng nhân dân", "HĐND") if council else ("Ủy ban nhân dân", "UBND")
    en_body = "People's Council" if council else "People's Committee"
    if kind == "city":
        where = [f"thành phố {vi}", f"TP {vi}"] + (["TP.HCM", "TPHCM", "TP HCM"] if vi == "Hồ Chí Minh" else [])
        english = [f"{name} {en_body}" for name in en] + [f"{name} City {en_body}" for name in en if "City" not in name]
        english += [f"{en_body} of {name}" for name in en] + [f"{name} Municipal {en_body}" for name in en]
    else:
        where = [f"tỉnh {vi}"]
        english = [f"{name} Provincial {en_body}" for name in en] + [f"{en_body} of {name} Province" for name in en]
        english += [f"{name} {en_body}" for name in en]
    if vi == "Huế":  # Thừa Thiên Huế province until it became a centrally-run city on 1 January 2025
        where.append("tỉnh Thừa Thiên Huế")
        english += [f"Thua Thien Hue Provincial {en_body}", f"Thua Thien Hue {en_body}"]
    return [f"{short} {w}" for short in (vi_body, vi_short) for w in where] + english


def province_bodies(nq202: dict, nq1314: dict) -> list[dict]:
    """A unit, its People's Committee and its People's Council for each of the 63; lineage for the 29 that merged."""
    out: list[dict] = []
    for vi, _, kind in PROVINCES:
        unit, committee, council = _ids(vi)
        target = MERGED_INTO.get(vi)
        absorbed = [other for other, into in MERGED_INTO.items() if into == vi]
        note = f"enlarged on {MERGED} by merging {', '.join(absorbed)} into it" if absorbed else None
        for id, kind_, names, successor in (
            (unit, kind, [f"{'thành phố' if kind == 'city' else 'tỉnh'} {vi}"], 0),
            (committee, "province_committee", _names(vi, council=False), 1),
            (council, "province_council", _names(vi, council=True), 2),
        ):
            record = {
                "id": id,
                "en": id,
                "vi": names[0],
                "acronyms": [],
                "variants": names[1:] if kind_ != kind else [],
                "kind": kind_,
                "parent": None if kind_ == kind else unit,
                "province": unit,
            }
            if note:
                record["note"] = note
            if vi == "Huế" and kind_ == kind:
                record["lineage_before"] = [
                    {"from": "Thua Thien Hue Province", "date": "2025-01-01", "basis": [nq1314]}
                ]
            if target:
                item = {
                    "successor": _ids(target)[successor],
                    "fields": ["all"],
                    "date": MERGED,
                    "change": "merged",
                    "basis": [nq202],
                }
                if vi in UNVERIFIED_MERGERS:
                    item["unverified"] = True
                record |= {"valid_until": CEASED, "lineage": [item]}
            out.append(record)
    return out
