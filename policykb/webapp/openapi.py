"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from policykb import __version__

_ERROR = {"$ref": "#/components/schemas/Error"}


def _param(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _errors(*codes: int) -> dict:
    return {str(code): {"description": "error", "content": {"application/json": {"schema": _ERROR}}} for code in codes}


def _ok(schema: dict, description: str = "success", code: str = "200") -> dict:
    return {code: {"description": description, "content": {"application/json": {"schema": schema}}}}


def openapi_spec() -> dict:
    doc_id = {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}
    secured = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "policykb API", "version": __version__,
                 "description": "Cited search over public-policy documents. Every hit's text is the document's cleaned text from start to end."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search passages", "operationId": "search",
                "parameters": [
                    _param("q", "the query", {"type": "string", "minLength": 1}, True),
                    _param("mode", "ranking", {"type": "string", "enum": ["hybrid", "dense", "keyword"], "default": "hybrid"}),
                    _param("type", "document type", {"type": "string"}),
                    _param("lang", "passage language (ISO 639-1)", {"type": "string"}),
                    _param("year", "document year", {"type": "integer", "minimum": 1000, "maximum": 9999}),
                    _param("doc", "document id", {"type": "string"}),
                    _param("issuer", "issuer", {"type": "string"}),
                    _param("agency", "agency mentioned (canonical name)", {"type": "string"}),
                    _param("k", "hits per page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}),
                    _param("page", "page number", {"type": "integer", "minimum": 1, "default": 1}),
                ],
                "responses": {**_ok({"$ref": "#/components/schemas/SearchResult"}), **_errors(400, 503)},
            }},
            "/api/docs": {
                "get": {"summary": "List documents", "operationId": "listDocs", "responses": {**_ok({"type": "object"}), **_errors(503)}},
                "post": {"summary": "Upload a document (ingested in the background)", "operationId": "uploadDoc", "security": secured,
                         "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                             "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}},
                         "responses": {**_ok({"type": "object"}, "accepted", "202"), **_errors(400, 401, 403, 413, 415)}},
            },
            "/api/docs/{doc_id}": {
                "get": {"summary": "A document's metadata and cleaned text", "operationId": "getDoc", "parameters": [doc_id],
                        "responses": {**_ok({"type": "object"}), **_errors(404, 503)}},
                "delete": {"summary": "Remove a document everywhere", "operationId": "deleteDoc", "parameters": [doc_id], "security": secured,
                           "responses": {**_ok({"type": "object"}), **_errors(401, 403, 404)}},
            },
            "/api/jobs/{job_id}": {"get": {"summary": "Progress of an upload", "operationId": "getJob",
                                           "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                                           "responses": {**_ok({"type": "object"}), **_errors(404)}}},
            "/api/owners": {"get": {
                "summary": "Who owns a task: lead, coordinating agencies, deadline, cited sentence", "operationId": "owners",
                "parameters": [_param("q", "the task or question", {"type": "string"}),
                               _param("agency", "an agency's name, acronym or Vietnamese name", {"type": "string"}),
                               _param("k", "assignments for a question", {"type": "integer", "minimum": 1, "maximum": 50, "default": 5})],
                "responses": {**_ok({"type": "object"}), **_errors(400, 503)},
            }},
            "/api/health": {"get": {"summary": "Index status", "operationId": "health", "responses": {**_ok({"type": "object"}), **_errors(503)}}},
            "/api/openapi.json": {"get": {"summary": "This description", "operationId": "openapi", "responses": _ok({"type": "object"})}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "POLICYKB_ADMIN_TOKEN"}},
            "schemas": {
                "Error": {"type": "object", "required": ["ok", "error", "status"], "properties": {
                    "ok": {"const": False}, "error": {"type": "string"}, "status": {"type": "integer"}}},
                "Hit": {"type": "object", "required": ["rank", "doc_id", "title", "section", "page", "start", "end", "text", "score"], "properties": {
                    "rank": {"type": "integer"}, "doc_id": {"type": "string"}, "chunk_id": {"type": "integer"}, "title": {"type": "string"},
                    "source": {"type": "string"}, "doc_type": {"type": "string"}, "language": {"type": "string"},
                    "date": {"type": ["string", "null"]}, "section": {"type": "string"}, "page": {"type": ["integer", "null"]},
                    "start": {"type": "integer"}, "end": {"type": "integer"}, "text": {"type": "string"}, "score": {"type": "number"}}},
                "SearchResult": {"type": "object", "properties": {
                    "ok": {"const": True}, "query": {"type": "string"}, "mode": {"type": "string"}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "k": {"type": "integer"}, "took_ms": {"type": "number"},
                    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                    "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {
                        "value": {"type": "string"}, "count": {"type": "integer"}}}}}}},
            },
        },
    }
