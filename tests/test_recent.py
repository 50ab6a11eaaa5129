"""LastAsked: the bounded memory of the last few answers that searches, filters and the in-force filter keep."""

from __future__ import annotations

from policykb.recent import KeptWithin, LastAsked


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


def test_values_kept_within_a_budget_let_the_earliest_go_and_always_keep_the_last():
    made = []
    kept: KeptWithin[str, list[int]] = KeptWithin(5, len)

    def make(key: str, size: int):
        return lambda: made.append(key) or list(range(size))

    kept.get_or_make("a", make("a", 2))
    kept.get_or_make("b", make("b", 3))
    assert kept.used == 5
    kept.get_or_make("a", make("a", 2))  # kept: not made again, and now the latest asked
    kept.get_or_make("c", make("c", 2))  # over budget: "b", the earliest asked, goes
    assert made == ["a", "b", "c"] and kept.used == 4
    kept.get_or_make("b", make("b", 3))
    assert made[-1] == "b"
    kept.get_or_make("big", make("big", 9))  # larger than the budget alone: kept, everything else let go
    assert kept.used == 9
