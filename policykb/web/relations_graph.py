"""The relations graph drawn as SVG by Graphviz's `dot`, to be inlined in the relations page (no script: its links
are plain SVG links). Every label is text from documents, so hostile: each is escaped for DOT (graphviz.escape keeps
backslashes and "<…>" literal) and Graphviz writes it into the SVG as XML-escaped text."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from markupsafe import Markup

from policykb.relations.graph import Graph, GraphNode
from policykb.relations.panel import KIND_WORDS

log = logging.getLogger(__name__)

LABEL_CHARS = 48  # a longer title is cut: the page lists it whole
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)


def graph_svg(graph: Graph, link: Callable[[GraphNode], str | None]) -> Markup | None:
    """The graph as an inline <svg> element, each node linked by `link`; None when Graphviz is not installed (the
    Python package or its `dot`) or fails, which the page says in one line."""
    try:
        import graphviz
    except ImportError:
        return None
    dot = graphviz.Digraph(
        "relations", graph_attr={"rankdir": "LR", "bgcolor": "transparent"}, node_attr={"shape": "box"}
    )
    for node in graph.nodes:
        dot.node(_dot_id(node.id), **_node_attributes(graphviz, node, link(node), node.id == graph.focus.id))
    for edge in graph.edges:
        words = KIND_WORDS.get(edge.kind, edge.kind).removeprefix("is ")
        if edge.articles:
            words += " " + _short(", ".join(edge.articles))
        dot.edge(_dot_id(edge.source), _dot_id(edge.target), label=graphviz.escape(words))
    try:
        svg = dot.pipe(format="svg", encoding="utf-8")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError) as exc:
        log.warning("the relations graph could not be drawn: %s", exc)
        return None
    return Markup(_PROLOG.sub("", svg, count=1))  # noqa: S704 — Graphviz's own SVG, every label escaped above


def _node_attributes(graphviz, node: GraphNode, href: str | None, focus: bool) -> dict[str, str]:
    label = node.label if not node.title or node.title == node.label else f"{node.label}\n{node.title}"
    attributes = {"label": graphviz.escape(_short(label)), "tooltip": graphviz.escape(_short(node.title or node.label))}
    if href:
        attributes["URL"] = graphviz.escape(href)
    if focus:
        attributes.update(style="bold,filled", fillcolor="#fff3c4")
    elif node.doc_id is None:
        attributes["style"] = "dashed"  # a number no readable document of the collection answers to
    return attributes


def _dot_id(node_id: str) -> str:
    """A node id DOT reads as a plain name whatever the key holds."""
    return "n" + node_id.encode("utf-8").hex()


def _short(text: str) -> str:
    lines = [line if len(line) <= LABEL_CHARS else line[: LABEL_CHARS - 1] + "…" for line in text.splitlines()]
    return "\n".join(lines[:2])
