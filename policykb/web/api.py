"""JSON API: search with facets, documents (with their relations and status), relations, uploads, removal, health,
OpenAPI; one error shape everywhere."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, current_app, jsonify, request, url_for

from policykb.check.findings import serving_findings
from policykb.errors import BadQueryError, IndexNotReadyError, NotFoundError, StoreDamagedError
from policykb.owners.answer import OwnersFinder
from policykb.relations.in_force import hits_with_status
from policykb.relations.lookup import RelationsFinder
from policykb.sources import shown_source
from policykb.store import Filters
from policykb.store.base import damaged_store_message
from policykb.web.error_shape import error, json_errors, said
from policykb.web.openapi import openapi_spec
from policykb.web.permissions import (
    edit_document,
    readable_document,
    remove_document,
    require_role,
    upload_collection,
)
from policykb.web.request import (
    current_viewer,
    filters_from_args,
    get_store,
    in_force_on_arg,
    int_arg,
    mode_arg,
    readable_collections,
    require_store,
    searcher,
    text_arg,
)
from policykb.web.security import admin_required
from policykb.web.uploads import save_upload

bp = Blueprint("api", __name__)
json_errors(bp)


@bp.get("/search")
def search():
    query = text_arg("q")
    if not query:
        raise BadQueryError("parameter 'q' is required, e.g. /api/search?q=social+insurance")
    mode = mode_arg()
    result = searcher().search(query, mode, filters_from_args(), int_arg("k", 10, 1, 100), int_arg("page", 1)).to_json()
    store = require_store()
    hits = hits_with_status(
        store, [_shown(hit) for hit in result["hits"]], readable_collections(store), in_force_on_arg()
    )
    return jsonify({"ok": True, **result, "hits": hits})


@bp.get("/docs")
def list_docs():
    store = require_store()
    documents = store.list_documents(readable_collections(store))
    return jsonify({"ok": True, "documents": [_shown(d.to_json()) for d in documents]})


@bp.get("/docs/<doc_id>")
def get_doc(doc_id: str):
    """The document, with its relations and its status today as the documents the viewer may read state them."""
    store = require_store()
    doc = readable_document(doc_id, store)
    relations = RelationsFinder(store, readable_collections(store)).of_document(doc.id, doc.title, doc.doc_numbers)
    return jsonify({"ok": True, **_shown(doc.to_json()), **relations})


@bp.get("/relations")
def relations():
    """A document's relations (by id or number) and its status on `on` (default today), each with its sentence."""
    store = require_store()
    report = RelationsFinder(store, readable_collections(store)).asked(text_arg("doc"), text_arg("on"), "parameter")
    return jsonify({"ok": True, **report.to_json()})


def _shown(data: dict) -> dict:
    """A document or hit as the API shows it (policykb.sources.shown_source)."""
    return shown_source(data, current_app.config["POLICYKB_CONFIG"].data_dir)


@bp.post("/docs")
@admin_required
def upload_doc():
    config = current_app.config["POLICYKB_CONFIG"]
    require_role("upload")
    collection = upload_collection(get_store())
    path = save_upload(request.files.get("file"), config)
    job = current_app.extensions["policykb_jobs"].submit(
        path, request.files["file"].filename, collection, current_viewer(), request.remote_addr
    )
    return jsonify({"ok": True, "job": job.to_json(), "status_url": url_for("api.get_job", job_id=job.id)}), 202


@bp.get("/jobs/<job_id>")
def get_job(job_id: str):
    job = current_app.extensions["policykb_jobs"].get(job_id, readable_collections())
    if job is None:
        raise NotFoundError(f"no upload job {job_id!r}")
    return jsonify({"ok": True, "job": job.to_json()})


@bp.delete("/docs/<doc_id>")
@admin_required
def delete_doc(doc_id: str):
    removed_id, chunks = remove_document(doc_id)
    return jsonify({"ok": True, "removed": removed_id, "chunks": chunks})


@bp.patch("/docs/<doc_id>")
@admin_required
def edit_doc(doc_id: str):
    """Change a document's title, type, date, issuer, web address or collection; the document as it is after."""
    doc = edit_document(doc_id, request.get_json(silent=True))
    return jsonify({"ok": True, **_shown(doc.to_json())})


@bp.get("/owners")
def owners():
    """Assignments answering q, or everything an agency leads or supports, or the whole task matrix (with `page`, one
    page of it and its total)."""
    query, agency = text_arg("q"), text_arg("agency") or None
    # `k` counts only for a question and `page` only for a listing: each is read (and checked) only where it counts.
    k, page = (int_arg("k", 5, 1, 50), None) if query else (5, int_arg("page", None))
    result = OwnersFinder(searcher(), readable_collections()).find(query, agency, k, page)
    return jsonify({"ok": True, **result.to_json()})


@bp.get("/health")
def health():
    """The index's generation and passages, with the cheap checks of policykb.check ("healthy", "problems", "checks",
    "set_aside"); 503 in the error shape, with "problems", when no searcher can open the index."""
    config = current_app.config["POLICYKB_CONFIG"]
    try:
        current = searcher()
    except IndexNotReadyError as exc:
        return error(str(exc), 503)
    except (StoreDamagedError, sqlite3.DatabaseError) as exc:  # a damaged store: said, not a crash
        message = said(exc if isinstance(exc, StoreDamagedError) else damaged_store_message(config.db_path, exc))
        return jsonify({"ok": False, "error": message, "status": 503, "problems": [message]}), 503
    report = serving_findings(config, current.generation, current.vectors, current.terms)
    return jsonify(
        {
            "ok": True,
            "generation": current.generation,
            "chunks": _readable_chunks(current.vectors.size),
            "healthy": report.ok,
            "problems": report.problems,
            "checks": [finding.to_json() for finding in report.findings],
            "set_aside": [path.name for path in report.set_aside],
        }
    )


def _readable_chunks(every: int) -> int:
    """The passages the viewer may read: `every` one, or as many as their collections hold."""
    readable = readable_collections()
    return every if readable is None else len(require_store().chunk_ids(Filters(collections=readable)))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())
