"""The web app in a real browser: Debian's Chromium driven by playwright against a live waitress server."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from live_server import live_server

from policykb.config import DEFAULT_CORPUS_DIR, PROJECT_ROOT, Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "test-token"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
XSS_DOCUMENT = f"Payload note {XSS}\n\nThis note quotes {XSS} as plain text about quokkapayload.\n"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    """The bundled corpus and one hostile .txt, indexed with the fake embedder and served with uploads on."""
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(DEFAULT_CORPUS_DIR, corpus)
    (corpus / "xss-payload.txt").write_text(XSS_DOCUMENT, encoding="utf-8")
    config = Config.from_env(data_dir=root / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest([corpus])
    assert not report.errors, report.errors
    with live_server(create_app(config=dataclasses.replace(config, admin_token=TOKEN))) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def search(page, query: str) -> None:
    page.goto(f"/?q={quote(query)}")


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """element => {
        const box = element.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
    }""",
    )


def words_of(text: str, count: int) -> str:
    return " ".join(text.split()[:count])


def test_first_result_opens_the_document_with_the_cited_passage_highlighted_in_view(page):
    search(page, "who coordinates the partnership group")
    first = page.locator("article.hit").first
    passage_start = words_of(first.locator("blockquote.passage").inner_text(), 6)
    link = first.locator("h2 a")
    href = urlsplit(link.get_attribute("href"))
    params = parse_qs(href.query)
    assert href.path.startswith("/doc/") and href.fragment == "passage"
    assert {"start", "end", "chunk"} <= params.keys()

    link.click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == href.path
    marked = " ".join(page.locator("mark.passage").all_inner_texts())
    assert words_of(marked, 6) == passage_start
    assert in_viewport(page, "mark#passage")


def test_a_type_facet_narrows_results_and_its_chip_removes_it(page):
    search(page, "social protection")
    assert set(page.locator("article.hit .meta .type").all_inner_texts()) != {"news"}
    page.locator("section[data-facet=type] a", has_text="news").click()
    page.wait_for_url("**type=news**")
    types = page.locator("article.hit .meta .type").all_inner_texts()
    assert types and set(types) == {"news"}
    chip = page.locator(".active-filters a.chip")
    assert chip.count() == 1 and "news" in chip.inner_text()

    chip.click()
    page.wait_for_load_state("load")
    assert "type=" not in page.url
    assert page.locator(".active-filters a.chip").count() == 0
    assert set(page.locator("article.hit .meta .type").all_inner_texts()) != {"news"}


def test_an_ownership_question_gets_an_answer_card_that_leads_to_the_cited_line(page):
    search(page, "who coordinates the partnership group")
    card = page.locator("section.answer")
    assert card.locator("h2").inner_text() == "Lead: MOLISA"
    assert (
        "Coordinating agency: Ministry of Labour, Invalids and Social Affairs"
        in card.locator("blockquote").inner_text()
    )
    card.locator("p.cite a").first.click()
    page.wait_for_load_state("load")
    assert "Coordinating agency" in " ".join(page.locator("mark.passage").all_inner_texts())
    assert in_viewport(page, "mark#passage")


def test_the_owners_page_filters_by_agency(page):
    page.goto("/owners")
    page.select_option("select[name=agency]", "Ministries and localities")
    page.click("form.filters button")
    leads = page.locator("table.owners tbody tr td:nth-child(2)").all_inner_texts()
    assert leads and {lead.split(" · ")[0] for lead in leads} == {"Ministries and localities"}  # " · coordination"


def upload(page, path: Path, token: str) -> None:
    page.goto("/upload")
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=token]", token)
    page.click("form.upload button[type=submit]")
    page.wait_for_load_state("load")


def test_an_upload_shows_progress_and_the_new_document_becomes_searchable(page, tmp_path):
    note = tmp_path / "quokka-note.txt"
    note.write_text(
        "Field note on zanzibarquokka\n\nThe zanzibarquokka pilot pays a monthly social pension in two districts.\n",
        encoding="utf-8",
    )
    upload(page, note, TOKEN)
    assert "/upload/" in page.url
    page.locator(".job progress").wait_for(state="attached")  # the page reloads itself while the job runs
    page.locator(".job-state", has_text="Indexed.").wait_for(timeout=20_000)
    opener = page.locator(".job-done a", has_text="Open the document")
    assert opener.count() == 1
    doc_path = opener.get_attribute("href")

    search(page, "zanzibarquokka")
    first = page.locator("article.hit").first
    assert urlsplit(first.locator("h2 a").get_attribute("href")).path == doc_path
    assert "zanzibarquokka" in first.locator("blockquote.passage").inner_text()


def test_an_upload_with_a_wrong_token_says_so_in_plain_words(page, tmp_path):
    note = tmp_path / "wrong-token.txt"
    note.write_text("A note that must not be indexed.\n", encoding="utf-8")
    upload(page, note, "not-the-token")
    assert page.url.endswith("/upload")
    assert page.locator(".notice.error").inner_text() == "the admin token is wrong"


def test_a_hostile_query_is_shown_as_text_and_never_runs(page):
    search(page, XSS)
    assert page.input_value("form.search input[name=q]") == XSS
    assert XSS in page.title()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("main script, main img").count() == 0


def test_a_hostile_document_is_shown_as_text_and_never_runs(page):
    search(page, "quokkapayload")
    page.locator("article.hit h2 a").first.click()
    page.wait_for_load_state("load")
    assert XSS in page.locator("article.document h1").inner_text()
    assert f"This note quotes {XSS} as plain text" in page.locator(".fulltext").inner_text()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("main script, main img").count() == 0


def test_search_and_the_document_page_work_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        page.fill("form.search input[name=q]", "who coordinates the partnership group")
        page.press("form.search input[name=q]", "Enter")
        page.wait_for_url("**q=who+coordinates**")
        assert page.locator("article.hit").count() > 0
        assert page.locator("button.copy").first.is_hidden()  # shown only by app.js, where the clipboard works
        page.locator("article.hit h2 a").first.click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path.startswith("/doc/")
        assert page.locator(".fulltext .chunk.cited").count() >= 1
        assert in_viewport(page, "mark#passage")  # the #passage fragment alone scrolls it into view
    finally:
        context.close()


def console_errors(page) -> list[str]:
    """Everything the page reports as going wrong from now on: console errors (CSP violations among them),
    uncaught exceptions and failed requests."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"{request.url}: {request.failure}"))
    return problems


