"""What an editor may set on a document's metadata, checked before anything is stored: a title, a type, a date, an
issuer and a web address (policykb.ingest.pipeline.EDITABLE_FIELDS), and the collection it belongs to."""

from __future__ import annotations

import re
from datetime import date

from policykb.errors import BadQueryError
from policykb.ingest.pipeline import CLEARABLE_FIELDS, DOC_TYPES, EDITABLE_FIELDS
from policykb.links import LINK_SCHEMES, is_allowed_link

TITLE_CHARS = 200  # as a brief's title (policykb.limits), which the request layer holds every "title" to
ISSUER_CHARS = 200
DATE_PATTERN = "^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$"  # ASCII digits: Python's \d takes any script's
# An address is_allowed_link may take, as a JSON Schema pattern: a scheme of LINK_SCHEMES in any case, then no space
# or control character; is_allowed_link says more (a host), which a pattern cannot.
URL_PATTERN = "^(([hH][tT][tT][pP][sS]?|[mM][aA][iI][lL][tT][oO]):[^\x00-\x20\x7f]+)?$"
FIELDS = (*EDITABLE_FIELDS, "collection")


def checked_edits(body: object) -> tuple[dict[str, str], str | None]:
    """The metadata edits (field -> value, "" to clear a date, issuer or url) and the collection asked for in `body`,
    a JSON object of FIELDS; a BadQueryError (400) naming the field and its fix for anything else."""
    if not isinstance(body, dict) or not body:
        raise BadQueryError(f"send a JSON object with one or more of {', '.join(FIELDS)}")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise BadQueryError(f"unknown field(s) {', '.join(map(repr, unknown))}: use {', '.join(FIELDS)}")
    for field, value in body.items():
        if not isinstance(value, str):
            raise BadQueryError(f"the field {field!r} must be a string, got {str(value)[:40]}")
    edits = {field: _checked(field, body[field]) for field in EDITABLE_FIELDS if field in body}
    collection = body.get("collection")
    if collection is not None and not collection.strip():
        raise BadQueryError("the field 'collection' is empty — name the collection to move the document to")
    return edits, collection.strip() if collection is not None else None


def _checked(field: str, value: str) -> str:
    """One field's value as it is stored, or a BadQueryError naming the field."""
    longest = {"title": TITLE_CHARS, "issuer": ISSUER_CHARS}.get(field)
    if longest is not None and len(value) > longest:
        raise BadQueryError(f"the field {field!r} is {len(value)} characters long — shorten it to {longest}")
    value = value if field == "url" else value.strip()
    if not value:
        if field not in CLEARABLE_FIELDS:
            raise BadQueryError(f"the field {field!r} is empty — give the document a {field}")
        return ""
    if field == "type" and value not in DOC_TYPES:
        raise BadQueryError(f"the field 'type' is {value[:40]!r} — use one of {', '.join(DOC_TYPES)}")
    if field == "date" and not _is_date(value):
        raise BadQueryError(f"the field 'date' is {value[:40]!r} — write a real date as YYYY-MM-DD, YYYY-MM or YYYY")
    if field == "url" and not is_allowed_link(value):
        raise BadQueryError(
            f"the field 'url' is not an absolute {', '.join(LINK_SCHEMES)} address — give the page's address, "
            'or "" to remove it'
        )
    return value


def _is_date(value: str) -> bool:
    """Whether `value` is YYYY, YYYY-MM or YYYY-MM-DD (ASCII digits) of a day, month or year that exists."""
    if not re.fullmatch(DATE_PATTERN.strip("^$"), value) or not value:
        return False
    parts = [int(part) for part in value.split("-")]
    try:
        date(parts[0], *(parts[1:] + [1, 1])[:2])
    except ValueError:
        return False
    return parts[0] >= 1000
