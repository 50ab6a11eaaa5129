"""Retrieval evaluation: the metrics, a tiny BEIR folder end to end, and the policy query set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykb.cli import main
from policykb.config import PROJECT_ROOT, Config
from policykb.errors import PolicyKBError
from policykb.evaluation import evaluate_beir, evaluate_queries, mrr_at, ndcg_at, recall_at

POLICY_QUERIES = PROJECT_ROOT / "tests" / "eval" / "policy_queries.jsonl"


def test_metrics_match_hand_computed_values():
    relevant = {"a": 1, "b": 1}
    assert ndcg_at(["a", "b", "c"], relevant) == pytest.approx(1.0)
    assert ndcg_at(["c", "a"], relevant) == pytest.approx((1 / 1.5849625) / (1 + 1 / 1.5849625))
    assert recall_at(["a", "x"], relevant) == 0.5
    assert mrr_at(["x", "y", "b"], relevant) == pytest.approx(1 / 3)
    assert mrr_at(["x"] * 10 + ["a"], relevant) == 0.0


def _tiny_beir(folder: Path) -> Path:
    docs = [("d1", "Pension reform", "The reform raises the social pension for older people in rural areas."),
            ("d2", "Child benefit", "A universal child benefit supports families with young children."),
            ("d3", "Unemployment insurance", "Jobless workers receive unemployment insurance and career training.")]
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": i, "title": t, "text": x}) for i, t, x in docs), encoding="utf-8")
    queries = [("q1", "social pension for older people", "d1"), ("q2", "benefit for families with children", "d2"),
               ("q3", "insurance for jobless workers", "d3")]
    (folder / "queries.jsonl").write_text("\n".join(json.dumps({"_id": q, "text": t}) for q, t, _ in queries), encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, _, d in queries))
    return folder


def test_beir_evaluation_scores_every_mode_on_a_tiny_data_set(tmp_path):
    result = evaluate_beir(Config.from_env(data_dir=tmp_path / "unused", embedder="fake"), _tiny_beir(tmp_path / "beir"))
    assert result["queries"] == 3 and result["documents"] == 3
    assert set(result["modes"]) == {"hybrid", "dense", "keyword"}
    assert result["modes"]["keyword"]["ndcg@10"] == pytest.approx(1.0)
    assert result["modes"]["hybrid"]["recall@100"] == pytest.approx(1.0)
    assert not (tmp_path / "unused").exists()


def test_a_folder_that_is_not_beir_is_refused_with_what_it_needs(tmp_path):
    with pytest.raises(PolicyKBError, match="corpus.jsonl"):
        evaluate_beir(Config.from_env(embedder="fake"), tmp_path)


def test_the_policy_query_set_has_forty_varied_queries_that_the_corpus_answers(fake_searcher):
    items = [json.loads(line) for line in POLICY_QUERIES.read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 40
    assert any(not item["query"].isascii() for item in items) and any("/" in item["query"] for item in items)
    result = evaluate_queries(fake_searcher, POLICY_QUERIES, "keyword")
    assert result["queries"] == len(items) and result["hit@5"] >= 0.7


def test_cli_eval_queries_prints_the_figures(fake_index):
    result = CliRunner().invoke(main, ["--data", str(fake_index.data_dir), "eval", "queries", str(POLICY_QUERIES), "--json"],
                                env={"POLICYKB_EMBEDDER": "fake"})
    assert {"hit@1", "hit@5", "mrr@10"} <= set(json.loads(result.stdout))


@pytest.mark.integration
def test_policy_queries_with_the_real_model_find_nine_in_ten_in_the_top_five(real_searcher):
    result = evaluate_queries(real_searcher, POLICY_QUERIES)
    assert result["hit@5"] >= 0.9 and result["mrr@10"] >= 0.8, result["misses"]
