"""The reading tools: search, a document, owners, relations. Each answers what its JSON API route answers (GET
/api/search, /api/docs/<id>, /api/owners, /api/relations), for the documents its viewer may read."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from pydantic import Field

from policykb.errors import BadQueryError
from policykb.mcpserver.toolbox import Toolbox, answered, checked
from policykb.owners.answer import OwnersFinder
from policykb.relations.in_force import NotInForceKept, hits_with_status
from policykb.relations.lookup import RelationsFinder, parse_on
from policykb.sources import shown_source
from policykb.store import Filters

Mode = Literal["hybrid", "dense", "keyword"]  # policykb.search.searcher.MODES
Page = Annotated[int, Field(ge=1, le=10**6, description="1 for the first page")]


class ReadingTools:
    def __init__(self, box: Toolbox) -> None:
        self.box = box
        self._not_in_force = NotInForceKept()

    @answered
    def search(
        self,
        q: Annotated[str, Field(min_length=1, description="the question or words to find, in English or Vietnamese")],
        mode: Mode = "hybrid",
        type: Annotated[str | None, Field(description="a document type: law, decree, resolution, news, …")] = None,
        lang: Annotated[str | None, Field(description="a language: en or vi")] = None,
        year: Annotated[int | None, Field(ge=1000, le=9999)] = None,
        doc: Annotated[str | None, Field(description="only this document's passages (a doc_id)")] = None,
        issuer: str | None = None,
        agency: Annotated[
            str | None, Field(description="passages mentioning this agency (any name or acronym)")
        ] = None,
        in_force_on: Annotated[
            str | None,
            Field(
                description="only documents in force on this date (YYYY-MM-DD): leaves out those said to be not "
                "yet in force, replaced or repealed that day"
            ),
        ] = None,
        k: Annotated[int, Field(ge=1, le=100, description="passages per page")] = 10,
        page: Page = 1,
    ) -> dict:
        """Cited passages answering `q`, best first, with facet counts: each hit's `text` is exactly its document's
        cleaned text from `start` to `end`, with a ready `citation` (and `legal_citation` for a law's article), and
        its document's `status` on `in_force_on` (default today). The JSON of GET /api/search."""
        query = checked("q", q.strip())
        if not query:
            raise BadQueryError("argument 'q' is required: the question or words to find")
        with self.box.reading() as reading:
            filters = Filters(
                doc_type=checked("type", type),
                language=checked("lang", lang),
                year=year,
                doc_id=checked("doc", doc),
                issuer=checked("issuer", issuer),
                agency=checked("agency", agency),
                collections=reading.readable,
            )
            searcher = self.box.searchers.get()
            on = parse_on(checked("in_force_on", in_force_on), "argument 'in_force_on'") if in_force_on else None
            if on is not None:
                excluded = self._not_in_force.get(reading.store, searcher.generation, reading.readable, on)
                filters = replace(filters, excluded_docs=excluded or None)
            result = searcher.search(query, mode, filters, k, page).to_json()
            hits = [shown_source(hit, self.box.config.data_dir) for hit in result["hits"]]
            hits = hits_with_status(reading.store, hits, reading.readable, on)
        return {**result, "hits": hits}

    @answered
    def doc(self, doc_id: Annotated[str, Field(description="a document's id, as hits give it")]) -> dict:
        """A document's metadata and its whole cleaned text, the text every citation's start and end point into.
        The JSON of GET /api/docs/<doc_id>."""
        with self.box.reading() as reading:
            found = reading.store.get_document(checked("doc_id", doc_id), reading.readable)
            relations = RelationsFinder(reading.store, reading.readable).of_document(
                found.id, found.title, found.doc_numbers
            )
        return {**shown_source(found.to_json(), self.box.config.data_dir), **relations}

    @answered
    def relations(
        self,
        doc: Annotated[str, Field(min_length=1, description="a document id, or a number such as 68/NQ-CP")],
        on: Annotated[str | None, Field(description="the date of the status, YYYY-MM-DD (default today)")] = None,
    ) -> dict:
        """What the documents the viewer may read say of a document: based on, implements, guides, amends, replaces,
        repeals, takes effect, each with the sentence that says so, and its status on `on`. The JSON of
        GET /api/relations."""
        with self.box.reading() as reading:
            finder = RelationsFinder(reading.store, reading.readable)
            return finder.asked(checked("doc", doc), checked("on", on), "argument").to_json()

    @answered
    def owners(
        self,
        q: Annotated[str, Field(description="a question such as 'which ministry leads …'; empty: a listing")] = "",
        agency: Annotated[str | None, Field(description="everything this agency leads or supports")] = None,
        k: Annotated[int, Field(ge=1, le=50, description="assignments for a question")] = 5,
        page: Annotated[int | None, Field(ge=1, le=10**6, description="for a listing: 100 a page")] = None,
    ) -> dict:
        """Who owns a task: the lead agency, the coordinating agencies and the deadline, with the passage that says
        so; or everything an agency leads or supports; or the whole task matrix. The JSON of GET /api/owners."""
        query = checked("q", q.strip())
        with self.box.reading() as reading:
            finder = OwnersFinder(self.box.searchers.get(), reading.readable)
            return finder.find(query, checked("agency", agency) or None, k, page if not query else None).to_json()
