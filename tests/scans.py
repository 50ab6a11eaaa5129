"""Scanned test files made here: known English and Vietnamese lines drawn with a TrueType font, as PNG, JPEG, TIFF and
PDF; a PDF with a text page and a scanned page; and bad images (corrupt, empty, huge, blank)."""

from __future__ import annotations

import io
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pypdf import PdfReader, PdfWriter

# DejaVu has every precomposed Vietnamese letter; Debian's fonts-dejavu-core puts it here (.ci/run installs it).
FONT_PATHS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans.ttf"))

ENGLISH = [
    "Resolution on social assistance for older people",
    "The Ministry of Labour shall extend monthly",
    "pensions to every farmer over seventy years old.",
    "Provinces report coverage to the ministry each quarter.",
]
VIETNAMESE = [
    "Nghị quyết về trợ giúp xã hội cho người cao tuổi",
    "Bộ Lao động chủ trì, phối hợp với các bộ, ngành",
    "mở rộng trợ cấp hằng tháng cho người từ đủ",
    "bảy mươi tuổi trở lên tại các tỉnh miền núi.",
]
SECOND_PAGE = [
    "Annex two: health insurance cards for students",
    "are issued by the provincial social security office.",
]
MINUTES = [
    "Minutes: the provincial committee agreed to",
    "audit the pension fund before the end of June.",
]


def needs_tesseract() -> pytest.MarkDecorator:
    """Skip unless Tesseract with English and Vietnamese data is installed (CI installs it)."""
    missing = shutil.which("tesseract") is None
    if not missing:
        import pytesseract

        missing = not {"eng", "vie"} <= set(pytesseract.get_languages(config=""))
    return pytest.mark.skipif(
        missing, reason="needs Tesseract with English and Vietnamese: apt-get install tesseract-ocr tesseract-ocr-vie"
    )


def font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_PATHS:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    pytest.skip("needs the DejaVu Sans font (Vietnamese letters): apt-get install fonts-dejavu-core")


def page_image(lines: list[str], width: int = 1500, size: int = 38, scanned: bool = True) -> Image.Image:
    """Lines of text on a white page at about 300 dpi for 9-point type; `scanned` blurs and tilts it slightly."""
    face = font(size)
    height = 120 + int(size * 1.6) * len(lines)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((60, 60 + int(size * 1.6) * number), line, font=face, fill=0)
    if scanned:
        image = image.rotate(0.4, resample=Image.BICUBIC, fillcolor=255).filter(ImageFilter.GaussianBlur(0.6))
    return image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def multipage_tiff(*pages: Image.Image) -> bytes:
    return encoded(pages[0], "TIFF", save_all=True, append_images=list(pages[1:]), compression="tiff_deflate")


def scanned_pdf(*pages: Image.Image) -> bytes:
    """A PDF of page images and no text, as a scanner makes it."""
    return encoded(
        pages[0].convert("RGB"),
        "PDF",
        save_all=True,
        append_images=[p.convert("RGB") for p in pages[1:]],
        resolution=300,
    )


def text_then_scan_pdf(text_pdf: bytes, scan: Image.Image) -> bytes:
    """Page 1 from a PDF with a text layer, page 2 a scanned image."""
    writer = PdfWriter()
    for source in (text_pdf, scanned_pdf(scan)):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A valid, blank 1-bit PNG of width x height pixels, written row by row: small on disk, never held in memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def corrupt_png() -> bytes:
    """A PNG whose header is right and whose image data is cut off and scrambled."""
    whole = encoded(page_image(ENGLISH, scanned=False), "PNG")
    return whole[:200] + bytes(range(256)) * 4
