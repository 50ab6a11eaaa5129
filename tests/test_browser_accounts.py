"""The pages of a server with accounts in a real browser (Chromium, as tests/test_browser.py): signing in and out, the
account page (tokens, password), the admin pages (users, groups, collections, audit log), an upload to a restricted
collection that only its group then finds, and a document's Edit details form."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

import pytest
from live_server import live_server
from test_browser import browser  # noqa: F401 (the shared Chromium fixture)

from policykb.access.collections import save
from policykb.accounts import manage
from policykb.accounts.viewers import command_line_viewer
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.web import create_app

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def signed_url(tmp_path_factory) -> Iterator[str]:
    """The bundled corpus with accounts, served: readers rita (no group), sam and pat (secretariat), the admin ada,
    and the editor eddie (secretariat), who owns the collection "drafts" that only the secretariat reads."""
    root = tmp_path_factory.mktemp("browser-accounts")
    shutil.copytree(DEFAULT_CORPUS_DIR, root / "corpus")
    config = Config.from_env(data_dir=root / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([root / "corpus"]).errors
    operator = command_line_viewer()
    with Store(config.db_path) as store:
        manage.add_user(store, operator, "rita", "reader", PASSWORD)
        manage.add_group(store, operator, "secretariat")
        manage.add_user(store, operator, "ada", "admin", PASSWORD)
        manage.add_user(store, operator, "sam", "reader", PASSWORD, ["secretariat"])
        manage.add_user(store, operator, "pat", "reader", PASSWORD, ["secretariat"])
        eddie = manage.add_user(store, operator, "eddie", "editor", PASSWORD, ["secretariat"]).user
        save(store, operator, "drafts", False, ["secretariat"], owner_id=eddie.id)
    with live_server(create_app(config=config)) as url:
        yield url


@contextmanager
def _browser_page(chromium, url: str):
    """A page in a browser context of its own: its own cookies, so its own person."""
    context = chromium.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, signed_url):  # noqa: F811
    with _browser_page(browser, signed_url) as page:
        yield page


@pytest.fixture
def another_page(browser, signed_url):  # noqa: F811
    """Opens a page for another person: `with another_page() as page`, a browser context of its own (own cookies)."""
    return lambda: _browser_page(browser, signed_url)


@contextmanager
def _signed_in_as(another_page, name: str):
    """Another person, signed in on a page of their own."""
    with another_page() as page:
        page.goto("/login")
        _sign_in(page, name=name)
        assert urlsplit(page.url).path == "/", f"{name} could not sign in"
        yield page


def _sign_in(page, password: str = PASSWORD, name: str = "rita") -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("form.login button[type=submit]")
    page.wait_for_load_state("load")


def test_a_page_asks_to_sign_in_then_comes_back_signed_in_and_signing_out_ends_it(page):
    page.goto("/docs?sort=date")
    assert urlsplit(page.url).path == "/login"
    _sign_in(page)
    assert urlsplit(page.url).path == "/docs" and "sort=date" in page.url
    assert page.locator("header nav").get_by_text("rita").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    page.goto("/docs")
    assert urlsplit(page.url).path == "/login"
    assert not page.problems, page.problems


def test_a_wrong_password_is_said_on_the_sign_in_page(page):
    page.goto("/login")
    _sign_in(page, "not the password at all")
    assert "wrong name or password" in page.locator("p.notice").inner_text()


def test_the_account_page_makes_a_token_shown_once_and_revokes_it(page):
    page.goto("/login?next=/account")
    _sign_in(page)
    page.fill("input[name=label]", "nightly")
    page.get_by_role("button", name="Make a token").click()
    page.wait_for_load_state("load")
    token = page.locator("code.new-token").inner_text()
    assert token.startswith("pkb_")
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state("load")
    assert "revoked" in page.locator("table.tokens").inner_text() and page.locator("code.new-token").count() == 0
    assert not page.problems, page.problems


def test_an_admin_makes_a_restricted_collection_and_finds_it_in_the_audit_log(page):
    page.goto("/login?next=/admin/collections")
    _sign_in(page, name="ada")
    assert urlsplit(page.url).path == "/admin/collections"
    new = page.locator("form", has=page.get_by_role("button", name="Create"))
    new.locator("input[name=name]").fill("minutes")
    new.get_by_label("secretariat").check()
    new.get_by_role("button", name="Create").click()
    page.wait_for_load_state("load")
    assert "created collection minutes: readable by groups secretariat" in page.locator("p.notice").inner_text()
    row = page.locator("table.collections tr", has_text="minutes")
    assert "groups: secretariat" in row.inner_text()
    page.get_by_role("link", name="Audit log").first.click()
    page.wait_for_load_state("load")
    latest = page.locator("table.audit tbody tr").first.inner_text()
    assert "collection.create" in latest and "minutes" in latest and "ada" in latest
    assert not page.problems, page.problems


def _search(page, query: str, mode: str = "hybrid"):
    """The hits of a search for `query`."""
    page.goto(f"/?q={quote(query)}&mode={mode}")
    return page.locator("article.hit")


def _hit_paths(hits) -> set[str]:
    return {urlsplit(link.get_attribute("href")).path for link in hits.locator("h2 a").all()}


def test_an_upload_to_a_restricted_collection_is_shown_with_it_and_only_to_its_group(page, another_page, tmp_path):
    note = tmp_path / "draft-minutes.txt"
    note.write_text("Draft minutes on wombatdraft\n\nThe wombatdraft levy is not yet released.\n", encoding="utf-8")
    page.goto("/login?next=/upload")
    _sign_in(page, name="eddie")
    page.set_input_files("input[name=file]", str(note))
    page.get_by_label("Collection (who may read it)").select_option("drafts")
    page.click("form.upload button[type=submit]")
    page.locator(".job-state", has_text="Indexed.").wait_for(timeout=20_000)
    doc_path = page.locator(".job-done a", has_text="Open the document").get_attribute("href")
    page.goto(doc_path)
    assert page.locator("dd.collection").inner_text() == "drafts"
    hits = _search(page, "wombatdraft")
    assert urlsplit(hits.first.locator("h2 a").get_attribute("href")).path == doc_path
    assert hits.first.locator(".meta .collection").inner_text() == "drafts"
    assert not page.problems, page.problems

    with _signed_in_as(another_page, "rita") as outsider:
        hits = _search(outsider, "wombatdraft")  # the semantic half still brings the nearest public passages
        assert doc_path not in _hit_paths(hits) and "wombatdraft" not in " ".join(hits.all_inner_texts())
        assert _search(outsider, "wombatdraft", "keyword").count() == 0
        assert outsider.locator("p.summary").inner_text().startswith("0 passages")
        assert outsider.goto(doc_path).status == 404
        assert outsider.locator("main h1").inner_text() == "Not found"
        assert outsider.locator("header nav").get_by_text("rita").is_visible()  # the site's page, still signed in
    with _signed_in_as(another_page, "sam") as member:
        hits = _search(member, "wombatdraft")
        assert urlsplit(hits.first.locator("h2 a").get_attribute("href")).path == doc_path
        assert member.goto(doc_path).status == 200


def _user_row(page, name: str):
    return page.locator("table.users tbody tr").filter(has=page.get_by_role("cell", name=name, exact=True))


def test_an_admin_adds_a_user_and_a_group_joins_them_changes_the_role_and_disables_the_user(page, another_page):
    page.goto("/login?next=/admin/users")
    _sign_in(page, name="ada")
    new = page.locator("form", has=page.get_by_role("button", name="Add user"))
    new.get_by_label("Name").fill("nina")
    new.get_by_label("Role").select_option("editor")
    new.get_by_label("Password").fill(PASSWORD)
    new.get_by_role("button", name="Add user").click()
    page.wait_for_load_state("load")
    assert page.locator("p.notice").inner_text() == "added nina (editor)"
    assert page.get_by_label("Role of nina").input_value() == "editor"

    page.get_by_role("link", name="Groups").first.click()
    page.get_by_label("Name").fill("council")
    page.get_by_role("button", name="Add group").click()
    page.wait_for_load_state("load")
    assert page.locator("p.notice").inner_text() == "added group council"
    assert "council — 0 user(s)" in page.locator("ul.groups").inner_text()

    page.get_by_role("link", name="Users").first.click()
    page.get_by_label("Add nina to a group").select_option("council")
    _user_row(page, "nina").get_by_role("button", name="Add").click()
    page.wait_for_load_state("load")
    assert "council" in _user_row(page, "nina").locator("td").nth(2).inner_text()
    page.get_by_label("Role of nina").select_option("reader")
    _user_row(page, "nina").get_by_role("button", name="Set", exact=True).click()
    page.wait_for_load_state("load")
    assert page.get_by_label("Role of nina").input_value() == "reader"
    _user_row(page, "nina").get_by_role("button", name="Disable").click()
    page.wait_for_load_state("load")
    state = _user_row(page, "nina").locator("td").nth(3)
    assert "disabled" in state.inner_text() and state.get_by_role("button", name="Enable").count() == 1
    page.goto("/admin/groups")
    assert "council — 1 user(s)" in page.locator("ul.groups").inner_text()
    assert not page.problems, page.problems

    with another_page() as refused:
        refused.goto("/login")
        _sign_in(refused, name="nina")
        assert urlsplit(refused.url).path == "/login"
        assert "wrong name or password" in refused.locator("p.notice").inner_text()


def test_an_editor_changes_a_title_and_date_in_edit_details_and_a_reader_has_no_such_form(page, another_page):
    with _signed_in_as(another_page, "rita") as reader:
        reader.goto("/docs")
        doc_path = urlsplit(reader.locator("main table a[href^='/doc/']").first.get_attribute("href")).path
        reader.goto(doc_path)
        assert reader.locator("dd.collection").inner_text() == "public"
        assert reader.locator("details.edit-details").count() == 0 and reader.get_by_text("Edit details").count() == 0

        page.goto("/login")
        _sign_in(page, name="eddie")
        page.goto(doc_path)
        page.get_by_text("Edit details").click()
        form = page.locator("form.edit-details")
        form.get_by_label("Title").fill("Retitled in the browser")
        form.get_by_label("Date (YYYY-MM-DD, YYYY-MM or YYYY; empty: none)").fill("2019-03-04")
        form.get_by_role("button", name="Save details").click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == doc_path
        assert page.locator("article.document h1").inner_text() == "Retitled in the browser"
        assert _date_shown(page) == "4 March 2019"
        assert not page.problems, page.problems

        reader.reload()
        assert reader.locator("article.document h1").inner_text() == "Retitled in the browser"
        assert _date_shown(reader) == "4 March 2019"


def _date_shown(page) -> str:
    return page.locator("dl.docmeta dt", has_text="Date").locator("xpath=following-sibling::dd[1]").inner_text()


def test_the_account_page_changes_the_password_and_only_the_new_one_signs_in(page, another_page):
    new_password = "staple battery horse"
    page.goto("/login?next=/account")
    _sign_in(page, name="pat")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password again").fill(new_password)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state("load")
    assert page.locator("p.notice").inner_text().startswith("password changed")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    assert not page.problems, page.problems

    page.goto("/login")
    _sign_in(page, PASSWORD, name="pat")
    assert "wrong name or password" in page.locator("p.notice").inner_text()
    _sign_in(page, new_password, name="pat")
    assert urlsplit(page.url).path == "/"
    assert page.locator("header nav").get_by_text("pat").is_visible()
