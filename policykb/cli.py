"""The `policykb` command line: ingest, remove, reindex, search, owners, brief, doc, docs, serve, bench."""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from pathlib import Path

import click

from policykb.citations import page_label
from policykb.config import Config
from policykb.errors import PolicyKBError
from policykb.search.searcher import MODES, Searcher
from policykb.store import Filters, Store, INIT_HINT
from policykb.errors import IndexNotReadyError


def _config(ctx: click.Context) -> Config:
    return ctx.obj["config"]


def _print_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


class _Group(click.Group):
    """Turns PolicyKBError into a one-line message naming the fix, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PolicyKBError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("interrupted: the index keeps every document committed so far; run the command again to complete it", err=True)
            ctx.exit(130)


@click.group(cls=_Group)
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), envvar="POLICYKB_DATA",
              help="Data folder holding the index (default: the instance/ folder; env POLICYKB_DATA).")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, on stderr.")
@click.version_option(package_name="policykb")
@click.pass_context
def main(ctx: click.Context, data: Path | None, verbose: bool) -> None:
    """policykb: cited semantic search over public-policy documents."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"config": Config.from_env(data_dir=data)}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], quiet: bool) -> None:
    """Add or update files and folders (.txt .md .html .pdf .docx, and scans: .jpg .png .tif) in the index.

    Unchanged files are skipped by content hash; a changed file replaces its old chunks. Scanned PDF pages and
    images are read by OCR (Tesseract), and their text is cached by content hash.
    Example: policykb ingest corpus/
    """
    from policykb.ingest.indexer import Indexer

    with Indexer(_config(ctx), progress=not quiet) as indexer:
        report = indexer.ingest(list(paths))
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(report.summary(), err=True)
    if report.errors:
        ctx.exit(1)


@main.command()
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
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


def _filters(doc_type: str | None, lang: str | None, year: int | None, doc: str | None) -> Filters:
    return Filters(doc_type=doc_type, language=lang, year=year, doc_id=doc)


def _print_hits(result) -> None:
    if not result.hits:
        click.echo(f"no results for {result.query!r}")
        return
    for hit in result.hits:
        place = " › ".join(filter(None, [hit.section, page_label(hit.page, hit.ocr)]))
        click.echo(click.style(f"{hit.rank}. {hit.title}", bold=True) + f"  [{hit.doc_type}, {hit.date or 'n.d.'}, {hit.language}]")
        click.echo(f"   {hit.doc_id} chars {hit.start}–{hit.end}" + (f" — §{place}" if place else "") + f"  score {hit.score:.4f}")
        click.echo(textwrap.indent(textwrap.shorten(hit.text, 400, placeholder=" …"), "   "))
        click.echo()


