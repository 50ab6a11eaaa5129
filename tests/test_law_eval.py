"""The law sets' gold and the scores policykb eval laws reports on them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS
from conftest import testdata as shared_testdata

from policykb.config import Config
from policykb.eval.laws import DEV_LAWS
from policykb.eval.lawscore import (
    GoldAssignment,
    OwnerAnswer,
    OwnerNames,
    article_rank,
    locate_phrase,
    rank_scores,
    score_law_extraction,
    score_owner_answers,
)
from policykb.eval.lawsets import ASSIGNMENTS, OWNERS, QUESTIONS, evaluate_law_set, load_law_set
from policykb.eval.owners import same_lead
from policykb.glossary import Entry, Glossary, load_glossary
from policykb.models import SearchHit
from policykb.store import AssignmentRow

KINDS = {"lead", "coordinate", "state_management", "guidance", "rule_making"}
GLOSSARY = Glossary(
    [
        Entry("MPS", ("MPS", "Ministry of Public Security", "Bộ Công an"), "agency"),
        Entry("MOH", ("MOH", "Ministry of Health", "Bộ Y tế"), "agency"),
        Entry("Government", ("Government", "Chính phủ"), "agency"),
        Entry("Government Office", ("Government Office", "Văn phòng Chính phủ"), "agency"),
    ]
)


@pytest.fixture(scope="module")
def dev_articles() -> dict[tuple[str, str], str]:
    laws = json.loads(shared_testdata("alqac2023", "law.json").read_text(encoding="utf-8"))
    return {(law["id"], a["id"]): a["text"] for law in laws if law["id"] in DEV_LAWS for a in law["articles"]}


def _row(
    lead: str,
    start: int,
    end: int,
    doc_id: str = "law",
    text: str = "",
    section: str = "",
    task: str = "t",
    kind: str | None = None,
):
    return AssignmentRow(1, doc_id, start, end, task, lead, [], None, section, None, kind, "Luật X", text, False)


def _hit(doc_id: str, section: str) -> SearchHit:
    return SearchHit(0, 0, doc_id, "", "", "law", "vi", None, section, None, 0, 1, "", 1.0)


# ---- the development gold


def test_every_dev_assignment_phrase_is_an_exact_substring_of_its_article(dev_articles):
    gold = load_law_set("dev")[ASSIGNMENTS]
    assert len(gold) >= 150
    for item in gold:
        text = dev_articles.get((item["law"], item["article"]))
        assert text is not None, item
        assert item["phrase"] in text and 20 <= len(item["phrase"]) <= 100, item
        assert item["kind"] in KINDS and item["lead"] and item["task"], item


def test_every_dev_question_names_an_existing_article_and_enough_of_each_language(dev_articles):
    gold = load_law_set("dev")
    for item in gold[QUESTIONS] + gold[OWNERS]:
        assert (item["law"], item["article"]) in dev_articles, item
    for item in gold[OWNERS]:
        assert item["lead"].lower() in dev_articles[(item["law"], item["article"])].lower(), item
    questions = Counter(item["language"] for item in gold[QUESTIONS])
    owners = Counter(item["language"] for item in gold[OWNERS])
    assert questions["vi"] >= 45 and questions["en"] >= 15
    assert owners["vi"] >= 25 and owners["en"] >= 10


# ---- owner names


def test_owner_names_compare_canonically_and_a_minister_is_his_ministry():
    names = OwnerNames(GLOSSARY)
    assert names.same("Bộ Công an", "MPS")
    assert names.same("Bộ trưởng Bộ Y tế", "Ministry of Health")
    assert not names.same("Văn phòng Chính phủ", "Chính phủ")
    assert names.same("Công an cấp xã", "công an cấp xã")  # unknown to the glossary: folded text
    assert not names.same("Công an cấp xã", "Bộ Công an")


def test_owners_questions_with_a_lead_as_written_match_the_canonical_lead_extracted():
    names = OwnerNames(load_glossary(CORPUS / "glossary.json"))
    row = _row("MOLISA", 0, 10)
    assert same_lead(row, "Bộ Lao động - Thương binh và Xã hội", names)
    assert not same_lead(row, "Bộ Lao động - Thương binh và Xã hội", None)  # without names: the names as stored
    assert not same_lead(row, "Bộ Y tế", names)


# ---- article search


def test_a_hit_at_rank_three_scores_a_third():
    hits = [_hit("law", "Điều 4. Khác"), _hit("other", "Điều 5. Đúng điều, sai luật"), _hit("law", "Điều 5. Đúng › 2.")]
    assert article_rank(hits, "law", "5") == 3
    assert article_rank(hits, "law", "50") is None
    assert article_rank([_hit("law", "ĐẶT CỌC, KÝ CƯỢC › Điều 5. Đúng › 1.")], "law", "5") == 1  # a chapter first
    assert rank_scores([3, None]) == {"questions": 2, "hit@1": 0.0, "hit@5": 0.5, "mrr@10": 0.1667}


# ---- extraction


def test_locate_phrase_finds_it_only_within_its_article_despite_spacing():
    text = "Điều 1. A\n\nBộ Công an có trách nhiệm X.\n\nĐiều 2. B\n\nBộ Công an có\ntrách nhiệm Y."
    assert locate_phrase(text, "2", "Bộ Công an có trách nhiệm Y") == (text.index("Bộ Công an có\n"), len(text) - 1)
    assert locate_phrase(text, "1", "Bộ Công an có trách nhiệm Y") is None


def test_extraction_counts_a_found_a_missed_and_an_extra_assignment():
    found = GoldAssignment({"lead": "Bộ Công an", "kind": "lead"}, "law", 10, 40)
    missed = GoldAssignment({"lead": "Bộ Y tế", "kind": "guidance"}, "law", 100, 130)
    rows = [_row("MPS", 0, 20, task="lập danh sách"), _row("MPS", 200, 260, task="Luật X")]
    scores = score_law_extraction(rows, [found, missed], OwnerNames(GLOSSARY), {"law": "Luật X"})
    assert (scores["precision"], scores["recall"], scores["found"], scores["extracted"]) == (0.5, 0.5, 1, 2)
    assert scores["task_ok"] == 0.5  # the extra one's task is the document's title
    assert scores["missed"] == [missed] and scores["wrong"] == [rows[1]]
    assert scores["by_kind"] == {"guidance": {"gold": 1, "found": 0}, "lead": {"gold": 1, "found": 1}}
    assert "kind_accuracy" not in scores  # these assignments have no kind


def test_kind_accuracy_is_reported_once_assignments_have_kinds():
    gold = [
        GoldAssignment({"lead": "Bộ Công an", "kind": "lead"}, "law", 0, 10),
        GoldAssignment({"lead": "Bộ Công an", "kind": "guidance"}, "law", 20, 30),
    ]
    rows = [_row("MPS", 0, 10, kind="lead"), _row("MPS", 20, 30, kind="lead")]
    assert score_law_extraction(rows, gold, OwnerNames(GLOSSARY), {})["kind_accuracy"] == 0.5


# ---- owner answers


def test_an_owner_not_named_in_its_cited_text_or_heading_is_invented():
    names = OwnerNames(GLOSSARY)
    question = {"question": "Ai …?", "law": "Luật X", "article": "46", "lead": "Bộ Công an"}
    cited = _row(
        "MPS", 0, 10, text="5. Hướng dẫn việc lập danh sách", section="Điều 46. Trách nhiệm của Bộ Công an › 5."
    )
    invented = _row("MPS", 0, 10, text="Bộ Y tế hướng dẫn …", section="Điều 49. Trách nhiệm của Bộ Y tế")
    answers = [
        OwnerAnswer(question, "law", cited),
        OwnerAnswer(question, "law", invented),
        OwnerAnswer(question, "law", None),
    ]
    assert score_owner_answers(answers, names) == {
        "questions": 3,
        "right_lead": 0.667,
        "right_lead_and_article": 0.333,
        "no_answer": 1,
        "invented_owners": 1,
    }


# ---- the whole run


def test_eval_laws_scores_the_dev_set_and_hides_misses_when_asked(tmp_path: Path):
    law_json = shared_testdata("alqac2023", "law.json")
    config = Config.from_env(data_dir=tmp_path / "unused", embedder="fake")
    result = evaluate_law_set(config, "dev", law_json, tmp_path / "index", show_misses=False)
    assert (
        result["set"] == "dev" and result["documents"] == 4 and result["passages"] >= 831
    )  # one passage an article at least
    assert set(result["languages"]) == {"vi", "en"}
    assert set(result["languages"]["vi"]["article_search"]) == {"hybrid", "keyword", "dense"}
    assert result["languages"]["vi"]["owner_answers"]["questions"] >= 25
    assert result["extraction"]["gold"] == len(load_law_set("dev")[ASSIGNMENTS])
    assert isinstance(result["misses"], str) and "hidden" in result["misses"]
