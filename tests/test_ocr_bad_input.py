"""Bad images and OCR that cannot finish: one `error: FILE: reason — fix` line each, the other files still ingested,
exit status 1, never a crash or a hang."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from scans import ENGLISH, corrupt_png, encoded, huge_png, needs_tesseract, page_image
from test_bad_input import ingest_beside_a_good_file


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_image_without_tesseract_names_what_to_install(tmp_path):
    bad = _write(tmp_path / "note.png", encoded(page_image(ENGLISH), "PNG"))
    reason, fix = ingest_beside_a_good_file(
        tmp_path, bad, env={"POLICYKB_TESSERACT": str(tmp_path / "no-tesseract-here")}
    )
    assert reason.startswith("an image has no text but what OCR reads") and "Tesseract is not installed" in reason
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in fix


def test_empty_image_is_reported_as_empty(tmp_path):
    reason, _ = ingest_beside_a_good_file(tmp_path, _write(tmp_path / "photo.jpg", b""))
    assert reason == "the file is empty"


def test_huge_image_is_refused_by_its_size_before_anything_is_decoded(tmp_path):
    bad = _write(tmp_path / "poster.png", huge_png(20_000, 20_000))
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "the image is 20,000 × 20,000 pixels, over the 89-megapixel limit"
    assert "scale it down" in fix


def test_image_just_over_the_pixel_limit_is_refused_with_its_size(tmp_path):
    bad = _write(tmp_path / "wide.png", huge_png(12_000, 8_000))  # 96 megapixels: Pillow would only warn
    reason, _ = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "the image is 12,000 × 8,000 pixels, over the 89-megapixel limit"


def test_file_that_is_not_an_image_is_reported_as_unreadable(tmp_path):
    bad = _write(tmp_path / "scan.tif", b"II*\x00 this never was a TIFF")
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "not a readable image: its content is not PNG, JPEG or TIFF"
    assert "save or export it again" in fix


@needs_tesseract()
def test_corrupt_image_is_reported_as_damaged(tmp_path):
    reason, fix = ingest_beside_a_good_file(tmp_path, _write(tmp_path / "torn.png", corrupt_png()))
    assert reason.startswith("page 1 of the image cannot be decoded, the file is damaged")
    assert "save or export it again" in fix


@needs_tesseract()
def test_image_with_no_text_is_reported_as_no_text_found(tmp_path):
    blank = Image.new("L", (1200, 800), 255)
    reason, fix = ingest_beside_a_good_file(tmp_path, _write(tmp_path / "blank.png", encoded(blank, "PNG")))
    assert reason == "no text found by OCR"
    assert "legible" in fix


@needs_tesseract()
def test_a_page_over_the_time_limit_is_stopped_and_reported(tmp_path):
    bad = _write(tmp_path / "slow.png", encoded(page_image(ENGLISH * 6), "PNG"))
    reason, fix = ingest_beside_a_good_file(tmp_path, bad, env={"POLICYKB_OCR_PAGE_TIMEOUT": "0.05"})
    assert reason == "OCR of page 1 took longer than the 0.05 s limit per page"
    assert "POLICYKB_OCR_PAGE_TIMEOUT" in fix
