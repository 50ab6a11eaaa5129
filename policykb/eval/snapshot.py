"""Behaviour snapshot: the top 10 of every query of every evaluation set, in every mode, with and without filters.

Two snapshots of the same indexes taken by two versions of the code are equal when the change between them kept
search, owner answers and extraction as they were; `compare_snapshots` names what differs.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from policykb.bench.synthetic import Vocabulary, benchmark_queries, write_synthetic_corpus
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.eval.retrieval import load_alqac, load_beir, write_corpus_files
from policykb.eval.sets import OWNERS_DOCUMENTS, OWNERS_QUESTIONS, POLICY_QUERIES
from policykb.glossary import NO_GLOSSARY, load_glossary
from policykb.ingest.indexer import Indexer
from policykb.owners.answer import OwnersFinder
from policykb.search.embedder import Embedder, make_embedder
from policykb.search.searcher import MODES, Searcher
from policykb.search.terms_files import load_terms
from policykb.search.terms_live import LIVE_SHARE, LiveTermMatrix
from policykb.store import Filters, Store

SYNTHETIC_CHUNKS = 10_000
SYNTHETIC_FILES = "synthetic-files"  # under the synthetic set's data folder; the two-step index reads them there
SYNTHETIC_QUERIES = 200
# A filter of each kind the search page offers, so the filtered paths are compared too.
POLICY_FILTERS = {
    "none": Filters(),
    "lang=en": Filters(language="en"),
    "type=news": Filters(doc_type="news"),
    "agency=MOLISA": Filters(agency="MOLISA"),
}
SYNTHETIC_FILTERS = {
    "none": Filters(),
    "lang=en": Filters(language="en"),
    "type=resolution": Filters(doc_type="resolution"),
    "year=2020": Filters(year=2020),
}


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _index(config: Config, embedder: Embedder, folders: list[Path]) -> None:
    with Indexer(config, embedder, progress=True) as indexer:
        indexer.ingest(folders)


def _index_afresh(config: Config, embedder: Embedder, folders: list[Path]) -> None:
    """Index copies of small folders into an empty data folder: a document's id and its chunks' ids then depend only
    on the files, never on where the checkout that takes the snapshot lies."""
    shutil.rmtree(config.data_dir, ignore_errors=True)
    copies = [shutil.copytree(folder, config.data_dir / "files" / folder.name) for folder in folders]
    _index(config, embedder, copies)


def _top(searcher: Searcher, queries: list[str], filters: dict[str, Filters]) -> dict:
    """Per mode and filter, per query: the top 10 passages as (document, chunk, start, end, score)."""
    out: dict[str, dict] = {}
    for mode in MODES:
        for name, chosen in filters.items():
            out[f"{mode}/{name}"] = [
                [
                    [hit.doc_id, hit.chunk_id, hit.start, hit.end, round(hit.score, 6)]
                    for hit in searcher.search(query, mode=mode, filters=chosen, k=10).hits
                ]
                for query in queries
            ]
    return out


def _searched(config: Config, embedder: Embedder, queries: list[str], filters: dict[str, Filters]) -> dict:
    searcher = Searcher(config, embedder)
    try:
        return _top(searcher, queries, filters)
    finally:
        searcher.close()


def snapshot_policy(config: Config, embedder: Embedder) -> dict:
    _index_afresh(config, embedder, [DEFAULT_CORPUS_DIR])
    queries = [item["query"] for item in _read_jsonl(POLICY_QUERIES)]
    return _searched(config, embedder, queries, POLICY_FILTERS)


def snapshot_owners(config: Config, embedder: Embedder) -> dict:
    _index_afresh(config, embedder, [DEFAULT_CORPUS_DIR, OWNERS_DOCUMENTS])
    searcher = Searcher(config, embedder)
    try:
        finder = OwnersFinder(searcher)
        keys = ("doc_id", "task", "lead", "coordinating", "deadline", "start", "end", "score")
        answers = {
            q["question"]: [[getattr(row, key) for key in keys] for row in finder.ask(q["question"], k=5).assignments]
            for q in _read_jsonl(OWNERS_QUESTIONS)
        }
        matrix = [[getattr(row, key) for key in keys] for row in finder.all().assignments]
        agencies = {agency: len(finder.for_agency(agency).assignments) for agency in finder.leads()}
        return {"answers": answers, "matrix": matrix, "by_agency": agencies}
    finally:
        searcher.close()


def snapshot_corpus(config: Config, embedder: Embedder, corpus: list[dict], queries: dict[str, str]) -> dict:
    files = config.data_dir / "eval-files"
    write_corpus_files(corpus, files)
    config = replace(config, glossary_path=NO_GLOSSARY)
    _index(config, embedder, [files])
    return _searched(config, embedder, list(queries.values()), {"none": Filters()})


def snapshot_synthetic(config: Config, embedder: Embedder) -> dict:
    # The term matrix from 1,000 passages, so that its ranking path is compared too.
    config = replace(config, term_matrix_threshold=1000)
    vocab = Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(config.glossary_path))
    files = config.data_dir / SYNTHETIC_FILES
    if not files.exists():
        write_synthetic_corpus(files, SYNTHETIC_CHUNKS, vocab)
    _index(config, embedder, [files])
    queries = [text for _, text in benchmark_queries(SYNTHETIC_QUERIES, vocab)]
    return _searched(config, embedder, queries, SYNTHETIC_FILTERS)


def snapshot_synthetic_live(config: Config, embedder: Embedder, files: Path) -> dict:
    """The synthetic set indexed in two steps, so that its searches read a live term matrix: all but its last files
    (the whole matrix is built), then the rest (within LIVE_SHARE: only the added rows are written). Its results must
    equal those of the set indexed at once."""
    config = replace(config, term_matrix_threshold=1000)
    paths = sorted(files.iterdir())
    _index(config, embedder, paths[: len(paths) - max(1, int(len(paths) * LIVE_SHARE / 2))])
    _index(config, embedder, [files])
    with Store(config.db_path, readonly=True) as store:
        if not isinstance(load_terms(config.data_dir, store.generation()), LiveTermMatrix):
            raise RuntimeError(f"{config.data_dir}: the second step did not leave a live term matrix")
    vocab = Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(config.glossary_path))
    queries = [text for _, text in benchmark_queries(SYNTHETIC_QUERIES, vocab)]
    return _searched(config, embedder, queries, SYNTHETIC_FILTERS)


def take_snapshot(config: Config, index_dir: Path, testdata: Path | None) -> dict:
    """Index every set into its own folder under `index_dir` (kept: a second snapshot embeds nothing) and record the
    results. SciFact and ALQAC come from `testdata` when it is there."""
    embedder = make_embedder(config.embedder, config.models_dir)
    at = lambda name: replace(config, data_dir=index_dir / name)  # noqa: E731
    snapshot = {
        "embedder": embedder.name,
        "policy": snapshot_policy(at("policy"), embedder),
        "owners": snapshot_owners(at("owners"), embedder),
        "synthetic": snapshot_synthetic(at("synthetic"), embedder),
    }
    snapshot["synthetic-live"] = snapshot_synthetic_live(
        at("synthetic-live"), embedder, index_dir / "synthetic" / SYNTHETIC_FILES
    )
    if testdata is not None and (testdata / "beir-scifact").is_dir():
        corpus, queries, _ = load_beir(testdata / "beir-scifact", "test")
        snapshot["scifact"] = snapshot_corpus(at("scifact"), embedder, corpus, queries)
    if testdata is not None and (testdata / "alqac2023").is_dir():
        corpus, queries, _ = load_alqac(testdata / "alqac2023")
        snapshot["alqac"] = snapshot_corpus(at("alqac"), embedder, corpus, queries)
    return snapshot


def compare_snapshots(before: dict, after: dict, path: str = "") -> list[str]:
    """Where two snapshots differ, as paths into them; empty when they are equal."""
    if isinstance(before, dict) and isinstance(after, dict):
        differences = [f"{path}/{key}: only in one" for key in before.keys() ^ after.keys()]
        for key in sorted(before.keys() & after.keys()):
            differences += compare_snapshots(before[key], after[key], f"{path}/{key}")
        return differences
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for n, (b, a) in enumerate(zip(before, after)) for d in compare_snapshots(b, a, f"{path}[{n}]")]
    return [] if before == after else [f"{path}: {json.dumps(before)[:200]} ≠ {json.dumps(after)[:200]}"]
