"""Procore-style rate limiting: an hourly window and a 10-second spike window.

Fixed windows that start at the first request after the previous one ended. Every API call
counts, rejected and failed ones too. The headers describe whichever window has fewer calls
left, as Procore's do.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Generous defaults so nothing but a rate-limit test ever meets them."""

    hourly: int = 100_000
    spike: int = 10_000
    hourly_window: float = 3600.0
    spike_window: float = 10.0


@dataclass(frozen=True)
class RateVerdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # Unix seconds
    retry_after: int  # seconds; meaningful when not allowed

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset),
        }


@dataclass
class _Window:
    limit: int
    length: float
    start: float = -math.inf
    count: int = 0

    def roll(self, now: float) -> None:
        if now >= self.start + self.length:
            self.start, self.count = now, 0

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def reset_at(self) -> float:
        return self.start + self.length


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self.clock = clock
        self.configure(limits)

    def configure(self, limits: RateLimits) -> None:
        """New limits, fresh windows."""
        with self._lock:
            self.limits = limits
            self._windows = (
                _Window(limits.spike, limits.spike_window),
                _Window(limits.hourly, limits.hourly_window),
            )

    def hit(self) -> RateVerdict:
        """Count one call and say whether it may be served."""
        with self._lock:
            now = self.clock()
            for window in self._windows:
                window.roll(now)
                window.count += 1
            over = [w for w in self._windows if w.count > w.limit]
            # Nearer exhaustion = fewer calls left; on a tie, the smaller share left.
            nearest = min(self._windows, key=lambda w: (w.remaining, w.remaining / w.limit))
            retry_after = max((math.ceil(w.reset_at - now) for w in over), default=0)
            return RateVerdict(
                allowed=not over,
                limit=nearest.limit,
                remaining=nearest.remaining,
                reset=math.ceil(nearest.reset_at),
                retry_after=max(retry_after, 1) if over else 0,
            )
