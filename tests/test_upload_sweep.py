"""Uploads a crash left in the data folder's uploads/ (no job will ever finish them) are removed when the server
starts; finished uploads, the sources of their documents, stay."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from policykb.config import Config
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.web import create_app
from policykb.web.upload_names import new_upload_path
from policykb.web.upload_sweep import sweep_orphaned_uploads

TOKEN = "s3cret-token"
ROOT = Path(__file__).resolve().parents[1]


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
    assert [p.name for p in sweep_orphaned_uploads(fake_index)] == ["báo cáo.pdf"]
    assert kept.exists() and not crashed.parent.exists() and not never_written.exists()


def test_without_an_index_every_upload_is_an_orphan(fake_config: Config):
    uploads = fake_config.data_dir / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "left.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in sweep_orphaned_uploads(fake_config)] == ["left.txt"]


def test_nothing_is_swept_while_the_store_cannot_be_read(fake_config: Config):
    uploads = fake_config.data_dir / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "left.txt").write_text("x", encoding="utf-8")
    fake_config.db_path.write_bytes(b"not a database" * 100)
    assert sweep_orphaned_uploads(fake_config) == [] and (uploads / "left.txt").exists()


# --- a real server killed mid-upload ------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(config: Config, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "POLICYKB_EMBEDDER": "fake",
        "POLICYKB_ADMIN_TOKEN": TOKEN,
    }
    command = [sys.executable, "-m", "policykb.cli", "--data", str(config.data_dir), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError(f"the server did not start: {server.stderr.read().decode()}")


def _big_upload(words: int = 400_000) -> bytes:
    """A text long enough that its ingest is still running when the server is killed: every sentence distinct, so
    that no vector is reused."""
    return "\n\n".join(
        f"Clause {i}: the agency number {i} reports on programme {i * 7} yearly." for i in range(words // 10)
    ).encode()


def test_a_server_killed_mid_upload_restarts_with_the_index_intact_and_the_orphan_gone(fake_index: Config):
    port = _free_port()
    server = _serve(fake_index, port)
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
    orphans = list((fake_index.data_dir / "uploads").glob("*/*"))  # each upload in a folder of its own
    assert [path.name for path in orphans] == ["big.txt"]
    with Store(fake_index.db_path, readonly=True) as store:
        if store.document_for_source(str(orphans[0].resolve())) is not None:
            pytest.skip("the upload's ingest finished before the kill; nothing was left to sweep")
    server = _serve(fake_index, port)
    try:
        assert list((fake_index.data_dir / "uploads").iterdir()) == []
        health = requests.get(f"{base}/api/health", timeout=5).json()
        assert health["ok"] and health["healthy"] and health["chunks"] == 50
        hits = requests.get(f"{base}/api/search", params={"q": "social insurance"}, timeout=30).json()["hits"]
        assert hits
    finally:
        server.terminate()
        stderr = server.communicate(timeout=30)[1].decode()
    assert "removed 1 upload(s)" in stderr and orphans[0].name in stderr
