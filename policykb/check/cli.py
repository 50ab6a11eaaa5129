"""`policykb check [--repair]`: verify the store and rebuild what is derived from it; registered on the main group."""

from __future__ import annotations

import click

from policykb.check.findings import REPAIR, Report, check_store
from policykb.cli_options import json_option, pass_config, print_json
from policykb.config import Config


@click.command("check")
@click.option("--repair", is_flag=True, help="Rebuild the derived files (FAISS, term matrix, FTS5 if wrong) first.")
@json_option
@pass_config
@click.pass_context
def check(ctx: click.Context, config: Config, repair: bool, as_json: bool) -> None:
    """Verify the store: SQLite's integrity_check, that documents' passages = passages with a vector = FAISS rows =
    FTS rows, and that the derived files can be read. Exits 1 on a problem, naming the fix.

    --repair rebuilds what is derived from the store (the FAISS vectors, the term matrix, the FTS5 tables when they
    are wrong) and never changes a document; then it checks again.
    Examples: policykb check
              policykb check --repair
    """
    from policykb.check.repair import repair_store

    report = check_store(config)
    done = repair_store(config, report) if repair else []
    if done:
        report = check_store(config)
    if as_json:
        print_json({"ok": report.ok, "repaired": done, **_json(report)})
    else:
        _print(report, done)
    if not report.ok:
        if not as_json:
            click.echo(f"error: {len(report.problems)} problem(s) — {_fix(report, repair)}", err=True)
        ctx.exit(1)


def _json(report: Report) -> dict:
    return {
        "checks": [finding.to_json() for finding in report.findings],
        "problems": report.problems,
        "set_aside": [path.name for path in report.set_aside],
    }


def _print(report: Report, done: list[str]) -> None:
    for line in done:
        click.echo(f"repaired   {line}")
    for finding in report.findings:
        click.echo(f"{finding.name:<10} {'ok' if finding.ok else 'PROBLEM':<8} {finding.detail}")
    if report.set_aside:
        names = ", ".join(path.name for path in report.set_aside)
        click.echo(f"{'set aside':<10} {'note':<8} damaged files kept for inspection (safe to delete): {names}")


def _fix(report: Report, repaired: bool) -> str:
    if report.failed("sqlite") or report.failed("index"):
        return "see above; --repair rebuilds only what is derived from a readable store"
    return "it remains after --repair; see above" if repaired else REPAIR
