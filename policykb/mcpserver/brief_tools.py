"""The brief tools: list, show, create, add to and export briefs, by the rules of the briefs API (/api/briefs): a
brief the viewer may not read does not exist for them, one they may read but not change is refused (403), and a
change based on an old version is refused (409)."""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from pydantic import Field

from policykb.access.audit import record
from policykb.briefs.answers import (
    brief_json,
    briefs_for_change,
    export_file,
    heading_text,
    item_json,
    item_kind,
    title_text,
)
from policykb.briefs.model import Brief, Briefs, no_brief
from policykb.briefs.sharing import EDITOR, VIEWER, BriefAccess
from policykb.errors import BadQueryError
from policykb.mcpserver.toolbox import Reading, Toolbox, answered, checked

BriefId = Annotated[int, Field(ge=1, le=2**63 - 1, description="a brief's id, as brief_list gives it")]
Version = Annotated[
    int | None, Field(ge=1, description="the brief's version the change is based on (409 if it changed since)")
]


class BriefTools:
    def __init__(self, box: Toolbox) -> None:
        self.box = box

    @answered
    def brief_list(self) -> dict:
        """The briefs the viewer may read, each with its owner, the viewer's access (owner, editor, viewer) and its
        section (mine, shared, other). The JSON of GET /api/briefs."""
        with self.box.reading() as reading:
            if not reading.store.has_table("briefs"):
                return {"briefs": []}
            rows = Briefs(reading.store, reading.readable).list()
            return {"briefs": BriefAccess(reading.store, reading.viewer).visible(rows)}

    @answered
    def brief_show(self, brief_id: BriefId) -> dict:
        """A brief with its version, owner, the viewer's access and its items in order: headings, and passages with
        their quote, citation, note and status ("source changed" when the document changed around the quote). The
        JSON of GET /api/briefs/<brief_id>."""
        with self.box.reading() as reading:
            brief, access = _readable_brief(reading, brief_id)
            return brief_json(brief, access)

    @answered
    def brief_create(
        self,
        title: Annotated[str, Field(description="the brief's title, e.g. the meeting it is for")],
        intro: str = "",
    ) -> dict:
        """Make a new brief, owned by the viewer; the brief as POST /api/briefs answers it."""
        with self.box.changing() as change:
            briefs = briefs_for_change(change.store, change.viewer, change.readable)
            brief_id = briefs.create(
                title_text(checked("title", title)), checked("intro", intro), change.viewer.user_id
            )
            access = BriefAccess(change.store, change.viewer).require(brief_id, VIEWER)
            return brief_json(briefs.get(brief_id), access)

    @answered
    def brief_add(
        self,
        brief_id: BriefId,
        chunk_id: Annotated[int | None, Field(ge=1, description="pin this passage (a hit's chunk_id)")] = None,
        doc_id: Annotated[str | None, Field(description="pin the span start–end of this document")] = None,
        start: Annotated[int | None, Field(ge=0)] = None,
        end: Annotated[int | None, Field(ge=0)] = None,
        heading: Annotated[str | None, Field(description="add a heading instead of a passage")] = None,
        note: Annotated[str | None, Field(description="a note on the pinned passage")] = None,
        version: Version = None,
    ) -> dict:
        """Add one item to a brief the viewer may change: a passage by `chunk_id`, a span by `doc_id`, `start` and
        `end`, or a `heading`; the item and the brief's version after, as POST /api/briefs/<id>/items answers."""
        given = {"chunk_id": chunk_id, "doc_id": doc_id, "start": start, "end": end, "heading": heading, "note": note}
        kind = item_kind({name for name, value in given.items() if value is not None})
        note = checked("note", note) or ""
        with self.box.changing() as change:
            briefs = briefs_for_change(change.store, change.viewer, change.readable, brief_id, EDITOR, version)
            if kind == "heading":
                item_id = briefs.add_heading(brief_id, heading_text(checked("heading", heading)))
            elif kind == "chunk_id":
                item_id = briefs.add_chunk(brief_id, chunk_id, note)
            else:
                if start is None or end is None:
                    raise BadQueryError("a span needs 'start' and 'end' with 'doc_id'")
                item_id = briefs.add_span(brief_id, checked("doc_id", doc_id), start, end, note)
            brief = briefs.get(brief_id)
        item = next(item for item in brief.items if item.id == item_id)
        return {"item": item_json(item), "version": brief.version}

    @answered
    def brief_export(self, brief_id: BriefId, format: Literal["md", "csv", "docx"] = "md") -> dict:
        """A brief exported as Markdown (footnotes), CSV or Word: `text` for md and csv, `base64` for docx, with the
        file's name and media type. Refused (409) naming the items whose source changed: re-pin or remove them."""
        with self.box.reading() as reading:
            brief, _access = _readable_brief(reading, brief_id)
            exported = export_file(brief, reading.store, format, reading.readable)
            viewer = reading.viewer
        if not viewer.is_open:  # as the API: with accounts, who exported what is in the audit log
            with self.box.changing() as change:
                record(
                    change.store, viewer, "brief.export", f"brief {brief_id}", None, format=format, title=brief.title
                )
        content = (
            {"base64": base64.b64encode(exported.data).decode()}
            if format == "docx"
            else {"text": exported.data.decode()}
        )
        return {
            "brief_id": brief_id,
            "format": format,
            "filename": exported.name,
            "mimetype": exported.mimetype,
            **content,
        }


def _readable_brief(reading: Reading, brief_id: int) -> tuple[Brief, str]:
    """The brief and the viewer's access to it (VIEWER at least); the 404 of a missing brief when they may not read
    it (checked first: such a brief is not even loaded)."""
    if not reading.store.has_table("briefs"):  # an index from before briefs
        raise no_brief(brief_id)
    access = BriefAccess(reading.store, reading.viewer).require(brief_id, VIEWER)
    return Briefs(reading.store, reading.readable).get(brief_id), access
