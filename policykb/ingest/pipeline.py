"""parse_file: one file (and its optional NAME.meta.json sidecar) to a Document with chunks."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import replace
from pathlib import Path

from policykb.docnumbers import find_doc_numbers
from policykb.errors import IngestError
from policykb.glossary import Glossary
from policykb.ingest import metadata
from policykb.ingest.archives import DEFAULT_MAX_INFLATED_BYTES
from policykb.ingest.chunking import chunk_text
from policykb.ingest.cleaning import CleanText, clean_pages
from policykb.ingest.language import detect_language
from policykb.ingest.legal_layout import LegalLayout, read_legal_layout
from policykb.ingest.loaders import LOADERS, Loader, RawText
from policykb.ingest.ocr import OcrSettings, ocr_raw_text
from policykb.links import LINK_SCHEMES, is_allowed_link
from policykb.models import Chunk, Document
from policykb.owners.extract import extract_assignments
from policykb.relations.extract import extract_relations

# Bump when cleaning, chunking or metadata change, so that unchanged files are parsed again.
PIPELINE_VERSION = "9"
# Appended to the content hash of a document indexed without the pages OCR could not read yet, so that the next
# ingest (with Tesseract installed) reads the file again instead of finding it unchanged.
OCR_PENDING = "+ocr-pending"
SUPPORTED_EXTENSIONS = frozenset(LOADERS)
SIDECAR_FIELDS = {"title", "type", "date", "issuer", "language", "url"}
DOC_TYPES = (
    "law",
    "decree",
    "decision",
    "circular",
    "resolution",
    "strategy",
    "minutes",
    "note",
    "report",
    "news",
    "other",
)
# What an editor may change on a document (policykb.ingest.edits checks the values), and which of them may be cleared.
EDITABLE_FIELDS = ("title", "type", "date", "issuer", "url")
CLEARABLE_FIELDS = ("date", "issuer", "url")
_DATE_VALUE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_MIN_CHUNK_LANGUAGE_CHARS = 200

log = logging.getLogger(__name__)


def sidecar_path(path: Path) -> Path | None:
    """NAME.meta.json or NAME.pdf.meta.json beside the file; none when such a name would be too long to exist."""
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # ENAMETOOLONG: a file name near the file system's limit leaves no room for ".meta.json"
            continue
    return None


def collect_files(paths: list[Path]) -> tuple[list[Path], list[IngestError]]:
    """Every supported file under the given files and folders, sorted; unsupported named files are errors."""
    files: list[Path] = []
    errors: list[IngestError] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_EXTENSIONS
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif not path.exists():
            errors.append(IngestError(path, "no such file or folder", "check the path"))
        elif path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            errors.append(
                IngestError(
                    path,
                    f"unsupported file type {path.suffix or '(none)'}",
                    f"convert it to one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}",
                )
            )
        else:
            files.append(path)
    return list(dict.fromkeys(p.resolve() for p in files)), errors


def file_content_hash(path: Path) -> str:
    """Hash of the file, its sidecar and the pipeline version: equal hashes mean nothing to redo."""
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    digest.update(path.read_bytes())
    sidecar = sidecar_path(path)
    if sidecar is not None:
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()


def read_sidecar(path: Path) -> dict[str, str]:
    sidecar = sidecar_path(path)
    if sidecar is None:
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(sidecar, f"not valid JSON ({exc})", "fix the sidecar or delete it") from exc
    if not isinstance(data, dict):
        raise IngestError(sidecar, "must hold a JSON object", 'write e.g. {"title": "…", "type": "resolution"}')
    unknown = set(data) - SIDECAR_FIELDS
    if unknown:
        raise IngestError(
            sidecar, f"unknown field(s) {', '.join(sorted(unknown))}", f"use only {', '.join(sorted(SIDECAR_FIELDS))}"
        )
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise IngestError(sidecar, f"field {key!r} must be a non-empty string", "give it a value or remove it")
    if "type" in data and data["type"] not in DOC_TYPES:
        raise IngestError(sidecar, f"field 'type' is {data['type']!r}", f"use one of {', '.join(DOC_TYPES)}")
    if "date" in data and not _DATE_VALUE.match(data["date"]):
        raise IngestError(sidecar, f"field 'date' is {data['date']!r}", "write it as YYYY-MM-DD, YYYY-MM or YYYY")
    return data


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise IngestError(path, "the file is empty", "check that it was saved or downloaded completely")
    if size > max_bytes:
        raise IngestError(
            path,
            f"the file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit",
            "split it, or raise POLICYKB_MAX_FILE_MB",
        )
    return path.read_bytes()


def parse_file(
    path: Path,
    glossary: Glossary,
    *,
    content_hash: str | None = None,
    target_chars: int = 900,
    max_chars: int = 1500,
    max_file_bytes: int = 50 * 2**20,
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES,
    ocr: OcrSettings | None = None,
    edits: dict[str, str] | None = None,
) -> Document:
    """Load, clean, chunk and describe one file; scanned pages and images are read by OCR. `edits`: metadata an editor
    set (fields of EDITABLE_FIELDS), over the sidecar's; an empty value clears a date, issuer or url.
    Raises IngestError with the reason and the fix."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise IngestError(
            path, f"unsupported file type {path.suffix}", f"convert it to one of {', '.join(sorted(LOADERS))}"
        )
    overrides = read_sidecar(path) | {field: value for field, value in (edits or {}).items() if value}
    raw, clean, ocr_complete = _read_clean_text(path, loader, (max_file_bytes, max_inflated_bytes), ocr)
    page_starts = clean.page_starts if raw.paged else []
    layout = read_legal_layout(clean.text)
    chunks = _chunk_clean_text(raw, clean.text, page_starts, target_chars, max_chars, layout.skip)
    language = overrides.get("language") or detect_language(clean.text)
    header = layout.header
    title = (
        overrides.get("title")
        or (header and header.title)
        or raw.title
        or metadata.detect_title(clean.text, fallback=path.stem)
    )
    acronyms = metadata.find_acronyms(clean.text)
    known = glossary.with_acronyms(acronyms)
    _tag_chunks(chunks, language, known)
    doc = Document(
        source=str(path),
        text=clean.text,
        content_hash=(content_hash or file_content_hash(path)) + ("" if ocr_complete else OCR_PENDING),
        title=title,
        doc_type=overrides.get("type") or (header and header.doc_type) or metadata.detect_doc_type(title, clean.text),
        language=language,
        date=overrides.get("date")
        or (header and header.date)
        or _iso_or_none(raw.date)
        or metadata.find_date(clean.text),
        issuer=overrides.get("issuer") or (header and header.issuer) or _detect_issuer(clean.text),
        url=_link_or_none(path, overrides.get("url"), raw.url),
        doc_numbers=_doc_numbers(clean.text, layout),
        agencies=known.agencies_in(clean.text),
        acronyms=acronyms,
        page_starts=page_starts,
        chunks=chunks,
        assignments=extract_assignments(clean.text, chunks, known, page_starts, title),
        file_format=raw.file_format,
        number=header.number if header else None,
    )
    doc = _cleared(doc, edits or {})
    doc.relations, doc.node_keys = extract_relations(doc.text, doc.number, doc.title, doc.date, doc.doc_type)
    return doc


