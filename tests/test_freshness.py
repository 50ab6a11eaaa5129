"""`policykb bench freshness`: one new document added while a reader polls, then removed; the index is put back."""

from __future__ import annotations

import json
from dataclasses import replace

from click.testing import CliRunner

from policykb.bench.freshness import time_freshness
from policykb.bench.synthetic import Vocabulary
from policykb.cli import main
from policykb.config import DEFAULT_CORPUS_DIR, Config
from policykb.glossary import load_glossary
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store


def test_a_new_document_is_seen_by_a_polling_reader_in_order_and_the_index_is_put_back(fake_index: Config):
    config = replace(fake_index, term_matrix_threshold=1)  # so that each change writes a term matrix too
    with Store(config.db_path, readonly=True) as store:
        before = (store.count_documents(), store.count_chunks(), store.generation())
    vocab = Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(config.glossary_path))
    result = time_freshness(config, FakeEmbedder(), 2, vocab)
    added, removed = result["add"], result["remove"]
    assert result["passages_added"] >= 4  # two pages of about 3,000 characters and a title
    assert 0 < added["store committed"] <= added["found"] <= added["ingest_seconds"] + 1
    assert added["store committed"] <= added["term matrix written"]
    assert 0 < removed["store committed"] <= removed["gone"]
    with Store(config.db_path, readonly=True) as store:
        assert (store.count_documents(), store.count_chunks()) == before[:2] and store.generation() == before[2] + 2
    assert result["index"] == result["index_after"] == {"documents": before[0], "passages": before[1]}


def test_the_command_prints_its_figures_as_json(fake_index: Config):
    result = CliRunner(env={"POLICYKB_EMBEDDER": "fake"}).invoke(
        main, ["--data", str(fake_index.data_dir), "bench", "freshness", "--pages", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["add"]["found"] > 0 and figures["remove"]["gone"] > 0


def test_a_live_vector_index_is_checked_against_its_base_with_the_change_applied(fake_index: Config):
    """The add makes the index approximate (written whole); the removal leaves a live index over it, whose searches
    the benchmark compares with the whole index's. One page: the bundled corpus's 50 passages allow a change of 5."""
    config = replace(fake_index, ann_threshold=40, ann_nprobe=1)
    vocab = Vocabulary(DEFAULT_CORPUS_DIR, load_glossary(config.glossary_path))
    result = time_freshness(config, FakeEmbedder(), 1, vocab)
    assert result["add"]["live_vectors"] is None
    checked = result["remove"]["live_vectors"]
    assert checked["removed"] >= 2 and checked["added"] == 0
    assert checked["same_top10"] == checked["searches"] == 200
