"""The ONNX recipe names: an int8 index built with another recipe is refused until it is rebuilt (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykb.config import Config
from policykb.errors import EmbedderMismatchError
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import (
    ONNX_RECIPE,
    ONNX_RECIPE_TAG,
    FakeEmbedder,
    embedder_name,
    onnx_embedder_name,
    onnx_model_file,
)
from policykb.search.searcher import Searcher


def test_a_changed_onnx_recipe_gives_the_int8_embedder_a_different_name():
    assert embedder_name("onnx-int8") == onnx_embedder_name(quantized=True, recipe=ONNX_RECIPE)
    assert onnx_embedder_name(quantized=True, recipe=ONNX_RECIPE + "; reduce_range") != embedder_name("onnx-int8")
    assert embedder_name("onnx-int8") != "all-MiniLM-L6-v2/onnx-int8"  # the name before recipes were recorded


def test_the_fp32_onnx_name_matches_torch_vectors_and_stays_put():
    assert onnx_embedder_name(quantized=False, recipe=ONNX_RECIPE + "; other") == embedder_name("onnx")


def test_an_index_built_with_the_earlier_int8_recipe_is_refused_with_the_fix(tmp_path: Path, corpus_copy: Path):
    class EarlierInt8(FakeEmbedder):
        name = "all-MiniLM-L6-v2/onnx-int8"

    config = Config.from_env(data_dir=tmp_path / "data", embedder="onnx-int8")
    with Indexer(config, EarlierInt8(), progress=False) as indexer:
        assert not indexer.ingest([corpus_copy]).errors
    with pytest.raises(EmbedderMismatchError, match="policykb reindex"):
        Searcher(config)


def test_model_files_of_an_earlier_recipe_are_removed_and_the_current_ones_kept(tmp_path: Path):
    folder = tmp_path / "models" / "all-MiniLM-L6-v2-onnx"
    folder.mkdir(parents=True)
    current = [folder / f"model-{ONNX_RECIPE_TAG}.onnx", folder / f"model-{ONNX_RECIPE_TAG}-int8.onnx"]
    earlier = [folder / "model.onnx", folder / "model-int8.onnx", folder / "model-0badc0de-int8.onnx"]
    for path in current + earlier:
        path.write_bytes(b"onnx")
    assert onnx_model_file(tmp_path / "models", quantized=True) == current[1]
    assert sorted(folder.iterdir()) == sorted(current)
