"""OCR with Tesseract: pages of scanned PDFs and image files to text with a mean confidence, cached by content hash."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tqdm import tqdm

from policykb.durable import replace_durably
from policykb.errors import IngestError, OcrUnavailableError
from policykb.ingest.loaders import RawText
from policykb.ingest.page_images import POPPLER_FIX, image_page_png, pdf_page_dpi, pdf_page_png

log = logging.getLogger(__name__)
_HYPHENATED = re.compile(r"\w-$")  # a word broken at the end of a printed line

INSTALL_TESSERACT = "apt-get install tesseract-ocr tesseract-ocr-vie"
CACHE_VERSION = "2"  # bump when the text made from Tesseract's output changes


@dataclass(frozen=True)
class OcrSettings:
    """How scanned pages are read; built from Config (POLICYKB_OCR, POLICYKB_TESSERACT, POLICYKB_OCR_*)."""

    enabled: bool = True
    tesseract_cmd: str = "tesseract"
    langs: str = "vie+eng"
    dpi: int = 300
    page_timeout: float = 120.0
    workers: int = 1
    cache_dir: Path | None = None
    progress: bool = False
    on_progress: Callable[[str, int, int], None] | None = field(default=None, compare=False)

    @classmethod
    def from_config(
        cls, config, progress: bool = False, on_progress: Callable[[str, int, int], None] | None = None
    ) -> OcrSettings:
        return cls(
            enabled=config.ocr,
            tesseract_cmd=config.tesseract_cmd,
            langs=config.ocr_langs,
            dpi=config.ocr_dpi,
            page_timeout=config.ocr_page_timeout,
            workers=max(1, config.ocr_workers),
            cache_dir=config.ocr_cache_dir,
            progress=progress,
            on_progress=on_progress,
        )


@dataclass(slots=True)
class OcrPage:
    text: str
    confidence: float | None  # mean word confidence, 0–100; None when Tesseract found no word


# --- the tools ------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _languages(command: str) -> frozenset[str]:
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = command
    return frozenset(pytesseract.get_languages(config=""))


@lru_cache(maxsize=8)
def tesseract_version(command: str) -> str | None:
    """The first line of `tesseract --version` ("tesseract 5.3.0"), or None when it cannot run here."""
    try:
        done = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (done.stdout or done.stderr).strip().splitlines()  # older versions print it on stderr
    return lines[0] if lines else None


def check_ocr_tools(path: Path, settings: OcrSettings, why: str, pdf: bool) -> None:
    """Raise OcrUnavailableError, saying what to install or set, when OCR cannot run here now."""
    if not settings.enabled:
        raise OcrUnavailableError(
            path,
            f"{why}, and OCR is off (POLICYKB_OCR=off)",
            f"set POLICYKB_OCR=on, with Tesseract installed ({INSTALL_TESSERACT})",
        )
    if shutil.which(settings.tesseract_cmd) is None:
        raise OcrUnavailableError(
            path,
            f"{why}, but Tesseract is not installed (no `{settings.tesseract_cmd}` command)",
            f"install it: {INSTALL_TESSERACT} (or set POLICYKB_TESSERACT to its path)",
        )
    missing = [lang for lang in settings.langs.split("+") if lang not in _languages(settings.tesseract_cmd)]
    if missing:
        raise OcrUnavailableError(
            path,
            f"{why}, but Tesseract has no language data for {', '.join(missing)}",
            f"install it: apt-get install {' '.join('tesseract-ocr-' + lang for lang in missing)} (or change POLICYKB_OCR_LANGS)",
        )
    if pdf and shutil.which("pdftoppm") is None:
        raise OcrUnavailableError(
            path, f"{why}, but pdftoppm, which renders PDF pages for OCR, is not installed", POPPLER_FIX
        )


def text_from_data(data: dict) -> OcrPage:
    """Tesseract's word table (image_to_data) as text: words joined into lines, a blank line between paragraphs."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for word, conf, block, paragraph, line in zip(
        data["text"], data["conf"], data["block_num"], data["par_num"], data["line_num"]
    ):
        word = (word or "").strip()
        if not word:
            continue
        lines.setdefault((block, paragraph, line), []).append(word)
        if float(conf) >= 0:
            confidences.append(float(conf))
    paragraphs: dict[tuple[int, int], list[str]] = {}
    for (block, paragraph, _), words in lines.items():
        paragraphs.setdefault((block, paragraph), []).append(" ".join(words))
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrPage("\n\n".join(unwrap(paragraph) for paragraph in paragraphs.values()), confidence)


