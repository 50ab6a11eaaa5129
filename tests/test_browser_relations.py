"""Relations in a real browser (Chromium, as tests/test_browser.py): from a document page's relations panel to the
relations page, whose graph is an inline SVG drawn by Graphviz with links that work without JavaScript."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from live_server import live_server
from test_browser import browser, console_errors  # noqa: F401 (the shared Chromium fixture)
from test_relations import AMENDING, NEW
from test_relations_web import OLD

from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.web import create_app


@pytest.fixture(scope="module")
def relations_url(tmp_path_factory) -> Iterator[str]:
    """Three decrees (one amended by the second and replaced by the third), indexed and served."""
    if shutil.which("dot") is None:
        pytest.skip("the relations graph needs Graphviz's dot: apt-get install graphviz")
    root = tmp_path_factory.mktemp("browser-relations")
    for name, text in (("old.txt", OLD), ("new.txt", NEW), ("amending.txt", AMENDING)):
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / name).write_text(text, encoding="utf-8")
    config = Config.from_env(data_dir=root / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([root / "docs"]).errors
    with live_server(create_app(config=config)) as url:
        yield url


@pytest.mark.parametrize("javascript", [True, False])
def test_the_document_page_leads_to_the_relations_page_whose_graph_links_to_the_replacing_decree(
    browser,  # noqa: F811 (the fixture imported above)
    relations_url,
    javascript,
):
    context = browser.new_context(base_url=relations_url, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        problems = console_errors(page)
        page.goto("/doc/old")
        panel = page.locator("section.relations")
        assert "Replaced by" in panel.inner_text() and "replaced" in panel.locator(".relation-status").inner_text()
        panel.get_by_role("link", name="Graph and timeline of its relations").click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == "/relations"
        graph = page.locator("figure.graph svg")
        assert graph.is_visible() and graph.bounding_box()["width"] > 100
        assert page.locator("figure.graph svg g.node").count() == 3
        assert page.locator("ol.timeline li").count() >= 4
        page.locator('figure.graph svg a[*|href="/doc/new"]').first.click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == "/doc/new"
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/relations/10/2015/NĐ-CP", "/doc/old"])
def test_the_relations_page_and_panel_have_no_horizontal_scrollbar_on_a_phone(browser, relations_url, path):  # noqa: F811
    context = browser.new_context(base_url=relations_url, viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        context.close()
