"""Bytes to text for plain-text formats: UTF-8, UTF-16 and cp1252, and a refusal for binary data."""

from __future__ import annotations

import codecs

from policykb.errors import IngestError

_BINARY_FIX = "this looks like a binary file with a text extension; convert it to text or give it its real extension"


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: NULs on every other byte of ASCII text."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _control_share(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls / max(1, len(sample))


def decode_text(data: bytes, path: str) -> str:
    """Decode a text file, trying UTF-8 (with or without BOM), UTF-16, then cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        utf16 = _looks_utf16(data)
        candidates = [utf16] if utf16 else ["utf-8", "cp1252"]
    if b"\x00" in data and candidates[0] in ("utf-8", "cp1252"):
        raise IngestError(path, "contains NUL bytes", _BINARY_FIX)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_share(text) > 0.01:
            raise IngestError(path, "contains control characters", _BINARY_FIX)
        return text
    raise IngestError(
        path,
        "is not valid UTF-8, UTF-16 or cp1252 text",
        "re-save it as UTF-8 (e.g. `iconv -f ENCODING -t UTF-8`) and ingest it again",
    )
