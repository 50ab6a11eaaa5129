"""How long the text a user gives may be and which characters it cannot hold: every limit in one table, read by the
checks, the pages' maxlength and the API.

Each stored string (a brief's title and intro, a heading, a note on a pinned passage) has a limit here, checked where
it is stored (so for the CLI too); the web's request layer checks every text a request sends against its field's limit,
TEXT_CHARS for any other (a query, a filter, an id), before a view reads it.
A title shows in every pin menu of every results page, so it is short; an intro or a note is a paragraph or a few; a
query is a question or a pasted sentence, and the pages repeat it in each of their links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.errors import BadQueryError


@dataclass(frozen=True, slots=True)
class TextLimit:
    """At most `chars` characters for the field `field` (its name in the API's JSON and the pages' forms), which a
    message calls `label`."""

    field: str
    chars: int
    label: str

    def check(self, text: str) -> str:
        """`text` itself, or a BadQueryError (400) naming the field and what is wrong (check_text)."""
        return check_text(f"{self.label} ({self.field!r})", text, self.chars)


BRIEF_TITLE = TextLimit("title", 200, "a brief's title")
BRIEF_INTRO = TextLimit("intro", 10_000, "a brief's intro")
HEADING = TextLimit("heading", 200, "a heading")
NOTE = TextLimit("note", 10_000, "a note")
TEXT_CHARS = 1_000  # any other text in a request: the query `q`, a filter, an id
RETURN_LINK_CHARS = 20_000  # `next`, the page a pin returns to: its query percent-encoded, up to 9 characters each

LIMITS = {limit.field: limit.chars for limit in (BRIEF_TITLE, BRIEF_INTRO, HEADING, NOTE)} | {
    "q": TEXT_CHARS,
    "next": RETURN_LINK_CHARS,
}


def limit_for(field: str) -> int:
    """The longest text the field `field` takes, in characters."""
    return LIMITS.get(field, TEXT_CHARS)


# Characters no stored or exported text can carry: C0 controls but tab and line breaks (XML, so Word, refuses them), lone
# surrogates (UTF-8 cannot encode them, so neither SQLite nor a response can hold them), the non-characters U+FFFE/FFFF.
UNUSABLE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_text(what: str, text: str, limit: int) -> str:
    """`text` itself; a BadQueryError (400) naming `what` when it is over `limit` characters or holds a character that
    no text can carry (a lone surrogate arrives in JSON as "\\ud800", or from a command line that is not UTF-8)."""
    if len(text) > limit:
        raise BadQueryError(f"{what} is {len(text):,} characters long, over the limit of {limit:,} — shorten it")
    found = UNUSABLE_CHARS.search(text)
    if found:
        raise BadQueryError(
            f"{what} holds the character U+{ord(found.group()):04X}, which text cannot carry "
            "(a control character or half of a surrogate pair) — remove it and try again"
        )
    return text
