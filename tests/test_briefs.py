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
