"""Damaged derived files (the FAISS vectors, the term matrix, the FTS5 rows) never stop search, serve or ingest: they
are set aside, said once, and rebuilt from the store; `policykb check` finds them and `--repair` rebuilds them."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykb.bench.faults import TERM_DAMAGE, VECTOR_DAMAGE, damage_terms, damage_vectors
from policykb.cli import main
from policykb.config import Config
from policykb.ingest.indexer import Indexer, embedding_input
from policykb.models import Chunk
from policykb.search.damaged import set_aside_files
from policykb.search.embedder import FakeEmbedder
from policykb.search.terms import terms_dir
from policykb.search.vectors import VectorIndex, vector_file
from policykb.store import Store
from policykb.web import create_app


def current_vectors(config: Config) -> Path:
    with Store(config.db_path, readonly=True) as store:
        return vector_file(config.data_dir, store.generation())


def current_terms(config: Config) -> Path:
    with Store(config.db_path, readonly=True) as store:
        return terms_dir(config.data_dir, store.generation())


def run_cli(config: Config, *args: str):
    env = {"POLICYKB_EMBEDDER": "fake", "POLICYKB_TERM_MATRIX_THRESHOLD": str(config.term_matrix_threshold)}
    return CliRunner().invoke(main, ["--data", str(config.data_dir), *args], env=env, catch_exceptions=False)


def said_once(caplog, path: Path) -> bool:
    lines = [r.getMessage() for r in caplog.records if r.name == "policykb.search.damaged"]
    return len(lines) == 1 and str(path) in lines[0] and "set aside as" in lines[0]


@pytest.fixture
def matrix_index(fake_config: Config, corpus_copy: Path) -> Config:
    """The bundled corpus indexed with a term matrix (threshold 1)."""
    config = dataclasses.replace(fake_config, term_matrix_threshold=1)
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([corpus_copy]).errors
    return config


# --- the FAISS file ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", VECTOR_DAMAGE)
@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_search_from_the_cli_survives_a_damaged_faiss_file_and_sets_it_aside_once(fake_index, caplog, kind, mode):
    path = current_vectors(fake_index)
    damage_vectors(path, kind)
    with caplog.at_level(logging.WARNING):
        result = run_cli(fake_index, "search", "--mode", mode, "--json", "social insurance coverage")
        again = run_cli(fake_index, "search", "--mode", mode, "--json", "social insurance coverage")
    assert result.exit_code == 0 and '"hits": [{' in result.output
    assert again.exit_code == 0 and again.output.split('"took_ms"')[0] == result.output.split('"took_ms"')[0]
    assert said_once(caplog, path)
    assert len(list(path.parent.glob(path.name + ".damaged-*"))) == 1
    assert run_cli(fake_index, "check").exit_code == 0  # the search put a rebuilt file back


@pytest.mark.parametrize("kind", VECTOR_DAMAGE)
def test_the_web_app_starts_searches_and_reports_health_over_a_damaged_faiss_file(fake_index, kind):
    damage_vectors(current_vectors(fake_index), kind)
    client = create_app(config=fake_index).test_client()
    response = client.get("/api/search", query_string={"q": "social insurance"})
    assert response.status_code == 200 and response.get_json()["hits"]
    page = client.get("/", query_string={"q": "social insurance"})
    assert page.status_code == 200 and '<article class="hit"' in page.get_data(as_text=True)
    health = client.get("/api/health").get_json()
    assert health["ok"] and health["healthy"] and health["chunks"] == 50, health
    assert len(health["set_aside"]) == 1 and health["set_aside"][0].startswith("vectors.")


@pytest.mark.parametrize("kind", VECTOR_DAMAGE)
def test_ingest_over_a_damaged_faiss_file_rebuilds_it(fake_index, tmp_path, kind):
    damage_vectors(current_vectors(fake_index), kind)
    extra = tmp_path / "extra.txt"
    extra.write_text("Zebra crossing safety programme for schoolchildren in Hanoi.", encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([extra]).errors
    result = run_cli(fake_index, "check")
    assert result.exit_code == 0, result.output
    assert "51 passages, 51 with a vector, 51 FAISS rows, 51 FTS rows" in result.output


def test_the_cli_ingest_command_over_an_empty_faiss_file_says_one_line_and_succeeds(fake_index, corpus_copy, caplog):
    damage_vectors(current_vectors(fake_index), "empty")
    with caplog.at_level(logging.WARNING):
        result = run_cli(fake_index, "ingest", "-q", str(corpus_copy))
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert said_once(caplog, current_vectors(fake_index))


# --- the term matrix --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", TERM_DAMAGE)
def test_search_and_the_web_app_survive_a_damaged_term_matrix(matrix_index, caplog, monkeypatch, kind):
    folder = current_terms(matrix_index)
    before = run_cli(matrix_index, "search", "--mode", "keyword", "--json", "social assistance reform")
    damage_terms(folder, kind)
    with caplog.at_level(logging.WARNING):
        after = run_cli(matrix_index, "search", "--mode", "keyword", "--json", "social assistance reform")
    assert after.exit_code == 0
    assert after.output.split('"took_ms"')[0] == before.output.split('"took_ms"')[0]  # FTS5 ranks alike
    assert said_once(caplog, folder)
    finish_restoring()  # the search rebuilt the matrix from the store beside its answer
    assert folder.exists() and set_aside_files(matrix_index.data_dir)
    assert run_cli(matrix_index, "check").exit_code == 0
    damage_terms(folder, kind)
    client = create_app(config=matrix_index).test_client()  # the web app alike, while it serves
    assert client.get("/api/search", query_string={"q": "social assistance"}).status_code == 200
    finish_restoring()
    monkeypatch.setattr("policykb.search.bm25.TERMS_LOOK_AGAIN_SECONDS", 0)  # looked for again at once
    assert folder.exists() and client.get("/api/health").get_json()["healthy"]  # health looks for it, as searches do


def finish_restoring() -> None:
    for thread in threading.enumerate():
        if thread.name == "policykb-restore-terms":
            thread.join()


@pytest.mark.parametrize("kind", TERM_DAMAGE)
def test_ingest_rebuilds_a_damaged_term_matrix_and_check_then_passes(matrix_index, corpus_copy, kind):
    damage_terms(current_terms(matrix_index), kind)
    checked = run_cli(matrix_index, "check")
    assert checked.exit_code == 1 and "terms" in checked.output and "check --repair" in checked.output
    result = run_cli(matrix_index, "ingest", "-q", str(corpus_copy))
    assert result.exit_code == 0, result.output
    assert run_cli(matrix_index, "check").exit_code == 0


# --- policykb check --------------------------------------------------------------------------------
def test_check_passes_on_a_sound_index_and_reports_every_count(fake_index):
    result = run_cli(fake_index, "check")
    assert result.exit_code == 0, result.output
    assert "5 documents; 50 passages, 50 with a vector, 50 FAISS rows, 50 FTS rows" in result.output
    for name in ("sqlite", "counts", "vectors", "terms", "fts"):
        assert any(line.startswith(name) and " ok " in line for line in result.output.splitlines()), name


def _records(config: Config) -> tuple[list, list]:
    with sqlite3.connect(config.db_path) as conn:
        documents = conn.execute("SELECT * FROM documents ORDER BY id").fetchall()
        chunks = conn.execute("SELECT id, doc_id, text, vector FROM chunks ORDER BY id").fetchall()
    return documents, chunks


@pytest.mark.parametrize("kind", VECTOR_DAMAGE)
def test_check_finds_a_damaged_faiss_file_and_repair_rebuilds_it_without_touching_documents(fake_index, kind):
    records = _records(fake_index)
    damage_vectors(current_vectors(fake_index), kind)
    found = run_cli(fake_index, "check")
    assert found.exit_code == 1 and "vectors" in found.output and "run policykb check --repair" in found.output
    repaired = run_cli(fake_index, "check", "--repair")
    assert repaired.exit_code == 0 and "rebuilt vectors." in repaired.output, repaired.output
    assert _records(fake_index) == records
    assert run_cli(fake_index, "check").exit_code == 0


def test_check_finds_missing_and_stray_fts_rows_and_repair_restores_keyword_search(fake_index):
    with sqlite3.connect(fake_index.db_path) as conn:
        chunk_id, text = conn.execute("SELECT id, text FROM chunks ORDER BY id LIMIT 1").fetchone()
        conn.execute("DELETE FROM chunks_fts WHERE rowid = ?", (chunk_id,))
        conn.execute("INSERT INTO chunks_fts (rowid, title, section, body) VALUES (999999, 'x', 'y', 'zanzibarquux')")
    found = run_cli(fake_index, "check", "--json")
    assert found.exit_code == 1 and '"name": "counts", "ok": false' in found.output
    assert run_cli(fake_index, "check", "--repair").exit_code == 0
    with sqlite3.connect(fake_index.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM chunks_fts WHERE rowid = ?", (chunk_id,)).fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM chunks_fts WHERE rowid = 999999").fetchone()[0] == 0
    words = " ".join(text.split()[:6])
    hits = run_cli(fake_index, "search", "--mode", "keyword", "--json", words).output
    assert f'"chunk_id": {chunk_id},' in hits


def test_a_readable_faiss_file_that_holds_too_few_vectors_is_put_right_by_the_first_search(fake_index):
    VectorIndex(FakeEmbedder().dim).save(current_vectors(fake_index))  # valid, and empty
    assert run_cli(fake_index, "check").exit_code == 1
    assert run_cli(fake_index, "search", "--mode", "dense", "social protection").exit_code == 0
    assert run_cli(fake_index, "check").exit_code == 0  # the search saved the rebuilt file in its place


@pytest.mark.parametrize("damaged", [b"\x01\x02", b"\x00" * 4 * 17], ids=["cut short", "another dimension"])
def test_a_damaged_vector_in_the_store_leaves_search_and_ingest_working_and_repair_embeds_it_again(
    fake_index, corpus_copy, damaged
):
    with sqlite3.connect(fake_index.db_path) as conn:
        chunk_id, text = conn.execute("SELECT id, text FROM chunks ORDER BY id LIMIT 1").fetchone()
        conn.execute("UPDATE chunks SET vector = ? WHERE id = ?", (damaged, chunk_id))
    current_vectors(fake_index).unlink()  # so every reader rebuilds FAISS from the stored vectors
    for args in (["search", "--mode", "dense", "social protection"], ["ingest", "-q", str(corpus_copy)]):
        assert run_cli(fake_index, *args).exit_code == 0
    found = run_cli(fake_index, "check")
    assert found.exit_code == 1 and "with a vector" in found.output and "run policykb check --repair" in found.output
    repaired = run_cli(fake_index, "check", "--repair")
    assert "embedded again 1 passage(s) whose stored vector was damaged" in repaired.output, repaired.output
    assert run_cli(fake_index, "check").exit_code == 0
    with sqlite3.connect(fake_index.db_path) as conn:
        (vector,) = conn.execute("SELECT vector FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
    assert vector == FakeEmbedder().embed_documents([_embedding_input(fake_index, chunk_id, text)])[0].tobytes()


def _embedding_input(config: Config, chunk_id: int, text: str) -> str:
    with Store(config.db_path, readonly=True) as store:
        ((_, title, section, _),) = store.chunks_for_embedding([chunk_id])
    return embedding_input(title, Chunk(0, 0, text, section))


def test_a_store_that_is_not_a_database_is_one_line_everywhere_and_health_answers_503(fake_config):
    fake_config.data_dir.mkdir(parents=True)
    fake_config.db_path.write_bytes(b"this is not a database" * 100)
    result = run_cli(fake_config, "check", "--repair")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "restore it from a backup" in result.output
    for command in (["search", "social insurance"], ["ingest", str(fake_config.data_dir)]):
        said = run_cli(fake_config, *command)
        assert said.exit_code == 1 and "store itself is damaged" in said.output and "Traceback" not in said.output
    response = create_app(config=fake_config).test_client().get("/api/health")
    body = response.get_json()
    assert response.status_code == 503 and body["ok"] is False and body["status"] == 503 and body["problems"]


def test_health_reports_a_faiss_file_gone_from_disk_with_its_fix(fake_index):
    client = create_app(config=fake_index).test_client()
    assert client.get("/api/health").get_json()["healthy"]
    current_vectors(fake_index).unlink()
    health = client.get("/api/health").get_json()
    assert health["ok"] and not health["healthy"]
    assert "vectors." in health["problems"][0] and "policykb check --repair" in health["problems"][0]


def test_health_answers_as_its_openapi_description_says(fake_index):
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # schemathesis's validator
    client = create_app(config=fake_index).test_client()
    spec = client.get("/api/openapi.json").get_json()
    schema = spec["paths"]["/api/health"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    damage_vectors(current_vectors(fake_index), "truncated")
    fresh = create_app(config=fake_index).test_client()
    for health in (client.get("/api/health").get_json(), fresh.get("/api/health").get_json()):
        jsonschema_rs.validate(schema, health)
    assert fresh.get("/api/health").get_json()["set_aside"]


def test_repair_embeds_a_damaged_vector_only_with_the_embedder_the_store_was_built_with(fake_index):
    from policykb.errors import EmbedderMismatchError

    class Other(FakeEmbedder):
        name = "other-embedder"

    with sqlite3.connect(fake_index.db_path) as conn:
        conn.execute("UPDATE chunks SET vector = x'0102' WHERE id = (SELECT min(id) FROM chunks)")
    with Indexer(fake_index, Other(), progress=False) as indexer, pytest.raises(EmbedderMismatchError):
        indexer.embed_damaged()
    with Store(fake_index.db_path, readonly=True) as store:
        assert store.meta("embedder") == FakeEmbedder().name and len(store.damaged_vector_ids()) == 1
