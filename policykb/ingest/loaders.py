"""One loader per file format, each returning the raw text of the file page by page."""

from __future__ import annotations

import io
import logging
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from policykb.errors import IngestError
from policykb.ingest.archives import DEFAULT_MAX_INFLATED_BYTES, check_zip_budget, mb, over_budget
from policykb.ingest.decoding import decode_text, html_charset
from policykb.ingest.page_images import IMAGE_FORMATS, image_page_count

log = logging.getLogger(__name__)

_DECRYPT_FIX = "save an unencrypted copy (e.g. `qpdf --decrypt --password=… in.pdf out.pdf`) and ingest that"
_DOCX_FIX = "open it in Word or LibreOffice and save it again as .docx"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 files, and Office files saved with a password
# Boxes that advertise other pages inside an article (e.g. <pp-inline-teaser> on bmas.de); trafilatura keeps them.
_TEASER_ELEMENTS = ['//*[contains(local-name(), "teaser")]']
_MIN_PAGE_CHARS = 20  # less than this: a scan with at most a stamp or a page number as text
_MIN_WORD_SHARE = 0.5  # letters and digits among the visible characters of a usable text layer
_MAX_JUNK_SHARE = 0.1  # private-use, unassigned, control and replacement characters: glyphs without a Unicode meaning
_MIN_DRAWING_BYTES = 2000  # a page stream this long with no text draws it as shapes; a blank page's stream is tiny


@dataclass
class RawText:
    """What a loader read: text per page (one page for formats without pages) and format hints."""

    pages: list[str]
    file_format: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    headings: dict[str, int] = field(default_factory=dict)  # heading line -> level, where the format says
    paged: bool = False  # pages are real pages (PDF, image files): chunks carry page numbers
    # Pages (from 1) whose text must come from OCR, with their size in points (PDF) or None (image files);
    # OCR fills their text into `pages` and their mean word confidence into `ocr_confidence`.
    ocr_pages: dict[int, tuple[float, float] | None] = field(default_factory=dict)
    ocr_confidence: dict[int, float | None] = field(default_factory=dict)


def load_plain(path: Path, data: bytes, max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES) -> RawText:
    fmt = "md" if path.suffix.lower() == ".md" else "txt"
    return RawText(pages=[decode_text(data, str(path))], file_format=fmt)


def load_html(path: Path, data: bytes, max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES) -> RawText:
    import trafilatura

    html = decode_text(data, str(path), declared=html_charset(data))
    result = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        favor_precision=True,
        prune_xpath=_TEASER_ELEMENTS,
    )
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        raise IngestError(
            path, "no main text found in this HTML page", "save the article's own page, not an index or a login page"
        )
    return RawText(
        pages=[text],
        file_format="html",
        title=getattr(result, "title", None),
        date=getattr(result, "date", None),
        url=getattr(result, "url", None),
    )


