"""Numbered schema migrations for the SQLite store; `user_version` records which have run."""

from __future__ import annotations

import sqlite3

from policykb.textnorm import fold_lower

DOCUMENTS_FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"  # chunks_fts's, so a query's words are the same words

MIGRATIONS: list[str] = [
    # 1: documents, chunks with their vectors, FTS5 over folded text, document numbers and acronyms.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        doc_type TEXT NOT NULL,
        language TEXT NOT NULL,
        date TEXT,
        year INTEGER,
        issuer TEXT,
        url TEXT,
        file_format TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        text TEXT NOT NULL,
        page_starts TEXT NOT NULL DEFAULT '[]',
        agencies TEXT NOT NULL DEFAULT '[]',
        acronyms TEXT NOT NULL DEFAULT '{}',
        ingested_at TEXT NOT NULL
    );
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: FAISS ids are chunk ids
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        section TEXT NOT NULL,
        page INTEGER,
        page_end INTEGER,
        language TEXT NOT NULL,
        embed_hash TEXT NOT NULL,
        vector BLOB NOT NULL
    );
    CREATE INDEX chunks_doc ON chunks(doc_id, ordinal);
    CREATE INDEX chunks_embed_hash ON chunks(embed_hash);
    CREATE TABLE doc_numbers (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        number TEXT NOT NULL,
        PRIMARY KEY (doc_id, number)
    );
    CREATE INDEX doc_numbers_number ON doc_numbers(number);
    CREATE VIRTUAL TABLE chunks_fts USING fts5(
        title, section, body, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    """,
    # 2: the agencies each passage mentions, for the agency filter and facet.
    """
    ALTER TABLE chunks ADD COLUMN agencies TEXT NOT NULL DEFAULT '[]';
    """,
    # 3: task assignments (who leads, who coordinates, by when), each citing its sentence or table row.
    """
    CREATE TABLE assignments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        task TEXT NOT NULL,
        lead TEXT NOT NULL,
        coordinating TEXT NOT NULL DEFAULT '[]',
        deadline TEXT,
        section TEXT NOT NULL DEFAULT '',
        page INTEGER
    );
    CREATE INDEX assignments_doc ON assignments(doc_id);
    CREATE INDEX assignments_lead ON assignments(lead);
    CREATE VIRTUAL TABLE assignments_fts USING fts5(task, owners, tokenize = 'porter unicode61 remove_diacritics 2');
    """,
    # 4: briefs: named, ordered collections of pinned passages (with the quoted text as pinned) and headings.
    # brief_items.doc_id is deliberately not a foreign key: removing a document must show its items as removed.
    """
    CREATE TABLE briefs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        intro TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE brief_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        brief_id INTEGER NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('passage', 'heading')),
        heading TEXT,
        note TEXT NOT NULL DEFAULT '',
        doc_id TEXT,
        start INTEGER,
        end INTEGER,
        quote TEXT,
        title TEXT,
        section TEXT,
        page INTEGER,
        date TEXT,
        doc_numbers TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX brief_items_brief ON brief_items(brief_id, position);
    """,
    # 5: assignments are ranked through the passages that state them; their own FTS table went unread.
    """
    DROP TABLE IF EXISTS assignments_fts;
    """,
    # 6: passages read by OCR, with the mean word confidence of their pages (0–100); pinned passages keep the flag.
    """
    ALTER TABLE chunks ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chunks ADD COLUMN ocr_confidence REAL;
    ALTER TABLE brief_items ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;
    """,
    # 7: the acronyms documents define, readable without stepping through each document's text (which precedes them in
    # the row): opening a searcher read them all, most of the time it takes to open a large index
    # (docs/decisions/0029-acronyms-index-for-opening-large-stores.md).
    """
    CREATE INDEX IF NOT EXISTS documents_acronyms ON documents(acronyms) WHERE acronyms != '{}';
    """,
    # 8: each passage's text in its own row, as sliced from its document's text. Slicing it at search time read the
    # document's whole text for every passage shown: on a large collection whose pages are not cached, the most disk
    # reads a search made.
    """
    ALTER TABLE chunks ADD COLUMN text TEXT NOT NULL DEFAULT '';
    UPDATE chunks SET text = (SELECT substr(d.text, chunks.start + 1, chunks.end - chunks.start) FROM documents d
                              WHERE d.id = chunks.doc_id);
    """,
    # 9: the passages a language or agency filter allows, read from small indexes instead of every passage's row (with
    # its vector and text), which made the first search with such a filter slow on a large collection
    # (docs/BENCHMARKS.md, filtered search).
    """
    CREATE INDEX IF NOT EXISTS chunks_language ON chunks(language);
    CREATE INDEX IF NOT EXISTS chunks_agencies ON chunks(agencies) WHERE agencies != '[]';
    """,
    # 10: every document's title and whole text in FTS5, to weigh a query's words over a whole document rather than one
    # passage at a time (Bm25Ranker.whole_documents in search/bm25.py). Contentless: the text is in documents; a row is deleted with the
    # folded title and text it was written with (Store._delete_document_terms). Its rowid is the document's first
    # passage id (fts_key), which AUTOINCREMENT never gives out again.
    f"""
    ALTER TABLE documents ADD COLUMN fts_key INTEGER;
    UPDATE documents SET fts_key = (SELECT min(c.id) FROM chunks c WHERE c.doc_id = documents.id);
    CREATE VIRTUAL TABLE documents_fts USING fts5(title, body, content = '', tokenize = '{DOCUMENTS_FTS_TOKENIZE}');
    INSERT INTO documents_fts (rowid, title, body)
        SELECT fts_key, fold_lower(title), fold_lower(text) FROM documents WHERE fts_key IS NOT NULL;
    """,
    # 11: what sort of duty each assignment gives its lead (models.ASSIGNMENT_KINDS); rows written before were all read
    # as tasks the lead leads, which re-ingesting (the pipeline version changed) corrects.
    """
    ALTER TABLE assignments ADD COLUMN kind TEXT NOT NULL DEFAULT 'lead';
    """,
    # 12: people and what they may read. Every document belongs to a collection ("public" for all that came before); a
    # collection is public or readable by named groups; users (reader, editor, admin) belong to groups and hold API
    # tokens (stored hashed); briefs have an owner, shares and a version for optimistic edits; the audit log says who
    # changed what, when and from where. Briefs made before accounts have no owner until the first admin takes them.
    """
    ALTER TABLE documents ADD COLUMN collection TEXT NOT NULL DEFAULT 'public';
    CREATE INDEX documents_collection ON documents(collection);
    CREATE TABLE collections (
        name TEXT PRIMARY KEY,
        public INTEGER NOT NULL DEFAULT 1,
        owner_id INTEGER,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    INSERT INTO collections (name, public) VALUES ('public', 1);
    CREATE TABLE groups (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE collection_groups (
        collection TEXT NOT NULL REFERENCES collections(name) ON DELETE CASCADE,
        group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,
        PRIMARY KEY (collection, group_name)
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
        password_hash TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE user_groups (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,
        PRIMARY KEY (user_id, group_name)
    );
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        last_used_at TEXT,
        revoked_at TEXT
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        user_id INTEGER,
        user_name TEXT,
        address TEXT,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_log_at ON audit_log(at);
    ALTER TABLE briefs ADD COLUMN owner_id INTEGER;
    ALTER TABLE briefs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE brief_shares (
        brief_id INTEGER NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        group_name TEXT REFERENCES groups(name) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'editor')),
        CHECK ((user_id IS NULL) != (group_name IS NULL))
    );
    CREATE UNIQUE INDEX brief_shares_once ON brief_shares(brief_id, coalesce(user_id, 0), coalesce(group_name, ''));
    """,
    # 13: metadata an editor set on a document (title, type, date, issuer, url), keyed by its source file so that it
    # applies again, over the sidecar, each time the file is ingested; an empty value clears a date, issuer or url.
    """
    CREATE TABLE metadata_edits (
        source TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        edited_at TEXT NOT NULL,
        edited_by TEXT,
        PRIMARY KEY (source, field)
    );
    """,
    # 14: relations between documents (policykb.relations), each stated by one document's text (doc_id, its span and
    # sentence) about a source and a target node, each a key ("n:NUMBER" or "t:name|year") with its number or name
    # as written; and the keys each document's own node answers to, which link a node to a document at query time.
    # Documents ingested before have none until their next ingest, which reads them again (PIPELINE_VERSION 9).
    """
    CREATE TABLE relations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        source_self INTEGER NOT NULL DEFAULT 0,
        source_key TEXT NOT NULL,
        source_number TEXT,
        source_title TEXT,
        source_date TEXT,
        target_key TEXT,
        target_number TEXT,
        target_title TEXT,
        target_date TEXT,
        articles TEXT NOT NULL DEFAULT '[]',
        date TEXT,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        sentence_start INTEGER NOT NULL,
        sentence_end INTEGER NOT NULL
    );
    CREATE INDEX relations_doc ON relations(doc_id);
    CREATE INDEX relations_source ON relations(source_key);
    CREATE INDEX relations_target ON relations(target_key);
    CREATE TABLE document_nodes (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        PRIMARY KEY (doc_id, key)
    );
    CREATE INDEX document_nodes_key ON document_nodes(key);
    """,
    # 15: ingest jobs (uploads and queued bulk ingest), kept in the store so that any worker process on the data folder
    # takes them, each taken by one worker at a time (a lease it renews); a worker that dies leaves its job to be taken
    # again once the lease runs out. Times are seconds since the epoch.
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        filename TEXT NOT NULL,
        upload INTEGER NOT NULL DEFAULT 0,  -- 1: an uploaded file, kept in uploads/ and removed if its job fails
        collection TEXT NOT NULL,
        user_id INTEGER,
        user_name TEXT,
        address TEXT,
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
        stage TEXT NOT NULL DEFAULT '',
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        doc_id TEXT,
        errors TEXT NOT NULL DEFAULT '[]',
        worker TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        heartbeat_at REAL,
        finished_at REAL
    );
    CREATE INDEX jobs_state ON jobs(state, created_at);
    """,
]


def migrate(conn: sqlite3.Connection) -> None:
    """Run the migrations this database has not seen yet, each in its own transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.create_function("fold_lower", 1, fold_lower, deterministic=True)  # the folding the store writes FTS5 text with
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
