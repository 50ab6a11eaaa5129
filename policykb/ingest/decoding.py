"""Bytes to text for plain-text formats: UTF-8, UTF-16/32, cp1252 or a declared charset, and a refusal for binary data."""

from __future__ import annotations

import codecs
import re
from contextlib import suppress

from policykb.errors import IngestError

_BINARY_FIX = "this looks like a binary file with a text extension; convert it to text or give it its real extension"
_RESAVE_FIX = "re-save it as UTF-8 (e.g. `iconv -f ENCODING -t UTF-8 in.txt > out.txt`) and ingest it again"
# Longest marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
# The HTML standard reads these labels as windows-1252; a page that can declare itself in ASCII is not UTF-16/32.
_HTML_CHARSET_OVERRIDES = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "utf-16": None,
    "utf-16-le": None,
    "utf-16-be": None,
    "utf-32": None,
    "utf-32-le": None,
    "utf-32-be": None,
}


def _bom_encoding(data: bytes) -> str | None:
    return next((encoding for mark, encoding in _BYTE_ORDER_MARKS if data.startswith(mark)), None)


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


def html_charset(data: bytes) -> str | None:
    """The Python codec for the charset a page declares in a <meta> tag near its top, if there is a usable one."""
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return _HTML_CHARSET_OVERRIDES.get(name, name)


def _decode_without_mark(data: bytes, path: str, utf8_error: UnicodeDecodeError) -> str:
    """Not UTF-8: cp1252, unless the file is mostly UTF-8 and cp1252 would turn its accents into mojibake."""
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for ch in lenient if ord(ch) > 127) - bad
    if good > bad:
        raise IngestError(
            path,
            f"is UTF-8 except for {bad} invalid byte(s), the first at byte {utf8_error.start} (mixed encodings?)",
            "fix those bytes, or drop them with `iconv -f UTF-8 -t UTF-8 -c in.txt > out.txt`, and ingest it again",
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise IngestError(path, "is not valid UTF-8, UTF-16 or cp1252 text", _RESAVE_FIX) from None


def _decode(data: bytes, path: str, sniffed: str | None, declared: str | None) -> str:
    if sniffed:
        try:
            return data.decode(sniffed)
        except UnicodeDecodeError:
            name = sniffed.removesuffix("-sig").upper()
            raise IngestError(path, f"starts like {name} text but is not valid {name}", _RESAVE_FIX) from None
    try:
        # Valid UTF-8 beats a declaration: legacy text with accents is almost never valid UTF-8 by chance.
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if declared:
            with suppress(UnicodeDecodeError):
                return data.decode(declared)
        return _decode_without_mark(data, path, exc)


def decode_text(data: bytes, path: str, declared: str | None = None) -> str:
    """Decode a text file: by its byte-order mark or UTF-16 pattern, else as UTF-8, its declared charset or cp1252."""
    sniffed = _bom_encoding(data) or _looks_utf16(data)
    if sniffed in (None, "utf-8-sig") and b"\x00" in data:
        raise IngestError(path, "contains NUL bytes", _BINARY_FIX)
    text = _decode(data, path, sniffed, declared)
    if _control_share(text) > 0.01:
        raise IngestError(path, "contains control characters", _BINARY_FIX)
    return text
