"""Shared set-up for the sync tests (no tests here): sandbox servers, a workspace, an engine."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from coi_desktop.credentials import PROCORE_CLIENT_SECRET, Credentials
from coi_desktop.models import OutboxItem, User
from coi_desktop.review.decisions import claim, record_decision
from coi_desktop.sync.engine import SyncConfig, SyncEngine, SyncReport, config_for
from coi_desktop.sync.outbox import Backoff
from coi_desktop.sync.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxServers
from coi_desktop.workspace import Workspace, open_workspace

FAST = Backoff(base=0.02, cap=0.2)


def config_for_servers(servers: SandboxServers, user: str = "u-1", **changes: Any) -> SyncConfig:
    config = SyncConfig(
        tracker_url=servers.tracker_url,
        tracker_token=f"sandbox-token-{user}",
        procore_api_url=servers.procore_api_url,
        procore_login_url=servers.procore_login_url,
        procore_client_id=SANDBOX_CLIENT_ID,
        timeout=(1.0, 1.0),
        backoff=FAST,
        prepare_limit=0,
    )
    return replace(config, **changes)


def store_procore_secret(servers: SandboxServers) -> None:
    Credentials().set(PROCORE_CLIENT_SECRET, SANDBOX_CLIENT_SECRET, servers.procore_login_url)


def back_on_the_same_ports(servers: SandboxServers, ports: tuple[int, int]) -> SandboxServers:
    """The sandbox again after an outage: the same data and tokens, on the same ports."""
    back = SandboxServers(
        tracker_state=servers.tracker,
        procore_state=servers.procore,
        tracker_port=ports[0],
        procore_port=ports[1],
    ).start()
    back.tokens = servers.tokens
    return back


CONNECTION_ENV = (
    "COI_DESKTOP_TRACKER_URL",
    "COI_DESKTOP_TRACKER_TOKEN",
    "COI_DESKTOP_PROCORE_API_URL",
    "COI_DESKTOP_PROCORE_LOGIN_URL",
    "COI_DESKTOP_PROCORE_CLIENT_ID",
    "COI_DESKTOP_PROCORE_CLIENT_SECRET",
)


def sign_in(
    monkeypatch: pytest.MonkeyPatch,
    servers: SandboxServers,
    user_id: str,
    *,
    procore: bool = False,
) -> None:
    """Point the app at the sandbox tracker as ``user_id`` (and at its Procore, with the client
    secret in the keyring, when asked) through the environment, restored after the test."""
    monkeypatch.setenv("COI_DESKTOP_TRACKER_URL", servers.tracker_url)
    monkeypatch.setenv("COI_DESKTOP_TRACKER_TOKEN", servers.tokens[user_id])
    if procore:
        monkeypatch.setenv("COI_DESKTOP_PROCORE_API_URL", servers.procore_api_url)
        monkeypatch.setenv("COI_DESKTOP_PROCORE_LOGIN_URL", servers.procore_login_url)
        monkeypatch.setenv("COI_DESKTOP_PROCORE_CLIENT_ID", SANDBOX_CLIENT_ID)
        store_procore_secret(servers)


def expect_the_demo_to_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo writes the connection variables into ``os.environ`` itself; blank them through
    ``monkeypatch`` first so that they are restored after the test."""
    for name in CONNECTION_ENV:
        monkeypatch.setenv(name, "")


def sync_once(workspace: Workspace) -> SyncReport:
    """One pass of the engine with the home's own settings, as the worker runs it (no
    pre-check: that is the pipeline tests' job)."""
    engine = SyncEngine(
        workspace.database,
        workspace.documents,
        config_for(workspace.connection, workspace.credentials, prepare_limit=0),
    )
    try:
        return engine.run_once()
    finally:
        engine.close()


@contextmanager
def engine_for(
    servers: SandboxServers, home: Path, **changes: Any
) -> Iterator[tuple[Workspace, SyncEngine]]:
    store_procore_secret(servers)
    workspace = open_workspace(home)
    engine = SyncEngine(
        workspace.database, workspace.documents, config_for_servers(servers, **changes)
    )
    try:
        yield workspace, engine
    finally:
        engine.close()
        workspace.close()


def decide(
    workspace: Workspace,
    sub_id: str,
    outcome: str = "compliant",
    *,
    user_id: str = "u-1",
    with_claim: bool = True,
    note: str | None = None,
    policies: list[dict[str, Any]] | None = None,
) -> str:
    """Claim (optionally) and decide as the GUI does; returns the decision item's id."""
    with workspace.database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        if with_claim:
            claim(session, sub_id, user)
        decision = record_decision(
            session,
            sub_id,
            outcome,
            user,
            note=note or ("not a certificate" if outcome == "rejected" else None),
            deficiencies=["GL each occurrence $500,000 is below the required $1,000,000"]
            if outcome == "non_compliant"
            else None,
        )
        if policies is not None:
            decision.policies = policies
        session.flush()
        item = session.query(OutboxItem).filter(OutboxItem.decision_id == decision.id).one()
        return item.id


def items(workspace: Workspace) -> list[OutboxItem]:
    with workspace.database.session() as session:
        return list(session.query(OutboxItem).order_by(OutboxItem.seq))


def item(workspace: Workspace, item_id: str) -> OutboxItem:
    with workspace.database.session() as session:
        return session.query(OutboxItem).filter(OutboxItem.id == item_id).one()


GL_POLICY = {
    "coverage": "general_liability",
    "insurer": "Hartford Fire Insurance Co",
    "naic": "19682",
    "policy_number": "CGL1234567",
    "effective_date": "2026-01-01",
    "expiration_date": "2027-01-01",
    "limits": {"each_occurrence": 1000000, "general_aggregate": 2000000},
}
WC_POLICY = {
    "coverage": "workers_compensation",
    "insurer": "Zurich",
    "naic": "16535",
    "policy_number": "WC778",
    "effective_date": "2026-01-01",
    "expiration_date": "2027-01-01",
    "limits": {"el_each_accident": 1000000},
}


def assert_no_duplicates(servers: SandboxServers) -> None:
    per_key = servers.tracker.decisions_per_key()
    assert all(count == 1 for count in per_key.values()), per_key
    per_origin = servers.procore.records_per_origin_id()
    assert all(count == 1 for count in per_origin.values()), per_origin


def rng() -> random.Random:
    return random.Random(3)
