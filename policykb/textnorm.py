"""Text folding shared by ingest and search: case and Vietnamese diacritics, so "chu tri" finds "chủ trì"."""

from __future__ import annotations

import re
import unicodedata

_STROKES = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Strip diacritics (including the Vietnamese đ); case is kept."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKES))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def fold_lower(text: str) -> str:
    return fold(text).casefold()


def words(text: str) -> list[str]:
    """Folded, lower-cased word tokens."""
    return _WORD.findall(fold_lower(text))


def fold_lower_aligned(text: str) -> str:
    """Case- and diacritic-folded text of exactly the same length, so that offsets carry over."""
    if text.isascii():
        return text.lower()
    return "".join(folded[:1] if len(folded := fold(ch).casefold()) >= 1 else ch for ch in text)
