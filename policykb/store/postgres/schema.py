"""The PostgreSQL schema: the embedded store's tables (policykb.store.schema), with FTS5's indexes replaced by postings
tables that keyword search sums in SQL, and passage vectors in a pgvector column with an HNSW index.

Migrations share the embedded store's numbers: the first script here creates the schema as the embedded store has it
after its migration BASELINE (every earlier one included); each later embedded migration gets its PostgreSQL script
under the same number (tests/test_postgresql.py fails when one is missing). `meta.schema_version` records the last run.
"""

from __future__ import annotations

BASELINE = 15

# (number, script); {dim} is the vectors' dimension, fixed when the schema is made.
MIGRATIONS: list[tuple[int, str]] = [
    (
        BASELINE,
        """
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE collections (
            name TEXT PRIMARY KEY,
            public INTEGER NOT NULL DEFAULT 1,
            owner_id BIGINT,
            created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        );
        INSERT INTO collections (name, public) VALUES ('public', 1);
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
            acronyms TEXT NOT NULL DEFAULT '{{}}',
            ingested_at TEXT NOT NULL,
            fts_key BIGINT,
            collection TEXT NOT NULL DEFAULT 'public',
            length INTEGER  -- tokens of its folded title and text, as documents_fts counts them
        );
        CREATE INDEX documents_collection ON documents(collection);
        CREATE TABLE chunks (
            id BIGINT PRIMARY KEY,  -- the embedded store's ids, never reused
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            section TEXT NOT NULL,
            page INTEGER,
            page_end INTEGER,
            language TEXT NOT NULL,
            embed_hash TEXT NOT NULL,
            vector vector({dim}) NOT NULL,
            agencies TEXT NOT NULL DEFAULT '[]',
            ocr INTEGER NOT NULL DEFAULT 0,
            ocr_confidence DOUBLE PRECISION,
            text TEXT NOT NULL DEFAULT '',
            length INTEGER NOT NULL  -- tokens of its folded title, section and text, as chunks_fts counts them
        );
        CREATE SEQUENCE chunks_id_seq OWNED BY chunks.id;
        CREATE INDEX chunks_doc ON chunks(doc_id, ordinal);
        CREATE INDEX chunks_embed_hash ON chunks(embed_hash);
        CREATE INDEX chunks_language ON chunks(language);
        -- A word's postings: F, the column weights added once per instance (FTS5's bm25()), with the passage weights
        -- (search.weights.FTS_WEIGHTS) and with the title weighing more (DOCUMENT_WEIGHTS).
        CREATE TABLE passage_postings (
            term TEXT NOT NULL,
            chunk_id BIGINT NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
            f DOUBLE PRECISION NOT NULL,
            f_title DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX passage_postings_term ON passage_postings(term) INCLUDE (chunk_id, f, f_title);
        CREATE INDEX passage_postings_chunk ON passage_postings(chunk_id);
        -- Row count and tokens of the passages and of the documents (BM25's N and mean length), kept with every
        -- write so that a query need not count them.
        CREATE TABLE keyword_totals (name TEXT PRIMARY KEY, rows BIGINT NOT NULL, tokens BIGINT NOT NULL);
        CREATE TABLE document_postings (  -- F with WHOLE_DOCUMENT_WEIGHTS
            term TEXT NOT NULL,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            f DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX document_postings_term ON document_postings(term) INCLUDE (doc_id, f);
        CREATE INDEX document_postings_doc ON document_postings(doc_id);
        CREATE TABLE doc_numbers (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            number TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,  -- the order the document gives them (SQLite: rowid)
            PRIMARY KEY (doc_id, number)
        );
        CREATE INDEX doc_numbers_number ON doc_numbers(number);
        CREATE TABLE assignments (
            id BIGSERIAL PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            task TEXT NOT NULL,
            lead TEXT NOT NULL,
            coordinating TEXT NOT NULL DEFAULT '[]',
            deadline TEXT,
            section TEXT NOT NULL DEFAULT '',
            page INTEGER,
            kind TEXT NOT NULL DEFAULT 'lead'
        );
        CREATE INDEX assignments_doc ON assignments(doc_id);
        CREATE INDEX assignments_lead ON assignments(lead);
        CREATE TABLE groups (
            name TEXT PRIMARY KEY,
            created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        );
        CREATE TABLE collection_groups (
            collection TEXT NOT NULL REFERENCES collections(name) ON DELETE CASCADE,
            group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,
            PRIMARY KEY (collection, group_name)
        );
        CREATE TABLE users (
            id BIGSERIAL PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
            password_hash TEXT,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        );
        CREATE TABLE user_groups (
            user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,
            PRIMARY KEY (user_id, group_name)
        );
        CREATE TABLE api_tokens (
            id BIGSERIAL PRIMARY KEY,
            user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            last_used_at TEXT,
            revoked_at TEXT
        );
        CREATE TABLE audit_log (
            id BIGSERIAL PRIMARY KEY,
            at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            user_id BIGINT,
            user_name TEXT,
            address TEXT,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE INDEX audit_log_at ON audit_log(at);
        CREATE TABLE briefs (
            id BIGSERIAL PRIMARY KEY,
            title TEXT NOT NULL,
            intro TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            owner_id BIGINT,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE brief_items (
            id BIGSERIAL PRIMARY KEY,
            brief_id BIGINT NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('passage', 'heading')),
            heading TEXT,
            note TEXT NOT NULL DEFAULT '',
            doc_id TEXT,
            start INTEGER,
            "end" INTEGER,
            quote TEXT,
            title TEXT,
            section TEXT,
            page INTEGER,
            date TEXT,
            doc_numbers TEXT NOT NULL DEFAULT '[]',
            ocr INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX brief_items_brief ON brief_items(brief_id, position);
        CREATE TABLE brief_shares (
            brief_id BIGINT NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
            user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
            group_name TEXT REFERENCES groups(name) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'editor')),
            CHECK ((user_id IS NULL) != (group_name IS NULL))
        );
        CREATE UNIQUE INDEX brief_shares_once ON brief_shares(brief_id, coalesce(user_id, 0), coalesce(group_name, ''));
        CREATE TABLE metadata_edits (
            source TEXT NOT NULL,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            edited_at TEXT NOT NULL,
            edited_by TEXT,
            PRIMARY KEY (source, field)
        );
        CREATE TABLE relations (
            id BIGSERIAL PRIMARY KEY,
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
            "end" INTEGER NOT NULL,
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
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            filename TEXT NOT NULL,
            upload INTEGER NOT NULL DEFAULT 0,
            collection TEXT NOT NULL,
            user_id BIGINT,
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
            created_at DOUBLE PRECISION NOT NULL,
            heartbeat_at DOUBLE PRECISION,
            finished_at DOUBLE PRECISION
        );
        CREATE INDEX jobs_state ON jobs(state, created_at);
        """,
    ),
]


def schema_version(conn) -> int:
    """The last migration run on this database; 0 for an empty one."""
    exists = conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
    if not exists:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn, dim: int) -> None:
    """Run the migrations this database has not seen yet, each in its own transaction."""
    version = schema_version(conn)
    for number, script in MIGRATIONS:
        if number <= version:
            continue
        with conn.transaction():
            conn.execute(script.format(dim=int(dim)))
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(number),),
            )
