"""The CLI: every command documented and helpful, JSON outputs, errors that name the fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from policykb.cli import main
from policykb.config import PROJECT_ROOT, SETTINGS

ENV = {"POLICYKB_EMBEDDER": "fake"}


def _run(args: list[str], data: Path, **kwargs):
    return CliRunner().invoke(main, ["--data", str(data), *args], env=ENV, catch_exceptions=False, **kwargs)


@pytest.fixture
def cli_data(fake_index):
    return fake_index.data_dir


def test_every_command_has_help_and_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, name
        assert f"### `policykb {name}" in readme, f"README does not document `policykb {name}`"
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def _readme_settings() -> dict[str, str]:
    """{variable: default} of the README's configuration table, backticks taken off."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", table, flags=re.MULTILINE)
    return {name: default.strip().strip("`") for name, default in rows}


def test_every_setting_is_in_the_readme_configuration_table_with_its_default_and_nothing_else_is():
    documented = _readme_settings()
    for setting in SETTINGS:
        assert setting.env in documented, f"README's configuration table lacks {setting.env}"
        assert documented[setting.env] == setting.default_text, f"README gives {setting.env} another default"
    readme_only = {name for name in documented if name.startswith("POLICYKB_")} - {setting.env for setting in SETTINGS}
    assert not readme_only, f"README documents settings that policykb does not read: {readme_only}"


def test_main_help_lists_every_setting_with_its_default():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    help_text = " ".join(result.output.split())
    for setting in SETTINGS:
        assert f"{setting.env} ({setting.default_text})" in help_text, setting.env


