"""Where a text names a document: by number ("Nghị định số 15/2020/NĐ-CP ngày …", "Decree No. 44/2017/ND-CP"), a law
by name ("Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015", "the Law on Social Insurance dated November 20, 2014"),
or itself ("Nghị định này", "this Decree").

A law named without a number is a node of its own, keyed by its folded name and the year the text gives it: the
same law named elsewhere in the document without a date ("quy định chi tiết … của Luật Người cao tuổi") takes the
number or year given there. A name with no year anywhere in the text stays a node without a year, which no document
of the collection answers to (two laws of one name differ only by their year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from policykb.docnumbers import DOC_NUMBER, normalize_doc_number
from policykb.models import DocumentRef
from policykb.relations.dates import date_at
from policykb.textnorm import fold, fold_lower

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})

# A law's name in Vietnamese: the form, then words up to the first that cannot be part of a name.
_VI_LAW = re.compile(r"(?<!\w)(Bộ luật|Luật|Pháp lệnh)\s+(?=\w)")
_VI_NAME_END = re.compile(
    r"\s+(?i:(?:ngày|số|năm)\s*\d|số:|(?:đã|của|về|và|hoặc|thì|theo|có|hết|được|bị|quy định|hướng dẫn|để|trong|tại|này|"
    r"khóa|khoá|ban hành|sửa đổi|thay thế|bãi bỏ|dated)(?!\w))"
    r"|\s*[;.:()\"“”\n]|,\s*(?=[A-ZĐ\d]|và|hoặc|đã|được)|\s*$",
)
_VI_AMENDING_LAW_END = re.compile(r"\s+(?:ngày\s+\d|số\s*\d|năm\s+\d)|\s*[;.\n]|\s*$", re.IGNORECASE)
_CONSTITUTION = re.compile(
    r"(?<!\w)(?:Hiến pháp(?: nước Cộng hòa xã hội chủ nghĩa Việt Nam)?|(?:the )?Constitution"
    r"(?: of the Socialist Republic of Viet ?nam)?)(?!\w)",
    re.IGNORECASE,
)
_EN_NAME = r"[A-Z][\w'’-]*(?:\s+(?:(?:and|of|for|on|the|in|to|with|against|under)\s+)*(?!No\b|Dated\b)[A-Z][\w'’-]*)*"
_EN_LAW = re.compile(
    rf"(?<!\w)(?:the\s+)?(?:(?:Law|Code|Ordinance)\s+(?i:on|of)\s+(?:the\s+)?(?!No\b){_EN_NAME}|(?:Civil|Labou?r|Penal|Criminal)\s+Code)"
)
# What may stand before a number: the form (and, for a law, its name), "số" / "No.".
_FORM = (
    r"(?:Bộ luật|Luật|Pháp lệnh|Nghị định|Nghị quyết liên tịch|Nghị quyết|Thông tư liên tịch|Thông tư|Quyết định|"
    r"Chỉ thị|Kế hoạch|Law|Code|Ordinance|Decree|Joint Resolution|Resolution|Joint Circular|Circular|Decision|"
    r"Directive|Plan)"
)
_BEFORE_NUMBER = re.compile(rf"(?:{_FORM}\s*)?(?:(?:số|No\.?|Number)\s*:?\s*)?$", re.IGNORECASE)
_NUMBER_AFTER_NAME = re.compile(r"\s*,?\s*(?:số|No\.?|Number)\s*:?\s*", re.IGNORECASE)
_SELF = re.compile(
    rf"(?<!\w)(?:{_FORM.replace('|Plan)', '|Chương trình)')}\s+này|(?:this|the present)\s+"
    r"(?:Law|Code|Ordinance|Decree|Resolution|Circular|Decision|Directive|Plan))(?!\w)",
    re.IGNORECASE,
)
_DATED = re.compile(r"\s*,?\s*(?:dated|issued on|of)?\s*", re.IGNORECASE)
_YEAR = re.compile(r"\s*,?\s*(?:năm|of)\s+((?:19|20)\d\d)(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    """A place where the text names a document: text[start:end], the form and number or name and its date."""

    start: int
    end: int
    ref: DocumentRef | None  # None: the document itself ("Nghị định này")

    @property
    def is_self(self) -> bool:
        return self.ref is None


def number_key(number: str) -> str:
    """The key of a numbered document: its number without diacritics, upper case ("15/2020/ND-CP" for "NĐ-CP")."""
    return "n:" + fold(normalize_doc_number(number)).upper()


def title_key(title: str, year: str | None) -> str:
    """The key of a document named by its title: folded, lower case, single spaces, and its year when known."""
    name = " ".join(fold_lower(title).replace(",", " ").split())
    return f"t:{name}|{year}" if year else f"t:{name}"


def label(ref: DocumentRef) -> str:
    """How a node reads: its number, else its name and year."""
    if ref.number:
        return ref.number
    year = ref.date[:4] if ref.date else None
    return f"{ref.title} {year}" if year else ref.title or ""


def find_mentions(text: str) -> list[Mention]:
    """Every mention of a document in `text`, in order; a law's name followed by its number is one mention."""
    cased = _cased_view(text)
    numbers = _number_mentions(text)
    titles = _title_mentions(text, cased)
    merged = _merge(numbers, titles, text)
    merged += [m for m in _listed_laws(text, cased) if not _overlaps(m, merged)]
    selves = [Mention(m.start(), m.end(), None) for m in _SELF.finditer(text)]
    merged += [m for m in selves if not _overlaps(m, merged)]
    mentions = _aliased(sorted(merged, key=lambda m: m.start))
    return sorted(mentions + _short_names(text, mentions), key=lambda m: m.start)


