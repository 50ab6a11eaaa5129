"""Embedders side by side in one run: chunks/s and agreement with the torch embeddings.

Usage: python bench/embedders.py [--chunks 1000]
Embeds the same synthetic policy chunks with each backend (torch, ONNX fp32, ONNX int8), in turn, twice, and reports the
better of the two rounds, so that a burst of other work on the machine hurts all of them alike.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policykb.bench import Vocabulary, write_synthetic_corpus  # noqa: E402
from policykb.config import DEFAULT_CORPUS_DIR, Config  # noqa: E402
from policykb.glossary import load_glossary  # noqa: E402
from policykb.index.embedder import make_embedder  # noqa: E402
from policykb.index.indexer import embedding_input  # noqa: E402
from policykb.ingest import parse_file  # noqa: E402


def sample_texts(count: int) -> list[str]:
    config = Config.from_env()
    glossary = load_glossary(config.glossary_path)
    with tempfile.TemporaryDirectory() as tmp:
        write_synthetic_corpus(Path(tmp), count, Vocabulary(DEFAULT_CORPUS_DIR, glossary))
        texts = [embedding_input(doc.title, chunk) for path in sorted(Path(tmp).glob("*.txt"))
                 for doc in [parse_file(path, glossary)] for chunk in doc.chunks]
    return texts[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=1000)
    args = parser.parse_args()
    texts = sample_texts(args.chunks)
    models = Config.from_env().models_dir
    embedders = {name: make_embedder(name, models) for name in ("minilm", "onnx", "onnx-int8")}
    for embedder in embedders.values():
        embedder.embed_documents(texts[:64])  # warm up
    best: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(2):
        for name, embedder in embedders.items():
            started = time.perf_counter()
            vectors[name] = embedder.embed_documents(texts)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
    torch_rate = len(texts) / best["minilm"]
    report = {"chunks": len(texts), "median_chars": int(np.median([len(t) for t in texts])), "backends": {}}
    for name in embedders:
        agreement = (vectors[name] * vectors["minilm"]).sum(axis=1)
        report["backends"][name] = {
            "chunks_per_s": round(len(texts) / best[name], 1), "speedup_vs_torch": round(len(texts) / best[name] / torch_rate, 2),
            "cosine_mean": round(float(agreement.mean()), 4), "cosine_min": round(float(agreement.min()), 4)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
