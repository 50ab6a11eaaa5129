"""Ingest jobs in the store: each taken by one worker at a time, taken again when its worker's lease runs out, failed
after MAX_ATTEMPTS; workers ingest them and record the outcome; `ingest --queue` queues a bulk ingest file by file."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from processes import TOKEN, free_port, policykb, serve

from policykb.cli import main
from policykb.config import Config
from policykb.errors import NotFoundError
from policykb.glossary import Glossary
from policykb.ingest import parse_file
from policykb.ingest.indexer import Indexer
from policykb.jobs.queue import queue_files
from policykb.jobs.worker import Worker
from policykb.search.embedder import FakeEmbedder
from policykb.store import Store
from policykb.store.jobs import MAX_ATTEMPTS
from policykb.store.postgres.connect import connect
from policykb.store.postgres.jobs import PostgresJobs
from policykb.store.postgres.schema import migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def open_queue(request, fake_config: Config):
    """Opens a new connection to the job queue: the embedded store's, or PostgreSQL's (a new database each test)."""
    if request.param == "sqlite":
        Store(fake_config.db_path).close()
        return lambda: Store(fake_config.db_path)
    url = request.getfixturevalue("postgresql_url")
    with connect(url, vectors=False) as conn:
        migrate(conn, 8)
        conn.commit()
    return lambda: PostgresJobs(url)


@pytest.fixture
def store(open_queue):
    with open_queue() as opened:
        yield opened


def _queue(store: Store, count: int) -> list[str]:
    ids = [f"job{n:03d}" for n in range(count)]
    for job_id in ids:
        store.add_job(job_id, f"/files/{job_id}.txt", f"{job_id}.txt", "public")
    return ids


def test_workers_take_the_oldest_job_first_and_never_the_same_one(open_queue, store: Store):
    ids = _queue(store, 60)
    taken: list[tuple[str, str]] = []

    def take(worker: str) -> None:
        with open_queue() as own:
            while (job := own.take_job(worker, lease=60)[0]) is not None:
                taken.append((worker, job.id))

    threads = [threading.Thread(target=take, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(job_id for _, job_id in taken) == ids  # each once
    assert [job_id for worker, job_id in taken if worker == "w0"] == sorted(
        job_id for worker, job_id in taken if worker == "w0"
    )
    assert all(job.state == "running" and job.attempts == 1 for job in store.recent_jobs())


def test_a_job_whose_worker_went_silent_is_taken_again_and_the_silent_worker_can_no_longer_record_it(store: Store):
    _queue(store, 1)
    first, _ = store.take_job("a", lease=0.2)
    assert store.take_job("b", lease=0.2) == (None, [])  # held, and a's lease has not run out
    time.sleep(0.3)
    again, _ = store.take_job("b", lease=0.2)
    assert again.id == first.id and again.worker == "b" and again.attempts == 2
    assert not store.renew_job(first.id, "a", "embedding", 1, 2)
    ran = []
    assert not store.finish_job(first.id, "a", ("done", "doc", []), ("embedding", 2, 2), then=ran.append)
    assert ran == []  # what goes with the outcome (an upload's audit entry) is written once, by the holder
    assert store.finish_job(first.id, "b", ("done", "doc", []), ("embedding", 2, 2), then=ran.append)
    assert ran == [store]
    assert store.job(first.id).state == "done" and store.job(first.id).done == 2


def test_a_job_abandoned_max_attempts_times_fails_naming_the_cause(store: Store):
    _queue(store, 1)
    for attempt in range(MAX_ATTEMPTS):
        assert store.take_job(f"w{attempt}", lease=0.05)[0].attempts == attempt + 1
        time.sleep(0.1)
    taken, [given_up] = store.take_job("last", lease=0.05)
    job = store.recent_jobs()[0]
    assert taken is None and given_up == job
    assert job.state == "failed" and f"stopped {MAX_ATTEMPTS} times" in job.errors[0]
    assert "policykb ingest FILE" in job.errors[0]


def test_a_renewed_lease_keeps_the_job_and_records_its_progress(store: Store):
    _queue(store, 1)
    job, _ = store.take_job("a", lease=0.3)
    for _ in range(4):
        time.sleep(0.1)
        assert store.renew_job(job.id, "a", "embedding", 3, 9)
    assert store.take_job("b", lease=0.3) == (None, [])
    assert (store.job(job.id).stage, store.job(job.id).done, store.job(job.id).total) == ("embedding", 3, 9)


def test_an_upload_given_up_on_loses_its_file(fake_config: Config, tmp_path: Path):
    uploaded = tmp_path / "uploads" / "u1" / "crashes-workers.txt"
    uploaded.parent.mkdir(parents=True)
    uploaded.write_text("Text.", encoding="utf-8")
    with Store(fake_config.db_path) as store:
        store.add_job("up", str(uploaded), uploaded.name, "public", upload=True)
        for attempt in range(MAX_ATTEMPTS):
            store.take_job(f"killed{attempt}", lease=0.05)
            time.sleep(0.1)
    assert Worker(fake_config, FakeEmbedder(), lease=0.05).run_next() is None
    assert not uploaded.exists() and not uploaded.parent.exists()


def test_two_sources_planned_under_one_id_at_once_are_both_kept(fake_config: Config, tmp_path: Path):
    """Two workers ingesting x/report.txt and y/report.txt at once both plan the id "report"; the second write finds
    it taken under the write lock and stores its document under another id."""
    with Indexer(fake_config, FakeEmbedder(), progress=False) as indexer:
        for folder in ("x", "y"):
            (tmp_path / folder).mkdir()
            (tmp_path / folder / "report.txt").write_text(f"The {folder} walrus fund report.", encoding="utf-8")
        planned = indexer.store.new_document_id("report")
        docs = [parse_file(tmp_path / folder / "report.txt", Glossary([])) for folder in ("x", "y")]
        stored = [
            indexer.store.replace_document(
                planned,
                doc,
                ["h"] * len(doc.chunks),
                FakeEmbedder().embed_documents([chunk.text for chunk in doc.chunks]),
            )
            for doc in docs
        ]
        assert stored == ["report", "report-2"]
        assert {Path(d.source).parent.name for d in indexer.store.list_documents()} == {"x", "y"}


def test_a_lease_shorter_than_five_seconds_or_not_a_number_is_refused_in_one_line(monkeypatch):
    for raw in ("0", "-5", "nan", "inf", "1"):
        monkeypatch.setenv("POLICYKB_JOB_LEASE", raw)
        with pytest.raises(SystemExit, match="POLICYKB_JOB_LEASE=.* — set it to 5 seconds or more"):
            Config.from_env()


def test_a_worker_ingests_a_queued_file_and_records_its_document(fake_config: Config, tmp_path: Path):
    source = tmp_path / "walrus.txt"
    source.write_text("The walrus fund pays social workers in each district.\n\n" * 40, encoding="utf-8")
    with Indexer(fake_config, FakeEmbedder(), progress=False):
        pass  # an empty store to queue into
    with Store(fake_config.db_path) as store:
        queued, errors = queue_files(store, [tmp_path], "public")
    assert [job.filename for job in queued] == ["walrus.txt"] and not errors
    worker = Worker(fake_config, FakeEmbedder(), name="solo")
    assert worker.run(threading.Event(), until_empty=True) == 1
    with Store(fake_config.db_path, readonly=True) as store:
        job = store.job(queued[0].id)
        assert job.state == "done" and job.worker == "solo" and not job.errors
        assert store.document_for_source(str(source.resolve()))[0] == job.doc_id
        assert job.stage == "embedding" and job.done == job.total > 0
        assert store.audit_entries() == []  # a queued bulk ingest is the operator's, not an upload
    assert source.exists()


def test_a_failed_job_removes_an_uploaded_file_but_never_a_file_of_the_users_own(fake_config: Config, tmp_path: Path):
    own, uploaded = tmp_path / "own.pdf", tmp_path / "uploads" / "u1" / "up.pdf"
    uploaded.parent.mkdir(parents=True)
    for broken in (own, uploaded):
        broken.write_bytes(b"%PDF-1.4 cut short")
    with Store(fake_config.db_path) as store:
        store.add_job("own", str(own), own.name, "public")
        store.add_job("up", str(uploaded), uploaded.name, "public", upload=True, user=(7, "lan"), address="10.0.0.9")
    Worker(fake_config, FakeEmbedder()).run(threading.Event(), until_empty=True)
    with Store(fake_config.db_path, readonly=True) as store:
        for job_id in ("own", "up"):
            job = store.job(job_id)
            assert job.state == "failed" and job.doc_id is None and job.errors and "pdf" in job.errors[0].lower(), job
    assert own.exists() and not uploaded.exists() and not uploaded.parent.exists()


def test_an_uploads_document_gets_its_uploaders_audit_entry(fake_config: Config, tmp_path: Path):
    uploaded = tmp_path / "uploads" / "u1" / "quokka.txt"
    uploaded.parent.mkdir(parents=True)
    uploaded.write_text("Quokka programme for older people.", encoding="utf-8")
    with Store(fake_config.db_path) as store:
        store.add_job("up", str(uploaded), "quokka.txt", "public", upload=True, user=(7, "lan"), address="10.0.0.9")
    Worker(fake_config, FakeEmbedder()).run(threading.Event(), until_empty=True)
    with Store(fake_config.db_path, readonly=True) as store:
        [entry] = store.audit_entries()
        assert (entry.user_id, entry.user_name, entry.address, entry.action) == (
            7,
            "lan",
            "10.0.0.9",
            "document.upload",
        )
        assert entry.target == store.job("up").doc_id and entry.detail == {"collection": "public", "file": "quokka.txt"}


def test_queueing_into_a_collection_that_does_not_exist_queues_nothing(fake_config: Config, tmp_path: Path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    with Store(fake_config.db_path) as store:
        with pytest.raises(NotFoundError, match="no collection 'minutes' to ingest into"):
            queue_files(store, [tmp_path], "minutes")
        assert store.recent_jobs() == []


# --- real processes: two servers and two workers on one data folder, one worker killed mid-job ---------
def _upload(port: int, name: str, body: bytes) -> str:
    response = requests.post(
        f"http://127.0.0.1:{port}/api/docs",
        files={"file": (name, body, "text/plain")},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    return response.json()["job"]["id"]


def _long_text(tag: str, lines: int = 30_000) -> bytes:
    """Long enough that a worker is caught mid-job; every line distinct, so that nothing is reused."""
    return "\n\n".join(
        f"Clause {i}: the {tag} agency number {i} reports on programme {i * 7}." for i in range(lines)
    ).encode()


def _kill_mid_job(config: Config, worker: subprocess.Popen) -> str | None:
    """Stop `worker` while it holds a job and kill it (-9) there; the job it held, or None if it held none in time."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with Store(config.db_path, readonly=True) as store:
            held = [job for job in store.recent_jobs() if job.state == "running" and f":{worker.pid}:" in job.worker]
        if held:
            worker.send_signal(signal.SIGSTOP)
            with Store(config.db_path, readonly=True) as store:
                job = store.job(held[0].id)
            if job.state == "running" and f":{worker.pid}:" in job.worker:
                worker.kill()
                return job.id
            worker.send_signal(signal.SIGCONT)
        time.sleep(0.05)
    return None


