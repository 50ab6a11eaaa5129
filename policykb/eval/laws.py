"""Vietnamese laws as a user would have them: one text file per law, its articles under "Điều N. Title" headings.

ALQAC's law.json holds seventeen laws as lists of articles. Four are the development set, read to shape owner
extraction, legal structure and article search; the others are held out and are only ever written out to be measured.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from policykb.errors import PolicyKBError
from policykb.textnorm import fold_lower

DEV_LAWS = ("Luật Phòng, chống ma túy", "Luật Tiếp cận thông tin", "Bộ luật dân sự", "Luật Điện ảnh")
SETS = ("dev", "heldout", "all")

_PASSED = re.compile(r"thông qua ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})")


@dataclass(frozen=True, slots=True)
class Law:
    """One law of law.json: its name and its articles as (number, text) with the title on the text's first line."""

    name: str
    articles: tuple[tuple[str, str], ...]

    @property
    def passed(self) -> str | None:
        """The ISO date the National Assembly passed it, as its closing words say."""
        match = next((m for _, text in self.articles[-3:] for m in [_PASSED.search(text)] if m), None)
        if match is None:
            return None
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"

    def as_text(self) -> str:
        """The law's text: its name as the title, then each article's heading line and body."""
        parts = [self.name.upper()]
        for number, text in self.articles:
            title, _, body = text.partition("\n")
            parts.append(f"Điều {number}. {title.strip()}\n\n{body.strip()}")
        return "\n\n".join(parts) + "\n"

    def file_name(self) -> str:
        return _slug(self.name) + ".txt"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold_lower(name)).strip("_")


def load_laws(law_json: Path, which: str = "dev") -> list[Law]:
    """The laws of one set ("dev", "heldout" or "all") that have article text."""
    if which not in SETS:
        raise PolicyKBError(f"law set {which!r} is not one of {', '.join(SETS)}")
    try:
        data = json.loads(law_json.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PolicyKBError(
            f"{law_json}: cannot read ALQAC's law.json ({exc}) — give the file from alqac2023/"
        ) from exc
    laws = [Law(item["id"], tuple((a["id"], a["text"]) for a in item["articles"])) for item in data if item["articles"]]
    if which == "dev":
        return [law for law in laws if law.name in DEV_LAWS]
    if which == "heldout":
        return [law for law in laws if law.name not in DEV_LAWS]
    return laws


def write_law_files(law_json: Path, out: Path, which: str = "dev") -> list[Path]:
    """One .txt per law with a sidecar giving its title, type and language; returns the text files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for law in load_laws(law_json, which):
        path = out / law.file_name()
        path.write_text(law.as_text(), encoding="utf-8")
        meta = {"title": law.name, "type": "law", "language": "vi"} | ({"date": law.passed} if law.passed else {})
        path.with_name(path.name + ".meta.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        written.append(path)
    return written
