"""Relations in the index: a document's status on a date from the relations of the collection, relations replaced
when a document is ingested again and gone when it is removed, what a viewer may not read left out, the CLI and the
API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import identify_by
from click.testing import CliRunner
from flask import g

from policykb.access import Viewer
from policykb.cli import main
from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.relations.lookup import RelationsFinder
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.web import create_app


def legal(number: str, date: str, body: str, english: bool = False) -> str:
    """A decree with a standard header; `date` as the header writes it."""
    if english:
        return (
            "THE GOVERNMENT\nSOCIALIST REPUBLIC OF VIETNAM\nIndependence - Freedom - Happiness\n"
            f"No. {number}\nHanoi, {date}\n\nDECREE\nON SOCIAL ASSISTANCE\n\n{body}"
        )
    return (
        "CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        f"Số: {number}\nHà Nội, {date}\n\nNGHỊ ĐỊNH\nVỀ TRỢ GIÚP XÃ HỘI\n\n{body}"
    )


OLD = legal(
    "10/2015/NĐ-CP",
    "ngày 01 tháng 6 năm 2015",
    "Điều 1. Phạm vi\n\nNghị định này quy định trợ giúp xã hội.\n\n"
    "Điều 9. Hiệu lực thi hành\n\nNghị định này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2015.\n",
)
AMENDING = legal(
    "05/2018/NĐ-CP",
    "February 1, 2018",
    "Article 1. To amend and supplement Article 3 of Decree No. 10/2015/ND-CP as follows:\n\n"
    "Article 2. Effect\n\nThis Decree takes effect on March 1, 2018.\n",
    english=True,
)
NEW = legal(
    "20/2021/NĐ-CP",
    "ngày 15 tháng 3 năm 2021",
    "Điều 43. Hiệu lực thi hành\n\n1. Nghị định này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2021.\n\n"
    "2. Nghị định này thay thế Nghị định số 10/2015/NĐ-CP.\n",
)
SECRET = legal(
    "99/2024/NĐ-CP",
    "ngày 01 tháng 10 năm 2024",
    "Điều 5. Hiệu lực thi hành\n\n1. Nghị định này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2025.\n\n"
    "2. Nghị định này thay thế Nghị định số 20/2021/NĐ-CP.\n",
)
NEWS = "Decree No. 99/2024/ND-CP will replace Decree No. 20/2021/ND-CP, officials said.\n"
BOB = Viewer("reader", "bob", 2, frozenset({"press"}))  # may not read the drafts
ALICE = Viewer("reader", "alice", 1, frozenset({"secretariat"}))


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def ingest(config: Config, paths: list[Path], collection: str = "public") -> None:
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest(paths, collection)
    assert not report.errors, report.errors


@pytest.fixture
def laws(fake_config: Config, tmp_path: Path) -> Config:
    folder = tmp_path / "docs"
    # The replacing decree first: which document a number names is asked when reading, so order does not matter.
    ingest(fake_config, [write(folder, "new.txt", NEW)])
    ingest(fake_config, [write(folder, "old.txt", OLD), write(folder, "amending.txt", AMENDING)])
    return fake_config


def report(config: Config, ref: str, on: str | None = None, collections=None) -> dict:
    with Store(config.db_path, readonly=True) as store:
        return RelationsFinder(store, collections).report(ref, on).to_json()


@pytest.mark.parametrize(
    "on, status, since",
    [
        ("2015-06-30", "not_yet_in_force", None),
        ("2015-07-01", "in_force", "2015-07-01"),
        ("2018-03-01", "partly_amended", "2018-03-01"),
        ("2021-06-30", "partly_amended", "2018-03-01"),
        ("2021-07-01", "replaced", "2021-07-01"),
    ],
)
def test_the_status_on_a_date_follows_effect_amendment_and_replacement(laws, on, status, since):
    found = report(laws, "10/2015/NĐ-CP", on)["status"]
    assert (found["status"], found["since"]) == (status, since)
    assert found["evidence"], "a status is never without the relations that say so"


def test_the_evidence_of_a_replacement_is_the_sentence_of_the_replacing_document(laws):
    evidence = report(laws, "old", "2022-01-01")["status"]["evidence"]
    assert [(e["kind"], e["stated_in"]["doc_id"], e["source"]["doc_id"]) for e in evidence] == [
        ("replaces", "new", "new")
    ]
    with Store(laws.db_path, readonly=True) as store:
        text = store.get_document("new").text
    assert text[evidence[0]["start"] : evidence[0]["end"]] == evidence[0]["text"]
    assert "thay thế Nghị định số 10/2015/NĐ-CP" in evidence[0]["text"]


def test_a_document_the_collection_says_nothing_about_is_unknown_without_evidence(fake_config, tmp_path):
    ingest(fake_config, [write(tmp_path / "d", "plain.txt", legal("07/2020/NĐ-CP", "ngày 01 tháng 6 năm 2020", "x\n"))])
    found = report(fake_config, "plain")["status"]
    assert (found["status"], found["evidence"]) == ("unknown", [])
    assert found["notes"]


def test_relations_are_replaced_when_a_document_is_ingested_again_and_removed_with_it(laws, tmp_path):
    path = tmp_path / "docs" / "new.txt"
    path.write_text(NEW.replace("thay thế Nghị định số 10/2015/NĐ-CP", "thay thế Nghị định số 11/2015/NĐ-CP"), "utf-8")
    ingest(laws, [path])
    assert report(laws, "10/2015/NĐ-CP", "2022-01-01")["status"]["status"] == "partly_amended"
    assert report(laws, "11/2015/NĐ-CP", "2022-01-01")["status"]["status"] == "replaced"
    with Indexer(laws, FakeEmbedder(), progress=False) as indexer:
        indexer.remove("new")
    with Store(laws.db_path, readonly=True) as store:
        assert store.conn.execute("SELECT count(*) FROM relations WHERE doc_id = 'new'").fetchone()[0] == 0
        assert store.conn.execute("SELECT count(*) FROM document_nodes WHERE doc_id = 'new'").fetchone()[0] == 0
    with pytest.raises(Exception, match="no document numbered 11/2015/NĐ-CP"):
        report(laws, "11/2015/NĐ-CP")


def with_restricted_draft(config: Config, tmp_path: Path) -> Config:
    """The index with a draft in "drafts" (readable by the secretariat alone) and a public news item."""
    with Store(config.db_path) as store:
        with store.transaction():
            store.conn.executemany("INSERT INTO groups (name) VALUES (?)", [("secretariat",), ("press",)])
        store.save_collection("drafts", public=False, groups=["secretariat"])
    ingest(config, [write(tmp_path / "secret", "secret.txt", SECRET)], "drafts")
    ingest(config, [write(tmp_path / "docs", "news.txt", NEWS)])
    return config


@pytest.fixture
def restricted(laws: Config, tmp_path: Path) -> Config:
    return with_restricted_draft(laws, tmp_path)


def _client(config: Config, viewer: Viewer | None):
    app = create_app(config=config)
    if viewer is not None:
        identify_by(app, lambda: setattr(g, "viewer", viewer))
    return app.test_client()


def test_a_document_the_viewer_may_not_read_leaves_only_the_number_a_readable_text_gives_it(restricted):
    body = _client(restricted, BOB).get("/api/relations", query_string={"doc": "20/2021/NĐ-CP", "on": "2026-01-01"})
    data = body.get_json()
    # Only the news item (readable) says it will be replaced, and not from when: the status cannot be told.
    assert body.status_code == 200 and data["status"]["status"] == "unknown"
    assert {e["stated_in"]["doc_id"] for e in data["status"]["evidence"]} == {"news"}
    dumped = json.dumps(data, ensure_ascii=False)
    assert "secret" not in dumped and "Nghị định này thay thế Nghị định số 20/2021" not in dumped
    news = [r for r in data["relations"] if r["stated_in"]["doc_id"] == "news"]
    assert [(r["source"]["number"], r["source"]["doc_id"]) for r in news] == [("99/2024/ND-CP", None)]
    assert _client(restricted, BOB).get("/api/relations", query_string={"doc": "secret"}).status_code == 404


def test_a_viewer_who_may_read_it_sees_the_replacement_and_its_document(restricted):
    data = _client(restricted, ALICE).get("/api/relations?doc=20/2021/NĐ-CP&on=2026-01-01").get_json()
    assert data["status"]["status"] == "replaced"
    assert data["status"]["evidence"][0]["stated_in"]["doc_id"] == "secret"
    news = [r for r in data["relations"] if r["stated_in"]["doc_id"] == "news"]
    assert news[0]["source"]["doc_id"] == "secret"


def test_the_document_api_carries_its_relations_and_status(laws):
    data = _client(laws, None).get("/api/docs/old").get_json()
    assert data["status"]["status"] == "replaced" and data["status"]["on"]
    assert {(r["kind"], r["direction"]) for r in data["relations"]} == {
        ("effective", "out"),
        ("amends", "in"),
        ("replaces", "in"),
    }
    assert {r["reads"] for r in data["relations"] if r["direction"] == "in"} == {"amended by", "replaced by"}


@pytest.mark.parametrize(
    "query, status, words",
    [
        ({}, 400, "parameter 'doc' is required"),
        ({"doc": "old", "on": "1 July 2015"}, 400, "YYYY-MM-DD"),
        ({"doc": "old", "on": "2015-02-30"}, 400, "YYYY-MM-DD"),
        ({"doc": "no-such-document"}, 404, "no document"),
        ({"doc": "77/2019/NĐ-CP"}, 404, "no relation naming it"),
    ],
)
def test_the_relations_api_refuses_in_its_error_shape(laws, query, status, words):
    answer = _client(laws, None).get("/api/relations", query_string=query)
    body = answer.get_json()
    assert answer.status_code == status and body["ok"] is False and body["status"] == status
    assert words in body["error"]


def test_the_cli_prints_json_only_and_a_one_line_error(laws):
    runner = CliRunner()
    result = runner.invoke(
        main, ["--data", str(laws.data_dir), "relations", "10/2015/NĐ-CP", "--on", "2016-01-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"]["status"] == "in_force" and data["document"]["doc_id"] == "old"
    typed = runner.invoke(main, ["--data", str(laws.data_dir), "relations", "10/2015/nd-cp", "--json"])
    assert json.loads(typed.stdout)["document"]["doc_id"] == "old"
    shown = runner.invoke(main, ["--data", str(laws.data_dir), "relations", "old", "--on", "2022-01-01"])
    assert "status on 2022-01-01: replaced since 2021-07-01" in shown.output
    refused = runner.invoke(main, ["--data", str(laws.data_dir), "relations", "old", "--on", "soon"])
    assert refused.exit_code == 1 and refused.output.count("\n") == 1 and "YYYY-MM-DD" in refused.output


def test_an_index_made_before_relations_opens_and_answers_with_none(laws):
    with Store(laws.db_path) as store, store.transaction():
        store.conn.execute("DROP TABLE relations")
        store.conn.execute("DROP TABLE document_nodes")
    assert report(laws, "old")["relations"] == []
