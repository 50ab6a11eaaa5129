"""The glossary: agencies with their acronyms and names, and bilingual policy terms.

Built in: the gazetteer's bodies and groups (policykb/data/gazetteer.json) and bilingual terms (policykb/data/terms.json,
where present). The user's file (corpus/glossary.json, or POLICYKB_GLOSSARY) extends them: an entry naming a built-in one
adds its names to it, any other is added.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path

from policykb.errors import PolicyKBError
from policykb.gazetteer import DATA_DIR, Gazetteer, Succession, load_gazetteer
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
    gazetteer_only: bool = False  # a body of the built-in gazetteer that the user's glossary file does not name


class _Pattern:
    """A variant's pattern, compiled when first used (most of a gazetteer's names never are), and its words (the
    acronym itself, on the raw text; a name's folded words)."""

    __slots__ = ("index", "variant", "on_raw_text", "words", "entry", "_compiled")

    def __init__(self, index: int, variant: str, entry: Entry) -> None:
        self.index, self.variant, self.entry = index, variant, entry
        self.on_raw_text = is_acronym(variant)
        self.words = (variant,) if self.on_raw_text else tuple(re.findall(r"\w+", fold_lower(variant)))
        self._compiled: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = variant_pattern(self.variant)[0]
        return self._compiled


@dataclass
class Glossary:
    entries: list[Entry] = field(default_factory=list)
    gazetteer: Gazetteer | None = None  # parents and lineage of the built-in bodies
    from_file: list[Entry] | None = None  # the entries as the user's glossary file gave them, without built-ins

    def __post_init__(self) -> None:
        patterns = _compile(self.entries, 0)
        self._layers = [_Layer(patterns)]  # the entries' patterns; then those of acronyms learned from a document
        self._by_first = _by_first_word({}, patterns)  # for `matches`
        self._last: tuple[str, list[tuple[Mention, str]]] | None = None

    def _longest(self, text: str, folded: str, group: str) -> list[tuple[int, int, _Pattern]]:
        """The longest name of the kind group at each place it is named, left to right, not overlapping: names on
        the folded text (aligned with the raw one), acronyms on the raw text."""
        found: list[tuple[int, int, _Pattern]] = []
        for layer, (raw, target) in product(self._layers, ((False, folded), (True, text))):
            index = layer.index(group, raw)
            for hit in index.finder.finditer(target) if index.finder else ():
                key = (hit.group(),) if raw else tuple(_TOKEN.findall(hit.group()))
                for item in index.by_words.get(key, ()):
                    match = item.pattern.match(target, hit.start())
                    if match is not None and match.end() == hit.end():
                        found.append((hit.start(), hit.end(), item))
                        break
        return found

    def matches(self, text: str) -> list[tuple[Entry, str]]:
        """Entries written in the text, with the variant that matched (the entry's first), in glossary order."""
        folded = fold_lower(text)
        candidates: dict[int, _Pattern] = {}
        for raw, target in ((False, folded), (True, text)):
            words = set(_TOKEN.findall(target))
            for word in words:
                for item in self._by_first.get((raw, word), ()):
                    if all(w in words for w in item.words):  # every word of the name is in the text
                        candidates[item.index] = item
        first: dict[str, _Pattern] = {}
        for index in sorted(candidates):
            item = candidates[index]
            if item.entry.canonical not in first and item.pattern.search(text if item.on_raw_text else folded):
                first[item.entry.canonical] = item
        return [(item.entry, item.variant) for item in sorted(first.values(), key=lambda item: item.index)]

    def mentions(self, text: str, kind: str = "agency") -> list[Mention]:
        """Every place an entry of this kind is named, longest names first where they overlap, in text order. Owners
        (agencies and groups) compete with each other: "Thủ trưởng cơ quan thuộc Chính phủ" names a group, not the
        Government, and "Ban Cơ yếu Chính phủ" the Cipher Committee."""
        last = self._last  # extraction asks for a text's agencies, then its groups: one scan serves both
        if kind in _OWNER_KINDS and last is not None and last[0] is text:
            kept = last[1]
        else:
            found = sorted(
                self._longest(text, fold_lower_aligned(text), _kind_group(kind)), key=lambda m: (m[0], -m[1])
            )
            kept = []
            for start, end, item in found:
                if not kept or start >= kept[-1][0].end:
                    kept.append((Mention(start, end, item.entry.canonical), item.entry.kind))
            if kind in _OWNER_KINDS:
                self._last = (text, kept)
        return [mention for mention, mention_kind in kept if mention_kind == kind]

    def agencies_in(self, text: str) -> list[str]:
        return [entry.canonical for entry, _ in self.matches(text) if entry.kind == "agency"]

    def with_acronyms(self, acronyms: dict[str, str]) -> Glossary:
        """This glossary plus acronyms learned from documents ("SAD" -> "Social Assistance Department"); the compiled
        patterns are shared, only the learned ones are compiled."""
        known = {variant for entry in self.entries for variant in entry.variants}
        extra = [
            Entry(acronym, (acronym, expansion), "agency" if _looks_like_agency(expansion) else "term", learned=True)
            for acronym, expansion in acronyms.items()
            if acronym not in known
        ]
        if not extra:
            return self
        copy = Glossary.__new__(Glossary)
        copy.entries, copy.gazetteer, copy.from_file = self.entries + extra, self.gazetteer, self.from_file
        patterns = _compile(extra, sum(len(layer.patterns) for layer in self._layers))
        copy._layers, copy._last = [*self._layers, _Layer(patterns)], None
        copy._by_first = _by_first_word(self._by_first, patterns)
        return copy

    # --- what the gazetteer knows of an entry (nothing, for a name only the user's file or a document gave) ---
    def parent_of(self, canonical: str, on: str | None = None) -> str | None:
        return self.gazetteer.parent_of(canonical, on) if self.gazetteer else None

    def children_of(self, canonical: str) -> list[str]:
        return self.gazetteer.children_of(canonical) if self.gazetteer else []

    def successors(self, canonical: str, on: str | None = None) -> list[Succession]:
        return self.gazetteer.successors(canonical, on) if self.gazetteer else []

    def body_kind(self, canonical: str) -> str | None:
        """The gazetteer's kind of the body ("ministry", "group", "court" …); None for a name it does not hold."""
        body = self.gazetteer.get(canonical) if self.gazetteer else None
        return body.kind if body else None

    def ceased(self, canonical: str, on: str | None = None) -> bool:
        return bool(self.gazetteer and self.gazetteer.ceased(canonical, on))


_OWNER_KINDS = frozenset({"agency", "group"})


@dataclass(frozen=True, slots=True)
class _Names:
    finder: re.Pattern[str] | None
    by_words: dict[tuple[str, ...], list[_Pattern]]


@dataclass
class _Layer:
    """Compiled variants of some entries, with one finder per kind group and text built when first asked for, so a
    glossary with a document's acronyms added compiles only theirs."""

    patterns: list[_Pattern]
    indexes: dict[tuple[str, bool], _Names] = field(default_factory=dict)

    def index(self, group: str, raw: bool) -> _Names:
        """One pattern for every name of a kind group ("owner" or another kind) on the raw or folded text: a trie of
        their words, which finds the longest name starting at each place in one pass, however many names there
        are; then the names by their words, whose own pattern confirms the match."""
        if (group, raw) not in self.indexes:
            by_words: dict[tuple[str, ...], list[_Pattern]] = {}
            for item in self.patterns:
                if item.words and item.on_raw_text == raw and _kind_group(item.entry.kind) == group:
                    by_words.setdefault(item.words, []).append(item)
            before, after = (r"(?<![\w-])", r"(?![\w-])") if raw else (r"(?<![^\W_])", r"(?![^\W_])")
            trie = _trie(_SEPARATOR.join(words) for words in by_words).replace(re.escape(_SEPARATOR), r"[\W_]+")
            finder = re.compile(f"{before}(?:{trie}){after}") if by_words else None
            self.indexes[(group, raw)] = _Names(finder, by_words)
        return self.indexes[(group, raw)]


def _compile(entries: list[Entry], start: int) -> list[_Pattern]:
    """The entries' variants compiled, numbered from `start` in glossary order."""
    pairs = [(entry, variant) for entry in entries for variant in entry.variants]
    return [_Pattern(start + i, variant, entry) for i, (entry, variant) in enumerate(pairs)]


def _by_first_word(
    known: dict[tuple[bool, str], list[_Pattern]], patterns: list[_Pattern]
) -> dict[tuple[bool, str], list[_Pattern]]:
    """`known` (left as it is) plus the patterns, by whether they run on the raw text and their first word."""
    out = dict(known)
    for item in patterns:
        if item.words:
            key = (item.on_raw_text, item.words[0])
            out[key] = [*out.get(key, ()), item]
    return out


_SEPARATOR = "\x00"  # between a name's words in its trie: any run of spaces and punctuation


def _kind_group(kind: str) -> str:
    """Owners (agencies and groups) are matched together; every other kind on its own."""
    return "owner" if kind in _OWNER_KINDS else kind


def _trie(words: Iterable[str]) -> str:
    """An alternation of the words as a trie ("b(?:an|o)"), which re tries a character at a time."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


_TOKEN = re.compile(r"[^\W_]+")


def _looks_like_agency(name: str) -> bool:
    return bool(
        re.search(
            r"\b(?:Ministry|Department|Agency|Institute|Committee|Office|Organi[sz]ation|Bank|Fund|Programme|Group|Council|Assembly|Bộ|Cục|Vụ|Ủy ban)\b",
            name,
        )
    )


def is_acronym(variant: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*|[A-Z]{2,}\d*", variant))


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


NO_GLOSSARY = Path(os.devnull)  # as the glossary path: no glossary at all, built-ins included (BEIR, ALQAC evaluations)
TERMS_PATH = DATA_DIR / "terms.json"


@lru_cache(maxsize=8)
def load_glossary(path: Path, builtin: bool = True) -> Glossary:
    """The built-in gazetteer and terms extended by the user's glossary JSON at `path` (a missing file adds nothing, a
    broken one is a clear error); NO_GLOSSARY, or builtin=False with a missing file, gives an empty glossary."""
    if Path(path) == NO_GLOSSARY:
        return Glossary([])
    user = _read_json(path, "set POLICYKB_GLOSSARY to another one") if path.exists() else {}
    user_entries = _entries_from_json(user, path)
    if not builtin:
        return Glossary(user_entries, from_file=user_entries)
    gazetteer = load_gazetteer()
    return Glossary(merge_entries(builtin_entries(gazetteer), user_entries), gazetteer, from_file=user_entries)


def builtin_entries(gazetteer: Gazetteer) -> list[Entry]:
    """The gazetteer's owners as agencies and groups, then the built-in terms."""
    entries = [Entry(body.id, body.names, body.glossary_kind, gazetteer_only=True) for body in gazetteer.owners()]
    if TERMS_PATH.exists():
        entries += _entries_from_json(_read_json(TERMS_PATH, "reinstall policykb"), TERMS_PATH)
    return entries


