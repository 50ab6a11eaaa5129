"""The built-in bilingual term list (policykb/data/terms.json): well formed, and a query that names a term in one
language is expanded, by the real query planner, with the term's names in the other."""

from __future__ import annotations

import json
import tomllib
from functools import cache
from pathlib import Path

import pytest

import policykb
from policykb.config import DEFAULT_CORPUS_DIR
from policykb.glossary import Glossary, _entries_from_json, is_acronym
from policykb.search.query import plan_query
from policykb.textnorm import words

TERMS_PATH = Path(policykb.__file__).parent / "data" / "terms.json"
# Vietnamese forms of one word (other than acronyms such as BHXH, matched as written) that stay unambiguous once folded: "phim" (film) has no other meaning, and "ĐTM" is the
# acronym of đánh giá tác động môi trường (whose Đ keeps it from reading as an acronym). A one-word form such as
# "luật", "điều" or "khoản" would expand nearly every legal query.
ONE_WORD_FORMS = {"phim", "ĐTM"}


@cache
def terms_data() -> dict:
    return json.loads(TERMS_PATH.read_text(encoding="utf-8"))


@cache
def terms_glossary() -> Glossary:
    return Glossary(_entries_from_json(terms_data(), TERMS_PATH))


def name_key(name: str) -> str:
    """A name as matching sees it: acronyms as written, other names folded and lower-cased, word by word."""
    return name if is_acronym(name) else " ".join(words(name))


def test_every_term_has_an_english_name_and_a_vietnamese_form():
    terms = terms_data()["terms"]
    assert len(terms) >= 300
    for term in terms:
        assert term.get("name"), term
        assert term.get("vi"), f"{term['name']} has no Vietnamese form"
        assert isinstance(term.get("variants", []), list), term["name"]


def test_no_name_belongs_to_two_terms():
    owner: dict[str, str] = {}
    for term in terms_data()["terms"]:
        for name in dict.fromkeys(name_key(n) for n in [term["name"], *term.get("variants", []), *term["vi"]]):
            assert name not in owner, f"{name!r} names both {owner[name]!r} and {term['name']!r}"
            owner[name] = term["name"]


def test_no_vietnamese_form_is_a_single_common_word():
    for term in terms_data()["terms"]:
        for form in term["vi"]:
            if len(words(form)) == 1 and not is_acronym(form):
                assert form in ONE_WORD_FORMS, f"{term['name']}: {form!r} alone would match too much"


def test_names_shared_with_the_bundled_glossary_name_the_same_concept():
    """Merged with corpus/glossary.json, a name both files give stays one concept (matching keeps one entry a name)."""
    bundled = json.loads((DEFAULT_CORPUS_DIR / "glossary.json").read_text(encoding="utf-8"))
    bundled_owner = {
        name_key(name): item["name"]
        for key in ("agencies", "terms", "groups")
        for item in bundled.get(key, [])
        for name in [item["name"], *item.get("variants", []), *item.get("vi", [])]
    }
    for term in terms_data()["terms"]:
        for name in [term["name"], *term.get("variants", []), *term["vi"]]:
            assert bundled_owner.get(name_key(name), term["name"]) == term["name"], (name, term["name"])


@pytest.mark.parametrize(
    ("query", "vietnamese"),
    [
        ("who handles requests for access to information", ["tiep can thong tin", "quyen tiep can thong tin"]),
        ("compulsory drug rehabilitation", ["cai nghien ma tuy bat buoc", "cai nghien bat buoc"]),
        ("environmental impact assessment", ["danh gia tac dong moi truong"]),
        ("social insurance contributions", ["dong bao hiem xa hoi", "bao hiem xa hoi"]),
        ("cyber security", ["an ninh mang"]),
        ("Who inherits when there is no will?", ["thua ke"]),
    ],
)
def test_an_english_query_is_expanded_with_the_vietnamese_terms(query: str, vietnamese: list[str]):
    plan = plan_query(query, terms_glossary())
    assert set(vietnamese) <= set(plan.keyword_parts)
    assert plan.fts is not None and all(f'"{phrase}"' in plan.fts for phrase in vietnamese)
    assert any(set(vietnamese) & set(others) for _, others in plan.synonyms)


@pytest.mark.parametrize(
    ("query", "english"),
    [
        ("bảo hiểm thất nghiệp", ["unemployment insurance"]),
        ("cai nghiện ma túy bắt buộc", ["compulsory drug rehabilitation", "mandatory drug rehabilitation"]),
        ("đánh giá tác động môi trường", ["environmental impact assessment", "EIA"]),
        ("quyền tiếp cận thông tin của công dân", ["access to information"]),
    ],
)
def test_a_vietnamese_query_is_expanded_with_the_english_terms(query: str, english: list[str]):
    plan = plan_query(query, terms_glossary())
    assert {name_key(name).lower() for name in english} <= set(plan.keyword_parts)
    assert english[0] in plan.expansions  # the names the embedder reads come from these


def test_a_query_without_diacritics_is_expanded_as_well():
    plan = plan_query("cai nghien ma tuy bat buoc", terms_glossary())
    assert "compulsory drug rehabilitation" in plan.keyword_parts


def test_generic_words_of_legal_texts_are_not_expanded():
    """Article, clause and point numbers, and the word law, name no term: every legal text is full of them."""
    plan = plan_query("Điều 5 khoản 2 điểm a của luật", terms_glossary())
    assert plan.synonyms == []


def test_the_package_ships_the_term_list():
    pyproject = tomllib.loads((Path(policykb.__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/*.json" in pyproject["tool"]["setuptools"]["package-data"]["policykb"]
