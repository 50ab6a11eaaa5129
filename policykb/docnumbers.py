"""Vietnamese legal document numbers (68/NQ-CP, 42-NQ/TW, 15/2023/NĐ-CP): finding and normalising them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.textnorm import fold, words

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_TYPE_CODE = r"(?:QH\d{1,2}|NQLT|NQ|NĐ|ND|QĐ|QD|TTLT|TT|VBHN|CT|QH|TW|CP|TTg|UBTVQH|BLĐTBXH|BLDTBXH|BTC|BYT|BHXH|L|AL|KH|TB|CV|HD|BC)"
# 68/NQ-CP, 42-NQ/TW, 15/2023/NĐ-CP, 43/2021/AL, 1234/QĐ-TTg, 58/2014/QH13; a footnote digit
# glued to the end by PDF extraction ("43/2021/AL1") is matched but not kept.
DOC_NUMBER = re.compile(
    rf"(?<![\w/])(\d{{1,5}})\s?(?:/\s?((?:19|20)\d\d)\s?)?[/-]\s?({_TYPE_CODE}(?:\s?[-/]\s?[A-ZĐ]{{1,10}}(?:g|\d{{1,2}})?){{0,2}})(?:\d(?![\w]))?(?![\w])",
)


def normalize_doc_number(raw: str) -> str:
    """Canonical form: upper case, ASCII hyphens, no spaces: "68/nq – cp" -> "68/NQ-CP"."""
    return re.sub(r"\s+", "", raw.translate(_DASHES)).upper()


def _without_footnote(match: re.Match[str]) -> str:
    return match.string[match.start() : match.end(3)]


def find_doc_numbers(text: str) -> list[str]:
    found = (normalize_doc_number(_without_footnote(m)) for m in DOC_NUMBER.finditer(text.translate(_DASHES)))
    return list(dict.fromkeys(found))


# "Resolution 68", "NQ 68", "Nghị quyết số 68", "68 NQ": a reference without the full number.
_KIND_CODES = {
    "resolution": "NQ",
    "nghi quyet": "NQ",
    "nq": "NQ",
    "decree": "ND",
    "nghi dinh": "ND",
    "nd": "ND",
    "decision": "QD",
    "quyet dinh": "QD",
    "qd": "QD",
    "circular": "TT",
    "thong tu": "TT",
    "tt": "TT",
    "directive": "CT",
    "chi thi": "CT",
    "ct": "CT",
}
_KINDS = "|".join(sorted(_KIND_CODES, key=len, reverse=True))
_LOOSE = re.compile(rf"\b(?:({_KINDS})\s*(?:no\.?|number|so)?\s*(\d{{1,5}})|(\d{{1,5}})\s*[-/]?\s*(nq|nd|qd|tt|ct))\b")


@dataclass(frozen=True, slots=True)
class NumberReference:
    """A document number asked for in a query: in full ("68/NQ-CP") or loosely ("Resolution 68")."""

    number: str
    code: str
    full: str | None = None

    def matches(self, stored: str) -> bool:
        folded = fold(stored).upper()
        if self.full is not None:
            return folded == fold(self.full).upper()
        return re.match(rf"{self.number}(?:/\d{{4}})?[/-]{self.code}(?![A-Z])", folded) is not None

    @property
    def phrase(self) -> str:
        """The words FTS5 sees for this number ("68/NQ-CP" -> "68 nq cp")."""
        return " ".join(words(self.full)) if self.full else f"{self.number} {self.code.lower()}"


class CitedNumbers:
    """Which documents mention which document numbers, looked up by the number's leading digits: a reference only
    ever matches stored numbers that begin with its own digits, so each query tests a handful, not every pair."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._by_digits: dict[str, dict[str, set[str]]] = {}
        for doc_id, number in pairs:
            digits = re.match(r"\d*", number).group(0)
            self._by_digits.setdefault(digits, {}).setdefault(number, set()).add(doc_id)

    def documents_citing(self, references: list[NumberReference]) -> set[str]:
        found: set[str] = set()
        for ref in references:
            for number, doc_ids in self._by_digits.get(ref.number, {}).items():
                if ref.matches(number):
                    found |= doc_ids
        return found


def number_references(query: str) -> list[NumberReference]:
    refs = [
        NumberReference(
            m.group(1),
            fold(m.group(3)).split("-")[0].split("/")[0].upper(),
            full=normalize_doc_number(_without_footnote(m)),
        )
        for m in DOC_NUMBER.finditer(query.translate(_DASHES))
    ]
    if not refs:
        for match in _LOOSE.finditer(fold(query).lower()):
            kind, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            refs.append(NumberReference(number, _KIND_CODES[kind]))
    return list(dict.fromkeys(refs))
