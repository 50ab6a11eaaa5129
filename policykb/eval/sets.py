"""Where the project's own evaluation sets are: the policy query set, the owners gold and questions, and the
documents the owners set is written over (beside the bundled corpus)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
POLICY_QUERIES = DATA / "policy_queries.jsonl"
OWNERS_GOLD = DATA / "owners_gold.jsonl"
OWNERS_QUESTIONS = DATA / "owners_questions.jsonl"
OWNERS_DOCUMENTS = DATA / "owners_documents"
