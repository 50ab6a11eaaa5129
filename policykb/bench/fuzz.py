"""Property-based fuzzing of the JSON API: schemathesis generates requests from /api/openapi.json (valid and invalid,
operation by operation and as chains of calls) and sends them to the app in-process; every answer is checked.

The checks: no HTTP 500, status codes, content types and bodies as the OpenAPI document declares them, and every error
in the API's one error shape (policykb.web.error_shape). `fuzz_api` counts what it ran and lists what failed; the tests
(tests/test_fuzz_api.py) and `policykb bench fuzz` both call it. schemathesis is a development dependency, imported here
only.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from policykb.config import DEFAULT_CORPUS_DIR, Config

FUZZ_TOKEN = "fuzz-admin-token"
ERROR_SHAPE_CHECK = "error_shape"

# The checks every answer goes through. Left out: `ignored_auth`, whose probe request fails on schemathesis's WSGI
# transport (it passes `max_redirects` to werkzeug's client), and which tests/test_webapp.py covers for both routes
# that need the token.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
    "unsupported_method",
)

# Where the API asks more of a request than a schema can say, a valid-looking request is rightly refused: an upload's
# content must be of its type, an owners question's agency must be one the gazetteer knows, only a passage can be
# re-pinned, a document's new web address must have a host and the collection it moves to must exist, a brief's shares
# name each user and group once (a schema cannot say "unique by name" across roles); a new item's 404
# may name the chunk or document it asked for, not the brief. And some invalid-looking ones are rightly taken: an empty search parameter counts as missing (the search form sends its empty fields), and `k` and
# `page` of /api/owners are read only where they count (k with a question, page without).
_OFF = {"enabled": False}
OPERATION_CHECKS = (
    {"include-operation-id": "uploadDoc", "checks": {"positive_data_acceptance": _OFF}},
    {"include-operation-id": "updateBriefItem", "checks": {"positive_data_acceptance": _OFF}},
    {"include-operation-id": "editDoc", "checks": {"positive_data_acceptance": _OFF}},
    {"include-operation-id": "putBriefShares", "checks": {"positive_data_acceptance": _OFF}},
    {"include-operation-id": "addBriefItem", "checks": {"ensure_resource_availability": _OFF}},
    {"include-operation-id": "search", "checks": {"negative_data_rejection": _OFF}},
    {"include-operation-id": "owners", "checks": {"positive_data_acceptance": _OFF, "negative_data_rejection": _OFF}},
)


@dataclass
class Failure:
    """A check a request failed: the operation, the check, the request (path, query, JSON body) and the answer."""

    operation: str
    check: str
    title: str
    message: str
    method: str
    path: str
    query: dict
    body: object
    status: int | None
    answer: str

    def request_line(self) -> str:
        body = "" if self.body is None else f" body={self.body!r}"
        return f"{self.method} {self.path} query={self.query!r}{body}"[:500]


@dataclass
class FuzzReport:
    operations: int
    cases: int = 0
    cases_by_phase: Counter = field(default_factory=Counter)
    server_errors: int = 0
    shape_violations: int = 0
    errors: list[str] = field(default_factory=list)  # requests schemathesis itself could not make or check
    failures: list[Failure] = field(default_factory=list)  # every failed check

    def to_json(self) -> dict:
        """The counts, and the first failure of each operation and check."""
        first: dict[tuple[str, str], Failure] = {}
        for failure in self.failures:
            first.setdefault((failure.operation, failure.check), failure)
        return {
            "operations": self.operations,
            "cases": self.cases,
            "cases_by_phase": dict(self.cases_by_phase),
            "http_500": self.server_errors,
            "error_shape_violations": self.shape_violations,
            "failed_checks": len(self.failures),
            "fuzzer_errors": self.errors,
            "failures": [
                {"operation": f.operation, "check": f.check, "title": f.title, "message": f.message}
                | {"request": f.request_line(), "status": f.status, "answer": f.answer}
                for f in first.values()
            ],
        }


def error_shape_problem(status: int, body: object) -> str | None:
    """What is wrong with an error answer's JSON body, or None when it is the error shape
    {"ok": false, "error": "…", "status": <the HTTP status>}."""
    if not isinstance(body, dict):
        return f"the body is not a JSON object: {body!r:.200}"
    if set(body) != {"ok", "error", "status"}:
        return f"the keys are {sorted(body)}, not ok, error and status"
    if body["ok"] is not False or not isinstance(body["error"], str) or not body["error"].strip():
        return f"'ok' must be false and 'error' a message: {body!r:.200}"
    if body["status"] != status:
        return f"'status' is {body['status']!r} but the HTTP status is {status}"
    return None


def _register_error_shape_check() -> None:
    """The error-shape check, registered with schemathesis once per process under ERROR_SHAPE_CHECK."""
    import schemathesis
    from schemathesis.checks import CHECKS as REGISTRY

    if ERROR_SHAPE_CHECK in REGISTRY.get_all_names():
        return

    @schemathesis.check
    def error_shape(ctx, response, case) -> bool | None:
        if response.status_code < 400:
            return None
        try:
            body = response.json()
        except ValueError:
            body = response.text
        problem = error_shape_problem(response.status_code, body)
        if problem:
            raise AssertionError(f"an error answer is not in the API's error shape: {problem}")
        return None


def throwaway_app(folder: Path, corpus: Path = DEFAULT_CORPUS_DIR) -> Flask:
    """The web app over `corpus` indexed with the fake embedder in `folder`, uploads and removal on (FUZZ_TOKEN)."""
    from policykb.ingest.indexer import Indexer
    from policykb.search.embedder import FakeEmbedder
    from policykb.web import create_app

    shutil.copytree(corpus, folder / "corpus")
    config = Config.from_env(data_dir=folder / "data", embedder="fake")
    with Indexer(config, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest([folder / "corpus"])
    if report.errors:
        raise RuntimeError(f"the fuzz index could not be built: {report.errors}")
    return create_app(config=dataclasses.replace(config, admin_token=FUZZ_TOKEN))


def fuzz_config(examples: int, seed: int | None):
    """schemathesis's configuration: all phases, valid and invalid data, the admin token, CHECKS and the error shape."""
    import schemathesis

    _register_error_shape_check()
    checks = {name: {"enabled": True} for name in (*CHECKS, ERROR_SHAPE_CHECK)}
    # 503 is the documented answer while there is no index: a chain of calls that removes every document empties it.
    checks["not_a_server_error"]["expected-statuses"] = ["2xx", "3xx", "4xx", "503"]
    settings = {
        "headers": {"Authorization": f"Bearer {FUZZ_TOKEN}"},
        "generation": {"max-examples": examples, "mode": "all"},
        "checks": {"enabled": False, **checks},
        "operations": list(OPERATION_CHECKS),
        "phases": {"stateful": {"max-steps": max(5, examples)}},
    }
    if seed is not None:
        settings["seed"] = seed
    return schemathesis.Config.from_dict(settings)


