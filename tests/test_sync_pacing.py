"""The pacer under parallel calls: a small Procore window is never overrun once it is known."""

from __future__ import annotations

import threading

import pytest
import requests

from coi_desktop.sync.pacing import Pacer
from coi_desktop.sync.sandbox import RateLimits, SandboxServers
from coi_desktop.sync.transport import RetryLater, send


@pytest.fixture
def sandbox_world() -> None:
    """Unseeded: the pacer needs only a Procore to answer."""
    return None


def test_eight_threads_never_overrun_a_six_per_second_window(servers: SandboxServers) -> None:
    servers.procore.set_rate_limits(RateLimits(hourly=100_000, spike=6, spike_window=1.0))
    # X-Rate-Limit-Reset is in whole seconds: a 1 s window that opens just after a second
    # turns reads as ending almost 2 s later, and a 2 s limit then sent every waiting
    # call back with RetryLater (1 run in ~10). Waiting up to 3 s covers any start.
    pacer = Pacer(max_inline_wait=3.0)
    # Unauthenticated calls count against the limit and carry its headers, as Procore's do;
    # what matters here is only whether any of them is a 429.
    url = f"{servers.procore_api_url}/rest/v1.0/projects?company_id=1"
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with requests.Session() as session:
            for _ in range(4):
                try:
                    reply = send(session, pacer, "GET", url, what="projects", raw=True)
                except RetryLater as exc:  # a 429 arrives here; a pacing wait too
                    status = 429 if "rate limit" in str(exc) else 0
                else:
                    status = reply.status
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses.count(401) >= 12  # at least two windows' worth were answered
    assert 429 not in statuses
    assert servers.procore.counters_snapshot()["rate_limited"] == 0
