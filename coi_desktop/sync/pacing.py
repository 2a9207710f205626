"""Pacing per target: ``Retry-After`` honoured for every call, and ``X-Rate-Limit-*`` spent
locally so a small window is not overrun before its first 429.

Waits up to ``MAX_INLINE_WAIT`` are slept here; a longer one is raised as ``RetryLater``, which
the outbox turns into ``next_attempt_at``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping

from coi_desktop.sync.transport import MAX_INLINE_WAIT, RetryLater, parse_retry_after


class Pacer:
    """One per target: honours Retry-After for *every* call and paces by X-Rate-Limit-*.

    The headers say how many calls are left until a reset time; each call we send spends one
    of them locally too, so when the count reaches zero we wait for the reset *before*
    sending, instead of learning about the limit from a 429.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_inline_wait: float = MAX_INLINE_WAIT,
    ) -> None:
        self._lock = threading.Condition()
        self.clock, self.sleep, self.max_inline_wait = clock, sleep, max_inline_wait
        self.blocked_until = 0.0
        self.remaining: int | None = None
        self.reset_at = 0.0
        self.waited = 0.0  # seconds slept pacing (for the bench)
        # Until a window's size is known, one call goes first and the others wait for its
        # headers: several calls in flight could otherwise overrun a small limit unseen.
        self._probing = False
        self.in_flight = 0  # sent, not yet answered: the server may not have counted them

    def before_call(self) -> None:
        """Wait (briefly) or raise RetryLater if the target asked us to hold off."""
        with self._lock:
            while True:
                now = self.clock()
                if self.remaining is not None and self.remaining <= 0 and 0 < self.reset_at <= now:
                    # That window is over (we waited elsewhere, e.g. in the outbox): the next
                    # one's size comes with its first answer, so one call probes, not a burst.
                    self.remaining = None
                until = self.blocked_until
                if self.remaining is not None and self.remaining <= 0 and self.reset_at > now:
                    until = max(until, self.reset_at + 0.05 + random.uniform(0, 0.05))
                wait = until - now
                if wait > self.max_inline_wait:
                    raise RetryLater(
                        f"the server asked us to wait {wait:.0f} s before the next call",
                        after=wait,
                    )
                if wait > 0:
                    # The count stays spent while we wait: others must not probe meanwhile.
                    self.waited += wait
                    self._lock.wait(wait)
                    continue
                if self.remaining is None:
                    if self._probing:
                        self._lock.wait(1.0)
                        continue
                    self._probing = True
                else:
                    self.remaining -= 1
                self.in_flight += 1
                return

    def after_call(self, status: int, headers: Mapping[str, str]) -> None:
        retry_after = parse_retry_after(headers.get("Retry-After"))
        with self._lock:
            self._probing = False
            self.in_flight = max(0, self.in_flight - 1)
            self._lock.notify_all()
            remaining = headers.get("X-Rate-Limit-Remaining")
            reset = headers.get("X-Rate-Limit-Reset")
            new_reset = float(reset) if reset is not None and reset.strip().isdigit() else 0.0
            stale = bool(new_reset) and new_reset < self.reset_at  # a window already ended
            if remaining is not None and remaining.strip().isdigit():
                if not stale:
                    # Calls still in flight may not be in the server's count yet: spend them.
                    estimate = int(remaining) - self.in_flight
                    if new_reset == self.reset_at and self.remaining is not None:
                        # Answers arrive out of order: within one window the lower count wins.
                        estimate = min(estimate, self.remaining)
                    self.remaining = estimate
                    if new_reset:
                        self.reset_at = new_reset
            elif self.remaining is None and status:
                self.remaining = 1_000_000  # the target does not announce limits
            if status in (429, 503):
                if retry_after is None and status == 429 and self.reset_at > self.clock():
                    retry_after = self.reset_at - self.clock()
                wait = (retry_after if retry_after is not None else 1.0) + random.uniform(0, 0.1)
                self.blocked_until = max(self.blocked_until, self.clock() + wait)

    def after_failure(self) -> None:
        """No answer at all: let the next call probe again."""
        with self._lock:
            self._probing = False
            self.in_flight = max(0, self.in_flight - 1)
            self._lock.notify_all()