def unwrap(lines: list[str]) -> str:
    """A paragraph's printed lines as one line, so sentences read across line ends: "min-" + "utes" is "minutes",
    "Anti-" + "Poverty" is "Anti-Poverty"."""
    text = lines[0]
    for line in lines[1:]:
        if not _HYPHENATED.search(text):
            text = f"{text} {line}"
        elif line[:1].islower():
            text = text[:-1] + line
        else:
            text += line
    return text


def _tesseract(image: Path, path: Path, page: int, settings: OcrSettings) -> OcrPage:
    import pytesseract

    try:
        data = pytesseract.image_to_data(
            str(image), lang=settings.langs, output_type=pytesseract.Output.DICT, timeout=settings.page_timeout
        )
    except RuntimeError as exc:
        if "timeout" not in str(exc).lower():
            raise
        raise IngestError(
            path,
            f"OCR of page {page} took longer than the {settings.page_timeout:g} s limit per page",
            "raise POLICYKB_OCR_PAGE_TIMEOUT, or scan at a lower resolution",
        ) from exc
    except pytesseract.TesseractError as exc:
        raise IngestError(
            path,
            f"Tesseract could not read page {page} ({exc.message.strip()[:200] or exc.status})",
            "check that the page opens in an image viewer, then ingest it again",
        ) from exc
    return text_from_data(data)


# --- one file -------------------------------------------------------------------------------------
@dataclass
class _Job:
    path: Path
    data: bytes
    kind: str  # "pdf" or "image"
    settings: OcrSettings
    workdir: Path
    page_dpi: dict[int, int] = field(default_factory=dict)

    def read(self, page: int) -> OcrPage:
        image = self.workdir / f"page-{page}.png"
        try:
            if self.kind == "pdf":
                pdf_page_png(
                    self.path, page, self.page_dpi.get(page, self.settings.dpi), image, self.settings.page_timeout
                )
            else:
                image_page_png(self.path, self.data, page, image)
            return _tesseract(image, self.path, page, self.settings)
        finally:
            image.unlink(missing_ok=True)


def _run_pages(job: _Job, pages: list[int]) -> dict[int, OcrPage]:
    """OCR pages on a pool of threads (each page is a pdftoppm and a tesseract process); the first error stops the rest."""
    settings = job.settings
    done: dict[int, OcrPage] = {}
    bar = tqdm(
        total=len(pages),
        desc=f"OCR {job.path.name[:30]}",
        unit="page",
        file=sys.stderr,
        disable=not settings.progress,
        dynamic_ncols=True,
        leave=False,
    )
    with (
        bar,
        ThreadPoolExecutor(max_workers=min(settings.workers, len(pages)), thread_name_prefix="policykb-ocr") as pool,
    ):
        futures = {pool.submit(job.read, page): page for page in pages}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                if future.exception() is not None:
                    for other in pending:
                        other.cancel()
                    raise future.exception()
                done[futures[future]] = future.result()
                bar.update(1)
                if settings.on_progress is not None:
                    settings.on_progress("ocr", len(done), len(pages))
    return done


def read_pages(
    path: Path, data: bytes, pages: dict[int, tuple[float, float] | None], settings: OcrSettings, why: str
) -> dict[int, OcrPage]:
    """Text and confidence of pages (from 1) of a PDF (their size in points given) or an image file (sizes None):
    from the cache, else from Tesseract."""
    cache = OcrCache(settings.cache_dir, data, settings) if settings.cache_dir else None
    found = cache.load() if cache else {}
    missing = [page for page in pages if page not in found]
    if missing:
        is_pdf = any(size is not None for size in pages.values())
        check_ocr_tools(path, settings, why, is_pdf)
        import pytesseract

        pytesseract.pytesseract.tesseract_cmd = settings.tesseract_cmd
        with tempfile.TemporaryDirectory(prefix="policykb-ocr-") as workdir, _one_core_per_tesseract(settings.workers):
            job = _Job(path, data, "pdf" if is_pdf else "image", settings, Path(workdir))
            job.page_dpi = {
                page: pdf_page_dpi(*pages[page], settings.dpi) for page in missing if pages[page] is not None
            }
            found.update(_run_pages(job, missing))
        if cache:
            cache.save(found)
    return {page: found[page] for page in pages}


