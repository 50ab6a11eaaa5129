"""Loaders and decoding: what each file format yields, and the reason and fix named for files that cannot be read.

The first part builds its own small files in tmp_path; the last part reads the real PDFs and HTML pages of
../shared/testdata (see PROVENANCE.md there) and skips when that folder is missing.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from builders import (
    PAGE_ONE,
    PAGE_TWO,
    docx_bomb,
    docx_declaring,
    docx_with_heading_and_table,
    form_text_pdf,
    image_only_pdf,
    pdf_from_objects,
    pypdf_written,
    text_pdf,
    two_page_pdf,
)
from conftest import CORPUS
from conftest import testdata as shared_testdata
from pypdf import PdfReader

from policykb.config import Config
from policykb.errors import IngestError
from policykb.glossary import load_glossary
from policykb.ingest import archives, parse_file
from policykb.ingest.decoding import decode_text
from policykb.ingest.indexer import Indexer
from policykb.ingest.loaders import load_docx, load_html, load_pdf
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.store import Store, StoredDocument


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def ingest_error(load, path: Path) -> IngestError:
    with pytest.raises(IngestError) as caught:
        load(path, path.read_bytes())
    return caught.value


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(Config().glossary_path)


def test_hand_built_pdfs_are_what_the_tests_take_them_for():
    reader = PdfReader(io.BytesIO(two_page_pdf()))
    assert [page.extract_text().splitlines()[0] for page in reader.pages] == [PAGE_ONE[0], PAGE_TWO[0]]
    assert PdfReader(io.BytesIO(image_only_pdf())).pages[0].extract_text() == ""
    assert PdfReader(io.BytesIO(pypdf_written(two_page_pdf(), "secret"))).is_encrypted


# --- PDF --------------------------------------------------------------------------------------------


def test_pdf_chunks_on_page_two_say_page_two(tmp_path, glossary):
    doc = parse_file(write(tmp_path / "brief.pdf", two_page_pdf()), glossary, target_chars=300, max_chars=500)
    pages = {chunk.page for chunk in doc.chunks}
    assert pages == {1, 2}
    for chunk in doc.chunks:
        assert ("pension reform" in chunk.text) == (chunk.page == 2), (chunk.page, chunk.text[:60])
    assert doc.text.index(PAGE_TWO[0]) >= doc.page_starts[1]


def test_image_only_pdf_page_is_left_for_ocr_with_its_size(tmp_path):
    path = write(tmp_path / "scan.pdf", image_only_pdf())
    raw = load_pdf(path, path.read_bytes())
    assert raw.pages == [""]
    assert raw.ocr_pages == {1: (612.0, 792.0)}


def test_pdf_text_drawn_inside_a_form_is_extracted(tmp_path):
    line = "Minutes of the provincial social insurance council, third quarter."
    path = write(tmp_path / "form.pdf", form_text_pdf(line))
    assert line in load_pdf(path, path.read_bytes()).pages[0]


def test_encrypted_pdf_is_refused_with_a_password_hint(tmp_path):
    error = ingest_error(
        load_pdf, write(tmp_path / "locked.pdf", pypdf_written(two_page_pdf(), user_password="secret"))
    )
    assert "encrypted" in error.reason and "password is required" in error.reason
    assert "unencrypted copy" in error.fix


def test_pdf_with_only_an_owner_password_opens_and_keeps_its_text(tmp_path):
    path = write(tmp_path / "no-print.pdf", pypdf_written(two_page_pdf(), user_password="", owner_password="owner"))
    raw = load_pdf(path, path.read_bytes())
    assert PAGE_TWO[3] in raw.pages[1]


def test_truncated_pdf_is_refused_as_truncated(tmp_path):
    whole = pypdf_written(two_page_pdf())
    error = ingest_error(load_pdf, write(tmp_path / "half.pdf", whole[: len(whole) // 2]))
    assert "truncated" in error.reason
    assert "download or copy it again" in error.fix


def test_malformed_pdf_is_refused_as_malformed(tmp_path):
    error = ingest_error(load_pdf, write(tmp_path / "bad.pdf", b"%PDF-1.4\nthis is no PDF body at all\n%%EOF\n"))
    assert error.reason.startswith("malformed PDF (")
    assert "qpdf" in error.fix


def test_html_page_saved_as_pdf_is_refused_as_not_a_pdf(tmp_path):
    error = ingest_error(
        load_pdf, write(tmp_path / "report.pdf", b"<!DOCTYPE html><html><body>Access denied</body></html>")
    )
    assert error.reason == "not a PDF file, it is an HTML page (a failed download?)"


def test_pdf_that_pypdf_repairs_is_read_and_its_notes_stay_off_stderr(tmp_path, caplog):
    """pypdf logs a warning when it rebuilds a broken cross-reference table; the CLI would print it on stderr."""
    path = write(tmp_path / "shifted.pdf", text_pdf([PAGE_ONE], startxref_shift=7))
    caplog.set_level(logging.INFO)
    raw = load_pdf(path, path.read_bytes())
    assert PAGE_ONE[5] in raw.pages[0]
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert any(r.name == "policykb.ingest.loaders" and "pypdf:" in r.getMessage() for r in caplog.records)


def test_pdf_whose_page_streams_unpack_past_the_limit_is_refused_at_that_page(tmp_path):
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Pension reform) Tj ET\n" + b" " * 2**20, 9)
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(5)) + b"] /Count 5 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(5):  # five pages of a few kB, each unpacking to 1 MB of operators
        objects += [
            page % (5 + 2 * i),
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        ]
    pdf = write(tmp_path / "bomb.pdf", pdf_from_objects(objects))
    assert len(load_pdf(pdf, pdf.read_bytes(), 6 * 2**20).pages) == 5
    with pytest.raises(IngestError) as caught:
        load_pdf(pdf, pdf.read_bytes(), 3 * 2**20)
    assert caught.value.reason == "its page streams unpack past the 3 MB limit at page 3 (a decompression bomb?)"


# --- DOCX -------------------------------------------------------------------------------------------


def test_docx_keeps_its_heading_as_a_section_and_its_table_rows(tmp_path, glossary):
    doc = parse_file(write(tmp_path / "targets.docx", docx_with_heading_and_table()), glossary)
    assert doc.title == "Coverage targets 2030"
    assert "Region | Coverage" in doc.text and "Northern uplands | 91 percent" in doc.text
    assert doc.chunks and all("Targets by region" in chunk.section for chunk in doc.chunks)


def test_docx_that_is_not_a_zip_is_refused_with_a_resave_hint(tmp_path):
    error = ingest_error(load_docx, write(tmp_path / "memo.docx", b"This was never a Word file, just text."))
    assert error.reason == "not a valid .docx file (it is not a zip archive)"
    assert "save it again as .docx" in error.fix


def test_old_doc_or_password_protected_word_file_is_named_as_such(tmp_path):
    error = ingest_error(load_docx, write(tmp_path / "memo.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)))
    assert "old binary .doc or a password-protected Office file" in error.reason
    assert "remove any password" in error.fix


def test_docx_with_broken_xml_inside_is_refused_instead_of_crashing(tmp_path):
    good = zipfile.ZipFile(io.BytesIO(docx_with_heading_and_table()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for item in good.infolist():
            data = good.read(item)
            broken.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    error = ingest_error(load_docx, write(tmp_path / "cut.docx", out.getvalue()))
    assert error.reason.startswith("not a readable .docx file (XMLSyntaxError")


def test_zip_that_is_not_a_word_document_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    error = ingest_error(load_docx, write(tmp_path / "data.docx", out.getvalue()))
    assert error.reason.startswith("not a readable .docx file (")


def test_docx_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path):
    bomb = write(tmp_path / "bomb.docx", docx_bomb(8 * 2**20))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(IngestError) as caught:
        load_docx(bomb, bomb.read_bytes(), 2**20)
    assert re.fullmatch(r"its parts unpack to [89] MB, over the 1 MB limit \(a zip bomb\?\)", caught.value.reason)
    assert "raise POLICYKB_MAX_INFLATED_MB" in caught.value.fix


def test_docx_of_countless_empty_parts_is_refused_before_they_are_opened(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_PARTS", 100)
    sound = zipfile.ZipFile(io.BytesIO(docx_with_heading_and_table()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as crowded:
        for item in sound.infolist():
            crowded.writestr(item, sound.read(item))
        for number in range(100):
            crowded.writestr(f"word/media/empty{number}.bin", b"")
    error = ingest_error(load_docx, write(tmp_path / "crowded.docx", out.getvalue()))
    assert error.reason == "it holds 117 parts, over the 100 a document may have (a zip bomb?)"


def test_docx_whose_zip_directory_understates_a_part_is_refused_without_unpacking_past_it(tmp_path):
    data = bytearray(docx_bomb(4 * 2**20))
    directory = data.rindex(b"PK\x01\x02", 0, data.rindex(b"word/document.xml"))  # the part's central directory entry
    data[directory + 24 : directory + 28] = (1000).to_bytes(4, "little")  # claims 1000 bytes unpacked
    error = ingest_error(lambda path, raw: load_docx(path, raw, 2**20), write(tmp_path / "liar.docx", bytes(data)))
    assert error.reason.startswith("not a readable zip archive (BadZipFile") or "passes the 1 MB limit" in error.reason


def test_docx_within_the_unpacking_limit_still_reads(tmp_path):
    data = docx_with_heading_and_table()
    raw = load_docx(write(tmp_path / "targets.docx", data), data, 2**20)
    assert "Northern uplands | 91 percent" in raw.pages[0]


@pytest.mark.parametrize(
    "doctype, reference",
    [
        (  # billion laughs: ten entities, each ten of the one before
            "<!DOCTYPE w:document [<!ENTITY l0 'lol'>"
            + "".join(f"<!ENTITY l{i} '{f'&l{i - 1};' * 10}'>" for i in range(1, 10))
            + "]>",
            "&l9;",
        ),
        ('<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),  # XXE
        ('<!DOCTYPE w:document SYSTEM "http://127.0.0.1:9/word.dtd">', "coverage"),  # a DTD fetched from afar
    ],
    ids=["billion-laughs", "xxe", "external-dtd"],
)
def test_docx_whose_xml_declares_entities_or_a_dtd_is_refused(tmp_path, doctype, reference):
    error = ingest_error(load_docx, write(tmp_path / "entities.docx", docx_declaring(doctype, reference)))
    assert error.reason.startswith("its part word/document.xml declares a DTD or entities")
    assert "save it again as .docx" in error.fix


# --- HTML and Markdown ------------------------------------------------------------------------------

ARTICLE = """<!DOCTYPE html><html><head>{meta}<title>Pension reform passes</title></head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/contact">Contact</a></nav>
<article><h1>Pension reform passes</h1>
<p>The parliament adopted the pension reform on Tuesday after a long debate about contribution rates and the age of retirement.</p>
<p>{line} The reform extends coverage to workers in the informal sector, who so far had no access to a pension scheme.</p>
<p>The ministry expects the number of insured workers to rise by a third within five years, according to its own estimates.</p>
</article><footer>Copyright 2024 Ministry of Labour. All rights reserved.</footer></body></html>"""


def test_html_keeps_the_article_and_drops_the_navigation(tmp_path):
    path = write(tmp_path / "news.html", ARTICLE.format(meta="", line="").encode())
    raw = load_html(path, path.read_bytes())
    assert "workers in the informal sector" in raw.pages[0]
    assert "Contact" not in raw.pages[0]
    assert raw.title == "Pension reform passes"


def test_html_in_its_declared_charset_keeps_its_letters(tmp_path):
    line = "Příliš žluťoučký kůň úpěl ďábelské ódy."  # Czech: cp1252 would turn ř, ů and ě into other letters
    page = ARTICLE.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=windows-1250">', line=line)
    path = write(tmp_path / "cz.html", page.encode("cp1250"))
    assert line in load_html(path, path.read_bytes()).pages[0]


def test_html_that_declares_utf8_but_is_cp1252_is_still_read(tmp_path):
    page = ARTICLE.format(meta='<meta charset="utf-8">', line="Le ministère a précisé l’échéance.")
    path = write(tmp_path / "fr.html", page.encode("cp1252"))
    assert "Le ministère a précisé l’échéance." in load_html(path, path.read_bytes()).pages[0]


def test_html_that_declares_latin1_but_is_utf8_is_read_as_utf8(tmp_path):
    page = ARTICLE.format(meta='<meta charset="iso-8859-1">', line="Tòa án nhân dân tối cao đã ban hành án lệ.")
    path = write(tmp_path / "vi.html", page.encode("utf-8"))
    assert "Tòa án nhân dân tối cao đã ban hành án lệ." in load_html(path, path.read_bytes()).pages[0]


def test_markdown_headings_become_sections(tmp_path, glossary):
    text = "# Social assistance\n\nCash transfers reach 1.2 million households.\n\n## Eligibility\n\nHouseholds below the poverty line qualify.\n"
    doc = parse_file(write(tmp_path / "note.md", text.encode()), glossary)
    sections = {chunk.section for chunk in doc.chunks}
    assert any("Eligibility" in section for section in sections), sections
    assert doc.file_format == "md"


# --- plain-text decoding ----------------------------------------------------------------------------

VIETNAMESE = "Nghị quyết về bảo hiểm xã hội cho người lao động.\n"


def test_cp1252_text_decodes_with_its_accents_and_euro_sign():
    assert decode_text("Le coût: 12 € pour l’année.\n".encode("cp1252"), "f.txt") == "Le coût: 12 € pour l’année.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_text_decodes_with_or_without_byte_order_mark(encoding):
    assert decode_text(VIETNAMESE.encode(encoding), "f.txt") == VIETNAMESE


def test_undecodable_text_is_refused_with_a_resave_hint():
    with pytest.raises(IngestError) as caught:
        decode_text(b"Caf\xe9 \x81\x8d\x8f\x90 prices", "f.txt")  # bytes cp1252 leaves undefined, and no valid UTF-8
    assert caught.value.reason == "is not valid UTF-8, UTF-16 or cp1252 text"
    assert "iconv" in caught.value.fix


def test_utf8_with_a_stray_cp1252_byte_is_refused_naming_where_instead_of_turning_into_mojibake():
    data = "Nghị quyết số 68 về phát triển kinh tế tư nhân. ".encode() + b"Caf\xe9."
    with pytest.raises(IngestError) as caught:
        decode_text(data, "f.txt")
    assert f"the first at byte {data.index(b'Caf') + 3}" in caught.value.reason


def test_binary_data_with_a_text_extension_is_refused():
    with pytest.raises(IngestError) as caught:
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "image.txt")
    assert caught.value.reason == "contains NUL bytes"
    assert "binary file" in caught.value.fix


# --- the real files of ../shared/testdata ----------------------------------------------------------


@pytest.fixture(scope="module")
def real_files_index(tmp_path_factory):
    """The bundled corpus with every testdata PDF and HTML page, indexed once with the fake embedder."""
    files = sorted(shared_testdata("pdfs").glob("*.pdf")) + sorted(shared_testdata("html").glob("*.html"))
    # OCR off: reading the two scans takes a minute; tests/test_ocr_testdata.py reads them.
    config = Config.from_env(data_dir=tmp_path_factory.mktemp("realfiles") / "data", embedder="fake", ocr=False)
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest([CORPUS, *files])
    searcher = Searcher(config, FakeEmbedder())
    yield config, report, searcher
    searcher.close()


def _errors_by_name(report) -> dict[str, IngestError]:
    return {Path(error.path).name: error for error in report.errors}


def _document(config: Config, file_name: str) -> StoredDocument:
    with Store(config.db_path, readonly=True) as store:
        [doc] = [d for d in store.list_documents() if Path(d.source).name == file_name]
        return store.get_document(doc.id)


def _source_names(config: Config) -> set[str]:
    with Store(config.db_path, readonly=True) as store:
        return {Path(d.source).name for d in store.list_documents()}


def test_real_unreadable_pdfs_are_each_reported_and_none_is_indexed(real_files_index):
    config, report, _ = real_files_index
    errors = _errors_by_name(report)
    assert set(errors) == {
        "scanned_image_only_c02-22.pdf",
        "vi_no_text_layer_vector_glyphs.pdf",
        "encrypted_password_openpassword.pdf",
        "malformed_invalid.pdf",
        "truncated_policy_brief_half.pdf",
    }
    assert "OCR" in errors["scanned_image_only_c02-22.pdf"].fix
    assert "OCR" in errors["vi_no_text_layer_vector_glyphs.pdf"].fix
    assert "password is required" in errors["encrypted_password_openpassword.pdf"].reason
    assert errors["malformed_invalid.pdf"].reason.startswith("malformed PDF")
    assert "truncated" in errors["truncated_policy_brief_half.pdf"].reason
    assert not set(errors) & _source_names(config)


def test_real_vietnamese_precedent_keeps_its_diacritics(real_files_index):
    text = _document(real_files_index[0], "vi_an_le_43_2021_AL.pdf").text
    for phrase in ("ÁN LỆ SỐ 43/2021/AL", "hợp đồng thế chấp", "Tòa án nhân dân tối cao"):
        assert phrase in text


def test_real_federal_register_chunks_cover_all_fifteen_pages(real_files_index):
    doc = _document(real_files_index[0], "en_federal_register_2020-17221_multicolumn.pdf")
    covered = {page for chunk in doc.chunks for page in range(chunk.page, chunk.page_end + 1)}
    assert covered == set(range(1, 16))


def test_real_federal_register_is_found_by_its_docket_number(real_files_index):
    result = real_files_index[2].search("FAA–2020–0686", mode="keyword", k=5)
    assert result.hits and Path(result.hits[0].source).name == "en_federal_register_2020-17221_multicolumn.pdf"


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_real_french_minutes_rank_first_for_their_resolution_number(real_files_index, mode):
    result = real_files_index[2].search("DM-2023-001", mode=mode, k=5)
    assert result.hits and Path(result.hits[0].source).name == "fr_meeting_minutes_2023-06-20-PV.pdf"


def test_real_policy_brief_is_found_by_its_topic(real_files_index):
    result = real_files_index[2].search("informality social protection coverage poverty", k=10)
    assert "en_social_protection_policy_brief.pdf" in {Path(hit.source).name for hit in result.hits}


def test_real_table_pdf_keeps_its_numbers(real_files_index):
    text = _document(real_files_index[0], "en_table_nics_background_checks_2015-11.pdf").text
    assert "Alabama 18,870 23,022 22,650" in text
    assert "2,236,457" in text


# From trafilatura's tests/evaldata.json, as listed in ../shared/testdata/html/PROVENANCE.md, with two changes:
# the BMAS article itself cites "(vergl. FAQs Betrieblicher Infektionsschutz Nr. 1.1.12 …)", so only the teaser
# box's own heading must go; and "Letzte Änderung" has a test of its own below.
HTML_EXPECTED = {
    "en_gov_news_jis.gov.jm-investment.html": (
        [
            "Wide Range Of Investment Opportunities At AICE 2022",
            "The conference, which is scheduled for June 13 to 17, will take place at the Montego Bay Convention Centre",
            "During the five-day event where approximately 1,500 participants are expected from 140 countries",
        ],
        [
            "Minister of Industry, Investment and Commerce, Senator the Hon. Aubyn Hill (right), looks on as",
            "Initial Officer Training Programme (IOTP) provides basic military officer training to Officer Cadets",
            "Training Depot founded in 1841 by Major General Sir William Maynard Gomm",
        ],
    ),
    "de_gov_press_bmas.de-anforderungen.html": (
        [
            "Das Robert-Koch-Institut (RKI) wurde beauftragt",
            "Anforderungen an 3G-Nachweise ggf.",
            'wieder den Status "vollständig geimpft"',
        ],
        [
            "1.1.13). FAQs Betrieblicher Infektionsschutz",
            "Fragen zum Thema Betrieblicher Infektionsschutz.",
            "NACH OBEN",
        ],
    ),
    "de_gov_speech_wbf.admin.ch.14093.html": (
        ["beim SP-Städtegipfel", "Dies führt dazu, dass die Sozialpolitik", "wie in der Nationalhymne,"],
        ["Kommunikationsdienst", "Informiert bleiben"],
    ),
}


def _title_and_text(config: Config, file_name: str) -> str:
    """The headline is the document's title, not a line of its text; search reads both."""
    doc = _document(config, file_name)
    return " ".join(f"{doc.title}\n{doc.text}".split())


@pytest.mark.parametrize("file_name", sorted(HTML_EXPECTED))
def test_real_government_page_keeps_its_article_and_drops_the_site_around_it(real_files_index, file_name):
    text = _title_and_text(real_files_index[0], file_name)
    must, must_not = HTML_EXPECTED[file_name]
    assert [phrase for phrase in must if phrase not in text] == []
    assert [phrase for phrase in must_not if phrase in text] == []


def test_real_swiss_speech_drops_its_last_modified_footer(real_files_index):
    assert "Letzte Änderung" not in _title_and_text(real_files_index[0], "de_gov_speech_wbf.admin.ch.14093.html")
