"""Relations in the pages: the panel of a document page, the status badges of search hits, and the relations page of
a document number or id with its graph (SVG from Graphviz) and timeline. Only what the viewer's collections state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, abort, render_template, request, url_for

from policykb.errors import BadQueryError, NotFoundError
from policykb.models import SearchHit
from policykb.relations.graph import GraphNode, relations_graph
from policykb.relations.in_force import BADGES, statuses_of
from policykb.relations.lookup import RelationsFinder, parse_on
from policykb.relations.panel import KIND_WORDS, STATUS_LABELS, amended_articles, heading_article, panel_groups
from policykb.relations.timeline import timeline
from policykb.store import Store, StoredDocument
from policykb.web.relations_graph import graph_svg
from policykb.web.request import get_store, readable_collections, text_arg

bp = Blueprint("relations", __name__)
bp.add_app_template_global(STATUS_LABELS, "status_labels")
bp.add_app_template_global(heading_article, "heading_article")
bp.add_app_template_global(KIND_WORDS, "kind_words")


def document_relations(store: Store, doc: StoredDocument) -> dict:
    """The doc page's context: its relations grouped for the panel (with those it states between other documents,
    as a news item does), its status today, and its amended articles."""
    finder = RelationsFinder(store, readable_collections(store))
    found = finder.report(finder.document_node(doc.id, doc.title, doc.doc_numbers))
    report = found.to_json()
    shown = {relation["id"] for relation in report["relations"]}
    rows = [row for row in store.relations_stated_by(doc.id, finder.collections) if row.id not in shown]
    with_links = replace(found, linked={**found.linked, **finder.linked(rows)})
    stated = [with_links.relation_json(row) for row in rows]
    return {
        "relation_groups": panel_groups(report["relations"] + stated),
        # A text with no number of its own and no relation about it (a report, a news item) has no status to show.
        "doc_status": report["status"] if found.node.keys or report["relations"] else None,
        "status_on": report["on"],
        "amended": amended_articles(report["relations"]),
    }


def hit_badges(store: Store, hits: list[SearchHit], on: str | None) -> dict[str, dict]:
    """For each hit's document whose status on `on` (default today) is worth a badge: its words, status and date."""
    on = parse_on(on)
    statuses = statuses_of(store, [hit.doc_id for hit in hits], readable_collections(store), on)
    return {
        doc_id: {"words": BADGES[status.status], "status": status.status, "since": status.since, "on": on}
        for doc_id, status in statuses.items()
        if status.status in BADGES
    }


def node_link(node: GraphNode | dict) -> str | None:
    """Where a document of a relation leads: its page when the viewer may read it, else the relations page of its
    number; a law named only by its name leads nowhere."""
    doc_id, number = (node.doc_id, node.number) if isinstance(node, GraphNode) else (node["doc_id"], node["number"])
    if doc_id:
        return url_for("ui.document", doc_id=doc_id)
    return url_for("relations.page", ref=number) if number else None


@bp.app_template_global()
def relations_link(node: dict | None) -> str | None:
    return node_link(node) if node else None


@bp.get("/relations")
@bp.get("/relations/<path:ref>")
def page(ref: str | None = None):
    """The relations page of a document (`/relations/68/NQ-CP`, `/relations?doc=ID_OR_NUMBER`, `&on=YYYY-MM-DD`)."""
    ref = ref or text_arg("doc")
    if not ref:
        abort(400, "give a document: /relations/68/NQ-CP or /relations?doc=<id or number>")
    store = get_store()
    if store is None:
        abort(404, "the index is empty")
    try:
        on = parse_on(text_arg("on"), "parameter 'on'")
        report = RelationsFinder(store, readable_collections(store)).report(ref, on)
    except BadQueryError as exc:
        abort(400, str(exc))
    except NotFoundError as exc:
        abort(404, str(exc))
    doc = store.get_document(report.node.doc_id, readable_collections(store)) if report.node.doc_id else None
    data = report.to_json()
    return render_template(
        "relations.html",
        report=data,
        doc=doc,
        groups=panel_groups(data["relations"]),
        events=timeline(report, doc.date if doc else None),
        svg=graph_svg(relations_graph(report), node_link),
        today=datetime.now(UTC).date().isoformat(),
        on_asked=request.args.get("on", ""),
    )
