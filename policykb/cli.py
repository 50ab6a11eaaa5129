"""The `policykb` command line: ingest, remove, reindex, search, owners, relations, doc, docs, serve, check, audit, and
the brief, eval, bench, users and groups groups.

This module is the entry point (`policykb`, `python -m policykb.cli`) and holds the commands on the index itself. A command
group that belongs to one feature lives in that feature's package (`briefs/cli.py`, `eval/cli.py`, `bench/cli.py`) and
is registered here, so that each stays beside the code it calls and this file stays short. Options that several
commands share (`--json`, `-k/--top`, the search filters, …) are declared once, in `policykb/cli_options.py`.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import textwrap
from pathlib import Path

import click

from policykb.access.cli import collections
from policykb.accounts.cli import audit, groups, users
from policykb.bench.cli import bench
from policykb.briefs.cli import brief
from policykb.check.cli import check
from policykb.citations import page_label
from policykb.cli_options import (
    data_option,
    filter_options,
    json_option,
    mode_option,
    quiet_option,
    top_option,
)
from policykb.cli_options import (
    print_json as _print_json,
)
from policykb.config import SETTINGS, Config
from policykb.disk import writing
from policykb.errors import IndexNotReadyError, PolicyKBError
from policykb.eval.cli import eval_group
from policykb.jobs.cli import jobs, worker
from policykb.mcpserver.cli import mcp
from policykb.relations.cli import relations
from policykb.relations.in_force import documents_not_in_force
from policykb.relations.lookup import parse_on
from policykb.search.searcher import Searcher
from policykb.store import INIT_HINT, Filters, Store


def _config(ctx: click.Context) -> Config:
    return ctx.find_object(Config)


class _Group(click.Group):
    """Turns PolicyKBError into a one-line message naming the fix, never a traceback; lists the settings under --help.
    Every refusal, the project's and click's own (a bad option value, a missing argument), is said as `error: …`, as
    ingest says a file's problem."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            if isinstance(error, click.UsageError) and error.ctx is not None:
                help_option = error.ctx.help_option_names[0]
                click.echo(
                    f"{error.ctx.get_usage()}\nTry '{error.ctx.command_path} {help_option}' for help.\n", err=True
                )
            click.echo(f"error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PolicyKBError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo(
                "interrupted: the index keeps every document committed so far; run the command again to complete it",
                err=True,
            )
            ctx.exit(130)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Settings (environment variables, with their defaults)"):
            formatter.write_dl([(f"{setting.env} ({setting.default_text})", setting.help) for setting in SETTINGS])


