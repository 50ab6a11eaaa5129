"""`policykb relations NUMBER|DOC_ID [--on DATE] [--json]`: a document's relations and its status on a date, each
with the sentence that states it; registered on the main group."""

from __future__ import annotations

import textwrap

import click

from policykb.cli_options import json_option, pass_config, print_json
from policykb.config import Config
from policykb.relations.lookup import RelationsFinder, RelationsReport
from policykb.store import Store


@click.command("relations")
@click.argument("ref", metavar="NUMBER|DOC_ID")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="The date of the status (default: today).")
@json_option
@pass_config
def relations(config: Config, ref: str, on: str | None, as_json: bool) -> None:
    """What a document is based on, implements, guides, amends, replaces or repeals, what does so to it, and whether it
    is in force on a date — each with the sentence that says so.

    Examples: policykb relations 68/NQ-CP
              policykb relations 004_6608ed9db748e12c --on 2024-06-01 --json
    """
    with Store(config.db_path, readonly=True) as store:
        report = RelationsFinder(store).report(ref, on)
    if as_json:
        print_json(report.to_json())
        return
    _echo(report)


def _echo(report: RelationsReport) -> None:
    data = report.to_json()
    document, status = data["document"], data["status"]
    name = " — ".join(filter(None, [document["number"], document["title"], document["doc_id"]]))
    click.echo(click.style(name or document["query"], bold=True))
    since = f" since {status['since']}" if status["since"] else ""
    click.echo(f"status on {data['on']}: {status['status'].replace('_', ' ')}{since}")
    for note in status["notes"]:
        click.echo(f"  note: {note}")
    for item in status["evidence"]:
        click.echo(f"  evidence: {item['stated_in']['doc_id']} chars {item['start']}–{item['end']}: {item['text']}")
    click.echo()
    for item in data["relations"]:
        click.echo(_line(item))
        click.echo(textwrap.indent(textwrap.shorten(item["sentence"]["text"], 300, placeholder=" …"), "   > "))
    if not data["relations"]:
        click.echo("No relation of this document is stated in the collection.")


def _line(item: dict) -> str:
    def shown(node: dict | None) -> str:
        if node is None:
            return ""
        name = node["number"] or node["title"] or node["key"]
        return f"{name} [{node['doc_id']}]" if node["doc_id"] else name

    articles = f" ({', '.join(item['articles'])})" if item["articles"] else ""
    date = f" from {item['date']}" if item["date"] else ""
    where = f"{item['stated_in']['doc_id']} chars {item['start']}–{item['end']}"
    return f"{shown(item['source'])} {item['kind']} {shown(item['target'])}{articles}{date}  — {where}".replace(
        "  ", " "
    )