def _cleared(doc: Document, edits: dict[str, str]) -> Document:
    """The document without the fields an editor cleared (an empty edit): what the file says is not used for them."""
    for field in CLEARABLE_FIELDS:
        if edits.get(field) == "":
            setattr(doc, field, None)
    return doc


def _read_clean_text(
    path: Path, loader: Loader, limits: tuple[int, int], ocr: OcrSettings | None
) -> tuple[RawText, CleanText, bool]:
    """The file's text page by page (OCR filling scanned pages), cleaned; and whether OCR read every page it had to.
    `limits`: the most bytes the file may have, and the most its compressed parts may unpack to."""
    max_file_bytes, max_inflated_bytes = limits
    data = _read_bytes(path, max_file_bytes)
    raw = loader(path, data, max_inflated_bytes)
    ocr_complete = ocr_raw_text(path, data, raw, ocr or OcrSettings())
    clean = clean_pages(raw.pages)
    if len(clean.text.strip()) < 3:
        raise IngestError(path, "no text left after cleaning", "check that the file holds the document's text")
    return raw, clean, ocr_complete


def _chunk_clean_text(
    raw: RawText, text: str, page_starts: list[int], target_chars: int, max_chars: int, skip: list[tuple[int, int]]
) -> list[Chunk]:
    """The cleaned text in chunks, none of them mixing a text-layer page with one read by OCR, none holding a legal
    document's header, signature or recipients."""
    chunks = chunk_text(
        text,
        page_starts,
        target_chars=target_chars,
        max_chars=max_chars,
        wrapped=raw.paged,
        heading_hints=raw.headings,
        skip=skip,
    )
    return mark_ocr_chunks(split_at_ocr_edges(chunks, text, page_starts, set(raw.ocr_confidence)), raw.ocr_confidence)


