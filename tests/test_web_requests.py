"""Malformed, oversized and hostile requests through Flask's test client: a 400 (or a 404) that says why, in the API's
error shape or on a page, never a 500; limits on every text a request stores; no server path in what the API shows."""

from __future__ import annotations

import dataclasses
import io
import re
import time

import pytest
from builders import csrf_of
from conftest import ADMIN_TOKEN as TOKEN

from policykb.limits import BRIEF_INTRO, BRIEF_TITLE, HEADING, NOTE, TEXT_CHARS
from policykb.web import create_app

RESOLUTION = "004_6608ed9db748e12c"
PAST_SQLITE = 2**63  # one more than SQLite's largest INTEGER
HUGE = "9" * 5000  # more digits than int() converts


def _api_error(response, status: int) -> str:
    """The message of an error in the API's one shape, after checking the shape and the status."""
    data = response.get_json()
    assert response.status_code == status and data == {"ok": False, "error": data["error"], "status": status}, data
    return data["error"]


def _brief_id(client) -> int:
    return client.post("/api/briefs", json={"title": "Reform"}).get_json()["id"]


# --- whole numbers and ids ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/?q=social&page=%C2%B2",
        f"/?q=social&page={HUGE}",
        f"/?q=social&page={PAST_SQLITE}",
        f"/owners?page={HUGE}",
        f"/owners?page={PAST_SQLITE}",
        f"/doc/{RESOLUTION}?start={HUGE}&end={HUGE}&chunk={HUGE}",
        f"/doc/{RESOLUTION}?start=0&end=50&chunk={PAST_SQLITE}",
        f"/docs?q={HUGE}",
    ],
)
def test_odd_numbers_in_a_pages_address_are_a_400_page_or_ignored_never_a_500(client, path):
    response = client.get(path)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert 'role="alert"' in response.get_data(as_text=True)  # a page of the site that says why


@pytest.mark.parametrize(
    "path, message",
    [
        (f"/api/search?q=social&page={PAST_SQLITE}", "parameter 'page' must be between 1 and 1000000"),
        ("/api/search?q=social&page=%C2%B2", "parameter 'page' must be a whole number"),
        ("/api/search?q=social&k=1_0", "parameter 'k' must be a whole number"),
        (f"/api/search?q=social&page={HUGE}", "parameter 'page' is 5,000 characters long, over the limit of 1,000"),
        (f"/api/owners?page={'9' * 30}", "parameter 'page' must be between 1 and 1000000, got a number of 30 digits"),
    ],
)
def test_odd_numbers_in_an_api_query_are_a_400_in_the_error_shape(client, path, message):
    assert message in _api_error(client.get(path), 400)


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", f"/api/briefs/{PAST_SQLITE}"),
        ("patch", f"/api/briefs/1/items/{PAST_SQLITE}"),
        ("delete", f"/api/briefs/{PAST_SQLITE}/items/1"),
        ("get", f"/api/briefs/{HUGE}"),
    ],
)
def test_brief_and_item_ids_past_sqlites_range_in_an_api_address_are_a_404_in_the_error_shape(client, method, path):
    _brief_id(client)
    message = _api_error(getattr(client, method)(path, json={"note": "N"}), 404)
    assert f"an id in the address must be between 1 and {PAST_SQLITE - 1}" in message


def test_brief_ids_past_sqlites_range_in_a_pages_address_are_a_404(client):
    assert client.get(f"/briefs/{PAST_SQLITE}").status_code == 404
    assert client.post(f"/briefs/{PAST_SQLITE}/delete", data={"csrf": csrf_of(client, "/briefs")}).status_code == 404
    largest = client.get(f"/briefs/{PAST_SQLITE - 1}")  # in range: the brief page's own answer
    assert largest.status_code == 404 and f"no brief {PAST_SQLITE - 1}" in largest.get_data(as_text=True)


def test_an_unknown_document_or_address_and_a_wrong_method_are_said_on_the_sites_own_page(client):
    for path in (f"/doc/{RESOLUTION}x", "/no/such/page"):
        missing = client.get(path)
        page = missing.get_data(as_text=True)
        assert missing.status_code == 404 and "<h1>Not found</h1>" in page and 'nav aria-label="Main"' in page, path
    assert f"no document &#39;{RESOLUTION}x&#39;" in client.get(f"/doc/{RESOLUTION}x").get_data(as_text=True)
    wrong = client.put("/docs")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]  # what HTTP asks of a 405, kept
    assert 'role="alert"' in wrong.get_data(as_text=True)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"chunk_id": PAST_SQLITE}, f"'chunk_id' must be between 1 and {PAST_SQLITE - 1}"),
        ({"chunk_id": 2**70}, "'chunk_id' must be between 1 and"),
        ({"chunk_id": 0}, "'chunk_id' must be between 1 and"),
        ({"chunk_id": "7"}, "'chunk_id' must be a whole number, got \"7\""),
        ({"doc_id": RESOLUTION, "start": 0, "end": PAST_SQLITE}, "'end' must be between 0 and"),
        ({"doc_id": RESOLUTION, "start": -1, "end": 5}, "'start' must be between 0 and"),
    ],
)
def test_ids_and_offsets_in_a_json_body_past_their_range_are_a_400_naming_the_field(client, body, message):
    response = client.post(f"/api/briefs/{_brief_id(client)}/items", json=body)
    assert message in _api_error(response, 400)


