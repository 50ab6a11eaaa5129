"""The records that flow from ingest to index to people: Document, Chunk, SearchHit."""

from __future__ import annotations

from dataclasses import dataclass, field

from policykb.citations import format_citation


@dataclass(slots=True)
class Chunk:
    """A passage of a document's cleaned text: `text == document.text[start:end]`."""

    start: int
    end: int
    text: str
    section: str  # breadcrumb, e.g. "Minute of the Governmental Meeting › 4. New policies › 4.1"
    page: int | None = None
    page_end: int | None = None
    language: str | None = None
    ordinal: int = 0
    agencies: list[str] = field(default_factory=list)  # canonical names of agencies the passage mentions
    ocr: bool = False  # the text of (one of) its pages was read by OCR
    ocr_confidence: float | None = None  # mean OCR word confidence of those pages, 0–100


@dataclass(slots=True)
class Assignment:
    """A task and who owns it, as one sentence or table row says: `text == document.text[start:end]`."""

    start: int
    end: int
    text: str
    task: str
    lead: str | None  # canonical agency or group name; None never stored (no owner, no assignment)
    coordinating: list[str] = field(default_factory=list)
    deadline: str | None = None
    section: str = ""
    page: int | None = None
    kind: str = "lead"  # one of ASSIGNMENT_KINDS: what sort of duty the text gives the lead


# What sort of duty an assignment gives its lead: a task it leads; coordinating with or supporting others; state
# management of a field; guiding how a text is applied; making the detailed rules a law delegates.
ASSIGNMENT_KINDS = {
    "lead": "task",
    "coordinate": "coordination",
    "state_management": "state management",
    "guidance": "guidance",
    "rule_making": "rule-making",
}


# How one document bears on another (policykb.relations): the kinds, each with how it reads from the other side.
RELATION_KINDS = {
    "based_on": "basis of",
    "implements": "implemented by",
    "guides": "guided by",
    "amends": "amended by",
    "replaces": "replaced by",
    "repeals": "repealed by",
    "effective": "effective",
}


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A document as a text names it: by number ("68/NQ-CP"), or a law by its name and year when it gives no number.
    `key` is what two mentions of one document share (policykb.relations.references.number_key / title_key)."""

    key: str
    number: str | None = None
    title: str | None = None
    date: str | None = None  # the date the text gives it (ISO), if any


@dataclass(slots=True)
class Relation:
    """What a document's text says of two documents: `source` <kind> `target` (`target` None for "effective"). The
    words that say it are text[start:end], in the sentence (or clause of a list) sentence_start:sentence_end."""

    kind: str  # one of RELATION_KINDS
    source: DocumentRef
    target: DocumentRef | None
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    source_self: bool = False  # the source is the document that says it
    articles: list[str] = field(default_factory=list)  # "Điều 5", "khoản 2 Điều 3", "Article 12": the parts concerned
    date: str | None = None  # when it takes effect (ISO), as the text says or as the document's effective date gives


@dataclass(slots=True)
class Document:
    """One ingested file: cleaned text, detected metadata and its chunks."""

    source: str  # the path as given, resolved
    text: str
    content_hash: str
    title: str
    doc_type: str
    language: str
    date: str | None = None  # ISO yyyy-mm-dd, or yyyy-mm / yyyy when that is all the text says
    issuer: str | None = None
    url: str | None = None
    doc_numbers: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    acronyms: dict[str, str] = field(default_factory=dict)
    page_starts: list[int] = field(default_factory=list)  # offset in `text` where page i+1 begins
    chunks: list[Chunk] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    file_format: str = "txt"
    collection: str = "public"  # who may read it (policykb.access): the collection it was ingested into
    number: str | None = None  # its own number, from its header ("68/NQ-CP")
    node_keys: list[str] = field(default_factory=list)  # the DocumentRef keys other texts name it by
    relations: list[Relation] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


@dataclass(slots=True)
class SearchHit:
    """One cited passage returned by a search."""

    rank: int
    chunk_id: int
    doc_id: str
    title: str
    source: str
    doc_type: str
    language: str
    date: str | None
    section: str
    page: int | None
    start: int
    end: int
    text: str
    score: float
    ocr: bool = False
    ocr_confidence: float | None = None
    legal_citation: str | None = None  # "Điều 35 khoản 1, Luật Tiếp cận thông tin 2016" inside a legal document
    collection: str = "public"  # the collection of its document, which says who may read it

    def to_json(self) -> dict:
        return {
            "rank": self.rank,
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "source": self.source,
            "doc_type": self.doc_type,
            "language": self.language,
            "date": self.date,
            "section": self.section,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 6),
            "ocr": self.ocr,
            "ocr_confidence": self.ocr_confidence,
            "citation": format_citation(self),
            "legal_citation": self.legal_citation,
            "collection": self.collection,
        }
