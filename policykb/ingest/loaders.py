"""One loader per file format, each returning the raw text of the file page by page."""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from policykb.errors import IngestError
from policykb.ingest.decoding import decode_text

log = logging.getLogger(__name__)

_NEEDS_OCR = "it needs OCR: run it through an OCR tool (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the result"


@dataclass
class RawText:
    """What a loader read: text per page (one page for formats without pages) and format hints."""

    pages: list[str]
    file_format: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    headings: dict[str, int] = field(default_factory=dict)  # heading line -> level, where the format says


def load_plain(path: Path, data: bytes) -> RawText:
    fmt = "md" if path.suffix.lower() == ".md" else "txt"
    return RawText(pages=[decode_text(data, str(path))], file_format=fmt)


def load_html(path: Path, data: bytes) -> RawText:
    import trafilatura

    html = decode_text(data, str(path))
    result = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, with_metadata=True, favor_precision=True
    )
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        raise IngestError(path, "no main text found in this HTML page", "save the article's own page, not an index or a login page")
    return RawText(
        pages=[text],
        file_format="html",
        title=getattr(result, "title", None),
        date=getattr(result, "date", None),
        url=getattr(result, "url", None),
    )


def load_pdf(path: Path, data: bytes) -> RawText:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "the PDF is encrypted and needs a password", "save an unencrypted copy (e.g. `qpdf --decrypt --password=… in.pdf out.pdf`) and ingest that")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except FileNotDecryptedError as exc:
        raise IngestError(path, "the PDF is encrypted and needs a password", "save an unencrypted copy and ingest that") from exc
    except (PyPdfError, PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise IngestError(path, f"malformed or truncated PDF ({type(exc).__name__}: {exc})", "download or export the PDF again and ingest the complete file") from exc
    if not pages:
        raise IngestError(path, "the PDF has no pages", "download or export the PDF again")
    if sum(len(page.strip()) for page in pages) < 20:
        raise IngestError(path, "no extractable text (a scanned or image-only PDF)", _NEEDS_OCR)
    title = None
    try:
        title = (reader.metadata or {}).get("/Title")
    except (PyPdfError, ValueError, TypeError):
        log.debug("unreadable PDF metadata in %s", path)
    return RawText(pages=pages, file_format="pdf", title=str(title) if title else None)


def _docx_heading_level(paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name == "Title":
        return 0
    if name.startswith("Heading"):
        digits = name.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return None


def load_docx(path: Path, data: bytes) -> RawText:
    import docx
    from docx.table import Table

    if not zipfile.is_zipfile(path):
        raise IngestError(path, "not a valid .docx file (it is not a zip archive)", "open it in Word or LibreOffice and save it again as .docx")
    try:
        document = docx.Document(str(path))
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise IngestError(path, f"not a readable .docx file ({exc})", "open it in Word or LibreOffice and save it again as .docx") from exc
    lines: list[str] = []
    headings: dict[str, int] = {}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                lines.append(" | ".join(dict.fromkeys(cell for cell in cells if cell)))
            lines.append("")
            continue
        text = block.text.strip()
        level = _docx_heading_level(block)
        if level is not None and text:
            headings[text] = level
            lines.extend(["", text])
        else:
            lines.append(text)
    title = document.core_properties.title or None
    return RawText(pages=["\n".join(lines)], file_format="docx", title=title, headings=headings)


LOADERS = {
    ".txt": load_plain,
    ".md": load_plain,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}