@click.group(cls=_Group)
@data_option
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, on stderr.")
@click.version_option(package_name="policykb")
@click.pass_context
def main(ctx: click.Context, data: Path | None, verbose: bool) -> None:
    """policykb: cited semantic search over public-policy documents."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = Config.from_env(data_dir=data)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--collection",
    default="public",
    show_default=True,
    help="The collection the documents go to (see `policykb collections`); an unchanged file moves to it.",
)
@click.option(
    "--queue",
    is_flag=True,
    help="Queue one job per file instead, for `policykb worker` processes to ingest.",
)
@click.option(
    "--ray",
    "ray_address",
    metavar="ADDRESS",
    help='Read, OCR and embed on a Ray cluster (its address, or "local" for one on this machine); this process writes.',
)
@quiet_option
@click.pass_context
def ingest(
    ctx: click.Context, paths: tuple[Path, ...], collection: str, queue: bool, ray_address: str | None, quiet: bool
) -> None:
    """Add or update files and folders (.txt .md .html .pdf .docx, and scans: .jpg .png .tif) in the index.

    Unchanged files are skipped by content hash; a changed file replaces its old chunks. Scanned PDF pages and
    images are read by OCR (Tesseract), and their text is cached by content hash.
    Examples: policykb ingest corpus/
              policykb ingest --queue /srv/library/   (then: policykb worker, as many as the machine holds; policykb jobs)
              policykb ingest --ray head.internal:6379 /srv/library/   (from a node of a Ray cluster, which reads and embeds)
    """
    from policykb.ingest.indexer import Indexer

    if queue:
        _queue(ctx, list(paths), collection)
        return
    if ray_address:
        from policykb.ingest.ray_ingest import ingest_with_ray

        report = ingest_with_ray(_config(ctx), list(paths), collection, ray_address, progress=not quiet)
    else:
        with Indexer(_config(ctx), progress=not quiet) as indexer:
            report = indexer.ingest(list(paths), collection)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(report.summary(), err=True)
    if report.errors:
        ctx.exit(1)


def _queue(ctx: click.Context, paths: list[Path], collection: str) -> None:
    """`ingest --queue`: one job per file found; the paths that cannot be read are named, and the exit status is 1."""
    from policykb.jobs.queue import queue_files

    config = _config(ctx)
    with writing(config.db_path), Store(config.db_path) as store:
        queued, errors = queue_files(store, paths, collection)
    for error in errors:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"queued {len(queued)} file(s) for ingest — `policykb worker` ingests them, `policykb jobs` shows them",
        err=True,
    )
    if errors:
        ctx.exit(1)


@main.command()
@click.option(
    "--to", "url", required=True, metavar="postgresql://…", help="An empty PostgreSQL database with pgvector."
)
@click.pass_context
def migrate(ctx: click.Context, url: str) -> None:
    """Copy this data folder's store into an empty PostgreSQL database (16+, with pgvector 0.8+), in one transaction.

    Every table, each passage's vector (with an HNSW index) and each word's postings for keyword search are copied;
    then every table's rows are counted on both sides, and a difference keeps nothing. The data folder is only read.
    Example: policykb migrate --to postgresql://policykb:secret@db.internal/policykb
    """
    from policykb.postgresql_copy import copy_to_postgresql

    config = _config(ctx)
    if not config.db_path.exists():
        raise IndexNotReadyError(f"no index at {config.data_dir}: {INIT_HINT}")
    report = copy_to_postgresql(config.db_path, url, say=lambda step: click.echo(step, err=True))
    for table, (embedded, copied) in report["tables"].items():
        click.echo(f"{table:<18} {embedded:>10} rows embedded  {copied:>10} in PostgreSQL")
    click.echo(f"copied in {report['seconds']['copy']} s, HNSW index in {report['seconds']['hnsw_index']} s", err=True)


@main.command()
@quiet_option
@click.pass_context
def reindex(ctx: click.Context, quiet: bool) -> None:
    """Embed every chunk again with the configured embedder (POLICYKB_EMBEDDER), replacing all vectors at once.

    Needed after changing the embedder; documents and chunks stay as they are.
    Example: POLICYKB_EMBEDDER=minilm policykb reindex
    """
    from policykb.ingest.indexer import Indexer

    with Indexer(_config(ctx), progress=not quiet) as indexer:
        count = indexer.reindex()
    click.echo(f"re-embedded {count} chunks with {indexer.embedder.name}", err=True)


@main.command()
@click.argument("doc", metavar="DOC_ID|PATH")
@click.pass_context
def remove(ctx: click.Context, doc: str) -> None:
    """Delete a document everywhere (SQLite, FTS and FAISS).

    Example: policykb remove 004_6608ed9db748e12c
    """
    from policykb.ingest.indexer import Indexer

    with Indexer(_config(ctx), progress=False) as indexer:
        doc_id, chunks = indexer.remove(doc)
    click.echo(f"removed {doc_id} ({chunks} chunks)", err=True)


def _print_hits(result) -> None:
    if not result.hits:
        click.echo(f"no results for {result.query!r}")
        return
    for hit in result.hits:
        place = " › ".join(filter(None, [hit.section, page_label(hit.page, hit.ocr)]))
        click.echo(
            click.style(f"{hit.rank}. {hit.title}", bold=True)
            + f"  [{hit.doc_type}, {hit.date or 'n.d.'}, {hit.language}]"
        )
        click.echo(
            f"   {hit.doc_id} chars {hit.start}–{hit.end}"
            + (f" — §{place}" if place else "")
            + f"  score {hit.score:.4f}"
        )
        click.echo(textwrap.indent(textwrap.shorten(hit.text, 400, placeholder=" …"), "   "))
        click.echo()


@main.command()
@click.argument("query", required=False)
@mode_option
@filter_options
@top_option(10, 100, "Results per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option(
    "--in-force-on",
    "in_force_on",
    metavar="YYYY-MM-DD",
    help="Only documents in force that day: those the collection says were not yet in force, replaced or repealed "
    "are left out (as the search page's filter).",
)
@json_option
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    help="A file (or -) with one query per line; prints one JSON object per line.",
)
@click.pass_context
def search(ctx, query, mode, filters: Filters, k, page, in_force_on, as_json, batch) -> None:
    """Search the index; every hit is a passage with its exact citation.

    Example: policykb search "who coordinates the partnership group" --top 5
    """
    if not query and batch is None:
        raise click.UsageError("give a QUERY or --batch FILE")
    searcher = Searcher(_config(ctx))
    if in_force_on:
        on = parse_on(in_force_on, "--in-force-on")
        with searcher.reading() as store:
            filters = dataclasses.replace(filters, excluded_docs=documents_not_in_force(store, None, on) or None)
    if batch is not None:
        for line in batch:
            if line.strip():
                _print_json(searcher.search(line.strip(), mode, filters, k, page).to_json())
    else:
        result = searcher.search(query, mode, filters, k, page)
        if as_json:
            _print_json(result.to_json())
        else:
            _print_hits(result)
    searcher.finish_restoring()  # a term matrix it found damaged, rebuilt after the answer


def _open_store(config: Config) -> Store:
    store = Store(config.db_path, readonly=True)
    if not store.list_documents():
        raise IndexNotReadyError(f"the index at {config.data_dir} is empty: {INIT_HINT}")
    return store


@main.command()
@click.argument("doc_id")
@json_option
@click.pass_context
def doc(ctx, doc_id: str, as_json: bool) -> None:
    """Show a document's metadata and its full cleaned text (the text every citation points into).

    Example: policykb doc 004_6608ed9db748e12c --json
    """
    with _open_store(_config(ctx)) as store:
        document = store.get_document(store.find_document_id(doc_id))
    if as_json:
        _print_json(document.to_json())
        return
    for key in ("id", "title", "doc_type", "date", "language", "issuer", "source", "doc_numbers", "agencies"):
        click.echo(f"{key:>12}: {getattr(document, key)}")
    click.echo()
    click.echo(document.text)


@main.command()
@json_option
@click.pass_context
def docs(ctx, as_json: bool) -> None:
    """List the documents in the index.

    Example: policykb docs
    """
    with _open_store(_config(ctx)) as store:
        documents = store.list_documents()
    if as_json:
        _print_json({"documents": [d.to_json() for d in documents]})
        return
    for d in documents:
        click.echo(f"{d.id:<28} {d.doc_type:<10} {d.date or 'n.d.':<10} {d.language:<3} {d.chunks:>4}  {d.title[:70]}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only by default).")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int, help="Worker threads.")
@click.pass_context
def serve(ctx, host: str, port: int, threads: int) -> None:
    """Serve the web app and JSON API with waitress (a production WSGI server).

    Example: policykb serve --port 5000
    """
    from waitress import serve as waitress_serve

    from policykb.web import create_app

    app = create_app(config=_config(ctx))
    try:
        with app.app_context():
            app.extensions["policykb"].get().search("warm up the model and the index")
    except PolicyKBError as exc:  # an empty index still serves: the pages say how to fill it
        click.echo(f"note: {exc}", err=True)
    click.echo(f"policykb serving {_config(ctx).data_dir} on http://{host}:{port}/", err=True)
    waitress_serve(app, host=host, port=port, threads=threads)


@main.command()
@click.argument("query", required=False)
@click.option("--agency", help="Everything this agency leads or supports (any name, acronym or Vietnamese name).")
@click.option(
    "--export", "export_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the task matrix as CSV."
)
@top_option(5, 50, "Assignments for a question.")
@json_option
@click.pass_context
def owners(ctx, query: str | None, agency: str | None, export_path: Path | None, k: int, as_json: bool) -> None:
    """Who owns a task: the lead agency, the coordinating agencies and the deadline, with the sentence that says so.

    Examples: policykb owners "who coordinates the partnership group"
              policykb owners --agency MOLISA
              policykb owners --export tasks.csv
    """
    from policykb.owners.answer import OwnersFinder, to_csv

    finder = OwnersFinder(Searcher(_config(ctx)))
    result = finder.find(query, agency, k)
    if export_path is not None:
        export_path.write_text(to_csv(result), encoding="utf-8")
        click.echo(f"wrote {len(result.assignments)} assignments to {export_path}", err=True)
        return
    if as_json:
        _print_json(result.to_json())
        return
    if not result.assignments:
        click.echo("No document names an owner for this. The closest passages:" if query else "No assignments found.")
        if query:
            _print_hits(finder.searcher.search(query, k=3))
        return
    noted: set[str] = set()  # what became of a lead since is said once, under its first assignment
    for a in result.assignments:
        coordinating = ", ".join(a.coordinating) or "—"
        status = result.status(a.lead)
        click.echo(
            click.style(f"Lead: {status.label}", bold=True)
            + f"   coordinating: {coordinating}   deadline: {a.deadline or '—'}"
        )
        if status.note and a.lead not in noted:
            noted.add(a.lead)
            click.echo(f"   now: {status.note}")
        click.echo(f"   task: {textwrap.shorten(a.task, 160, placeholder=' …')}")
        place = ", ".join(filter(None, [a.title, f"§{a.section}" if a.section else None, page_label(a.page, a.ocr)]))
        click.echo(f"   {place} — {a.doc_id} chars {a.start}–{a.end}")
        click.echo(textwrap.indent(textwrap.shorten(a.text, 400, placeholder=" …"), "   > "))
        click.echo()


main.add_command(brief)
main.add_command(eval_group)
main.add_command(bench)
main.add_command(check)
main.add_command(users)
main.add_command(groups)
main.add_command(audit)
main.add_command(collections)
main.add_command(mcp)
main.add_command(relations)
main.add_command(worker)
main.add_command(jobs)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
