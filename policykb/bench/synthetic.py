"""Synthetic corpora and queries for the benchmarks and the behaviour snapshot: policy-like documents and questions
made from the bundled corpus's sentences and the glossary's names, the same on every run (one seed)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from policykb.errors import PolicyKBError
from policykb.glossary import Glossary, is_acronym
from policykb.textnorm import fold

SEED = 20240509  # the synthetic corpus and the queries are the same on every run
QUERY_KINDS = ("keyword", "question", "number", "vietnamese")
# One fixed query of each kind leads its kind, so that every run times these exact strings.
FIRST_QUERIES = (
    "social insurance",
    "Who coordinates the partnership group with international donors?",
    "68/NQ-CP",
    "bảo hiểm xã hội",
)
BUNDLED_NUMBERS = ("68/NQ-CP", "42-NQ/TW", "Resolution 68", "Resolution No 42-NQ/TW", "Nghị quyết 68/NQ-CP")
DOCUMENT_KINDS = (
    ("Resolution", "{n}/NQ-CP"),
    ("Decree", "{n}/{year}/NĐ-CP"),
    ("Decision", "{n}/QĐ-TTg"),
    ("Circular", "{n}/{year}/TT-BLĐTBXH"),
)
TITLE_ENDINGS = (
    "in the period of 2021-2030",
    "for the period 2016-2020",
    "and the action plan to 2030",
    "to 2025, with a vision to 2035",
)
ASPECTS = (
    "Improving",
    "Expanding the coverage of",
    "Financing",
    "Monitoring and evaluation of",
    "Coordination of",
    "Legal framework for",
    "Tasks and solutions on",
    "Targets for",
    "Capacity building for",
    "Communication on",
)
# Glossary terms that name a kind of document or a role, not a policy topic to write or ask about.
NOT_TOPICS = frozenset(
    {"resolution", "decree", "decision", "strategy", "minutes", "lead agency", "coordinating agency", "deadline"}
)
GROUPS = (
    "informal workers",
    "older people",
    "children",
    "people with disabilities",
    "ethnic minorities",
    "farmers",
    "low-income households",
)
QUESTIONS = (
    "What does the {kind} say about {term}?",
    "Which agency is responsible for {term} for {group}?",
    "How will the Government extend {term} to {group} by {year}?",
    "What are the targets for {term} in the period {year}-2030?",
    "Who coordinates {term} with {agency}?",
)
VI_GROUPS = ("người cao tuổi", "trẻ em", "người khuyết tật", "lao động phi chính thức", "đồng bào dân tộc thiểu số")
VI_SENTENCES = (
    "{agency} chủ trì, phối hợp với {agency2} và Ủy ban nhân dân các tỉnh triển khai {term}, thời hạn hoàn thành năm {year}.",
    "Nghiên cứu, sửa đổi chính sách {term} theo Nghị quyết số {number}, ưu tiên {group}.",
    "Mở rộng đối tượng tham gia {term}, bảo đảm {group} được tiếp cận dịch vụ xã hội cơ bản.",
)
VI_QUERIES = ("{term}", "chính sách {term}", "{term} cho {group}", "{agency} chủ trì {term}", "{folded}")

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z“\"])")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


# --- the vocabulary ---------------------------------------------------------------------------------
class Vocabulary:
    """Sentences of the bundled corpus and the glossary's English and Vietnamese names, to build text from."""

    def __init__(self, corpus_dir: Path, glossary: Glossary) -> None:
        self.sentences = _corpus_sentences(corpus_dir)
        # The glossary file's own entries, so that the synthetic corpus does not change with the built-in gazetteer.
        entries = glossary.entries if glossary.from_file is None else glossary.from_file
        terms = [entry for entry in entries if entry.kind == "term" and entry.canonical not in NOT_TOPICS]
        agencies = [entry for entry in entries if entry.kind == "agency"]
        self.terms = [entry.canonical for entry in terms if entry.canonical.islower()]
        self.vi_terms = [v for entry in terms for v in entry.variants if _is_vietnamese(v)]
        self.agencies = [name for entry in agencies if (name := _english_name(entry.variants))]
        self.acronyms = [entry.canonical for entry in agencies if is_acronym(entry.canonical)]
        self.vi_agencies = [v for entry in agencies for v in entry.variants if _is_vietnamese(v) and len(v.split()) > 2]
        if not all((self.sentences, self.terms, self.vi_terms, self.agencies, self.acronyms, self.vi_agencies)):
            raise PolicyKBError(
                f"cannot build the synthetic corpus from {corpus_dir} and its glossary: it needs prose .txt files and a glossary "
                "with English and Vietnamese terms and agencies — pass --corpus corpus/ or set POLICYKB_GLOSSARY=corpus/glossary.json"
            )
        self._term_pattern = re.compile(
            "|".join(re.escape(term) for term in sorted(self.terms, key=len, reverse=True)), re.IGNORECASE
        )

    def vary(self, sentence: str, rng: random.Random) -> str:
        """The sentence with about half of its policy terms and years swapped for others."""

        def swap_term(match: re.Match) -> str:
            if rng.random() >= 0.5:
                return match.group(0)
            term = rng.choice(self.terms)
            return term[0].upper() + term[1:] if match.group(0)[0].isupper() else term

        sentence = self._term_pattern.sub(swap_term, sentence)
        return _YEAR.sub(lambda m: str(rng.randint(2011, 2030)) if rng.random() < 0.5 else m.group(0), sentence)


