"""Casing of legal headings and titles written in capitals ("CHƯƠNG I", "QUY ĐỊNH CHUNG", "LAW ON ACCESS TO …")."""

from __future__ import annotations

import re

_ENGLISH_SMALL = frozenset("a an and as at by for from in into of on or the to under with".split())
_KEEP = re.compile(r"[\d/]|^[IVXLC]+[.,:;]?$")  # document numbers, Roman numerals


def is_all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _lower_word(word: str) -> str:
    return word if _KEEP.search(word) else word.lower()


def sentence_case(text: str) -> str:
    """ "QUY ĐỊNH CHUNG" -> "Quy định chung"; numbers ("42-NQ/TW") and Roman numerals are kept. Mixed case is kept."""
    if not is_all_caps(text):
        return text
    lowered = " ".join(_lower_word(word) for word in text.split())
    return lowered[:1].upper() + lowered[1:]


def title_case(text: str) -> str:
    """ "ON ACCESS TO INFORMATION" -> "on Access to Information": English title case, small words lower."""
    if not is_all_caps(text):
        return text
    words = []
    for word in text.split():
        lower = _lower_word(word)
        words.append(lower if lower in _ENGLISH_SMALL or lower != word.lower() else lower.capitalize())
    return " ".join(words)


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """ "Về việc ban hành …" -> "về việc ban hành …", unless the first word is an acronym or a number."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1:2].isupper() or _KEEP.search(first)):
        return text
    return text[:1].lower() + text[1:]


# Names a Vietnamese subject written in capitals loses in lower case: bodies, the country, forms cited by number.
_NAMES = [
    (re.compile(r"\b(chính phủ|quốc hội|thủ tướng|nhà nước|việt nam|bộ chính trị|chương trình hành động)\b"), None),
    (re.compile(r"\bban chấp hành trung ương đảng\b"), "Ban Chấp hành Trung ương Đảng"),
    (re.compile(r"\b(nghị quyết|nghị định|quyết định|thông tư|chỉ thị|chiến lược|đề án) (số|\d)"), None),
    (re.compile(r"(?<!pháp )\b(bộ luật|luật) (\w)"), None),
]


def _capitalize_words(match: re.Match[str]) -> str:
    """ "chính phủ" -> "Chính phủ", "việt nam" -> "Việt Nam", "luật đ" -> "Luật Đ" (a law's name starts capitalised)."""
    words = match.group(0).split(" ")
    if words == ["việt", "nam"]:
        return "Việt Nam"
    if words[-2:-1] == ["luật"]:
        words[-1] = words[-1].upper()
    return " ".join([words[0].capitalize()] + words[1:])


def restore_names(text: str) -> str:
    """Capitals back on the names a sentence-cased Vietnamese subject lowered ("… của Chính phủ thực hiện Nghị quyết
    số 42-NQ/TW …"); a subject that kept its own case is returned as it is."""
    for pattern, fixed in _NAMES:
        text = pattern.sub(fixed if fixed else _capitalize_words, text)
    return text
