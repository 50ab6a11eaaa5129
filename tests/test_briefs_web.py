"""Briefs on the web through Flask's test client: the pages and their forms, pinning, exports, and /api/briefs."""

from __future__ import annotations

import csv
import html
import io
import re
import sqlite3

import docx
import pytest
from builders import UNDO_ACCESS, csrf_of

from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.web import create_app

RESOLUTION = "004_6608ed9db748e12c"
PARTNERSHIP = "000_0b935866529ff4c2"
ARTICLE = "002_629d27a461f4eef1"


def _text(fake_index: Config, doc_id: str) -> str:
    with Store(fake_index.db_path, readonly=True) as store:
        return store.get_document(doc_id).text


def _span(fake_index: Config, doc_id: str, phrase: str) -> tuple[int, int]:
    start = _text(fake_index, doc_id).index(phrase)
    return start, start + len(phrase)


def _pin_forms(page: str) -> list[dict]:
    """The Pin forms of a page as the fields a browser would send, the first brief option chosen."""
    forms = []
    for form in re.findall(r'<form class="pin[^"]*".*?</form>', page, re.S):
        fields = {
            name: html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
        }
        fields["brief"] = re.search(r'<option value="(\w+)"', form).group(1)
        forms.append(fields)
    return forms


def _new_brief(client, title: str = "Social insurance reform", intro: str = "For the Tuesday meeting.") -> int:
    response = client.post("/briefs", data={"csrf": csrf_of(client, "/briefs"), "title": title, "intro": intro})
    assert response.status_code == 303
    return int(re.search(r"/briefs/(\d+)$", response.headers["Location"]).group(1))


def _pin(client, brief, doc_id: str, start: int, end: int, back: str = "/") -> str:
    data = {
        "csrf": csrf_of(client, "/briefs"),
        "doc_id": doc_id,
        "start": start,
        "end": end,
        "brief": brief,
        "next": back,
        "new_title": "Pinned",
    }
    response = client.post("/briefs/pin", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def _brief(client, brief_id: int) -> dict:
    return client.get(f"/api/briefs/{brief_id}").get_json()


def _edit_source(fake_index: Config, corpus_copy, doc_id: str, change) -> None:
    path = corpus_copy / f"{doc_id}.txt"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([corpus_copy])


# --- the list page ----------------------------------------------------------------------------
def test_briefs_page_starts_empty_and_creates_a_brief_from_its_form(client):
    page = client.get("/briefs").get_data(as_text=True)
    assert "No briefs yet" in page and 'action="/briefs"' in page
    brief_id = _new_brief(client)
    listing = client.get("/briefs").get_data(as_text=True)
    assert f'href="/briefs/{brief_id}">Social insurance reform</a>' in listing
    assert f"/briefs/{brief_id}/export.docx" in listing
    assert 'href="/briefs">Briefs</a>' in client.get("/").get_data(as_text=True)  # in the main navigation


def test_a_brief_without_a_title_is_refused_in_plain_words(client):
    response = client.post("/briefs", data={"csrf": csrf_of(client, "/briefs"), "title": "   "})
    assert response.status_code == 400
    assert "a brief needs a title" in response.get_data(as_text=True)
    assert client.get("/api/briefs").get_json()["briefs"] == []


def test_briefs_page_on_an_empty_data_folder_says_how_to_fill_it(tmp_path):
    client = create_app(config=Config.from_env(data_dir=tmp_path / "empty", embedder="fake")).test_client()
    page = client.get("/briefs").get_data(as_text=True)
    assert "policykb ingest corpus/" in page
    with client.session_transaction() as session:
        session["csrf"] = "token"
    response = client.post("/briefs", data={"csrf": "token", "title": "T"})
    assert response.status_code == 503 and "policykb ingest corpus/" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path, data",
    [
        ("/briefs", {"title": "T"}),
        ("/briefs/pin", {"doc_id": RESOLUTION, "start": "0", "end": "10", "brief": "new"}),
        ("/briefs/{b}", {"title": "Renamed"}),
        ("/briefs/{b}/headings", {"heading": "H"}),
        ("/briefs/{b}/items/{i}", {"note": "N"}),
        ("/briefs/{b}/items/{i}/move", {"move": "1"}),
        ("/briefs/{b}/items/{i}/repin", {}),
        ("/briefs/{b}/items/{i}/remove", {}),
        ("/briefs/{b}/delete", {}),
    ],
)
def test_every_brief_form_needs_the_csrf_token(client, path, data):
    brief_id = _new_brief(client)
    item_id = client.post(f"/api/briefs/{brief_id}/items", json={"heading": "Kept"}).get_json()["item"]["id"]
    before = _brief(client, brief_id)
    for token in ({}, {"csrf": "forged"}):
        response = client.post(path.format(b=brief_id, i=item_id), data={**data, **token})
        assert response.status_code == 400 and "did not come from this site" in response.get_data(as_text=True)
    assert _brief(client, brief_id) == before
    assert len(client.get("/api/briefs").get_json()["briefs"]) == 1


