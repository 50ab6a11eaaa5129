"""Dates as legal texts write them, read where they stand ("ngày 19 tháng 6 năm 2015", "01/7/2018", "June 19, 2015",
"1 July 2025"), to ISO."""

from __future__ import annotations

import re
from datetime import date as Date

_MONTH_NAMES = "january february march april may june july august september october november december".split()
_MONTH = "|".join(name.capitalize() for name in _MONTH_NAMES)
_DATE = re.compile(
    r"\s*(?:"
    r"ngày\s+(?P<vd>\d{1,2})\s+tháng\s+(?P<vm>\d{1,2})\s+năm\s+(?P<vy>\d{4})"
    r"|(?:ngày\s+)?(?P<nd>\d{1,2})[/.-](?P<nm>\d{1,2})[/.-](?P<ny>\d{4})"
    rf"|(?P<em>{_MONTH})\s+(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<ey>\d{{4}})"
    rf"|(?P<bd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<bm>{_MONTH}),?\s+(?P<by>\d{{4}})"
    r")",
    re.IGNORECASE,
)


def date_at(text: str, pos: int) -> tuple[str, int] | None:
    """The date that starts at `pos` (after spaces) as (ISO date, where it ends); None when none does or it is no
    real day."""
    match = _DATE.match(text, pos)
    if match is None:
        return None
    parts = match.groupdict()
    for day, month, year in (("vd", "vm", "vy"), ("nd", "nm", "ny"), ("ed", "em", "ey"), ("bd", "bm", "by")):
        if parts[day] is not None:
            raw_month = parts[month]
            number = int(raw_month) if raw_month.isdigit() else _MONTH_NAMES.index(raw_month.lower()) + 1
            try:
                return Date(int(parts[year]), number, int(parts[day])).isoformat(), match.end()
            except ValueError:
                return None
    return None
