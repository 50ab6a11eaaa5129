"""A live term matrix: after a small change ingest writes only the rows added and removed since the whole matrix of an
earlier generation, and searches score them as a matrix built again from the store would, to the last bit."""

from __future__ import annotations

import functools
import logging
import random
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.search.query import expansion_phrases, plan_query
from policykb.search.searcher import Searcher
from policykb.search.terms import TermMatrix, terms_dir
from policykb.search.terms_files import load_terms
from policykb.search.terms_live import LIVE_SHARE, LiveTermMatrix, is_live
from policykb.search.weights import WHOLE_DOCUMENT_WEIGHTS
from policykb.store import Filters, Store
from tests.test_terms import assert_same_ranking, fts5_ranking

GLOSSARY = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")
QUERIES = (
    "social insurance coverage for informal workers",
    "vocational training and employment services",
    "bảo hiểm xã hội tự nguyện",
    "MOLISA",
    "poverty reduction programme monitoring",
)


@functools.cache
def _sentences() -> list[str]:
    """The bundled corpus's sentences, English and Vietnamese, to make documents of."""
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(DEFAULT_CORPUS_DIR.glob("*.txt")))
    return [s.strip() for s in re.split(r"(?<=[.;:])\s+", text) if len(s.split()) > 5]


def _write(folder: Path, name: str, paragraphs: int) -> Path:
    """A document of sentences drawn from the corpus, its title and each paragraph naming `name`."""
    pick = random.Random(name).sample
    body = "\n\n".join(f"{name} {number}. " + " ".join(pick(_sentences(), 6)) for number in range(paragraphs))
    path = folder / f"{name}.txt"
    path.write_text(f"Decision on the {name} programme\n\n{body}\n", encoding="utf-8")
    return path


def _ingest(config: Config, *paths: Path) -> None:
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest(list(paths)).errors


@pytest.fixture
def collection(tmp_path: Path, fake_config: Config) -> tuple[Config, Path]:
    """30 documents indexed with a whole term matrix, so that one more document is a small change."""
    config = replace(fake_config, term_matrix_threshold=1)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(30):
        _write(corpus, f"programme{number}", 8)
    _ingest(config, corpus)
    return config, corpus


def _current(config: Config) -> tuple[TermMatrix, TermMatrix, Store]:
    """The saved matrix of the store's generation, and one built again from the store now."""
    store = Store(config.db_path, readonly=True)
    phrases = expansion_phrases(GLOSSARY.with_acronyms(store.all_acronyms()))
    saved = load_terms(config.data_dir, store.generation())
    rebuilt = TermMatrix.build(store.conn, phrases)
    rebuilt.documents = TermMatrix.build(
        store.conn, phrases, WHOLE_DOCUMENT_WEIGHTS, "documents_fts", WHOLE_DOCUMENT_WEIGHTS
    )
    return saved, rebuilt, store


def _by_rowid(matrix: TermMatrix, scores: np.ndarray) -> dict[int, float]:
    return {rowid: score for rowid, score in zip(matrix.rowids.tolist(), scores.tolist()) if score > 0.0}


def _keys(matrix: TermMatrix) -> list[list[str]]:
    keys = [[key for word in query.split() if (key := matrix.key(word))] for query in QUERIES]
    phrases = [key for key in matrix.term_id if " " in key][:40]  # the glossary's names the matrix holds
    return [*keys, phrases]


def assert_same_scores(saved: TermMatrix, rebuilt: TermMatrix) -> None:
    """Every score the same double, with the passage weights, the document weights and per posting."""
    for keys in _keys(rebuilt):
        assert _by_rowid(saved, saved.scores(keys)) == _by_rowid(rebuilt, rebuilt.scores(keys))
        with_titles = [saved.scores(keys), rebuilt.scores(keys)]
        saved.add_document_weights(with_titles[0], keys)
        rebuilt.add_document_weights(with_titles[1], keys)
        assert _by_rowid(saved, with_titles[0]) == _by_rowid(rebuilt, with_titles[1])
        for key in keys[:3]:
            for documents in (False, True):
                rows, scores = saved.postings(key, documents)
                ours = {int(saved.rowids[r]): s for r, s in zip(rows.tolist(), scores.tolist()) if s > 0.0}
                rows, scores = rebuilt.postings(key, documents)
                assert ours == dict(zip(rebuilt.rowids[rows].tolist(), scores.tolist()))


def test_one_new_document_is_a_live_matrix_scored_as_a_rebuilt_one(collection):
    config, corpus = collection
    with Store(config.db_path, readonly=True) as store:
        base = terms_dir(config.data_dir, store.generation())
    _ingest(config, _write(corpus, "newcomer", 10))
    saved, rebuilt, store = _current(config)
    try:
        assert isinstance(saved, LiveTermMatrix) and is_live(terms_dir(config.data_dir, store.generation()))
        assert saved.added.live_rows > 0 and saved.live_rows == rebuilt.live_rows == store.count_chunks()
        assert saved.documents.added.live_rows == 1
        assert sorted(p.name for p in config.data_dir.glob("terms.*")) == sorted(
            [base.name, f"terms.{store.generation()}"]
        )  # the base is kept while the live matrix needs it
        assert_same_scores(saved, rebuilt)
        assert_same_scores(saved.documents, rebuilt.documents)
        assert saved.key("newcomer") and _by_rowid(saved, saved.scores([saved.key("newcomer")]))
    finally:
        store.close()


