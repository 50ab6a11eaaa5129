"""A legal document's layout: its header and its signature and recipients blocks, which stay in the document's text
(citations are offsets into it) but are kept out of search passages; and the metadata the header gives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.ingest.legal_header import Header, read_header
from policykb.ingest.legal_signature import signature_blocks
from policykb.ingest.metadata import find_date

# A law is dated by the day the National Assembly passed it, which its closing words give.
_PASSED = re.compile(
    r"thông qua ngày|(?:was |were )?(?:passed|adopted|ratified) (?:by [^.]{0,120}? )?on", re.IGNORECASE
)
_PASSED_WINDOW = 80


@dataclass(slots=True)
class LegalLayout:
    header: Header | None = None
    blocks: list[tuple[int, int]] = field(default_factory=list)  # signature and recipients spans

    @property
    def skip(self) -> list[tuple[int, int]]:
        """Spans of text no passage holds: the header, signatures and recipients."""
        return ([(0, self.header.end)] if self.header else []) + self.blocks


def read_legal_layout(text: str) -> LegalLayout:
    """The header, signatures and recipients of a legal document; an empty layout for any other text."""
    header = read_header(text)
    if header is None:
        return LegalLayout()
    if header.date is None and header.doc_type == "law":
        header.date = passed_date(text)
    return LegalLayout(header, signature_blocks(text, after=header.end))


def passed_date(text: str) -> str | None:
    """The date a law's closing words say it was passed ("… thông qua ngày 06 tháng 4 năm 2016")."""
    matches = list(_PASSED.finditer(text))
    if not matches:
        return None
    start = matches[-1].end()
    return find_date(text[start : start + _PASSED_WINDOW], _PASSED_WINDOW)
