"""How soon a change is searchable: one new document of about 20 pages ingested into an existing index while a
reader polls it as a server does (a new Searcher once the store's generation moves), timed from the start of the
ingest; then its removal, timed alike. What issue 22's goal is measured by (≤ 10 s at a million passages).

    policykb bench freshness --data DIR [--pages 20]

DIR is changed and put back: the document is added, then removed. An index written by the scale benchmark
(`python -m policykb.bench.scale build --data DIR --chunks N`) is read with its synthetic vectors and embeds the new
passages near its own, after the configured model has embedded them too (unless --no-model-cost), so that the time
includes embedding; any other index with the embedder it was built with.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from policykb.bench.synthetic import SEED, Vocabulary, benchmark_queries
from policykb.bench.synthetic_index import EMBEDDER, PassageWriter
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import Embedder, make_embedder
from policykb.search.searcher import Searcher
from policykb.search.terms import terms_dir
from policykb.search.vectors import AnnSettings, VectorIndex, vector_file
from policykb.search.vectors_files import open_vectors, saved_vectors
from policykb.search.vectors_live import LiveVectorIndex
from policykb.store import Store

PAGE_CHARS = 3000  # a printed page of a policy document
POLL_SECONDS = 0.05


def document_text(pages: int, marker: str, vocab: Vocabulary) -> str:
    """About `pages` pages of synthetic policy text, each page naming `marker` (a word no other passage holds)."""
    writer = PassageWriter(vocab, SEED + 7)
    writer.pool = writer.pool[:2000]  # enough variety for one document
    text = [f"Decision on the {marker} programme"]
    for page in range(1, pages + 1):
        body = ""
        while len(body) < PAGE_CHARS:
            body += writer.paragraph() + "\n\n"
        text.append(f"{page}. The {marker} programme, part {page}\n\n{body}")
    return "\n\n".join(text)


class _Reader(threading.Thread):
    """A server's reader: a searcher of the current generation, asked for the marker until told to stop; notes when
    each thing was first seen, in seconds from `started`."""

    def __init__(
        self, config: Config, embedder: Embedder, marker: str, started: float, present: bool, before: int
    ) -> None:
        super().__init__(daemon=True)
        self.config, self.embedder, self.marker, self.started = config, embedder, marker, started
        self.before = before  # the store's generation before the change: the reader may first open after it
        self.present = present  # what the reader waits for: the document found (True) or gone (False)
        self.seen: dict[str, float] = {}
        self.slowest_ms = 0.0  # the slowest of its searches: FTS5 ranks alone until the term matrix is written
        self.last_poll = 0.0  # when its last full look began
        self.stop = threading.Event()

    def run(self) -> None:
        searcher = Searcher(self.config, self.embedder)
        first = self.before
        try:
            while not self.stop.is_set():
                polled = time.perf_counter()
                generation = searcher.current_generation()
                if generation != first:
                    self._note("store committed")
                if generation != searcher.generation:
                    searcher.close()
                    searcher = Searcher(self.config, self.embedder)
                if searcher.generation != first:
                    if saved_vectors(self.config.data_dir, searcher.generation) is not None:
                        self._note("vectors written")
                    if terms_dir(self.config.data_dir, searcher.generation).exists():
                        self._note("term matrix written")
                asked = time.perf_counter()
                hits = searcher.search(self.marker, "keyword", k=1).hits
                self.slowest_ms = max(self.slowest_ms, (time.perf_counter() - asked) * 1000)
                if bool(hits) == self.present and searcher.generation != first:
                    self._note("found" if self.present else "gone")
                self.last_poll = polled
                time.sleep(POLL_SECONDS)
        finally:
            searcher.close()

    def _note(self, what: str) -> None:
        self.seen.setdefault(what, round(time.perf_counter() - self.started, 3))


def time_freshness(config: Config, embedder: Embedder, pages: int, vocab: Vocabulary) -> dict:
    """Add one document of `pages` pages, then remove it, each while a reader polls; the seconds from the start of
    each change to what the reader saw, and the ingest's own."""
    marker = "fresh" + secrets.token_hex(5)
    with Store(config.db_path, readonly=True) as store:
        before = {"documents": store.count_documents(), "passages": store.count_chunks()}
    result: dict = {"index": before, "pages": pages}
    with tempfile.TemporaryDirectory(prefix="policykb-freshness-") as folder:
        path = Path(folder) / f"{marker}.txt"
        path.write_text(document_text(pages, marker, vocab), encoding="utf-8")
        with Indexer(config, embedder, progress=False) as indexer:
            for change in ("add", "remove"):
                with Store(config.db_path, readonly=True) as store:
                    generation = store.generation()
                started = time.perf_counter()
                reader = _Reader(config, embedder, marker, started, change == "add", generation)
                reader.start()
                if change == "add":
                    report = indexer.ingest([path])
                    if report.errors:
                        raise RuntimeError(f"the benchmark's document was not ingested: {report.errors[0]}")
                    result["passages_added"] = report.chunks
                else:
                    indexer.remove(str(path))
                finished = time.perf_counter()
                done = round(finished - started, 3)
                wanted = "found" if change == "add" else "gone"
                # until the reader has seen the change and looked once more since it was complete
                while (
                    (wanted not in reader.seen or reader.last_poll < finished)
                    and reader.is_alive()
                    and time.perf_counter() < finished + 600
                ):
                    time.sleep(POLL_SECONDS)
                reader.stop.set()
                reader.join()
                if wanted not in reader.seen:
                    raise RuntimeError(f"the reader never saw the document {wanted} within 10 minutes of the {change}")
                result[change] = {
                    "ingest_seconds" if change == "add" else "remove_seconds": done,
                    **reader.seen,
                    "slowest_search_ms": round(reader.slowest_ms, 1),
                    "live_vectors": live_vectors_agree(config, embedder, vocab),
                }
    with Store(config.db_path, readonly=True) as store:
        result["index_after"] = {"documents": store.count_documents(), "passages": store.count_chunks()}
    return result


