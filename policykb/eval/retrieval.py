"""Retrieval evaluation: BEIR-format data sets, ALQAC (Vietnamese law articles) and the policy query set."""

from __future__ import annotations

import csv
import gzip
import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from policykb.config import Config
from policykb.errors import PolicyKBError
from policykb.glossary import NO_GLOSSARY
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import make_embedder
from policykb.search.query import plan_query
from policykb.search.searcher import MODES, Searcher
from policykb.store import Filters, slugify

DEPTH = 100
Metric = Callable[[list[str], dict[str, int]], float]


def _read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_beir(folder: Path, split: str = "test") -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    """(corpus, queries by id, qrels: query id -> {doc id: relevance}) of a BEIR folder."""
    corpus_path = next(
        (folder / name for name in ("corpus.jsonl.gz", "corpus.jsonl") if (folder / name).exists()), None
    )
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if corpus_path is None or not (folder / "queries.jsonl").exists() or not qrels_path.exists():
        raise PolicyKBError(
            f"{folder} is not a BEIR folder: it needs corpus.jsonl[.gz], queries.jsonl and qrels/{split}.tsv"
        )
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {q["_id"]: q["text"] for q in _read_jsonl(folder / "queries.jsonl") if q["_id"] in qrels}
    return _read_jsonl(corpus_path), queries, qrels


def write_corpus_files(corpus: list[dict], folder: Path) -> None:
    """One text file per corpus document, its title in a sidecar, so the ordinary ingest path is what is measured."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in corpus:
        name = f"{doc['_id']}.txt"
        (folder / name).write_text(doc.get("text") or doc.get("title") or "(empty)", encoding="utf-8")
        if doc.get("title"):
            (folder / f"{name}.meta.json").write_text(
                json.dumps({"title": doc["title"]}, ensure_ascii=False), encoding="utf-8"
            )


def load_alqac(folder: Path, with_choices: bool = True) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    """(corpus, queries by id, qrels) of an ALQAC folder: every law article a document, train.json's questions.

    A multiple-choice question is asked with its choices (unless `with_choices` is off), as a reader answering it has them.
    """
    law_path, train_path = folder / "law.json", folder / "train.json"
    if not law_path.exists() or not train_path.exists():
        raise PolicyKBError(f"{folder} is not an ALQAC folder: it needs law.json and train.json")
    laws = json.loads(law_path.read_text(encoding="utf-8"))
    corpus = [
        {
            "_id": alqac_article_id(law["id"], article["id"]),
            "title": f"Điều {article['id']} — {law['id']}",
            "text": article["text"],
        }
        for law in laws
        for article in law["articles"]
    ]
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for question in json.loads(train_path.read_text(encoding="utf-8")):
        choices = (question.get("choices") or {}).values() if with_choices else ()
        queries[question["question_id"]] = " ".join([question["text"], *choices])
        qrels[question["question_id"]] = {
            alqac_article_id(gold["law_id"], gold["article_id"]): 1 for gold in question["relevant_articles"]
        }
    return corpus, queries, qrels


def alqac_article_id(law: str, article: str) -> str:
    return f"{slugify(law)}-{article}"


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    gains = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(sorted(relevant.values(), reverse=True)[:k]))
    return gains / ideal if ideal else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    return next((1.0 / (rank + 1) for rank, doc in enumerate(ranked[:k]) if doc in relevant), 0.0)


def ranked_documents(searcher: Searcher, query: str, mode: str, doc_of: dict[int, str]) -> list[str]:
    """Documents in the order their best passage ranks (no per-document cap, no near-duplicate removal)."""
    plan = plan_query(query, searcher.glossary)
    chunks = searcher.rank(plan, mode, Filters(), DEPTH * 3)
    return list(dict.fromkeys(doc_of[chunk_id] for chunk_id, _ in chunks if chunk_id in doc_of))[:DEPTH]


def corpus_ids_by_chunk(store) -> dict[int, str]:
    """The corpus id of every chunk's document: its file's name, which `write_corpus_files` chose."""
    rows = store.conn.execute("SELECT c.id, d.source FROM chunks c JOIN documents d ON d.id = c.doc_id")
    return {chunk_id: Path(source).name.removesuffix(".txt") for chunk_id, source in rows}


def score_modes(
    searcher: Searcher, queries: dict[str, str], qrels: dict[str, dict[str, int]], metrics: dict[str, Metric]
) -> dict[str, dict]:
    """The mean of each metric over the queries, for every search mode."""
    doc_of = corpus_ids_by_chunk(searcher.store)
    results: dict[str, dict] = {}
    for mode in MODES:
        totals = dict.fromkeys(metrics, 0.0)
        for query_id, text in queries.items():
            ranked = ranked_documents(searcher, text, mode, doc_of)
            for name, metric in metrics.items():
                totals[name] += metric(ranked, qrels[query_id])
        results[mode] = {name: round(value / len(queries), 4) for name, value in totals.items()}
    return results


def evaluate_corpus(
    config: Config,
    corpus: list[dict],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    metrics: dict[str, Metric],
    data_dir: Path | None = None,
) -> dict:
    """Index the corpus through the ordinary ingest path and score every mode.

    The index goes to `data_dir` (with its source files, so a re-run finds them unchanged) or a temporary folder.
    """
    with tempfile.TemporaryDirectory(prefix="policykb-eval-") as tmp:
        data = data_dir or Path(tmp) / "data"
        files = data / "eval-files" if data_dir else Path(tmp) / "corpus"
        write_corpus_files(corpus, files)
        cfg = replace(config, data_dir=data, glossary_path=NO_GLOSSARY)
        embedder = make_embedder(cfg.embedder, config.models_dir)
        started = time.perf_counter()
        with Indexer(cfg, embedder, progress=True) as indexer:
            report = indexer.ingest([files])
        searcher = Searcher(cfg, embedder)
        try:
            results = score_modes(searcher, queries, qrels, metrics)
        finally:
            searcher.close()
    return {
        "queries": len(queries),
        "documents": len(corpus),
        "chunks": report.chunks or None,
        "embedder": embedder.name,
        "seconds": round(time.perf_counter() - started, 1),
        "modes": results,
    }


BEIR_METRICS: dict[str, Metric] = {"ndcg@10": ndcg_at, "recall@100": recall_at, "mrr@10": mrr_at}
ALQAC_METRICS: dict[str, Metric] = {"recall@10": partial(recall_at, k=10), "mrr@10": mrr_at, "ndcg@10": ndcg_at}


def evaluate_beir(
    config: Config, folder: Path, split: str = "test", data_dir: Path | None = None, limit: int | None = None
) -> dict:
    """nDCG@10, Recall@100 and MRR@10 of every mode on a BEIR folder's split."""
    corpus, queries, qrels = load_beir(folder, split)
    if limit:
        queries = dict(list(queries.items())[:limit])
    return {
        "dataset": str(folder),
        "split": split,
        **evaluate_corpus(config, corpus, queries, qrels, BEIR_METRICS, data_dir),
    }


