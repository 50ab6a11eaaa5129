"""Bodies a legal text describes instead of naming: "cơ quan đó", "cơ quan tạo ra thông tin", "công an cấp xã nơi
chuyển đi", "Văn phòng Hội đồng nhân dân cấp tỉnh". Laws give many duties this way, and no gazetteer can list them. A
described body owns a duty only as the subject of a clause that opens with it and goes on with a verb of duty ("… có
trách nhiệm", "… phải", "… chủ trì"); it is named as the text writes it."""

from __future__ import annotations

import re
from bisect import bisect_right

from policykb.glossary import Mention

# Nouns that head a body's description, on folded text. Not "tổ chức", "đơn vị", "phòng", "sở" or "ban": folded, each
# is also a verb or another word ("tổ chức" = organise, "phòng, chống" = prevent, "số" = number).
_HEAD = (
    r"(?:cac[ \t]+)?(?:co quan|cong an|van phong|truong phong|uy ban nhan dan|hoi dong nhan dan|toa an|vien kiem sat|"
    r"thu truong)\b"
)
# The verbs that make a clause's subject the owner of what follows, whatever the subject is; "phải là" says what a
# body is, not what it must do.
_DUTY = r"(?:co trach nhiem|chiu trach nhiem|co nhiem vu|chu tri|duoc giao|phai(?![ \t]+la\b))\b"
# Words that end a description: a negation reverses the duty ("Cơ quan nhà nước không phải nộp …" is no duty), and
# "may" makes none. An adverb before the verb is left out of the name by the shortest match ("cơ quan đó cũng phải
# …"): folded, "cũng" is also the first syllable of "cung cấp", which a description may hold.
_NOT_NAME = r"(?:khong|chua|chang|co the)\b"
_ADVERBS = r"(?:(?:cung|deu|van|se|con)[ \t]+)*"
# A description: its head, then up to 14 more words of one line, then the verb. A comma only in "phòng, chống":
# elsewhere it lists kinds of actor ("Cơ quan, người lập hồ sơ", "Tòa án, cơ quan có thẩm quyền khác"), no one body.
_WORDS = rf"(?:(?:[ \t]+|(?<=phong),[ \t]+)(?!{_DUTY}|{_NOT_NAME})[^\W_]+(?:[ \t]*-[ \t]*[^\W_]+)?)"
_DESCRIBED = re.compile(rf"({_HEAD}{_WORDS}{{0,14}}?)[ \t]+{_ADVERBS}{_DUTY}")
# A bare head before its verb is often a description whose first word is a verb of duty used as a participle ("Cơ quan
# chủ trì thẩm định … có trách nhiệm …", "Cơ quan được giao quản lý hồ sơ có trách nhiệm …"): the later verb states
# the duty when the same line has one within the description's length.
_PARTICIPLE = re.compile(
    rf"({_HEAD}[ \t]+(?:chu tri|duoc giao|phai){_WORDS}{{1,13}}?)[ \t]+{_ADVERBS}(?:co trach nhiem|chiu trach nhiem|"
    rf"co nhiem vu|phai(?![ \t]+la\b))\b"
)
# Where a clause opens: a line (after its list marker), a sentence or ";", "thì" after a condition ("Trường hợp … thì
# cơ quan tạo ra thông tin có trách nhiệm …"), or the comma that closes an introduction ("Chậm nhất là 15 ngày kể từ
# ngày nhận được kiến nghị, cơ quan đó có trách nhiệm …").
_OPENS = re.compile(r"(?m)^[ \t]*(?:\d{1,2}\.|[a-zđ]\)|\([a-z]\)|[-–•*+])?[ \t]*|[.;:][ \t]+|,?[ \t](?P<thi>thi)[ \t]+")
# Who heads a body: "Thủ trưởng Bộ Y tế" is the ministry the gazetteer knows.
_HEAD_OF = re.compile(r"(?:thu truong|truong phong)[ \t]+")
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
    for start in _clause_starts(text, folded):
        found = _DESCRIBED.match(folded, start)
        if found is None:
            continue
        if _bare(found.group(1)):
            found = _PARTICIPLE.match(folded, start) or found
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


def _bare(description: str) -> bool:
    """Whether a description is its head alone ("cơ quan", "các cơ quan")."""
    return re.fullmatch(_HEAD, description) is not None


def _clause_starts(text: str, folded: str) -> list[int]:
    """Where clauses open (_OPENS, _INTRODUCTION), in one pass over the text's commas."""
    starts = [
        m.end()
        for m in _OPENS.finditer(folded)
        if not m.group("thi") or text[m.start("thi") : m.end("thi")].lower() == "thì"
    ]
    introduced = []
    for comma in re.finditer(r",[ \t]+", folded):
        at = bisect_right(starts, comma.start()) - 1
        clause = starts[at] if at >= 0 else 0
        if _INTRODUCTION.match(folded, clause) and "\n" not in folded[clause : comma.start()]:
            introduced.append(comma.end())
    return starts + introduced