@pytest.mark.parametrize(
    "path",
    ["/briefs/pin", "/briefs/1/delete", "/briefs/1/headings", "/briefs/1/items/1/remove", "/briefs/1/items/1/move"],
)
def test_no_get_request_changes_a_brief(client, path):
    _new_brief(client)
    assert client.get(path).status_code == 405


# --- pinning ----------------------------------------------------------------------------------
def test_pin_on_a_search_result_makes_a_new_brief_and_returns_to_the_results_with_a_notice(client):
    page = client.get("/", query_string={"q": "who coordinates the partnership group"}).get_data(as_text=True)
    forms = _pin_forms(page)
    assert len(forms) == page.count('<article class="hit"') == 10
    first = forms[0]
    assert first["brief"] == "new" and first["new_title"] == "who coordinates the partnership group"
    assert first["next"] == "/?q=who+coordinates+the+partnership+group#hit-1"

    response = client.post("/briefs/pin", data=first)
    assert response.status_code == 303
    assert response.headers["Location"] == "/?q=who+coordinates+the+partnership+group&pinned=1#hit-1"
    back = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'Pinned to <a href="/briefs/1">who coordinates the partnership group</a> \(1 passage\)', back)

    second = _pin_forms(back)[1]
    assert (
        second["brief"] == "1" and second["next"].endswith("#hit-2") and "pinned" not in second["next"]
    )  # the brief used last comes first
    client.post("/briefs/pin", data=second)
    items = _brief(client, 1)["items"]
    hits = client.get("/api/search", query_string={"q": "who coordinates the partnership group"}).get_json()["hits"]
    assert [(i["doc_id"], i["start"], i["end"], i["quote"]) for i in items] == [
        (h["doc_id"], h["start"], h["end"], h["text"]) for h in hits[:2]
    ]


def test_pin_on_the_document_page_pins_the_cited_passage(client, fake_index):
    start, end = _span(fake_index, RESOLUTION, "Flexible, diverse and universal social insurance system")
    page = client.get(f"/doc/{RESOLUTION}", query_string={"start": start, "end": end}).get_data(as_text=True)
    cited, selection = _pin_forms(page)
    assert (cited["start"], cited["end"]) == (str(start), str(end)) and cited["new_title"].startswith(
        "Government unveils"
    )
    assert selection["start"] == selection["end"] == ""  # filled by app.js from the reader's selection
    assert '<form class="pin pin-selection"' in page and "hidden>" in page
    location = client.post("/briefs/pin", data=cited).headers["Location"]
    assert location == f"/doc/{RESOLUTION}?start={start}&end={end}&pinned=1#passage"
    assert "Pinned to" in client.get(location).get_data(as_text=True)
    assert _brief(client, 1)["items"][0]["quote"] == "Flexible, diverse and universal social insurance system"


def test_document_page_offsets_map_every_heading_and_body_back_to_the_cleaned_text(client, fake_index):
    """What app.js relies on to turn a selection into offsets: each data-start element renders the text from there."""
    for doc_id in (RESOLUTION, PARTNERSHIP):
        text = _text(fake_index, doc_id)
        page = client.get(f"/doc/{doc_id}", query_string={"start": 100, "end": 900}).get_data(as_text=True)
        pieces = re.findall(r'<(h2|span) class="[^"]*" data-start="(\d+)">(.*?)</\1>', page, re.S)
        assert len(pieces) > 5
        for _tag, start, inner in pieces:
            shown = html.unescape(re.sub(r"<[^>]+>", "", inner))
            assert text[int(start) : int(start) + len(shown)] == shown


