"""A bounded memory of the last few answers to work a search repeats (a facet clicked again and again, the pages of
one search): when full, the earliest asked is let go."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LastAsked(Generic[K, V]):
    """Values for the last `limit` keys asked. Not thread-safe: its owner holds its own lock around it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: dict[K, V] = {}

    def __contains__(self, key: K) -> bool:
        return key in self._kept

    def __getitem__(self, key: K) -> V:
        return self._kept[key]

    def __len__(self) -> int:
        return len(self._kept)

    def put(self, key: K, value: V) -> V:
        if key not in self._kept and len(self._kept) >= self.limit:
            self._kept.pop(next(iter(self._kept)))  # the earliest asked
        self._kept[key] = value
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        return self._kept[key] if key in self._kept else self.put(key, make())


class KeptWithin(Generic[K, V]):
    """Values for the keys asked most recently, as many as fit in `budget` by `size` (e.g. postings each holds):
    when over it, the earliest asked are let go, the last one always kept. Not thread-safe, like LastAsked."""

    def __init__(self, budget: int, size: Callable[[V], int]) -> None:
        self.budget, self._size = budget, size
        self._kept: OrderedDict[K, V] = OrderedDict()
        self.used = 0

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        value = self._kept[key] = make()
        self.used += self._size(value)
        while self.used > self.budget and len(self._kept) > 1:
            _, dropped = self._kept.popitem(last=False)
            self.used -= self._size(dropped)
        return value
