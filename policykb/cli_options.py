"""Options and output that several commands share, declared once (as sqlite-utils' `output_options`).

Every command with `--json` gets it from `json_option`, so the flag means the same everywhere: JSON only on stdout.
The configuration built by the main group reaches a command through `pass_config`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from policykb.config import SETTINGS, Config
from policykb.search.searcher import MODES
from policykb.store import Filters

_DATA = next(setting for setting in SETTINGS if setting.field == "data_dir")

pass_config = click.make_pass_decorator(Config)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def print_figures(figures: dict, as_json: bool) -> None:
    """A benchmark's figures: one line of JSON with --json, indented JSON for reading otherwise."""
    if as_json:
        print_json(figures)
    else:
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
mode_option = click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True, help="Ranking.")
data_option = click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=_DATA.env,
    help=f"Data folder holding the index (default: the {_DATA.default_text} folder; env {_DATA.env}).",
)


def top_option(default: int, most: int, help: str) -> Callable:
    """-k/--top: how many results, passed to the command as `k`."""
    return click.option("-k", "--top", "k", type=click.IntRange(1, most), default=default, show_default=True, help=help)


_FILTERS = (
    click.option(
        "--type", "doc_type", help="Only this document type (strategy, resolution, minutes, note, report, news)."
    ),
    click.option("--lang", help="Only passages in this language (en, vi, …)."),
    click.option("--year", type=int, help="Only documents dated in this year."),
    click.option("--doc", help="Only this document id."),
)


def filter_options(command: Callable) -> Callable:
    """--type, --lang, --year and --doc, passed to the command as one `filters` (a store Filters)."""

    @functools.wraps(command)
    def with_filters(*args, doc_type: str | None, lang: str | None, year: int | None, doc: str | None, **kwargs):
        return command(*args, filters=Filters(doc_type=doc_type, language=lang, year=year, doc_id=doc), **kwargs)

    for option in reversed(_FILTERS):
        with_filters = option(with_filters)
    return with_filters
