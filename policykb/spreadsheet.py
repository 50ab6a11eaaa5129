"""CSV files that a spreadsheet opens safely: a cell that would start a formula is kept as text.

Spreadsheets read a cell beginning with =, +, -, @, a tab or a carriage return as a formula, which can run commands or
send the sheet's data away (CSV injection). As OWASP recommends, such a cell gets a single quote in front: shown as the
text it was, never run. Text from documents and from users (a task, a quote, a note) goes through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell that would start a formula, with a single quote in front; any other value as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The header and rows as CSV text, every cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
