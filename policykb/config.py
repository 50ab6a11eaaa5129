"""Configuration in one place: the SETTINGS table, read from environment variables with documented defaults.

Each setting is written once, in SETTINGS: the Config field it fills, its environment variable, its default, how the
variable's text is read and what it means. `Config`'s defaults, `Config.from_env`, `policykb --help` and the README's
configuration table (checked by tests/test_cli.py) all come from it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Flask's instance folder for this package: <project>/instance in a checkout.
DEFAULT_DATA_DIR = PROJECT_ROOT / "instance"
DEFAULT_CORPUS_DIR = PROJECT_ROOT / "corpus"


# --- reading a variable's text ----------------------------------------------------------------------
def _text(name: str, raw: str, default: Any) -> str:
    return raw


def _path(name: str, raw: str, default: Any) -> Path:
    return Path(raw)


def _whole_number(name: str, raw: str, default: Any) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"error: {name}={raw!r} is not a whole number — set it to e.g. {default}") from exc


def _number(name: str, raw: str, default: Any) -> float:
    try:
        return float(raw)
    except ValueError as exc:
        raise SystemExit(f"error: {name}={raw!r} is not a number — set it to e.g. {default:g}") from exc


MIN_JOB_LEASE = 5.0  # seconds: several of a worker's one-second heartbeats, so that a slow beat never loses its job


def _lease_seconds(name: str, raw: str, default: Any) -> float:
    seconds = _number(name, raw, default)
    if not MIN_JOB_LEASE <= seconds < float("inf"):  # also refuses nan
        raise SystemExit(f"error: {name}={raw!r} — set it to {MIN_JOB_LEASE:g} seconds or more, e.g. {default:g}")
    return seconds


def _on_off(name: str, raw: str, default: Any) -> bool:
    raw = raw.strip().lower()
    if raw not in ("on", "off"):
        raise SystemExit(f"error: {name}={raw!r} — set it to on or off")
    return raw == "on"


def megabytes(value: int) -> int:
    return value * 1024 * 1024


@dataclass(frozen=True)
class Setting:
    """One setting: `env` read by `parse` (unset or empty: `default`) and stored in Config.`field` by `to_field`.

    `shown` is the default as --help and the README say it, where the value itself would not read well.
    """

    field: str
    env: str
    default: Any
    parse: Callable[[str, str, Any], Any]
    help: str
    shown: str | None = None
    to_field: Callable[[Any], Any] = lambda value: value

    @property
    def default_text(self) -> str:
        if self.shown is not None:
            return self.shown
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        return f"{self.default:g}" if isinstance(self.default, float) else str(self.default)

    @property
    def field_default(self) -> Any:
        return self.to_field(self.default)

    def read(self, environ: dict[str, str]) -> Any:
        """The variable's value for Config, or the default when it is unset or empty."""
        raw = environ.get(self.env)
        return self.field_default if not raw else self.to_field(self.parse(self.env, raw, self.default))


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "POLICYKB_DATA",
        DEFAULT_DATA_DIR,
        _path,
        "data folder (SQLite store and FAISS vectors); --data overrides it",
        shown="instance/",
    ),
    Setting(
        "embedder",
        "POLICYKB_EMBEDDER",
        "minilm",
        _text,
        '"minilm" (all-MiniLM-L6-v2 on torch), "onnx" or "onnx-int8" (the same model on ONNX Runtime), "fake" (tests)',
    ),
    Setting(
        "glossary_path",
        "POLICYKB_GLOSSARY",
        DEFAULT_CORPUS_DIR / "glossary.json",
        _path,
        "glossary JSON for agencies, acronyms and bilingual terms, on top of the built-in gazetteer (/dev/null: none)",
        shown="corpus/glossary.json",
    ),
    Setting("max_chunk_chars", "POLICYKB_MAX_CHUNK", 1500, _whole_number, "largest chunk, in characters"),
    Setting(
        "max_file_bytes",
        "POLICYKB_MAX_FILE_MB",
        50,
        _whole_number,
        "largest file ingested or uploaded, in MB",
        to_field=megabytes,
    ),
    Setting(
        "max_inflated_bytes",
        "POLICYKB_MAX_INFLATED_MB",
        100,  # twice POLICYKB_MAX_FILE_MB: room for a file full of images (packed already) or the XML of thousands of pages
        _whole_number,
        "most a file's compressed parts may unpack to (a .docx is a zip), in MB; past it the file is refused as a "
        "zip bomb",
        to_field=megabytes,
    ),
    Setting(
        "admin_token",
        "POLICYKB_ADMIN_TOKEN",
        None,
        _text,
        "token that allows uploads and removal in the web app; unset: they are off",
        shown="unset",
    ),
    Setting(
        "secret_key",
        "POLICYKB_SECRET_KEY",
        None,
        _text,
        "Flask session key (CSRF tokens)",
        shown="random, kept in the data folder",
    ),
    Setting(
        "session_hours",
        "POLICYKB_SESSION_HOURS",
        12,
        _whole_number,
        "hours a sign-in lasts in the web app (its session cookie's lifetime)",
    ),
    Setting(
        "secure_cookies",
        "POLICYKB_SECURE_COOKIES",
        False,
        _on_off,
        "on or off: send the session cookie over HTTPS only (on behind a TLS proxy)",
    ),
    Setting(
        "trusted_user_header",
        "POLICYKB_TRUSTED_USER_HEADER",
        None,
        _text,
        "header naming the signed-in user, set by a single-sign-on proxy (e.g. X-Forwarded-User); unset: not read",
        shown="unset",
    ),
    Setting(
        "trusted_proxies",
        "POLICYKB_TRUSTED_PROXIES",
        "127.0.0.1,::1",
        _text,
        "comma-separated addresses of the proxies whose user header is believed; from any other it is ignored",
    ),
    Setting(
        "mcp_token",
        "POLICYKB_TOKEN",
        None,
        _text,
        "personal API token whose user `policykb mcp` acts for over stdio when --user does not name one",
        shown="unset",
    ),
    Setting(
        "ann_threshold",
        "POLICYKB_ANN_THRESHOLD",
        100_000,
        _whole_number,
        "chunks from which dense search is approximate (FAISS IVF-SQ8) instead of exact",
    ),
    Setting(
        "ann_nprobe",
        "POLICYKB_ANN_NPROBE",
        128,
        _whole_number,
        "IVF lists scanned per query once approximate (more: better recall, slower)",
    ),
    Setting(
        "term_matrix_threshold",
        "POLICYKB_TERM_MATRIX_THRESHOLD",
        50_000,
        _whole_number,
        "chunks from which ingest also writes a BM25 term matrix (same scores, faster keyword ranking)",
    ),
    Setting("ocr", "POLICYKB_OCR", True, _on_off, "on or off: OCR scanned PDF pages and images with Tesseract"),
    Setting(
        "tesseract_cmd",
        "POLICYKB_TESSERACT",
        "tesseract",
        _text,
        "the tesseract command; a command that is not there acts as no Tesseract",
    ),
    Setting(
        "ocr_langs",
        "POLICYKB_OCR_LANGS",
        "vie+eng",
        _text,
        'Tesseract languages for every page, e.g. "vie+eng", "eng", "vie"',
    ),
    Setting("ocr_dpi", "POLICYKB_OCR_DPI", 300, _whole_number, "resolution at which PDF pages are rendered for OCR"),
    Setting(
        "ocr_page_timeout",
        "POLICYKB_OCR_PAGE_TIMEOUT",
        120.0,
        _number,
        "seconds one page may take to render and read before the file is refused",
    ),
    Setting(
        "ocr_workers",
        "POLICYKB_OCR_WORKERS",
        os.cpu_count() or 1,
        _whole_number,
        "pages read at once",
        shown="the number of cores",
    ),
    Setting(
        "upload_worker",
        "POLICYKB_UPLOAD_WORKER",
        True,
        _on_off,
        "on or off: the web server ingests uploads itself; off when `policykb worker` processes take its jobs",
    ),
    Setting(
        "job_lease",
        "POLICYKB_JOB_LEASE",
        60.0,
        _lease_seconds,
        "seconds a worker may go silent before another takes its job (a worker renews its lease every second)",
    ),
)
_DEFAULTS = {setting.field: setting.field_default for setting in SETTINGS}