_DEFINED = re.compile(
    r"\s*\((?:sau đây gọi (?:tắt )?là|sau đây viết tắt là|hereinafter (?:referred to as|called))\s+(?:the\s+)?"
    r"[\"“]?([^()\"”\n]{2,40}?)[\"”]?\)",
    re.IGNORECASE,
)


_DEFINED_FORM = re.compile(rf"{_FORM}(?!\w)", re.IGNORECASE)


def _short_names(text: str, mentions: list[Mention]) -> list[Mention]:
    """The places a document is named by the short name the text defines for it ("Luật Bảo hiểm xã hội số
    41/2024/QH15 (sau đây gọi là Luật)" … "khoản 6 Điều 141 của Luật"), written as defined and not part of a longer
    name ("Luật Ngân sách nhà nước") or "Luật này"."""
    found: list[Mention] = []
    for mention in mentions:
        defined = _DEFINED.match(text, mention.end) if mention.ref is not None else None
        if defined is None:
            continue
        if not _DEFINED_FORM.match(defined.group(1)):
            continue  # "(sau đây gọi là Công ty)": only a document's short name names it
        name = re.escape(defined.group(1).strip())
        pattern = re.compile(rf"(?<!\w){name}(?!\w)(?!\s+(?:này|this)(?!\w))(?!\s+[A-ZĐ])")
        for use in pattern.finditer(text, defined.end()):
            candidate = Mention(use.start(), use.end(), mention.ref)
            if not _overlaps(candidate, mentions) and not _overlaps(candidate, found):
                found.append(candidate)
    return found


def _overlaps(mention: Mention, others: list[Mention]) -> bool:
    return any(other.start < mention.end and mention.start < other.end for other in others)


def _cased_view(text: str) -> str:
    """The text with its all-capital lines in title case (same length), so that a header's "LUẬT NGƯỜI CAO TUỔI"
    reads as a law's name."""

    def recase(match: re.Match[str]) -> str:
        line = match.group(0)
        if len(line) < 8 or not line.isupper():  # isupper: no lower-case letter, and some letter
            return line
        cased = line.title()
        return cased if len(cased) == len(line) else line

    return re.sub(r"[^\n]+", recase, text)


def _number_mentions(text: str) -> list[Mention]:
    found = []
    plain = text.translate(_DASHES)
    for match in DOC_NUMBER.finditer(plain):
        end = match.end(3)
        before = _BEFORE_NUMBER.search(text, max(0, match.start() - 40), match.start())
        start = before.start() if before and before.group(0).strip() else match.start()
        date, end = _date_after(text, end)
        number = normalize_doc_number(plain[match.start() : match.end(3)])
        found.append(Mention(start, end, DocumentRef(number_key(number), number, None, date)))
    return found


def _date_after(text: str, end: int) -> tuple[str | None, int]:
    """The date written just after a mention ("ngày 14 tháng 01 năm 2011", "dated April 14, 2017"), and where the
    mention then ends."""
    lead = _DATED.match(text, end)
    found = date_at(text, lead.end()) if lead else None
    if found is not None and lead.group(0).strip():
        return found[0], found[1]
    if found is not None and text[lead.end() : lead.end() + 4].lower() == "ngày":
        return found[0], found[1]
    year = _YEAR.match(text, end)
    if year is not None:
        return year.group(1), year.end()
    return None, end