def _corpus_sentences(corpus_dir: Path) -> list[str]:
    """Prose sentences of the corpus's .txt files (list items included), without repeats."""
    sentences: list[str] = []
    for path in sorted(corpus_dir.glob("*.txt")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            for sentence in _SENTENCE_END.split(line.strip().lstrip("-–•* ")):
                if 60 <= len(sentence) <= 320 and sentence[0].isupper() and sentence.endswith((".", ";", "!", "?")):
                    sentences.append(sentence[:-1] + "." if sentence.endswith(";") else sentence)
    return list(dict.fromkeys(sentences))


def _is_vietnamese(name: str) -> bool:
    return fold(name) != name


def _english_name(variants: tuple[str, ...]) -> str | None:
    return next((v for v in variants if " " in v and not _is_vietnamese(v) and not is_acronym(v)), None)


# --- the synthetic corpus ---------------------------------------------------------------------------
def document_number(index: int) -> tuple[str, str]:
    """The kind and number of synthetic document `index` ("Resolution", "103/NQ-CP")."""
    kind, pattern = DOCUMENT_KINDS[index % len(DOCUMENT_KINDS)]
    return kind, pattern.format(n=100 + index, year=2015 + index % 10)


def _paragraph(vocab: Vocabulary, rng: random.Random, min_chars: int) -> str:
    """Corpus sentences, varied, up to about min_chars; now and then a document number or a Vietnamese sentence."""
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < min_chars:
        sentences.append(vocab.vary(rng.choice(vocab.sentences), rng))
    return " ".join(sentences + paragraph_extras(vocab, rng))


def paragraph_extras(vocab: Vocabulary, rng: random.Random) -> list[str]:
    """Now and then a sentence citing a document number, now and then a Vietnamese sentence."""
    extras: list[str] = []
    if rng.random() < 0.1:
        reference = rng.choice(BUNDLED_NUMBERS[:2] + tuple(document_number(rng.randrange(40))[1] for _ in range(3)))
        extras.append(f"This is done in line with Resolution No {reference}.")
    if rng.random() < 0.15:
        extras.append(
            rng.choice(VI_SENTENCES).format(
                agency=rng.choice(vocab.vi_agencies),
                agency2=rng.choice(vocab.vi_agencies),
                term=rng.choice(vocab.vi_terms),
                year=rng.randint(2021, 2030),
                number=rng.choice(BUNDLED_NUMBERS[:2]),
                group=rng.choice(VI_GROUPS),
            )
        )
    return extras


def synthetic_document(index: int, sections: int, vocab: Vocabulary, rng: random.Random) -> str:
    """A policy document: a title, its number, an introduction, then numbered sections, each about one chunk."""
    kind, number = document_number(index)
    topic = rng.choice(vocab.terms)
    title = f"{kind} on {topic} {rng.choice(TITLE_ENDINGS)}"
    day, month = rng.randint(1, 28), rng.choice(("January", "March", "May", "July", "September", "November"))
    blocks = [
        f"{title[0].upper()}{title[1:]}\nNo. {number}, issued on {day} {month} {2015 + index % 10} by the "
        f"{rng.choice(vocab.agencies)}.\n{_paragraph(vocab, rng, rng.randint(200, 380))}"
    ]
    chapter, written = 0, 0
    while written < sections:
        chapter += 1
        heading = rng.choice(vocab.terms)
        if rng.random() < 0.3:
            heading += f" ({rng.choice(vocab.vi_terms)})"
        blocks.append(f"{chapter}. {heading[0].upper()}{heading[1:]}")
        for sub in range(1, min(rng.randint(3, 8), sections - written) + 1):
            blocks.append(
                f"{chapter}.{sub}. {rng.choice(ASPECTS)} {rng.choice(vocab.terms)}\n{_paragraph(vocab, rng, rng.randint(200, 400))}"
            )
            written += 1
    return "\n\n".join(blocks) + "\n"


def write_synthetic_corpus(folder: Path, chunks: int, vocab: Vocabulary, seed: int = SEED) -> int:
    """Write .txt documents of 20–80 sections under `folder`, about `chunks` chunks in all; returns the files written.

    A document is one chunk for its title and introduction and one for each numbered section.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    index, planned = 0, 0
    while planned < chunks:
        sections = min(rng.randint(20, 80), max(1, chunks - planned - 1))
        text = synthetic_document(index, sections, vocab, rng)
        (folder / f"synthetic_{index:05d}.txt").write_text(text, encoding="utf-8")
        planned += sections + 1
        index += 1
    return index


# --- the queries ------------------------------------------------------------------------------------
def benchmark_queries(count: int, vocab: Vocabulary, seed: int = SEED) -> list[tuple[str, str]]:
    """`count` (kind, query) pairs cycling through keyword, question, document number and Vietnamese queries."""
    rng = random.Random(seed + 1)
    makers = {
        "keyword": _keyword_query,
        "question": _question_query,
        "number": _number_query,
        "vietnamese": _vietnamese_query,
    }
    queries: list[tuple[str, str]] = []
    for position in range(count):
        kind = QUERY_KINDS[position % len(QUERY_KINDS)]
        first = position < len(QUERY_KINDS)
        queries.append((kind, FIRST_QUERIES[position] if first else makers[kind](vocab, rng)))
    return queries


def _keyword_query(vocab: Vocabulary, rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.4:
        return rng.choice(vocab.terms)
    if choice < 0.6:
        return rng.choice(vocab.acronyms)
    return (
        f"{rng.choice(vocab.acronyms)} {rng.choice(vocab.terms)}"
        if choice < 0.8
        else f"{rng.choice(vocab.terms)} {rng.choice(GROUPS)}"
    )


def _question_query(vocab: Vocabulary, rng: random.Random) -> str:
    return rng.choice(QUESTIONS).format(
        kind=rng.choice(DOCUMENT_KINDS)[0].lower(),
        term=rng.choice(vocab.terms),
        group=rng.choice(GROUPS),
        year=rng.randint(2016, 2025),
        agency=rng.choice(vocab.agencies),
    )


def _number_query(vocab: Vocabulary, rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(BUNDLED_NUMBERS)
    kind, number = document_number(rng.randrange(60))
    return number if rng.random() < 0.6 else f"{kind} {number}"


def _vietnamese_query(vocab: Vocabulary, rng: random.Random) -> str:
    term = rng.choice(vocab.vi_terms)
    return rng.choice(VI_QUERIES).format(
        term=term, group=rng.choice(VI_GROUPS), agency=rng.choice(vocab.vi_agencies), folded=fold(term)
    )


# --- measuring --------------------------------------------------------------------------------------