def merge_entries(builtin: list[Entry], user: list[Entry]) -> list[Entry]:
    """The user's entries in their order, each merged into the built-in entry of the same kind that shares a name with
    it (the built-in canonical name stays, the user's names come first), then the other built-in entries."""
    owner = {kind: kind in _OWNER_KINDS for kind in ("agency", "group", "term")}
    index: dict[tuple[bool, str], int] = {}
    for position, entry in enumerate(builtin):
        for name in entry.variants:
            index.setdefault((owner.get(entry.kind, False), _key(name)), position)
    merged: list[Entry] = []
    used: set[int] = set()
    for entry in user:
        position = next(
            (index[k] for name in entry.variants if (k := (owner.get(entry.kind, False), _key(name))) in index), None
        )
        if position is None or position in used:
            merged.append(entry)
            continue
        used.add(position)
        base = builtin[position]
        names = (base.canonical, *dict.fromkeys((*entry.variants, *base.variants)))
        merged.append(Entry(base.canonical, tuple(dict.fromkeys(names)), base.kind))
    return merged + [entry for position, entry in enumerate(builtin) if position not in used]


def _key(name: str) -> str:
    """Names that match alike are the same name: acronyms as written, others folded."""
    return name if is_acronym(name) else " ".join(_TOKEN.findall(fold_lower(name)))


def _read_json(path: Path, fix: str) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PolicyKBError(f"{path}: not valid JSON ({exc}) — fix the file or {fix}") from exc
