"""Signing in, the account page and signing out in a real browser (Chromium, as tests/test_browser.py), against a live
server whose data folder has accounts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from live_server import live_server
from test_browser import browser  # noqa: F401 (the shared Chromium fixture)

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
    """The bundled corpus with a reader account and an admin account, served."""
    root = tmp_path_factory.mktemp("browser-accounts")
    shutil.copytree(DEFAULT_CORPUS_DIR, root / "corpus")
    config = Config.from_env(data_dir=root / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([root / "corpus"]).errors
    with Store(config.db_path) as store:
        manage.add_user(store, command_line_viewer(), "rita", "reader", PASSWORD)
        manage.add_group(store, command_line_viewer(), "secretariat")
        manage.add_user(store, command_line_viewer(), "ada", "admin", PASSWORD)
    with live_server(create_app(config=config)) as url:
        yield url


@pytest.fixture
def page(browser, signed_url):  # noqa: F811
    context = browser.new_context(base_url=signed_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    yield page
    context.close()


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