@main.command()
@click.argument("query", required=False)
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True, help="Ranking.")
@click.option("--type", "doc_type", help="Only this document type (strategy, resolution, minutes, note, report, news).")
@click.option("--lang", help="Only passages in this language (en, vi, …).")
@click.option("--year", type=int, help="Only documents dated in this year.")
@click.option("--doc", help="Only this document id.")
@click.option("-k", "--top", "k", type=click.IntRange(1, 100), default=10, show_default=True, help="Results per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.option("--batch", type=click.File("r", encoding="utf-8"), help="A file (or -) with one query per line; prints one JSON object per line.")
@click.pass_context
def search(ctx, query, mode, doc_type, lang, year, doc, k, page, as_json, batch) -> None:
    """Search the index; every hit is a passage with its exact citation.

    Example: policykb search "who coordinates the partnership group" --top 5
    """
    if not query and batch is None:
        raise click.UsageError("give a QUERY or --batch FILE")
    searcher = Searcher(_config(ctx))
    filters = _filters(doc_type, lang, year, doc)
    if batch is not None:
        for line in batch:
            if line.strip():
                _print_json(searcher.search(line.strip(), mode, filters, k, page).to_json())
        return
    result = searcher.search(query, mode, filters, k, page)
    if as_json:
        _print_json(result.to_json())
    else:
        _print_hits(result)


def _open_store(config: Config) -> Store:
    store = Store(config.db_path, readonly=True)
    if not store.list_documents():
        raise IndexNotReadyError(f"the index at {config.data_dir} is empty: {INIT_HINT}")
    return store


@main.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
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
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
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
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the task matrix as CSV.")
@click.option("-k", "--top", "k", type=click.IntRange(1, 50), default=5, show_default=True, help="Assignments for a question.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_context
def owners(ctx, query: str | None, agency: str | None, export_path: Path | None, k: int, as_json: bool) -> None:
    """Who owns a task: the lead agency, the coordinating agencies and the deadline, with the sentence that says so.

    Examples: policykb owners "who coordinates the partnership group"
              policykb owners --agency MOLISA
              policykb owners --export tasks.csv
    """
    from policykb.owners.answer import OwnersFinder, to_csv

    finder = OwnersFinder(Searcher(_config(ctx)))
    if query:
        result = finder.ask(query, k=k, agency=agency)
    elif agency:
        result = finder.for_agency(agency)
    else:
        result = finder.all()
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
    for a in result.assignments:
        coordinating = ", ".join(a.coordinating) or "—"
        click.echo(click.style(f"Lead: {a.lead}", bold=True) + f"   coordinating: {coordinating}   deadline: {a.deadline or '—'}")
        click.echo(f"   task: {textwrap.shorten(a.task, 160, placeholder=' …')}")
        place = ", ".join(filter(None, [a.title, f"§{a.section}" if a.section else None, page_label(a.page, a.ocr)]))
        click.echo(f"   {place} — {a.doc_id} chars {a.start}–{a.end}")
        click.echo(textwrap.indent(textwrap.shorten(a.text, 400, placeholder=" …"), "   > "))
        click.echo()


@main.group()
def brief() -> None:
    """Briefs: collect cited passages under headings and export them as Word, Markdown or CSV.

    Example: policykb brief new "Social insurance reform" && policykb brief add 1 --query "voluntary social insurance" --top 3
    """


def _briefs(ctx: click.Context):
    from policykb.briefs.model import Briefs
    from policykb.store import Store

    return Briefs(Store(_config(ctx).db_path))


@brief.command("new")
@click.argument("title")
@click.option("--intro", default="", help="A paragraph under the title.")
@click.pass_context
def brief_new(ctx, title: str, intro: str) -> None:
    """Create a brief and print its id."""
    click.echo(_briefs(ctx.find_root()).create(title, intro))


@brief.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_context
def brief_list(ctx, as_json: bool) -> None:
    """List the briefs."""
    briefs = _briefs(ctx.find_root()).list()
    if as_json:
        _print_json({"briefs": briefs})
        return
    for b in briefs:
        click.echo(f"{b['id']:>4}  {b['passages']:>3} passages  {b['updated_at'][:16]}  {b['title']}")


@brief.command("add")
@click.argument("brief_id", type=int)
@click.option("--query", help="Pin the top passages of this search.")
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 20), help="How many passages of --query.")
@click.option("--chunk", "chunk_ids", type=int, multiple=True, help="Pin this chunk (chunk_id from search --json); repeatable.")
@click.option("--heading", help="Add a heading that groups the passages after it.")
@click.option("--note", default="", help="A note shown under each passage pinned now.")
@click.pass_context
def brief_add(ctx, brief_id: int, query: str | None, top: int, chunk_ids: tuple[int, ...], heading: str | None, note: str) -> None:
    """Add passages (by search or chunk id) or a heading to a brief."""
    root = ctx.find_root()
    briefs = _briefs(root)
    if not (query or chunk_ids or heading):
        raise click.UsageError("give --query, --chunk or --heading")
    if heading:
        briefs.add_heading(brief_id, heading)
    ids = list(chunk_ids)
    if query:
        ids += [hit.chunk_id for hit in Searcher(_config(root)).search(query, k=top).hits]
    for chunk_id in ids:
        briefs.add_chunk(brief_id, chunk_id, note)
    click.echo(f"brief {brief_id}: added {len(ids)} passage(s){' and a heading' if heading else ''}", err=True)


