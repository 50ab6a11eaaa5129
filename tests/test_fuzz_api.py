"""The JSON API under schemathesis: every operation of /api/openapi.json, with valid and invalid requests and chains of
calls, on a small real index; no 500, answers as the document says, every error in the one error shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from policykb.bench.fuzz import FUZZ_TOKEN, error_shape_problem, fuzz_api, throwaway_app

pytestmark = pytest.mark.fuzz

SQLITE_INTEGER_MAX = 2**63 - 1


def _leaves(value: object) -> Iterator[object]:
    """The scalars of a JSON value, however deep."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for inner in value:
            yield from _leaves(inner)
    else:
        yield value


CI_SEED = 19


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    return throwaway_app(tmp_path_factory.mktemp("fuzz"))


def test_every_api_operation_answers_any_request_without_a_500_and_every_error_in_the_error_shape(fuzz_app):
    seed = CI_SEED if settings().derandomize else None  # make test: the same draw every run (tests/conftest.py)
    report = fuzz_api(fuzz_app, examples=settings().max_examples, seed=seed)
    counts = {key: value for key, value in report.to_json().items() if key not in ("failures", "fuzzer_errors")}
    print(f"API fuzz: {counts}")  # shown by `make fuzz` (pytest -s)
    assert report.operations >= 17 and report.cases >= report.operations
    assert not report.errors, report.errors
    assert report.shape_violations == 0 and not report.failures, "\n".join(
        f"{f.operation}: {f.check} ({f.title}: {f.message}) on {f.request_line()} -> {f.status} {f.answer}"
        for f in report.failures
    )


def test_the_error_shape_check_refuses_every_other_body():
    assert error_shape_problem(404, {"ok": False, "error": "no document 'x'", "status": 404}) is None
    assert "not a JSON object" in error_shape_problem(500, "Internal Server Error")
    assert "keys" in error_shape_problem(400, {"ok": False, "message": "bad"})
    assert "'status' is 400" in error_shape_problem(404, {"ok": False, "error": "gone", "status": 400})
    assert "'ok' must be false" in error_shape_problem(400, {"ok": False, "error": " ", "status": 400})


def test_a_method_the_api_does_not_take_is_a_405_in_the_error_shape_naming_the_allowed_ones(fuzz_app):
    response = fuzz_app.test_client().open("/api/search", method="TRACE")
    assert response.status_code == 405
    assert error_shape_problem(405, response.get_json()) is None
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD", "OPTIONS"}


def test_the_fuzzed_app_takes_the_admin_token(fuzz_app):
    client = fuzz_app.test_client()
    refused = client.delete("/api/docs/no-such-document")
    allowed = client.delete("/api/docs/no-such-document", headers={"Authorization": f"Bearer {FUZZ_TOKEN}"})
    assert refused.status_code == 401 and allowed.status_code == 404
