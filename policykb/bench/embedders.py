"""Embedders side by side in one run: chunks/s and agreement with the torch embeddings.

Usage: policykb bench embedders [--chunks 500] [--rounds 5] [--agreement-chunks 1000]
Embeds the same synthetic policy chunks with each backend (torch, ONNX fp32, ONNX int8) in turn, round after round, with
the same batches (sorted by length, 32 a batch); reports every round, the medians, and the median of each round's ratio to
torch, so that a burst of other work on a shared machine hurts all backends alike. Agreement with the torch vectors is
measured once over --agreement-chunks texts.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from policykb.bench.synthetic import Vocabulary, write_synthetic_corpus
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.ingest import parse_file
from policykb.ingest.indexer import embedding_input
from policykb.search.embedder import make_embedder


def sample_texts(count: int) -> list[str]:
    config = Config.from_env()
    glossary = load_glossary(config.glossary_path)
    with tempfile.TemporaryDirectory() as tmp:
        write_synthetic_corpus(Path(tmp), count, Vocabulary(DEFAULT_CORPUS_DIR, glossary))
        texts = [
            embedding_input(doc.title, chunk)
            for path in sorted(Path(tmp).glob("*.txt"))
            for doc in [parse_file(path, glossary)]
            for chunk in doc.chunks
        ]
    return texts[:count]


def compare_embedders(chunks: int = 500, rounds: int = 5, agreement_chunks: int = 1000) -> dict:
    """chunks/s of torch, ONNX fp32 and ONNX int8 round after round, and each one's cosine with the torch vectors."""
    agreement_texts = sample_texts(max(chunks, agreement_chunks))
    texts = agreement_texts[:chunks]
    models = Config.from_env().models_dir
    embedders = {name: make_embedder(name, models) for name in ("minilm", "onnx", "onnx-int8")}
    for embedder in embedders.values():
        embedder.embed_documents(texts[:64])  # warm up
    load_before = os.getloadavg()
    rates: dict[str, list[float]] = {name: [] for name in embedders}
    for _ in range(rounds):
        for name, embedder in embedders.items():
            started = time.perf_counter()
            embedder.embed_documents(texts)
            rates[name].append(len(texts) / (time.perf_counter() - started))
    load_after = os.getloadavg()
    vectors = {name: embedder.embed_documents(agreement_texts) for name, embedder in embedders.items()}
    report = {
        "chunks": len(texts),
        "rounds": rounds,
        "median_chars": int(np.median([len(t) for t in texts])),
        "agreement_chunks": len(agreement_texts),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "backends": {},
    }
    for name, embedder in embedders.items():
        agreement = (vectors[name] * vectors["minilm"]).sum(axis=1)
        report["backends"][name] = {
            "embedder_name": embedder.name,
            "chunks_per_s_rounds": [round(rate, 1) for rate in rates[name]],
            "chunks_per_s_median": round(float(np.median(rates[name])), 1),
            "speedup_vs_torch_median_of_rounds": round(
                float(np.median(np.array(rates[name]) / np.array(rates["minilm"]))), 2
            ),
            "cosine_mean": round(float(agreement.mean()), 4),
            "cosine_min": round(float(agreement.min()), 4),
        }
    return report
