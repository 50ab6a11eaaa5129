"""Small files built by hand for ingest tests: PDFs (text, image-only, form), encrypted copies, DOCX files (sound, and
made hostile: zip bombs, declared entities)."""

from __future__ import annotations

import io
import re
import zipfile

from pypdf import PdfReader, PdfWriter

from policykb.web.identity import identify_viewer


def pdf_from_objects(objects: list[bytes], startxref_shift: int = 0) -> bytes:
    """A PDF whose object i+1 is objects[i] (object 1 the catalog), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref + startxref_shift)
    )
    return out.getvalue()


def _stream(content: bytes, header: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (header, len(content), content)


def text_pdf(pages: list[list[str]], startxref_shift: int = 0) -> bytes:
    """A PDF with one Helvetica text block per page, one line per string (cp1252 characters only)."""
    font = 3 + 2 * len(pages)
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(len(pages)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))]
    for i, lines in enumerate(pages):
        shown = b" ".join(b"(%s) Tj T*" % line.encode("cp1252") for line in lines)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (font, 4 + 2 * i)
        )
        objects.append(_stream(b"BT /F1 11 Tf 72 720 Td 14 TL " + shown + b" ET"))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    return pdf_from_objects(objects, startxref_shift)


def one_page_pdf(resources: bytes, content: bytes, *more_objects: bytes) -> bytes:
    """A one-page PDF drawing `content` with `resources`; `more_objects` are numbered from 5 on."""
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents 4 0 R >>" % resources,
            _stream(content),
            *more_objects,
        ]
    )


def image_only_pdf() -> bytes:
    """One page that shows an 8x8 grey image and no text: what a scanner makes."""
    image = _stream(
        bytes(range(0, 256, 4)),
        b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8",
    )
    return one_page_pdf(b"<< /XObject << /Im1 5 0 R >> >>", b"q 400 0 0 400 100 300 cm /Im1 Do Q", image)


def form_text_pdf(line: str) -> bytes:
    """A page whose only text is inside a form XObject, so the font sits in the form's resources, not the page's."""
    shown = b"BT /F1 11 Tf 72 720 Td (%s) Tj ET" % line.encode("cp1252")
    form = _stream(shown, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 6 0 R >> >>")
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    return one_page_pdf(b"<< /XObject << /Fm1 5 0 R >> >>", b"q /Fm1 Do Q", form, font)


def pypdf_written(pdf: bytes, user_password: str | None = None, owner_password: str | None = None) -> bytes:
    """The same document written again by pypdf, optionally encrypted."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password=owner_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PAGE_ONE = [f"Social protection coverage in rural districts, line {n}." for n in range(12)]
PAGE_TWO = [f"The pension reform of 2024 raises the contribution base, line {n}." for n in range(12)]


def two_page_pdf() -> bytes:
    return text_pdf([PAGE_ONE, PAGE_TWO])


def docx_with_heading_and_table() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Coverage targets 2030"
    document.add_heading("Targets by region", level=1)
    document.add_paragraph("Each province reports its health insurance coverage to the ministry every quarter.")
    table = document.add_table(rows=2, cols=2)
    for row, (region, share) in zip(table.rows, [("Region", "Coverage"), ("Northern uplands", "91 percent")]):
        row.cells[0].text, row.cells[1].text = region, share
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with_document_xml(xml: bytes, compresslevel: int = 6) -> bytes:
    """The heading-and-table Word document with its word/document.xml replaced: a part made hostile."""
    good = zipfile.ZipFile(io.BytesIO(docx_with_heading_and_table()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as hostile:
        for item in good.infolist():
            hostile.writestr(item.filename, xml if item.filename == "word/document.xml" else good.read(item))
    return out.getvalue()


WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bomb(inflated_bytes: int) -> bytes:
    """A zip bomb shaped as a .docx: its word/document.xml, well-formed paragraphs, inflates to `inflated_bytes`."""
    paragraph = b"<w:p><w:r><w:t>The ministry reports coverage every quarter.</w:t></w:r></w:p>"
    body = paragraph * (inflated_bytes // len(paragraph))
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{WORD_NS}"><w:body>'.encode()
    return docx_with_document_xml(xml + body + b"</w:body></w:document>", compresslevel=9)


def docx_declaring(doctype: str, reference: str) -> bytes:
    """A Word document whose word/document.xml declares `doctype` and uses `reference` in its one paragraph: the
    shape of a billion-laughs or XXE attack."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document xmlns:w="{WORD_NS}"><w:body>'
        f"<w:p><w:r><w:t>The ministry reports {reference} every quarter.</w:t></w:r></w:p></w:body></w:document>"
    )
    return docx_with_document_xml(xml.encode())


# Migrations 12 (collections, users, briefs' owners), 13 (metadata edits), 14 (relations) and 15 (jobs) undone: for
# the tests of indexes made before them.
UNDO_ACCESS = (
    "DROP TABLE jobs;"
    " DROP TABLE relations; DROP TABLE document_nodes;"
    " DROP TABLE metadata_edits;"
    "DROP TABLE brief_shares; DROP TABLE api_tokens; DROP TABLE user_groups; DROP TABLE users;"
    " DROP TABLE collection_groups; DROP TABLE groups; DROP TABLE collections; DROP TABLE audit_log;"
    " DROP INDEX documents_collection; ALTER TABLE documents DROP COLUMN collection;"
    " ALTER TABLE briefs DROP COLUMN owner_id; ALTER TABLE briefs DROP COLUMN version; "
)


def identify_by(app, identify) -> None:
    """Put `identify` (a hook that sets g.viewer) in place of the app's sign-in step, so that a test acts as a given
    person without passwords; a request it leaves without a viewer is in open mode."""
    hooks = app.before_request_funcs[None]
    hooks[hooks.index(identify_viewer)] = identify


def csrf_of(client, path: str) -> str:
    """The CSRF token the page at `path` gives this test client's session: every form of the app carries it."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)
