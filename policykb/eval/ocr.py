"""OCR quality and speed through policykb's own OCR path.

Corpus texts (English: corpus/; Vietnamese: the Vietnamese test documents in policykb/eval/data/owners_documents/ and, when
../shared/testdata/alqac2023 is there, articles of one law) are drawn on A4 pages at 300 dpi with DejaVu Serif, made to
look scanned (a slight tilt, blur and speckle), saved as image-only PDFs and read back. Reported: character error rate
(CER) against the drawn text, pages/s, and hit@5 for 10 phrases per language searched in an index of the OCR'd
documents with the real model; then the outcome on the two real scans of ../shared/testdata/pdfs.

    HF_HUB_OFFLINE=1 policykb eval ocr [--dpi 300 --dpi 200] [--pages 2] [-o out.json]
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from policykb.config import PROJECT_ROOT, Config
from policykb.eval.sets import OWNERS_DOCUMENTS
from policykb.ingest.indexer import Indexer
from policykb.ingest.ocr import OcrSettings, read_pages
from policykb.search.searcher import Searcher

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
TESTDATA = PROJECT_ROOT.parent / "shared" / "testdata"
DPI = 300
PAGE_PX = (int(8.27 * DPI), int(11.69 * DPI))  # A4
MARGIN = DPI  # one inch
POINT_SIZE = 11


@dataclass
class Sample:
    name: str
    language: str
    pages: list[str] = field(default_factory=list)  # the lines drawn on each page, joined by newlines


# --- texts ------------------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n|\n", text) if block.strip()]


def source_texts() -> list[tuple[str, str, str]]:
    """(name, language, text) of the documents to draw."""
    texts = [
        (path.stem[:12], "en", path.read_text(encoding="utf-8"))
        for path in sorted((PROJECT_ROOT / "corpus").glob("*.txt"))
    ]
    for path in sorted((OWNERS_DOCUMENTS).glob("vi_*.txt")):
        text = path.read_text(encoding="utf-8")
        if re.search("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", text):  # skip the unaccented one
            texts.append((path.stem[:24], "vi", text.split("\n", 2)[-1]))  # without the "TEST FIXTURE" line
    law = TESTDATA / "alqac2023" / "law.json"
    if law.is_file():
        [drugs] = [
            entry for entry in json.loads(law.read_text(encoding="utf-8")) if entry["id"] == "Luật Phòng, chống ma túy"
        ]
        articles = "\n\n".join(f"Điều {a['id']}. {a['text']}" for a in drugs["articles"][:12])
        texts.append(("luat_phong_chong_ma_tuy", "vi", articles))
    return texts


# --- drawing scanned pages ------------------------------------------------------------------------
def _wrap(paragraph: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for word in paragraph.split():
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return lines + ([line] if line else [])


def draw_pages(text: str, max_pages: int) -> list[tuple[Image.Image, str]]:
    """Pages of the text as scanned-looking images, each with the lines it shows."""
    font = ImageFont.truetype(str(FONT), int(POINT_SIZE * DPI / 72))
    step = int(POINT_SIZE * DPI / 72 * 1.45)
    lines_per_page = (PAGE_PX[1] - 2 * MARGIN) // step
    lines: list[str] = []
    for paragraph in _paragraphs(text):
        lines += _wrap(paragraph, font, PAGE_PX[0] - 2 * MARGIN) + [""]
    pages = []
    for first in range(0, len(lines), lines_per_page):
        shown = lines[first : first + lines_per_page]
        image = Image.new("L", PAGE_PX, 255)
        draw = ImageDraw.Draw(image)
        for number, line in enumerate(shown):
            draw.text((MARGIN, MARGIN + number * step), line, font=font, fill=0)
        pages.append((scanned_look(image, seed=first), "\n".join(line for line in shown if line)))
        if len(pages) == max_pages:
            break
    return pages


def scanned_look(image: Image.Image, seed: int) -> Image.Image:
    """A slight tilt, the blur of a flatbed scanner and a light speckle of dust."""
    rng = random.Random(seed)
    image = image.rotate(rng.uniform(-0.6, 0.6), resample=Image.BICUBIC, fillcolor=255).filter(
        ImageFilter.GaussianBlur(0.7)
    )
    pixels = np.asarray(image, dtype=np.int16)
    noise = np.random.default_rng(seed).normal(0, 12, pixels.shape)
    dust = np.random.default_rng(seed + 1).random(pixels.shape) < 0.0004
    pixels = np.clip(pixels + noise, 0, 255)
    pixels[dust] = 40
    return Image.fromarray(pixels.astype(np.uint8), "L")


# --- measures -------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one row at a time in numpy (a row's left-to-right dependency as a running minimum)."""
    if not a or not b:
        return max(len(a), len(b))
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    columns = np.arange(len(b) + 1)
    previous = columns.copy()
    for i, char in enumerate(a, start=1):
        substitute = previous[:-1] + (codes_b != ord(char))
        current = np.empty_like(previous)
        current[0] = i
        current[1:] = np.minimum(previous[1:] + 1, substitute)
        previous = np.minimum.accumulate(current - columns) + columns
    return int(previous[-1])


