"""Metadata detected from cleaned text: type, date, issuer, document numbers, agencies and acronyms."""

from __future__ import annotations

import re
from datetime import date as Date

from policykb.ingest.structure import short_label
from policykb.textlines import scan_lines
from policykb.textnorm import fold

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b"), ("d", "m", "y")),
    (re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b"), ("y", "m", "d")),
    (
        re.compile(
            r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|August|September|October|November|December),?\s+((?:19|20)\d\d)\b"
        ),
        ("d", "M", "y"),
    ),
    (
        re.compile(
            r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),?\s+((?:19|20)\d\d)\b"
        ),
        ("M", "d", "y"),
    ),
    (re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d\d)\b", re.IGNORECASE), ("d", "m", "y")),
]
# A legal form named at the start of the title is the document's type, whatever the title says it is about
# ("Quyết định phê duyệt Chiến lược …" is a decision).
_LEGAL_FORMS = [
    ("law", re.compile(r"^(?:(?:the )?law on|law no|luat|bo luat|(?:civil|penal|labou?r) code)\b")),
    ("decree", re.compile(r"^(?:decree|nghi dinh)\b")),
    ("decision", re.compile(r"^(?:decision|quyet dinh)\b")),
    ("circular", re.compile(r"^(?:circular|thong tu)\b")),
]
_TYPE_RULES = [
    ("resolution", re.compile(r"^(?:resolution|nghi quyet)\b")),
    ("minutes", re.compile(r"\b(?:minutes?|bien ban|proces-verbal|proces verbal)\b")),
    ("note", re.compile(r"\b(?:joint programming group|jpg|(?:discussion|technical|concept|briefing) note|ghi nho)\b")),
    ("report", re.compile(r"\b(?:report|outcome|results? achieved|bao cao|evaluation)\b")),
    ("strategy", re.compile(r"\b(?:strategy|proposal|programme|master plan|de an|chien luoc|ke hoach)\b")),
    ("resolution", re.compile(r"\b(?:resolution|nghi quyet)\s+(?:no\.?\s*|so\s*)?\d")),
]
_NEWS_MARKERS = re.compile(r"(?:-\s?VNA|\(VNA\)|-\s?VNS|\bVietnamPlus\b|\bVNExpress\b)\s*$", re.MULTILINE)
_ACRONYM_DEF = re.compile(r"\(([A-Z][A-Za-z]{0,2}[A-Z][A-Za-z]{0,6})\)")
_ACRONYM_STOPWORDS = {"of", "and", "the", "for", "on", "in", "to", "&", "a", "an", "về", "và", "của"}


def _to_iso(parts: dict[str, str]) -> str | None:
    try:
        month = int(parts["m"]) if "m" in parts else _MONTHS[parts["M"].lower()]
        return Date(int(parts["y"]), month, int(parts["d"])).isoformat()
    except (ValueError, KeyError):
        return None


def find_date(text: str, head_chars: int = 1500) -> str | None:
    """The earliest full date in the head of the text, as ISO yyyy-mm-dd."""
    head = text[:head_chars]
    best: tuple[int, str] | None = None
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(head):
            iso = _to_iso(dict(zip(order, match.groups())))
            if iso and (best is None or match.start() < best[0]):
                best = (match.start(), iso)
                break
    return best[1] if best else None


def detect_doc_type(title: str, text: str) -> str:
    lines = [line.text.strip() for line in scan_lines(text[:600])][:3]
    if any(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2}(?:\s*[AP]M)?)?", line) for line in lines):
        return "news"
    if _NEWS_MARKERS.search(text[-300:]):
        return "news"
    folded_title = fold(title).lower()
    head = fold(text[:600]).lower()
    for doc_type, pattern in _LEGAL_FORMS + _TYPE_RULES:
        if pattern.search(folded_title):
            return doc_type
    for doc_type, pattern in _TYPE_RULES[1:5]:
        if pattern.search(head):
            return doc_type
    return "other"


def detect_title(text: str, fallback: str) -> str:
    for line in scan_lines(text[:3000]):
        candidate = line.text.strip()
        if len(candidate) >= 3 and any(ch.isalpha() for ch in candidate):
            return short_label(candidate, 160)
    return fallback


def _initials(words: list[str]) -> str:
    letters = []
    for word in words:
        for piece in re.split(r"[-‐]", word):
            if piece and piece.lower() not in _ACRONYM_STOPWORDS:
                letters.append(piece[0])
    return "".join(letters).upper()


def find_acronyms(text: str) -> dict[str, str]:
    """Acronyms defined in the text: "Social Assistance Department (SAD)" -> {"SAD": "Social Assistance Department"}."""
    found: dict[str, str] = {}
    for match in _ACRONYM_DEF.finditer(text):
        acronym = match.group(1)
        letters = acronym.rstrip("s").upper() if acronym.endswith("s") and acronym[:-1].isupper() else acronym.upper()
        before = re.findall(r"[\w'’-]+", text[max(0, match.start() - 160) : match.start()])[-12:]
        for size in range(1, len(before) + 1):
            words = before[-size:]
            if words[0].lower() in _ACRONYM_STOPWORDS:
                continue
            if _initials(words) == letters and words[0][0].isupper():
                found.setdefault(acronym, " ".join(words))
                break
    return found