@pytest.mark.parametrize("choice", [str(PAST_SQLITE), HUGE[:40], "²", "-1"])
def test_a_pin_to_a_brief_id_that_cannot_exist_is_a_400_page(client, choice):
    response = client.post(
        "/briefs/pin",
        data={"csrf": csrf_of(client, "/briefs"), "doc_id": RESOLUTION, "start": "0", "end": "9", "brief": choice},
    )
    assert response.status_code == 400 and "the brief to pin to" in response.get_data(as_text=True)


# --- characters no text can carry -----------------------------------------------------------------
@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/briefs", {"title": "Reform \ud800"}, "'title'"),
        ("/api/briefs", {"title": "Reform", "intro": "\udfff intro"}, "'intro'"),
        ("/api/briefs", {"title": "Reform\x00"}, "'title'"),
        ("/api/briefs", {"title": "Reform\x0b"}, "'title'"),
        ("/api/briefs", {"title": "Reform", "\ud800": 1}, "the JSON field '\\ud800'"),
        ("/api/briefs/{id}/items", {"heading": "H\ud83d"}, "'heading'"),
        ("/api/briefs/{id}/items", {"doc_id": RESOLUTION, "start": 0, "end": 9, "note": "\udc00"}, "'note'"),
    ],
)
def test_lone_surrogates_and_control_characters_in_json_are_a_400_naming_the_field(client, path, body, field):
    path = path.format(id=_brief_id(client))
    message = _api_error(client.post(path, json=body), 400)
    assert field in message and "which text cannot carry" in message
    assert [b["title"] for b in client.get("/api/briefs").get_json()["briefs"]] == ["Reform"]  # nothing stored


def test_text_in_any_language_with_tabs_and_line_breaks_is_taken(client):
    response = client.post("/api/briefs", json={"title": "Bảo hiểm xã hội 社会保险 🛡", "intro": "a\tb\r\nc"})
    assert response.status_code == 201 and response.get_json()["title"] == "Bảo hiểm xã hội 社会保险 🛡"


@pytest.mark.parametrize("path", ["/", "/api/search", "/owners", "/briefs", "/api/briefs"])
def test_a_query_string_that_is_not_utf8_is_a_400_never_a_500(client, path):
    raw = {"QUERY_STRING": b"q=\xed\xa0\x80".decode("latin-1")}  # the bytes of a lone surrogate, not percent-encoded
    response = client.get(path, environ_overrides=raw)
    assert response.status_code == 400 and "not UTF-8" in response.get_data(as_text=True)


def test_control_characters_in_a_query_parameter_are_a_400(client):
    assert "U+0000" in _api_error(client.get("/api/search", query_string={"q": "social\x00"}), 400)
    page = client.get("/", query_string={"q": "social\x01"})
    assert page.status_code == 400 and "U+0001" in page.get_data(as_text=True)


def test_a_json_body_nested_too_deeply_is_a_400(client):
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/briefs", data=deep, content_type="application/json")
    assert "nested too deeply" in _api_error(response, 400)


# --- limits on stored text ------------------------------------------------------------------------
@pytest.mark.parametrize("limit", [BRIEF_TITLE, BRIEF_INTRO])
def test_api_refuses_a_brief_text_over_its_limit_naming_the_field_and_the_limit(client, limit):
    body = {"title": "Reform", limit.field: "x" * (limit.chars + 1)}
    message = _api_error(client.post("/api/briefs", json=body), 400)
    assert f"'{limit.field}'" in message and f"over the limit of {limit.chars:,}" in message
    assert client.post("/api/briefs", json={**body, limit.field: "x" * limit.chars}).status_code == 201


def test_api_refuses_notes_and_headings_over_their_limits(client):
    brief_id = _brief_id(client)
    too_long_note = {"doc_id": RESOLUTION, "start": 0, "end": 9, "note": "n" * (NOTE.chars + 1)}
    assert "'note'" in _api_error(client.post(f"/api/briefs/{brief_id}/items", json=too_long_note), 400)
    long_heading = {"heading": "h" * (HEADING.chars + 1)}
    assert "'heading'" in _api_error(client.post(f"/api/briefs/{brief_id}/items", json=long_heading), 400)
    item = client.post(f"/api/briefs/{brief_id}/items", json={"heading": "H"}).get_json()["item"]
    response = client.patch(f"/api/briefs/{brief_id}/items/{item['id']}", json=long_heading)
    assert "'heading'" in _api_error(response, 400)


