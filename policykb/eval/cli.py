"""`policykb eval …`: retrieval quality on BEIR, ALQAC and the project's own sets, behaviour snapshots, the owners
evaluation and relation extraction; registered on the main group."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from policykb.cli_options import json_option, mode_option, pass_config, print_json
from policykb.config import Config

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the index here to reuse it (default: temporary).",
)

law_json_option = click.option(
    "--laws",
    "law_json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("../shared/testdata/alqac2023/law.json"),
    show_default=True,
    help="ALQAC's law.json.",
)


@click.group("eval")
def eval_group() -> None:
    """Measure retrieval quality: BEIR data sets, ALQAC (Vietnamese law articles), the project's own policy query set and
    owners set, and snapshots of search behaviour to compare two versions of the code.

    Example: policykb eval beir ../shared/testdata/beir-scifact
    """


@eval_group.command("beir")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", default="test", show_default=True, help="qrels/SPLIT.tsv to score.")
@index_option
@click.option("--limit", type=int, help="Only the first N queries.")
@json_option
@pass_config
def eval_beir(
    config: Config, folder: Path, split: str, index_dir: Path | None, limit: int | None, as_json: bool
) -> None:
    """nDCG@10, Recall@100 and MRR@10 for keyword, dense and hybrid search on a BEIR-format data set."""
    from policykb.eval.retrieval import evaluate_beir

    _echo_modes(evaluate_beir(config, folder, split, index_dir, limit), as_json)


@eval_group.command("alqac")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@index_option
@click.option("--limit", type=int, help="Only the first N questions.")
@click.option(
    "--choices/--no-choices", default=True, show_default=True, help="Ask multiple-choice questions with their choices."
)
@json_option
@pass_config
def eval_alqac(
    config: Config, folder: Path, index_dir: Path | None, limit: int | None, choices: bool, as_json: bool
) -> None:
    """Recall@10, MRR@10 and nDCG@10 for keyword, dense and hybrid search on ALQAC's Vietnamese law articles.

    Every article of law.json becomes a document titled "Điều N — law"; train.json's questions are scored.
    Example: policykb eval alqac ../shared/testdata/alqac2023 --index /tmp/alqac-idx
    """
    from policykb.eval.retrieval import evaluate_alqac

    _echo_modes(evaluate_alqac(config, folder, index_dir, limit, choices), as_json)


def _echo_modes(result: dict, as_json: bool) -> None:
    """One row per search mode, one column per metric."""
    if as_json:
        print_json(result)
        return
    click.echo(
        f"{result['dataset']} ({result['split']}: {result['queries']} queries, {result['documents']} documents, {result['embedder']})"
    )
    names = list(next(iter(result["modes"].values())))
    click.echo(f"{'mode':<8}" + "".join(f" {name:>10}" for name in names))
    for mode, scores in result["modes"].items():
        click.echo(f"{mode:<8}" + "".join(f" {scores[name]:>10.4f}" for name in names))


@eval_group.command("queries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@mode_option
@json_option
@pass_config
def eval_queries(config: Config, file: Path, mode: str, as_json: bool) -> None:
    """hit@1, hit@5 and MRR@10 of a JSONL query set ({"query", "doc", "phrase"}) over the index in --data.

    Example (the held-out set over the bundled corpus): policykb --data /tmp/corpus-idx ingest corpus && policykb
    --data /tmp/corpus-idx eval queries policykb/eval/data/heldout/policy_questions.jsonl
    """
    from policykb.eval.retrieval import evaluate_queries
    from policykb.search.searcher import Searcher

    result = evaluate_queries(Searcher(config), file, mode)
    if as_json:
        print_json(result)
        return
    click.echo(
        f"{result['queries']} queries, {mode}: hit@1 {result['hit@1']:.3f}  hit@5 {result['hit@5']:.3f}  MRR@10 {result['mrr@10']:.3f}"
    )
    for language, scores in result["by_language"].items():
        click.echo(
            f"  {language}: hit@1 {scores['hit@1']:.3f}  hit@5 {scores['hit@5']:.3f}  MRR@10 {scores['mrr@10']:.3f}"
        )
    for miss in result["misses"]:
        click.echo(f"  miss (rank {miss['rank'] or '>10'}): {miss['query']}")


@eval_group.command("snapshot")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Where the indexes are kept between snapshots (a second snapshot embeds nothing).",
)
@click.option(
    "--testdata",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("../shared/testdata"),
    show_default=True,
    help="Folder with beir-scifact/ and alqac2023/ (left out where missing).",
)
@click.option(
    "--compare",
    "before",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A snapshot taken before: print where the new one differs, exit 1 if it does.",
)
@pass_config
@click.pass_context
def eval_snapshot(
    ctx: click.Context, config: Config, out: Path, index_dir: Path, testdata: Path, before: Path | None
) -> None:
    """Write the top 10 of every query of every evaluation set, in every mode, with and without filters, to OUT.

    The synthetic set is also indexed a second time in two steps, so that its searches read a live term matrix (the
    rows added since the whole matrix); the command exits 1 if they rank otherwise than the set indexed at once.

    Example: policykb eval snapshot before.json --index /tmp/snap; later: policykb eval snapshot after.json
    --index /tmp/snap --compare before.json
    """
    from policykb.eval.snapshot import compare_snapshots, take_snapshot

    snapshot = take_snapshot(config, index_dir, testdata if testdata.is_dir() else None)
    out.write_text(json.dumps(snapshot, ensure_ascii=False), encoding="utf-8")
    # The synthetic set indexed in two steps (a live term matrix) must rank as when indexed at once.
    differences = compare_snapshots(snapshot["synthetic"], snapshot["synthetic-live"], "synthetic-live")
    click.echo(f"{len(differences)} differences between the synthetic set indexed at once and in two steps")
    if before is not None:
        differences += compare_snapshots(json.loads(before.read_text(encoding="utf-8")), snapshot)
        click.echo(f"{len(differences)} differences in all, with those between {before} and {out}")
    for line in differences[:50]:
        click.echo(line)
    if differences:
        ctx.exit(1)


@eval_group.command("owners")
@click.option("--embedder", help="minilm (default: POLICYKB_EMBEDDER, else minilm) or fake.")
@click.option(
    "--questions",
    "questions_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Another owners question file of the same form, e.g. policykb/eval/data/heldout/owners_questions.jsonl "
    "(default: the project's owners_questions.jsonl).",
)
@pass_config
def eval_owners(config: Config, embedder: str | None, questions_path: Path | None) -> None:
    """Who owns a task: extraction precision and recall against the gold, and how often the answer names the right lead.

    Indexes corpus/ and the owners documents in a temporary folder (the index in --data is not touched) and prints
    one JSON summary.

    Example: POLICYKB_EMBEDDER=fake policykb eval owners
    """
    from policykb.eval.owners import evaluate_owners
    from policykb.eval.sets import OWNERS_QUESTIONS

    summary = evaluate_owners(replace(config, embedder=embedder or config.embedder), questions_path or OWNERS_QUESTIONS)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))


@eval_group.command("laws")
@click.option(
    "--set", "which", type=click.Choice(["dev", "heldout"]), default="dev", show_default=True, help="Which law set."
)
@law_json_option
@index_option
@click.option("--embedder", type=click.Choice(["minilm", "fake"]), help="Default: POLICYKB_EMBEDDER, else minilm.")
@click.option(
    "--show-misses/--hide-misses",
    default=None,
    help="List each miss (question, expected, got). Default: shown for dev, hidden for heldout — the held-out set is "
    "for measuring only, never for tuning, so its misses are printed only when asked for.",
)
@json_option
@pass_config
def eval_laws(
    config: Config,
    which: str,
    law_json: Path,
    index_dir: Path | None,
    embedder: str | None,
    show_misses: bool | None,
    as_json: bool,
) -> None:
    """Article search, owner extraction and owner answers on a set of Vietnamese laws, per language.

    Writes the set's laws as files, indexes them (in a temporary folder unless --index) and scores the set's gold in
    policykb/eval/data/SET/: hit@1, hit@5 and MRR@10 of the answering article in every mode; precision and recall of
    the extracted assignments; how often the first owner answer names the right lead, names no-one, or names an
    owner its cited text does not (invented).

    Example: policykb eval laws --set dev --embedder fake --json
    """
    from policykb.eval.lawsets import evaluate_law_set

    config = replace(config, embedder=embedder or config.embedder)
    result = evaluate_law_set(config, which, law_json, index_dir, show_misses)
    if as_json:
        print_json(result)
        return
    _echo_law_set(result)


def _echo_law_set(result: dict) -> None:
    """The scores as a few readable lines, then the misses (when shown)."""
    click.echo(
        f"{result['set']}: {len(result['laws'])} laws, {result['documents']} documents, {result['passages']} passages, "
        f"{result['embedder']}, {result['date']}"
    )
    for language, blocks in result["languages"].items():
        for mode, scores in blocks.get("article_search", {}).items():
            click.echo(
                f"  [{language}] search {mode:<8} {scores['questions']:>3} q  hit@1 {scores['hit@1']:.3f}  "
                f"hit@5 {scores['hit@5']:.3f}  MRR@10 {scores['mrr@10']:.3f}"
            )
        if "owner_answers" in blocks:
            click.echo(f"  [{language}] owners  {json.dumps(blocks['owner_answers'], ensure_ascii=False)}")
    if "extraction" in result:
        click.echo(f"  extraction {json.dumps(result['extraction'], ensure_ascii=False)}")
    misses = result["misses"]
    if isinstance(misses, str):
        click.echo(f"  misses: {misses}")
        return
    for miss in misses:
        click.echo(
            f"  miss [{miss['set']}] {miss['question']}\n      expected {miss['expected']}\n      got {miss['got']}"
        )


@eval_group.command("ocr")
@click.option(
    "--dpi",
    "dpis",
    type=int,
    multiple=True,
    default=(300, 200),
    show_default=True,
    help="OCR rendering resolutions to compare; repeatable.",
)
@click.option("--pages", default=2, show_default=True, type=int, help="Largest number of pages drawn per document.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the results here.")
@click.option(
    "--langs",
    multiple=True,
    help="Instead: only the CER of these language settings (e.g. --langs vie+eng --langs eng) "
    "at the first --dpi, no search.",
)
def eval_ocr(dpis: tuple[int, ...], pages: int, output: Path | None, langs: tuple[str, ...]) -> None:
    """OCR quality and speed through policykb's own OCR path: CER, pages/s and search hit@5 on drawn scans.

    Example: policykb eval ocr --dpi 300 --dpi 200 --pages 2 -o /tmp/ocr.json
    """
    from policykb.eval.ocr import run_ocr_benchmark

    def report(run: dict) -> None:
        click.echo(
            json.dumps(run, ensure_ascii=False) if "langs" in run else json.dumps(run, ensure_ascii=False, indent=1)
        )

    results = run_ocr_benchmark(list(dpis), pages, list(langs), report)
    if output:
        output.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


@eval_group.command("law-files")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@law_json_option
@click.option(
    "--set", "which", type=click.Choice(["dev", "heldout", "all"]), default="dev", show_default=True, help="Which laws."
)
def eval_law_files(out: Path, law_json: Path, which: str) -> None:
    """Write ALQAC's laws as a user would have them: one .txt per law with "Điều N." headings, and a sidecar.

    The development set is the four laws owner extraction and article search were shaped on; "heldout" writes the
    others, for measuring only.
    Example: policykb eval law-files /tmp/laws --set dev && policykb --data /tmp/laws-idx ingest /tmp/laws
    """
    from policykb.eval.laws import write_law_files

    for path in write_law_files(law_json, out, which):
        click.echo(path)


@eval_group.command("relations")
@click.option(
    "--set", "which", type=click.Choice(["dev", "heldout"]), default="dev", show_default=True, help="Which gold set."
)
@law_json_option
@click.option(
    "--show-misses/--hide-misses",
    default=None,
    help="List the wrong and missed relations. Default: shown for dev, hidden for heldout (for measuring only).",
)
@json_option
def eval_relations(which: str, law_json: Path, show_misses: bool | None, as_json: bool) -> None:
    """Precision and recall of relation extraction, by kind, on each part of a gold set and on the set as a whole.

    dev: the development fixtures, the bundled corpus and the four development laws of law.json (left out when it is
    missing); heldout: fixtures written before the rules. Documents are read as ingest reads them; nothing is indexed.
    Example: policykb eval relations --set heldout
    """
    from policykb.eval.relations import evaluate_relations

    result = evaluate_relations(which, law_json, show_misses)
    if as_json:
        print_json(result)
        return
    for name, scores in [*result["parts"].items(), ("all", result["all"])]:
        click.echo(_relation_scores(f"{which}/{name}", scores))
        for kind, figures in scores["by_kind"].items():
            click.echo(_relation_scores(f"    {kind}", figures))
        if isinstance(scores["wrong"], list):
            for label, items in (("wrong", scores["wrong"]), ("missed", scores["missed"])):
                for item in items:
                    click.echo(f"    {label}: {item}")


def _relation_scores(name: str, figures: dict) -> str:
    def shown(value: float | None) -> str:
        return "  —  " if value is None else f"{value:.3f}"

    return (
        f"{name:<22} gold {figures['gold']:>3}  found {figures['found']:>3}  right {figures['right']:>3}  "
        f"precision {shown(figures['precision'])}  recall {shown(figures['recall'])}"
    )