class _ToOurLog(logging.Handler):
    """Carries pypdf's notes about a file it repaired into our log at INFO (shown with -v), naming the file."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        log.info("%s: pypdf: %s", self.path, record.getMessage()[:300])  # some notes quote a whole font dictionary


@contextmanager
def _pypdf_notes_in_our_log(path: Path) -> Iterator[None]:
    """Without this pypdf warns on stderr, and a bad file would get more than its one `error:` line."""
    pypdf_log = logging.getLogger("pypdf")
    handler, propagate = _ToOurLog(path), pypdf_log.propagate
    pypdf_log.addHandler(handler)
    pypdf_log.propagate = False
    try:
        yield
    finally:
        pypdf_log.removeHandler(handler)
        pypdf_log.propagate = propagate


def _unreadable_pdf(path: Path, data: bytes, exc: Exception) -> IngestError:
    """Name what is wrong with a PDF pypdf could not read, from the shape of the file."""
    head = data[:1024]
    if b"%PDF-" not in head:
        looks_like = (
            "an HTML page (a failed download?)"
            if head.lstrip().startswith(b"<")
            else f"something else: it starts with {data[:16]!r}"
        )
        return IngestError(path, f"not a PDF file, it is {looks_like}", "download or export the PDF again")
    if b"%%EOF" not in data[-1024:]:
        return IngestError(
            path,
            "the PDF is truncated (it stops before its %%EOF end marker)",
            "download or copy it again and ingest the complete file",
        )
    return IngestError(
        path,
        f"malformed PDF ({type(exc).__name__}: {exc})",
        "download or export the PDF again, or repair it with `qpdf in.pdf out.pdf`",
    )


def _may_show_text(resources, depth: int = 0) -> bool:
    """False only when a page's resources, and those of the forms it draws, hold no font: then it cannot show text.

    Such pages (scans, text printed as vector shapes) can take pypdf seconds to parse for nothing.
    """
    from pypdf.generic import DictionaryObject

    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject) or depth > 8:
        return True  # missing, odd or deeply nested: let pypdf look
    if resources.get("/Font"):
        return True
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else {}
    forms = (xobject.get_object() for xobject in (xobjects.values() if isinstance(xobjects, dict) else []))
    return any(
        form.get("/Subtype") == "/Form" and _may_show_text(form.get("/Resources"), depth + 1)
        for form in forms
        if isinstance(form, DictionaryObject)
    )


def _page_texts(path: Path, reader, max_inflated_bytes: int) -> list[str]:
    """Each page's text layer; the bytes its content streams unpack to are counted, and the file refused once they
    pass `max_inflated_bytes` (a page of a few kB can hold a stream that unpacks to 75 MB of operators to parse)."""
    texts, unpacked = [], 0
    for number, page in enumerate(reader.pages, start=1):
        if not _may_show_text(page.get("/Resources")):
            texts.append("")
            continue
        contents = page.get_contents()  # decoded once: extract_text reads it again from pypdf's cache
        unpacked += len(contents.get_data()) if contents is not None else 0
        if unpacked > max_inflated_bytes:
            reason = f"its page streams unpack past the {mb(max_inflated_bytes)} limit at page {number}"
            raise over_budget(path, reason, "a decompression bomb")
        texts.append(page.extract_text() or "")
    return texts


def usable_text_layer(text: str) -> bool:
    """False for a page whose text layer is missing, a stamp or page number only, or glyphs that extract as junk."""
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < _MIN_PAGE_CHARS:
        return False
    wordlike = sum(1 for ch in visible if ch.isalnum())
    junk = sum(1 for ch in visible if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn", "Cc", "Cs"))
    return wordlike / len(visible) >= _MIN_WORD_SHARE and junk / len(visible) <= _MAX_JUNK_SHARE


def _draws_something(page) -> bool:
    """Whether a page shows anything OCR could read: an image or form, or a long content stream (text as shapes)."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
    if xobjects is not None and len(xobjects.get_object()) > 0:
        return True
    contents = page.get_contents()
    return contents is not None and len(contents.get_data()) >= _MIN_DRAWING_BYTES


def _open_pdf(path: Path, data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "the PDF is encrypted: a password is required to open it", _DECRYPT_FIX)
    except DependencyError as exc:
        raise IngestError(
            path,
            f"the PDF is encrypted with a method that needs another package ({exc})",
            "install it (pip install cryptography), or save an unencrypted copy",
        ) from exc
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged files make pypdf raise almost anything
        raise _unreadable_pdf(path, data, exc) from exc
    return reader


