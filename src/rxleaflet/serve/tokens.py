"""Bearer tokens: strong enough to put a server off loopback, and guessed slowly."""

from __future__ import annotations

import math
import string
import time
from collections import OrderedDict

MIN_TOKEN_BITS = 128
FAILURES_ALLOWED = 10  # wrong tokens per client per window before it must wait
FAILURE_WINDOW_SECONDS = 60.0
CLIENTS_REMEMBERED = 10_000


def token_bits(token: str) -> float:
    """A generous estimate of a token's entropy: its length times the bits of the alphabet its
    characters come from (digits, lower, upper, other), and never more than its distinct
    characters allow ("aaaa…" is worth almost nothing)."""
    classes = (string.digits, string.ascii_lowercase, string.ascii_uppercase)
    alphabet = sum(len(c) for c in classes if any(ch in c for ch in token))
    if any(not any(ch in c for c in classes) for ch in token):
        alphabet += 32
    distinct = len(set(token))
    if not token or distinct < 2:
        return 0.0
    return len(token) * min(math.log2(alphabet), math.log2(distinct) + 1)


def token_problem(token: str) -> str | None:
    """Why ``token`` may not guard a server, or None."""
    bits = token_bits(token)
    if bits < MIN_TOKEN_BITS:
        return (
            f"the token is too easy to guess (about {bits:.0f} bits; at least {MIN_TOKEN_BITS} "
            "needed): make one with  python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return None


class Throttle:
    """Counts failed sign-ins per client; past the allowance, the client waits out the window."""

    def __init__(self, allowed: int = FAILURES_ALLOWED, window: float = FAILURE_WINDOW_SECONDS):
        self.allowed = allowed
        self.window = window
        self._failures: OrderedDict[str, list[float]] = OrderedDict()

    def _recent(self, client: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(client, []) if now - t < self.window]
        if times:
            self._failures[client] = times
            self._failures.move_to_end(client)
        else:
            self._failures.pop(client, None)
        return times

    def wait_seconds(self, client: str, now: float | None = None) -> int:
        """0 when the client may try again now, else how long it must wait."""
        now = time.monotonic() if now is None else now
        times = self._recent(client, now)
        if len(times) < self.allowed:
            return 0
        return max(1, math.ceil(self.window - (now - times[0])))

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._failures.setdefault(client, []).append(now)
        self._failures.move_to_end(client)
        while len(self._failures) > CLIENTS_REMEMBERED:
            self._failures.popitem(last=False)
