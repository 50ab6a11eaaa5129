"""The unpacking budget for user files: zip archives (a .docx is one) checked before any library opens them; the
error for a PDF whose page streams pass the same budget (counted by its loader) comes from here too.

A zip bomb — a small file whose parts inflate to gigabytes — is refused from the sizes its directory declares and,
since a directory can lie, by counting the bytes each part really inflates to while reading it in pieces. An XML part
that declares a DTD (the start of a billion-laughs or XXE attack; Office files never carry one) is refused too, read
by defusedxml up to its root element only.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from policykb.config import Config
from policykb.errors import IngestError

DEFAULT_MAX_INFLATED_BYTES = Config.max_inflated_bytes  # POLICYKB_MAX_INFLATED_MB
MAX_PARTS = 10_000  # a Word file has tens of parts, a few thousand with every image apart; each costs a file open
_PIECE = 2**20  # bytes inflated at a time: what reading a part costs in memory
_XML_SUFFIXES = (".xml", ".rels")
_BOMB_FIX = "if the file is genuine, raise POLICYKB_MAX_INFLATED_MB; otherwise do not ingest it"
_DTD_FIX = "open it in Word or LibreOffice and save it again as .docx (that drops the declarations)"


class ArchiveTooLargeError(IngestError):
    """An archive whose parts unpack past the budget: a zip bomb, or a file too large to read."""


class _RootReached(Exception):
    """The XML part's root element has started: no DTD can follow, the rest of the part is not parsed."""


class _StopAtRoot:
    """An ElementTree parser target that builds nothing and stops the parse at the first element."""

    def start(self, tag: str, attrib: dict) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


def check_zip_budget(path: Path, data: bytes, max_inflated_bytes: int, fix: str) -> None:
    """Raise IngestError when the archive in `data` inflates past `max_inflated_bytes` or an XML part in it declares
    a DTD; also when it is not a readable zip (`fix` says what to do then)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_PARTS:
                reason = f"it holds {len(members):,} parts, over the {MAX_PARTS:,} a document may have (a zip bomb?)"
                raise ArchiveTooLargeError(path, reason, "do not ingest it; a Word file has tens of parts")
            declared = sum(member.file_size for member in members)
            if declared > max_inflated_bytes:
                raise over_budget(path, f"its parts unpack to {mb(declared)}, over the {mb(max_inflated_bytes)} limit")
            inflated = 0
            for member in members:
                inflated = _inflate_member(path, archive, member, inflated, max_inflated_bytes)
    except IngestError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        raise IngestError(path, f"not a readable zip archive ({type(exc).__name__}: {exc})", fix) from exc


def _inflate_member(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo, inflated: int, limit: int) -> int:
    """Inflate one part in pieces, adding its bytes to `inflated` (refused past `limit`) and checking an XML part's
    prolog; the new total."""
    prolog = _prolog_parser() if member.filename.lower().endswith(_XML_SUFFIXES) else None
    with archive.open(member) as part:
        while piece := part.read(_PIECE):
            inflated += len(piece)
            if inflated > limit:
                raise over_budget(path, f"unpacking it passes the {mb(limit)} limit in its part {member.filename}")
            if prolog is not None:
                prolog = _feed_prolog(path, member.filename, prolog, piece)
    return inflated


def _prolog_parser() -> DefusedXMLParser:
    return DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True, forbid_entities=True, forbid_external=True)


def _feed_prolog(path: Path, name: str, parser: DefusedXMLParser, piece: bytes) -> DefusedXMLParser | None:
    """Feed a piece of an XML part; None once the root element is reached (or the part is not XML that expat reads:
    python-docx's own parser, which resolves no entities, then judges it)."""
    try:
        parser.feed(piece)
    except DefusedXmlException as exc:
        raise IngestError(
            path, f"its part {name} declares a DTD or entities ({exc}), which a Word file never does", _DTD_FIX
        ) from exc
    except (_RootReached, ParseError):
        return None
    return parser


def over_budget(path: Path, reason: str, bomb: str = "a zip bomb") -> ArchiveTooLargeError:
    """The error for a file whose compressed parts (a zip's, a PDF's streams) unpack past the budget."""
    return ArchiveTooLargeError(path, f"{reason} ({bomb}?)", _BOMB_FIX)


def mb(size: int) -> str:
    return f"{size / 2**20:.0f} MB"
