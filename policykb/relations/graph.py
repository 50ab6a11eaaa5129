"""The graph around a document: the documents its relations name, one node each, and one edge per kind of relation
between two of them, however many texts state it. Drawn by policykb.web.relations_graph."""

from __future__ import annotations

from dataclasses import dataclass

from policykb.relations.lookup import RelationsReport

MAX_NODES = 60  # past this a drawing says little and takes dot long; the page lists every relation anyway


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str  # "focus", "d:<doc id>" or "k:<key>"
    label: str  # the number, else the title a text gives it
    doc_id: str | None  # a document the viewer may read
    number: str | None
    title: str | None  # the readable document's title


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    kind: str
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Graph:
    focus: GraphNode
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def relations_graph(report: RelationsReport) -> Graph:
    """The nodes and edges of the report's relations (dates of effect, which name one document, are the timeline's)."""
    data = report.to_json()
    document = data["document"]
    focus = GraphNode(
        "focus",
        document["number"] or document["title"] or document["query"],
        document["doc_id"],
        document["number"],
        document["title"],
    )
    nodes: dict[str, GraphNode] = {"focus": focus}
    edges: dict[tuple[str, str, str], set[str]] = {}
    for relation in data["relations"]:
        if relation["target"] is None:
            continue
        ends = [_node(report, relation["source"]), _node(report, relation["target"])]
        if ends[0].id == ends[1].id or len(nodes.keys() | {e.id for e in ends}) > MAX_NODES:
            continue
        for end in ends:
            nodes.setdefault(end.id, end)
        edges.setdefault((ends[0].id, ends[1].id, relation["kind"]), set()).update(relation["articles"])
    return Graph(
        focus,
        list(nodes.values()),
        [GraphEdge(s, t, kind, tuple(sorted(articles))) for (s, t, kind), articles in edges.items()],
    )


def _node(report: RelationsReport, node: dict) -> GraphNode:
    """A relation's end as a node: the focus when it is the document asked about (by a key, or as the readable
    document a key links to), else the readable document, else the number or name a text gives it."""
    focus = report.node
    if node["key"] in focus.keys or (focus.doc_id is not None and node["doc_id"] == focus.doc_id):
        return GraphNode("focus", "", focus.doc_id, focus.number, focus.doc_title)
    label = node["number"] or node["title"] or node["doc_title"] or node["key"]
    node_id = f"d:{node['doc_id']}" if node["doc_id"] else f"k:{node['key']}"
    return GraphNode(node_id, label, node["doc_id"], node["number"], node["doc_title"])
