"""What a viewer may not read is invisible on every route, and what each role may change, route by route.

The leak test compares a viewer without the group over an index holding a restricted document with open mode over the
same index before that document came: every count, facet, listing and error must be the same. Scores are left out of
the comparison (BM25's statistics are the whole index's), the set of passages found is not.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from builders import csrf_of, identify_by, text_pdf
from flask import g
from test_webapp import _wait_for_job

from policykb.access import OPEN, Viewer
from policykb.briefs.model import Briefs
from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.owners.answer import OwnersFinder
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.store import Filters, Store
from policykb.web import create_app

TOKEN = "access-test-admin-token"
SECRET = "zorblaxity"  # a word only the restricted document holds
SECRET_ID = "secret-minutes"
RELATED_ID = "004_6608ed9db748e12c"  # a public document that mentions 68/NQ-CP, as the restricted one does
ALICE = Viewer("reader", "alice", 1, frozenset({"secretariat"}))  # group A: may read the drafts
BOB = Viewer("reader", "bob", 2, frozenset({"press"}))  # group B: may not
ERIN = Viewer("editor", "erin", 3)  # an editor in no group
ADA = Viewer("admin", "ada", 4)
VIEWERS = {"open": OPEN, "reader A": ALICE, "reader B": BOB, "editor": ERIN, "admin": ADA}
AUTH = {"Authorization": f"Bearer {TOKEN}"}  # the admin token, which admin_required still asks of every change


@dataclasses.dataclass(frozen=True)
class Built:
    before: Config  # the bundled corpus
    after: Config  # the same, with the restricted minutes in "drafts" and a brief pinning them


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    base = tmp_path_factory.mktemp("access")
    corpus, secret = base / "corpus", base / "secret"
    shutil.copytree(Path(__file__).parent.parent / "corpus", corpus)
    secret.mkdir()
    lines = [
        f"Draft resolution on the {SECRET} review",
        f"Under Resolution 68/NQ-CP the {SECRET} review of pension funds starts in 2026.",
        f"The Ministry of Finance shall lead the {SECRET} review of pension funds.",
        "The Zorblaxity Review Board (ZRB) meets monthly.",  # an acronym the index learns
    ]
    (secret / f"{SECRET_ID}.pdf").write_bytes(text_pdf([lines]))
    before = Config.from_env(data_dir=base / "before", embedder="fake")
    with Indexer(before, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([corpus]).errors
    shutil.copytree(before.data_dir, base / "after")
    after = dataclasses.replace(before, data_dir=base / "after")
    with Indexer(after, FakeEmbedder(), progress=False) as indexer:
        _add_people_and_drafts(indexer.store)
        assert not indexer.ingest([secret], "drafts").errors
        briefs = Briefs(indexer.store)
        brief_id = briefs.create("Pension funds", owner_id=ADA.user_id)
        briefs.add_span(brief_id, RELATED_ID, 0, 40)
        briefs.add_span(brief_id, SECRET_ID, 0, 60)
        with indexer.store.transaction():  # everyone may change it: what each may see in it is the question here
            indexer.store.conn.executemany(
                "INSERT INTO brief_shares (brief_id, user_id, group_name, role) VALUES (?, ?, ?, 'editor')",
                [(brief_id, None, "secretariat"), (brief_id, None, "press"), (brief_id, ERIN.user_id, None)],
            )
    return Built(before, after)


def _in_open_mode(config: Config) -> Config:
    """The index without its accounts: open mode, where the admin token still changes documents."""
    with Store(config.db_path) as store, store.transaction():
        store.conn.execute("DELETE FROM users")
    return config


def _add_people_and_drafts(store: Store) -> None:
    with store.transaction():
        store.conn.executemany("INSERT INTO groups (name) VALUES (?)", [("secretariat",), ("press",)])
        store.conn.executemany(
            "INSERT INTO users (id, name, role) VALUES (?, ?, ?)",
            [(v.user_id, v.name, v.role) for v in (ALICE, BOB, ERIN, ADA)],
        )
    store.save_collection("drafts", public=False, groups=["secretariat"])


def _client(config: Config, viewer: Viewer):
    app = create_app(config=dataclasses.replace(config, admin_token=TOKEN))
    identify_by(app, lambda: setattr(g, "viewer", viewer))
    return app.test_client()


def _found(client, query: str) -> tuple:
    """What a search says, less its scores: total, facets, and the passages found (as a set)."""
    body = client.get("/api/search", query_string={"q": query, "k": 100}).get_json()
    return body["total"], body["facets"], sorted((hit["doc_id"], hit["chunk_id"]) for hit in body["hits"])


def _answers(response) -> dict:
    """An owners answer less its scores. BM25 weighs words by the whole index, restricted documents too (as search
    engines with document-level security do), so a score may differ by what the index holds; what is found and in
    which order may not. Search hits are compared without their scores alike (_found)."""
    body = response.get_json()
    for row in body.get("assignments", []):
        row.pop("score", None)
    return body


def _copy(config: Config, tmp_path: Path) -> Config:
    """A copy of the index in `config`, for a test that changes it."""
    copied = dataclasses.replace(config, data_dir=tmp_path / "data")
    shutil.copytree(config.data_dir, copied.data_dir)
    return copied


def _same_404(client, path: str) -> None:
    """`path` (about the restricted document) answers exactly as the same path about a document that never was."""
    hidden, missing = client.get(path), client.get(path.replace(SECRET_ID, "never-was"))
    assert hidden.status_code == missing.status_code == 404, path
    assert hidden.get_data(as_text=True) == missing.get_data(as_text=True).replace("never-was", SECRET_ID), path


QUERIES = (SECRET, "ZRB", "pension funds review", "social protection", "68/NQ-CP", f"who leads the {SECRET} review")
OWNERS = ({}, {"page": 1}, {"agency": "MOF"}, {"agency": "MOLISA"}, {"q": f"who leads the {SECRET} review"})


def test_a_reader_outside_the_group_finds_no_trace_of_a_restricted_document_anywhere(built):
    bob, before = _client(built.after, BOB), _client(built.before, OPEN)
    for query in QUERIES:  # hits, totals and facets: as if the document did not exist
        assert _found(bob, query) == _found(before, query), query
    for params in OWNERS:  # answers, listings and the task matrix, with its CSV
        assert _answers(bob.get("/api/owners", query_string=params)) == _answers(
            before.get("/api/owners", query_string=params)
        )
        assert bob.get("/owners.csv", query_string=params).data == before.get("/owners.csv", query_string=params).data
    options = re.compile(r"<option[^>]*>([^<]*)</option>")
    assert options.findall(bob.get("/owners").get_data(as_text=True)) == options.findall(
        before.get("/owners").get_data(as_text=True)
    )  # the agencies that lead something
    assert bob.get("/api/docs").get_json() == before.get("/api/docs").get_json()
    assert bob.get("/api/health").get_json()["chunks"] == before.get("/api/health").get_json()["chunks"]
    counts = re.compile(r"Search \d+ documents \(\d+ passages\)")
    assert counts.findall(bob.get("/").get_data(as_text=True)) == counts.findall(before.get("/").get_data(as_text=True))
    for page in ("/docs", f"/doc/{RELATED_ID}", "/?q=pension+funds+review", f"/?q=who+leads+the+{SECRET}+review"):
        text = bob.get(page).get_data(as_text=True)
        assert SECRET_ID not in text and "Draft resolution" not in text, page
    for path in (
        f"/doc/{SECRET_ID}",
        f"/api/docs/{SECRET_ID}",
        f"/doc/{SECRET_ID}/original",
        f"/doc/{SECRET_ID}/page/1.png",
    ):
        _same_404(bob, path)


def test_a_reader_outside_the_group_can_neither_pin_the_document_nor_see_it_in_a_brief(built):
    bob = _client(built.after, BOB)
    brief = bob.get("/api/briefs/1").get_json()
    assert [item["doc_id"] for item in brief["items"]] == [RELATED_ID]
    assert [b["passages"] for b in bob.get("/api/briefs").get_json()["briefs"]] == [1]
    assert [b["passages"] for b in _client(built.after, ALICE).get("/api/briefs").get_json()["briefs"]] == [2]
    for fmt in ("md", "csv", "docx"):
        export = bob.get("/api/briefs/1/export", query_string={"format": fmt})
        assert (
            export.status_code == 200 and SECRET.encode() not in export.data and b"Draft resolution" not in export.data
        )
    assert SECRET not in bob.get("/briefs/1").get_data(as_text=True)
    hidden = bob.post("/api/briefs/1/items", json={"doc_id": SECRET_ID, "start": 0, "end": 20})
    missing = bob.post("/api/briefs/1/items", json={"doc_id": "never-was", "start": 0, "end": 20})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["error"] == missing.get_json()["error"].replace("never-was", SECRET_ID)
    with Store(built.after.db_path, readonly=True) as store:
        chunk_id = store.get_document(SECRET_ID).chunks[0].id
        absent = store.conn.execute("SELECT max(id) + 1 FROM chunks").fetchone()[0]
    hidden = bob.post("/api/briefs/1/items", json={"chunk_id": chunk_id})
    missing = bob.post("/api/briefs/1/items", json={"chunk_id": absent})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["error"] == missing.get_json()["error"].replace(str(absent), str(chunk_id))


@pytest.mark.parametrize("name", ["reader A", "admin", "open"])
def test_the_group_an_admin_and_open_mode_see_the_restricted_document_everywhere(built, name):
    client = _client(built.after, VIEWERS[name])
    total, _, found = _found(client, SECRET)
    assert total > 0 and SECRET_ID in {doc_id for doc_id, _ in found}
    hits = client.get("/api/search", query_string={"q": SECRET}).get_json()["hits"]
    assert {hit["collection"] for hit in hits if hit["doc_id"] == SECRET_ID} == {"drafts"}
    listing = client.get("/api/owners").get_json()["assignments"]
    assert "MOF" in {row["lead"] for row in listing}
    assert SECRET.encode() in client.get("/owners.csv").data
    assert SECRET_ID in client.get(f"/doc/{RELATED_ID}").get_data(as_text=True)  # related documents
    page = client.get(f"/doc/{SECRET_ID}")
    assert page.status_code == 200 and '<dd class="collection">drafts</dd>' in page.get_data(as_text=True)
    assert client.get(f"/api/docs/{SECRET_ID}").get_json()["collection"] == "drafts"
    assert client.get(f"/doc/{SECRET_ID}/original").status_code == 200
    assert client.get(f"/doc/{SECRET_ID}/page/1.png").mimetype == "image/png"
    assert SECRET_ID in {d["id"] for d in client.get("/api/docs").get_json()["documents"]}
    assert SECRET.encode() in client.get("/api/briefs/1/export", query_string={"format": "md"}).data


def test_a_query_is_expanded_only_with_acronyms_its_asker_may_read_the_definition_of(built):
    searcher = Searcher(built.after, FakeEmbedder())
    try:
        public = searcher.search("ZRB", filters=Filters(collections=frozenset({"public"})))
        drafts = searcher.search("ZRB", filters=Filters(collections=frozenset({"public", "drafts"})))
        every = searcher.search("ZRB")
        finder = OwnersFinder(searcher, frozenset({"public"}))
    finally:
        searcher.close()
    assert not any("Zorblaxity" in expansion for expansion in public.expansions)
    assert any("Zorblaxity" in expansion for expansion in drafts.expansions)
    assert any("Zorblaxity" in expansion for expansion in every.expansions)
    assert "ZRB" not in {entry.canonical for entry in finder.glossary.entries}


# --- the permission matrix ----------------------------------------------------------------------------
# For each route, the status each viewer gets: open mode, reader in group A, reader in group B, editor, admin.
READS = {
    f"GET /doc/{SECRET_ID}": (200, 200, 404, 404, 200),
    f"GET /api/docs/{SECRET_ID}": (200, 200, 404, 404, 200),
    f"GET /doc/{SECRET_ID}/original": (200, 200, 404, 404, 200),
    f"GET /doc/{SECRET_ID}/page/1.png": (200, 200, 404, 404, 200),
    f"GET /doc/{RELATED_ID}": (200, 200, 200, 200, 200),
    f"GET /api/docs/{RELATED_ID}": (200, 200, 200, 200, 200),
    "GET /api/search?q=pension": (200, 200, 200, 200, 200),
    "GET /api/owners": (200, 200, 200, 200, 200),
    "GET /owners.csv": (200, 200, 200, 200, 200),
    "GET /api/docs": (200, 200, 200, 200, 200),
    "GET /api/briefs/1": (200, 200, 200, 200, 200),
    "GET /upload": (200, 200, 200, 200, 200),
}
CHANGES = {
    f"DELETE /api/docs/{SECRET_ID}": (200, 403, 403, 404, 200),
    f"DELETE /api/docs/{RELATED_ID}": (200, 403, 403, 200, 200),
    "POST /api/docs collection=public": (202, 403, 403, 202, 202),
    "POST /api/docs collection=drafts": (202, 403, 403, 400, 202),  # an editor outside the group: no such collection
    "POST /api/docs collection=nowhere": (400, 403, 403, 400, 400),
    "POST /api/briefs/1/items": (201, 201, 404, 404, 201),  # pinning the restricted document
}


@pytest.mark.parametrize("route", list(READS))
@pytest.mark.parametrize("name", list(VIEWERS))
def test_each_role_reads_what_its_collections_allow(built, route, name):
    method, path = route.split(" ", 1)
    response = _client(built.after, VIEWERS[name]).open(path, method=method)
    assert response.status_code == READS[route][list(VIEWERS).index(name)]


@pytest.mark.parametrize("route", list(CHANGES))
@pytest.mark.parametrize("name", list(VIEWERS))
def test_each_role_changes_only_what_it_may(built, tmp_path, route, name):
    config = _copy(built.after, tmp_path)
    if name == "open":
        _in_open_mode(config)
    client = _client(config, VIEWERS[name])
    expected = CHANGES[route][list(VIEWERS).index(name)]
    method, path = route.split(" ", 1)
    if method == "DELETE":
        response = client.delete(path, headers=AUTH)
    elif path.startswith("/api/docs"):
        collection = path.split("=")[1]
        data = {"file": (_note(), "note.txt"), "collection": collection}
        response = client.post("/api/docs", data=data, headers=AUTH, content_type="multipart/form-data")
    else:
        response = client.post(path, json={"doc_id": SECRET_ID, "start": 0, "end": 20})
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected == 202:
        job = _wait_for_job(client, response.get_json()["job"]["id"])
        assert job["state"] == "done" and job["collection"] == collection
        with Store(config.db_path, readonly=True) as store:
            assert store.collection_of(job["doc_id"]) == collection
            assert _audit(store)[-1] == ("document.upload", job["doc_id"], VIEWERS[name].name)
    if method == "DELETE" and expected == 200:
        with Store(config.db_path, readonly=True) as store:
            assert _audit(store)[-1] == ("document.remove", path.rsplit("/", 1)[1], VIEWERS[name].name)


def _note():
    import io

    return io.BytesIO(b"A note on pension funds for the secretariat.\n")


def _audit(store: Store) -> list[tuple]:
    return [tuple(row) for row in store.conn.execute("SELECT action, target, user_name FROM audit_log ORDER BY id")]


def test_the_upload_page_offers_the_collections_the_viewer_may_write_to(built, tmp_path):
    def offered(viewer: Viewer, config: Config = built.after) -> list[str]:
        page = _client(config, viewer).get("/upload").get_data(as_text=True)
        return re.findall(r'<option value="([^"]+)"', page) or re.findall(r'name="collection" value="([^"]+)"', page)

    assert offered(ADA) == offered(OPEN, _in_open_mode(_copy(built.after, tmp_path))) == ["drafts", "public"]
    assert offered(ERIN) == ["public"]  # an editor: the public collections and their own


def test_the_upload_form_files_the_document_in_the_chosen_collection_and_removal_is_audited(built, tmp_path):
    config = _copy(built.after, tmp_path)
    client = _client(config, ADA)
    csrf = csrf_of(client, "/upload")
    form = {"file": (_note(), "note.txt"), "collection": "drafts", "token": TOKEN, "csrf": csrf}
    sent = client.post("/upload", data=form, content_type="multipart/form-data")
    assert sent.status_code == 303
    job = _wait_for_job(client, sent.headers["Location"].rsplit("/", 1)[1])
    assert job["state"] == "done" and job["collection"] == "drafts"
    removed = client.post(f"/doc/{job['doc_id']}/remove", data={"token": TOKEN, "csrf": csrf})
    assert removed.status_code == 303
    with Store(config.db_path, readonly=True) as store:
        assert _audit(store)[-2:] == [
            ("document.upload", job["doc_id"], "ada"),
            ("document.remove", job["doc_id"], "ada"),
        ]
        detail = store.conn.execute("SELECT detail FROM audit_log WHERE action = 'document.upload'").fetchone()[0]
    assert '"collection": "drafts"' in detail and '"file": "note.txt"' in detail


def test_a_reader_who_sends_the_upload_form_is_refused_and_nothing_is_kept(built, tmp_path):
    config = _copy(built.after, tmp_path)
    client = _client(config, ALICE)
    csrf = csrf_of(client, "/upload")
    form = {"file": (_note(), "note.txt"), "collection": "public", "token": TOKEN, "csrf": csrf}
    assert client.post("/upload", data=form, content_type="multipart/form-data").status_code == 403
    assert not (config.data_dir / "uploads").exists() or not any((config.data_dir / "uploads").iterdir())
