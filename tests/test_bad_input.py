"""`policykb ingest` on bad files: one `error: FILE: reason — fix` line each, the good files still ingested, exit 1,
and the index from before intact and searchable."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from builders import docx_bomb, docx_declaring, image_only_pdf, pypdf_written, two_page_pdf
from click.testing import CliRunner, Result

from policykb.cli import main
from policykb.config import Config
from policykb.links import is_allowed_link
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.store import Store

GOOD_TEXT = "Resolution on rural pensions.\n\nThe council extends the rural pension to every farmer over sixty.\n"


def run_ingest(data_dir: Path, *paths: Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        main,
        ["--data", str(data_dir), "ingest", "--quiet", *map(str, paths)],
        env={"POLICYKB_EMBEDDER": "fake", **(env or {})},
    )


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def indexed_sources(data_dir: Path) -> set[str]:
    with Store(data_dir / "policykb.sqlite3", readonly=True) as store:
        return {Path(doc.source).name for doc in store.list_documents()}


def ingest_beside_a_good_file(tmp_path: Path, bad: Path, env: dict[str, str] | None = None) -> tuple[str, str]:
    """Ingest a good file and the bad one; check the run's shape and return the bad file's (reason, fix)."""
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    result = run_ingest(tmp_path / "data", good, bad, env=env)
    assert result.exit_code == 1, result.output
    [line] = error_lines(result)
    prefix = f"error: {bad.resolve() if bad.exists() else bad}: "
    assert line.startswith(prefix), line
    reason, _, fix = line.removeprefix(prefix).partition(" — ")
    assert reason and fix, line
    assert len(result.stderr.splitlines()) == 2, result.stderr  # the error line and the summary, nothing else
    assert indexed_sources(tmp_path / "data") == {"good.txt"}
    return reason, fix


def test_scanned_pdf_without_tesseract_names_what_to_install_and_others_still_ingest(tmp_path):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(image_only_pdf())
    reason, fix = ingest_beside_a_good_file(
        tmp_path, bad, env={"POLICYKB_TESSERACT": str(tmp_path / "no-tesseract-here")}
    )
    assert reason.startswith("no usable text layer on every page") and "Tesseract is not installed" in reason
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in fix


def test_scanned_pdf_with_ocr_off_says_so_and_others_still_ingest(tmp_path):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(image_only_pdf())
    reason, fix = ingest_beside_a_good_file(tmp_path, bad, env={"POLICYKB_OCR": "off"})
    assert "OCR is off (POLICYKB_OCR=off)" in reason
    assert "POLICYKB_OCR=on" in fix


@pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="needs Tesseract: apt-get install tesseract-ocr tesseract-ocr-vie"
)
def test_scanned_pdf_whose_image_shows_no_text_is_reported_and_others_still_ingest(tmp_path):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(image_only_pdf())  # an 8x8 grey square
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "no text found by OCR"
    assert "legible" in fix


def test_encrypted_pdf_is_reported_with_password_hint_and_others_still_ingest(tmp_path):
    bad = tmp_path / "locked.pdf"
    bad.write_bytes(pypdf_written(two_page_pdf(), user_password="secret"))
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "the PDF is encrypted: a password is required to open it"
    assert "qpdf --decrypt" in fix


def test_malformed_pdf_is_reported_as_malformed_and_others_still_ingest(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.3\nnot a PDF body\n%%EOF\n")
    reason, _ = ingest_beside_a_good_file(tmp_path, bad)
    assert reason.startswith("malformed PDF (")


def test_truncated_pdf_is_reported_as_truncated_and_others_still_ingest(tmp_path):
    whole = pypdf_written(two_page_pdf())
    bad = tmp_path / "half.pdf"
    bad.write_bytes(whole[: len(whole) // 2])
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert "truncated" in reason
    assert "complete file" in fix


def test_empty_file_is_reported_as_empty_and_others_still_ingest(tmp_path):
    bad = tmp_path / "empty.pdf"
    bad.write_bytes(b"")
    reason, _ = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "the file is empty"


def test_binary_file_named_txt_is_reported_as_binary_and_others_still_ingest(tmp_path):
    bad = tmp_path / "photo.txt"
    bad.write_bytes(image_only_pdf().replace(b"%PDF", b"\x89PNG\x00\x00"))
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "contains NUL bytes"
    assert "binary file" in fix


def test_undecodable_text_is_reported_with_a_resave_hint_and_others_still_ingest(tmp_path):
    bad = tmp_path / "legacy.txt"
    bad.write_bytes(b"Pension rates \x81\x8d\x8f\x90\x9d for 2024 \xe9t\xe9.\n")
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "is not valid UTF-8, UTF-16 or cp1252 text"
    assert "UTF-8" in fix


def test_corrupt_docx_is_reported_as_not_a_zip_and_others_still_ingest(tmp_path):
    bad = tmp_path / "memo.docx"
    bad.write_bytes(b"PK\x03\x04 but the rest of this archive never arrived")
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "not a valid .docx file (it is not a zip archive)"
    assert "save it again as .docx" in fix


def test_docx_declaring_an_external_entity_is_reported_and_others_still_ingest(tmp_path):
    bad = tmp_path / "xxe.docx"
    bad.write_bytes(docx_declaring('<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"))
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason.startswith("its part word/document.xml declares a DTD or entities")
    assert "save it again as .docx" in fix


def test_file_named_near_the_file_system_limit_ingests(tmp_path):
    head = "Nghị quyết về bảo hiểm xã hội "
    long_name = head + "x" * (248 - len(head.encode()) - 4) + ".txt"  # 248 bytes of UTF-8: no room for ".meta.json"
    assert len(long_name.encode()) == 248
    (tmp_path / long_name).write_text(GOOD_TEXT, encoding="utf-8")
    result = run_ingest(tmp_path / "data", tmp_path / long_name)
    assert result.exit_code == 0, result.output
    assert indexed_sources(tmp_path / "data") == {long_name}


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://chinhphu.vn/van-ban/68", True),
        ("http://example.org", True),
        ("mailto:vanthu@molisa.gov.vn", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("vbscript:msgbox(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("file:///etc/passwd", False),
        ("//evil.example/page", False),
        ("/docs", False),
        ("https://", False),
        ("mailto:", False),
        ("https://[::1", False),
    ],
)
def test_only_absolute_http_https_and_mailto_addresses_may_become_links(url, allowed):
    assert is_allowed_link(url) is allowed


@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<b>x"])
def test_sidecar_url_that_is_no_web_address_is_dropped_with_a_warning(tmp_path, caplog, url):
    (tmp_path / "note.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "note.txt.meta.json").write_text(json.dumps({"url": url, "title": "Rural pensions"}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="policykb.ingest.pipeline"):
        result = run_ingest(tmp_path / "data", tmp_path / "note.txt")
    assert result.exit_code == 0, result.output
    [warning] = [record.getMessage() for record in caplog.records if record.name == "policykb.ingest.pipeline"]
    assert warning.startswith(f"{tmp_path / 'note.txt.meta.json'}: the web address {url!r} is not an absolute")
    with Store(tmp_path / "data" / "policykb.sqlite3", readonly=True) as store:
        [doc] = store.list_documents()
        assert (doc.title, doc.url) == ("Rural pensions", None)


def test_unsupported_extension_named_explicitly_is_reported_and_others_still_ingest(tmp_path):
    bad = tmp_path / "budget.xlsx"
    bad.write_bytes(b"PK\x03\x04")
    reason, fix = ingest_beside_a_good_file(tmp_path, bad)
    assert reason == "unsupported file type .xlsx"
    assert ".docx" in fix and ".pdf" in fix


def test_missing_path_is_reported_and_others_still_ingest(tmp_path):
    reason, fix = ingest_beside_a_good_file(tmp_path, tmp_path / "no-such-report.pdf")
    assert reason == "no such file or folder"
    assert fix == "check the path"


def test_cp1252_and_utf16_text_files_ingest_with_their_accents(tmp_path):
    files = {
        "cp1252.txt": ("Le ministère publie le décret sur l’assurance maladie.\n", "cp1252"),
        "utf16-bom.txt": ("Nghị quyết về bảo hiểm xã hội cho người lao động.\n", "utf-16"),
        "utf16-no-bom.txt": ("Die Rentenreform gilt für alle Beschäftigten ab März.\n", "utf-16-le"),
    }
    for name, (text, encoding) in files.items():
        (tmp_path / name).write_bytes(text.encode(encoding))
    result = run_ingest(tmp_path / "data", *(tmp_path / name for name in files))
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "data" / "policykb.sqlite3", readonly=True) as store:
        texts = {Path(doc.source).name: store.get_document(doc.id).text for doc in store.list_documents()}
    assert texts == {name: text.strip() for name, (text, _) in files.items()}


@pytest.fixture
def every_kind_of_bad_file(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "bad"
    folder.mkdir()
    whole = pypdf_written(two_page_pdf())
    contents = {
        "scan.pdf": image_only_pdf(),
        "locked.pdf": pypdf_written(two_page_pdf(), user_password="secret"),
        "broken.pdf": b"%PDF-1.3\nnot a PDF body\n%%EOF\n",
        "half.pdf": whole[: len(whole) // 2],
        "empty.txt": b"",
        "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "legacy.txt": b"Pension \x81\x8d\x8f\x90\x9d rates\n",
        "memo.docx": b"not a zip",
        "budget.xlsx": b"PK\x03\x04",
    }
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in contents] + [folder / "missing.pdf"]


def _search_top(config: Config, query: str) -> list[tuple[str, int]]:
    searcher = Searcher(config, FakeEmbedder())
    try:
        return [(hit.doc_id, hit.chunk_id) for hit in searcher.search(query, k=5).hits]
    finally:
        searcher.close()


def _counts(config: Config) -> tuple[int, int]:
    with Store(config.db_path, readonly=True) as store:
        return len(store.list_documents()), store.count_chunks()


def test_bad_files_leave_the_existing_index_intact_and_searchable(fake_index: Config, every_kind_of_bad_file, tmp_path):
    query = "who coordinates the partnership group"
    before_counts, before_hits = _counts(fake_index), _search_top(fake_index, query)
    assert before_hits
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    result = run_ingest(fake_index.data_dir, *every_kind_of_bad_file, good)
    assert result.exit_code == 1
    named = [line.removeprefix("error: ").split(": ", 1)[0] for line in error_lines(result)]
    assert sorted(Path(name).name for name in named) == sorted(path.name for path in every_kind_of_bad_file)
    documents, chunks = _counts(fake_index)
    assert documents == before_counts[0] + 1 and chunks > before_counts[1]
    assert _search_top(fake_index, query) == before_hits
    assert _search_top(fake_index, "rural pension farmer over sixty")[0][0].startswith("good")


def test_zip_bomb_docx_is_refused_in_one_line_and_the_index_is_unchanged(fake_index: Config, tmp_path):
    query = "who coordinates the partnership group"
    before = _counts(fake_index), _search_top(fake_index, query)
    bomb = tmp_path / "report.docx"
    bomb.write_bytes(docx_bomb(6 * 2**20))
    result = run_ingest(fake_index.data_dir, bomb, env={"POLICYKB_MAX_INFLATED_MB": "2"})
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert re.fullmatch(
        rf"error: {re.escape(str(bomb))}: its parts unpack to [67] MB, over the 2 MB limit \(a zip bomb\?\) — "
        "if the file is genuine, raise POLICYKB_MAX_INFLATED_MB; otherwise do not ingest it",
        line,
    )
    assert (_counts(fake_index), _search_top(fake_index, query)) == before


def test_a_corrupt_new_version_of_an_indexed_file_keeps_the_indexed_version(tmp_path):
    report = tmp_path / "brief.pdf"
    report.write_bytes(two_page_pdf())
    assert run_ingest(tmp_path / "data", report).exit_code == 0
    config = Config.from_env(data_dir=tmp_path / "data", embedder="fake")
    before = _counts(config), _search_top(config, "pension reform contribution base")
    whole = report.read_bytes()
    report.write_bytes(whole[: len(whole) // 2])  # a download that broke off, over the good copy
    result = run_ingest(tmp_path / "data", report)
    assert result.exit_code == 1
    assert "truncated" in error_lines(result)[0]
    assert (_counts(config), _search_top(config, "pension reform contribution base")) == before