def evaluate_alqac(
    config: Config, folder: Path, data_dir: Path | None = None, limit: int | None = None, with_choices: bool = True
) -> dict:
    """Recall@10, MRR@10 and nDCG@10 of every mode on ALQAC's labelled (train.json) questions."""
    corpus, queries, qrels = load_alqac(folder, with_choices)
    if limit:
        queries = dict(list(queries.items())[:limit])
    split = "train" if with_choices else "train, questions without their choices"
    return {
        "dataset": str(folder),
        "split": split,
        **evaluate_corpus(config, corpus, queries, qrels, ALQAC_METRICS, data_dir),
    }


def evaluate_queries(searcher: Searcher, path: Path, mode: str = "hybrid") -> dict:
    """hit@1, hit@5 and MRR@10 of a JSONL set of {"query", "doc", "phrase"}: a hit is the document with the phrase;
    the same per language when items say theirs (a question in one language about a document in another is its own
    row there)."""
    items = _read_jsonl(path)
    if not items:
        raise PolicyKBError(f"{path} holds no queries")
    ranks: dict[str, list[int | None]] = {}
    misses = []
    for item in items:
        hits = searcher.search(item["query"], mode=mode, k=10).hits
        phrase = item["phrase"].lower()
        rank = next(
            (n for n, hit in enumerate(hits, 1) if hit.doc_id == item["doc"] and phrase in hit.text.lower()), None
        )
        ranks.setdefault(item.get("language", "?"), []).append(rank)
        if rank is None or rank > 5:
            misses.append({"query": item["query"], "rank": rank})
    everything = [rank for language in ranks.values() for rank in language]
    by_language = {language: _rank_scores(found) for language, found in sorted(ranks.items())} if len(ranks) > 1 else {}
    return {
        "queries": len(items),
        "mode": mode,
        **_rank_scores(everything),
        "by_language": by_language,
        "misses": misses,
    }


def _rank_scores(ranks: list[int | None]) -> dict:
    n = len(ranks)
    return {
        "hit@1": round(sum(rank == 1 for rank in ranks) / n, 4),
        "hit@5": round(sum(rank is not None and rank <= 5 for rank in ranks) / n, 4),
        "mrr@10": round(sum(1 / rank for rank in ranks if rank) / n, 4),
    }
