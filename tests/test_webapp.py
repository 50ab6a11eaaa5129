"""The web app through Flask's test client: every page and API route, their errors, and the security rules."""

from __future__ import annotations

import ast
import dataclasses
import html
import io
import re
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from builders import csrf_of, docx_bomb
from conftest import ADMIN_TOKEN as TOKEN
from flask import url_for

from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.web import create_app
from policykb.web.upload_names import MAX_NAME_BYTES, safe_file_name

RESOLUTION = "004_6608ed9db748e12c"
TEMPLATES = Path(__file__).resolve().parents[1] / "policykb" / "web" / "templates"


def _wait_for_job(client, job_id: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").get_json()["job"]
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("the upload job did not finish")


# --- search page ------------------------------------------------------------------------------
def test_search_page_shows_cited_passages_with_highlights_and_cite_line(client):
    page = client.get("/", query_string={"q": "who coordinates the partnership group"}).get_data(as_text=True)
    assert page.count('<article class="hit"') == 10
    assert "<mark>" in page and "partnership" in page
    assert 'class="cite-text"' in page and "§" in page
    assert re.search(r'href="/doc/[\w-]+\?start=\d+&amp;end=\d+&amp;chunk=\d+#passage"', page)
    assert re.search(r"\d+ passages · \d+ ms", page)


def test_search_page_without_a_query_is_a_welcome_page(client):
    page = client.get("/").get_data(as_text=True)
    assert "Search 5 documents" in page and "Try:" in page


def test_search_with_no_results_explains_what_to_try(client):
    response = client.get("/", query_string={"q": "partnership", "type": "resolution"})
    assert response.status_code == 200
    assert "No passage matches" in response.get_data(as_text=True)


def test_search_page_on_an_empty_index_says_how_to_fill_it(tmp_path):
    app = create_app(config=Config.from_env(data_dir=tmp_path / "empty", embedder="fake"))
    response = app.test_client().get("/", query_string={"q": "anything"})
    assert response.status_code == 200
    assert "policykb ingest corpus/" in response.get_data(as_text=True)


def test_search_page_facets_link_to_filtered_results(client):
    page = client.get("/", query_string={"q": "social protection"}).get_data(as_text=True)
    assert 'data-facet="type"' in page and 'data-facet="agency"' in page
    filtered = client.get("/", query_string={"q": "social protection", "type": "news"}).get_data(as_text=True)
    types = re.findall(r'<span class="type">(\w+)</span>', filtered)
    assert types and set(types) == {"news"}
    assert 'class="chip"' in filtered


def test_agency_facet_filters_passages_that_mention_the_agency(client):
    data = client.get("/api/search", query_string={"q": "social assistance", "agency": "FAO", "k": 20}).get_json()
    assert data["hits"] and all("FAO" in hit["text"] or "Food and Agriculture" in hit["text"] for hit in data["hits"])


def test_search_page_paginates(client):
    first = client.get("/", query_string={"q": "social"}).get_data(as_text=True)
    assert 'rel="next"' in first
    second = client.get("/", query_string={"q": "social", "page": 2}).get_data(as_text=True)
    assert "Page 2 of" in second and 'rel="prev"' in second


def test_search_page_rejects_a_bad_mode_or_page_in_plain_words(client):
    assert client.get("/", query_string={"q": "x", "mode": "magic"}).status_code == 400
    assert client.get("/", query_string={"q": "x", "page": "abc"}).status_code == 400


def test_odd_numbers_in_links_are_a_plain_400_or_ignored_never_a_crash(client):
    assert client.get("/", query_string={"q": "social", "page": "²"}).status_code == 400
    assert client.get(f"/doc/{RESOLUTION}", query_string={"start": "²", "end": "x", "chunk": "-3"}).status_code == 200
    assert client.get("/owners", query_string={"page": "²"}).status_code == 200
    response = client.post(
        "/briefs/pin", data={"csrf": csrf_of(client, "/upload"), "doc_id": RESOLUTION, "start": "--5", "end": "9"}
    )
    assert response.status_code == 400 and "the form field &#39;start&#39; must be a whole number" in response.get_data(
        as_text=True
    )


# --- document pages ---------------------------------------------------------------------------
def test_document_page_marks_the_cited_span(client):
    hit = client.get("/api/search", query_string={"q": "Resolution 68"}).get_json()["hits"][0]
    page = client.get(f"/doc/{hit['doc_id']}", query_string={"start": hit["start"], "end": hit["end"]}).get_data(
        as_text=True
    )
    marked = re.search(r'<mark class="passage" id="passage">(.*?)</mark>', page, re.S).group(1)
    assert hit["text"].startswith(marked.replace("&#39;", "'").replace("&#34;", '"')[:40])
    assert "Flexible, diverse and universal social insurance system" in page  # the whole text is there


def test_document_page_shows_metadata_headings_and_related_documents(client, fake_index, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("A note on Resolution No 42-NQ/TW and social policy reform in the new era.", encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([other])
    page = client.get(f"/doc/{RESOLUTION}").get_data(as_text=True)
    assert "68/NQ-CP, 42-NQ/TW" in page
    assert '<h2 class="section' in page and "Improving State management capacity" in page
    assert 'href="/doc/other"' in page and "Shares document numbers with" in page


def test_document_page_links_to_the_original_file(client):
    page = client.get(f"/doc/{RESOLUTION}").get_data(as_text=True)
    assert f"/doc/{RESOLUTION}/original" in page
    original = client.get(f"/doc/{RESOLUTION}/original")
    assert original.status_code == 200 and b"Resolution No 68/NQ-CP" in original.data


@pytest.mark.parametrize(
    "path", ["/doc/nope", "/doc/..%2f..%2fetc%2fpasswd", "/doc/../../etc/passwd/original", "/doc/nope/original"]
)
def test_unknown_documents_and_traversal_attempts_are_404(client, path):
    assert client.get(path).status_code == 404


def test_documents_table_sorts_and_filters(client):
    page = client.get("/docs", query_string={"sort": "chunks", "order": "desc"}).get_data(as_text=True)
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', page)]
    assert len(counts) == 5 and counts == sorted(counts, reverse=True)
    news = client.get("/docs", query_string={"type": "news"}).get_data(as_text=True)
    assert news.count("<tr><td>") == 2


# --- uploads and removal through the pages -----------------------------------------------------
def test_upload_page_is_off_without_an_operator_token(fake_index):
    app = create_app(config=dataclasses.replace(fake_index, admin_token=None))
    client = app.test_client()
    assert "Uploads are off" in client.get("/upload").get_data(as_text=True)
    token = _csrf_or_none(client)
    response = client.post("/upload", data={"csrf": token or "", "token": "x", "file": (io.BytesIO(b"hello"), "a.txt")})
    assert response.status_code in (400, 403)


def _csrf_or_none(client):
    with client.session_transaction() as session:
        session["csrf"] = "known"
    return "known"


def test_upload_form_needs_the_csrf_token(client):
    response = client.post("/upload", data={"token": TOKEN, "file": (io.BytesIO(b"hello world"), "a.txt")})
    assert response.status_code == 400


@pytest.mark.parametrize("token, status", [("", 401), ("wrong", 403)])
def test_upload_form_needs_the_right_admin_token(client, token, status):
    response = client.post(
        "/upload",
        data={"csrf": csrf_of(client, "/upload"), "token": token, "file": (io.BytesIO(b"hello world"), "a.txt")},
    )
    assert response.status_code == status


def test_upload_form_ingests_in_the_background_and_shows_progress(client):
    text = b"Zanzibar quokka programme\n\nThe zanzibarquokka programme supports social assistance for older people."
    response = client.post(
        "/upload", data={"csrf": csrf_of(client, "/upload"), "token": TOKEN, "file": (io.BytesIO(text), "quokka.txt")}
    )
    assert response.status_code == 303
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in job_page
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    job = _wait_for_job(client, job_id)
    assert job["state"] == "done" and job["doc_id"]
    assert "Open the document" in client.get(f"/upload/{job_id}").get_data(as_text=True)
    hits = client.get("/api/search", query_string={"q": "zanzibarquokka"}).get_json()["hits"]
    assert hits[0]["doc_id"] == job["doc_id"]


def test_ingest_reports_embedding_progress_that_moves_with_its_bar_off(fake_config, corpus_copy):
    seen: list[tuple[str, int, int]] = []
    with Indexer(fake_config, FakeEmbedder(), progress=False, on_progress=lambda *step: seen.append(step)) as indexer:
        indexer.ingest([corpus_copy])
    done = [count for stage, count, _ in seen if stage == "embedding"]
    total = seen[-1][2]
    assert total > 20 and len(set(done)) > 10 and done == sorted(done) and done[-1] == total
    read = [(count, files) for stage, count, files in seen if stage == "reading"]  # before any passage is embedded
    assert read and read[0] == (0, len(read)) and seen.index(("reading", *read[0])) == 0


def test_upload_job_counts_the_passages_it_embedded(client):
    text = "\n\n".join(f"Section {n}. The walrus fund pays {n} social workers in each district." * 8 for n in range(12))
    response = client.post(
        "/api/docs", headers={"X-Admin-Token": TOKEN}, data={"file": (io.BytesIO(text.encode()), "walrus.txt")}
    )
    job = _wait_for_job(client, response.get_json()["job"]["id"])
    assert job["state"] == "done" and job["stage"] == "embedding" and job["done"] == job["total"] > 1


def test_remove_button_needs_csrf_and_token_then_removes(client):
    csrf = csrf_of(client, "/upload")
    assert client.post(f"/doc/{RESOLUTION}/remove", data={"csrf": csrf}).status_code == 401
    response = client.post(f"/doc/{RESOLUTION}/remove", data={"csrf": csrf, "token": TOKEN})
    assert response.status_code == 303
    assert client.get(f"/doc/{RESOLUTION}").status_code == 404


# --- JSON API ---------------------------------------------------------------------------------
def test_api_search_returns_hits_and_facet_counts(client):
    data = client.get("/api/search", query_string={"q": "Resolution 68", "k": 3}).get_json()
    assert data["ok"] is True and len(data["hits"]) == 3 and data["hits"][0]["doc_id"] == RESOLUTION
    assert {"type", "year", "lang", "issuer", "agency"} <= set(data["facets"])
    assert sum(item["count"] for item in data["facets"]["type"]) == data["total"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({}, "parameter 'q' is required"),
        ({"q": "x", "mode": "magic"}, "parameter 'mode'"),
        ({"q": "x", "k": "ten"}, "parameter 'k' must be a whole number"),
        ({"q": "x", "k": "500"}, "parameter 'k' must be between 1 and 100"),
        ({"q": "x", "year": "20x4"}, "parameter 'year'"),
    ],
)
def test_api_bad_parameters_are_400_in_the_error_shape(client, query, message):
    response = client.get("/api/search", query_string=query)
    data = response.get_json()
    assert response.status_code == 400 and data == {"ok": False, "error": data["error"], "status": 400}
    assert message in data["error"]


def test_api_lists_and_shows_documents(client):
    docs = client.get("/api/docs").get_json()["documents"]
    assert len(docs) == 5
    doc = client.get(f"/api/docs/{RESOLUTION}").get_json()
    assert doc["ok"] and doc["doc_numbers"] == ["68/NQ-CP", "42-NQ/TW"] and "Flexible, diverse" in doc["text"]
    missing = client.get("/api/docs/nope")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404


@pytest.mark.parametrize("headers, status", [({}, 401), ({"Authorization": "Bearer wrong"}, 403)])
def test_api_upload_and_delete_need_the_token(client, headers, status):
    upload = client.post("/api/docs", headers=headers, data={"file": (io.BytesIO(b"hello"), "a.txt")})
    assert upload.status_code == status and upload.get_json()["status"] == status
    delete = client.delete(f"/api/docs/{RESOLUTION}", headers=headers)
    assert delete.status_code == status


@pytest.mark.parametrize(
    "name, content, status, message",
    [
        ("a.exe", b"MZ\x90\x00", 415, "unsupported file type .exe"),
        ("fake.pdf", b"just text pretending", 415, "the content is not a .pdf file"),
        ("fake.docx", b"not a zip at all", 415, "the content is not a .docx file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", 415, "the content is not a .txt file"),
    ],
)
def test_api_upload_checks_the_type_by_content(client, name, content, status, message):
    response = client.post(
        "/api/docs", headers={"Authorization": f"Bearer {TOKEN}"}, data={"file": (io.BytesIO(content), name)}
    )
    assert response.status_code == status and message in response.get_json()["error"]


def test_api_upload_over_the_size_limit_is_413(fake_index):
    app = create_app(config=dataclasses.replace(fake_index, admin_token=TOKEN, max_file_bytes=1024))
    response = app.test_client().post(
        "/api/docs",
        headers={"Authorization": f"Bearer {TOKEN}"},
        data={"file": (io.BytesIO(b"x" * 200_000), "big.txt")},
    )
    assert response.status_code == 413 and response.get_json()["status"] == 413


def test_api_upload_of_a_scanned_pdf_fails_with_a_plain_reason(client):
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
    response = client.post(
        "/api/docs", headers={"Authorization": f"Bearer {TOKEN}"}, data={"file": (io.BytesIO(pdf), "scan.pdf")}
    )
    assert response.status_code == 202
    job = _wait_for_job(client, response.get_json()["job"]["id"])
    assert job["state"] == "failed" and any(
        "OCR" in error or "no extractable text" in error or "malformed" in error for error in job["errors"]
    )


def test_api_upload_then_delete_round_trip(client):
    response = client.post(
        "/api/docs",
        headers={"X-Admin-Token": TOKEN},
        data={"file": (io.BytesIO(b"Walrus budget note\n\nThe walrusbudget line funds social workers."), "walrus.txt")},
    )
    assert response.status_code == 202
    job = _wait_for_job(client, response.get_json()["job"]["id"])
    assert job["state"] == "done"
    deleted = client.delete(f"/api/docs/{job['doc_id']}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert deleted.status_code == 200 and deleted.get_json()["removed"] == job["doc_id"]
    hits = client.get("/api/search", query_string={"q": "walrusbudget"}).get_json()["hits"]
    assert all(hit["doc_id"] != job["doc_id"] for hit in hits)
    assert client.delete(f"/api/docs/{job['doc_id']}", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def _upload(client, name: str, content: bytes) -> dict:
    response = client.post(
        "/api/docs", headers={"Authorization": f"Bearer {TOKEN}"}, data={"file": (io.BytesIO(content), name)}
    )
    assert response.status_code == 202, response.get_json()
    return _wait_for_job(client, response.get_json()["job"]["id"])


WALRUS = b"Walrus budget note\n\nThe walrusbudget line funds social workers in every province.\n"
LONG_NAME = "Nghị quyết về bảo hiểm xã hội " * 12 + ".txt"


@pytest.mark.parametrize("name", ["文件.txt", "Nghị quyết 68.txt", LONG_NAME], ids=["chinese", "vietnamese", "long"])
def test_upload_keeps_the_file_name_its_owner_gave_it(client, name):
    job = _upload(client, name, WALRUS)
    assert job["state"] == "done" and job["filename"] == name
    kept = safe_file_name(name)
    assert kept == name or (len(kept.encode()) <= MAX_NAME_BYTES and name.startswith(kept.removesuffix(".txt")))
    original = client.get(f"/doc/{job['doc_id']}/original")
    assert original.status_code == 200 and original.data == WALRUS
    assert f"filename*=UTF-8''{quote(kept)}" in original.headers["Content-Disposition"]
    assert f">{html.escape(kept)}</a>" in client.get(f"/doc/{job['doc_id']}").get_data(as_text=True)


@pytest.mark.parametrize(
    "sent, kept",
    [
        (
            "C:\\Users\\an\\Nghi\u0323 quye\u0302\u0301t 68.pdf",
            "Nghị quyết 68.pdf",
        ),  # a Windows path, decomposed accents
        ("../../etc/passwd.txt", "passwd.txt"),
        ("invoice\u202etxt.exe", "invoicetxt.exe"),  # a right-to-left override disguising the extension
        (".hidden.md", "hidden.md"),
        ("..", "upload"),
        ("x" * 300 + ".docx", "x" * (MAX_NAME_BYTES - 5) + ".docx"),
    ],
)
def test_an_uploaded_file_name_is_made_safe_to_keep_on_disk(sent, kept):
    assert safe_file_name(sent) == kept


def test_api_upload_of_a_zip_bomb_is_refused_at_once_and_leaves_no_file(fake_index):
    config = dataclasses.replace(fake_index, admin_token=TOKEN, max_inflated_bytes=2**20)
    response = (
        create_app(config=config)
        .test_client()
        .post(
            "/api/docs",
            headers={"Authorization": f"Bearer {TOKEN}"},
            data={"file": (io.BytesIO(docx_bomb(4 * 2**20)), "report.docx")},
        )
    )
    assert response.status_code == 413
    assert "over the 1 MB limit (a zip bomb?)" in response.get_json()["error"]
    assert not [path for path in (fake_index.data_dir / "uploads").rglob("*")]


def test_an_uploaded_html_original_is_a_download_never_a_page_of_the_site(client):
    page = (
        b"<html><body><article><h1>Pension note</h1><p>The pension note explains how contributions are counted for "
        b"workers in the informal sector and who pays them.</p><script>alert(document.cookie)</script></article>"
        b"</body></html>"
    )
    job = _upload(client, "note.html", page)
    assert job["state"] == "done", job
    original = client.get(f"/doc/{job['doc_id']}/original")
    assert original.headers["Content-Disposition"].startswith("attachment;")
    assert original.mimetype == "text/html" and original.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in original.headers["Content-Security-Policy"]


def test_an_original_is_typed_by_its_format_and_first_bytes_never_by_its_name(client, fake_index):
    with Store(fake_index.db_path, readonly=True) as store:
        source = Path(store.get_document(RESOLUTION).source)
    assert client.get(f"/doc/{RESOLUTION}/original").mimetype == "text/plain"
    source.write_bytes(b"%PDF-1.4\n" + bytes(64))  # the file changed into something else since it was read
    assert client.get(f"/doc/{RESOLUTION}/original").mimetype == "application/octet-stream"


@pytest.mark.parametrize(
    "url, linked",
    [("javascript:alert(document.cookie)", False), ("data:text/html,x", False), ("https://chinhphu.vn/68", True)],
)
def test_only_a_web_or_mail_address_stored_with_a_document_becomes_a_link(client, fake_index, url, linked):
    with sqlite3.connect(fake_index.db_path) as conn:  # an address stored before ingest checked them
        conn.execute("UPDATE documents SET url = ? WHERE id = ?", (url, RESOLUTION))
    page = client.get(f"/doc/{RESOLUTION}").get_data(as_text=True)
    assert (f'href="{url}"' in page) is linked and ("web page</a>" in page) is linked


def test_api_unknown_job_and_route_use_the_error_shape(client):
    for path in ("/api/jobs/nope", "/api/nope"):
        response = client.get(path)
        assert response.status_code == 404 and response.get_json()["ok"] is False


def test_api_reports_an_empty_index_as_503(tmp_path):
    app = create_app(config=Config.from_env(data_dir=tmp_path / "empty", embedder="fake"))
    response = app.test_client().get("/api/search", query_string={"q": "x"})
    assert response.status_code == 503 and "policykb ingest corpus/" in response.get_json()["error"]
    assert app.test_client().get("/api/health").status_code == 503


def test_api_health_and_openapi(client):
    health = client.get("/api/health").get_json()
    assert health["ok"] and health["chunks"] > 0
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/search", "/api/docs", "/api/docs/{doc_id}", "/api/health", "/api/openapi.json"} <= set(spec["paths"])
    for methods in spec["paths"].values():
        for method in methods:
            assert method in ("get", "post", "put", "patch", "delete")


def test_app_picks_up_a_new_index_generation_without_restart(client, fake_index, tmp_path):
    before = client.get("/api/health").get_json()["generation"]
    extra = tmp_path / "extra.txt"
    extra.write_text("Zebra crossing safety programme for schoolchildren in Hanoi.", encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([extra])
    assert client.get("/api/health").get_json()["generation"] == before + 1
    assert client.get("/api/search", query_string={"q": "zebra crossing"}).get_json()["hits"][0]["doc_id"] == "extra"


# --- security ---------------------------------------------------------------------------------
def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/docs", f"/doc/{RESOLUTION}", "/api/health", "/upload"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_every_form_post_of_the_pages_is_refused_without_the_csrf_token(app, client):
    """CSRF is checked once, before any view: every POST route outside the JSON API refuses a form without the token,
    or with another session's, before it changes anything."""
    with app.test_request_context():
        posts = [
            (rule.endpoint, url_for(rule.endpoint, **{name: 1 for name in rule.arguments}))
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and rule.endpoint.split(".")[0] not in ("api", "briefs_api")
        ]
    assert {"ui.upload_file", "ui.remove", "briefs.create", "briefs.pin", "briefs.repin_item"} <= {e for e, _ in posts}
    assert len(posts) >= 11
    for endpoint, path in posts:
        for form in ({"token": TOKEN}, {"token": TOKEN, "csrf": "from-another-site"}):
            response = client.post(path, data=form)
            assert response.status_code == 400, endpoint
            assert "the form has expired or did not come from this site" in response.get_data(as_text=True), endpoint
    assert client.get(f"/doc/{RESOLUTION}").status_code == 200


def test_the_blueprints_share_the_request_layer_and_never_import_each_other():
    blueprints = ("api", "ui", "briefs", "briefs_api")
    for name in blueprints:
        tree = ast.parse((TEMPLATES.parent / f"{name}.py").read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                module = ("policykb.web" + ("." + node.module if node.module else "")) if node.level else node.module
                imported |= {module} | {f"{module}.{alias.name}" for alias in node.names}
        assert not imported & {f"policykb.web.{other}" for other in blueprints}, name


def test_templates_have_no_inline_script_or_style_that_the_csp_would_block():
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), template.name
        assert (
            " style=" not in html
            and "<style" not in html
            and " on"
            not in re.sub(r"\bon\w*=\"\{\{", "", html).replace(" one", "").replace(" only", "").replace(" on ", "")
        ), template.name


def test_query_and_document_text_are_escaped(client, fake_index, tmp_path):
    payload = "<script>alert('x')</script>"
    evil = tmp_path / "evil.txt"
    evil.write_text(
        f"Evil note\n\nThis text holds {payload} inside a sentence about social protection.", encoding="utf-8"
    )
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        indexer.ingest([evil])
    search = client.get("/", query_string={"q": f"{payload} evil note"}).get_data(as_text=True)
    doc = client.get("/doc/evil").get_data(as_text=True)
    for page in (search, doc):
        assert payload not in page and "&lt;script&gt;" in page


def test_a_passage_spanning_a_heading_has_one_anchor(client):
    doc = client.get("/api/docs/000_0b935866529ff4c2").get_json()
    chunk = next(c for c in doc["chunks"] if c["section"].startswith("2. Justifications"))
    page = client.get(
        "/doc/000_0b935866529ff4c2", query_string={"start": chunk["start"], "end": chunk["end"]}
    ).get_data(as_text=True)
    assert page.count('id="passage"') == 1
    assert page.count('<mark class="passage"') == 2  # the heading line and the text below it


def test_upload_form_over_the_size_limit_says_so_in_plain_words(fake_index):
    app = create_app(config=dataclasses.replace(fake_index, admin_token=TOKEN, max_file_bytes=1024))
    client = app.test_client()
    response = client.post(
        "/upload",
        data={"csrf": csrf_of(client, "/upload"), "token": TOKEN, "file": (io.BytesIO(b"x" * 200_000), "big.txt")},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "the file is over the 1 KB limit" in page and "POLICYKB_MAX_FILE_MB" in page
