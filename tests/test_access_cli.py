"""Collections on the command line: made and listed, ingested into, moved between, each change in the audit log."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from policykb.access.viewer import command_line_viewer
from policykb.cli import main
from policykb.store import Store

ENV = {"POLICYKB_EMBEDDER": "fake"}


def _run(data: Path, *args: str):
    return CliRunner().invoke(main, ["--data", str(data), *args], env=ENV, catch_exceptions=False)


def _groups(data: Path, *names: str) -> None:
    with Store(data / "policykb.sqlite3") as store, store.transaction():
        store.conn.executemany("INSERT INTO groups (name) VALUES (?)", [(name,) for name in names])


def test_a_collection_is_made_restricted_then_opened_and_each_change_is_audited(tmp_path):
    data = tmp_path / "data"
    _groups(data, "secretariat")
    made = _run(data, "collections", "add", "minutes", "--group", "secretariat")
    assert made.exit_code == 0 and "created collection 'minutes': readable by groups secretariat" in made.output
    listed = json.loads(_run(data, "collections", "list", "--json").output)["collections"]
    assert {row["name"]: (row["public"], row["groups"]) for row in listed} == {
        "minutes": (False, ["secretariat"]),
        "public": (True, []),
    }
    assert "changed collection 'minutes': readable by anyone" in _run(data, "collections", "add", "minutes").output
    with Store(data / "policykb.sqlite3", readonly=True) as store:
        audit = store.conn.execute("SELECT action, target, user_name, detail FROM audit_log ORDER BY id").fetchall()
    assert [(a, t, u) for a, t, u, _ in audit] == [
        ("collection.create", "minutes", command_line_viewer().name),
        ("collection.access", "minutes", command_line_viewer().name),
    ]
    assert json.loads(audit[0][3])["groups"] == ["secretariat"] and json.loads(audit[1][3])["public"] is True


def test_a_collection_for_an_unknown_group_or_both_public_and_grouped_is_refused_in_one_line(tmp_path):
    data = tmp_path / "data"
    unknown = _run(data, "collections", "add", "minutes", "--group", "board")
    assert unknown.exit_code == 1 and "no group 'board'" in unknown.output and "groups add" in unknown.output
    _groups(data, "board")
    both = _run(data, "collections", "add", "minutes", "--public", "--group", "board")
    assert both.exit_code == 1 and "not both" in both.output


def test_ingest_into_a_collection_that_does_not_exist_names_the_command_that_makes_it(tmp_path, corpus_copy):
    result = _run(tmp_path / "data", "ingest", str(corpus_copy), "--collection", "minutes", "-q")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: no collection 'minutes' to ingest into — create it with `policykb collections add minutes` "
        "(add --group G to restrict it), or pick one from `policykb collections list`"
    ]


def test_an_unchanged_file_ingested_into_another_collection_moves_there(tmp_path, corpus_copy):
    data = tmp_path / "data"
    assert _run(data, "ingest", str(corpus_copy), "-q").exit_code == 0
    _groups(data, "secretariat")
    _run(data, "collections", "add", "minutes", "--group", "secretariat")
    with Store(data / "policykb.sqlite3", readonly=True) as store:
        generation = store.generation()
    moved = _run(data, "ingest", str(corpus_copy / "000_0b935866529ff4c2.txt"), "--collection", "minutes", "-q")
    assert moved.exit_code == 0 and "1 unchanged, 1 moved" in moved.output
    with Store(data / "policykb.sqlite3", readonly=True) as store:
        assert store.collection_of("000_0b935866529ff4c2") == "minutes"
        assert {d.id for d in store.list_documents(frozenset({"minutes"}))} == {"000_0b935866529ff4c2"}
        assert len(store.list_documents(frozenset({"public"}))) == 4
        assert store.generation() > generation  # the searchers' kept filters are of the generation before
    again = _run(data, "ingest", str(corpus_copy / "000_0b935866529ff4c2.txt"), "--collection", "minutes", "-q")
    assert "moved" not in again.output
