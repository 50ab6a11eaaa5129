"""The header of a Vietnamese legal or administrative document (Nghị định 30/2020/NĐ-CP's layout) and of its English
translation: issuing body, national motto, number, place and date, document type and subject.

    CHÍNH PHỦ                     CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
                                  Độc lập - Tự do - Hạnh phúc
    Số: 68/NQ-CP                  Hà Nội, ngày 09 tháng 5 năm 2024
                          NGHỊ QUYẾT
    Ban hành Chương trình hành động của Chính phủ thực hiện Nghị quyết số 42-NQ/TW …

Text extraction puts the two columns one after the other or on one line; each line is read for what it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.docnumbers import find_doc_numbers
from policykb.ingest.legal_text import (
    capitalize_first,
    is_all_caps,
    lower_first,
    restore_names,
    sentence_case,
    title_case,
)
from policykb.ingest.metadata import find_date
from policykb.ingest.structure import legal_unit
from policykb.textlines import Line, scan_lines
from policykb.textnorm import fold_lower

_HEAD_LINES = 40
_MAX_SUBJECT_LINES = 5
_MOTTO = re.compile(
    r"cong\s+hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s*nam|socialist\s+republic\s+of\s+viet\s*nam"
    r"|doc\s+lap\W+tu\s+do\W+hanh\s+phuc|independence\W+freedom\W+happiness"
)
_SEPARATOR = re.compile(r"^[-_=*.–—~\s]{3,}")
_NUMBER = re.compile(
    r"^(?:(?:Luật|Bộ luật|Pháp lệnh|Law|Code|Ordinance)\s+)?(?:Số|SỐ|No|NO|Number)\.?\s*:?\s*(\d[\w/.\-–]*\w)",
    re.IGNORECASE,
)
# The document type line, folded: (folded prefix, type, English).
_FORMS = [
    ("bo luat", "law"),
    ("luat", "law"),
    ("phap lenh", "law"),
    ("nghi quyet lien tich", "resolution"),
    ("nghi quyet", "resolution"),
    ("nghi dinh", "decree"),
    ("quyet dinh", "decision"),
    ("thong tu lien tich", "circular"),
    ("thong tu", "circular"),
    ("chi thi", "other"),
    ("ke hoach", "strategy"),
    ("code", "law"),
    ("law", "law"),
    ("ordinance", "law"),
    ("joint resolution", "resolution"),
    ("resolution", "resolution"),
    ("decree", "decree"),
    ("decision", "decision"),
    ("joint circular", "circular"),
    ("circular", "circular"),
    ("directive", "other"),
    ("plan", "strategy"),
]
_SUBJECT_STOP = re.compile(
    r"^(?:căn cứ|theo đề nghị|xét đề nghị|pursuant to|at the request|at the proposal|in consideration|"
    r"hereby|chương|phần|điều|chapter|part|article)\b",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"^(?:V/v|v/v|Về việc|VỀ VIỆC)\s*:?\s*")


@dataclass(slots=True)
class Header:
    """What a legal header says, and where it ends in the text (its lines are kept out of passages)."""

    end: int = 0
    issuer: str | None = None
    number: str | None = None
    date: str | None = None
    doc_type: str | None = None
    title: str | None = None
    lines: list[Line] = field(default_factory=list)


def _bare(text: str) -> str:
    """A line without the separator rules ("-------") text extraction leaves beside it."""
    return _SEPARATOR.sub("", text).strip()


def _form(text: str) -> tuple[str, str, str] | None:
    """(type, form as written, subject on the same line) when the line is a document type line in capitals."""
    if not is_all_caps(text) or text.endswith(":") or _NUMBER.match(text):
        return None
    folded = fold_lower(text)
    for prefix, doc_type in _FORMS:
        if folded == prefix or folded.startswith(prefix + " "):
            return doc_type, text[: len(prefix)], text[len(prefix) :].strip()
    return None


def _motto_span(text: str) -> tuple[int, int] | None:
    match = _MOTTO.search(fold_lower(text))
    return match.span() if match else None


def read_header(text: str) -> Header | None:
    """The header at the start of `text`, or None when the text does not open like a legal document."""
    lines = scan_lines(text)[:_HEAD_LINES]
    has_motto = any(_motto_span(line.text) for line in lines[:12])
    type_at = next((i for i, line in enumerate(lines) if _form(_bare(line.text)) and i < 16), None)
    if type_at is None and not has_motto:
        return None
    if not has_motto and (type_at != 0 or not _has_articles(text)):
        return None
    header = Header()
    _read_top(lines[: type_at if type_at is not None else len(lines)], header)
    if type_at is not None:
        end_at = _read_type_and_subject(lines, type_at, header)
    else:
        end_at = _top_end(lines)
    header.lines = lines[: end_at + 1]
    header.end = lines[end_at].end
    return header


def _has_articles(text: str) -> bool:
    return any(legal_unit(line.text.strip()) for line in scan_lines(text[:6000]))


def _top_end(lines: list[Line]) -> int:
    """The index of the last line of a header without a type line: up to the first line that is not a header's."""
    end_at = 0
    for index, line in enumerate(lines):
        if legal_unit(line.text.strip()) or header_line_kind(line.text) is None:
            break
        end_at = index
    return end_at


