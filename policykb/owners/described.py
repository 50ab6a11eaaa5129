"""Bodies a legal text describes instead of naming: "cơ quan đó", "cơ quan tạo ra thông tin", "công an cấp xã nơi
chuyển đi", "Văn phòng Hội đồng nhân dân cấp tỉnh". Laws give many duties this way, and no gazetteer can list them. A
described body owns a duty only as the subject of a clause that opens with it and goes on with a verb of duty ("… có
trách nhiệm", "… phải", "… chủ trì"); it is named as the text writes it."""

from __future__ import annotations

import re

from policykb.glossary import Mention

# Nouns that head a body's description, on folded text. Not "tổ chức", "đơn vị", "phòng", "sở" or "ban": folded, each
# is also a verb or another word ("tổ chức" = organise, "phòng, chống" = prevent, "số" = number).
_HEAD = (
    r"(?:cac\s+)?(?:co quan|cong an|van phong|truong phong|uy ban nhan dan|hoi dong nhan dan|toa an|vien kiem sat|"
    r"thu truong)\b"
)
# The verbs that make a clause's subject the owner of what follows, whatever the subject is.
_DUTY = r"(?:co trach nhiem|chiu trach nhiem|co nhiem vu|chu tri|duoc giao|phai)\b"
# A description: its head, then up to 14 more words, then the verb. A comma only in "phòng, chống": elsewhere it lists
# kinds of actor ("Cơ quan, người lập hồ sơ", "Tòa án, cơ quan có thẩm quyền khác"), which are no one body.
_DESCRIBED = re.compile(rf"({_HEAD}(?:(?:\s+|(?<=phong),\s+)(?!{_DUTY})[^\W_]+(?:\s*-\s*[^\W_]+)?){{0,14}}?)\s+{_DUTY}")
# Where a clause opens: a line (after its list marker), a sentence or ";", "thì" after a condition ("Trường hợp … thì
# cơ quan tạo ra thông tin có trách nhiệm …"), or the comma that closes an introduction ("Chậm nhất là 15 ngày kể từ
# ngày nhận được kiến nghị, cơ quan đó có trách nhiệm …").
_OPENS = re.compile(r"(?m)^\s*(?:\d{1,2}\.|[a-zđ]\)|\([a-z]\)|[-–•*+])?\s*|[.;:]\s+|,?\s\bthi\s+")
# Who heads a body: "Thủ trưởng Bộ Y tế" is the ministry the gazetteer knows, "Người đứng đầu cơ quan đó" a described one.
_HEAD_OF = re.compile(r"(?:thu truong|truong phong)\s+")
_INTRODUCTION = re.compile(
    r"(?:trong |doi voi )?(?:truong hop|khi|neu|sau khi|truoc khi|trong thoi han|cham nhat|trong vong|ke tu)\b"
)


def described_bodies(text: str, folded: str, named: list[Mention]) -> list[Mention]:
    """`named` (the glossary's names in the text) with the bodies the text describes as its clauses' subjects. A
    description that opens with a known name is that body, the whole description citing it ("Công an cấp xã nơi chuyển
    đi" is the commune police); one that holds a name further in is a body of its own ("Văn phòng Ủy ban nhân dân cấp
    tỉnh")."""
    starts = {m.start: m for m in named}
    described: list[Mention] = []
    for start in _clause_starts(folded):
        found = _DESCRIBED.match(folded, start)
        if found is None:
            continue
        head_of = _HEAD_OF.match(folded, start)
        if head_of is not None and head_of.end() in starts:
            continue
        end = found.end(1)
        if start in starts:  # "Công an cấp xã nơi chuyển đi": the known body, where the text says which one
            if end > starts[start].end:
                described.append(Mention(start, end, starts[start].canonical))
            continue
        described.append(Mention(start, end, re.sub(r"\s+", " ", text[start:end])))
    if not described:
        return named
    inside = [(m.start, m.end) for m in described]
    kept = [m for m in named if not any(start <= m.start and m.end <= end for start, end in inside)]
    return sorted(kept + described, key=lambda m: m.start)


def _clause_starts(folded: str) -> list[int]:
    starts = [m.end() for m in _OPENS.finditer(folded)]
    for comma in re.finditer(r",\s+", folded):
        clause = max((s for s in starts if s <= comma.start()), default=0)
        if _INTRODUCTION.match(folded, clause) and "\n" not in folded[clause : comma.start()]:
            starts.append(comma.end())
    return starts