def cer(reference: str, hypothesis: str) -> float:
    reference, hypothesis = normalise(reference), normalise(hypothesis)
    return edit_distance(reference, hypothesis) / max(1, len(reference))


def phrases_for(samples: list[Sample], count: int, seed: int = 7) -> list[tuple[Sample, int, str]]:
    """`count` phrases of 5–8 words from the drawn text, spread over the documents: (sample, page, phrase)."""
    rng = random.Random(seed)
    chosen: list[tuple[Sample, int, str]] = []
    while len(chosen) < count:
        sample = samples[len(chosen) % len(samples)]
        page = rng.randrange(len(sample.pages))
        lines = [line for line in sample.pages[page].splitlines() if len(line.split()) >= 6]
        if not lines:
            continue
        words = rng.choice(lines).split()
        length = rng.randint(5, min(8, len(words)))
        start = rng.randrange(len(words) - length + 1)
        phrase = " ".join(words[start : start + length]).strip('.,;:()“”"')
        if phrase not in {p for _, _, p in chosen}:
            chosen.append((sample, page + 1, phrase))
    return chosen


def locate(phrase: str, text: str, start: int, end: int) -> int:
    """Where in text[start:end] (an OCR'd page) the phrase stands: the word window with the fewest character edits."""
    words = [(m.start() + start, m.group()) for m in re.finditer(r"\S+", text[start:end])]
    size = len(phrase.split())
    best, where = None, start
    for i in range(max(1, len(words) - size + 1)):
        window = " ".join(word for _, word in words[i : i + size])
        distance = edit_distance(phrase.casefold(), window.casefold())
        if best is None or distance < best:
            best, where = distance, words[i][0] if words else start
    return where


# --- the runs -------------------------------------------------------------------------------------
def make_samples(folder: Path, max_pages: int) -> list[tuple[Sample, Path]]:
    made = []
    for name, language, text in source_texts():
        pages = draw_pages(text, max_pages)
        path = folder / f"{language}_{name}.pdf"
        images = [image.convert("RGB") for image, _ in pages]
        images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=DPI)
        made.append((Sample(name, language, [lines for _, lines in pages]), path))
    return made


def _children_cpu() -> float:
    """CPU seconds used by finished child processes (pdftoppm, tesseract): a cost that other load does not inflate."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ocr_samples(made: list[tuple[Sample, Path]], settings: OcrSettings) -> dict:
    """CER per language and pages/s, reading every page through read_pages (pdftoppm + Tesseract, pages in parallel)."""
    from pypdf import PdfReader

    errors: dict[str, list[int]] = {"en": [0, 0], "vi": [0, 0]}  # edits, reference characters
    pages_done, seconds, cpu, confidences = 0, 0.0, 0.0, {"en": [], "vi": []}
    for sample, path in made:
        data = path.read_bytes()
        sizes = {n: (float(p.mediabox.width), float(p.mediabox.height)) for n, p in enumerate(PdfReader(path).pages, 1)}
        started, children = time.perf_counter(), _children_cpu()
        read = read_pages(path, data, sizes, settings, "benchmark")
        seconds += time.perf_counter() - started
        cpu += _children_cpu() - children
        pages_done += len(read)
        for number, page in read.items():
            reference, hypothesis = normalise(sample.pages[number - 1]), normalise(page.text)
            errors[sample.language][0] += edit_distance(reference, hypothesis)
            errors[sample.language][1] += len(reference)
            confidences[sample.language].append(page.confidence or 0)
    return {
        "dpi": settings.dpi,
        "pages": pages_done,
        "seconds": round(seconds, 1),
        "pages_per_s": round(pages_done / seconds, 3),
        "cpu_s_per_page": round(cpu / pages_done, 2),  # pdftoppm + tesseract, whatever else the machine is doing
        "cer": {lang: round(edits / max(1, chars), 4) for lang, (edits, chars) in errors.items()},
        "characters": {lang: chars for lang, (_, chars) in errors.items()},
        "mean_confidence": {lang: round(sum(c) / max(1, len(c)), 1) for lang, c in confidences.items()},
    }


def hit_at_5(made: list[tuple[Sample, Path]], data_dir: Path, settings: OcrSettings, per_language: int = 10) -> dict:
    """Ingest the OCR'd documents with the real model (the OCR cache answers) and search 10 phrases per language."""
    config = Config.from_env(data_dir=data_dir, ocr_dpi=settings.dpi)
    with Indexer(config, progress=False) as indexer:
        report = indexer.ingest([path for _, path in made])
    assert not report.errors, report.errors
    searcher = Searcher(config)
    by_source = {doc.source: doc.id for doc in searcher.store.list_documents()}
    result: dict = {}
    for language in ("en", "vi"):
        samples = [sample for sample, _ in made if sample.language == language]
        paths = {sample.name: path for sample, path in made}
        found, misses = 0, []
        for sample, page, phrase in phrases_for(samples, per_language):
            doc = searcher.store.get_document(by_source[str(paths[sample.name].resolve())])
            starts = doc.page_starts + [len(doc.text)]
            where = locate(phrase, doc.text, starts[page - 1], starts[page])
            hits = searcher.search(phrase, "hybrid", k=5).hits
            if any(hit.doc_id == doc.id and hit.start <= where < hit.end for hit in hits):
                found += 1
            else:
                misses.append(phrase)
        result[language] = {"found": found, "of": per_language, "misses": misses}
    searcher.close()
    return result


