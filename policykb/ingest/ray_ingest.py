"""Bulk ingest on a Ray cluster (`policykb ingest --ray ADDRESS PATH…`): a Ray Data pipeline reads (and OCRs) the files
in parallel tasks and embeds their passages in actors that each load the model once, across the cluster; this process
decides which files need reading (content hashes against the store), then writes every document through the store as
its vectors come back, and the derived files once at the end. Every node must see the files at the same paths (shared
storage), as it sees the glossary and the package."""

from __future__ import annotations

import json
import logging
import os
import pickle
import time
from pathlib import Path

import numpy as np

from policykb.config import Config
from policykb.errors import IngestError, PolicyKBError
from policykb.glossary import load_glossary
from policykb.ingest.indexer import Indexer, IngestReport, PlannedFile, embedding_input, parse_planned, unreadable
from policykb.ingest.ocr import OcrSettings
from policykb.ingest.pipeline import collect_files
from policykb.store.collections import PUBLIC

PARSE_CPUS = 1  # a file is read on one core (OCR runs one Tesseract per page within it)
EMBED_BATCH_FILES = 4  # documents embedded per actor call


class _Read:
    """A Ray task: one file read into a Document (pickled), or the error that names why it cannot be."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.glossary = load_glossary(config.glossary_path)
        self.ocr = OcrSettings.from_config(config, progress=False)

    def __call__(self, row: dict) -> dict:
        planned: PlannedFile = pickle.loads(row["planned"])
        try:
            doc = parse_planned(self.config, planned, self.glossary, self.ocr)
        except IngestError as exc:
            return _failed(row, exc)
        except Exception as exc:  # one odd file must never stop the run
            return _failed(row, unreadable(planned.path, exc))
        return {"planned": row["planned"], "doc": pickle.dumps(doc), "error": ""}


def _failed(row: dict, error: IngestError) -> dict:
    """A row saying why its file cannot be read (an exception's own pickle does not carry IngestError's fields)."""
    return {"planned": row["planned"], "doc": b"", "error": json.dumps([error.path, error.reason, error.fix])}


class _Embed:
    """A Ray actor: the configured model, loaded once, embedding the passages of a batch of read documents."""

    def __init__(self, config: Config) -> None:
        from policykb.search.embedder import make_embedder

        self.embedder = make_embedder(config.embedder, config.models_dir)

    def __call__(self, batch: dict) -> dict:
        vectors = []
        for doc_bytes in batch["doc"]:
            if not doc_bytes:
                vectors.append(b"")
                continue
            doc = pickle.loads(doc_bytes)
            texts = [embedding_input(doc.title, chunk) for chunk in doc.chunks]
            vectors.append(self.embedder.embed_documents(texts).astype(np.float32).tobytes())
        return {
            **batch,
            "vectors": np.array(vectors, dtype=object),
            "embedder": np.array([f"{self.embedder.name}\0{self.embedder.dim}"] * len(vectors), dtype=object),
        }


def ingest_with_ray(
    config: Config, paths: list[Path], collection: str = PUBLIC, address: str = "local", progress: bool = True
) -> IngestReport:
    """Ingest files and folders into `collection` through a Ray cluster at `address` ("local": one started for the
    run on this machine); the report is `policykb ingest`'s."""
    try:
        import ray
    except ImportError as error:
        raise PolicyKBError("--ray needs Ray, which is not installed — pip install -e '.[ray]'") from error

    started = time.perf_counter()
    report = IngestReport()
    with Indexer(config, progress=progress) as indexer:
        indexer.store.check_ingest_target(collection)
        files, report.errors = collect_files(paths)
        report.files = len(files)
        planned = []
        for path in files:
            try:
                if (plan := indexer.plan_file(path, report, collection)) is not None:
                    planned.append(plan)
            except Exception as exc:  # as ingest: the file is named, the rest goes on
                report.errors.append(exc if isinstance(exc, IngestError) else unreadable(path, exc))
        if planned:
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves the machine
            try:
                ray.init(
                    address=None if address == "local" else address,
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.WARNING,
                )
            except (ConnectionError, ValueError, RuntimeError, ImportError) as error:
                first = (str(error).strip().splitlines() or [type(error).__name__])[0]
                raise PolicyKBError(
                    f"--ray {address}: {first} — start the cluster (ray start --head), or give its address "
                    "(HOST:6379 from a cluster node), or `local`"
                ) from error
            ray.data.DataContext.get_current().enable_progress_bars = progress
            try:
                _run_pipeline(config, indexer, planned, collection, report)
            finally:
                ray.shutdown()
        if planned or indexer.store.count_chunks():
            indexer.save_derived(int(indexer.store.meta("dim") or 384))
    report.seconds = time.perf_counter() - started
    return report


def _run_pipeline(
    config: Config, indexer: Indexer, planned: list[PlannedFile], collection: str, report: IngestReport
) -> None:
    import ray
    import ray.data

    cpus = max(2, int(ray.cluster_resources().get("CPU", 2)))
    rows = ray.data.from_items([{"planned": pickle.dumps(plan)} for plan in planned])
    # Half the cluster's cores read files and half embed: on two cores, one of each.
    actors = ray.data.ActorPoolStrategy(size=cpus // 2)
    read = rows.map(_Read, fn_constructor_kwargs={"config": config}, num_cpus=PARSE_CPUS, compute=actors)
    embedded = read.map_batches(
        _Embed,
        fn_constructor_kwargs={"config": config},
        batch_size=EMBED_BATCH_FILES,
        num_cpus=1,
        compute=actors,
    )
    checked = False
    for row in embedded.iter_rows():
        plan: PlannedFile = pickle.loads(row["planned"])
        if row["error"]:
            report.errors.append(IngestError(*json.loads(row["error"])))
            continue
        doc = pickle.loads(row["doc"])
        doc.collection = collection
        name, dim = row["embedder"].split("\0")
        if not checked:
            indexer.check_embedder(name, int(dim))
            checked = True
        vectors = np.frombuffer(row["vectors"], dtype=np.float32).reshape(len(doc.chunks), int(dim))
        plan.count_in(report)
        indexer.write_embedded(plan.doc_id, doc, vectors, name, report)
