"""Property-based tests of what users type: queries, document numbers, upload file names and the pages' parameters.

Each property holds for any input hypothesis makes; `make test` tries a few (profile "ci"), `make fuzz` many.
"""

from __future__ import annotations

import io
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from policykb.bench.fuzz import FUZZ_TOKEN, error_shape_problem, throwaway_app
from policykb.config import DEFAULT_CORPUS_DIR
from policykb.docnumbers import find_doc_numbers, normalize_doc_number, number_references
from policykb.glossary import load_glossary
from policykb.search.query import plan_query

pytestmark = pytest.mark.fuzz

GLOSSARY = load_glossary(DEFAULT_CORPUS_DIR / "glossary.json")
RESOLUTION = "004_6608ed9db748e12c"
SQLITE_INTEGER_MAX = 2**63 - 1

# Text as people paste it: any character but lone surrogates, which no UTF-8 request can carry.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
# Pieces that mean something to the query parser, FTS5 or the number finder, joined at random.
query_pieces = st.sampled_from(
    [
        '"',
        "*",
        "(",
        ")",
        ":",
        "^",
        "-",
        "+",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "{title}",
        "68/NQ-CP",
        "15/2023/NĐ-CP",
        "Nghị quyết số 68",
        "Resolution 68",
        "MOLISA",
        "bảo hiểm xã hội",
        "social protection",
        "the",
        "'",
        "\\",
        "\x00",
    ]
)
query_text = st.one_of(any_text, st.lists(st.one_of(query_pieces, any_text), max_size=8).map(" ".join))


@pytest.fixture(scope="module")
def fts():
    """An empty FTS5 table with the passages' tokenizer: a MATCH expression it refuses raises sqlite3.Error."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, section, body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO t VALUES ('Nghị quyết 68/NQ-CP', 'Điều 1', 'social protection for everyone')")
    yield conn
    conn.close()


# --- the query parser -----------------------------------------------------------------------------
@given(query=query_text)
@example(query='"unbalanced AND (NEAR')
@example(query="")
def test_any_query_plans_into_fts5_expressions_that_sqlite_accepts(fts, query):
    plan = plan_query(query, GLOSSARY)
    for expression in (plan.fts, plan.pairs_fts, plan.reference_fts()):
        if expression is not None:
            fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()
    for part in plan.keyword_parts:
        assert '"' + part.replace('"', '""') + '"' in plan.fts


# --- document numbers -------------------------------------------------------------------------------
type_codes = st.sampled_from(["NQ-CP", "NQ/TW", "NĐ-CP", "QĐ-TTg", "TT-BLĐTBXH", "QH13", "AL", "CT-TTg", "ND-CP"])
doc_numbers = st.builds(
    lambda number, year, code: f"{number}/{year}/{code}" if year else f"{number}/{code}",
    st.integers(1, 99999),
    st.one_of(st.none(), st.integers(1900, 2099)),
    type_codes,
)


@given(text=st.one_of(any_text, st.lists(st.one_of(doc_numbers, query_pieces, any_text), max_size=6).map(" ".join)))
@example(text="43/2021/AL1 và 42-NQ/TW")
def test_every_number_found_in_any_text_is_canonical_and_found_again_on_its_own(text):
    for number in find_doc_numbers(text):
        assert number == normalize_doc_number(number) and not re.search(r"\s", number)
        assert find_doc_numbers(number) == [number]


@given(number=doc_numbers, before=any_text, after=any_text)
def test_a_document_number_is_found_whatever_text_stands_around_it(number, before, after):
    assert normalize_doc_number(number) in find_doc_numbers(f"{before} {number}, {after}")


@given(number=doc_numbers)
def test_a_full_number_in_a_query_matches_itself_with_spaces_or_other_dashes(number):
    spelled = number.replace("/", " / ").replace("-", "–")
    references = number_references(f"văn bản {spelled} về bảo hiểm")
    assert any(reference.matches(number) for reference in references), references


@given(number=st.integers(1, 99999), words=st.sampled_from(["Resolution", "Nghị quyết số", "NQ", "resolution no."]))
def test_a_loose_reference_matches_the_numbers_of_its_kind_with_or_without_a_year(number, words):
    references = number_references(f"{words} {number}")
    assert any(ref.matches(f"{number}/NQ-CP") and ref.matches(f"{number}/2024/NQ-CP") for ref in references)
    assert not any(ref.matches(f"{number}/QĐ-TTg") for ref in references)


@given(raw=any_text)
def test_normalising_a_number_twice_changes_nothing(raw):
    assert normalize_doc_number(normalize_doc_number(raw)) == normalize_doc_number(raw)


# --- upload file names ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app over the bundled corpus, with one brief, and the folder it lives in."""
    folder = tmp_path_factory.mktemp("site")
    app = throwaway_app(folder)
    created = app.test_client().post("/api/briefs", json={"title": "Coverage"})
    assert created.status_code == 201
    return app, folder


