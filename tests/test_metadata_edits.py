"""An editor edits a document's metadata: the edit shows in the document, its facets and filters, survives the file
being ingested again after it changed, is refused to readers and invisible to who may not read the document, is
checked field by field, and is written to the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import csrf_of, identify_by
from conftest import ADMIN_TOKEN
from flask import g

from policykb.access import Viewer
from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store

DOC = "004_6608ed9db748e12c"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}  # admin_required asks it of every change while no admin exists
EDITOR = Viewer("editor", "erin", 3)
READER = Viewer("reader", "rita", 5, frozenset({"press"}))
OUTSIDER = Viewer("editor", "otto", 6, frozenset({"press"}))  # an editor outside the drafts' group


def _as(app, viewer: Viewer):
    """A client acting as `viewer` (the app's later requests all do: a test may change who acts)."""
    if "test_viewer" not in app.config:
        identify_by(app, lambda: setattr(g, "viewer", app.config["test_viewer"]))
    app.config["test_viewer"] = viewer
    return app.test_client()


def _patch(client, doc_id: str, body: dict):
    return client.patch(f"/api/docs/{doc_id}", json=body, headers=AUTH)


def _drafts(config: Config, doc_id: str) -> None:
    """A restricted collection "drafts" (group secretariat) holding `doc_id`."""
    with Store(config.db_path) as store:
        with store.transaction():
            store.conn.executemany("INSERT INTO groups (name) VALUES (?)", [("secretariat",), ("press",)])
        store.save_collection("drafts", public=False, groups=["secretariat"])
        store.move_document(doc_id, "drafts")


def test_an_editor_changes_the_type_and_date_and_the_document_facets_and_filters_show_it(app):
    client = _as(app, EDITOR)
    answer = _patch(client, DOC, {"type": "minutes", "date": "2019-05-01"})
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["doc_type"], answer.get_json()["date"]) == ("minutes", "2019-05-01")
    shown = client.get(f"/api/docs/{DOC}").get_json()
    assert (shown["doc_type"], shown["date"], shown["year"]) == ("minutes", "2019-05-01", 2019)
    found = client.get("/api/search", query_string={"q": "social protection", "type": "minutes", "k": 50}).get_json()
    assert found["total"] > 0 and {hit["doc_id"] for hit in found["hits"]} == {DOC}
    by_year = client.get("/api/search", query_string={"q": "social protection", "year": 2019}).get_json()
    assert {hit["doc_id"] for hit in by_year["hits"]} == {DOC}
    everything = client.get("/api/search", query_string={"q": "social protection", "k": 50}).get_json()
    assert {"value": "minutes", "count": found["total"]} in everything["facets"]["type"]  # passages of the type


def test_the_edit_outlives_the_file_changing_and_being_ingested_again(app, fake_index: Config):
    assert _patch(_as(app, EDITOR), DOC, {"type": "minutes", "title": "Edited title"}).status_code == 200
    with Store(fake_index.db_path, readonly=True) as store:
        source = Path(store.get_document(DOC).source)
    source.write_text(source.read_text(encoding="utf-8") + "\n\nA paragraph added later.\n", encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest([source.parent])
        assert report.updated == 1 and not report.errors
        doc = indexer.store.get_document(DOC)
    assert (doc.doc_type, doc.title) == ("minutes", "Edited title")
    assert "A paragraph added later." in doc.text


def test_an_edit_reuses_the_vectors_of_passages_whose_text_did_not_change(app, fake_index: Config):
    with Store(fake_index.db_path, readonly=True) as store:
        before = store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    assert _patch(_as(app, EDITOR), DOC, {"date": "2019"}).status_code == 200
    with Store(fake_index.db_path, readonly=True) as store:
        assert store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == before
        assert store.get_document(DOC).date == "2019"


def test_a_reader_may_not_edit_a_document(app):
    answer = _patch(_as(app, READER), DOC, {"type": "minutes"})
    assert answer.status_code == 403 and "edit" in answer.get_json()["error"]


def test_an_editor_who_may_not_read_the_document_gets_the_404_of_a_missing_one(app, fake_index: Config):
    _drafts(fake_index, DOC)
    client = _as(app, OUTSIDER)
    hidden, missing = _patch(client, DOC, {"type": "minutes"}), _patch(client, "no-such-doc", {"type": "minutes"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["error"].replace(DOC, "X") == missing.get_json()["error"].replace("no-such-doc", "X")


def test_an_editor_may_not_move_a_document_to_a_collection_they_may_not_write_to(app, fake_index: Config):
    _drafts(fake_index, "000_0b935866529ff4c2")  # drafts exists; DOC stays public
    insider = Viewer("editor", "ines", 7, frozenset({"secretariat"}))  # reads drafts, does not own it
    refused = _patch(_as(app, insider), DOC, {"collection": "drafts"})
    assert refused.status_code == 403 and "drafts" in refused.get_json()["error"]
    unknown = _patch(_as(app, insider), DOC, {"collection": "nowhere"})
    assert unknown.status_code == 400 and "'collection'" in unknown.get_json()["error"]


def test_an_admin_moves_a_document_to_another_collection(app, fake_index: Config):
    _drafts(fake_index, "000_0b935866529ff4c2")
    answer = _patch(_as(app, Viewer("admin", "ada", 4)), DOC, {"collection": "drafts"})
    assert answer.status_code == 200 and answer.get_json()["collection"] == "drafts"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "memo"}, "'type'"),
        ({"date": "2019-13-01"}, "'date'"),
        ({"date": "May 2019"}, "'date'"),
        ({"url": "javascript:alert(1)"}, "'url'"),
        ({"title": "   "}, "'title'"),
        ({"issuer": "x" * 201}, "'issuer'"),
        ({"pages": "3"}, "'pages'"),
        ({"date": 2019}, "'date'"),
    ],
)
def test_an_invalid_value_is_a_400_naming_the_field(app, body: dict, field: str):
    answer = _patch(_as(app, EDITOR), DOC, body)
    assert answer.status_code == 400 and field in answer.get_json()["error"]


