"""Each injected fault looks on the wire the way the real failure does."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from coi_desktop.sync.sandbox import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    Fault,
    FaultInjector,
    FaultKind,
    FaultPlan,
    SandboxServers,
    run_sandbox,
)
from coi_desktop.sync.sandbox.faults import COMMON_KINDS
from tests.sandbox_world import TinyWorld, token


def me(servers: SandboxServers, http: requests.Session, timeout: float = 5) -> requests.Response:
    return http.get(servers.tracker_url + "/me", headers=token("u-1"), timeout=timeout)


def decide(
    servers: SandboxServers, http: requests.Session, key: str, version: int = 1
) -> requests.Response:
    body = {"outcome": "compliant", "decided_by": "u-1", "decided_at": "2026-11-21T11:30:00Z"}
    return http.put(
        servers.tracker_url + "/submissions/s-1042/decision",
        json=body,
        timeout=5,
        headers={**token("u-1"), "Idempotency-Key": key, "If-Match": str(version)},
    )


@pytest.mark.parametrize(
    ("kind", "status"), [(FaultKind.ERROR_500, 500), (FaultKind.ERROR_502, 502)]
)
def test_server_errors_are_not_applied(
    servers: SandboxServers, http: requests.Session, kind: FaultKind, status: int
) -> None:
    servers.tracker_faults.push(Fault(kind))
    assert decide(servers, http, "k-1").status_code == status
    assert servers.tracker.decisions() == []
    assert decide(servers, http, "k-1").status_code == 201  # one-shot: the next one passes


def test_503_and_429_carry_retry_after(servers: SandboxServers, http: requests.Session) -> None:
    servers.tracker_faults.push(
        Fault(FaultKind.UNAVAILABLE_503, retry_after=7),
        Fault(FaultKind.RATE_LIMIT_429, retry_after=3, count=3),
    )
    unavailable = me(servers, http)
    assert (unavailable.status_code, unavailable.headers["Retry-After"]) == (503, "7")
    burst = [me(servers, http) for _ in range(4)]
    assert [a.status_code for a in burst] == [429, 429, 429, 200]
    assert burst[0].headers["Retry-After"] == "3"


def test_delay_outlasts_the_client_timeout_and_then_applies(
    servers: SandboxServers, http: requests.Session
) -> None:
    servers.tracker_faults.push(Fault(FaultKind.DELAY, method="POST", delay_seconds=0.6))
    with pytest.raises(requests.Timeout):
        http.post(
            servers.tracker_url + "/submissions/s-1042/claim", headers=token("u-1"), timeout=0.2
        )
    deadline = time.monotonic() + 3
    while servers.tracker.submission("s-1042")["status"] != "in_review":  # type: ignore[index]
        assert time.monotonic() < deadline, "the delayed claim never landed"
        time.sleep(0.05)


def test_dropped_connection_after_the_write_applied(
    servers: SandboxServers, http: requests.Session
) -> None:
    key = str(uuid.uuid4())
    servers.tracker_faults.push(Fault(FaultKind.DROP_AFTER_APPLY, method="PUT", path="/decision"))
    assert me(servers, http).status_code == 200  # does not match: passes untouched
    with pytest.raises(requests.ConnectionError):
        decide(servers, http, key)
    assert servers.tracker.submission("s-1042")["status"] == "compliant"  # type: ignore[index]
    # The client's retry with the same key gets the stored answer, not a conflict.
    retry = decide(servers, http, key)
    assert retry.status_code == 201
    assert servers.tracker.decisions_per_key() == {key: 1}


def test_malformed_json_is_a_200_the_client_cannot_parse(
    servers: SandboxServers, http: requests.Session
) -> None:
    servers.tracker_faults.push(Fault(FaultKind.MALFORMED_JSON, path="/claim"))
    answer = http.post(
        servers.tracker_url + "/submissions/s-1042/claim", headers=token("u-1"), timeout=5
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        json.loads(answer.content)
    assert servers.tracker.submission("s-1042")["assigned_to"] == "u-1"  # type: ignore[index]


def test_forced_token_expiry_gets_401_until_refreshed(
    servers: SandboxServers, http: requests.Session
) -> None:
    code = servers.procore.oauth.mint_authorization_code(SANDBOX_CLIENT_ID)
    login = servers.procore_login_url + "/oauth/token"
    creds = {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET}
    tokens = http.post(
        login,
        timeout=5,
        data={
            **creds,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        },
    ).json()

    def vendors(access: str) -> requests.Response:
        return http.get(
            servers.procore_api_url + "/rest/v1.0/vendors",
            timeout=5,
            params={"company_id": 4280},
            headers={"Authorization": f"Bearer {access}", "Procore-Company-Id": "4280"},
        )

    servers.procore_faults.push(Fault(FaultKind.TOKEN_EXPIRY))
    assert vendors(tokens["access_token"]).status_code == 401
    assert vendors(tokens["access_token"]).status_code == 401  # it stays expired
    fresh = http.post(
        login,
        timeout=5,
        data={**creds, "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    ).json()
    assert vendors(fresh["access_token"]).status_code == 200


def test_procore_faults_count_against_the_rate_limit(
    servers: SandboxServers, http: requests.Session
) -> None:
    access = http.post(
        servers.procore_login_url + "/oauth/token",
        timeout=5,
        data={
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    ).json()["access_token"]
    servers.procore_faults.push(Fault(FaultKind.UNAVAILABLE_503, retry_after=2))
    answer = http.get(
        servers.procore_api_url + "/rest/v1.0/projects",
        timeout=5,
        params={"company_id": 4280},
        headers={"Authorization": f"Bearer {access}", "Procore-Company-Id": "4280"},
    )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
    assert "X-Rate-Limit-Remaining" in answer.headers
    assert servers.procore.counters_snapshot()["by_status"] == {"503": 1}


def test_tracker_refuses_procore_only_faults() -> None:
    with pytest.raises(ValueError, match="token_expiry"):
        FaultInjector(COMMON_KINDS).push(Fault(FaultKind.TOKEN_EXPIRY))


def test_random_plan_is_repeatable_with_a_seed() -> None:
    def draws(seed: int) -> list[str | None]:
        injector = FaultInjector(COMMON_KINDS)
        injector.set_plan(FaultPlan(rate=0.5, seed=seed))
        picks = [injector.pick("GET", "/api/v1/me") for _ in range(200)]
        return [str(p.kind) if p else None for p in picks]

    first = draws(7)
    assert first == draws(7)
    share = sum(p is not None for p in first) / len(first)
    assert 0.35 < share < 0.65
    assert {p for p in first if p} == {str(k) for k in COMMON_KINDS}


def test_random_429_comes_in_bursts() -> None:
    injector = FaultInjector(COMMON_KINDS)
    injector.set_plan(FaultPlan(rate=1.0, kinds=(FaultKind.RATE_LIMIT_429,), burst=3, seed=1))
    injector.pick("GET", "/x")
    injector.clear()  # stops new random faults, but also drops the queued rest of the burst
    assert injector.pick("GET", "/x") is None
    injector.set_plan(FaultPlan(rate=1.0, kinds=(FaultKind.RATE_LIMIT_429,), burst=3, seed=1))
    injector.pick("GET", "/x")
    assert len(injector.snapshot()["queued"]) == 1
    assert injector.snapshot()["queued"][0]["left"] == 2


def test_plan_at_rate_one_hits_every_api_call_but_never_admin(
    servers: SandboxServers, http: requests.Session
) -> None:
    servers.tracker_faults.set_plan(FaultPlan(rate=1.0, kinds=(FaultKind.ERROR_500,)))
    assert me(servers, http).status_code == 500
    snapshot = http.get(servers.tracker_root + "/_sandbox/faults", timeout=5)
    assert snapshot.status_code == 200
    assert snapshot.json()["injected"] == {"500": 1}
    servers.tracker_faults.clear()
    assert me(servers, http).status_code == 200


def test_faults_over_the_admin_http_endpoint(
    servers: SandboxServers, http: requests.Session
) -> None:
    admin = servers.tracker_root + "/_sandbox/faults"
    configured = http.post(
        admin,
        timeout=5,
        json={
            "queue": [{"kind": "503", "path": "/me", "retry_after": 4}],
            "plan": {"rate": 0.0, "kinds": ["500", "drop_after_apply"], "seed": 3},
        },
    )
    assert configured.status_code == 200
    body: dict[str, Any] = configured.json()
    assert body["plan"]["kinds"] == ["500", "drop_after_apply"]
    assert body["queued"][0]["kind"] == "503"
    assert me(servers, http).status_code == 503
    assert me(servers, http).status_code == 200
    refused = http.post(admin, json={"queue": [{"kind": "token_expiry"}]}, timeout=5)
    assert refused.status_code == 400
    assert http.post(admin, json={"queue": [{"kind": "meteor"}]}, timeout=5).status_code == 400
    assert http.post(admin, json={"clear": True}, timeout=5).json()["queued"] == []
    procore_admin = servers.procore_root + "/_sandbox/faults"
    assert (
        http.post(procore_admin, json={"queue": [{"kind": "token_expiry"}]}, timeout=5).status_code
        == 200
    )


def test_stop_does_not_wait_for_a_delayed_request(http: requests.Session) -> None:
    running = SandboxServers(world=TinyWorld()).start()
    running.tracker_faults.push(Fault(FaultKind.DELAY, delay_seconds=30))
    with pytest.raises(requests.Timeout):
        me(running, http, timeout=0.2)
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 2


def test_foreground_sandbox_takes_faults_from_another_process(http: requests.Session) -> None:
    """``run_sandbox`` in a subprocess: banner, serving, admin faults over HTTP, Ctrl+C → 0."""
    tests_dir = Path(__file__).resolve().parent
    script = (
        "from sandbox_world import TinyWorld\n"
        "from coi_desktop.sync.sandbox import run_sandbox\n"
        "raise SystemExit(run_sandbox(tracker_port=0, procore_port=0, world=TinyWorld()))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests_dir), str(tests_dir.parent)])}
    # A shell that started the test run in the background ignores SIGINT, and the child
    # would inherit that: give it the default handling a terminal's Ctrl+C meets.
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        banner = []
        for line in proc.stdout:
            banner.append(line)
            if "Ctrl+C" in line:
                break
        text = "".join(banner)
        tracker_url = re.search(r"tracker\s+(http://127\.0\.0\.1:\d+/api/v1)", text)
        assert tracker_url is not None, text
        assert "sandbox-token-u-1" in text
        assert SANDBOX_CLIENT_SECRET in text
        url = tracker_url.group(1)
        root = url.removesuffix("/api/v1")
        http.post(root + "/_sandbox/faults", json={"queue": [{"kind": "502"}]}, timeout=5)
        assert http.get(url + "/me", headers=token("u-1"), timeout=5).status_code == 502
        assert http.get(url + "/me", headers=token("u-1"), timeout=5).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_sandbox_refuses_a_taken_port_and_any_non_loopback_host() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run_sandbox(tracker_port=port, procore_port=0, world=TinyWorld()) == 1
    with pytest.raises(ValueError, match="loopback"):
        SandboxServers(host="0.0.0.0").start()
