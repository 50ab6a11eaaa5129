"""Relations where users see them: the document page's panel and amended articles, search badges, the "in force on"
filter (with its totals and facets), the relations page with its graph and timeline — and nothing of a document the
viewer may not read in any of them."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from test_relations import ALICE, AMENDING, BOB, NEW, _client, ingest, legal, with_restricted_draft, write

from policykb.briefs.export import export_brief
from policykb.briefs.model import Briefs
from policykb.config import Config
from policykb.relations.in_force import documents_not_in_force, statuses_of
from policykb.store import Store

# The decree of test_relations with the article its amendment names, so that the page can flag it.
OLD = legal(
    "10/2015/NĐ-CP",
    "ngày 01 tháng 6 năm 2015",
    "Điều 1. Phạm vi\n\nNghị định này quy định trợ giúp xã hội hàng tháng.\n\n"
    "Điều 3. Đối tượng\n\nNgười cao tuổi được trợ giúp xã hội hàng tháng.\n\n"
    "Điều 9. Hiệu lực thi hành\n\nNghị định này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2015.\n",
)
HOSTILE = '<script>window.__xss=1</script><img src=x onerror="alert(2)">'


@pytest.fixture
def decrees(fake_config: Config, tmp_path: Path) -> Config:
    folder = tmp_path / "docs"
    ingest(
        fake_config, [write(folder, n, t) for n, t in (("old.txt", OLD), ("new.txt", NEW), ("amending.txt", AMENDING))]
    )
    return fake_config


@pytest.fixture
def restricted(decrees: Config, tmp_path: Path) -> Config:
    return with_restricted_draft(decrees, tmp_path)


def html_of(config: Config, path: str, viewer=None, **query) -> str:
    response = _client(config, viewer).get(path, query_string=query or None)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# --- the document page ------------------------------------------------------------------------------
def test_the_document_page_lists_its_relations_with_links_and_its_status_with_the_sentence(decrees):
    page = html_of(decrees, "/doc/old")
    panel = page[page.index('class="relations"') : page.index("</section>", page.index('class="relations"'))]
    assert "Replaced by" in panel and "Amended by" in panel and "Takes effect" in panel
    assert 'href="/doc/new"' in panel and 'href="/doc/amending"' in panel
    assert "Status on" in panel and "replaced</strong> since 2021-07-01" in panel
    with Store(decrees.db_path, readonly=True) as store:
        text = store.get_document("new").text
    start = text.index("Nghị định này thay thế")
    assert re.search(rf'href="/doc/new\?start={start}&amp;end=\d+#passage"', panel), "the evidence links to its place"


def test_a_number_outside_the_collection_links_to_its_relations_page(decrees):
    page = html_of(decrees, "/doc/new")
    assert 'href="/relations/10/2015/N%C4%90-CP"' not in page  # in the collection: its document page instead
    assert 'href="/doc/old"' in page
    page = html_of(decrees, "/doc/amending")
    assert "/doc/old" in page


def test_an_amended_article_is_flagged_with_a_link_to_the_amending_text(decrees):
    page = html_of(decrees, "/doc/old")
    headings = re.findall(r'<h2 class="section[^"]*"[^>]*>.*?</h2>', page, re.DOTALL)
    flagged = [h for h in headings if "amended" in h.split(">")[0]]
    assert len(flagged) == 1 and "Điều 3" in flagged[0]
    assert re.search(r'amended by <a href="/doc/amending\?start=\d+&amp;end=\d+#passage">', flagged[0])
    assert not any("Điều 1" in h for h in flagged)


def test_the_document_page_shows_no_relation_from_a_document_the_viewer_may_not_read(restricted):
    page = html_of(restricted, "/doc/new", BOB)
    assert "secret" not in page and "99/2024" in page  # the news item names it, as a number only
    assert "replaced</strong>" not in page
    page = html_of(restricted, "/doc/new", ALICE)
    assert "replaced</strong> since 2025-01-01" in page and 'href="/doc/secret"' in page


# --- search: badges and the "in force on" filter --------------------------------------------------------
def test_search_hits_carry_a_badge_for_a_replaced_document_and_none_for_one_in_force(decrees):
    page = html_of(decrees, "/", q="trợ giúp xã hội", mode="keyword")
    hits = re.findall(r'<article class="hit".*?</article>', page, re.DOTALL)
    old = [h for h in hits if 'href="/doc/old?' in h]
    new = [h for h in hits if 'href="/doc/new?' in h]
    assert old and new
    assert all('class="badge status-replaced"' in h for h in old)
    assert not any('class="badge' in h for h in new)


def test_the_badges_of_a_page_are_read_in_the_same_few_queries_whatever_its_number_of_documents(decrees):
    def queries(doc_ids: list[str]) -> int:
        with Store(decrees.db_path, readonly=True) as store:
            seen: list[str] = []
            store.conn.set_trace_callback(seen.append)
            statuses_of(store, doc_ids, None, "2022-01-01")
            return len([sql for sql in seen if "sqlite_master" not in sql])  # has_table's look at the schema

    assert queries(["old"]) == queries(["old", "new", "amending"]) <= 3


def search_json(config: Config, viewer=None, **query) -> dict:
    response = _client(config, viewer).get("/api/search", query_string={"mode": "keyword", "k": 100, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(
    "on, left_out",
    [("2016-01-01", {"new", "amending"}), ("2019-01-01", {"new"}), ("2022-01-01", {"old"})],
)
def test_in_force_on_leaves_out_documents_not_in_force_and_totals_and_facets_match(decrees, on, left_out):
    every = search_json(decrees, q="Nghị định")
    kept = search_json(decrees, q="Nghị định", in_force_on=on)
    assert {h["doc_id"] for h in every["hits"]} >= left_out
    assert {h["doc_id"] for h in kept["hits"]} == {h["doc_id"] for h in every["hits"]} - left_out
    assert kept["total"] == len(kept["hits"])
    assert sum(facet["count"] for facet in kept["facets"]["type"]) == kept["total"]
    assert sum(facet["count"] for facet in kept["facets"]["year"]) == kept["total"]
    assert all(
        h["status"]["on"] == on and h["status"]["status"] in ("in_force", "partly_amended") for h in kept["hits"]
    )


def test_the_in_force_filter_counts_the_same_on_the_search_page(decrees):
    page = html_of(decrees, "/", q="Nghị định", mode="keyword", in_force_on="2022-01-01")
    assert 'href="/doc/old?' not in page and "in force on 2022-01-01 ✕" in page
    total = search_json(decrees, q="Nghị định", in_force_on="2022-01-01")["total"]
    assert f"{total} passage" in page


@pytest.mark.parametrize("value", ["2022-13-01", "yesterday", "2022-02-30", "0000-01-01"])
def test_a_bad_in_force_date_is_a_400_in_the_error_shape(decrees, value):
    response = _client(decrees, None).get("/api/search", query_string={"q": "Nghị định", "in_force_on": value})
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and "in_force_on" in body["error"]
    page = _client(decrees, None).get("/", query_string={"q": "Nghị định", "in_force_on": value})
    assert page.status_code == 400 and "in_force_on" in page.get_data(as_text=True)


def test_the_in_force_filter_and_badges_follow_only_what_the_viewer_may_read(restricted):
    with Store(restricted.db_path, readonly=True) as store:
        assert "new" in documents_not_in_force(store, None, "2026-01-01")
        assert "new" not in documents_not_in_force(store, frozenset({"public"}), "2026-01-01")
    for viewer, kept in ((BOB, True), (ALICE, False)):
        hits = search_json(restricted, viewer, q="Nghị định", in_force_on="2026-01-01")["hits"]
        assert any(h["doc_id"] == "new" for h in hits) is kept
    for viewer, badge in ((BOB, False), (ALICE, True)):
        page = html_of(restricted, "/", viewer, q="Nghị định", mode="keyword")
        hits = [h for h in re.findall(r'<article class="hit".*?</article>', page, re.DOTALL) if 'href="/doc/new?' in h]
        assert hits and all(("status-replaced" in h) is badge for h in hits)
        assert ("secret" in page) is badge


# --- the relations page -------------------------------------------------------------------------------
def test_the_relations_page_draws_the_graph_as_svg_with_links_and_a_timeline(decrees):
    page = html_of(decrees, "/relations/10/2015/NĐ-CP")
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'xlink:href="/doc/new"' in svg and 'xlink:href="/doc/amending"' in svg
    assert "replaces" in svg and "amends" in svg
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    timeline = page[page.index('<ol class="timeline">') : page.index("</ol>", page.index('<ol class="timeline">'))]
    dates = re.findall(r'<time datetime="([\d-]+)">', timeline)
    assert dates == sorted(dates) and {"2015-07-01", "2018-03-01", "2021-07-01"} <= set(dates)
    assert re.search(r"2021-07-01</time> Replaced by\s*<a href=\"/doc/new\">", timeline)
    by_id = html_of(decrees, "/relations", doc="old")
    assert 'xlink:href="/doc/new"' in by_id and "<h1>Relations of 10/2015/NĐ-CP</h1>" in by_id


def test_the_relations_page_of_a_number_outside_the_collection_shows_what_texts_say_of_it(restricted):
    page = html_of(restricted, "/relations/99/2024/ND-CP", BOB)
    assert "No document you may read in the collection has this number" in page
    assert "secret" not in page and "/doc/news" in page


def test_without_graphviz_the_relations_page_lists_the_relations_and_says_why_there_is_no_graph(decrees, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    page = html_of(decrees, "/relations/10/2015/NĐ-CP")
    assert "<svg" not in page and "The graph needs Graphviz" in page
    assert "Replaced by" in page and 'href="/doc/new"' in page


def test_the_relations_page_never_shows_a_document_the_viewer_may_not_read(restricted):
    client = _client(restricted, BOB)
    assert client.get("/relations", query_string={"doc": "secret"}).status_code == 404
    page = html_of(restricted, "/relations/20/2021/NĐ-CP", BOB)
    assert (
        "secret" not in page
        and "Hiệu lực thi hành\n\n1. Nghị định này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2025" not in page
    )
    assert "replaced</strong>" not in page
    page = html_of(restricted, "/relations/20/2021/NĐ-CP", ALICE)
    assert 'xlink:href="/doc/secret"' in page and "replaced</strong>" in page


@pytest.mark.parametrize(
    "path", ["/relations", "/relations?doc=", "/relations/not-a-number", "/relations?doc=old&on=soon"]
)
def test_the_relations_page_answers_a_bad_request_with_a_page_that_says_so(decrees, path):
    response = _client(decrees, None).get(path)
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.get_data(as_text=True)


def test_hostile_titles_are_escaped_in_the_graph_and_the_panel(decrees, tmp_path):
    hostile = legal(
        "30/2022/NĐ-CP",
        "ngày 01 tháng 3 năm 2022",
        "Điều 2. Hiệu lực\n\nNghị định này có hiệu lực thi hành từ ngày 01 tháng 4 năm 2022 và thay thế "
        "Nghị định số 20/2021/NĐ-CP.\n",
    ).replace("VỀ TRỢ GIÚP XÃ HỘI", f"VỀ {HOSTILE}")
    ingest(decrees, [write(tmp_path / "docs", "hostile.txt", hostile)])
    with Store(decrees.db_path, readonly=True) as store:
        assert HOSTILE in store.get_document("hostile").title
    for path in ("/relations/20/2021/NĐ-CP", "/doc/new", "/relations?doc=hostile"):
        page = html_of(decrees, path)
        assert "<script>window" not in page and "<img src=x" not in page
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page


# --- brief exports ----------------------------------------------------------------------------------------
def brief_quoting(config: Config, doc_ids: list[str]) -> int:
    with Store(config.db_path) as store:
        briefs = Briefs(store)
        brief_id = briefs.create("Trợ giúp xã hội")
        for doc_id in doc_ids:
            text = store.get_document(doc_id).text
            start = text.index("Nghị định này")
            briefs.add_span(brief_id, doc_id, start, start + 40)
    return brief_id


def exported(config: Config, brief_id: int, fmt: str, collections=None) -> str:
    with Store(config.db_path, readonly=True) as store:
        data = export_brief(Briefs(store).get(brief_id), store, fmt, collections)
    if fmt == "md":
        return data.decode()
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_a_brief_export_notes_a_quoted_document_no_longer_in_force_and_what_replaced_it(decrees, fmt):
    text = exported(decrees, brief_quoting(decrees, ["old", "new"]), fmt)
    today = datetime.now(UTC).date().isoformat()
    assert f"Not in force on {today}: replaced by 20/2021/NĐ-CP" in text and "since 2021-07-01" in text
    assert text.count("Not in force on") == 1  # the replacing decree is in force


def test_a_brief_export_says_nothing_of_a_replacement_only_an_unreadable_document_states(restricted):
    brief_id = brief_quoting(restricted, ["new"])
    assert "Not in force" not in exported(restricted, brief_id, "md", frozenset({"public"}))
    assert "replaced by 99/2024/NĐ-CP" in exported(restricted, brief_id, "md", None)


def test_a_news_item_page_lists_the_relations_it_states_between_other_documents(restricted):
    page = html_of(restricted, "/doc/news", BOB)
    assert "Stated here between other documents" in page
    assert "Status on" not in page  # a news item has no status of its own
    stated = page[page.index("Stated here between") :]
    assert re.search(r"99/2024/ND-CP</a> replaces\s*<a href=\"/doc/new\">20/2021/ND-CP</a>", stated), stated[:600]


def test_the_in_force_filter_follows_the_index_when_a_replacing_document_is_removed(decrees):
    from policykb.ingest.indexer import Indexer
    from policykb.search.embedder import FakeEmbedder

    client = _client(decrees, None)
    query = {"q": "Nghị định", "mode": "keyword", "k": 100, "in_force_on": "2022-01-01"}
    assert "old" not in {h["doc_id"] for h in client.get("/api/search", query_string=query).get_json()["hits"]}
    with Indexer(decrees, FakeEmbedder(), progress=False) as indexer:
        indexer.remove("new")
    assert "old" in {h["doc_id"] for h in client.get("/api/search", query_string=query).get_json()["hits"]}


def test_the_command_line_search_takes_the_in_force_date_as_the_search_page_does(decrees):
    from click.testing import CliRunner

    from policykb.cli import main

    env = {"POLICYKB_EMBEDDER": decrees.embedder}  # the index's own embedder, whatever the shell says

    def documents(*extra: str) -> set[str]:
        args = ["--data", str(decrees.data_dir), "search", "Nghị định", "--mode", "keyword", "--top", "100", "--json"]
        result = CliRunner().invoke(main, [*args, *extra], env=env)
        assert result.exit_code == 0, result.output
        return {hit["doc_id"] for hit in json.loads(result.output)["hits"]}

    assert "old" in documents() and "old" not in documents("--in-force-on", "2022-01-01")
    refused = CliRunner().invoke(
        main, ["--data", str(decrees.data_dir), "search", "x", "--in-force-on", "soon"], env=env
    )
    assert refused.exit_code != 0 and "--in-force-on must be a date" in refused.output
