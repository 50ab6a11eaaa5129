"""A live term matrix: after a small change ingest writes only the rows added and removed since the whole matrix of an
earlier generation, and searches score them as a matrix built again from the store would, to the last bit."""

from __future__ import annotations

import functools
import logging
import random
import re
import shutil
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
from policykb.search.terms_live import LIVE_SHARE, LiveTermMatrix, added_since, is_live
from policykb.search.weights import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS
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


@pytest.fixture(scope="module")
def _collection_built(tmp_path_factory) -> Path:
    """31 documents indexed once for the module's tests, each of which changes a copy (collection)."""
    root = tmp_path_factory.mktemp("live")
    corpus = root / "corpus"
    corpus.mkdir()
    for number in range(30):
        _write(corpus, f"programme{number}", 8)
    (corpus / "elsewhere.txt").write_text(  # a glossary name to be, in the base's rows (see _defining)
        "Note on coverage\n\nThe scheme for universal rural coverage was discussed; social insurance grows.\n",
        encoding="utf-8",
    )
    _ingest(Config.from_env(data_dir=root / "data", embedder="fake", term_matrix_threshold=1), corpus)
    return root


@pytest.fixture
def collection(tmp_path: Path, fake_config: Config, _collection_built: Path) -> tuple[Config, Path]:
    """30 documents indexed with a whole term matrix, so that one more document is a small change; new documents are
    written to the folder returned, which holds copies of the 30."""
    config = replace(fake_config, term_matrix_threshold=1)
    shutil.copytree(_collection_built / "data", config.data_dir)
    shutil.copytree(_collection_built / "corpus", tmp_path / "corpus")
    return config, tmp_path / "corpus"


def _remove(config: Config, name: str) -> None:
    """Remove the document whose source file is `name`.txt (the collection's 30 were indexed from another folder)."""
    with Store(config.db_path, readonly=True) as store:
        (doc_id,) = store.conn.execute("SELECT id FROM documents WHERE source LIKE ?", (f"%/{name}.txt",)).fetchone()
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        indexer.remove(doc_id)


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
    _remove(config, "programme7")
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


def _defining(corpus: Path, paragraphs: int = 2) -> Path:
    """A document that defines an acronym, adding a glossary name no other document has, and uses its long name in
    several passages (a name in one passage only would give no idf to get wrong), beside a private-use character as
    PDFs of symbol fonts leave them (the live matrix marks instances with one)."""
    path = corpus / "defining.txt"
    body = "\n\n".join(
        f"Part {number}. The Scheme for Universal Rural Coverage (SURC) extends social insurance \ue000; "
        + " ".join(random.Random(number).sample(_sentences(), 4))
        for number in range(paragraphs)
    )
    path.write_text(f"Decision on the Scheme for Universal Rural Coverage\n\n{body}\n", encoding="utf-8")
    return path


NEW_NAME = "scheme for univers rural coverag"


def assert_same_name_scores(saved: TermMatrix, rebuilt: TermMatrix, key: str) -> None:
    for matrix in (saved, rebuilt):
        assert matrix.key("Scheme for Universal Rural Coverage") == key
    assert _by_rowid(saved, saved.scores([key])) == _by_rowid(rebuilt, rebuilt.scores([key]))
    with_titles = [saved.scores([key, "social"]), rebuilt.scores([key, "social"])]
    saved.add_document_weights(with_titles[0], [key, "social"])
    rebuilt.add_document_weights(with_titles[1], [key, "social"])
    assert _by_rowid(saved, with_titles[0]) == _by_rowid(rebuilt, with_titles[1])


