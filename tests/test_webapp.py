"""The minimal web app: search page and JSON API over the shared Searcher."""

from __future__ import annotations

import pytest

from policykb.index.embedder import make_embedder
from policykb.webapp import create_app


@pytest.fixture
def app(fake_index):
    make_embedder("fake")
    return create_app(config=fake_index)


@pytest.fixture
def client(app):
    return app.test_client()


def test_api_search_returns_cited_hits(client):
    response = client.get("/api/search", query_string={"q": "Resolution 68", "k": 3})
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True and len(data["hits"]) == 3
    assert data["hits"][0]["doc_id"] == "004_6608ed9db748e12c"


@pytest.mark.parametrize("query, message", [
    ({}, "parameter 'q' is required"),
    ({"q": "x", "mode": "magic"}, "parameter 'mode'"),
    ({"q": "x", "k": "ten"}, "parameter 'k' must be a whole number"),
    ({"q": "x", "year": "20x4"}, "parameter 'year'"),
])
def test_api_errors_share_one_shape(client, query, message):
    response = client.get("/api/search", query_string=query)
    assert response.status_code == 400
    data = response.get_json()
    assert data["ok"] is False and data["status"] == 400 and message in data["error"]


def test_api_reports_an_empty_index_as_503(tmp_path):
    from policykb.config import Config

    app = create_app(config=Config.from_env(data_dir=tmp_path / "empty", embedder="fake"))
    response = app.test_client().get("/api/search", query_string={"q": "x"})
    assert response.status_code == 503
    assert "policykb ingest corpus/" in response.get_json()["error"]
    assert app.test_client().get("/api/health").status_code == 503


def test_unknown_api_route_uses_the_error_shape(client):
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.get_json()["ok"] is False and response.get_json()["status"] == 404


def test_search_page_escapes_the_query_and_shows_citations(client):
    page = client.get("/", query_string={"q": "<script>alert(1)</script> partnership group"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "000_0b935866529ff4c2" in page


def test_app_picks_up_a_new_index_generation_without_restart(app, client, fake_index, tmp_path):
    from policykb.index.embedder import FakeEmbedder
    from policykb.index.indexer import Indexer

    before = client.get("/api/health").get_json()["generation"]
    extra = tmp_path / "extra.txt"
    extra.write_text("Zebra crossing safety programme for schoolchildren in Hanoi.", encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([extra])
    assert client.get("/api/health").get_json()["generation"] == before + 1
    hits = client.get("/api/search", query_string={"q": "zebra crossing"}).get_json()["hits"]
    assert hits[0]["doc_id"] == "extra"
