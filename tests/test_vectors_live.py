"""A live vector index: after a small change to an approximate index, ingest writes only the vectors added and the
ids removed since the whole index of an earlier generation, and searches find what that index with the change applied
finds, to the last bit of every score."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from policykb.cli import main
from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.searcher import Searcher
from policykb.search.terms_live import LIVE_SHARE
from policykb.search.vectors import AnnSettings, VectorIndex, vector_file
from policykb.search.vectors_files import open_vectors
from policykb.search.vectors_live import LiveVectorIndex, live_vector_file
from policykb.store import Store
from tests.test_terms_live import _ingest, _write

DOCUMENTS = 30


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("live-vectors")
    corpus = root / "corpus"
    corpus.mkdir()
    for number in range(DOCUMENTS):
        _write(corpus, f"programme{number}", 8)
    _ingest(_config(root / "data"), corpus)
    return root


def _config(data_dir: Path) -> Config:
    # approximate from 100 passages, one list of each query's nearest scanned: a vector in another list is not found
    return Config.from_env(data_dir=data_dir, embedder="fake", ann_threshold=100, ann_nprobe=1)


@pytest.fixture
def collection(tmp_path: Path, _built: Path) -> tuple[Config, Path]:
    """An approximate index of 30 documents (a copy for each test), and a folder to write new documents in."""
    shutil.copytree(_built / "data", tmp_path / "data")
    (tmp_path / "corpus").mkdir()
    return _config(tmp_path / "data"), tmp_path / "corpus"


def _opened(config: Config) -> tuple[VectorIndex, Store]:
    store = Store(config.db_path, readonly=True)
    return open_vectors(store, config.data_dir, 384, save=False, ann=AnnSettings.from_config(config)), store


def _applied(config: Config, live: LiveVectorIndex, store: Store) -> VectorIndex:
    """The base with the change applied in place, as writing the whole index again gives it."""
    whole = VectorIndex.load(vector_file(config.data_dir, live.base_generation), nprobe=config.ann_nprobe)
    wanted = store.chunk_ids()
    whole.remove(np.setdiff1d(whole.ids(), wanted))
    whole.add(*store.vectors_for_ids(np.setdiff1d(wanted, whole.ids()).tolist()))
    return whole


def assert_same_results(config: Config, live: LiveVectorIndex, store: Store) -> None:
    whole = _applied(config, live, store)
    ids = store.chunk_ids()
    assert live.size == whole.size == len(ids) and np.array_equal(np.sort(live.ids()), np.sort(whole.ids()))
    rng = np.random.default_rng(0)
    filters = [None, np.sort(rng.choice(ids, len(ids) // 2, replace=False)), np.sort(rng.choice(ids, 12, False))]
    embedder = FakeEmbedder()
    queries = [embedder.embed_query(f"social insurance {n}") for n in range(25)]
    queries += [vector for _, vector in zip(range(10), store.vectors_for_ids(live.added_ids.tolist())[1])]
    for query in queries:
        for allowed in filters:
            assert live.search(query, 10, allowed) == whole.search(query, 10, allowed)


def test_one_new_document_writes_only_its_vectors_and_finds_what_the_whole_index_finds(collection):
    config, corpus = collection
    with Store(config.db_path, readonly=True) as store:
        base = vector_file(config.data_dir, store.generation())
    assert base.exists()
    _ingest(config, _write(corpus, "newcomer", 10))
    live, store = _opened(config)
    try:
        assert isinstance(live, LiveVectorIndex) and len(live.added_ids) >= 10 and not len(live.removed)
        saved = live_vector_file(config.data_dir, store.generation())
        assert sorted(config.data_dir.glob("vectors.*")) == sorted([base, saved])  # no whole file written
        assert saved.stat().st_size < base.stat().st_size
        assert_same_results(config, live, store)
        found = {i for vector in store.vectors_for_ids(live.added_ids.tolist())[1] for i, _ in live.search(vector, 1)}
        assert found <= set(live.added_ids.tolist()) and len(found) >= len(live.added_ids) // 2
    finally:
        store.close()


def test_removed_vectors_are_passed_over_and_the_rest_found_as_by_the_whole_index(collection):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    with Store(config.db_path, readonly=True) as store:
        (doc_id,) = store.conn.execute("SELECT id FROM documents WHERE source LIKE '%/programme7.txt'").fetchone()
        gone = store.conn.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall()
        gone_ids, gone_vectors = store.vectors_for_ids([row[0] for row in gone])
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        indexer.remove(doc_id)
    live, store = _opened(config)
    try:
        assert isinstance(live, LiveVectorIndex) and sorted(live.removed.tolist()) == sorted(gone_ids.tolist())
        assert len(list(config.data_dir.glob("vectors.*.live.npz"))) == 1  # the earlier generation's is removed
        assert_same_results(config, live, store)
        for vector in gone_vectors:
            assert not {i for i, _ in live.search(vector, 50)} & set(gone_ids.tolist())
    finally:
        store.close()


def test_a_change_beyond_the_live_share_writes_the_whole_index_again(collection):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    _ingest(config, *[_write(corpus, f"wave{number}", 8) for number in range(int(DOCUMENTS * LIVE_SHARE) + 2)])
    vectors, store = _opened(config)
    try:
        assert not isinstance(vectors, LiveVectorIndex) and vectors.size == store.count_chunks()
        assert list(config.data_dir.glob("vectors.*")) == [vector_file(config.data_dir, store.generation())]
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["cut short", "base gone", "removed ids the base lacks"])
def test_a_damaged_live_index_is_set_aside_and_made_again_from_the_store(collection, caplog, damage):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    with Store(config.db_path, readonly=True) as store:
        saved = live_vector_file(config.data_dir, store.generation())
        live = open_vectors(store, config.data_dir, 384, save=False, ann=AnnSettings.from_config(config))
    if damage == "cut short":
        saved.write_bytes(saved.read_bytes()[:300])
    elif damage == "base gone":
        vector_file(config.data_dir, live.base_generation).unlink()
    else:
        LiveVectorIndex(live.base, live.base_generation, live.added_ids, live.added_vectors, [10**9]).save(saved)
    with caplog.at_level(logging.WARNING):
        vectors, store = _opened(config)
    try:
        assert vectors.size == store.count_chunks() and np.array_equal(np.sort(vectors.ids()), store.chunk_ids())
        # a live file whose base is gone is sound (a writer moved on since): only a damaged one is set aside
        assert bool(list(config.data_dir.glob(saved.name + ".damaged-*"))) == (damage != "base gone")
        result = CliRunner().invoke(main, ["--data", str(config.data_dir), "check"])
        assert "vectors" in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    finally:
        store.close()


def test_check_reads_a_live_index_and_repair_writes_the_whole_one(collection):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    data = ["--data", str(config.data_dir)]
    found = CliRunner().invoke(main, [*data, "check"], env={"POLICYKB_EMBEDDER": "fake"})
    assert found.exit_code == 0, found.output
    assert "live over vectors." in found.output
    repaired = CliRunner().invoke(main, [*data, "check", "--repair"], env={"POLICYKB_EMBEDDER": "fake"})
    assert repaired.exit_code == 0, repaired.output
    with Store(config.db_path, readonly=True) as store:
        assert list(config.data_dir.glob("vectors.*")) == [vector_file(config.data_dir, store.generation())]


def test_a_searcher_over_a_live_index_ranks_as_over_the_whole_one(collection):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    searcher = Searcher(config, FakeEmbedder())
    try:
        assert isinstance(searcher.vectors, LiveVectorIndex)
        live = [[hit.chunk_id for hit in searcher.search(q, "dense").hits] for q in ("newcomer 3", "programme")]
        searcher.vectors = _applied(config, searcher.vectors, searcher.store)
        assert live == [[hit.chunk_id for hit in searcher.search(q, "dense").hits] for q in ("newcomer 3", "programme")]
    finally:
        searcher.close()


def test_a_stale_whole_file_of_the_generation_is_written_again_whole_not_built_on(collection):
    """A whole file of the store's own generation that holds other passages (left by a run that was interrupted) is
    no base for a live index: the writer writes it again whole, and the live file goes."""
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    with Store(config.db_path) as store:
        live = open_vectors(store, config.data_dir, 384, save=False, ann=AnnSettings.from_config(config))
        target = vector_file(config.data_dir, store.generation())
        shutil.copy(vector_file(config.data_dir, live.base_generation), target)  # the passages before the change
        written = open_vectors(store, config.data_dir, 384, save=True, ann=AnnSettings.from_config(config))
        assert not isinstance(written, LiveVectorIndex) and written.size == store.count_chunks()
        assert list(config.data_dir.glob("vectors.*")) == [target]
        assert VectorIndex.load(target).size == store.count_chunks()