def test_an_empty_url_or_issuer_clears_it(app):
    client = _as(app, EDITOR)
    assert (
        _patch(client, DOC, {"url": "https://example.org/strategy"}).get_json()["url"] == "https://example.org/strategy"
    )
    cleared = _patch(client, DOC, {"url": "", "issuer": ""}).get_json()
    assert cleared["url"] is None and cleared["issuer"] is None


def test_an_edit_of_a_document_whose_file_is_gone_is_refused_in_one_line(app, fake_index: Config):
    with Store(fake_index.db_path, readonly=True) as store:
        Path(store.get_document(DOC).source).unlink()
    answer = _patch(_as(app, EDITOR), DOC, {"type": "minutes"})
    assert answer.status_code == 409 and "upload the file again" in answer.get_json()["error"]


def test_the_edit_is_in_the_audit_log_with_each_changed_field_old_and_new(app, fake_index: Config):
    with Store(fake_index.db_path, readonly=True) as store:
        old_type = store.get_document(DOC).doc_type
    assert _patch(_as(app, EDITOR), DOC, {"type": "minutes", "date": "2019"}).status_code == 200
    with Store(fake_index.db_path, readonly=True) as store:
        entry = store.audit_entries(1)[0]
    detail = entry.detail if isinstance(entry.detail, dict) else json.loads(entry.detail)
    assert (entry.action, entry.target, entry.user_name) == ("document.metadata", DOC, "erin")
    assert detail["changed"]["doc_type"] == [old_type, "minutes"] and detail["changed"]["date"][1] == "2019"
    assert "title" not in detail["changed"]


def test_the_document_page_offers_the_form_to_an_editor_with_its_csrf_token(app):
    client = _as(app, EDITOR)
    page = client.get(f"/doc/{DOC}").get_data(as_text=True)
    assert "Edit details" in page
    refused = client.post(f"/doc/{DOC}/edit", data={"type": "minutes"})
    assert refused.status_code == 400
    token = csrf_of(client, f"/doc/{DOC}")
    saved = client.post(f"/doc/{DOC}/edit", data={"csrf": token, "type": "minutes", "date": "2018-02"})
    assert saved.status_code == 303
    shown = client.get(f"/api/docs/{DOC}").get_json()
    assert (shown["doc_type"], shown["date"]) == ("minutes", "2018-02")


def test_the_document_page_offers_no_form_to_a_reader(app):
    assert "Edit details" not in _as(app, READER).get(f"/doc/{DOC}").get_data(as_text=True)


def test_in_open_mode_the_admin_token_edits_and_nothing_else_does(app):
    client = app.test_client()
    assert client.patch(f"/api/docs/{DOC}", json={"type": "minutes"}).status_code == 401
    page = client.get(f"/doc/{DOC}").get_data(as_text=True)
    assert "Edit details" in page and 'name="token"' in page
    assert _patch(client, DOC, {"type": "minutes"}).get_json()["doc_type"] == "minutes"