@brief.command("show")
@click.argument("brief_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_context
def brief_show(ctx, brief_id: int, as_json: bool) -> None:
    """Show a brief's items, each with its citation and whether its source still says it."""
    found = _briefs(ctx.find_root()).get(brief_id)
    if as_json:
        _print_json(found.to_json())
        return
    click.echo(click.style(found.title, bold=True))
    for item in found.items:
        if item.kind == "heading":
            click.echo(f"\n## {item.heading}   (item {item.id})")
            continue
        flag = "" if item.status == "ok" else click.style(f"  [{item.status}]", fg="red")
        click.echo(f"- item {item.id}: {item.title}, §{item.section or '—'}{flag}")
        click.echo(textwrap.indent(textwrap.shorten(item.quote, 300, placeholder=" …"), "    > "))


@brief.command("export")
@click.argument("brief_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["docx", "md", "csv"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def brief_export(ctx, brief_id: int, fmt: str, output: Path) -> None:
    """Export a brief; every quote is checked against its source first, and a mismatch stops the export."""
    from policykb.briefs.export import export_brief, write_export

    briefs = _briefs(ctx.find_root())
    write_export(export_brief(briefs.get(brief_id), briefs.store, fmt), output)
    click.echo(f"wrote {output}", err=True)


@main.group()
def eval() -> None:  # noqa: A001 - the command's name
    """Measure retrieval quality: BEIR data sets, ALQAC (Vietnamese law articles) and the project's own policy query set.

    Example: policykb eval beir ../shared/testdata/beir-scifact
    """


@eval.command("beir")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", default="test", show_default=True, help="qrels/SPLIT.tsv to score.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help="Keep the index here to reuse it (default: temporary).")
@click.option("--limit", type=int, help="Only the first N queries.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_context
def eval_beir(ctx, folder: Path, split: str, index_dir: Path | None, limit: int | None, as_json: bool) -> None:
    """nDCG@10, Recall@100 and MRR@10 for keyword, dense and hybrid search on a BEIR-format data set."""
    from policykb.eval.retrieval import evaluate_beir

    _echo_modes(evaluate_beir(_config(ctx.find_root()), folder, split, index_dir, limit), as_json)


@eval.command("alqac")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help="Keep the index here to reuse it (default: temporary).")
@click.option("--limit", type=int, help="Only the first N questions.")
@click.option("--choices/--no-choices", default=True, show_default=True, help="Ask multiple-choice questions with their choices.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_context
def eval_alqac(ctx, folder: Path, index_dir: Path | None, limit: int | None, choices: bool, as_json: bool) -> None:
    """Recall@10, MRR@10 and nDCG@10 for keyword, dense and hybrid search on ALQAC's Vietnamese law articles.

    Every article of law.json becomes a document titled "Điều N — law"; train.json's questions are scored.
    Example: policykb eval alqac ../shared/testdata/alqac2023 --index /tmp/alqac-idx
    """
    from policykb.eval.retrieval import evaluate_alqac

    _echo_modes(evaluate_alqac(_config(ctx.find_root()), folder, index_dir, limit, choices), as_json)


def _echo_modes(result: dict, as_json: bool) -> None:
    """One row per search mode, one column per metric."""
    if as_json:
        _print_json(result)
        return
    click.echo(f"{result['dataset']} ({result['split']}: {result['queries']} queries, {result['documents']} documents, {result['embedder']})")
    names = list(next(iter(result["modes"].values())))
    click.echo(f"{'mode':<8}" + "".join(f" {name:>10}" for name in names))
    for mode, scores in result["modes"].items():
        click.echo(f"{mode:<8}" + "".join(f" {scores[name]:>10.4f}" for name in names))


@eval.command("queries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_context
def eval_queries(ctx, file: Path, mode: str, as_json: bool) -> None:
    """hit@1, hit@5 and MRR@10 of a JSONL query set ({"query", "doc", "phrase"}) over the index in --data."""
    from policykb.eval.retrieval import evaluate_queries

    result = evaluate_queries(Searcher(_config(ctx.find_root())), file, mode)
    if as_json:
        _print_json(result)
        return
    click.echo(f"{result['queries']} queries, {mode}: hit@1 {result['hit@1']:.3f}  hit@5 {result['hit@5']:.3f}  MRR@10 {result['mrr@10']:.3f}")
    for miss in result["misses"]:
        click.echo(f"  miss (rank {miss['rank'] or '>10'}): {miss['query']}")


@eval.command("snapshot")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where the indexes are kept between snapshots (a second snapshot embeds nothing).")
@click.option("--testdata", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared/testdata"),
              show_default=True, help="Folder with beir-scifact/ and alqac2023/ (left out where missing).")
@click.option("--compare", "before", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A snapshot taken before: print where the new one differs, exit 1 if it does.")
@click.pass_context
def eval_snapshot(ctx, out: Path, index_dir: Path, testdata: Path, before: Path | None) -> None:
    """Write the top 10 of every query of every evaluation set, in every mode, with and without filters, to OUT.

    Example: policykb eval snapshot before.json --index /tmp/snap; later: policykb eval snapshot after.json
    --index /tmp/snap --compare before.json
    """
    from policykb.eval.snapshot import compare_snapshots, take_snapshot

    snapshot = take_snapshot(_config(ctx.find_root()), index_dir, testdata if testdata.is_dir() else None)
    out.write_text(json.dumps(snapshot, ensure_ascii=False), encoding="utf-8")
    if before is not None:
        differences = compare_snapshots(json.loads(before.read_text(encoding="utf-8")), snapshot)
        for line in differences[:50]:
            click.echo(line)
        click.echo(f"{len(differences)} differences between {before} and {out}")
        if differences:
            ctx.exit(1)


@main.command()
@click.option("--chunks", "synthetic_chunks", default=(10000,), show_default=True, type=int, multiple=True,
              help="Size of the synthetic corpus; with --scale, repeat it for several sizes.")
@click.option("--queries", default=200, show_default=True, type=int, help="Queries timed per index.")
@click.option("--corpus", "corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Bundled corpus folder (default: corpus/).")
@click.option("--scale", is_flag=True, help="Write synthetic indexes straight into the store (no model, clustered random "
              "vectors) and time them beside a plain baseline: latency per mode, recall@10, RSS, disk, build time.")
@click.option("--baseline/--no-baseline", default=True, show_default=True, help="With --scale: time the plain baseline too.")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --scale: where the temporary indexes go (default: the system's temporary folder).")
@click.option("--uncached", is_flag=True, help="With --scale: empty the page cache (the whole machine's; needs root) before "
              "the first pass of hybrid queries, which then reads the index from disk as after a restart.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_context
def bench(ctx, synthetic_chunks: tuple[int, ...], queries: int, corpus_dir: Path | None, scale: bool, baseline: bool,
          work_dir: Path | None, uncached: bool, as_json: bool) -> None:
    """Measure ingest chunks/s, re-ingest time and hybrid query p50/p95 (bundled + synthetic corpus).

    Runs in temporary data folders; the index in --data is not touched.
    Example: policykb bench --chunks 10000 --queries 200

    With --scale, measures search at size instead (each size in fresh processes):
    policykb bench --scale --chunks 10000 --chunks 100000 --chunks 1000000 --json
    """
    if scale:
        from policykb.bench.scale import run_scale_benchmarks

        results = run_scale_benchmarks(_config(ctx), list(synthetic_chunks), queries, baseline, corpus_dir, work_dir, uncached)
    else:
        from policykb.bench.throughput import run_benchmarks

        if len(synthetic_chunks) > 1:
            raise click.UsageError("give --chunks once, or add --scale to measure several sizes")
        results = run_benchmarks(_config(ctx), corpus_dir, synthetic_chunks[0], queries)
    if as_json:
        _print_json(results)
    else:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