def load_pdf(path: Path, data: bytes, max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES) -> RawText:
    with _pypdf_notes_in_our_log(path):
        reader = _open_pdf(path, data)
        try:
            pages = _page_texts(path, reader, max_inflated_bytes)
            scanned = {
                number: (float(page.mediabox.width), float(page.mediabox.height))
                for number, (page, text) in enumerate(zip(reader.pages, pages), start=1)
                if not usable_text_layer(text) and _draws_something(page)
            }
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001 - as in _open_pdf
            raise _unreadable_pdf(path, data, exc) from exc
        title = _pdf_title(path, reader)
    if not pages:
        raise IngestError(path, "the PDF has no pages", "download or export the PDF again")
    for number in scanned:
        pages[number - 1] = ""  # a stamp or junk glyphs: OCR reads the whole page instead
    return RawText(pages=pages, file_format="pdf", title=title, paged=True, ocr_pages=scanned)


def load_image(path: Path, data: bytes, max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES) -> RawText:
    """An image file (a scan, a photographed note; a multi-page TIFF): every page is read by OCR."""
    count = image_page_count(path, data)
    return RawText(
        pages=[""] * count,
        file_format=IMAGE_FORMATS[path.suffix.lower()],
        paged=True,
        ocr_pages=dict.fromkeys(range(1, count + 1)),
    )


def _pdf_title(path: Path, reader) -> str | None:
    try:
        title = (reader.metadata or {}).get("/Title")
    except Exception:  # noqa: BLE001 - a broken info dictionary costs only the title
        log.debug("unreadable PDF metadata in %s", path)
        return None
    text = str(title).strip() if title is not None else ""
    return text or None


def _docx_heading_level(paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name == "Title":
        return 0
    if name.startswith("Heading"):
        digits = name.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return None


def _check_docx_container(path: Path, data: bytes, max_inflated_bytes: int) -> None:
    """Refuse what is not a .docx, and a zip bomb or an XML part declaring entities, before python-docx reads it."""
    if data.startswith(_OLE_MAGIC):
        raise IngestError(
            path,
            "an old binary .doc or a password-protected Office file, not a .docx",
            f"remove any password, then {_DOCX_FIX}",
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError(path, "not a valid .docx file (it is not a zip archive)", _DOCX_FIX)
    check_zip_budget(path, data, max_inflated_bytes, _DOCX_FIX)


def _table_row(row) -> str:
    """A table row as one line of cells joined by " | ": a cell's paragraphs on one line, an empty cell kept (so the
    columns after it stay where the header says), a merged cell (repeated by python-docx) once."""
    cells = [" ".join(cell.text.split()) for cell in row.cells]
    kept = [cell for i, cell in enumerate(cells) if i == 0 or not cell or cell != cells[i - 1]]
    return " | ".join(kept) if any(kept) else ""


def _docx_lines(document) -> tuple[list[str], dict[str, int]]:
    """Paragraphs and table rows in reading order, and the heading lines with their level."""
    from docx.table import Table

    lines: list[str] = []
    headings: dict[str, int] = {}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_row(row) for row in block.rows)
            lines.append("")
            continue
        text = block.text.strip()
        level = _docx_heading_level(block)
        if level is not None and text:
            headings[text] = level
            lines.extend(["", text])
        else:
            lines.append(text)
    return lines, headings


def load_docx(path: Path, data: bytes, max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES) -> RawText:
    """Paragraphs and tables of a Word file, once its parts are known to unpack within `max_inflated_bytes`."""
    import docx

    _check_docx_container(path, data, max_inflated_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
        lines, headings = _docx_lines(document)
        title = document.core_properties.title or None
    except Exception as exc:  # noqa: BLE001 - a damaged zip or XML part makes python-docx and lxml raise almost anything
        raise IngestError(path, f"not a readable .docx file ({type(exc).__name__}: {exc})", _DOCX_FIX) from exc
    return RawText(pages=["\n".join(lines)], file_format="docx", title=title, headings=headings)


# A file's path (for messages and its suffix), its bytes, and the most bytes its compressed parts may unpack to.
Loader = Callable[[Path, bytes, int], RawText]

LOADERS: dict[str, Loader] = {
    ".txt": load_plain,
    ".md": load_plain,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
    **dict.fromkeys(IMAGE_FORMATS, load_image),
}
