"""The typed records the store's reads return, each with the dict its JSON output has always had (`to_json`)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field

from policykb.models import DocumentRef


@dataclass(frozen=True, slots=True)
class PassageRow:
    """A passage with its document's fields, as a search cites it."""

    id: int
    doc_id: str
    start: int
    end: int
    section: str
    page: int | None
    page_end: int | None
    chunk_language: str  # the passage's own language; `language` is its document's
    agencies: str  # the JSON list as stored: facets parse it only for the passages they count
    ocr: bool
    ocr_confidence: float | None
    title: str
    source: str
    doc_type: str
    language: str
    date: str | None
    year: int | None
    issuer: str | None
    text: str
    collection: str = "public"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> PassageRow:
        """From a row whose columns are these fields in this order (the store's passage query; a test holds the two
        together): by position, because every search builds a hundred of these."""
        values = tuple(row)
        return cls(*values[:9], bool(values[9]), *values[10:])


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """A stored task assignment with its document's title and the text that states it; `score` once ranked."""

    id: int
    doc_id: str
    start: int
    end: int
    task: str
    lead: str
    coordinating: list[str]
    deadline: str | None
    section: str
    page: int | None
    kind: str  # what sort of duty: models.ASSIGNMENT_KINDS
    title: str
    text: str
    ocr: bool  # whether the passage that states it was read by OCR
    score: float | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AssignmentRow:
        return cls(**{**dict(row), "coordinating": json.loads(row["coordinating"]), "ocr": bool(row["ocr"])})

    def to_json(self) -> dict:
        data = asdict(self)
        if self.score is None:  # only a ranked or listed-for-an-agency assignment has one
            del data["score"]
        return data


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A line of the document list: a document's metadata and how many passages it has."""

    id: str
    title: str
    source: str
    doc_type: str
    language: str
    date: str | None
    issuer: str | None
    url: str | None
    file_format: str
    ingested_at: str
    chunks: int
    collection: str = "public"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ChunkInfo:
    """Where a passage of a stored document lies, without its text (which is the document's from start to end)."""

    id: int
    ordinal: int
    start: int
    end: int
    section: str
    page: int | None
    page_end: int | None
    language: str
    agencies: list[str]
    ocr: bool
    ocr_confidence: float | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ChunkInfo:
        return cls(**{**dict(row), "agencies": json.loads(row["agencies"]), "ocr": bool(row["ocr"])})


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as stored: every column of its row, the numbers it mentions and its passages (fields in the order
    of the documents table, which is the order of its JSON)."""

    id: str
    source: str
    title: str
    doc_type: str
    language: str
    date: str | None
    year: int | None
    issuer: str | None
    url: str | None
    file_format: str
    content_hash: str
    text: str
    page_starts: list[int]
    agencies: list[str]
    acronyms: dict[str, str]
    ingested_at: str
    fts_key: int | None = None  # its rowid in documents_fts (migration 10); None before it, or without passages
    collection: str = "public"  # who may read it (migration 12)
    doc_numbers: list[str] = field(default_factory=list)
    chunks: list[ChunkInfo] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RelatedDocument:
    """Another document that mentions a document number this one mentions; `shared` lists them."""

    id: str
    title: str
    shared: str

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CollectionRow:
    """A collection: public, or readable by its groups; with how many documents it holds."""

    name: str
    public: bool
    owner_id: int | None
    groups: list[str]
    documents: int

    @classmethod
    def from_row(cls, row) -> CollectionRow:
        name, public, owner_id, groups, documents = tuple(row)
        return cls(name, bool(public), owner_id, sorted(json.loads(groups)), documents)


@dataclass(frozen=True, slots=True)
class UserRow:
    """A local account: its role (access.viewer.ROLES), groups and whether it may still sign in. The password hash
    stays out of the JSON and of repr."""

    id: int
    name: str
    role: str
    disabled: bool
    created_at: str
    groups: list[str]
    password_hash: str | None = field(default=None, repr=False)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> UserRow:
        groups = sorted(json.loads(row["groups"])) if row["groups"] else []
        return cls(
            row["id"], row["name"], row["role"], bool(row["disabled"]), row["created_at"], groups, row["password_hash"]
        )

    def to_json(self) -> dict:
        data = asdict(self)
        del data["password_hash"]
        return data


@dataclass(frozen=True, slots=True)
class GroupRow:
    """A group of users, named by collections and brief shares, with how many users belong to it."""

    name: str
    created_at: str
    members: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A personal API token as stored: never the token itself, which is shown once when made."""

    id: int
    user_id: int
    label: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log: who did what to what, when and from where."""

    id: int
    at: str
    user_id: int | None
    user_name: str | None
    address: str | None
    action: str
    target: str
    detail: dict

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditEntry:
        return cls(**{**dict(row), "detail": json.loads(row["detail"] or "{}")})

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RelationRow:
    """A stored relation with the document whose text states it (`doc_id`, its title and collection), the words
    that state it (`text`, start to end) and their sentence (`sentence`, sentence_start to sentence_end)."""

    id: int
    doc_id: str
    doc_title: str
    collection: str
    kind: str  # models.RELATION_KINDS
    source_self: bool  # the source is the stating document
    source: DocumentRef
    target: DocumentRef | None  # None for "effective"
    articles: list[str]
    date: str | None
    start: int
    end: int
    text: str
    sentence_start: int
    sentence_end: int
    sentence: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RelationRow:
        target = None
        if row["target_key"] is not None:
            target = DocumentRef(row["target_key"], row["target_number"], row["target_title"], row["target_date"])
        return cls(
            row["id"],
            row["doc_id"],
            row["doc_title"],
            row["collection"],
            row["kind"],
            bool(row["source_self"]),
            DocumentRef(row["source_key"], row["source_number"], row["source_title"], row["source_date"]),
            target,
            json.loads(row["articles"]),
            row["date"],
            row["start"],
            row["end"],
            row["text"],
            row["sentence_start"],
            row["sentence_end"],
            row["sentence"],
        )


@dataclass(frozen=True, slots=True)
class JobRow:
    """An ingest job: the file, the collection it goes to, who asked, and how far it is (state, stage, done/total)."""

    id: str
    path: str
    filename: str
    upload: bool  # an uploaded file (in uploads/), removed if its job fails; not a file of the user's own
    collection: str
    user_id: int | None
    user_name: str | None
    address: str | None
    state: str  # queued, running, done, failed
    stage: str
    done: int
    total: int
    doc_id: str | None
    errors: list[str]
    worker: str | None  # the worker that holds it, or last held it
    attempts: int  # how many times a worker took it
    created_at: float
    heartbeat_at: float | None
    finished_at: float | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> JobRow:
        return cls(**{**dict(row), "upload": bool(row["upload"]), "errors": json.loads(row["errors"])})

    def to_json(self, operator: bool = False) -> dict:
        """What the web app and the API show of a job: not its file's path, nor the machine and process of its worker;
        `operator`: everything, as `policykb jobs` shows it."""
        shown = asdict(self)
        for hidden in () if operator else ("path", "user_id", "address", "worker"):
            del shown[hidden]
        return shown
