"""JSON API: search with facets, documents, uploads, removal, health, OpenAPI; one error shape everywhere."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from policykb.errors import BadQueryError, IndexNotReadyError, NotFoundError, PolicyKBError
from policykb.owners.answer import OwnersFinder
from policykb.search.searcher import MODES
from policykb.store import Filters, Store
from policykb.web.openapi import openapi_spec
from policykb.web.security import admin_token_problem, token_from_request
from policykb.web.state import searcher
from policykb.web.uploads import UploadRejected, save_upload

bp = Blueprint("api", __name__)
log = logging.getLogger(__name__)


def error(message: str, status: int):
    return jsonify({"ok": False, "error": message, "status": status}), status


@bp.errorhandler(PolicyKBError)
def _policykb_error(exc: PolicyKBError):
    return error(str(exc), exc.status)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error(exc.description or exc.name, exc.code or 500)


def size_label(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{max(1, size // 1024)} KB"


def register_error_shape(app: Flask) -> None:
    """Errors under /api/ that never reached the blueprint (unknown routes, too large, crashes) get the same shape."""

    @app.errorhandler(HTTPException)
    def _app_http_error(exc: HTTPException):
        too_large = f"the file is over the {size_label(current_app.config['POLICYKB_CONFIG'].max_file_bytes)} limit"
        if request.path.startswith("/api/"):
            return error(too_large if exc.code == 413 else exc.description or exc.name, exc.code or 500)
        if exc.code == 413:
            config = current_app.config["POLICYKB_CONFIG"]
            return render_template("upload.html", enabled=bool(config.admin_token), limit_mb=config.max_file_bytes // 2**20,
                                   message=f"{too_large}; split it or ask the operator to raise POLICYKB_MAX_FILE_MB"), 413
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return error("internal error; the server log has the details", 500)
        return "Internal error; the server log has the details.", 500


def _int_arg(name: str, default: int | None, low: int = 1, high: int = 10**6) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQueryError(f"parameter {name!r} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise BadQueryError(f"parameter {name!r} must be between {low} and {high}, got {value}")
    return value


def filters_from_args() -> Filters:
    return Filters(
        doc_type=request.args.get("type") or None,
        language=request.args.get("lang") or None,
        year=_int_arg("year", None, 1000, 9999),
        doc_id=request.args.get("doc") or None,
        issuer=request.args.get("issuer") or None,
        agency=request.args.get("agency") or None,
    )


def _store() -> Store:
    return Store(current_app.config["POLICYKB_CONFIG"].db_path, readonly=True)


def _require_admin() -> None:
    problem = admin_token_problem(token_from_request())
    if problem:
        raise UploadRejected(*problem)


@bp.get("/search")
def search():
    query = request.args.get("q", "").strip()
    if not query:
        raise BadQueryError("parameter 'q' is required, e.g. /api/search?q=social+insurance")
    mode = request.args.get("mode", "hybrid")
    if mode not in MODES:
        raise BadQueryError(f"parameter 'mode' must be one of {', '.join(MODES)}, got {mode!r}")
    result = searcher().search(query, mode, filters_from_args(), _int_arg("k", 10, 1, 100), _int_arg("page", 1))
    return jsonify({"ok": True, **result.to_json()})


@bp.get("/docs")
def list_docs():
    with _store() as store:
        return jsonify({"ok": True, "documents": [d.to_json() for d in store.list_documents()]})


@bp.get("/docs/<doc_id>")
def get_doc(doc_id: str):
    with _store() as store:
        return jsonify({"ok": True, **store.get_document(doc_id).to_json()})


@bp.post("/docs")
def upload_doc():
    _require_admin()
    config = current_app.config["POLICYKB_CONFIG"]
    path = save_upload(request.files.get("file"), config)
    job = current_app.extensions["policykb_jobs"].submit(path, request.files["file"].filename)
    return jsonify({"ok": True, "job": job.to_json(), "status_url": url_for("api.get_job", job_id=job.id)}), 202


@bp.get("/jobs/<job_id>")
def get_job(job_id: str):
    job = current_app.extensions["policykb_jobs"].get(job_id)
    if job is None:
        raise NotFoundError(f"no upload job {job_id!r}")
    return jsonify({"ok": True, "job": job.to_json()})


@bp.delete("/docs/<doc_id>")
def delete_doc(doc_id: str):
    _require_admin()
    from policykb.ingest.indexer import Indexer

    with Indexer(current_app.config["POLICYKB_CONFIG"], progress=False) as indexer:
        removed_id, chunks = indexer.remove(doc_id)
    return jsonify({"ok": True, "removed": removed_id, "chunks": chunks})


@bp.get("/owners")
def owners():
    """Assignments answering q, or everything an agency leads or supports, or the whole task matrix (with `page`, one
    page of it and its total)."""
    finder = OwnersFinder(searcher())
    query, agency = request.args.get("q", "").strip(), request.args.get("agency", "").strip() or None
    if query:
        result = finder.ask(query, k=_int_arg("k", 5, 1, 50), agency=agency)
    else:
        page = _int_arg("page", None)
        result = finder.for_agency(agency, page) if agency else finder.all(page)
    return jsonify({"ok": True, **result.to_json()})


@bp.get("/health")
def health():
    try:
        current = searcher()
    except IndexNotReadyError as exc:
        return error(str(exc), 503)
    return jsonify({"ok": True, "generation": current.generation, "chunks": current.vectors.size})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())