def _title_mentions(text: str, cased: str) -> list[Mention]:
    spans: list[tuple[int, int]] = []
    for match in _VI_LAW.finditer(cased):
        name_start = match.end()
        amending = cased[name_start : name_start + 7].lower() == "sửa đổi"
        stop = (_VI_AMENDING_LAW_END if amending else _VI_NAME_END).search(cased, name_start + 1)
        end = stop.start() if stop else len(cased)
        numbered = re.match(r"\s+số\s*\d", cased[end : end + 8]) is not None  # "Bộ luật dân sự số 33/2005/QH11"
        if not (cased[name_start].isupper() or amending or numbered):
            continue
        if end - name_start >= 2 and len(cased[name_start:end].split()) <= 16:
            spans.append((match.start(), end))
    for pattern in (_EN_LAW, _CONSTITUTION):  # "the" is not part of the name
        spans += [
            (m.start() + len(re.match(r"(?:the\s+)?", m.group(0), re.I).group(0)), m.end())
            for m in pattern.finditer(cased)
        ]
    mentions = []
    for start, end in _outermost(spans):
        title = re.sub(r"^the\s+", "", " ".join(text[start:end].split()), flags=re.IGNORECASE)
        date, end = _date_after(text, end)
        year = date[:4] if date else None
        mentions.append(Mention(start, end, DocumentRef(title_key(title, year), None, title, date)))
    return mentions


def _listed_laws(text: str, cased: str) -> list[Mention]:
    """The laws of a list that names the form once: "Căn cứ các Luật: Tổ chức chính quyền địa phương ngày …; Phí và
    lệ phí ngày …;" names "Luật Tổ chức chính quyền địa phương" and "Luật Phí và lệ phí"."""
    found = []
    for listing in _LAW_LIST.finditer(cased):
        line_end = cased.find("\n", listing.end())
        line_end = len(cased) if line_end < 0 else line_end
        at = listing.end()
        for item in re.finditer(r"[^;]+", cased[at:line_end]):
            start = at + item.start() + len(item.group(0)) - len(item.group(0).lstrip())
            stop = _LISTED_NAME_END.search(cased, start + 1, at + item.end())
            end = stop.start() if stop else at + item.end()
            if start < end and cased[start].isupper() and len(cased[start:end].split()) <= 16:
                title = f"{listing.group(1)} {' '.join(text[start:end].split())}"
                date, end = _date_after(text, end)
                found.append(
                    Mention(start, end, DocumentRef(title_key(title, date[:4] if date else None), None, title, date))
                )
    return found


_LAW_LIST = re.compile(r"(?<!\w)các\s+(Bộ luật|Luật|Pháp lệnh)\s*:\s*")
# In such a list a name runs to its date, number or verb: "và" may be part of it ("Phí và lệ phí").
_LISTED_NAME_END = re.compile(r"\s+(?i:(?:ngày|số|năm)\s*\d|(?:đã|được|bị)(?!\w))|\s*[;.:()\"“”\n,]|\s*$")


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans not inside another (a law named inside an amending law's name is not a mention of its own)."""
    spans = sorted(set(spans), key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def _merge(numbers: list[Mention], titles: list[Mention], text: str) -> list[Mention]:
    """Numbers with the law's name written before them ("Luật Quản lý thuế số 38/2019/QH14") as one mention."""
    out = list(numbers)
    by_start = {m.start: m for m in numbers}
    for title in titles:
        if any(n.start <= title.start < n.end for n in numbers):
            continue
        bridge = _NUMBER_AFTER_NAME.match(text, title.end)
        number = next((n for n in numbers if title.start < n.start <= title.end + 12), None)
        if number is None and bridge is not None:
            number = by_start.get(bridge.end())
        if number is not None and (number.start <= title.end or text[title.end : number.start].strip(" ,") == ""):
            out.remove(number)
            ref = replace(number.ref, title=title.ref.title)
            out.append(Mention(title.start, number.end, ref))
        elif not any(n.start < title.end and title.start < n.end for n in numbers):
            out.append(title)
    return out


def _aliased(mentions: list[Mention]) -> list[Mention]:
    """A law named without number or year takes the number, else the year, that the text gives the same name."""
    known: dict[str, DocumentRef | None] = {}  # None: two laws of that name (the 2014 and the 2024 one)
    for mention in mentions:
        ref = mention.ref
        if ref is not None and ref.title and (ref.number or ref.date):
            name = title_key(ref.title, None)
            previous = known.get(name)
            if name not in known or (previous is not None and not previous.number):
                known[name] = ref
            elif ref.number and previous is not None and previous.number != ref.number:
                known[name] = None
    out = []
    for mention in mentions:
        ref = mention.ref
        if ref is not None and ref.title and not ref.number:
            alias = known.get(title_key(ref.title, None))
            if alias is not None and (not ref.date or (alias.number and _year_of(alias) == ref.date[:4])):
                mention = Mention(mention.start, mention.end, replace(alias, date=ref.date or alias.date))
        out.append(mention)
    return out


def _year_of(ref: DocumentRef) -> str | None:
    """The year a law's number or date gives it ("41/2024/QH15": 2024)."""
    found = re.search(r"/((?:19|20)\d\d)/", ref.number or "")
    return found.group(1) if found else (ref.date[:4] if ref.date else None)
