"""OCR of scanned files: images (PNG, JPEG, multi-page TIFF), image-only and mixed PDFs, confidence stored, citations
marked "OCR text", the page image beside the text, the cache, and OCR that cannot run here."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from builders import PAGE_ONE, text_pdf
from click.testing import CliRunner
from scans import (
    ENGLISH,
    MINUTES,
    SECOND_PAGE,
    VIETNAMESE,
    encoded,
    multipage_tiff,
    needs_tesseract,
    page_image,
    scanned_pdf,
    text_then_scan_pdf,
)

from policykb.briefs.export import export_brief
from policykb.briefs.model import Briefs
from policykb.cli import main
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.ingest import parse_file
from policykb.ingest.indexer import Indexer
from policykb.ingest.loaders import usable_text_layer
from policykb.ingest.ocr import OcrSettings, text_from_data
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.store import Store, StoredDocument
from policykb.web import create_app

pytestmark = needs_tesseract()


def _scans(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "note-en.png": encoded(page_image(ENGLISH), "PNG"),
        "note-vi.jpg": encoded(page_image(VIETNAMESE).convert("RGB"), "JPEG", quality=85),
        "annex.tiff": multipage_tiff(page_image(ENGLISH), page_image(SECOND_PAGE)),
        "decision-vi.pdf": scanned_pdf(page_image(VIETNAMESE)),
        "mixed.pdf": text_then_scan_pdf(text_pdf([PAGE_ONE]), page_image(MINUTES)),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in files}


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    return _scans(tmp_path_factory.mktemp("scans"))


@pytest.fixture(scope="module")
def ocr_index(tmp_path_factory, scans) -> Config:
    """The scans indexed once with the fake embedder (small chunks, so that the mixed PDF's text page has its own)."""
    config = Config.from_env(data_dir=tmp_path_factory.mktemp("ocr") / "data", embedder="fake", max_chunk_chars=500)
    config = dataclasses.replace(config, target_chunk_chars=300)
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest(list(scans.values()))
    assert not report.errors, report.errors
    return config


def _doc(config: Config, name: str) -> StoredDocument:
    with Store(config.db_path, readonly=True) as store:
        [doc_id] = [d.id for d in store.list_documents() if Path(d.source).name == name]
        return store.get_document(doc_id)


def _words(text: str) -> str:
    return " ".join(text.split())


# --- each kind of input ---------------------------------------------------------------------------
def test_english_png_is_read_with_its_page_number_and_a_high_confidence(ocr_index):
    doc = _doc(ocr_index, "note-en.png")
    assert doc.file_format == "png"
    for line in ENGLISH:
        assert line in _words(doc.text)
    assert {(c.page, c.ocr) for c in doc.chunks} == {(1, True)}
    assert all(80 <= c.ocr_confidence <= 100 for c in doc.chunks)


def test_vietnamese_jpeg_keeps_its_diacritics(ocr_index):
    text = _words(_doc(ocr_index, "note-vi.jpg").text)
    for phrase in ("Nghị quyết về trợ giúp xã hội", "chủ trì, phối hợp", "bảy mươi tuổi trở lên"):
        assert phrase in text
    assert _doc(ocr_index, "note-vi.jpg").language == "vi"


def test_each_page_of_a_multipage_tiff_is_a_page(ocr_index):
    doc = _doc(ocr_index, "annex.tiff")
    assert len(doc.page_starts) == 2
    second = doc.text[doc.page_starts[1] :]
    assert _words(second).startswith("Annex two: health insurance cards")
    assert ENGLISH[0] in doc.text[: doc.page_starts[1]]


def test_pdf_of_a_scanned_image_is_read_by_ocr(ocr_index):
    doc = _doc(ocr_index, "decision-vi.pdf")
    assert doc.file_format == "pdf"
    assert "Bộ Lao động chủ trì" in doc.text
    assert all(c.ocr and c.page == 1 for c in doc.chunks)


def test_mixed_pdf_keeps_its_text_layer_and_reads_only_the_scanned_page(ocr_index):
    doc = _doc(ocr_index, "mixed.pdf")
    first, second = doc.text[: doc.page_starts[1]], doc.text[doc.page_starts[1] :]
    assert first.strip().splitlines() == PAGE_ONE  # exactly the text layer, not OCR's reading of it
    assert "audit the pension fund before the end of June." in _words(second)
    on_page_one = [c for c in doc.chunks if c.page_end == 1]
    assert on_page_one and not any(c.ocr or c.ocr_confidence is not None for c in on_page_one)
    assert all(c.ocr for c in doc.chunks if c.page_end == 2)


@pytest.mark.parametrize(
    "text, usable",
    [
        ("The council extends the rural pension to every farmer over sixty.", True),
        ("2015 | 1,234,567 | 2,345,678 | 3,456,789 | 4,567,890", True),  # a table of numbers is text
        ("7", False),  # a page number alone: the rest is a scan
        ("#$%&'()*+,-./:;<=>?@[]^_{|}~" * 3, False),  # glyphs that extract as punctuation
        ("\ue001\ue002\ue003 \ue004\ue005\ue006 " * 10 + "abc", False),  # private-use glyphs
    ],
)
def test_a_text_layer_is_usable_only_when_it_is_mostly_letters_and_digits(text, usable):
    assert usable_text_layer(text) == usable


# --- confidence, citations, the page image --------------------------------------------------------
def test_ocr_paragraphs_become_one_line_each_so_sentences_read_across_printed_line_ends():
    data = {
        "text": ["The", "ministry", "shall", "pay", "min-", "utes", "Anti-", "Poverty", "Annex"],
        "conf": [90, 90, 90, 90, 80, 80, 70, 70, 95],
        "block_num": [1, 1, 1, 1, 1, 1, 1, 1, 2],
        "par_num": [1, 1, 1, 1, 1, 1, 1, 1, 1],
        "line_num": [1, 1, 1, 2, 2, 3, 3, 4, 1],
    }
    page = text_from_data(data)
    assert page.text == "The ministry shall pay minutes Anti-Poverty\n\nAnnex"
    assert page.confidence == 83.9


def test_confidence_and_the_ocr_flag_are_stored_per_chunk(ocr_index):
    with sqlite3.connect(ocr_index.db_path) as conn:
        rows = conn.execute(
            "SELECT c.ocr, c.ocr_confidence, d.file_format FROM chunks c JOIN documents d ON d.id = c.doc_id"
        ).fetchall()
    assert {(ocr, fmt) for ocr, _, fmt in rows if fmt != "pdf"} == {(1, "png"), (1, "jpeg"), (1, "tiff")}
    assert all(0 < confidence <= 100 for ocr, confidence, _ in rows if ocr)
    assert any(ocr == 0 and confidence is None for ocr, confidence, _ in rows)  # the mixed PDF's text page


def _search(config: Config, query: str, *args: str):
    return CliRunner().invoke(
        main, ["--data", str(config.data_dir), "search", query, *args], env={"POLICYKB_EMBEDDER": "fake"}
    )


def test_cli_search_marks_a_passage_read_by_ocr_as_ocr_text_with_its_page(ocr_index):
    result = _search(ocr_index, "audit the pension fund", "--mode", "keyword", "-k", "1")
    assert result.exit_code == 0, result.output
    assert "§" in result.output and "OCR text, p. 2" in result.output
    hit = json.loads(_search(ocr_index, "audit the pension fund", "--mode", "keyword", "-k", "1", "--json").output)[
        "hits"
    ][0]
    assert hit["ocr"] is True and 0 < hit["ocr_confidence"] <= 100
    assert hit["citation"].endswith("OCR text, p. 2")


def test_a_passage_from_the_text_layer_is_cited_without_ocr(ocr_index):
    hit = json.loads(_search(ocr_index, "rural districts line 0", "--mode", "keyword", "-k", "1", "--json").output)[
        "hits"
    ][0]
    assert (hit["ocr"], hit["ocr_confidence"], hit["page"]) == (False, None, 1)
    assert "OCR" not in hit["citation"] and hit["citation"].endswith("p. 1")


@pytest.fixture(scope="module")
def client(ocr_index):
    return create_app(config=ocr_index).test_client()


def test_api_and_search_page_say_ocr_text_and_page(client):
    hits = client.get("/api/search", query_string={"q": "farmer over seventy", "mode": "keyword"}).get_json()["hits"]
    assert hits and all(hit["ocr"] and "OCR text, p. 1" in hit["citation"] for hit in hits)
    page = client.get("/", query_string={"q": "farmer over seventy", "mode": "keyword"}).get_data(as_text=True)
    assert re.search(
        r'<span class="page ocr" title="mean OCR confidence of the page: \d+%">OCR text, p\. 1</span>', page
    )
    assert re.search(r'class="cite-text">[^<]*OCR text, p\. 1<', page)


def test_document_page_reached_from_an_ocr_result_shows_the_page_image_beside_the_text(client, ocr_index):
    hit = client.get("/api/search", query_string={"q": "audit the pension fund", "mode": "keyword", "k": 1}).get_json()[
        "hits"
    ][0]
    page = client.get(
        f"/doc/{hit['doc_id']}", query_string={"start": hit["start"], "end": hit["end"], "chunk": hit["chunk_id"]}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<div class="with-scan">' in html
    source = f"/doc/{hit['doc_id']}/page/2.png"
    assert f'<img src="{source}" alt="Page 2 of the scanned original">' in html
    assert "<script>" not in html and "style=" not in html  # the CSP allows neither inline
    image = client.get(source)
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert (ocr_index.page_images_dir).glob("*-2.png")
    assert client.get(f"/doc/{hit['doc_id']}/page/3.png").status_code == 404
    assert (
        client.get(f"/doc/{hit['doc_id']}").get_data(as_text=True).count('class="with-scan"') == 0
    )  # not from a result


def test_document_page_from_a_text_layer_result_shows_no_page_image(client):
    hit = client.get("/api/search", query_string={"q": "rural districts line 0", "mode": "keyword", "k": 1}).get_json()[
        "hits"
    ][0]
    html = client.get(f"/doc/{hit['doc_id']}", query_string={"chunk": hit["chunk_id"]}).get_data(as_text=True)
    assert "with-scan" not in html


def test_page_image_of_a_text_document_is_not_found(tmp_path, fake_index):
    client = create_app(config=fake_index).test_client()
    assert client.get("/doc/004_6608ed9db748e12c/page/1.png").status_code == 404


def test_an_owner_answer_read_from_a_scan_is_cited_as_ocr_text(tmp_path):
    decision = ["Decision on pensions for older farmers", "The Ministry of Labour, Invalids and Social Affairs shall"]
    (tmp_path / "decision.png").write_bytes(encoded(page_image(decision), "PNG"))
    config = Config.from_env(data_dir=tmp_path / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([tmp_path / "decision.png"]).errors
    run = ["--data", str(config.data_dir), "owners", "--agency", "MOLISA"]
    [answer] = json.loads(CliRunner().invoke(main, [*run, "--json"], env={"POLICYKB_EMBEDDER": "fake"}).output)[
        "assignments"
    ]
    assert (answer["lead"], answer["page"], answer["ocr"]) == ("MOLISA", 1, True)
    assert "OCR text, p. 1" in CliRunner().invoke(main, run, env={"POLICYKB_EMBEDDER": "fake"}).output
    page = (
        create_app(config=config).test_client().get("/owners", query_string={"agency": "MOLISA"}).get_data(as_text=True)
    )
    assert "OCR text, p. 1" in page


def test_brief_export_footnote_says_ocr_text(ocr_index, tmp_path):
    config = dataclasses.replace(ocr_index, data_dir=tmp_path / "copy")
    config.data_dir.mkdir()
    (config.data_dir / "policykb.sqlite3").write_bytes(ocr_index.db_path.read_bytes())
    searcher = Searcher(config, FakeEmbedder())
    [hit] = searcher.search("audit the pension fund", "keyword", k=1).hits
    searcher.close()
    with Store(config.db_path) as store:
        briefs = Briefs(store)
        brief_id = briefs.create("Scans")
        briefs.add_chunk(brief_id, hit.chunk_id)
        markdown = export_brief(briefs.get(brief_id), store, "md")
    markdown = markdown.decode() if isinstance(markdown, bytes) else markdown
    assert re.search(r"\[\^1\]: .*OCR text, p\. 2\.", markdown), markdown


# --- the cache -------------------------------------------------------------------------------------
def test_an_unchanged_scan_is_not_read_again_the_cache_answers(tmp_path):
    image = tmp_path / "note.png"
    image.write_bytes(encoded(page_image(ENGLISH), "PNG"))
    config = Config.from_env(data_dir=tmp_path / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([image]).errors
        first = indexer.store.get_document(indexer.store.find_document_id(str(image)))
        indexer.remove(first.id)
    [cached] = config.ocr_cache_dir.glob("*.json")
    # No Tesseract at all now: only the cache can give the text back.
    without = dataclasses.replace(config, tesseract_cmd=str(tmp_path / "no-tesseract"))
    with Indexer(without, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest([image])
        again = indexer.store.get_document(indexer.store.find_document_id(str(image)))
    assert not report.errors and report.added == 1
    assert again.text == first.text
    assert [c.ocr_confidence for c in again.chunks] == [c.ocr_confidence for c in first.chunks]
    assert list(config.ocr_cache_dir.glob("*.json")) == [cached]


def test_other_ocr_settings_do_not_reuse_the_cache(tmp_path):
    image = tmp_path / "note.png"
    image.write_bytes(encoded(page_image(ENGLISH), "PNG"))
    glossary = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")
    parse_file(image, glossary, ocr=OcrSettings(cache_dir=tmp_path / "cache"))
    with pytest.raises(Exception) as caught:
        parse_file(
            image,
            glossary,
            ocr=OcrSettings(cache_dir=tmp_path / "cache", langs="eng", tesseract_cmd=str(tmp_path / "none")),
        )
    assert "Tesseract is not installed" in str(caught.value)


def test_a_scan_read_by_another_tesseract_version_is_read_again(tmp_path):
    image = tmp_path / "note.png"
    image.write_bytes(encoded(page_image(ENGLISH), "PNG"))
    glossary = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")
    parse_file(image, glossary, ocr=OcrSettings(cache_dir=tmp_path / "cache"))
    [cached] = (tmp_path / "cache").glob("*.json")
    stored = json.loads(cached.read_text(encoding="utf-8"))
    version = stored["tesseract"]
    assert version.startswith("tesseract ")
    stored["tesseract"], stored["pages"]["1"]["text"] = "tesseract 3.05", "what an older Tesseract read"
    cached.write_text(json.dumps(stored), encoding="utf-8")
    again = parse_file(image, glossary, ocr=OcrSettings(cache_dir=tmp_path / "cache"))
    assert "farmer over seventy" in _words(again.text) and "older Tesseract" not in again.text
    assert json.loads(cached.read_text(encoding="utf-8"))["tesseract"] == version


def test_pages_read_side_by_side_give_each_tesseract_one_core_and_leave_this_process_as_it_was(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    limits = tmp_path / "limits.txt"
    wrapper = tmp_path / "tesseract"  # notes the limit each page's Tesseract was given, then runs the real one
    wrapper.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *--version*|*--list-langs*) ;; *) echo "${{OMP_THREAD_LIMIT:-none}}" >> {limits} ;; esac\n'
        f'exec {shutil.which("tesseract")} "$@"\n'
    )
    wrapper.chmod(0o755)
    tiff = tmp_path / "annex.tiff"
    tiff.write_bytes(multipage_tiff(page_image(ENGLISH), page_image(SECOND_PAGE)))
    glossary = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")
    document = parse_file(tiff, glossary, ocr=OcrSettings(tesseract_cmd=str(wrapper), workers=2))
    assert "Annex two" in document.text
    assert limits.read_text().split() == ["1", "1"]
    assert "OMP_THREAD_LIMIT" not in os.environ


# --- OCR that cannot run here ---------------------------------------------------------------------
def test_mixed_pdf_without_tesseract_indexes_its_text_layer_and_reads_the_scan_once_tesseract_is_there(tmp_path):
    mixed = tmp_path / "mixed.pdf"
    mixed.write_bytes(text_then_scan_pdf(text_pdf([PAGE_ONE]), page_image(SECOND_PAGE)))
    config = Config.from_env(data_dir=tmp_path / "data", embedder="fake")
    with Indexer(dataclasses.replace(config, ocr=False), FakeEmbedder(), progress=False) as indexer:
        first = indexer.ingest([mixed])
        text = indexer.store.get_document(indexer.store.find_document_id(str(mixed))).text
    assert not first.errors and "Social protection coverage" in text and "Annex" not in text
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        second = indexer.ingest([mixed])
        text = indexer.store.get_document(indexer.store.find_document_id(str(mixed))).text
    assert (second.updated, second.unchanged) == (1, 0)
    assert "Annex two: health insurance cards" in text


def test_upload_of_a_photographed_note_is_read_by_ocr(tmp_path):
    config = dataclasses.replace(Config.from_env(data_dir=tmp_path / "data", embedder="fake"), admin_token="t0ken")
    client = create_app(config=config).test_client()
    response = client.post(
        "/api/docs",
        headers={"Authorization": "Bearer t0ken"},
        data={"file": (io.BytesIO(encoded(page_image(ENGLISH).convert("RGB"), "JPEG")), "note.jpg")},
    )
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["job"]["id"]
    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/jobs/{job_id}").get_json()["job"])["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, "the upload did not finish"
        time.sleep(0.05)
    assert job["state"] == "done", job["errors"]
    assert "farmer over seventy" in client.get(f"/api/docs/{job['doc_id']}").get_json()["text"]


def test_ocr_progress_goes_to_the_indexer_callback_page_by_page(tmp_path):
    tiff = tmp_path / "annex.tiff"
    tiff.write_bytes(multipage_tiff(page_image(ENGLISH), page_image(SECOND_PAGE)))
    seen: list[tuple[str, int, int]] = []
    config = Config.from_env(data_dir=tmp_path / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False, on_progress=lambda *step: seen.append(step)) as indexer:
        assert not indexer.ingest([tiff]).errors
    assert [step for step in seen if step[0] == "ocr"] == [("ocr", 1, 2), ("ocr", 2, 2)]
    assert seen[-1][0] == "embedding"


def test_upload_of_a_png_that_is_not_one_is_refused(tmp_path):
    config = dataclasses.replace(Config.from_env(data_dir=tmp_path / "data", embedder="fake"), admin_token="t0ken")
    response = (
        create_app(config=config)
        .test_client()
        .post(
            "/api/docs",
            headers={"Authorization": "Bearer t0ken"},
            data={"file": (io.BytesIO(b"%PDF-1.4 not a picture"), "note.png")},
        )
    )
    assert response.status_code == 415 and "the content is not a .png file" in response.get_json()["error"]