def test_a_removed_document_is_never_ranked_and_the_rest_score_as_rebuilt(collection):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        indexer.remove(str(corpus / "programme7.txt"))
    (corpus / "programme7.txt").unlink()
    saved, rebuilt, store = _current(config)
    try:
        assert isinstance(saved, LiveTermMatrix) and len(saved.removed) > 0 and len(saved.documents.removed) == 1
        assert_same_scores(saved, rebuilt)
        assert_same_scores(saved.documents, rebuilt.documents)
        assert not _by_rowid(saved, saved.scores([saved.key("programme7")]))
    finally:
        store.close()
    searcher = Searcher(config, FakeEmbedder())
    try:
        assert isinstance(searcher.terms, LiveTermMatrix)
        for query in (*QUERIES, "newcomer programme", "programme7"):
            plan = plan_query(query, searcher.glossary)
            for filters in (Filters(), Filters(language="en")):
                assert_same_ranking(
                    searcher.rank_keyword(plan, filters, 30), fts5_ranking(searcher.store, plan, filters, 30)
                )
        assert not any("programme7" in hit.title for hit in searcher.search("programme7", "keyword").hits)
    finally:
        searcher.close()


def test_a_change_beyond_the_live_share_builds_the_whole_matrix_again(collection):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    many = [_write(corpus, f"wave{number}", 8) for number in range(int(30 * LIVE_SHARE) + 2)]
    _ingest(config, *many)
    saved, rebuilt, store = _current(config)
    try:
        assert not isinstance(saved, LiveTermMatrix)
        assert [p.name for p in config.data_dir.glob("terms.*")] == [f"terms.{store.generation()}"]
        assert_same_scores(saved, rebuilt)
    finally:
        store.close()


def test_a_live_matrix_whose_base_is_gone_is_set_aside_and_fts5_ranks(collection, caplog):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 10))
    with Store(config.db_path, readonly=True) as store:
        saved = load_terms(config.data_dir, store.generation())
    (terms_dir(config.data_dir, saved.base_generation) / "rows.npy").unlink()
    with caplog.at_level(logging.WARNING):
        searcher = Searcher(config, FakeEmbedder())
    try:
        assert searcher.terms is None and "unreadable term matrix" in caplog.text
        plan = plan_query(QUERIES[0], searcher.glossary)
        assert_same_ranking(
            searcher.rank_keyword(plan, Filters(), 30), fts5_ranking(searcher.store, plan, Filters(), 30)
        )
    finally:
        searcher.finish_restoring()
        searcher.close()


def _live_now(config: Config) -> bool:
    with Store(config.db_path, readonly=True) as store:
        return is_live(terms_dir(config.data_dir, store.generation()))


def test_a_new_glossary_name_builds_the_whole_matrix_again(collection):
    """A document that defines an acronym adds a glossary name, which a rebuilt matrix holds postings for."""
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 3))
    assert _live_now(config)
    defining = corpus / "defining.txt"
    defining.write_text(
        "Decision on coverage\n\nThe Scheme for Universal Rural Coverage (SURC) extends social insurance.\n",
        encoding="utf-8",
    )
    _ingest(config, defining)
    assert not _live_now(config)
    saved, rebuilt, store = _current(config)
    try:
        assert "scheme univers rural coverag" in saved.term_id or any("rural" in key for key in saved.term_id)
        assert_same_scores(saved, rebuilt)
    finally:
        store.close()


def test_a_base_with_spoiled_values_is_set_aside_and_not_built_on(collection):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 3))
    with Store(config.db_path, readonly=True) as store:
        base = terms_dir(config.data_dir, load_terms(config.data_dir, store.generation()).base_generation)
    rows = np.load(base / "rows.npy", mmap_mode="r+")
    rows[:5] = 10**6  # past the last row, under a sound header
    rows.flush()
    del rows
    _ingest(config, _write(corpus, "second", 3))
    assert not _live_now(config) and not base.exists()
    assert list(config.data_dir.glob(base.name + ".damaged-*"))
    saved, rebuilt, store = _current(config)
    try:
        assert_same_scores(saved, rebuilt)
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["removed rows the base lacks", "added rows cut short", "no live.json base"])
def test_a_damaged_live_matrix_is_set_aside_and_fts5_ranks(collection, caplog, damage):
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 3))
    with Store(config.db_path, readonly=True) as store:
        folder = terms_dir(config.data_dir, store.generation())
    if damage == "removed rows the base lacks":
        np.save(folder / "removed.npy", np.array([10**9], dtype=np.int64))
    elif damage == "added rows cut short":
        (folder / "added" / "rows.npy").write_bytes((folder / "added" / "rows.npy").read_bytes()[:100])
    else:
        (folder / "live.json").write_text('{"format": 3}', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        searcher = Searcher(config, FakeEmbedder())
    try:
        assert searcher.terms is None and "unreadable term matrix" in caplog.text
    finally:
        searcher.finish_restoring()
        searcher.close()


def test_a_base_left_by_another_store_is_not_built_on(collection):
    """A data folder whose database was replaced keeps the old store's matrix, whose rowids now name other passages:
    here the same documents with one word changed, so that every rowid and length is as before."""
    config, corpus = collection
    for suffix in ("", "-wal", "-shm"):
        Path(f"{config.db_path}{suffix}").unlink(missing_ok=True)
    other = corpus.parent / "other"
    other.mkdir()
    for path in sorted(corpus.glob("*.txt")):
        (other / path.name).write_text(path.read_text(encoding="utf-8").replace("programme", "progxamme"), "utf-8")
    _ingest(config, other)
    _ingest(config, _write(other, "newcomer", 3))
    assert not _live_now(config)
    saved, rebuilt, store = _current(config)
    try:
        assert saved.key("progxamme") in saved.term_id
        assert_same_scores(saved, rebuilt)
    finally:
        store.close()
