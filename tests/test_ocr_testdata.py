"""OCR of the real scans in ../shared/testdata/pdfs: an English page scan and a Vietnamese printout drawn as shapes."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import testdata as shared_testdata
from scans import needs_tesseract

from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.store import StoredDocument

pytestmark = needs_tesseract()


@pytest.fixture(scope="module")
def scanned_index(tmp_path_factory) -> Config:
    files = [
        shared_testdata("pdfs", "scanned_image_only_c02-22.pdf"),
        shared_testdata("pdfs", "vi_no_text_layer_vector_glyphs.pdf"),
    ]
    # 200 dpi: half the time of the default 300 on these pages, with the same words found (docs/BENCHMARKS.md).
    config = dataclasses.replace(
        Config.from_env(data_dir=tmp_path_factory.mktemp("scanned") / "data", embedder="fake"), ocr_dpi=200
    )
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest(files)
    assert not report.errors, report.errors
    return config


def _document(config: Config, name: str) -> StoredDocument:
    searcher = Searcher(config, FakeEmbedder())
    try:
        [doc] = [d for d in searcher.store.list_documents() if d.source.endswith(name)]
        return searcher.store.get_document(doc.id)
    finally:
        searcher.close()


def test_english_page_scan_is_read_as_english_prose(scanned_index):
    doc = _document(scanned_index, "scanned_image_only_c02-22.pdf")
    for words in ("Miss Watson", "kitchen", "tip-toeing along a path"):
        assert words in doc.text
    assert doc.language == "en"
    assert all(c.ocr and c.page == 1 and c.ocr_confidence > 70 for c in doc.chunks)


def test_vietnamese_printout_drawn_as_shapes_is_read_page_by_page(scanned_index):
    doc = _document(scanned_index, "vi_no_text_layer_vector_glyphs.pdf")
    assert len(doc.page_starts) == 10
    for words in ("Thể lệ cuộc thi", "Đắk Lắk", "ĐỐI TƯỢNG DỰ THI"):
        assert words in doc.text
    assert doc.language == "vi"
    assert {c.page for c in doc.chunks} >= set(range(1, 10))
    assert all(c.ocr for c in doc.chunks)


def test_search_finds_the_vietnamese_scan_by_a_phrase_and_cites_it_as_ocr_text(scanned_index):
    searcher = Searcher(scanned_index, FakeEmbedder())
    try:
        hits = searcher.search("đối tượng dự thi", "keyword", k=3).hits
    finally:
        searcher.close()
    assert hits and hits[0].source.endswith("vi_no_text_layer_vector_glyphs.pdf")
    assert hits[0].ocr and hits[0].to_json()["citation"].endswith(f"OCR text, p. {hits[0].page}")