def header_line_kind(text: str) -> str | None:
    """What a line above the type line is: motto, number, date, or issuer."""
    bare = _bare(text)
    if not bare:
        return "rule"
    if _motto_span(bare):
        return "motto"
    if _NUMBER.match(bare):
        return "number"
    if find_date(bare, len(bare)):
        return "date"
    return "issuer" if is_all_caps(bare) and len(bare) <= 80 else None


def _read_top(lines: list[Line], header: Header) -> None:
    """Issuer, number and date from the lines above the type line; the issuer is what comes before the motto."""
    issuer: list[str] = []
    for line in lines:
        bare = _bare(line.text)
        kind = header_line_kind(line.text)
        if kind == "motto" and (span := _motto_span(bare)) and span[0] > 0:
            issuer.append(bare[: span[0]].strip())
        elif kind == "number":
            number = _NUMBER.match(bare).group(1)
            found = find_doc_numbers(number)
            header.number = found[0] if found else number
            header.date = header.date or find_date(bare, len(bare))
        elif kind == "date":
            header.date = header.date or find_date(bare, len(bare))
        elif kind == "issuer" and header.number is None and header.date is None:
            issuer.append(bare)
    name = " ".join(part for part in issuer if part)
    header.issuer = issuer_name(name) if name else None


def _read_type_and_subject(lines: list[Line], type_at: int, header: Header) -> int:
    """Type and title from the type line and the subject lines under it; returns the index of the header's last line."""
    doc_type, form, same_line = _form(_bare(lines[type_at].text))
    subject = [same_line] if same_line else []
    last = type_at
    for index in range(type_at + 1, min(len(lines), type_at + 1 + _MAX_SUBJECT_LINES)):
        bare = _bare(lines[index].text)
        if bare and (_SUBJECT_STOP.match(bare) or bare.endswith((":", ";")) or legal_unit(bare)):
            break
        if subject and _is_body_line(bare, header):
            break
        if lines[index].blanks_before >= 2 and subject:
            break
        if bare:
            subject.append(bare)
        last = index
        if bare.endswith("."):
            break
    header.doc_type = doc_type
    header.title = document_title(form, " ".join(subject), doc_type)
    return last


def _is_body_line(text: str, header: Header) -> bool:
    """The enacting body's line under the subject ("CHÍNH PHỦ", "BỘ TRƯỞNG BỘ TÀI CHÍNH"), which opens the recitals."""
    folded = fold_lower(text)
    issuer = fold_lower(header.issuer or "")
    return is_all_caps(text) and (folded == issuer or folded in _ISSUER_NAMES or folded.startswith(_BODY_WORDS))


_BODY_WORDS = (
    "bo truong",
    "thu tuong",
    "chu tich",
    "uy ban",
    "hoi dong",
    "the government",
    "the minister",
    "the prime",
)


def document_title(form: str, subject: str, doc_type: str) -> str:
    """ "NGHỊ QUYẾT" + "Ban hành Chương trình …" -> "Nghị quyết ban hành Chương trình …";
    "LUẬT" + "TIẾP CẬN THÔNG TIN" -> "Luật Tiếp cận thông tin"; "LAW" + "ON ACCESS TO INFORMATION" -> "Law on Access to
    Information"."""
    name = capitalize_first(sentence_case(form))
    subject = _ABOUT.sub("về việc ", subject.strip().rstrip("."))
    if not subject:
        return name
    english = subject.isascii()
    if english:
        cased = title_case(subject)
        return f"{name} {cased if doc_type == 'law' else lower_first(cased)}"
    cased = restore_names(sentence_case(subject)) if is_all_caps(subject) else subject
    return f"{name} {capitalize_first(cased) if doc_type == 'law' else lower_first(cased)}"


_ISSUER_NAMES = {
    "chinh phu": "Chính phủ",
    "quoc hoi": "Quốc hội",
    "thu tuong chinh phu": "Thủ tướng Chính phủ",
    "chu tich nuoc": "Chủ tịch nước",
    "uy ban thuong vu quoc hoi": "Ủy ban Thường vụ Quốc hội",
    "ngan hang nha nuoc viet nam": "Ngân hàng Nhà nước Việt Nam",
    "toa an nhan dan toi cao": "Tòa án nhân dân tối cao",
    "vien kiem sat nhan dan toi cao": "Viện kiểm sát nhân dân tối cao",
}
_LOCAL = re.compile(r"^((?:ủy|uỷ) ban nhân dân|hội đồng nhân dân) (tỉnh|thành phố|huyện|quận|thị xã|xã|phường) (.+)$")


def issuer_name(caps: str) -> str:
    """The issuing body as it is written in running text: "BỘ TÀI CHÍNH" -> "Bộ Tài chính", "ỦY BAN NHÂN DÂN TỈNH
    QUẢNG NINH" -> "Ủy ban nhân dân tỉnh Quảng Ninh", "THE GOVERNMENT" -> "The Government"."""
    if not is_all_caps(caps):
        return caps
    if caps.isascii():
        return capitalize_first(title_case(caps))
    known = _ISSUER_NAMES.get(fold_lower(caps))
    if known:
        return known
    lowered = sentence_case(caps).lower()
    if (local := _LOCAL.match(lowered)) is not None:
        body, unit, place = local.groups()
        return f"{capitalize_first(body)} {unit} {' '.join(w.capitalize() for w in place.split())}"
    if lowered.startswith("bộ "):
        rest = re.sub(r"( - | và )(\w)", lambda m: m.group(1) + m.group(2).upper(), capitalize_first(lowered[3:]))
        return "Bộ " + rest
    return capitalize_first(lowered)
