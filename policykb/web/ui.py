"""Server-rendered pages: search, a document with its cited passage, the document list, uploads."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for

from policykb.citations import format_citation, format_date, legal_citation, page_label
from policykb.errors import BadQueryError, IngestError, NotFoundError, StorageError
from policykb.ingest.page_images import display_page_png
from policykb.ingest.pipeline import DOC_TYPES, EDITABLE_FIELDS
from policykb.links import is_allowed_link
from policykb.models import ASSIGNMENT_KINDS
from policykb.owners.answer import OwnersFinder, is_ownership_question, to_csv
from policykb.search.searcher import MODES
from policykb.store import ChunkInfo
from policykb.web.error_shape import said
from policykb.web.originals import send_original
from policykb.web.permissions import (
    edit_document,
    edit_offered,
    readable_document,
    remove_document,
    require_role,
    upload_choices,
    upload_collection,
)
from policykb.web.relations_pages import document_relations, hit_badges
from policykb.web.render import document_blocks, highlight, term_pattern
from policykb.web.request import (
    current_viewer,
    filters_from_args,
    get_store,
    in_force_on_arg,
    int_arg,
    mode_arg,
    readable_collections,
    searcher,
    text_arg,
)
from policykb.web.security import AdminRefused, admin_required, uploads_offered
from policykb.web.uploads import UploadRejected, save_upload

bp = Blueprint("ui", __name__)
FACETS = (("type", "Type"), ("year", "Year"), ("lang", "Language"), ("issuer", "Issuer"), ("agency", "Agency"))
EXAMPLES = (
    "who coordinates the partnership group",
    "Resolution 68",
    "bảo hiểm thất nghiệp",
    "shock-responsive social protection",
)


bp.add_app_template_global(page_label, "page_label")
bp.add_app_template_global(ASSIGNMENT_KINDS, "kind_labels")
bp.add_app_template_test(is_allowed_link, "allowed_link")  # a stored address becomes a link only if it may be one


@bp.app_template_filter("nice_date")
def _nice_date(value: str | None) -> str:
    return format_date(value) or "n.d."


def _args_with(**changes) -> dict:
    args = {key: value for key, value in request.args.items() if value}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


@bp.app_context_processor
def _helpers() -> dict:
    return {
        "args_with": _args_with,
        "url_with": lambda **changes: url_for(request.endpoint, **(request.view_args or {}), **_args_with(**changes)),
    }


@bp.get("/")
def index():
    query = text_arg("q")
    context = {
        "query": query,
        "mode": request.args.get("mode", "hybrid"),
        "modes": MODES,
        "result": None,
        "message": None,
        "facet_names": FACETS,
        "examples": EXAMPLES,
        "active": {k: request.args[k] for k, _ in FACETS if request.args.get(k)},
        "in_force_on": request.args.get("in_force_on", "").strip(),
    }
    store = get_store()
    documents = store.list_documents(readable_collections(store)) if store is not None else []
    context["corpus"] = {"documents": len(documents), "chunks": sum(d.chunks for d in documents)}
    if not documents:
        context["message"] = "The index is empty. Add documents with `policykb ingest corpus/`, or upload one."
        return render_template("search.html", **context)
    if not query:
        return render_template("search.html", **context)
    try:
        mode, page, on = mode_arg(), int_arg("page", 1), in_force_on_arg()
        result = searcher().search(query, mode, filters_from_args(), 10, page)
    except BadQueryError as exc:
        context["message"] = str(exc)
        return render_template("search.html", **context), 400
    pattern = term_pattern(query, result.expansions)
    context["result"] = result
    if is_ownership_question(query) and page == 1:
        context["answer"] = OwnersFinder(searcher(), readable_collections()).ask(query, k=3)
    context["hits"] = [
        {"hit": hit, "html": highlight(hit.text, pattern), "cite": format_citation(hit)} for hit in result.hits
    ]
    context["badges"] = hit_badges(store, result.hits, on)
    context["pages"] = max(1, -(-result.total // result.k))
    return render_template("search.html", **context)


@bp.get("/owners")
def owners():
    query, agency = text_arg("q"), text_arg("agency") or None
    finder = OwnersFinder(searcher(), readable_collections()) if get_store() is not None else None
    context = {"query": query, "agency": agency, "result": None, "message": None, "agencies": []}
    if finder is None:
        context["message"] = "The index is empty. Add documents with `policykb ingest corpus/`, or upload one."
        return render_template("owners.html", **context)
    context["agencies"] = finder.leads()
    try:
        context["result"] = finder.find(query, agency, 20, int_arg("page", 1, high=None, lenient=True))
    except BadQueryError as exc:
        context["message"] = str(exc)
        return render_template("owners.html", **context), 400
    return render_template("owners.html", **context)


@bp.get("/owners.csv")
def owners_csv():
    try:
        result = OwnersFinder(searcher(), readable_collections()).find(text_arg("q"), text_arg("agency") or None, 50)
    except BadQueryError as exc:
        abort(400, str(exc))
    return Response(
        to_csv(result), mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="tasks.csv"'}
    )


@bp.get("/favicon.ico")
def favicon():
    return "", 204  # no icon; saying so keeps browsers' consoles free of 404s


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    store = get_store()
    if store is None:
        abort(404)
    readable = readable_collections(store)
    try:
        doc = store.get_document(doc_id, readable)
    except NotFoundError:
        abort(404, f"no document {doc_id!r}")
    # Positions from the page's own links; a hand-edited one that is no position shows the page unmarked.
    start, end, chunk_id = (int_arg(name, None, 0, None, lenient=True) for name in ("start", "end", "chunk"))
    mark = (start, end) if start is not None and end is not None and 0 <= start < end <= len(doc.text) else None
    blocks = document_blocks(doc.text, doc.chunks, mark, chunk_id)
    source_available = Path(doc.source).is_file()
    cited = _cited_chunk(doc.chunks, chunk_id, mark)
    scan = cited if source_available and cited and cited.ocr and cited.page else None
    editable, edit_needs_token = edit_offered(store, doc)
    return render_template(
        "doc.html",
        editable=editable and source_available,
        edit_needs_token=edit_needs_token,
        doc_types=DOC_TYPES,
        collections=upload_choices(store) if editable else [],
        doc=doc,
        blocks=blocks,
        mark=mark,
        related=store.related_documents(doc_id, readable),
        **document_relations(store, doc),
        source_available=source_available,
        original_name=Path(doc.source).name,
        scan=scan,
        legal_cite=legal_citation(cited.section, doc.title, doc.doc_type, doc.date) if cited else None,
    )


def _cited_chunk(chunks: list[ChunkInfo], chunk_id: int | None, mark: tuple[int, int] | None) -> ChunkInfo | None:
    """The chunk a result led to: by its id, else the one where the cited span starts."""
    return next((c for c in chunks if c.id == chunk_id), None) or next(
        (c for c in chunks if mark is not None and c.start <= mark[0] < c.end), None
    )


@bp.get("/doc/<doc_id>/page/<int:page>.png")
def page_image(doc_id: str, page: int):
    """One page of a scanned original as an image, rendered from the file the document was ingested from (looked up
    by id, never by a path from the request) and kept in the data folder."""
    store = get_store()
    try:
        doc = readable_document(doc_id, store) if store else None
    except NotFoundError:
        doc = None
    if doc is None or not 1 <= page <= max(1, len(doc.page_starts)) or not Path(doc.source).is_file():
        abort(404, "no such page of an original file that is still where it was ingested from")
    config = current_app.config["POLICYKB_CONFIG"]
    target = config.page_images_dir / f"{doc.content_hash[:64]}-{page}.png"
    try:
        image = display_page_png(Path(doc.source), doc.file_format, page, target)
    except IngestError as exc:
        abort(404, f"the page image cannot be made: {exc.reason}")
    return send_file(image, mimetype="image/png", max_age=3600)


@bp.get("/doc/<doc_id>/original")
def original(doc_id: str):
    """The file the document was ingested from (looked up by id, never by a path from the request), as a download."""
    store = get_store()
    try:
        doc = readable_document(doc_id, store) if store else None
    except NotFoundError:
        doc = None
    if doc is None or not Path(doc.source).is_file():
        abort(404, "the original file is no longer where it was ingested from")
    return send_original(Path(doc.source), doc.file_format)


SORTS = ("title", "doc_type", "date", "language", "chunks", "ingested_at")


@bp.get("/docs")
def documents():
    store = get_store()
    rows = store.list_documents(readable_collections(store)) if store else []
    wanted_type, wanted_lang, text = (
        request.args.get("type"),
        request.args.get("lang"),
        request.args.get("q", "").strip().lower(),
    )
    types = sorted({d.doc_type for d in rows})
    languages = sorted({d.language for d in rows})
    rows = [
        d
        for d in rows
        if (not wanted_type or d.doc_type == wanted_type)
        and (not wanted_lang or d.language == wanted_lang)
        and (not text or text in d.title.lower())
    ]
    sort = request.args.get("sort", "title") if request.args.get("sort") in SORTS else "title"
    reverse = request.args.get("order") == "desc"
    rows.sort(key=lambda d: ((value := getattr(d, sort)) is None, value if value is not None else ""), reverse=reverse)
    return render_template(
        "docs.html", rows=rows, sort=sort, reverse=reverse, types=types, languages=languages, sorts=SORTS
    )


def _upload_page(message: str | None = None, status: int = 200):
    config = current_app.config["POLICYKB_CONFIG"]
    enabled, needs_token = uploads_offered()
    context = {
        "enabled": enabled,
        "needs_token": needs_token,
        "limit_mb": config.max_file_bytes // 2**20,
        "message": message,
        "collections": upload_choices(get_store()),
    }
    return render_template("upload.html", **context), status


@bp.get("/upload")
def upload():
    return _upload_page()


@bp.post("/upload")
@admin_required
def upload_file():
    require_role("upload")
    try:
        collection = upload_collection(get_store())
        path = save_upload(request.files.get("file"), current_app.config["POLICYKB_CONFIG"])
    except (UploadRejected, StorageError, BadQueryError) as exc:  # StorageError: a full disk (507)
        return _upload_page(said(exc), exc.status)
    job = current_app.extensions["policykb_jobs"].submit(
        path, request.files["file"].filename, collection, current_viewer(), request.remote_addr
    )
    return redirect(url_for("ui.job", job_id=job.id), code=303)


@bp.errorhandler(AdminRefused)
def _admin_refused(exc: AdminRefused):
    """The upload form says why on its page; the remove button gets the plain error page."""
    if request.endpoint == "ui.upload_file":
        return _upload_page(exc.description, exc.code)
    return exc


@bp.get("/upload/<job_id>")
def job(job_id: str):
    found = current_app.extensions["policykb_jobs"].get(job_id, readable_collections())
    if found is None:
        abort(404, "no such upload")
    return render_template("job.html", job=found)


@bp.post("/doc/<doc_id>/remove")
@admin_required
def remove(doc_id: str):
    try:
        remove_document(doc_id)
    except NotFoundError:
        abort(404, f"no document {doc_id!r}")
    return redirect(url_for("ui.documents"), code=303)


@bp.post("/doc/<doc_id>/edit")
@admin_required
def edit_details(doc_id: str):
    """The "Edit details" form of a document page: the fields whose value the form changed are edited (edit_document)."""
    try:
        doc = readable_document(doc_id)
    except NotFoundError:
        abort(404, f"no document {doc_id!r}")
    current = {"title": doc.title, "type": doc.doc_type, "date": doc.date, "issuer": doc.issuer, "url": doc.url}
    current["collection"] = doc.collection
    changes = {
        field: request.form[field].strip()
        for field in (*EDITABLE_FIELDS, "collection")
        if field in request.form and request.form[field].strip() != (current[field] or "")
    }
    if changes:
        edit_document(doc_id, changes)
    return redirect(url_for("ui.document", doc_id=doc_id), code=303)