@contextmanager
def _one_core_per_tesseract(workers: int):
    """With pages read side by side, each Tesseract gets one core (OMP_THREAD_LIMIT, which pytesseract passes on from
    this process's environment) for as long as they run: the embedder and FAISS, whose OpenMP may start later in the
    same process, keep every core."""
    if workers <= 1 or "OMP_THREAD_LIMIT" in os.environ:
        yield
        return
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        yield
    finally:
        os.environ.pop("OMP_THREAD_LIMIT", None)


def _why(raw: RawText) -> str:
    if not raw.file_format == "pdf":
        return "an image has no text but what OCR reads"
    numbers = sorted(raw.ocr_pages)
    which = (
        "every page"
        if len(numbers) == len(raw.pages)
        else "page" + ("s " if len(numbers) > 1 else " ") + _ranges(numbers)
    )
    return f"no usable text layer on {which} (scanned images, or text drawn as shapes or as junk glyphs)"


def _ranges(numbers: list[int]) -> str:
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def ocr_raw_text(path: Path, data: bytes, raw: RawText, settings: OcrSettings) -> bool:
    """Fill the pages of `raw` that need OCR with their text and confidence.

    Returns False when OCR cannot run now but the file's text layer holds text: then those pages stay empty (and the
    caller marks the document for another try); a file with no text but what OCR reads gets the IngestError.
    """
    if not raw.ocr_pages:
        return True
    try:
        found = read_pages(path, data, raw.ocr_pages, settings, _why(raw))
    except OcrUnavailableError as exc:
        if not any(text.strip() for number, text in enumerate(raw.pages, 1) if number not in raw.ocr_pages):
            raise
        log.warning("%s: OCR skipped (%s — %s); only the text layer is indexed", path, exc.reason, exc.fix)
        return False
    for number, page in found.items():
        raw.pages[number - 1] = page.text
        raw.ocr_confidence[number] = page.confidence
    if not any(text.strip() for text in raw.pages):
        raise IngestError(
            path,
            "no text found by OCR",
            "check that the file shows text that is upright and legible; scans at 200–300 dpi read best",
        )
    return True


class OcrCache:
    """One JSON file per file content and OCR settings in DATA/ocr-cache/, written atomically."""

    def __init__(self, folder: Path, data: bytes, settings: OcrSettings) -> None:
        digest = hashlib.sha256(data).hexdigest()
        tag = hashlib.sha256(f"{CACHE_VERSION}|{settings.langs}|{settings.dpi}".encode()).hexdigest()[:12]
        self.path = folder / f"{digest}-{tag}.json"
        self.settings = {"langs": settings.langs, "dpi": settings.dpi, "version": CACHE_VERSION}
        self.tesseract = tesseract_version(settings.tesseract_cmd)

    def load(self) -> dict[int, OcrPage]:
        """The pages read before, unless the Tesseract here now is another version than the one that read them (without
        Tesseract here, the cache still answers: it is the only way to the text)."""
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if self.tesseract is not None and stored.get("tesseract") != self.tesseract:
                log.info(
                    "reading %s again: it was read by %s, this is %s",
                    self.path,
                    stored.get("tesseract") or "an unrecorded Tesseract",
                    self.tesseract,
                )
                return {}
            return {int(page): OcrPage(entry["text"], entry["confidence"]) for page, entry in stored["pages"].items()}
        except FileNotFoundError:
            return {}
        except (ValueError, KeyError, TypeError, AttributeError):
            log.info("ignoring the unreadable OCR cache file %s", self.path)
            return {}

    def save(self, pages: dict[int, OcrPage]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            **self.settings,
            "tesseract": self.tesseract,
            "pages": {str(page): {"text": p.text, "confidence": p.confidence} for page, p in sorted(pages.items())},
        }
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False)
        replace_durably(partial, self.path)