def test_a_selection_pinned_by_offsets_quotes_exactly_that_text(client, fake_index):
    text = _text(fake_index, PARTNERSHIP)
    start = text.index("Ministry of Labour")
    _pin(client, "new", PARTNERSHIP, start, start + 18, back=f"/doc/{PARTNERSHIP}")
    assert _brief(client, 1)["items"][0]["quote"] == "Ministry of Labour"


def test_a_refused_pin_says_why_and_leaves_no_empty_brief(client):
    data = {
        "csrf": csrf_of(client, "/briefs"),
        "doc_id": RESOLUTION,
        "start": "10",
        "end": "99999999",
        "brief": "new",
        "next": "/",
    }
    response = client.post("/briefs/pin", data=data)
    assert response.status_code == 400 and "outside" in response.get_data(as_text=True)
    assert client.get("/api/briefs").get_json()["briefs"] == []
    for changes, status, message in [
        ({"doc_id": "nope"}, 404, "no document"),
        ({"brief": "42", "end": "20"}, 404, "no brief 42"),
        ({"brief": "x"}, 400, "choose a brief"),
        ({"start": "ten"}, 400, "whole number"),
    ]:
        response = client.post("/briefs/pin", data={**data, "end": "20", **changes})
        assert response.status_code == status and message in html.unescape(response.get_data(as_text=True))
    assert client.get("/api/briefs").get_json()["briefs"] == []


@pytest.mark.parametrize(
    "back", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "", "relative/path"]
)
def test_pin_only_returns_to_a_page_of_this_site(client, back):
    location = _pin(client, "new", RESOLUTION, 0, 20, back=back)
    assert location == "/briefs/1"


# --- the brief page ---------------------------------------------------------------------------
def test_brief_page_shows_each_passage_with_citation_context_link_note_and_controls(client, fake_index):
    brief_id = _new_brief(client)
    start, end = _span(fake_index, RESOLUTION, "Flexible, diverse and universal social insurance system")
    _pin(client, brief_id, RESOLUTION, start, end)
    page = client.get(f"/briefs/{brief_id}").get_data(as_text=True)
    assert "<h1>Social insurance reform</h1>" in page and "For the Tuesday meeting." in page
    assert '<blockquote class="passage">Flexible, diverse and universal social insurance system</blockquote>' in page
    assert "Government unveils action plan" in page and "13 May 2024" in page
    assert f'href="/doc/{RESOLUTION}?start={start}&amp;end={end}#passage"' in page
    assert '<textarea name="note"' in page and ">Remove</button>" in page
    for fmt in ("docx", "md", "csv"):
        assert f'href="/briefs/{brief_id}/export.{fmt}"' in page


def test_notes_headings_order_and_removal_change_through_the_page_forms(client, fake_index):
    brief_id = _new_brief(client)
    csrf = csrf_of(client, "/briefs")
    _pin(client, brief_id, RESOLUTION, *_span(fake_index, RESOLUTION, "Improving State management capacity"))
    response = client.post(f"/briefs/{brief_id}/headings", data={"csrf": csrf, "heading": "Management"})
    heading_id = _brief(client, brief_id)["items"][1]["id"]
    assert response.status_code == 303 and response.headers["Location"] == f"/briefs/{brief_id}#item-{heading_id}"
    client.post(f"/briefs/{brief_id}/items/{heading_id}/move", data={"csrf": csrf, "move": "-1"})
    passage_id = _brief(client, brief_id)["items"][1]["id"]
    client.post(f"/briefs/{brief_id}/items/{passage_id}", data={"csrf": csrf, "note": "  Central to the reform.  "})
    client.post(f"/briefs/{brief_id}/items/{heading_id}", data={"csrf": csrf, "heading": "State capacity"})
    items = _brief(client, brief_id)["items"]
    assert [(i["kind"], i["heading"], i["note"]) for i in items] == [
        ("heading", "State capacity", ""),
        ("passage", None, "Central to the reform."),
    ]
    page = client.get(f"/briefs/{brief_id}").get_data(as_text=True)
    assert (
        page.index("State capacity") < page.index("Improving State management capacity")
        and "Central to the reform.</textarea>" in page
    )

    assert client.post(f"/briefs/{brief_id}/headings", data={"csrf": csrf, "heading": " "}).status_code == 400
    assert (
        client.post(f"/briefs/{brief_id}/items/{heading_id}/move", data={"csrf": csrf, "move": "3"}).status_code == 400
    )
    client.post(f"/briefs/{brief_id}/items/{heading_id}/remove", data={"csrf": csrf})
    assert [i["id"] for i in _brief(client, brief_id)["items"]] == [passage_id]


