"""Retrieval evaluation: the metrics, tiny BEIR and ALQAC folders end to end, and the policy query set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykb.cli import main
from policykb.config import Config
from policykb.errors import PolicyKBError
from policykb.eval.retrieval import (
    evaluate_alqac,
    evaluate_beir,
    evaluate_queries,
    load_alqac,
    mrr_at,
    ndcg_at,
    recall_at,
)
from policykb.eval.sets import POLICY_QUERIES


def test_metrics_match_hand_computed_values():
    relevant = {"a": 1, "b": 1}
    assert ndcg_at(["a", "b", "c"], relevant) == pytest.approx(1.0)
    assert ndcg_at(["c", "a"], relevant) == pytest.approx((1 / 1.5849625) / (1 + 1 / 1.5849625))
    assert recall_at(["a", "x"], relevant) == 0.5
    assert mrr_at(["x", "y", "b"], relevant) == pytest.approx(1 / 3)
    assert mrr_at(["x"] * 10 + ["a"], relevant) == 0.0


def _tiny_beir(folder: Path) -> Path:
    docs = [
        ("d1", "Pension reform", "The reform raises the social pension for older people in rural areas."),
        ("d2", "Child benefit", "A universal child benefit supports families with young children."),
        ("d3", "Unemployment insurance", "Jobless workers receive unemployment insurance and career training."),
    ]
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": i, "title": t, "text": x}) for i, t, x in docs), encoding="utf-8"
    )
    queries = [
        ("q1", "social pension for older people", "d1"),
        ("q2", "benefit for families with children", "d2"),
        ("q3", "insurance for jobless workers", "d3"),
    ]
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": q, "text": t}) for q, t, _ in queries), encoding="utf-8"
    )
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, _, d in queries)
    )
    return folder


def test_beir_evaluation_scores_every_mode_on_a_tiny_data_set(tmp_path):
    result = evaluate_beir(
        Config.from_env(data_dir=tmp_path / "unused", embedder="fake"), _tiny_beir(tmp_path / "beir")
    )
    assert result["queries"] == 3 and result["documents"] == 3
    assert set(result["modes"]) == {"hybrid", "dense", "keyword"}
    assert result["modes"]["keyword"]["ndcg@10"] == pytest.approx(1.0)
    assert result["modes"]["hybrid"]["recall@100"] == pytest.approx(1.0)
    assert not (tmp_path / "unused").exists()


def test_a_folder_that_is_not_beir_is_refused_with_what_it_needs(tmp_path):
    with pytest.raises(PolicyKBError, match="corpus.jsonl"):
        evaluate_beir(Config.from_env(embedder="fake"), tmp_path)


def _tiny_alqac(folder: Path) -> Path:
    laws = [
        {
            "id": "Luật Cư trú",
            "articles": [
                {
                    "id": "1",
                    "text": "Phạm vi điều chỉnh\n\nLuật này quy định về việc thực hiện quyền tự do cư trú của công dân.",
                },
                {
                    "id": "20",
                    "text": "Điều kiện đăng ký thường trú\n\nCông dân có chỗ ở hợp pháp thì được đăng ký thường trú.",
                },
            ],
        },
        {
            "id": "Luật Du lịch",
            "articles": [
                {
                    "id": "54",
                    "text": "Dịch vụ du lịch khác\n\nDịch vụ ăn uống, dịch vụ mua sắm, dịch vụ thể thao, dịch vụ chăm sóc sức khỏe.",
                }
            ],
        },
        {"id": "Hiến pháp", "articles": []},
    ]
    questions = [
        {
            "question_id": "DS-1",
            "question_type": "Đúng/Sai",
            "text": "Công dân có chỗ ở hợp pháp được đăng ký thường trú, đúng hay sai?",
            "relevant_articles": [{"law_id": "Luật Cư trú", "article_id": "20"}],
            "answer": "Đúng",
        },
        {
            "question_id": "TN-1",
            "question_type": "Trắc nghiệm",
            "text": "Các loại dịch vụ du lịch khác bao gồm?",
            "choices": {"A": "Dịch vụ thể thao.", "B": "Dịch vụ ăn uống.", "C": "Cả hai"},
            "relevant_articles": [{"law_id": "Luật Du lịch", "article_id": "54"}],
            "answer": "C",
        },
    ]
    folder.mkdir(parents=True)
    (folder / "law.json").write_text(json.dumps(laws, ensure_ascii=False), encoding="utf-8")
    (folder / "train.json").write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    return folder


def test_alqac_articles_become_documents_titled_with_their_article_and_law(tmp_path):
    corpus, queries, qrels = load_alqac(_tiny_alqac(tmp_path / "alqac"))
    assert [doc["title"] for doc in corpus] == [
        "Điều 1 — Luật Cư trú",
        "Điều 20 — Luật Cư trú",
        "Điều 54 — Luật Du lịch",
    ]
    assert qrels == {"DS-1": {"luat-cu-tru-20": 1}, "TN-1": {"luat-du-lich-54": 1}}
    assert queries["TN-1"].endswith("Dịch vụ thể thao. Dịch vụ ăn uống. Cả hai")


def test_alqac_evaluation_scores_every_mode_and_a_kept_index_is_reused(tmp_path):
    config = Config.from_env(data_dir=tmp_path / "unused", embedder="fake")
    folder = _tiny_alqac(tmp_path / "alqac")
    first = evaluate_alqac(config, folder, data_dir=tmp_path / "kept")
    assert first["queries"] == 2 and first["documents"] == 3
    assert set(first["modes"]) == {"hybrid", "dense", "keyword"}
    assert set(first["modes"]["keyword"]) == {"recall@10", "mrr@10", "ndcg@10"}
    assert first["modes"]["keyword"]["mrr@10"] == pytest.approx(1.0)
    again = evaluate_alqac(config, folder, data_dir=tmp_path / "kept")
    assert again["chunks"] is None and again["modes"] == first["modes"]  # nothing written twice
    assert not (tmp_path / "unused").exists()


def test_a_folder_that_is_not_alqac_is_refused_with_what_it_needs(tmp_path):
    with pytest.raises(PolicyKBError, match="law.json and train.json"):
        evaluate_alqac(Config.from_env(embedder="fake"), tmp_path)


def test_cli_eval_alqac_prints_one_row_per_mode(tmp_path):
    folder = _tiny_alqac(tmp_path / "alqac")
    result = CliRunner().invoke(main, ["eval", "alqac", str(folder)], env={"POLICYKB_EMBEDDER": "fake"})
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[1] == ["mode", "recall@10", "mrr@10", "ndcg@10"]
    assert [row[0] for row in rows[2:]] == ["hybrid", "dense", "keyword"]


def test_the_policy_query_set_has_forty_varied_queries_that_the_corpus_answers(fake_searcher):
    items = [json.loads(line) for line in POLICY_QUERIES.read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 40
    assert any(not item["query"].isascii() for item in items) and any("/" in item["query"] for item in items)
    result = evaluate_queries(fake_searcher, POLICY_QUERIES, "keyword")
    assert result["queries"] == len(items) and result["hit@5"] >= 0.7


def test_cli_eval_queries_prints_the_figures(fake_index):
    result = CliRunner().invoke(
        main,
        ["--data", str(fake_index.data_dir), "eval", "queries", str(POLICY_QUERIES), "--json"],
        env={"POLICYKB_EMBEDDER": "fake"},
    )
    assert {"hit@1", "hit@5", "mrr@10"} <= set(json.loads(result.stdout))


@pytest.mark.integration
def test_policy_queries_with_the_real_model_find_nine_in_ten_in_the_top_five(real_searcher):
    result = evaluate_queries(real_searcher, POLICY_QUERIES)
    assert result["hit@5"] >= 0.9 and result["mrr@10"] >= 0.8, result["misses"]


def test_query_figures_are_given_per_language_when_the_items_say_theirs(fake_searcher, tmp_path):
    items = [
        {
            "query": "partnership group coordinating agency",
            "doc": "000_0b935866529ff4c2",
            "phrase": "Coordinating agency",
            "language": "en",
        },
        {
            "query": "nhóm đối tác điều phối",
            "doc": "000_0b935866529ff4c2",
            "phrase": "no passage says this",
            "language": "vi",
        },
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in items), encoding="utf-8")
    result = evaluate_queries(fake_searcher, path, "keyword")
    assert result["by_language"]["vi"] == {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0}
    assert result["by_language"]["en"]["hit@5"] == 1.0
    assert result["hit@5"] == 0.5