def _commands(group: click.Group, path: str = "") -> list[tuple[str, click.Command]]:
    """Every command under the group, by its full name ("bench scale")."""
    found = []
    for name, command in group.commands.items():
        found.append((f"{path}{name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{path}{name} ")
    return found


def test_json_is_declared_once_and_every_command_that_prints_json_takes_it():
    sources = (PROJECT_ROOT / "policykb").rglob("*.py")
    assert sum(source.read_text(encoding="utf-8").count('"--json"') for source in sources) == 1
    with_json = set()
    for name, command in _commands(main):
        for param in command.params:
            if "--json" in param.opts:
                assert param.is_flag and param.help == "Print JSON only.", name
                with_json.add(name)
    assert with_json == {
        "search",
        "doc",
        "docs",
        "owners",
        "brief list",
        "brief show",
        "brief share",
        "eval beir",
        "eval alqac",
        "eval queries",
        "eval laws",
        "eval relations",
        "relations",
        "bench",
        "bench run",
        "bench scale",
        "bench faults",
        "bench freshness",
        "check",
        "users list",
        "users tokens",
        "groups list",
        "audit",
        "bench zipbomb",
        "collections list",
        "jobs",
        "bench workers",
        "bench postgresql",
    }


def test_every_subcommand_of_a_group_has_help():
    for name, command in _commands(main):
        assert command.help and len(command.help) > 10, name
        result = CliRunner().invoke(main, [*name.split(), "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, name


def test_bench_options_before_a_subcommand_are_refused_with_where_they_go():
    result = CliRunner().invoke(main, ["bench", "--queries", "5", "scale"])
    assert result.exit_code == 2 and "put --queries after the command: policykb bench scale" in result.output


def test_readme_first_screen_gives_exactly_the_two_setup_commands():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = readme.split("---", 1)[0]
    commands = re.findall(r"^make \w+", first_screen, flags=re.MULTILINE)
    assert commands == ["make run", "make test"]


def test_search_json_prints_only_json_with_exact_citations(cli_data: Path):
    result = _run(["search", "who coordinates the partnership group", "--json", "-k", "5"], cli_data)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["query"] == "who coordinates the partnership group" and data["mode"] == "hybrid"
    assert len(data["hits"]) == 5
    expected = {
        "rank",
        "doc_id",
        "title",
        "source",
        "doc_type",
        "language",
        "section",
        "page",
        "start",
        "end",
        "text",
        "score",
    }
    for hit in data["hits"]:
        assert expected <= set(hit)
        doc = json.loads(_run(["doc", hit["doc_id"], "--json"], cli_data).stdout)
        assert doc["text"][hit["start"] : hit["end"]] == hit["text"]


def test_batch_search_prints_one_json_object_per_line(cli_data: Path, tmp_path: Path):
    queries = tmp_path / "q.txt"
    queries.write_text("68/NQ-CP\n\npartnership group\nMOLISA\n", encoding="utf-8")
    result = _run(["search", "--batch", str(queries), "--json", "-k", "2"], cli_data)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["68/NQ-CP", "partnership group", "MOLISA"]
    assert lines[0]["hits"][0]["doc_id"] == "004_6608ed9db748e12c"
    stdin = _run(["search", "--batch", "-", "--json"], cli_data, input="Resolution 68\n")
    assert json.loads(stdin.stdout)["hits"][0]["doc_id"] == "004_6608ed9db748e12c"


def test_docs_and_doc_list_and_show_documents(cli_data: Path):
    listing = json.loads(_run(["docs", "--json"], cli_data).stdout)["documents"]
    assert len(listing) == 5 and all(d["chunks"] > 0 for d in listing)
    doc = json.loads(_run(["doc", "004_6608ed9db748e12c", "--json"], cli_data).stdout)
    assert doc["doc_numbers"] == ["68/NQ-CP", "42-NQ/TW"] and doc["date"] == "2024-05-13"
    assert "Flexible, diverse and universal social insurance system" in doc["text"]
    human = _run(["search", "Resolution 68"], cli_data)
    assert "004_6608ed9db748e12c" in human.stdout


def test_missing_index_gives_one_line_with_the_fix(tmp_path: Path):
    for args in (["search", "x"], ["docs"], ["doc", "x"]):
        result = CliRunner().invoke(main, ["--data", str(tmp_path / "none"), *args], env=ENV)
        assert result.exit_code == 1
        assert "policykb ingest corpus/" in result.output
        assert "Traceback" not in result.output


def test_remove_via_cli_then_search_never_returns_it(cli_data: Path):
    result = _run(["remove", "004_6608ed9db748e12c"], cli_data)
    assert result.exit_code == 0 and "removed 004_6608ed9db748e12c" in result.stderr
    data = json.loads(_run(["search", "68/NQ-CP", "--json", "-k", "50"], cli_data).stdout)
    assert all(hit["doc_id"] != "004_6608ed9db748e12c" for hit in data["hits"])
    unknown = CliRunner().invoke(main, ["--data", str(cli_data), "remove", "nope"], env=ENV)
    assert unknown.exit_code == 1 and "policykb docs" in unknown.output


def test_ingest_prints_a_summary_with_files_documents_chunks_and_seconds(tmp_path: Path, corpus_copy: Path):
    result = _run(["ingest", "-q", str(corpus_copy)], tmp_path / "data")
    assert result.exit_code == 0
    assert re.search(
        r"5 files, 5 documents \(5 added, 0 updated, 0 unchanged\), \d+ chunks written .* \d+\.\d s", result.stderr
    )


def test_every_refusal_is_one_line_saying_error_as_ingest_says_a_files_problem(tmp_path):
    runner = CliRunner()
    bad_option = runner.invoke(main, ["--data", str(tmp_path), "search", "x", "--top", "0"])
    assert bad_option.exit_code == 2 and "Try 'main search --help' for help." in bad_option.output
    assert "\nerror: Invalid value for '-k' / '--top'" in bad_option.output and "Error:" not in bad_option.output
    refused = runner.invoke(main, ["--data", str(tmp_path / "none"), "search", "hello"])
    assert refused.exit_code == 1 and refused.output.startswith("error: no index at ")