REAL_SCANS = {
    "scanned_image_only_c02-22.pdf": ("Miss Watson", "kitchen", "tip-toeing along a path", "Jim"),
    "vi_no_text_layer_vector_glyphs.pdf": (
        "Thể lệ cuộc thi",
        "AI For Life",
        "Đắk Lắk",
        "ĐỐI TƯỢNG DỰ THI",
        "HÌNH THỨC THAM GIA",
    ),
}


def real_scans(settings: OcrSettings) -> dict:
    from pypdf import PdfReader

    outcome = {}
    for name, expected in REAL_SCANS.items():
        path = TESTDATA / "pdfs" / name
        if not path.is_file():
            outcome[name] = {"skipped": f"needs {path}"}
            continue
        sizes = {n: (float(p.mediabox.width), float(p.mediabox.height)) for n, p in enumerate(PdfReader(path).pages, 1)}
        started, children = time.perf_counter(), _children_cpu()
        read = read_pages(path, path.read_bytes(), sizes, settings, "benchmark")
        seconds, cpu = time.perf_counter() - started, _children_cpu() - children
        text = "\n".join(page.text for page in read.values())
        known = [page.confidence for page in read.values() if page.confidence is not None]
        outcome[name] = {
            "pages": len(read),
            "seconds": round(seconds, 1),
            "pages_per_s": round(len(read) / seconds, 3),
            "cpu_s_per_page": round(cpu / len(read), 2),
            "mean_confidence": round(sum(known) / len(known), 1),
            "characters": len(text),
            "expected_found": [words for words in expected if words in text],
            "expected_missing": [words for words in expected if words not in text],
        }
    return outcome


def run_ocr_benchmark(
    dpis: list[int],
    max_pages: int = 2,
    langs: list[str] | None = None,
    report: Callable[[dict], None] = lambda run: None,
) -> dict:
    """Draw the samples, then per resolution: CER, pages/s, hit@5 and the real scans; each run goes to `report` as it
    ends. With `langs`, instead only the CER of each language setting at the first resolution, no search."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    workers = os.cpu_count() or 1
    results: dict = {"workers": os.cpu_count(), "runs": []}
    with tempfile.TemporaryDirectory(prefix="policykb-ocr-eval-") as tmp:
        folder = Path(tmp)
        made = make_samples(folder, max_pages)
        results["documents"] = {lang: sum(1 for s, _ in made if s.language == lang) for lang in ("en", "vi")}
        for setting in langs or []:
            run = {"langs": setting, **ocr_samples(made, OcrSettings(langs=setting, dpi=dpis[0], workers=workers))}
            results["runs"].append(run)
            report(run)
        for dpi in [] if langs else dpis:
            settings = OcrSettings(dpi=dpi, workers=workers, cache_dir=folder / f"data-{dpi}" / "ocr-cache")
            run = ocr_samples(made, settings)
            run["hit@5"] = hit_at_5(made, folder / f"data-{dpi}", settings)
            run["real_scans"] = real_scans(OcrSettings(dpi=dpi, workers=workers))
            results["runs"].append(run)
            report(run)
    return results
