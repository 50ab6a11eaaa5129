"""parse_file: one file (and its optional NAME.meta.json sidecar) to a Document with chunks."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from policykb.docnumbers import find_doc_numbers
from policykb.errors import IngestError
from policykb.glossary import Glossary
from policykb.ingest import metadata
from policykb.ingest.cleaning import clean_pages
from policykb.ingest.chunking import chunk_text
from policykb.ingest.language import detect_language
from policykb.ingest.loaders import LOADERS
from policykb.ingest.owners import extract_assignments
from policykb.models import Document

# Bump when cleaning, chunking or metadata change, so that unchanged files are parsed again.
PIPELINE_VERSION = "5"
SUPPORTED_EXTENSIONS = frozenset(LOADERS)
SIDECAR_FIELDS = {"title", "type", "date", "issuer", "language", "url"}
DOC_TYPES = ("strategy", "resolution", "minutes", "note", "report", "news", "other")
_DATE_VALUE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_MIN_CHUNK_LANGUAGE_CHARS = 200


def sidecar_path(path: Path) -> Path | None:
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        if candidate.is_file():
            return candidate
    return None


def collect_files(paths: list[Path]) -> tuple[list[Path], list[IngestError]]:
    """Every supported file under the given files and folders, sorted; unsupported named files are errors."""
    files: list[Path] = []
    errors: list[IngestError] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif not path.exists():
            errors.append(IngestError(path, "no such file or folder", "check the path"))
        elif path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            errors.append(IngestError(path, f"unsupported file type {path.suffix or '(none)'}", f"convert it to one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}"))
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
        raise IngestError(sidecar, f"unknown field(s) {', '.join(sorted(unknown))}", f"use only {', '.join(sorted(SIDECAR_FIELDS))}")
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
        raise IngestError(path, f"the file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit", "split it, or raise POLICYKB_MAX_FILE_MB")
    return path.read_bytes()


def parse_file(
    path: Path,
    glossary: Glossary,
    *,
    content_hash: str | None = None,
    target_chars: int = 900,
    max_chars: int = 1500,
    max_file_bytes: int = 50 * 2**20,
) -> Document:
    """Load, clean, chunk and describe one file. Raises IngestError with the reason and the fix."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise IngestError(path, f"unsupported file type {path.suffix}", f"convert it to one of {', '.join(sorted(LOADERS))}")
    overrides = read_sidecar(path)
    raw = loader(path, _read_bytes(path, max_file_bytes))
    clean = clean_pages(raw.pages)
    if len(clean.text.strip()) < 3:
        raise IngestError(path, "no text left after cleaning", "check that the file holds the document's text")
    chunks = chunk_text(
        clean.text, clean.page_starts if raw.file_format == "pdf" else [],
        target_chars=target_chars, max_chars=max_chars, wrapped=raw.file_format == "pdf", heading_hints=raw.headings,
    )
    language = overrides.get("language") or detect_language(clean.text)
    for chunk in chunks:
        long_enough = len(chunk.text) >= _MIN_CHUNK_LANGUAGE_CHARS
        chunk.language = detect_language(chunk.text, default=language) if long_enough else language
    title = overrides.get("title") or raw.title or metadata.detect_title(clean.text, fallback=path.stem)
    acronyms = metadata.find_acronyms(clean.text)
    known = glossary.with_acronyms(acronyms)
    for chunk in chunks:
        chunk.agencies = known.agencies_in(chunk.text)
    page_starts = clean.page_starts if raw.file_format == "pdf" else []
    return Document(
        source=str(path),
        text=clean.text,
        content_hash=content_hash or file_content_hash(path),
        title=title,
        doc_type=overrides.get("type") or metadata.detect_doc_type(title, clean.text),
        language=language,
        date=overrides.get("date") or _iso_or_none(raw.date) or metadata.find_date(clean.text),
        issuer=overrides.get("issuer") or _detect_issuer(clean.text),
        url=overrides.get("url") or raw.url,
        doc_numbers=find_doc_numbers(clean.text),
        agencies=known.agencies_in(clean.text),
        acronyms=acronyms,
        page_starts=page_starts,
        chunks=chunks,
        assignments=extract_assignments(clean.text, chunks, known, page_starts, title),
        file_format=raw.file_format,
    )


def _iso_or_none(value: str | None) -> str | None:
    return value if value and _DATE_VALUE.match(value) else None


def _detect_issuer(text: str) -> str | None:
    """A news agency's sign-off ("…-VNA"); other issuers come from the sidecar, since an agency named in a
    title is as often the subject as the author."""
    if re.search(r"(?:-\s?VNA|\(VNA\))\s*$", text[-200:]):
        return "Vietnam News Agency (VNA)"
    return None
