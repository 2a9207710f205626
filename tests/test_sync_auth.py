"""Procore OAuth: the installed-app sign-in, single-use refresh tokens, a lost refresh answer."""

from __future__ import annotations

from pathlib import Path

from coi_desktop.credentials import PROCORE_TOKENS, Credentials
from coi_desktop.sync.engine import run_until_settled
from coi_desktop.sync.procore_auth import ProcoreAuth
from coi_desktop.sync.sandbox import SANDBOX_CLIENT_ID, Fault, FaultKind, SandboxServers
from tests.test_sync_helpers import GL_POLICY, decide, engine_for, item, store_procore_secret


def _sign_in(servers: SandboxServers) -> dict[str, object]:
    store_procore_secret(servers)
    auth = ProcoreAuth(servers.procore_login_url, SANDBOX_CLIENT_ID, grant="refresh_token")
    assert "redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in auth.authorize_url()
    auth.sign_in_with_code(servers.procore.oauth.mint_authorization_code(SANDBOX_CLIENT_ID))
    tokens = Credentials().get_json(PROCORE_TOKENS, servers.procore_login_url)
    assert tokens is not None and tokens["refresh_token"]
    return tokens


def test_refresh_token_is_used_once_and_the_new_pair_is_stored_first(
    servers: SandboxServers, coi_home: Path
) -> None:
    first = _sign_in(servers)
    with engine_for(servers, coi_home, procore_auth="installed_app") as (workspace, engine):
        engine.run_once()
        item_id = decide(workspace, "s-1042", policies=[GL_POLICY])
        servers.procore.oauth.expire_all_access_tokens()
        report = run_until_settled(engine, max_seconds=10)
        assert report.exit_code == 0, (report.stopped, report.attention)
        assert item(workspace, item_id).state == "delivered"
    second = Credentials().get_json(PROCORE_TOKENS, servers.procore_login_url)
    assert second is not None
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    # The old refresh token is dead; the stored one works exactly once.
    assert not servers.procore.oauth.redeem_refresh_token(
        str(first["refresh_token"]), SANDBOX_CLIENT_ID
    )
    assert servers.procore.oauth.redeem_refresh_token(
        str(second["refresh_token"]), SANDBOX_CLIENT_ID
    )


def test_a_lost_refresh_answer_asks_to_sign_in_and_never_loops(
    servers: SandboxServers, coi_home: Path
) -> None:
    _sign_in(servers)
    with engine_for(servers, coi_home, procore_auth="installed_app") as (workspace, engine):
        engine.run_once()
        item_id = decide(workspace, "s-1042", policies=[GL_POLICY])
        servers.procore.oauth.expire_all_access_tokens()
        servers.procore_faults.push(Fault(FaultKind.DROP_AFTER_APPLY, path="/oauth/token"))
        report = engine.run_once()
        assert report.exit_code == 2
        assert "sign in again" in report.stopped["procore"]
        assert "lost" in report.stopped["procore"]
        assert Credentials().get_json(PROCORE_TOKENS, servers.procore_login_url) is None
        # The tracker got the decision; Procore waits for the person, untouched.
        assert len(servers.tracker.decisions()) == 1
        waiting = item(workspace, item_id)
        assert (waiting.state, waiting.stage) == ("pending", "procore")
        # Another pass does not try the token endpoint again (the trap stays unsprung).
        servers.procore_faults.push(Fault(FaultKind.ERROR_500, path="/oauth/token"))
        assert engine.run_once().exit_code == 2
        assert servers.procore_faults.injected["500"] == 0
        # Signing in again resumes delivery.
        servers.procore_faults.clear()
        _sign_in(servers)
        assert run_until_settled(engine, max_seconds=10).exit_code == 0
        assert item(workspace, item_id).state == "delivered"


def test_a_wrong_client_secret_stops_procore_with_a_clear_message(
    servers: SandboxServers, coi_home: Path
) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        from coi_desktop.credentials import PROCORE_CLIENT_SECRET

        Credentials().set(PROCORE_CLIENT_SECRET, "wrong", servers.procore_login_url)
        engine.run_once()
        decide(workspace, "s-1042", policies=[GL_POLICY])
        report = engine.run_once()
        assert report.exit_code == 2
        assert "Client authentication failed" in report.stopped["procore"]
