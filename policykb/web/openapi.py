"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from policykb import __version__
from policykb.ingest.edits import DATE_PATTERN, ISSUER_CHARS, TITLE_CHARS, URL_PATTERN
from policykb.ingest.pipeline import DOC_TYPES
from policykb.limits import LIMITS, TEXT_CHARS
from policykb.relations.status import STATUSES
from policykb.web.brief_helpers import IF_MATCH
from policykb.web.request import ID_RANGE, SQLITE_MAX_INT

_ERROR = {"$ref": "#/components/schemas/Error"}
_CHECK = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "ok": {"type": "boolean"}, "detail": {"type": "string"}},
}
_HEALTH = {
    "type": "object",
    "required": ["ok", "generation", "chunks", "healthy", "problems"],
    "properties": {
        "ok": {"const": True},
        "generation": {"type": "integer"},
        "chunks": {"type": "integer", "description": "passages the searcher holds vectors of"},
        "healthy": {"type": "boolean", "description": "whether every check passed"},
        "problems": {"type": "array", "items": {"type": "string"}, "description": "each with its fix"},
        "checks": {"type": "array", "items": _CHECK, "description": "the cheap checks of `policykb check`"},
        "set_aside": {
            "type": "array",
            "items": {"type": "string"},
            "description": "damaged derived files renamed aside (and rebuilt)",
        },
    },
}
# Text that is not blank: it has a character other than those Python's str.strip() removes, as the API strips its text.
# Spelled out, because `\s` differs between JSON Schema's regular expressions (ECMA-262) and Python's.
NOT_BLANK = "[^\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# No text may hold the characters the request layer refuses (policykb.limits.UNUSABLE_CHARS): control characters but
# tab and line breaks, and U+FFFE/FFFF (JSON cannot carry a lone surrogate as text).
USABLE = "^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"


def _param(name: str, description: str, schema: dict, required: bool = False) -> dict:
    """A query parameter; a text one is at most TEXT_CHARS long and USABLE, as the request layer holds every one."""
    if schema.get("type") == "string":
        usable = {"allOf": [{"pattern": USABLE}]} if "pattern" in schema else {"pattern": USABLE}
        schema = {"maxLength": TEXT_CHARS, **usable, **schema}
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _errors(*codes: int) -> dict:
    return {str(code): {"description": "error", "content": {"application/json": {"schema": _ERROR}}} for code in codes}


def _ok(schema: dict, description: str = "success", code: str = "200", links: dict | None = None) -> dict:
    """A success answer; `links`: operation id -> {its parameter: where this answer or its request gives the value}."""
    answer = {"description": description, "content": {"application/json": {"schema": schema}}}
    if links:
        answer["links"] = {target: {"operationId": target, "parameters": given} for target, given in links.items()}
    return {code: answer}


def _object(properties: dict, required: list[str] = ()) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False, "minProperties": 1}
    if required:
        schema["required"] = list(required)
    return schema