def test_a_new_glossary_name_is_scored_over_the_whole_collection_in_a_live_matrix(collection):
    """A document that defines an acronym adds a glossary name, which the base holds no postings for: a live matrix
    finds it over every row, the base's too, and scores it as a rebuilt matrix does; once the document is removed the
    name is gone from the glossary and the live matrix again scores as a rebuild."""
    config, corpus = collection
    _ingest(config, _write(corpus, "newcomer", 3))
    assert _live_now(config)
    _ingest(config, _defining(corpus))
    saved, rebuilt, store = _current(config)
    try:
        assert isinstance(saved, LiveTermMatrix) and saved.named is not None and NEW_NAME in saved.named.term_id
        assert NEW_NAME not in saved.base.term_id and NEW_NAME in rebuilt.term_id
        rowids = saved.rowids[saved.postings(NEW_NAME)[0]]
        assert len(rowids) >= 3 and rowids.min() <= saved.base.rowids[-1]  # the defining document's and the note's
        assert_same_scores(saved, rebuilt)
        assert_same_scores(saved.documents, rebuilt.documents)
        assert_same_name_scores(saved, rebuilt, NEW_NAME)
        assert_same_name_scores(saved.documents, rebuilt.documents, NEW_NAME)
    finally:
        store.close()
    searcher = Searcher(config, FakeEmbedder())
    try:
        assert NEW_NAME in searcher.terms.named.term_id
        for query in ("Scheme for Universal Rural Coverage", "SURC social insurance"):
            plan = plan_query(query, searcher.glossary)
            assert_same_ranking(
                searcher.rank_keyword(plan, Filters(), 30), fts5_ranking(searcher.store, plan, Filters(), 30)
            )
    finally:
        searcher.close()
    _remove(config, "defining")
    saved, rebuilt, store = _current(config)
    try:
        assert isinstance(saved, LiveTermMatrix) and saved.named is None and NEW_NAME not in rebuilt.term_id
        assert_same_scores(saved, rebuilt)
    finally:
        store.close()


def test_a_name_the_base_holds_and_the_glossary_lost_is_no_longer_a_key_of_the_live_matrix(collection):
    """The document that defined an acronym is removed after a whole matrix was built with its name: a rebuilt matrix
    would hold no postings for the name (FTS5 scores it as any phrase), and neither does the live one."""
    config, corpus = collection
    many = [_write(corpus, f"wave{number}", 8) for number in range(int(30 * LIVE_SHARE) + 2)]
    _ingest(config, _defining(corpus), *many)
    assert not _live_now(config)
    _remove(config, "defining")
    saved, rebuilt, store = _current(config)
    try:
        assert isinstance(saved, LiveTermMatrix) and NEW_NAME in saved.base.term_id and NEW_NAME in saved.dropped
        assert NEW_NAME not in rebuilt.term_id
        for matrix in (saved, rebuilt, saved.documents, rebuilt.documents):
            assert matrix.key("Scheme for Universal Rural Coverage") is None
        assert_same_scores(saved, rebuilt)
        assert_same_scores(saved.documents, rebuilt.documents)
    finally:
        store.close()
    searcher = Searcher(config, FakeEmbedder())
    try:
        assert NEW_NAME in searcher.terms.dropped  # as saved
        plan = plan_query("scheme for universal rural coverage social insurance", searcher.glossary)
        assert_same_ranking(
            searcher.rank_keyword(plan, Filters(), 30), fts5_ranking(searcher.store, plan, Filters(), 30)
        )
    finally:
        searcher.close()


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


def test_a_new_name_in_many_rows_or_overlapping_itself_is_left_to_a_whole_build(collection):
    """A name in more than LIVE_SHARE of the rows is a large change; one whose instances can overlap ("of the of")
    would be counted once where it overlaps by FTS5's highlight()."""
    config, _ = collection
    with Store(config.db_path, readonly=True) as store:
        base = load_terms(config.data_dir, store.generation())
        phrases = expansion_phrases(GLOSSARY.with_acronyms(store.all_acronyms()))

        def change(*names: str):
            rows_of = functools.partial(store.fts_rows, "chunks_fts")
            return added_since(
                store.conn, base, "chunks_fts", rows_of, [*phrases, *names], FTS_WEIGHTS, DOCUMENT_WEIGHTS
            )

        assert NEW_NAME in change("Scheme for Universal Rural Coverage").named.term_id
        assert change("of the") is None  # in most passages
        assert change("universal rural universal") is None
