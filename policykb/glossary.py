"""The curated glossary in corpus/: agencies with their acronyms and names, and bilingual policy terms."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from policykb.errors import PolicyKBError
from policykb.textnorm import fold_lower, fold_lower_aligned, word_start


@dataclass(frozen=True, slots=True)
class Mention:
    """Where an entry is named in a text: text[start:end] names `canonical`."""

    start: int
    end: int
    canonical: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One concept: a canonical name and every way it is written, in English and Vietnamese."""

    canonical: str
    variants: tuple[str, ...]
    kind: str  # "agency", "group" (collective owners such as "ministries and localities") or "term"
    learned: bool = False  # an acronym one document defined, not an entry of the glossary file


@dataclass
class Glossary:
    entries: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Each pattern with a word it cannot match without: a substring test rules most texts out far faster than
        # the pattern's search, whose lookbehind keeps re from scanning for a literal.
        self._patterns = [
            (variant, *variant_pattern(variant), _required_word(variant), entry)
            for entry in self.entries
            for variant in entry.variants
        ]

    def matches(self, text: str) -> list[tuple[Entry, str]]:
        """Entries written in the text, with the variant that matched, in glossary order."""
        folded = fold_lower(text)
        found: dict[str, tuple[Entry, str]] = {}
        for variant, pattern, on_raw_text, required, entry in self._patterns:
            target = text if on_raw_text else folded
            if entry.canonical not in found and required in target and pattern.search(target):
                found[entry.canonical] = (entry, variant)
        return list(found.values())

    def mentions(self, text: str, kind: str = "agency") -> list[Mention]:
        """Every place an entry of this kind is named, longest names first where they overlap, in text order."""
        folded = fold_lower_aligned(text)
        found: list[Mention] = []
        for _, pattern, on_raw_text, required, entry in self._patterns:
            target = text if on_raw_text else folded
            if entry.kind != kind or required not in target:
                continue
            for match in pattern.finditer(target):
                found.append(Mention(match.start(), match.end(), entry.canonical))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if not kept or mention.start >= kept[-1].end:
                kept.append(mention)
        return kept

    def agencies_in(self, text: str) -> list[str]:
        return [entry.canonical for entry, _ in self.matches(text) if entry.kind == "agency"]

    def with_acronyms(self, acronyms: dict[str, str]) -> Glossary:
        """This glossary plus acronyms learned from documents ("SAD" -> "Social Assistance Department")."""
        known = {variant for entry in self.entries for variant in entry.variants}
        extra = [
            Entry(acronym, (acronym, expansion), "agency" if _looks_like_agency(expansion) else "term", learned=True)
            for acronym, expansion in acronyms.items()
            if acronym not in known
        ]
        return Glossary(self.entries + extra)


def _looks_like_agency(name: str) -> bool:
    return bool(
        re.search(
            r"\b(?:Ministry|Department|Agency|Institute|Committee|Office|Organi[sz]ation|Bank|Fund|Programme|Group|Council|Assembly|Bộ|Cục|Vụ|Ủy ban)\b",
            name,
        )
    )


def is_acronym(variant: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*|[A-Z]{2,}\d*", variant))


def _required_word(variant: str) -> str:
    """Text that every match of the variant's pattern contains: the acronym itself, or the longest word of the name."""
    if is_acronym(variant):
        return variant
    return max(re.findall(r"\w+", fold_lower(variant)), key=len, default="")


def variant_pattern(variant: str) -> tuple[re.Pattern[str], bool]:
    """A pattern and whether it runs on the raw text: acronyms match case-sensitively ("MoLISA" is its
    own variant), names match on folded, lower-cased text with any spacing or punctuation between words."""
    if is_acronym(variant):
        return re.compile(word_start(re.escape(variant), not_after=r"[\w-]") + r"(?![\w-])"), True
    words = [re.escape(word) for word in re.findall(r"\w+", fold_lower(variant))]
    if not words:
        return re.compile(r"(?<!\w)(?!\w)"), False
    rest = "".join(rf"[\W_]+{word}" for word in words[1:])
    return re.compile(rf"{word_start(words[0])}{rest}(?!\w)"), False


def _entries_from_json(data: dict, path: Path) -> list[Entry]:
    entries: list[Entry] = []
    for kind, key in (("agency", "agencies"), ("term", "terms"), ("group", "groups")):
        for position, item in enumerate(data.get(key, [])):
            names = [item.get("name", "")] + list(item.get("variants", [])) + list(item.get("vi", []))
            names = [name for name in dict.fromkeys(names) if name]
            if not names:
                raise PolicyKBError(f'{path}: {key}[{position}] has no name — give it a "name" and "variants"')
            entries.append(Entry(names[0], tuple(names), kind))
    return entries


@lru_cache(maxsize=8)
def load_glossary(path: Path) -> Glossary:
    """Read the glossary JSON; a missing file gives an empty glossary, a broken one a clear error."""
    if not path.exists():
        return Glossary([])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PolicyKBError(
            f"{path}: not valid JSON ({exc}) — fix the file or set POLICYKB_GLOSSARY to another one"
        ) from exc
    return Glossary(_entries_from_json(data, path))