def fuzz_api(app: Flask, examples: int, seed: int | None = None) -> FuzzReport:
    """Run every phase of schemathesis (examples, coverage, fuzzing, stateful) against `app` with up to `examples`
    generated cases per operation; count the cases, the HTTP 500s and the error-shape violations."""
    import schemathesis
    from schemathesis.engine import events, from_schema

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=fuzz_config(examples, seed))
    report = FuzzReport(operations=sum(1 for result in schema.get_all_operations() if result.ok()))
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.is_test_scenario and not event.is_final:
            _count_scenario(report, event)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"{event.label}: {type(event.value).__name__}: {event.value}")
        elif isinstance(event, events.FatalError):
            raise RuntimeError(f"the API fuzz stopped: {event.exception}") from event.exception
    return report


def _count_scenario(report: FuzzReport, event) -> None:
    recorder = event.recorder
    report.cases += len(recorder.cases)
    report.cases_by_phase[event.phase.value] += len(recorder.cases)
    report.server_errors += sum(
        1 for answer in recorder.interactions.values() if answer.response and answer.response.status_code == 500
    )
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status.value != "failure":
                continue
            report.shape_violations += check.name == ERROR_SHAPE_CHECK
            report.failures.append(_failure(recorder, case_id, check))


def _failure(recorder, case_id: str, check) -> Failure:
    failure = check.failure_info.failure if check.failure_info else None
    node = recorder.cases.get(case_id)
    case = node.value if node is not None else None
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction is not None else None
    body = getattr(case, "body", None)
    return Failure(
        operation=recorder.label,
        check=check.name,
        title=failure.title if failure else "",
        message=(failure.message if failure else "").strip(),
        method=case.method if case else "",
        path=case.formatted_path if case else "",
        query=dict(case.query or {}) if case else {},
        body=None if type(body).__name__ == "NotSet" else body,
        status=response.status_code if response is not None else None,
        answer=response.text[:300] if response is not None else "",
    )