def test_title_and_intro_are_edited_and_the_brief_deleted_through_the_page(client):
    brief_id = _new_brief(client)
    csrf = csrf_of(client, "/briefs")
    client.post(f"/briefs/{brief_id}", data={"csrf": csrf, "title": "Renamed", "intro": "New intro."})
    assert (_brief(client, brief_id)["title"], _brief(client, brief_id)["intro"]) == ("Renamed", "New intro.")
    refused = client.post(f"/briefs/{brief_id}", data={"csrf": csrf, "title": "", "intro": "x"})
    assert refused.status_code == 400 and "a brief needs a title" in refused.get_data(as_text=True)
    assert _brief(client, brief_id)["title"] == "Renamed"
    response = client.post(f"/briefs/{brief_id}/delete", data={"csrf": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/briefs"
    assert client.get(f"/briefs/{brief_id}").status_code == 404


@pytest.mark.parametrize(
    "path, status, message",
    [
        ("/briefs/99", 404, "no brief 99"),
        ("/briefs/99/export.docx", 404, "no brief 99"),
        ("/briefs/1/export.pdf", 400, "unknown export format"),
        ("/briefs/abc", 404, ""),
    ],
)
def test_unknown_briefs_and_formats_get_a_page_that_says_so(client, path, status, message):
    _new_brief(client)
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


def test_unknown_items_are_404_on_the_brief_page(client):
    brief_id = _new_brief(client)
    response = client.post(f"/briefs/{brief_id}/items/77/remove", data={"csrf": csrf_of(client, "/briefs")})
    assert response.status_code == 404 and f"brief {brief_id} has no item 77" in response.get_data(as_text=True)


# --- exports ----------------------------------------------------------------------------------
def test_exports_are_files_named_after_the_brief(client, fake_index):
    brief_id = _new_brief(client, "Cải cách bảo hiểm xã hội")
    client.post(f"/api/briefs/{brief_id}/items", json={"heading": "Owners"})
    _pin(
        client,
        brief_id,
        PARTNERSHIP,
        *_span(fake_index, PARTNERSHIP, "Coordinating agency: Ministry of Labour, Invalids and Social Affairs"),
    )
    client.patch(f"/api/briefs/{brief_id}/items/2", json={"note": "MOLISA leads."})
    for fmt, mimetype in [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("md", "text/markdown"),
        ("csv", "text/csv"),
    ]:
        response = client.get(f"/briefs/{brief_id}/export.{fmt}")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Content-Type"].count("charset") == (fmt != "docx")  # said once, for text
        assert (
            response.headers["Content-Disposition"]
            == f"attachment; filename=brief-{brief_id}-cai-cach-bao-hiem-xa-hoi.{fmt}"
        )
    document = docx.Document(io.BytesIO(client.get(f"/briefs/{brief_id}/export.docx").data))
    texts = [p.text for p in document.paragraphs]
    assert "Cải cách bảo hiểm xã hội" in texts and "Owners" in texts and "MOLISA leads." in texts and "Notes" in texts
    assert "Coordinating agency: Ministry of Labour, Invalids and Social Affairs1" in texts
    assert "[^1]" in client.get(f"/briefs/{brief_id}/export.md").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/briefs/{brief_id}/export.csv").get_data(as_text=True))))
    assert [(r["heading"], r["note"], r["status"]) for r in rows] == [("Owners", "MOLISA leads.", "ok")]


def test_a_changed_source_is_flagged_blocks_the_export_with_a_409_page_and_can_be_re_pinned(
    client, fake_index, corpus_copy
):
    brief_id = _new_brief(client)
    _pin(client, brief_id, ARTICLE, *_span(fake_index, ARTICLE, "According to MoLISA Deputy Minister Nguyen Trong Dam"))
    item_id = _brief(client, brief_id)["items"][0]["id"]
    _edit_source(fake_index, corpus_copy, ARTICLE, lambda text: "A new opening line.\n" + text)

    page = client.get(f"/briefs/{brief_id}").get_data(as_text=True)
    assert "source changed — re-check the span" in page and ">Re-pin</button>" in page
    for fmt in ("docx", "md", "csv"):
        response = client.get(f"/briefs/{brief_id}/export.{fmt}")
        assert (
            response.status_code == 409
            and response.mimetype == "text/html"
            and "Content-Disposition" not in response.headers
        )
        assert f"item {item_id} (" in response.get_data(as_text=True) and "source changed" in response.get_data(
            as_text=True
        )

    client.post(f"/briefs/{brief_id}/items/{item_id}/repin", data={"csrf": csrf_of(client, "/briefs")})
    item = _brief(client, brief_id)["items"][0]
    assert item["status"] == "ok" and _text(fake_index, ARTICLE)[item["start"] : item["end"]] == item["quote"]
    assert client.get(f"/briefs/{brief_id}/export.docx").status_code == 200


def test_a_reworded_or_removed_source_is_flagged_without_a_re_pin(client, fake_index, corpus_copy):
    brief_id = _new_brief(client)
    _pin(client, brief_id, ARTICLE, *_span(fake_index, ARTICLE, "According to MoLISA Deputy Minister"))
    _pin(client, brief_id, RESOLUTION, *_span(fake_index, RESOLUTION, "Improving State management capacity"))
    _edit_source(fake_index, corpus_copy, ARTICLE, lambda text: text.replace("Deputy Minister", "Vice Minister"))
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.remove(RESOLUTION)
    page = client.get(f"/briefs/{brief_id}").get_data(as_text=True)
    assert "source changed — re-check the span" in page and "source removed" in page and ">Re-pin</button>" not in page
    assert f"/doc/{RESOLUTION}?" not in page  # no link into a document that is gone
    refused = client.post(f"/briefs/{brief_id}/items/1/repin", data={"csrf": csrf_of(client, "/briefs")})
    assert refused.status_code == 400 and "cannot be re-pinned" in refused.get_data(as_text=True)


def test_an_index_from_before_briefs_still_serves_search_and_upgrades_on_the_first_pin(client, fake_index):
    conn = sqlite3.connect(fake_index.db_path)
    conn.executescript(
        UNDO_ACCESS + "DROP TABLE brief_items; DROP TABLE briefs; ALTER TABLE chunks DROP COLUMN ocr;"
        " ALTER TABLE chunks DROP COLUMN ocr_confidence; DROP INDEX documents_acronyms;"
        " ALTER TABLE chunks DROP COLUMN text; DROP INDEX chunks_language; DROP INDEX chunks_agencies;"
        " DROP TABLE documents_fts; ALTER TABLE documents DROP COLUMN fts_key; ALTER TABLE assignments DROP COLUMN kind;"
        " PRAGMA user_version = 3;"
    )  # undo migrations 4 to 12
    conn.close()
    page = client.get("/", query_string={"q": "Resolution 68"})
    assert page.status_code == 200 and _pin_forms(page.get_data(as_text=True))[0]["brief"] == "new"
    assert client.get("/briefs").status_code == 200 and client.get("/api/briefs").get_json()["briefs"] == []
    assert client.get("/briefs/1").status_code == 404
    _pin(client, "new", RESOLUTION, 0, 30)
    assert len(_brief(client, 1)["items"]) == 1


# --- the JSON API -----------------------------------------------------------------------------
def test_api_creates_lists_shows_updates_and_deletes_a_brief(client):
    created = client.post("/api/briefs", json={"title": "Reform", "intro": "Why."})
    assert created.status_code == 201
    brief = created.get_json()
    assert brief["ok"] and (brief["title"], brief["intro"], brief["items"], brief["problems"]) == (
        "Reform",
        "Why.",
        [],
        [],
    )
    assert client.get("/api/briefs").get_json()["briefs"][0]["title"] == "Reform"
    assert client.patch(f"/api/briefs/{brief['id']}", json={"intro": "Because."}).get_json()["intro"] == "Because."
    assert client.delete(f"/api/briefs/{brief['id']}").get_json() == {"ok": True, "deleted": brief["id"]}
    assert client.get(f"/api/briefs/{brief['id']}").status_code == 404


def test_api_adds_chunks_spans_and_headings_and_edits_moves_and_removes_them(client, fake_index):
    brief_id = client.post("/api/briefs", json={"title": "Reform"}).get_json()["id"]
    hit = client.get("/api/search", query_string={"q": "Resolution 68"}).get_json()["hits"][0]
    by_chunk = client.post(f"/api/briefs/{brief_id}/items", json={"chunk_id": hit["chunk_id"], "note": "First"})
    assert by_chunk.status_code == 201
    item = by_chunk.get_json()["item"]
    assert (item["quote"], item["note"], item["status"]) == (hit["text"], "First", "ok")
    assert item["citation"].startswith(hit["title"]) and item["href"].startswith(f"/doc/{hit['doc_id']}?start=")
    start, end = _span(fake_index, PARTNERSHIP, "Ministry of Labour")
    span = client.post(
        f"/api/briefs/{brief_id}/items", json={"doc_id": PARTNERSHIP, "start": start, "end": end}
    ).get_json()["item"]
    assert span["quote"] == "Ministry of Labour"
    heading = client.post(f"/api/briefs/{brief_id}/items", json={"heading": "Who"}).get_json()["item"]

    moved = client.patch(
        f"/api/briefs/{brief_id}/items/{heading['id']}", json={"move": -1, "heading": "Who leads"}
    ).get_json()["item"]
    assert (moved["heading"], moved["position"]) == ("Who leads", 2)
    client.patch(f"/api/briefs/{brief_id}/items/{span['id']}", json={"note": "MOLISA"})
    assert client.delete(f"/api/briefs/{brief_id}/items/{item['id']}").get_json() == {"ok": True, "removed": item["id"]}
    items = client.get(f"/api/briefs/{brief_id}").get_json()["items"]
    assert [(i["kind"], i["heading"] or i["note"]) for i in items] == [("heading", "Who leads"), ("passage", "MOLISA")]


@pytest.mark.parametrize(
    "method, path, body, status, message",
    [
        ("post", "/api/briefs", {"title": " "}, 400, "a brief needs a title"),
        ("post", "/api/briefs", {"title": "T", "owner": "me"}, 400, "unknown field(s) 'owner'"),
        ("post", "/api/briefs", {"title": 5}, 400, "'title' must be a string"),
        ("post", "/api/briefs", None, 400, "Content-Type: application/json"),
        ("patch", "/api/briefs/1", {"title": ""}, 400, "a brief needs a title"),
        ("get", "/api/briefs/99", None, 404, "no brief 99"),
        ("delete", "/api/briefs/99", None, 404, "no brief 99"),
        ("post", "/api/briefs/99/items", {"heading": "H"}, 404, "no brief 99"),
        ("post", "/api/briefs/1/items", {"chunk_id": 1, "heading": "H"}, 400, "send one of"),
        ("post", "/api/briefs/1/items", {"note": "alone"}, 400, "send one of"),
        ("post", "/api/briefs/1/items", {"chunk_id": 10**9}, 404, "no chunk"),
        ("post", "/api/briefs/1/items", {"chunk_id": "7"}, 400, "'chunk_id' must be a whole number"),
        ("post", "/api/briefs/1/items", {"doc_id": RESOLUTION, "start": 5, "end": 10**8}, 400, "outside"),
        ("post", "/api/briefs/1/items", {"doc_id": RESOLUTION, "start": 5}, 400, "'end' must be a whole number"),
        ("post", "/api/briefs/1/items", {"doc_id": "nope", "start": 0, "end": 5}, 404, "no document 'nope'"),
        ("post", "/api/briefs/1/items", {"heading": "  "}, 400, "a heading needs text"),
        ("patch", "/api/briefs/1/items/1", {"move": 2}, 400, "'move' must be -1 (up) or 1 (down)"),
        ("patch", "/api/briefs/1/items/1", {"move": True}, 400, "'move' must be -1 (up) or 1 (down)"),
        ("patch", "/api/briefs/1/items/1", {"heading": "H"}, 400, "only a heading item has heading text"),
        ("patch", "/api/briefs/1/items/1", {"repin": True}, 400, "cannot be re-pinned"),
        ("patch", "/api/briefs/1/items/1", {"repin": False}, 400, "'repin' can only be true"),
        ("patch", "/api/briefs/1/items/99", {"note": "N"}, 404, "brief 1 has no item 99"),
        ("delete", "/api/briefs/1/items/99", None, 404, "brief 1 has no item 99"),
        ("get", "/api/briefs/1/export?format=pdf", None, 400, "unknown export format 'pdf'"),
        ("get", "/api/briefs/1/export", None, 400, "unknown export format ''"),
        ("get", "/api/briefs/1/items", None, 405, "not allowed"),
        ("get", "/api/briefs/abc", None, 404, "not found"),
    ],
)
def test_api_errors_use_the_one_error_shape(client, method, path, body, status, message):
    client.post("/api/briefs", json={"title": "Reform"})
    client.post("/api/briefs/1/items", json={"doc_id": RESOLUTION, "start": 0, "end": 30})
    response = getattr(client, method)(path, **({"json": body} if body is not None else {}))
    payload = response.get_json()
    assert response.status_code == status and payload["ok"] is False and payload["status"] == status, payload
    assert message in payload["error"]


def test_api_refuses_a_form_post_so_that_another_site_cannot_make_briefs(client):
    response = client.post("/api/briefs", data={"title": "From a cross-site form"})
    assert response.status_code == 400 and client.get("/api/briefs").get_json()["briefs"] == []


def test_api_export_sends_each_format_and_a_stale_brief_is_a_409_naming_the_item(client, fake_index, corpus_copy):
    brief_id = client.post("/api/briefs", json={"title": "Reform"}).get_json()["id"]
    start, end = _span(fake_index, ARTICLE, "According to MoLISA Deputy Minister")
    item_id = client.post(
        f"/api/briefs/{brief_id}/items", json={"doc_id": ARTICLE, "start": start, "end": end}
    ).get_json()["item"]["id"]
    for fmt in ("docx", "md", "csv"):
        response = client.get(f"/api/briefs/{brief_id}/export", query_string={"format": fmt})
        assert (
            response.status_code == 200
            and response.headers["Content-Disposition"] == f"attachment; filename=brief-{brief_id}-reform.{fmt}"
        )
    _edit_source(fake_index, corpus_copy, ARTICLE, lambda text: "A new opening line.\n" + text)
    stale = client.get(f"/api/briefs/{brief_id}")
    assert stale.get_json()["problems"] == [item_id] and stale.get_json()["items"][0]["moved_to"] == [
        start + 20,
        end + 20,
    ]
    response = client.get(f"/api/briefs/{brief_id}/export", query_string={"format": "docx"})
    payload = response.get_json()
    assert response.status_code == 409 and payload["ok"] is False and payload["status"] == 409
    assert f"item {item_id} (" in payload["error"] and "source changed" in payload["error"]
    repinned = client.patch(f"/api/briefs/{brief_id}/items/{item_id}", json={"repin": True}).get_json()["item"]
    assert (repinned["status"], repinned["start"]) == ("ok", start + 20)


def test_openapi_describes_the_brief_routes(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert set(paths["/api/briefs"]) == {"get", "post"}
    assert set(paths["/api/briefs/{brief_id}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/briefs/{brief_id}/items"]) == {"post"}
    assert set(paths["/api/briefs/{brief_id}/items/{item_id}"]) == {"patch", "delete"}
    assert "409" in paths["/api/briefs/{brief_id}/export"]["get"]["responses"]
