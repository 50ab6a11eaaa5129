"""The JSON API under schemathesis: every operation of /api/openapi.json, with valid and invalid requests and chains of
calls, on a small real index; no 500, answers as the document says, every error in the one error shape."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from hypothesis import settings

from policykb.bench.fuzz import FUZZ_TOKEN, Failure, error_shape_problem, fuzz_api, throwaway_app

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


def _too_large_for_sqlite(value: object) -> bool:
    return any(type(leaf) is int and abs(leaf) > SQLITE_INTEGER_MAX for leaf in _leaves(value))


def _has_lone_surrogate(value: object) -> bool:
    return any(isinstance(leaf, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in leaf) for leaf in _leaves(value))


def known_defect(failure: Failure) -> str | None:
    """The issue #19 defect a failed check comes from, while its fix is on its way; None for anything else.

    A 500 is the known one when its request holds an id past SQLite's integers (OverflowError) or a lone surrogate
    (UnicodeEncodeError); the same request also fails `status_code_conformance`, its 500 being undocumented.
    """
    if failure.status != 500 or failure.check not in ("not_a_server_error", "status_code_conformance"):
        return None
    segments = [int(part) for part in failure.path.split("/") if part.isascii() and part.isdigit()]
    if _too_large_for_sqlite(segments) or _too_large_for_sqlite(failure.body):
        return "ids of 2^63 and more are a 500 (OverflowError) — known defect being fixed in #19 (webinputs)"
    if _has_lone_surrogate(failure.body) or _has_lone_surrogate(failure.query):
        return "a lone surrogate in a stored string is a 500 (UnicodeEncodeError) — known defect being fixed in #19"
    return None


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    return throwaway_app(tmp_path_factory.mktemp("fuzz"))


def test_every_api_operation_answers_any_request_without_a_500_and_every_error_in_the_error_shape(fuzz_app):
    report = fuzz_api(fuzz_app, examples=settings().max_examples, seed=None)
    counts = {key: value for key, value in report.to_json().items() if key not in ("failures", "fuzzer_errors")}
    print(f"API fuzz: {counts}")  # shown by `make fuzz` (pytest -s)
    assert report.operations >= 17 and report.cases >= report.operations
    assert not report.errors, report.errors
    unexplained = [failure for failure in report.failures if known_defect(failure) is None]
    assert report.shape_violations == 0 and not unexplained, "\n".join(
        f"{f.operation}: {f.check} ({f.title}: {f.message}) on {f.request_line()} -> {f.status} {f.answer}"
        for f in unexplained
    )
    known = sorted({known_defect(failure) for failure in report.failures})
    if known:
        pytest.xfail("; ".join(known))


def test_the_error_shape_check_refuses_every_other_body():
    assert error_shape_problem(404, {"ok": False, "error": "no document 'x'", "status": 404}) is None
    assert "not a JSON object" in error_shape_problem(500, "Internal Server Error")
    assert "keys" in error_shape_problem(400, {"ok": False, "message": "bad"})
    assert "'status' is 400" in error_shape_problem(404, {"ok": False, "error": "gone", "status": 400})
    assert "'ok' must be false" in error_shape_problem(400, {"ok": False, "error": " ", "status": 400})


def test_known_defects_are_told_apart_from_new_failures():
    def failure(path: str, body: object = None, status: int = 500, check: str = "not_a_server_error") -> Failure:
        return Failure("op", check, "Server error", "", "GET", path, {}, body, status, "")

    assert "OverflowError" in known_defect(failure(f"/api/briefs/{2**64}/items/1"))
    assert "OverflowError" in known_defect(failure("/api/briefs/1/items", {"chunk_id": 2**63}))
    assert "UnicodeEncodeError" in known_defect(failure("/api/briefs", {"title": "a\ud800"}))
    assert known_defect(failure("/api/briefs/1/items", {"chunk_id": 2**63 - 1})) is None
    assert known_defect(failure(f"/api/briefs/{2**64}", status=400, check="error_shape")) is None


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


def test_a_brief_with_control_characters_exports_to_word_without_them(fuzz_app):
    import docx

    client = fuzz_app.test_client()
    brief = client.post("/api/briefs", json={"title": "Cover\x0bage\x00", "intro": "Intro\x07"}).get_json()
    client.post(f"/api/briefs/{brief['id']}/items", json={"heading": "Targets\x1b"})
    response = client.get(f"/api/briefs/{brief['id']}/export", query_string={"format": "docx"})
    assert response.status_code == 200, response.get_data(as_text=True)
    document = docx.Document(io.BytesIO(response.data))
    assert document.core_properties.title == "Coverage"
    assert [p.text for p in document.paragraphs][:3] == ["Coverage", "Intro", "Targets"]
