"""Page images of scanned files: PDF pages rendered by pdftoppm, image files (every TIFF page) read by Pillow."""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import uuid
import warnings
from pathlib import Path

from policykb.errors import IngestError

IMAGE_FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".tif": "tiff", ".tiff": "tiff"}
# Pillow's own decompression-bomb limit (about 89 megapixels, an A0 sheet at 200 dpi): far above any scan or phone
# photo, far below what would take gigabytes to decode.
MAX_PIXELS = 89_478_485
POPPLER_FIX = "install poppler's tools: apt-get install poppler-utils"
_IMAGE_FIX = "open it in an image viewer and save or export it again (PNG, JPEG or TIFF)"
DISPLAY_DPI = 110  # a page image for people, beside its OCR text: readable, a few hundred kB
DISPLAY_MAX_SIDE = 1600


def _pillow():
    from PIL import Image

    # Pillow's own bomb check raises at open without saying the size; open_image checks every page against
    # MAX_PIXELS itself (opening reads only the header) and says it.
    Image.MAX_IMAGE_PIXELS = None
    return Image


def _too_large(path: Path, width: int, height: int, page: int | None = None) -> IngestError:
    where = f"page {page} is" if page else "the image is"
    return IngestError(
        path,
        f"{where} {width:,} × {height:,} pixels, over the {MAX_PIXELS / 1e6:.0f}-megapixel limit",
        "scale it down (300 dpi is enough for OCR) and ingest it again",
    )


def open_image(path: Path, data: bytes):
    """The image with its size checked (decoding nothing yet); IngestError for anything that is not a usable image."""
    Image = _pillow()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # notes on odd metadata (EXIF) would add lines to a run's output
            image = Image.open(io.BytesIO(data))
    except Image.UnidentifiedImageError as exc:
        raise IngestError(path, "not a readable image: its content is not PNG, JPEG or TIFF", _IMAGE_FIX) from exc
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds of error for damaged files
        raise IngestError(path, f"not a readable image ({type(exc).__name__}: {exc})", _IMAGE_FIX) from exc
    if image.width * image.height > MAX_PIXELS:
        raise _too_large(path, image.width, image.height)
    return image


def image_page_count(path: Path, data: bytes) -> int:
    """How many pages an image file holds: one, or one per frame of a multi-page TIFF."""
    with open_image(path, data) as image:
        return getattr(image, "n_frames", 1)


def image_page_png(path: Path, data: bytes, page: int, target: Path, max_side: int | None = None) -> Path:
    """Decode page `page` (from 1) of an image file, upright and in greyscale, into a PNG at `target`."""
    from PIL import ImageOps

    with open_image(path, data) as image, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            image.seek(page - 1)
            if image.width * image.height > MAX_PIXELS:
                raise _too_large(path, image.width, image.height, page)
            frame = ImageOps.exif_transpose(image) if page == 1 else image.copy()
            frame = _on_white(frame)
            if max_side and max(frame.size) > max_side:
                frame.thumbnail((max_side, max_side))
            _save_atomically(frame, target)
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001 - a truncated or corrupt image fails only when decoded
            raise IngestError(
                path,
                f"page {page} of the image cannot be decoded, the file is damaged ({type(exc).__name__}: {exc})",
                _IMAGE_FIX,
            ) from exc
    return target


def _on_white(image):
    """Greyscale, with any transparency laid on white (Tesseract reads transparent pixels as black)."""
    Image = _pillow()
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode.startswith("I;16") or image.mode == "I":  # 16-bit scans: keep the top 8 bits
        image = image.convert("I").point(lambda value: value * (1 / 256))
    return image.convert("L")


def _partial(target: Path) -> Path:
    """A unique temporary name beside `target`: two renderings of one page never write the same file."""
    return target.with_name(f"{target.stem}.{uuid.uuid4().hex[:8]}.part")


def _save_atomically(image, target: Path) -> None:
    partial = _partial(target)
    image.save(partial, format="PNG")
    os.replace(partial, target)


def pdf_page_dpi(width_pt: float, height_pt: float, dpi: int) -> int:
    """`dpi`, or less for a page so large that it would be over the pixel limit at `dpi`."""
    pixels = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
    if pixels <= MAX_PIXELS:
        return dpi
    return max(1, int(dpi * math.sqrt(MAX_PIXELS / pixels)))


def pdf_page_png(path: Path, page: int, dpi: int, target: Path, timeout: float, grey: bool = True) -> Path:
    """Render page `page` (from 1) of a PDF with pdftoppm into a PNG at `target`."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise IngestError(path, "rendering PDF pages for OCR needs pdftoppm, which is not installed", POPPLER_FIX)
    root = _partial(target)
    command = [
        pdftoppm,
        "-r",
        str(dpi),
        "-f",
        str(page),
        "-l",
        str(page),
        "-png",
        "-singlefile",
        *(["-gray"] if grey else []),
        str(path),
        str(root),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise IngestError(
            path,
            f"rendering page {page} took longer than the {timeout:g} s limit per page",
            "raise POLICYKB_OCR_PAGE_TIMEOUT, or lower POLICYKB_OCR_DPI",
        ) from exc
    except subprocess.CalledProcessError as exc:
        said = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise IngestError(
            path, f"pdftoppm could not render page {page} ({said[0][:200]})", "download or export the PDF again"
        ) from exc
    os.replace(root.with_name(root.name + ".png"), target)
    return target


def display_page_png(source: Path, file_format: str, page: int, target: Path, timeout: float = 60) -> Path:
    """A PNG of one page of a scanned file for people to read beside its OCR text, rendered once and kept at `target`."""
    if file_format != "pdf" and file_format not in IMAGE_FORMATS.values():
        raise IngestError(source, f"a {file_format} file has no page images", "open the document's text instead")
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "pdf":
        return pdf_page_png(source, page, DISPLAY_DPI, target, timeout, grey=False)
    return image_page_png(source, source.read_bytes(), page, target, max_side=DISPLAY_MAX_SIDE)
