"""LastAsked: the bounded memory of the last few answers that searches, filters and the in-force filter keep."""

from __future__ import annotations

from policykb.recent import LastAsked


def test_the_earliest_asked_is_let_go_when_full_and_a_kept_answer_is_not_made_again():
    made = []
    kept: LastAsked[str, str] = LastAsked(2)

    def make(key: str):
        return lambda: made.append(key) or key.upper()

    assert [kept.get_or_make(key, make(key)) for key in ("a", "b", "a")] == ["A", "B", "A"]
    assert made == ["a", "b"]
    kept.put("c", "C")
    assert "a" not in kept and "b" in kept and kept["c"] == "C" and len(kept) == 2
    kept.put("b", "B2")  # replacing a kept key lets nothing go
    assert len(kept) == 2 and kept["b"] == "B2" and "c" in kept