file_names = st.one_of(
    st.sampled_from(
        [
            "../../outside.txt",
            "..",
            "/etc/passwd.txt",
            "a/b\\c.txt",
            "文件.txt",
            "Nghị quyết 68.txt",
            "CON.txt",
            " .txt",
            ".txt",
            "x" * 300 + ".txt",
            "ý" * 200 + ".md",
            "report.pdf",
            "no extension",
        ]
    ),
    st.builds(
        lambda stem, suffix: stem + suffix,
        st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=120),
        st.sampled_from(["", ".txt", ".md", ".TXT", ".txt.exe", ".pdf", ".html"]),
    ),
)


def _copies(folder: Path, content: bytes) -> list[Path]:
    """The files under `folder` that hold `content`; one the upload worker removes meanwhile (a failed ingest) is gone."""
    found = []
    for path in folder.rglob("*"):
        try:
            if path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content:
                found.append(path)
        except FileNotFoundError:
            pass
    return found


def test_any_upload_name_is_stored_safely_inside_uploads_or_refused_in_plain_words(site):
    app, folder = site
    uploads = (folder / "data" / "uploads").resolve()

    @given(name=file_names)
    @example(name="x" * 300 + ".txt")
    @example(name="ab\u0301c d\u00e9.txt")
    def upload(name: str) -> None:
        content = f"Upload {uuid.uuid4().hex}: the ministry reports coverage every quarter.\n".encode()
        response = app.test_client().post(
            "/api/docs",
            data={"file": (io.BytesIO(content), name)},
            headers={"Authorization": f"Bearer {FUZZ_TOKEN}"},
        )
        assert response.status_code in (202, 400, 413, 415), response.get_data(as_text=True)
        for copy in _copies(folder, content):
            assert copy.resolve().parent.parent == uploads, f"{name!r} was stored at {copy}"  # a folder of its own
        if response.status_code != 202:
            assert error_shape_problem(response.status_code, response.get_json()) is None
            assert not _copies(folder, content), f"a refused upload of {name!r} left its file behind"

    upload()


# --- the pages' parameters --------------------------------------------------------------------------
PARAMETERS = ["q", "page", "mode", "type", "lang", "year", "doc", "issuer", "agency", "k", "start", "end", "chunk"]
PARAMETERS += ["pinned", "sort", "order", "format"]
numberish = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["²", "٣", "①", "1e3", "0x10", " 7 ", "+5", "-0", "1_000", "9" * 5000, "", "NaN", "1.5"]),
    st.text("0123456789²³¹٠١٢", max_size=30),
)
query_strings = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETERS), any_text), st.one_of(numberish, any_text, query_pieces), max_size=6
)
pages = st.one_of(
    st.sampled_from(["/", "/owners", "/docs", "/briefs", "/briefs/1", f"/doc/{RESOLUTION}", "/upload"]),
    st.builds(lambda doc_id: f"/doc/{doc_id}", any_text.filter(lambda s: s and "/" not in s and "?" not in s)),
    st.integers(0, 2**62).map(lambda brief_id: f"/briefs/{brief_id}"),
)


@given(path=pages, params=query_strings)
@example(path="/", params={"q": "social", "page": "²"})
@example(path="/owners", params={"page": "9" * 5000})
@example(path=f"/doc/{RESOLUTION}", params={"start": "²", "end": "9" * 5000, "chunk": "-1"})
@example(path="/", params={"q": "x" * 100_000})
def test_the_pages_answer_any_query_string_without_a_server_error(site, path, params):
    app, _ = site
    response = app.test_client().get(path, query_string=params)
    assert response.status_code < 500, (path, params, response.status_code)


@given(brief_id=st.integers(SQLITE_INTEGER_MAX + 1, 2**80))
def test_a_brief_page_past_the_largest_id_is_not_found(site, brief_id):
    app, _ = site
    response = app.test_client().get(f"/briefs/{brief_id}")
    assert response.status_code == 404