@dataclass(frozen=True)
class Config:
    """Settings for ingest, index and search: the fields of SETTINGS, and a few fixed by the code."""

    data_dir: Path = _DEFAULTS["data_dir"]
    embedder: str = _DEFAULTS["embedder"]
    glossary_path: Path = _DEFAULTS["glossary_path"]
    max_chunk_chars: int = _DEFAULTS["max_chunk_chars"]
    target_chunk_chars: int = 900  # not a setting: chunking aims here and never passes max_chunk_chars
    max_file_bytes: int = _DEFAULTS["max_file_bytes"]
    max_inflated_bytes: int = _DEFAULTS["max_inflated_bytes"]
    embed_batch_size: int = 32  # not a setting: texts embedded per model call
    per_doc_cap: int = 3  # not a setting: passages of one document on a page of results
    ann_threshold: int = _DEFAULTS["ann_threshold"]
    ann_nprobe: int = _DEFAULTS["ann_nprobe"]
    term_matrix_threshold: int = _DEFAULTS["term_matrix_threshold"]
    admin_token: str | None = _DEFAULTS["admin_token"]
    secret_key: str | None = _DEFAULTS["secret_key"]
    session_hours: int = _DEFAULTS["session_hours"]
    secure_cookies: bool = _DEFAULTS["secure_cookies"]
    trusted_user_header: str | None = _DEFAULTS["trusted_user_header"]
    trusted_proxies: str = _DEFAULTS["trusted_proxies"]
    mcp_token: str | None = _DEFAULTS["mcp_token"]
    ocr: bool = _DEFAULTS["ocr"]
    tesseract_cmd: str = _DEFAULTS["tesseract_cmd"]
    ocr_langs: str = _DEFAULTS["ocr_langs"]
    ocr_dpi: int = _DEFAULTS["ocr_dpi"]
    ocr_page_timeout: float = _DEFAULTS["ocr_page_timeout"]
    ocr_workers: int = _DEFAULTS["ocr_workers"]
    upload_worker: bool = _DEFAULTS["upload_worker"]
    job_lease: float = _DEFAULTS["job_lease"]

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
    def from_env(cls, **overrides) -> Config:
        """Every setting from its environment variable, then the overrides that are not None (command-line options)."""
        config = cls(**{setting.field: setting.read(os.environ) for setting in SETTINGS})
        overrides = {key: value for key, value in overrides.items() if value is not None}
        return replace(config, **overrides)


assert {setting.field for setting in SETTINGS} <= {field.name for field in fields(Config)}, (
    "a setting without its Config field"
)
