"""A full disk (or another refused write) at ingest or upload: one line naming the file, the cause and the fix, never a
traceback; the index stays as it was; an upload gets a 507 in the JSON error shape and leaves no partial file."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np
import pytest
from click.testing import CliRunner
from werkzeug.datastructures import FileStorage

from policykb.cli import main
from policykb.config import Config
from policykb.errors import StorageError
from policykb.ingest.indexer import Indexer
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.web import create_app

TOKEN = "s3cret-token"
FULL = "no space left on device while writing"
FIX = "free space and run the command again; nothing already indexed was changed"


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def run_cli(config: Config, *args: str):
    env = {"POLICYKB_EMBEDDER": "fake", "POLICYKB_TERM_MATRIX_THRESHOLD": str(config.term_matrix_threshold)}
    return CliRunner().invoke(main, ["--data", str(config.data_dir), *args], env=env)


def new_file(folder: Path, words: int = 40) -> Path:
    path = folder / "extra.txt"
    path.write_text("Zebra crossing safety programme for schoolchildren in Hanoi. " * words, encoding="utf-8")
    return path


def documents(config: Config) -> int:
    with Store(config.db_path, readonly=True) as store:
        return store.count_documents()


# --- ingest ---------------------------------------------------------------------------------------
def test_ingest_when_the_faiss_write_hits_a_full_disk_says_one_line_and_search_goes_on(
    fake_index, tmp_path, monkeypatch
):
    monkeypatch.setattr(faiss, "write_index", no_space)
    result = run_cli(fake_index, "ingest", "-q", str(new_file(tmp_path)))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert FULL in result.output and "vectors." in result.output and FIX in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not list(fake_index.data_dir.glob("vectors.*.tmp"))
    monkeypatch.undo()
    assert run_cli(fake_index, "search", "--mode", "dense", "zebra crossing").exit_code == 0
    assert run_cli(fake_index, "check", "--repair").exit_code == 0


def test_ingest_when_the_term_matrix_write_hits_a_full_disk_says_one_line(fake_index, tmp_path, monkeypatch):
    config = dataclasses.replace(fake_index, term_matrix_threshold=1)
    monkeypatch.setattr(np, "save", no_space)
    result = run_cli(config, "ingest", "-q", str(new_file(tmp_path)))
    assert result.exit_code == 1 and FULL in result.output and "terms." in result.output and FIX in result.output
    assert not [p for p in config.data_dir.iterdir() if p.name.endswith(".tmp")]


def test_a_short_write_of_the_term_matrix_on_a_nearly_full_disk_is_the_full_disk_it_is(
    fake_index, tmp_path, monkeypatch
):
    def short_write(*args, **kwargs):  # NumPy's own words when the disk takes only part of an array
        raise OSError("15579 requested and 7664 written")

    config = dataclasses.replace(fake_index, term_matrix_threshold=1)
    monkeypatch.setattr(np, "save", short_write)
    monkeypatch.setattr("policykb.disk.NEARLY_FULL_BYTES", 2**62)  # every disk is nearly full
    result = run_cli(config, "ingest", "-q", str(new_file(tmp_path)))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"error: {FULL} ") and "terms." in result.output and FIX in result.output


def test_ingest_when_sqlite_reports_a_full_disk_says_so_and_the_cause_is_not_hidden(fake_index, tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "replace_document", full)
    before = documents(fake_index)
    for _ in range(2):  # the second run once said "cannot rollback - no transaction is active"
        result = run_cli(fake_index, "ingest", "-q", str(new_file(tmp_path)))
        assert result.exit_code == 1 and FULL in result.output and str(fake_index.db_path) in result.output
        assert "rollback" not in result.output and "Traceback" not in result.output
    monkeypatch.undo()
    assert documents(fake_index) == before
    assert run_cli(fake_index, "check").exit_code == 0


def test_a_real_sqlite_full_database_rolls_back_the_document_and_keeps_the_index(fake_index, tmp_path):
    with Indexer(fake_index, FakeEmbedder(), progress=False) as indexer:
        pages = indexer.store.conn.execute("PRAGMA page_count").fetchone()[0]
        indexer.store.conn.execute(f"PRAGMA max_page_count = {pages + 1}")  # SQLite's own SQLITE_FULL
        with pytest.raises(StorageError) as raised:
            indexer.ingest([new_file(tmp_path, words=4000)])
        assert str(raised.value).startswith(f"no space left on device while writing {fake_index.db_path}")
        assert not indexer.store.conn.in_transaction
    assert documents(fake_index) == 5
    assert run_cli(fake_index, "check").exit_code == 0


def test_a_transaction_that_sqlite_already_rolled_back_raises_its_cause(fake_config):
    with Store(fake_config.db_path) as store:
        with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
            with store.transaction() as conn:
                conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
                conn.execute("ROLLBACK")  # as SQLite does by itself on some full-disk errors
                raise sqlite3.OperationalError("database or disk is full")
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            with store.transaction():
                with store.transaction() as conn:  # a savepoint inside
                    conn.execute("ROLLBACK")
                    raise sqlite3.OperationalError("database or disk is full")
        assert store.meta("x") is None and not store.conn.in_transaction


# --- uploads --------------------------------------------------------------------------------------
@pytest.fixture
def client(fake_index):
    return create_app(config=dataclasses.replace(fake_index, admin_token=TOKEN)).test_client()


def half_then_full(self, dst, buffer_size=16384):
    Path(dst).write_bytes(b"partial")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_an_upload_on_a_full_disk_is_a_507_in_the_error_shape_and_leaves_no_file(client, fake_index, monkeypatch):
    monkeypatch.setattr(FileStorage, "save", half_then_full)
    response = client.post(
        "/api/docs",
        data={"file": (io.BytesIO(b"Zebra crossing safety."), "zebra.txt")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    body = response.get_json()
    assert response.status_code == 507 and body["ok"] is False and body["status"] == 507
    # The server's own folders are not the client's business: the data folder is said as DATA.
    assert body["error"].startswith(f"{FULL} DATA/uploads/") and "upload the file again" in body["error"]
    assert str(fake_index.data_dir) not in body["error"]
    assert list((fake_index.data_dir / "uploads").iterdir()) == []


def test_the_upload_page_on_a_full_disk_says_so_with_a_507(client, fake_index, monkeypatch):
    monkeypatch.setattr(FileStorage, "save", half_then_full)
    page = client.get("/upload").get_data(as_text=True)
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post("/upload", data={"csrf": csrf, "token": TOKEN, "file": (io.BytesIO(b"Zebra."), "z.txt")})
    assert response.status_code == 507 and "no space left on device" in response.get_data(as_text=True)
    assert list((fake_index.data_dir / "uploads").iterdir()) == []


# --- a real full file system ------------------------------------------------------------------------
@pytest.fixture
def tiny_disk(tmp_path) -> Iterator[Path]:
    """A 4 MB tmpfs (the bundled corpus's index and its write-ahead log take about 2.7 MB), where the machine lets the
    test mount one (root, and mount allowed in this container)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"this container cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the file system `folder` is on. Unbuffered: a buffered file would keep the bytes that did
    not fit and fail again on closing."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        try:
            while handle.write(b"\0" * 65536):
                pass
        except OSError:
            pass
    return filler


def test_ingest_and_upload_on_a_really_full_file_system(tiny_disk, corpus_copy, tmp_path):
    config = Config.from_env(data_dir=tiny_disk / "data", embedder="fake", admin_token=TOKEN)
    assert run_cli(config, "ingest", "-q", str(corpus_copy)).exit_code == 0
    filler = fill(tiny_disk)
    result = run_cli(config, "ingest", "-q", str(new_file(tmp_path, words=4000)))
    assert result.exit_code == 1 and "no space left on device while writing" in result.output, result.output
    assert FIX in result.output and "Traceback" not in result.output
    response = (
        create_app(config=config)
        .test_client()
        .post(
            "/api/docs",
            data={"file": (io.BytesIO(b"Zebra crossing safety. " * 20000), "zebra.txt")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    )
    assert response.status_code == 507 and response.get_json()["error"].startswith("no space left on device")
    assert [p for p in (config.data_dir / "uploads").iterdir()] == []
    assert run_cli(config, "search", "--mode", "keyword", "social insurance").exit_code == 0  # still searchable
    filler.unlink()
    assert run_cli(config, "ingest", "-q", str(tmp_path / "extra.txt")).exit_code == 0
    checked = run_cli(config, "check")
    assert checked.exit_code == 0 and "6 documents" in checked.output, checked.output


@pytest.mark.parametrize(
    ("data_dir", "message", "told"),
    [
        (
            "/srv/pkb/data",
            "no space left on device while writing /srv/pkb/data/uploads/a.txt — x",
            "writing DATA/uploads/a.txt",
        ),
        ("/srv/pkb/data", "the index at /srv/pkb/data is empty.", "the index at DATA is empty."),
        ("/srv/pkb/data", "/srv/pkb/data2/x is another folder", "/srv/pkb/data2/x is another folder"),
        ("data", "the metadata of 'data' in data/policykb.sqlite3", "the metadata of 'data' in DATA/policykb.sqlite3"),
        (".", "a.pdf: read again. ./uploads/z", "a.pdf: read again. DATA/uploads/z"),
    ],
)
def test_the_web_app_says_the_data_folder_as_data_only_where_a_path_names_it(data_dir, message, told):
    from policykb.web.error_shape import said

    assert told in said(message, Path(data_dir))


def test_a_command_that_opens_the_store_to_write_on_a_full_disk_says_one_line(fake_index, monkeypatch):
    def full(*args, **kwargs):  # SQLite setting the journal mode of a store on a full disk
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("policykb.store.base._connect", full)
    for command in (["collections", "add", "minutes"], ["brief", "new", "Notes"]):
        result = run_cli(fake_index, *command)
        assert result.exit_code == 1 and result.output.startswith(f"error: {FULL} ") and FIX in result.output


def test_an_upload_whose_search_files_hit_a_full_disk_keeps_its_document_and_original(fake_index, monkeypatch):
    config = dataclasses.replace(fake_index, admin_token=TOKEN, term_matrix_threshold=1)
    client = create_app(config=config).test_client()
    monkeypatch.setattr(np, "save", no_space)  # the term matrix, written after the document's commit
    response = client.post(
        "/api/docs",
        data={"file": (io.BytesIO(b"Zebra crossing safety for schoolchildren. " * 50), "zebra.txt")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    job_url = f"/api/jobs/{response.get_json()['job']['id']}"
    while (job := client.get(job_url, headers={"Authorization": f"Bearer {TOKEN}"}).get_json()["job"])["state"] in (
        "queued",
        "running",
    ):
        time.sleep(0.05)
    assert job["state"] == "done" and job["doc_id"], job
    assert FULL in job["errors"][0] and "DATA/terms." in job["errors"][0]
    original = client.get(f"/doc/{job['doc_id']}/original", headers={"Authorization": f"Bearer {TOKEN}"})
    assert original.status_code == 200 and b"Zebra crossing" in original.data


def test_an_os_error_without_a_number_on_a_disk_with_room_is_not_called_a_full_disk(tmp_path):
    from policykb.disk import writing

    with pytest.raises(OSError, match="not the disk's doing"), writing(tmp_path / "x"):
        raise OSError("not the disk's doing")