def test_brief_forms_refuse_text_over_its_limit_with_a_page_that_says_so_and_carry_maxlength(client):
    response = client.post("/briefs", data={"csrf": csrf_of(client, "/briefs"), "title": "t" * (BRIEF_TITLE.chars + 1)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and f"over the limit of {BRIEF_TITLE.chars:,}" in page
    brief_id = _brief_id(client)
    client.post(f"/api/briefs/{brief_id}/items", json={"doc_id": RESOLUTION, "start": 0, "end": 9})
    form = client.get(f"/briefs/{brief_id}").get_data(as_text=True)
    for name, chars in (("title", BRIEF_TITLE.chars), ("intro", BRIEF_INTRO.chars), ("note", NOTE.chars)):
        assert re.search(rf'name="{name}"[^>]*maxlength="{chars}"', form), name
    assert re.search(rf'name="heading"[^>]*maxlength="{HEADING.chars}"', form)


def test_a_pin_from_a_long_query_makes_a_brief_whose_title_is_cut_to_the_limit(client):
    query = "social protection " + "word " * 150
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    new_title = re.search(r'name="new_title" value="([^"]*)"', page).group(1)
    assert 0 < len(new_title) <= BRIEF_TITLE.chars
    response = client.post(
        "/briefs/pin",
        data={
            "csrf": csrf_of(client, "/briefs"),
            "doc_id": RESOLUTION,
            "start": "0",
            "end": "9",
            "new_title": query[:900],
        },
    )
    assert response.status_code == 303
    [brief] = client.get("/api/briefs").get_json()["briefs"]
    assert len(brief["title"]) <= BRIEF_TITLE.chars and brief["title"].startswith("social protection word")


def test_a_search_query_over_the_limit_is_a_400_that_says_so(client):
    message = _api_error(client.get("/api/search", query_string={"q": "x" * (TEXT_CHARS + 1)}), 400)
    assert f"parameter 'q' is {TEXT_CHARS + 1:,} characters long, over the limit of {TEXT_CHARS:,}" in message
    page = client.get("/", query_string={"q": "q" * 100_000})
    assert page.status_code == 400 and "over the limit" in page.get_data(as_text=True)
    assert len(page.data) < 10_000  # the refused query is not shown back


def test_the_search_page_repeats_a_query_at_its_limit_a_bounded_number_of_times(client):
    query = "social protection " + "z" * (TEXT_CHARS - 18)
    response = client.get("/", query_string={"q": query})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'rel="next"' in page
    # The title, the search box, each facet link, each pin's way back and the page links: never a hundred.
    assert page.count("z" * (TEXT_CHARS - 18)) <= 45 and len(page) < 120_000


# --- what the API says of sizes and files ---------------------------------------------------------
def test_api_upload_over_the_size_limit_names_the_limit_in_the_error_shape(fake_index):
    app = create_app(config=dataclasses.replace(fake_index, admin_token=TOKEN, max_file_bytes=1024))
    response = app.test_client().post(
        "/api/docs",
        headers={"Authorization": f"Bearer {TOKEN}"},
        data={"file": (io.BytesIO(b"x" * 200_000), "big.txt")},
    )
    message = _api_error(response, 413)
    assert "over the 1 KB limit" in message and "POLICYKB_MAX_FILE_MB" in message


def test_api_shows_where_a_document_came_from_without_the_servers_paths(client, fake_index):
    server_paths = (str(fake_index.data_dir.parent.resolve()), str(fake_index.data_dir.parent))  # data/ and corpus/
    listing = client.get("/api/docs")
    document = client.get(f"/api/docs/{RESOLUTION}")
    search = client.get("/api/search", query_string={"q": "Resolution 68"})
    for response in (listing, document, search):
        assert not any(path in response.get_data(as_text=True) for path in server_paths)
    assert document.get_json()["source"] == f"{RESOLUTION}.txt"
    assert {doc["source"] for doc in listing.get_json()["documents"]} >= {f"{RESOLUTION}.txt"}
    assert all(not hit["source"].startswith("/") for hit in search.get_json()["hits"])
    assert not any(path in client.get(f"/doc/{RESOLUTION}").get_data(as_text=True) for path in server_paths)


def test_api_shows_an_uploaded_documents_source_as_the_name_it_was_uploaded_with(client, fake_index):
    text = b"Walrus budget note\n\nThe walrusbudget line funds social workers."
    response = client.post(
        "/api/docs", headers={"X-Admin-Token": TOKEN}, data={"file": (io.BytesIO(text), "walrus-note.txt")}
    )
    job_url = response.get_json()["status_url"]
    for _ in range(600):
        job = client.get(job_url).get_json()["job"]
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["state"] == "done", job
    document = client.get(f"/api/docs/{job['doc_id']}").get_json()
    assert document["source"] == "walrus-note.txt"
