"""An original file as a download: always an attachment, typed by the format it was read as once its first bytes
agree, never by its name; so that an uploaded HTML page (or a text file made to look like one) never runs as a page
of this site."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file

from policykb.web.uploads import IMAGE_MAGIC

FORMAT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "txt": "text/plain",
    "md": "text/markdown",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
UNKNOWN_TYPE = "application/octet-stream"
_TEXT_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")
# Even if a browser were to show the file, it would run nothing and reach nothing as this site.
_DOWNLOAD_CSP = "default-src 'none'; sandbox"


def sniffed_type(path: Path, file_format: str) -> str:
    """The media type of `file_format` when the file's first bytes are of that format; else octet-stream (the file
    changed since it was read, or was never what it claimed)."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    expected = FORMAT_TYPES.get(file_format)
    return expected if expected is not None and _head_matches(file_format, head) else UNKNOWN_TYPE


def _head_matches(file_format: str, head: bytes) -> bool:
    if file_format == "pdf":
        return b"%PDF-" in head[:1024]
    if file_format == "docx":
        return head.startswith(b"PK\x03\x04")
    if file_format in ("png", "jpeg", "tiff"):
        return head.startswith(IMAGE_MAGIC[f".{file_format}"])
    return head.startswith(_TEXT_BOMS) or b"\x00" not in head  # txt, md, html: text, in any encoding the loader reads


def send_original(path: Path, file_format: str) -> Response:
    """The file as a download under its own name, typed by `sniffed_type`, with headers that forbid browsers to
    guess another type or to show it as a page."""
    response = send_file(path, mimetype=sniffed_type(path, file_format), as_attachment=True, download_name=path.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = _DOWNLOAD_CSP
    return response
