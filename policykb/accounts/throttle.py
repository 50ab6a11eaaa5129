"""Login throttling: after MAX_FAILURES failed sign-ins for one name from one address within WINDOW seconds, further
attempts are refused until the window has passed, without checking the password.

Kept in memory, so it holds for one server process (`policykb serve` is one process with threads); several processes
behind one address would each count on their own, and a restart forgets. A name is also limited across all addresses
(NAME_FAILURES), so that guessing one account from many addresses is slowed too.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

MAX_FAILURES = 5  # per name and address
NAME_FAILURES = 50  # per name, from any address
WINDOW = 15 * 60  # seconds


class LoginThrottle:
    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def refusal(self, name: str, address: str | None) -> str | None:
        """What to say when this name may not try again from this address yet; None when it may."""
        with self._lock:
            now = self._clock()
            by_address = self._recent((name.lower(), address or ""), now)
            by_name = self._recent((name.lower(), "*"), now)
            if len(by_address) < MAX_FAILURES and len(by_name) < NAME_FAILURES:
                return None
            oldest = (by_address if len(by_address) >= MAX_FAILURES else by_name)[0]
        minutes = max(1, round((oldest + WINDOW - now) / 60))
        return f"too many failed sign-ins for {name!r}: try again in {minutes} minute(s), or ask an admin to reset the password"

    def failed(self, name: str, address: str | None) -> bool:
        """Count a failed sign-in; True when it is the one that starts refusing (worth an audit entry)."""
        with self._lock:
            now = self._clock()
            by_address = self._recent((name.lower(), address or ""), now)
            by_name = self._recent((name.lower(), "*"), now)
            by_address.append(now)
            by_name.append(now)
            return len(by_address) == MAX_FAILURES or len(by_name) == NAME_FAILURES

    def succeeded(self, name: str, address: str | None) -> None:
        with self._lock:
            self._failures.pop((name.lower(), address or ""), None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - WINDOW:
            times.popleft()
        return times
