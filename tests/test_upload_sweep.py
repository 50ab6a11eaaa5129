"""Uploads a crash left in the data folder's uploads/ (no job will ever finish them) are removed when the server
starts; finished uploads, the sources of their documents, stay, and so do uploads whose job waits for a worker: a
server killed mid-upload finishes it when it starts again."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

import pytest
import requests
from processes import TOKEN, free_port, serve

from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.web import create_app
from policykb.web.upload_names import new_upload_path
from policykb.web.upload_sweep import sweep_orphaned_uploads


def _settle(uploads: Path) -> None:
    """Date every file and folder of uploads/ an hour back: older than any upload another server is queueing."""
    hour_ago = time.time() - 3600
    for path in [*uploads.rglob("*"), uploads]:
        os.utime(path, (hour_ago, hour_ago))


def test_an_upload_saved_in_the_last_minutes_is_left_for_the_server_about_to_queue_it(fake_config: Config):
    uploads = fake_config.data_dir / "uploads"
    just_saved = new_upload_path(uploads, "mới.txt")
    just_saved.write_text("x", encoding="utf-8")
    assert sweep_orphaned_uploads(fake_config) == [] and just_saved.exists()
    _settle(uploads)
    assert sweep_orphaned_uploads(fake_config) == [just_saved] and not just_saved.parent.exists()


def test_start_up_removes_uploads_no_document_came_from_and_keeps_the_others(fake_index: Config, caplog):
    uploads = fake_index.data_dir / "uploads"
    uploads.mkdir()
    kept = uploads / "1234abcd-kept.txt"
    kept.write_text("Quokka programme for older people.", encoding="utf-8")
    kept.with_name(kept.name + ".meta.json").write_text('{"title": "Quokka"}', encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([kept]).errors
    (uploads / "5678dcba-crashed.pdf").write_bytes(b"%PDF-1.4 half")
    (uploads / "9999eeee-empty.txt").write_bytes(b"")
    _settle(uploads)
    with caplog.at_level(logging.WARNING):
        create_app(config=fake_index)
    assert sorted(p.name for p in uploads.iterdir()) == ["1234abcd-kept.txt", "1234abcd-kept.txt.meta.json"]
    sweeps = [r.getMessage() for r in caplog.records if r.name == "policykb.web.upload_sweep"]
    assert len(sweeps) == 1 and "5678dcba-crashed.pdf" in sweeps[0] and "9999eeee-empty.txt" in sweeps[0]
    assert sweep_orphaned_uploads(fake_index) == []


def test_uploads_in_folders_of_their_own_are_swept_with_their_folder_and_kept_when_a_document_came_from_them(
    fake_index: Config,
):
    uploads = fake_index.data_dir / "uploads"
    kept = new_upload_path(uploads, "Nghị quyết 68.txt")
    kept.write_text("Quokka programme for older people.", encoding="utf-8")
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        assert not indexer.ingest([kept]).errors
    crashed = new_upload_path(uploads, "báo cáo.pdf")
    crashed.write_bytes(b"%PDF-1.4 half")
    never_written = new_upload_path(uploads, "x.txt").parent
    _settle(uploads)
    assert [p.name for p in sweep_orphaned_uploads(fake_index)] == ["báo cáo.pdf"]
    assert kept.exists() and not crashed.parent.exists() and not never_written.exists()


def test_the_file_of_a_job_still_waiting_for_a_worker_is_not_swept(fake_index: Config):
    uploads = fake_index.data_dir / "uploads"
    waiting = new_upload_path(uploads, "chờ.txt")
    waiting.write_text("Quokka programme for older people.", encoding="utf-8")
    with Store(fake_index.db_path) as store:
        store.add_job("j1", str(waiting.resolve()), waiting.name, "public", upload=True)
    _settle(uploads)
    assert sweep_orphaned_uploads(fake_index) == [] and waiting.exists()


def test_without_an_index_every_upload_is_an_orphan(fake_config: Config):
    uploads = fake_config.data_dir / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "left.txt").write_text("x", encoding="utf-8")
    _settle(uploads)
    assert [p.name for p in sweep_orphaned_uploads(fake_config)] == ["left.txt"]


def test_nothing_is_swept_while_the_store_cannot_be_read(fake_config: Config):
    uploads = fake_config.data_dir / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "left.txt").write_text("x", encoding="utf-8")
    fake_config.db_path.write_bytes(b"not a database" * 100)
    _settle(uploads)
    assert sweep_orphaned_uploads(fake_config) == [] and (uploads / "left.txt").exists()


# --- a real server killed mid-upload ------------------------------------------------------------------
def _big_upload(words: int = 400_000) -> bytes:
    """A text long enough that its ingest is still running when the server is killed: every sentence distinct, so
    that no vector is reused."""
    return "\n\n".join(
        f"Clause {i}: the agency number {i} reports on programme {i * 7} yearly." for i in range(words // 10)
    ).encode()


def test_a_server_killed_mid_upload_restarts_and_finishes_the_upload_once_its_lease_runs_out(fake_index: Config):
    port = free_port()
    server = serve(fake_index, port)
    base = f"http://127.0.0.1:{port}"
    try:
        response = requests.post(
            f"{base}/api/docs",
            files={"file": ("big.txt", _big_upload(), "text/plain")},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        )
        assert response.status_code == 202, response.text
        job_url = base + response.json()["status_url"]
        while requests.get(job_url, timeout=5).json()["job"]["state"] == "queued":
            time.sleep(0.02)
        os.kill(server.pid, signal.SIGKILL)  # mid-job: the upload is saved, its document not yet written
    finally:
        server.kill()
        server.wait(timeout=30)
    uploads = list((fake_index.data_dir / "uploads").glob("*/*"))  # each upload in a folder of its own
    assert [path.name for path in uploads] == ["big.txt"]
    with Store(fake_index.db_path, readonly=True) as store:
        if store.document_for_source(str(uploads[0].resolve())) is not None:
            pytest.skip("the upload's ingest finished before the kill; nothing was left to take over")
    server = serve(fake_index, port)
    try:
        deadline = time.monotonic() + 120
        # The server's own worker is a thread: while it parses the big file, a request may wait for the interpreter.
        while (job := requests.get(job_url, timeout=60).json()["job"])["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        assert job["state"] == "done" and job["attempts"] == 2 and not job["errors"], job
        assert list((fake_index.data_dir / "uploads").glob("*/*")) == uploads  # now its document's source
        health = requests.get(f"{base}/api/health", timeout=5).json()
        assert health["ok"] and health["healthy"] and health["chunks"] > 50
        hits = requests.get(f"{base}/api/search", params={"q": "agency number 4321"}, timeout=30).json()["hits"]
        assert hits[0]["doc_id"] == job["doc_id"]
    finally:
        server.terminate()
        server.communicate(timeout=30)
