"""Language detection with langdetect, seeded so that the same text always gets the same answer."""

from __future__ import annotations

from langdetect import DetectorFactory, LangDetectException, detect_langs

from policykb.textnorm import VIETNAMESE_LETTERS

DetectorFactory.seed = 0

_MIN_CHARS = 40


def detect_language(text: str, default: str = "und") -> str:
    """ISO 639-1 code of the text's main language, or `default` when the text is too short to tell."""
    sample = text[:5000]
    letters = sum(ch.isalpha() for ch in sample)
    if letters < _MIN_CHARS:
        return default
    lowered = sample.lower()
    # Vietnamese-only letters settle it; langdetect sometimes says "ca" or "fr" on short Vietnamese.
    if sum(ch in VIETNAMESE_LETTERS for ch in lowered) / letters > 0.03:
        return "vi"
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return default
    return best.lang if best.prob >= 0.5 else default