def _tag_chunks(chunks: list[Chunk], language: str, known: Glossary) -> None:
    """Each chunk's language (the document's, unless the chunk is long enough to tell its own) and agencies."""
    for chunk in chunks:
        long_enough = len(chunk.text) >= _MIN_CHUNK_LANGUAGE_CHARS
        chunk.language = detect_language(chunk.text, default=language) if long_enough else language
        chunk.agencies = known.agencies_in(chunk.text)


def split_at_ocr_edges(chunks: list[Chunk], text: str, page_starts: list[int], ocr_pages: set[int]) -> list[Chunk]:
    """Split a chunk that runs from a text-layer page onto a page read by OCR (or back) where that page starts, so that
    a passage is all OCR text or none and its citation can say which."""
    out: list[Chunk] = []
    for chunk in chunks:
        piece = chunk
        for page in range(chunk.page or 1, (chunk.page_end or 0) + 1):
            if page == piece.page or (page in ocr_pages) == (page - 1 in ocr_pages):
                continue
            edge = page_starts[page - 1]
            head_end = piece.start + len(text[piece.start : edge].rstrip())
            if head_end > piece.start:
                out.append(replace(piece, end=head_end, text=text[piece.start : head_end], page_end=page - 1))
            piece = replace(piece, start=edge, text=text[edge : piece.end], page=page)
        out.append(piece)
    for ordinal, chunk in enumerate(out):
        chunk.ordinal = ordinal
    return out


def mark_ocr_chunks(chunks: list[Chunk], ocr_confidence: dict[int, float | None]) -> list[Chunk]:
    """Flag chunks on pages read by OCR, with the mean confidence of those pages."""
    for chunk in chunks:
        if chunk.page is None:
            continue
        read = [page for page in range(chunk.page, (chunk.page_end or chunk.page) + 1) if page in ocr_confidence]
        known = [ocr_confidence[page] for page in read if ocr_confidence[page] is not None]
        chunk.ocr = bool(read)
        chunk.ocr_confidence = round(sum(known) / len(known), 1) if known else None
    return chunks


def _doc_numbers(text: str, layout: LegalLayout) -> list[str]:
    """The document numbers the text mentions, its own (from its header) first."""
    own = [layout.header.number] if layout.header and layout.header.number else []
    return list(dict.fromkeys(own + find_doc_numbers(text)))


def _link_or_none(path: Path, sidecar_url: str | None, page_url: str | None) -> str | None:
    """The document's web address: the sidecar's, else the one the HTML page gives itself. One that must not become
    a link (a `javascript:` address, say) is dropped, with a warning naming the file it came from."""
    for url, source in ((sidecar_url, sidecar_path(path)), (page_url, path)):
        if url is None:
            continue
        if is_allowed_link(url.strip()):
            return url.strip()
        log.warning(
            "%s: the web address %r is not an absolute %s address — dropped; give the page's http(s) address",
            source or path,
            url[:200],
            ", ".join(LINK_SCHEMES),
        )
    return None


def _iso_or_none(value: str | None) -> str | None:
    return value if value and _DATE_VALUE.match(value) else None


def _detect_issuer(text: str) -> str | None:
    """A news agency's sign-off ("…-VNA"); other issuers come from the sidecar, since an agency named in a
    title is as often the subject as the author."""
    if re.search(r"(?:-\s?VNA|\(VNA\))\s*$", text[-200:]):
        return "Vietnam News Agency (VNA)"
    return None
