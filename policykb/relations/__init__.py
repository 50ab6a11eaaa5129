"""Relations between documents and what is in force: extraction at ingest, status on a date, and the views the CLI,
the API, the web pages (policykb.web.relations_pages), brief exports and the MCP server show.

The flow, as for owners: ingest reads each document's relations (`extract.extract_relations`, called by
`policykb.ingest.pipeline.parse_file`) into `Document.relations` (`policykb.models.Relation`) and the keys its own
node answers to (`Document.node_keys`); the store keeps them with the document, replaced when it is ingested again
and removed with it (`policykb.store.relations`); `lookup.RelationsFinder` answers for a document id or number what
the collection says of it, and `status.status_on` what follows on a date.

Modules:
    references  where a text names a document (number, a law's name and year, "Nghị định này") and node keys
    patterns    the words that state each kind, Vietnamese and English
    clauses     a text's clauses, and who a verb speaks of and what it names
    extract     relations from a document's text, each with its span and sentence (the entry point)
    endings     what a document says ceases to be in force, and lists of what it ends or replaces
    amending    what an amending text states in its own articles, and a consolidated text in its header
    dates       dates as legal texts write them
    status      in force / not yet / partly amended / replaced / repealed / unknown on a date, with the evidence
    lookup      RelationsFinder: a document's relations and status for a viewer, as records and as JSON
    in_force    the status of many documents at once: search badges, and what "in force on DATE" leaves out
    panel       a document's relations grouped as its page lists them, and its amended articles
    graph       the nodes and edges around a document (drawn by policykb.web.relations_graph)
    timeline    issued, takes effect, amended, replaced, repealed: the dated events of a document
    cli         `policykb relations NUMBER|DOC_ID [--on DATE] [--json]`

Kinds (policykb.models.RELATION_KINDS): based_on, implements, guides, amends, replaces, repeals, effective. A node is
a document number ("68/NQ-CP", compared without diacritics) or, for a law named without one, its name and year
("Luật Tổ chức Chính phủ 2015"); it is linked to a document of the collection at query time, so the order in which
documents are ingested does not matter.
"""