def test_search_and_document_pages_log_no_console_errors_or_csp_violations(page):
    problems = console_errors(page)
    page.goto("/")
    search(page, "who coordinates the partnership group")
    page.locator("article.hit h2 a").first.click()
    page.wait_for_load_state("load")
    page.locator("mark#passage").first.wait_for()
    assert problems == []


def test_the_content_security_policy_blocks_an_injected_inline_script(page):
    problems = console_errors(page)
    search(page, "social protection")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__inline = 1";
        document.head.appendChild(script);
    }""")
    assert page.evaluate("typeof window.__inline") == "undefined"
    assert any("Content Security Policy" in problem for problem in problems)


@pytest.mark.parametrize(
    "path", ["/", "/?q=social+protection", "/doc/000_0b935866529ff4c2?start=1714&end=2029&chunk=5"]
)
def test_search_and_document_pages_have_no_horizontal_scrollbar_on_a_phone(browser, base_url, path):
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    finally:
        context.close()


@pytest.mark.skipif(
    os.environ.get("POLICYKB_SCREENSHOTS") != "1", reason="set POLICYKB_SCREENSHOTS=1 to refresh docs/screenshots/"
)
def test_screenshots_for_the_readme(browser, base_url):
    """POLICYKB_SCREENSHOT_URL points at a server over a real-model index; default: the fake test server."""
    url = os.environ.get("POLICYKB_SCREENSHOT_URL") or base_url
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        search(page, "who coordinates the partnership group")
        page.screenshot(path=str(SCREENSHOTS / "search.png"))
        search(page, "cash support for poor children to go to school")
        page.locator("article.hit h2 a").first.click()
        page.wait_for_load_state("load")
        page.locator("mark#passage").first.wait_for()
        page.screenshot(path=str(SCREENSHOTS / "document.png"))
    finally:
        context.close()


def test_two_results_pinned_into_a_new_brief_come_back_as_a_word_file_with_endnotes(page, tmp_path):
    import docx

    search(page, "who coordinates the partnership group")
    hits = page.locator("article.hit")
    quotes = [hits.nth(n).locator("blockquote.passage").inner_text() for n in (0, 1)]
    hits.nth(0).locator("form.pin select").select_option("new")
    hits.nth(0).locator("form.pin button").click()
    page.wait_for_url("**pinned=**")
    notice = page.locator(".notice.pinned a")
    assert notice.inner_text() == "who coordinates the partnership group"
    brief_id = notice.get_attribute("href").rsplit("/", 1)[1]
    second = page.locator("article.hit").nth(1)
    second.locator("form.pin select").select_option(brief_id)
    second.locator("form.pin button").click()
    page.wait_for_load_state("load")
    assert "(2 passages)" in page.locator(".notice.pinned").inner_text()

    page.locator(".notice.pinned a").click()
    page.wait_for_url(f"**/briefs/{brief_id}")
    assert page.locator(".brief-item blockquote.passage").all_inner_texts() == quotes
    with page.expect_download() as download:
        page.locator(".exports a", has_text="Word (DOCX)").click()
    assert download.value.suggested_filename == f"brief-{brief_id}-who-coordinates-the-partnership-group.docx"
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    flat = [" ".join(text.split()) for text in paragraphs]
    for number, quoted in enumerate(quotes, 1):
        assert " ".join(quoted.split()) + str(number) in flat
    notes = paragraphs[paragraphs.index("Notes") + 1 :]
    assert [note.split(" ", 1)[0] for note in notes] == ["1.", "2."]
    assert all("Proposal for the set-up of a partnership group" in note or "§" in note for note in notes)


def test_a_selection_on_the_document_page_is_pinned_as_exactly_the_selected_text(page):
    """The selection crosses the highlighted passage's edge, so it spans several text nodes."""
    page.goto("/doc/004_6608ed9db748e12c?start=1000&end=1040")
    page.locator("mark#passage").wait_for()
    assert page.locator("form.pin-selection").is_hidden()
    selected = page.evaluate("""() => {
        const mark = document.getElementById("passage");
        const before = mark.previousSibling, inside = mark.firstChild;
        const range = document.createRange();
        range.setStart(before, before.data.length - 25);
        range.setEnd(inside, 12);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        return getSelection().toString().trim();
    }""")
    pin = page.locator("form.pin-selection")
    pin.wait_for(state="visible")
    assert pin.locator(".pin-preview").inner_text().startswith("“" + selected.split()[0])
    pin.locator("select").select_option("new")
    pin.locator("button[type=submit]").click()
    page.wait_for_url("**pinned=**")
    assert urlsplit(page.url).fragment == page.evaluate(
        "document.getElementById('passage').closest('.chunk').id"
    )  # back where the reader was
    brief_id = page.locator(".notice.pinned a").get_attribute("href").rsplit("/", 1)[1]
    item = page.request.get(f"/api/briefs/{brief_id}").json()["items"][0]
    assert item["quote"] == selected and len(selected) > 30
    assert item["title"] == page.locator("article.document h1").inner_text()
