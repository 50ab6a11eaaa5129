"""Text folding shared by ingest and search (case and Vietnamese diacritics, so "chu tri" finds "chủ trì"), Vietnamese syllable pairs."""

from __future__ import annotations

import re
import unicodedata

# Letters only Vietnamese writes (lower case): a text or query that has them is Vietnamese.
VIETNAMESE_LETTERS = frozenset("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
# One Vietnamese syllable with its diacritics folded: onset, one to three vowels, final consonant.
_FOLDED_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)
_STROKES = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Strip diacritics (including the Vietnamese đ); case is kept."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKES))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def word_start(literal: str, not_after: str = r"\w") -> str:
    r"""A pattern for `literal` (escaped) where no `not_after` character comes just before it. The check comes behind
    the literal ("X(?<!\wX)" rather than "(?<!\w)X") so that the pattern opens with a literal, which re finds at C speed."""
    return rf"{literal}(?<!{not_after}{literal})"


def fold_lower(text: str) -> str:
    return fold(text).casefold()


def words(text: str) -> list[str]:
    """Folded, lower-cased word tokens."""
    return _WORD.findall(fold_lower(text))


def fold_lower_aligned(text: str) -> str:
    """Case- and diacritic-folded text of exactly the same length, so that offsets carry over."""
    if text.isascii():
        return text.lower()
    return text.translate({ord(ch): _fold_one(ch) for ch in set(text)})  # each distinct character folded once


def _fold_one(ch: str) -> str:
    folded = fold(ch).casefold()
    return folded[:1] if folded else ch


_PHRASE_BREAK = re.compile(r"[^\w\s]+")


def syllable_bigrams(text: str) -> list[str]:
    """Adjacent folded word pairs ("bao hiem", "hiem xa"), never across punctuation; each once, in order.

    Vietnamese writes words of two or three syllables with spaces between the syllables, so pairs of
    syllables recover most of its words (and some of its fixed phrases) without a word segmenter.
    """
    pairs: list[str] = []
    for clause in _PHRASE_BREAK.split(fold_lower(text)):
        tokens = _WORD.findall(clause)
        pairs.extend(f"{first} {second}" for first, second in zip(tokens, tokens[1:]))
    return list(dict.fromkeys(pairs))


def looks_vietnamese(text: str) -> bool:
    """Vietnamese letters, or (written without diacritics) nine words in ten shaped like Vietnamese syllables."""
    if any(ch in VIETNAMESE_LETTERS for ch in text.casefold()):
        return True
    tokens = [token for token in words(text) if not token.isdigit()]
    syllables = sum(1 for token in tokens if _FOLDED_SYLLABLE.fullmatch(token))
    return syllables >= 2 and syllables >= 0.9 * len(tokens)
