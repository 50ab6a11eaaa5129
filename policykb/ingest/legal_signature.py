"""The signature block ("TM. CHÍNH PHỦ / THỦ TƯỚNG / (Đã ký) / Phạm Minh Chính") and the recipients list ("Nơi nhận:"
and its "- …;" lines) of a Vietnamese legal document or its English translation. Both sit after the last article, in
either order or interleaved (two columns read line by line), and an annex may follow them."""

from __future__ import annotations

import re

from policykb.ingest.legal_text import is_all_caps
from policykb.textlines import Line, scan_lines

_PREFIX = re.compile(r"^(?:TM|KT|TL|TUQ|Q|PP|P\.P|T/M)\.\s*\S|^(?:ON BEHALF OF|FOR THE|FOR)\s+[A-Z]")
_TITLE = re.compile(
    r"^(?:PHÓ\s+)?(?:THỦ TƯỚNG|BỘ TRƯỞNG|THỨ TRƯỞNG|CHỦ TỊCH|CHỦ NHIỆM|TỔNG GIÁM ĐỐC|GIÁM ĐỐC|CỤC TRƯỞNG|VỤ TRƯỞNG"
    r"|CHÁNH VĂN PHÒNG|CHÁNH ÁN|VIỆN TRƯỞNG|THỐNG ĐỐC|TỔNG KIỂM TOÁN|TỔNG THƯ KÝ|TRƯỞNG BAN|TỔNG CỤC TRƯỞNG)\b"
    r"|^(?:DEPUTY\s+|VICE\s+)?(?:PRIME MINISTER|MINISTER|CHAIRMAN|CHAIRWOMAN|CHAIRPERSON|PRESIDENT|GOVERNOR"
    r"|DIRECTOR(?: GENERAL)?|SECRETARY GENERAL|CHIEF JUSTICE|PROSECUTOR GENERAL)\b"
)
_SIGNED = re.compile(r"^\((?:đã ký|signed|ký)(?:\s+(?:và đóng dấu|and sealed))?\)$", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^(?:nơi nhận|recipients)\s*:", re.IGNORECASE)
_RECIPIENT = re.compile(r"^(?:[-+•*–]\s*\S|lưu\s*:|archived?\s*:)", re.IGNORECASE)
_NAME = re.compile(r"^(?:[A-ZÀ-ỸĐ][\wÀ-ỹ]*\.?\s+){1,5}[A-ZÀ-ỸĐ][\wÀ-ỹ]*$")
_LOOKAHEAD = 4


def _kind(text: str) -> str | None:
    """What a line of a signature or recipients block is, or None for any other line."""
    text = text.strip()
    if _RECIPIENTS.match(text):
        return "recipients"
    if _SIGNED.match(text):
        return "signed"
    if len(text) <= 70 and is_all_caps(text) and (_PREFIX.match(text) or _TITLE.match(text)):
        return "prefix" if _PREFIX.match(text) else "title"
    if _RECIPIENT.match(text):
        return "item"
    if len(text) <= 40 and _NAME.match(text) and not is_all_caps(text) and not any(ch.isdigit() for ch in text):
        return "name"
    return None


def _opens_block(lines: list[Line], index: int) -> bool:
    """A recipients line, a "TM."/"KT." line, or a signer's title followed by "(Đã ký)", a name or another title."""
    kind = _kind(lines[index].text)
    if kind in ("recipients", "prefix"):
        return True
    if kind != "title":
        return False
    ahead = [_kind(line.text) for line in lines[index + 1 : index + 1 + _LOOKAHEAD]]
    return any(k in ("signed", "name", "title", "prefix", "recipients") for k in ahead)


def _block_end(lines: list[Line], index: int) -> int:
    """The index of the block's last line: signature and recipients lines in any order, one name in a row."""
    last, names, listing = index, 0, False
    for at in range(index, len(lines)):
        kind = _kind(lines[at].text)
        if kind == "item" and not listing:
            break
        if kind == "name":
            names += 1
            if names > 1:
                break
        elif kind is None:
            break
        else:
            names = 0
        listing = listing or kind == "recipients"
        last = at
    return last


def signature_blocks(text: str, after: int = 0) -> list[tuple[int, int]]:
    """Spans of the signature and recipients blocks after offset `after` (the end of the header)."""
    lines = [line for line in scan_lines(text) if line.start >= after]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        if _opens_block(lines, index):
            end = _block_end(lines, index)
            spans.append((lines[index].start, lines[end].end))
            index = end + 1
        else:
            index += 1
    return spans
