"""The demo's sync loop: the generated world served by the sandbox, pulled into the home.

The process environment (of this process only) points the app at the sandbox with its
fake, loopback-only credentials; the first inbound pass fills the home through the same
code as a real sync. The world's seed and clock are kept in the home so a resumed demo
serves the same world again.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coi_desktop.models import AppState
from coi_desktop.settings import (
    ENV_PROCORE_API_URL,
    ENV_PROCORE_CLIENT_ID,
    ENV_PROCORE_LOGIN_URL,
    ENV_TRACKER_URL,
)
from coi_desktop.sync.engine import SyncEngine, config_for
from coi_desktop.sync.sandbox.seed import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from coi_desktop.sync.sandbox.server import SandboxServers
from coi_desktop.workspace import Workspace, open_workspace

log = logging.getLogger(__name__)

DEMO_WORLD_KEY = "demo_world"
DEMO_SEED = 7


def demo_world_facts(workspace: Workspace) -> tuple[int, datetime]:
    """The seed and clock of this home's demo world, chosen once and then kept."""
    with workspace.database.session() as session:
        row = session.get(AppState, DEMO_WORLD_KEY)
        if row is not None and isinstance(row.value.get("now"), str):
            return int(row.value.get("seed", DEMO_SEED)), datetime.fromisoformat(row.value["now"])
        now = datetime.now(UTC).replace(microsecond=0)
        session.add(AppState(key=DEMO_WORLD_KEY, value={"seed": DEMO_SEED, "now": now.isoformat()}))
        return DEMO_SEED, now


def point_environment_at(servers: SandboxServers, user_id: str) -> None:
    """Sandbox-only credentials, in this process's environment only (never written)."""
    os.environ[ENV_TRACKER_URL] = servers.tracker_url
    os.environ["COI_DESKTOP_TRACKER_TOKEN"] = servers.tokens[user_id]
    os.environ[ENV_PROCORE_API_URL] = servers.procore_api_url
    os.environ[ENV_PROCORE_LOGIN_URL] = servers.procore_login_url
    os.environ[ENV_PROCORE_CLIENT_ID] = SANDBOX_CLIENT_ID
    os.environ["COI_DESKTOP_PROCORE_CLIENT_SECRET"] = SANDBOX_CLIENT_SECRET


def demo_user(world: Any, role: str) -> dict[str, Any]:
    """The world's first user with ``role`` (reviewer, lead or read_only): whom the demo is."""
    for user in world.users:
        if user.get("role") == role:
            return dict(user)
    raise ValueError(f"the demo world has no user with the role {role!r}")


def start_demo_sandbox(home: Path, world: Any = None, *, role: str = "reviewer") -> SandboxServers:
    """Build (or rebuild) the world, serve it, point the app at it as a ``role`` user, and
    pull it in (the pull also tells the home who is signed in)."""
    workspace = open_workspace(home)
    try:
        seed, now = demo_world_facts(workspace)
        if world is None:
            from coi_desktop.demo import build_demo_world

            world = build_demo_world(now, seed=seed)
        servers = SandboxServers(world=world).start()
        try:
            point_environment_at(servers, str(demo_user(world, role)["id"]))
            engine = SyncEngine(
                workspace.database,
                workspace.documents,
                config_for(workspace.connection, workspace.credentials, prepare_limit=0),
            )
            try:
                report = engine.run_once()
            finally:
                engine.close()
            log.info("demo sync: %d submissions received", report.inbound.pulled)
        except BaseException:
            servers.stop()
            raise
        return servers
    finally:
        workspace.close()