def test_two_workers_and_two_servers_share_the_queue_and_a_killed_workers_job_completes_on_the_other(
    fake_index: Config,
):
    ports = [free_port(), free_port()]
    servers = [serve(fake_index, port, POLICYKB_UPLOAD_WORKER="off") for port in ports]
    workers = [policykb(fake_index, "worker") for _ in range(2)]
    try:
        names = [f"report-{tag}.txt" for tag in ("walrus", "quokka", "narwhal", "pangolin")]
        job_ids = [_upload(ports[0], name, _long_text(name[7:-4])) for name in names]
        killed = _kill_mid_job(fake_index, workers[0])
        assert killed is not None, "the first worker never held a job"
        deadline = time.monotonic() + 240
        jobs = {}
        while time.monotonic() < deadline:
            jobs = {
                job_id: requests.get(f"http://127.0.0.1:{ports[1]}/api/jobs/{job_id}", timeout=5).json()["job"]
                for job_id in job_ids
            }
            if all(job["state"] not in ("queued", "running") for job in jobs.values()):
                break
            time.sleep(0.2)
        assert all(job["state"] == "done" and not job["errors"] for job in jobs.values()), jobs
        assert jobs[killed]["attempts"] == 2 and "worker" not in jobs[killed]  # web users see no host or process
        with Store(fake_index.db_path, readonly=True) as store:
            assert f":{workers[1].pid}:" in store.job(killed).worker
        for name, job_id in zip(names, job_ids):
            hits = requests.get(
                f"http://127.0.0.1:{ports[1]}/api/search", params={"q": f"{name[7:-4]} agency number 1234"}, timeout=30
            ).json()["hits"]
            assert hits[0]["doc_id"] == jobs[job_id]["doc_id"], name
    finally:
        for process in [*servers, *workers]:
            process.send_signal(signal.SIGCONT)
            process.terminate()
        for process in [*servers, *workers]:
            process.communicate(timeout=60)
    with Store(fake_index.db_path, readonly=True) as store:
        sources = [Path(row.source).name for row in store.list_documents()]
        assert sorted(name for name in sources if name.startswith("report-")) == sorted(names)  # each once
    checked = policykb(fake_index, "check")
    assert checked.wait(timeout=120) == 0, checked.stderr.read().decode()


def test_the_workers_benchmark_ingests_every_file_with_one_and_with_two_workers(fake_config: Config, tmp_path: Path):
    result = CliRunner(env={"POLICYKB_EMBEDDER": "fake"}).invoke(
        main,
        ["--data", str(fake_config.data_dir), "bench", "workers", "--files", "3", "--pages", "1", "--rounds", "1"]
        + ["--ray", "--work-dir", str(tmp_path), "--json"],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    workers, through_ray = figures["runs"][:2], figures["runs"][2]
    assert [run["workers"] for run in workers] == [1, 2]
    assert all(run["jobs_done"] == run["jobs"] == 3 and run["passages"] > 3 for run in workers)
    assert through_ray["ray"] == "local" and through_ray["passages"] == workers[0]["passages"]
    assert figures["speedup"] > 0 and list(tmp_path.iterdir()) == []  # its files and data folders removed
