"""Server-rendered pages: search with cited passages."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from policykb.errors import BadQueryError, IndexNotReadyError
from policykb.index.search import MODES
from policykb.webapp.api import filters_from_args
from policykb.webapp.state import searcher

bp = Blueprint("ui", __name__)


@bp.get("/")
def index():
    query = request.args.get("q", "").strip()
    mode = request.args.get("mode", "hybrid")
    context = {"query": query, "mode": mode, "modes": MODES, "result": None, "message": None}
    if not query:
        return render_template("search.html", **context)
    try:
        if mode not in MODES:
            raise BadQueryError(f"unknown mode {mode!r}")
        context["result"] = searcher().search(query, mode, filters_from_args())
    except IndexNotReadyError as exc:
        context["message"] = str(exc)
        return render_template("search.html", **context), 503
    except BadQueryError as exc:
        context["message"] = str(exc)
        return render_template("search.html", **context), 400
    return render_template("search.html", **context)