def live_vectors_agree(config: Config, embedder: Embedder, vocab: Vocabulary, queries: int = 100) -> dict | None:
    """If the generation's vectors are a live index: how many of `queries` searches, unfiltered and filtered to half
    the passages, find the same top 10 with the same scores as its base with the change applied in place (what writing
    the whole index again would give). None when the vectors are whole."""
    with Store(config.db_path, readonly=True) as store:
        live = open_vectors(
            store, config.data_dir, int(store.meta("dim") or 384), False, AnnSettings.from_config(config)
        )
        if not isinstance(live, LiveVectorIndex):
            return None
        whole = VectorIndex.load(vector_file(config.data_dir, live.base_generation), nprobe=live.nprobe)
        whole.remove(live.removed)
        whole.add(live.added_ids, live.added_vectors)
        ids = store.chunk_ids()
    half = np.sort(np.random.default_rng(SEED).choice(ids, len(ids) // 2, replace=False))
    vectors = [embedder.embed_query(text) for _, text in benchmark_queries(queries, vocab)]
    same = sum(live.search(v, 10, allowed) == whole.search(v, 10, allowed) for v in vectors for allowed in (None, half))
    return {
        "searches": 2 * len(vectors),
        "same_top10": int(same),
        "added": len(live.added_ids),
        "removed": len(live.removed),
    }


class PayingModel(Embedder):
    """A scale-benchmark index's embedder (vectors near its own), which first has the model embed the same passages:
    so that the time until a new document is searchable includes what embedding it costs."""

    def __init__(self, embedder: Embedder, model: Embedder) -> None:
        self.embedder, self.model = embedder, model
        self.name, self.dim = embedder.name, embedder.dim
        self.seconds = 0.0

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        started = time.perf_counter()
        self.model.embed_documents(texts)
        self.seconds += time.perf_counter() - started
        return self.embedder.embed_documents(texts, progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)


def embedder_for(config: Config, model_cost: bool = True) -> Embedder:
    """The embedder the index in `config` was built with: for a scale-benchmark index, vectors near its own, paying
    the configured model's cost if `model_cost`."""
    with Store(config.db_path, readonly=True) as store:
        built_with = store.meta("embedder")
    if built_with == EMBEDDER:
        from policykb.bench.scale import query_embedder

        embedder = query_embedder(config)
        return PayingModel(embedder, make_embedder(config.embedder)) if model_cost else embedder
    return make_embedder(config.embedder)


def run_freshness(config: Config, pages: int, corpus_dir: Path = DEFAULT_CORPUS_DIR, model_cost: bool = True) -> dict:
    vocab = Vocabulary(corpus_dir, load_glossary(config.glossary_path))
    embedder = embedder_for(config, model_cost)
    if isinstance(embedder, PayingModel):
        embedder.model.embed_documents(["warm the model up, as a running server has it"])
    result = time_freshness(config, embedder, pages, vocab)
    if isinstance(embedder, PayingModel):
        result["model_embedding_seconds"] = {"model": embedder.model.name, "seconds": round(embedder.seconds, 3)}
    return result
