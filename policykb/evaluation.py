"""Retrieval evaluation: BEIR-format data sets (nDCG@10, Recall@100, MRR@10 per mode) and the policy query set."""

from __future__ import annotations

import csv
import gzip
import json
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from policykb.config import Config
from policykb.errors import PolicyKBError
from policykb.index.embedder import make_embedder
from policykb.index.indexer import Indexer
from policykb.index.query import plan_query
from policykb.index.search import MODES, Searcher
from policykb.index.store import Filters

DEPTH = 100


def _read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_beir(folder: Path, split: str = "test") -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    """(corpus, queries by id, qrels: query id -> {doc id: relevance}) of a BEIR folder."""
    corpus_path = next((folder / name for name in ("corpus.jsonl.gz", "corpus.jsonl") if (folder / name).exists()), None)
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if corpus_path is None or not (folder / "queries.jsonl").exists() or not qrels_path.exists():
        raise PolicyKBError(f"{folder} is not a BEIR folder: it needs corpus.jsonl[.gz], queries.jsonl and qrels/{split}.tsv")
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {q["_id"]: q["text"] for q in _read_jsonl(folder / "queries.jsonl") if q["_id"] in qrels}
    return _read_jsonl(corpus_path), queries, qrels


def write_corpus_files(corpus: list[dict], folder: Path) -> None:
    """One text file per BEIR document, its title in a sidecar, so the ordinary ingest path is what is measured."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in corpus:
        name = f"{doc['_id']}.txt"
        (folder / name).write_text(doc.get("text") or doc.get("title") or "(empty)", encoding="utf-8")
        if doc.get("title"):
            (folder / f"{name}.meta.json").write_text(json.dumps({"title": doc["title"]}), encoding="utf-8")


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
    chunks = searcher._rank(plan, mode, Filters(), DEPTH * 3)
    return list(dict.fromkeys(doc_of[chunk_id] for chunk_id, _ in chunks if chunk_id in doc_of))[:DEPTH]


def evaluate_beir(config: Config, folder: Path, split: str = "test", data_dir: Path | None = None, limit: int | None = None) -> dict:
    """Index the corpus (in `data_dir`, kept for re-runs, or a temporary folder) and score every mode on the split."""
    corpus, queries, qrels = load_beir(folder, split)
    if limit:
        queries = dict(list(queries.items())[:limit])
    with tempfile.TemporaryDirectory(prefix="policykb-eval-") as tmp:
        data = data_dir or Path(tmp) / "data"
        files = Path(tmp) / "corpus"
        write_corpus_files(corpus, files)
        cfg = replace(config, data_dir=data, glossary_path=Path(tmp) / "no-glossary.json")
        embedder = make_embedder(cfg.embedder, config.models_dir)
        started = time.perf_counter()
        with Indexer(cfg, embedder, progress=True) as indexer:
            report = indexer.ingest([files])
        searcher = Searcher(cfg, embedder)
        doc_of = {row[0]: row[1] for row in searcher.store.conn.execute("SELECT id, doc_id FROM chunks")}
        results: dict[str, dict] = {}
        for mode in MODES:
            scores = {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
            for query_id, text in queries.items():
                ranked = ranked_documents(searcher, text, mode, doc_of)
                scores["ndcg@10"] += ndcg_at(ranked, qrels[query_id])
                scores["recall@100"] += recall_at(ranked, qrels[query_id])
                scores["mrr@10"] += mrr_at(ranked, qrels[query_id])
            results[mode] = {name: round(value / len(queries), 4) for name, value in scores.items()}
        searcher.close()
    return {"dataset": str(folder), "split": split, "queries": len(queries), "documents": len(corpus),
            "chunks": report.chunks or None, "embedder": embedder.name, "seconds": round(time.perf_counter() - started, 1),
            "modes": results}


def evaluate_queries(searcher: Searcher, path: Path, mode: str = "hybrid") -> dict:
    """hit@1, hit@5 and MRR@10 of a JSONL set of {"query", "doc", "phrase"}: a hit is the document with the phrase."""
    items = _read_jsonl(path)
    if not items:
        raise PolicyKBError(f"{path} holds no queries")
    totals = {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0}
    misses = []
    for item in items:
        hits = searcher.search(item["query"], mode=mode, k=10).hits
        rank = next((n for n, hit in enumerate(hits, 1) if hit.doc_id == item["doc"] and item["phrase"].lower() in hit.text.lower()), None)
        totals["hit@1"] += rank == 1
        totals["hit@5"] += rank is not None and rank <= 5
        totals["mrr@10"] += 1 / rank if rank else 0.0
        if rank is None or rank > 5:
            misses.append({"query": item["query"], "rank": rank})
    return {"queries": len(items), "mode": mode, **{k: round(v / len(items), 4) for k, v in totals.items()}, "misses": misses}
