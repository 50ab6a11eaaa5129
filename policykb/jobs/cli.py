"""`policykb worker` (do queued ingest jobs) and `policykb jobs` (list them); registered on the main group."""

from __future__ import annotations

import signal
import threading
import time

import click

from policykb.cli_options import json_option, pass_config, print_json
from policykb.config import MIN_JOB_LEASE, Config
from policykb.errors import IndexNotReadyError
from policykb.store import INIT_HINT, Store


@click.command("worker")
@click.option("--until-empty", is_flag=True, help="Stop once no job is waiting, instead of waiting for more.")
@click.option(
    "--lease",
    type=click.FloatRange(min=MIN_JOB_LEASE, max=24 * 3600),
    help="Seconds this worker may go silent before another takes its job (default: POLICYKB_JOB_LEASE).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="Cores the model embeds on (default: two at most); with several workers on a machine, its cores shared out.",
)
@pass_config
def worker(config: Config, until_empty: bool, lease: float | None, threads: int | None) -> None:
    """Ingest queued jobs (uploads, `policykb ingest --queue`), one at a time, until stopped.

    Any number of workers on the machine that holds the data folder share the queue (SQLite's locks do not hold over
    a network file system); a job is held by one worker at a time. A worker that dies mid-job (killed, out of memory) leaves its job to be taken again when
    its lease runs out; nothing is half-written. SIGTERM or Ctrl-C: stop after the current job.
    Examples: policykb worker
              POLICYKB_UPLOAD_WORKER=off policykb serve   (with workers running beside it)
    """
    from policykb.jobs.worker import Worker

    if not config.db_path.exists():
        raise IndexNotReadyError(f"no index at {config.data_dir}: {INIT_HINT}")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    doing = Worker(config, lease=lease)
    if threads is not None:
        doing.embedder.use_threads(threads)
    click.echo(f"worker {doing.name}: waiting for jobs in {config.data_dir}", err=True)
    done = doing.run(stop, until_empty=until_empty)
    click.echo(f"worker {doing.name}: {done} job(s) done", err=True)


@click.command("jobs")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@json_option
@pass_config
def jobs(config: Config, limit: int, as_json: bool) -> None:
    """The latest ingest jobs, newest first: state, progress, attempts, the worker that holds them, and errors.

    Example: policykb jobs --limit 10
    """
    if not config.db_path.exists():
        raise IndexNotReadyError(f"no index at {config.data_dir}: {INIT_HINT}")
    with Store(config.db_path, readonly=True) as store:
        rows = store.recent_jobs(limit)
    if as_json:
        print_json({"ok": True, "jobs": [job.to_json(operator=True) for job in rows]})
        return
    for job in rows:
        age = time.time() - job.created_at
        click.echo(
            f"{job.id}  {job.state:<7} {job.stage or '-':<9} {job.done}/{job.total}  attempts {job.attempts}  "
            f"{job.worker or '-'}  {age:.0f} s ago  {job.filename}"
        )
        for error in job.errors:
            click.echo(f"    error: {error}")