def _json_body(schema: dict) -> dict:
    """A JSON request body; the briefs API refuses an empty object."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


# A change to a brief may say which version it is based on (the `version` of the brief it loaded, or its ETag as
# If-Match): when the brief has changed since, it is refused with a 409 and nothing is lost.
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "the brief's version this change is based on (its ETag); another version now is a 409",
    "schema": {"type": "string", "pattern": f"^({IF_MATCH})$"},
}
_BRIEF_ROW = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "updated_at": {"type": "string"},
        "passages": {"type": "integer"},
        "owner_id": {"type": ["integer", "null"]},
        "owner": {"type": ["string", "null"], "description": "the owner's user name; null: made before accounts"},
        "version": {"type": "integer"},
        "access": {"enum": ["owner", "editor", "viewer"], "description": "what the viewer may do with it"},
        "section": {"enum": ["mine", "shared", "other"], "description": "mine, shared with me, or (admins) others'"},
    },
}
_SHARED_WITH = {"type": "object", "additionalProperties": {"enum": ["viewer", "editor"]}}
_SHARES = {
    "type": "object",
    "properties": {
        "ok": {"const": True},
        "brief_id": {"type": "integer"},
        "owner": {"type": ["string", "null"]},
        "users": _SHARED_WITH,
        "groups": _SHARED_WITH,
    },
}


def _share_body() -> dict:
    """Whom to share with: users and groups by name, each as viewer or editor (a name is a key, so named once)."""
    name = {"minLength": 1, "maxLength": TEXT_CHARS, "pattern": USABLE}
    return _object({kind: _SHARED_WITH | {"propertyNames": name} for kind in ("users", "groups")})


def _brief_paths() -> dict:
    """Briefs need no token (they only collect citations); changes take JSON only, which a cross-site form cannot send.
    With accounts a brief is its owner's and those it is shared with: one the viewer may not read is a 404, as if it
    did not exist; one they may read but not change is a 403."""
    row_id = {"type": "integer", "minimum": ID_RANGE[0], "maximum": ID_RANGE[1]}
    version = {**row_id, "description": "the brief's version this change is based on; another version now is a 409"}
    offset = {"type": "integer", "minimum": 0, "maximum": SQLITE_MAX_INT}
    brief_id = {"name": "brief_id", "in": "path", "required": True, "schema": row_id}
    item_id = {"name": "item_id", "in": "path", "required": True, "schema": row_id}
    brief, item = (
        {"$ref": "#/components/schemas/Brief"},
        {
            "type": "object",
            "properties": {
                "ok": {"const": True},
                "item": {"$ref": "#/components/schemas/BriefItem"},
                "version": {"type": "integer", "description": "the brief's version after the change"},
            },
        },
    )
    text = {"type": "string", "maxLength": TEXT_CHARS, "pattern": USABLE}
    title, heading = (
        {"type": "string", "maxLength": LIMITS[f], "pattern": USABLE, "allOf": [{"pattern": NOT_BLANK}]}
        for f in ("title", "heading")
    )
    intro, note = (
        {"type": ["string", "null"], "maxLength": LIMITS[f], "pattern": USABLE, "description": "null: as if not given"}
        for f in ("intro", "note")
    )
    new_brief = {"brief_id": "$response.body#/id"}
    new_item = {"brief_id": "$request.path.brief_id", "item_id": "$response.body#/item/id"}
    brief_links = {
        op: new_brief
        for op in ("getBrief", "updateBrief", "deleteBrief", "addBriefItem", "exportBrief", "getBriefShares")
    }
    return {
        "/api/briefs": {
            "get": {
                "summary": "List the briefs the viewer may read: theirs, those shared with them (admins: all)",
                "operationId": "listBriefs",
                "responses": _ok(
                    {
                        "type": "object",
                        "properties": {"ok": {"const": True}, "briefs": {"type": "array", "items": _BRIEF_ROW}},
                    }
                ),
            },
            "post": {
                "summary": "Create a brief",
                "operationId": "createBrief",
                "requestBody": _json_body(_object({"title": title, "intro": intro}, ["title"])),
                "responses": {**_ok(brief, "created", "201", brief_links), **_errors(400, 503)},
            },
        },
        "/api/briefs/{brief_id}": {
            "get": {
                "summary": "A brief with its items, each checked against its source (status, moved_to, citation)",
                "operationId": "getBrief",
                "parameters": [brief_id],
                "responses": {**_ok(brief), **_errors(404)},
            },
            "patch": {
                "summary": "Change a brief's title or introduction",
                "operationId": "updateBrief",
                "parameters": [brief_id, _IF_MATCH],
                "requestBody": _json_body(_object({"title": title, "intro": intro, "version": version})),
                "responses": {**_ok(brief), **_errors(400, 403, 404, 409)},
            },
            "delete": {
                "summary": "Delete a brief (its owner, or an admin)",
                "operationId": "deleteBrief",
                "parameters": [brief_id, _IF_MATCH],
                "responses": {**_ok({"type": "object"}), **_errors(400, 403, 404, 409)},
            },
        },
        "/api/briefs/{brief_id}/items": {
            "post": {
                "summary": "Pin a chunk, or a span of a document's cleaned text, or add a heading",
                "operationId": "addBriefItem",
                "parameters": [brief_id, _IF_MATCH],
                "requestBody": _json_body(
                    {
                        "oneOf": [
                            _object({"chunk_id": row_id, "note": note, "version": version}, ["chunk_id"]),
                            _object(
                                {"doc_id": text, "start": offset, "end": offset, "note": note, "version": version},
                                ["doc_id", "start", "end"],
                            ),
                            _object({"heading": heading, "version": version}, ["heading"]),
                        ]
                    }
                ),
                "responses": {
                    **_ok(item, "created", "201", {"updateBriefItem": new_item, "removeBriefItem": new_item}),
                    **_errors(400, 403, 404, 409),
                },
            }
        },
        "/api/briefs/{brief_id}/items/{item_id}": {
            "patch": {
                "summary": "Change a note or a heading's text, move up (-1) or down (1), or re-pin a passage whose text moved",
                "operationId": "updateBriefItem",
                "parameters": [brief_id, item_id, _IF_MATCH],
                "requestBody": _json_body(
                    _object(
                        {
                            "note": note,
                            "heading": heading,
                            "move": {"enum": [-1, 1]},
                            "repin": {"const": True},
                            "version": version,
                        }
                    )
                ),
                "responses": {**_ok(item), **_errors(400, 403, 404, 409)},
            },
            "delete": {
                "summary": "Remove an item; the ETag is the brief's version after it",
                "operationId": "removeBriefItem",
                "parameters": [brief_id, item_id, _IF_MATCH],
                "responses": {**_ok({"type": "object"}), **_errors(400, 403, 404, 409)},
            },
        },
        "/api/briefs/{brief_id}/shares": {
            "get": {
                "summary": "Whom a brief is shared with (users and groups, as viewer or editor)",
                "operationId": "getBriefShares",
                "parameters": [brief_id],
                "responses": {**_ok(_SHARES), **_errors(404)},
            },
            "put": {
                "summary": 'Share a brief with exactly these users and groups (its owner, or an admin); {"users": {}} with nobody',
                "operationId": "putBriefShares",
                "parameters": [brief_id],
                "requestBody": _json_body(_share_body()),
                "responses": {**_ok(_SHARES), **_errors(400, 403, 404)},
            },
        },
        "/api/briefs/{brief_id}/export": {
            "get": {
                "summary": "Export as DOCX (numbered endnotes), Markdown ([^n] footnotes) or CSV; 409 when a quote no longer matches its source",
                "operationId": "exportBrief",
                "parameters": [brief_id, _param("format", "file format", {"enum": ["docx", "md", "csv"]}, True)],
                "responses": {
                    "200": {
                        "description": "the file, as an attachment",
                        "content": {
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                            "text/markdown": {},
                            "text/csv": {},
                        },
                    },
                    **_errors(400, 404, 409),
                },
            }
        },
    }


def _document_edit() -> dict:
    """PATCH /api/docs/{doc_id}: an editor's change to a document's details (policykb.ingest.edits)."""
    text = {"type": "string", "pattern": USABLE}
    fields = {
        "title": {**text, "maxLength": TITLE_CHARS, "allOf": [{"pattern": NOT_BLANK}]},
        "type": {"enum": list(DOC_TYPES)},
        "date": {"type": "string", "pattern": DATE_PATTERN, "description": 'YYYY-MM-DD, YYYY-MM or YYYY; "" clears it'},
        "issuer": {**text, "maxLength": ISSUER_CHARS, "description": '"" clears it'},
        "url": {
            "type": "string",
            "maxLength": TEXT_CHARS,
            "pattern": URL_PATTERN,
            "description": 'an absolute http(s) address with a host, or mailto; "" clears it',
        },
        "collection": {
            **text,
            "maxLength": TEXT_CHARS,
            "allOf": [{"pattern": NOT_BLANK}],
            "description": "move it to this collection (one the caller may write to, as for uploads)",
        },
    }
    return {
        "summary": "Edit a document's title, type, date, issuer, web page or collection: kept for its file (applied "
        "again whenever it is ingested) and applied at once; 409 when the file is gone",
        "operationId": "editDoc",
        "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "security": [{"bearer": []}],
        "requestBody": _json_body(_object(fields)),
        "responses": {**_ok({"type": "object"}), **_errors(400, 401, 403, 404, 409)},
    }


_NODE = {
    "type": ["object", "null"],
    "description": "a document as the text names it; doc_id and doc_title only when the caller may read it",
    "properties": {
        "key": {"type": "string", "description": '"n:NUMBER" or "t:name|year"'},
        "number": {"type": ["string", "null"]},
        "title": {"type": ["string", "null"]},
        "date": {"type": ["string", "null"]},
        "doc_id": {"type": ["string", "null"]},
        "doc_title": {"type": ["string", "null"]},
    },
}
_RELATION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": ["based_on", "implements", "guides", "amends", "replaces", "repeals", "effective"]},
        "reads": {"type": "string", "description": 'as seen from the document asked about, e.g. "replaced by"'},
        "direction": {"enum": ["out", "in", "about"]},
        "source": _NODE,
        "target": _NODE,
        "articles": {"type": "array", "items": {"type": "string"}},
        "date": {"type": ["string", "null"], "description": "when it takes effect (ISO)"},
        "stated_in": {"type": "object", "description": "the document whose text says it (doc_id, title, collection)"},
        "start": {"type": "integer"},
        "end": {"type": "integer"},
        "text": {"type": "string", "description": "the stating document's text from start to end"},
        "sentence": {"type": "object", "description": "its sentence: start, end, text"},
    },
}
_STATUS = {
    "type": "object",
    "properties": {
        "status": {"enum": ["in_force", "not_yet_in_force", "partly_amended", "replaced", "repealed", "unknown"]},
        "since": {"type": ["string", "null"]},
        "evidence": {"type": "array", "items": _RELATION, "description": "the relations that say so"},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
}


ISO_DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "examples": ["2024-06-01"]}


def _relations_path() -> dict:
    """GET /api/relations."""
    date = ISO_DATE
    return {
        "get": {
            "summary": "A document's relations (based on, implements, guides, amends, replaces, repeals, effective) "
            "and its status on a date, each with the sentence that states it; only what the caller may read",
            "operationId": "relations",
            "parameters": [
                _param(
                    "doc",
                    "a document id or number",
                    {"type": "string", "pattern": NOT_BLANK, "examples": ["68/NQ-CP"]},
                    True,
                ),
                _param("on", "the date of the status (default: today)", date),
            ],
            "responses": {
                **_ok(
                    {
                        "type": "object",
                        "properties": {
                            "ok": {"const": True},
                            "document": {"type": "object"},
                            "on": {"type": "string"},
                            "status": _STATUS,
                            "relations": {"type": "array", "items": _RELATION},
                        },
                    }
                ),
                **_errors(400, 404, 503),
            },
        }
    }


def openapi_spec() -> dict:
    """The OpenAPI 3.1 description of the JSON API: a data table, one entry per route, kept as one literal so that a
    route and its description are read together."""
    doc_id = {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}
    secured = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "policykb API",
            "version": __version__,
            "description": "Cited search over public-policy documents. Every hit's text is the document's cleaned text from start to end.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search passages",
                    "operationId": "search",
                    "parameters": [
                        _param(
                            "q",
                            "the query (not blank)",
                            {
                                "type": "string",
                                "pattern": NOT_BLANK,
                                "examples": ["social insurance", "Nghị quyết 68/NQ-CP"],
                            },
                            True,
                        ),
                        _param(
                            "mode",
                            "ranking",
                            {"type": "string", "enum": ["hybrid", "dense", "keyword"], "default": "hybrid"},
                        ),
                        _param("type", "document type", {"type": "string"}),
                        _param("lang", "passage language (ISO 639-1)", {"type": "string"}),
                        _param("year", "document year", {"type": "integer", "minimum": 1000, "maximum": 9999}),
                        _param("doc", "document id", {"type": "string"}),
                        _param("issuer", "issuer", {"type": "string"}),
                        _param("agency", "agency mentioned (canonical name)", {"type": "string"}),
                        _param(
                            "in_force_on",
                            "only documents in force on this date (YYYY-MM-DD): leaves out those the caller's "
                            "collections say were not yet in force, replaced or repealed that day, and keeps those "
                            "whose status they do not give; totals and facets count only what is kept. Empty: off",
                            ISO_DATE,
                        ),
                        _param("k", "hits per page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}),
                        _param(
                            "page", "page number", {"type": "integer", "minimum": 1, "maximum": 10**6, "default": 1}
                        ),
                    ],
                    "responses": {
                        **_ok(
                            {"$ref": "#/components/schemas/SearchResult"},
                            links={
                                "getDoc": {"doc_id": "$response.body#/hits/0/doc_id"},
                                "editDoc": {"doc_id": "$response.body#/hits/0/doc_id"},
                            },
                        ),
                        **_errors(400, 503),
                    },
                }
            },
            "/api/docs": {
                "get": {
                    "summary": "List the documents the caller may read, each with its collection",
                    "operationId": "listDocs",
                    "responses": {**_ok({"type": "object"}), **_errors(503)},
                },
                "post": {
                    "summary": "Upload a document (ingested in the background)",
                    "operationId": "uploadDoc",
                    "security": secured,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "collection": {
                                            "type": "string",
                                            "default": "public",
                                            "description": "the collection the document goes to: one the caller "
                                            "may write to (admins: any; editors: the public ones and their own)",
                                        },
                                    },
                                    "required": ["file"],
                                }
                            }
                        },
                    },
                    "responses": {
                        **_ok({"type": "object"}, "accepted", "202", {"getJob": {"job_id": "$response.body#/job/id"}}),
                        **_errors(400, 401, 403, 413, 415, 507),  # 507: the server's disk is full
                    },
                },
            },
            "/api/docs/{doc_id}": {
                "get": {
                    "summary": "A document's metadata (its collection among them), cleaned text, relations and status "
                    "today (as in /api/relations); a document the caller may not read is a 404, as one that does not "
                    "exist",
                    "operationId": "getDoc",
                    "parameters": [doc_id],
                    "responses": {**_ok({"type": "object"}), **_errors(404, 503)},
                },
                "delete": {
                    "summary": "Remove a document everywhere",
                    "operationId": "deleteDoc",
                    "parameters": [doc_id],
                    "security": secured,
                    "responses": {**_ok({"type": "object"}), **_errors(401, 403, 404)},
                },
                "patch": _document_edit(),
            },
            "/api/jobs/{job_id}": {
                "get": {
                    "summary": "Progress of an upload",
                    "operationId": "getJob",
                    "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {**_ok({"type": "object"}), **_errors(404)},
                }
            },
            "/api/owners": {
                "get": {
                    "summary": "Who owns a task: lead (with its parent, and its successors if it has ceased), "
                    "coordinating agencies, deadline, cited sentence",
                    "operationId": "owners",
                    "parameters": [
                        _param(
                            "q",
                            "the task or question",
                            {"type": "string", "examples": ["who coordinates the partnership group"]},
                        ),
                        _param(
                            "agency",
                            "an agency's name, acronym or Vietnamese name (a ministry includes its departments)",
                            {"type": "string", "examples": ["MOLISA"]},
                        ),
                        _param(
                            "k",
                            "assignments for a question",
                            {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
                        ),
                        _param(
                            "page",
                            "without q: that page of 100 assignments, with total, page and pages (a page past the "
                            "last gives the last); without page, every assignment",
                            {"type": "integer", "minimum": 1, "maximum": 10**6},
                        ),
                    ],
                    "responses": {**_ok({"type": "object"}), **_errors(400, 503)},
                }
            },
            "/api/relations": _relations_path(),
            **_brief_paths(),
            "/api/health": {
                "get": {
                    "summary": "Index status, with the cheap checks of `policykb check`",
                    "operationId": "health",
                    "responses": {**_ok(_HEALTH), **_errors(503)},
                }
            },
            "/api/openapi.json": {
                "get": {"summary": "This description", "operationId": "openapi", "responses": _ok({"type": "object"})}
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "POLICYKB_ADMIN_TOKEN"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["ok", "error", "status"],
                    "properties": {"ok": {"const": False}, "error": {"type": "string"}, "status": {"type": "integer"}},
                },
                "BriefItem": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "position": {"type": "integer"},
                        "kind": {"enum": ["passage", "heading"]},
                        "heading": {"type": ["string", "null"]},
                        "note": {"type": "string"},
                        "doc_id": {"type": ["string", "null"]},
                        "start": {"type": ["integer", "null"]},
                        "end": {"type": ["integer", "null"]},
                        "quote": {"type": ["string", "null"]},
                        "title": {"type": ["string", "null"]},
                        "section": {"type": ["string", "null"]},
                        "page": {"type": ["integer", "null"]},
                        "date": {"type": ["string", "null"]},
                        "doc_numbers": {"type": "array", "items": {"type": "string"}},
                        "doc_type": {
                            "type": ["string", "null"],
                            "description": "the document's type, while it is indexed",
                        },
                        "status": {"enum": ["ok", "source changed", "source removed"]},
                        "moved_to": {"type": ["array", "null"], "items": {"type": "integer"}},
                        "citation": {"type": ["string", "null"]},
                        "href": {"type": ["string", "null"]},
                    },
                },
                "Brief": {
                    "type": "object",
                    "properties": {
                        "ok": {"const": True},
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "intro": {"type": "string"},
                        "created_at": {"type": "string"},
                        "updated_at": {"type": "string"},
                        "version": {"type": "integer", "description": "grows with every change; also the ETag"},
                        "owner": {"type": ["string", "null"], "description": "null: made before accounts"},
                        "access": {"enum": ["owner", "editor", "viewer"], "description": "what the viewer may do"},
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/BriefItem"}},
                        "problems": {
                            "type": "array",
                            "items": {"type": "integer"},
                            "description": "ids of passages whose source changed or went",
                        },
                    },
                },
                "Hit": {
                    "type": "object",
                    "required": ["rank", "doc_id", "title", "section", "page", "start", "end", "text", "score"],
                    "properties": {
                        "rank": {"type": "integer"},
                        "doc_id": {"type": "string"},
                        "chunk_id": {"type": "integer"},
                        "title": {"type": "string"},
                        "source": {
                            "type": "string",
                            "description": "the file: its path in the corpus folder, or its name; never a server path",
                        },
                        "doc_type": {"type": "string"},
                        "language": {"type": "string"},
                        "date": {"type": ["string", "null"]},
                        "section": {"type": "string"},
                        "page": {"type": ["integer", "null"]},
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                        "text": {"type": "string"},
                        "score": {"type": "number"},
                        "ocr": {"type": "boolean", "description": "the passage was read by OCR from a scanned page"},
                        "ocr_confidence": {
                            "type": ["number", "null"],
                            "description": "mean OCR word confidence of its pages, 0–100",
                        },
                        "citation": {
                            "type": "string",
                            "description": 'e.g. "Title (9 May 2024), §Section, OCR text, p. 3"',
                        },
                        "legal_citation": {
                            "type": ["string", "null"],
                            "description": 'inside an article of a legal document, e.g. "Điều 35 khoản 1 điểm a, '
                            'Luật Tiếp cận thông tin 2016"; null elsewhere',
                        },
                        "collection": {
                            "type": "string",
                            "description": "the collection of its document, which says who may read it",
                        },
                        "status": {
                            "type": "object",
                            "description": "its document's status on in_force_on (default today), as "
                            "/api/relations gives it with its evidence",
                            "properties": {
                                "status": {"enum": list(STATUSES)},
                                "since": {"type": ["string", "null"]},
                                "on": {"type": "string"},
                            },
                        },
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "properties": {
                        "ok": {"const": True},
                        "query": {"type": "string"},
                        "mode": {"type": "string"},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "k": {"type": "integer"},
                        "took_ms": {"type": "number"},
                        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "facets": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
                                },
                            },
                        },
                    },
                },
            },
        },
    }
