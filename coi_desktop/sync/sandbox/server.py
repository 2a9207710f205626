"""Start and stop the sandbox tracker and Procore emulator on loopback.

:class:`SandboxServers` runs both in daemon threads (tests, ``coi-desktop --demo``);
:func:`run_sandbox` runs them in the foreground for ``coi-desktop sandbox``.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

from coi_desktop.sync.sandbox.faults import FaultInjector
from coi_desktop.sync.sandbox.procore import LOGIN_PREFIX, ProcoreApp
from coi_desktop.sync.sandbox.procore_state import ProcoreState
from coi_desktop.sync.sandbox.seed import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_COMPANY_ID,
    SANDBOX_COMPANY_NAME,
    seed_procore,
    seed_tracker,
)
from coi_desktop.sync.sandbox.tracker import API_PREFIX as TRACKER_API_PREFIX
from coi_desktop.sync.sandbox.tracker import TrackerApp
from coi_desktop.sync.sandbox.tracker_state import TrackerState
from coi_desktop.sync.sandbox.wsgi import ServerThread

__all__ = ["SandboxServers", "run_sandbox"]


class SandboxServers:
    """Both sandbox servers on 127.0.0.1; a context manager that stops them on exit.

    ``world`` (optional) seeds both; ``tokens`` then maps user id → tracker bearer token.
    """

    def __init__(
        self,
        *,
        world: Any = None,
        tracker_state: TrackerState | None = None,
        procore_state: ProcoreState | None = None,
        tracker_port: int = 0,
        procore_port: int = 0,
        host: str = "127.0.0.1",
        verbose: bool = False,
    ) -> None:
        self.tracker = tracker_state or TrackerState()
        self.procore = procore_state or ProcoreState()
        self.tokens: dict[str, str] = {}
        self.procore_company_id: int = int(
            getattr(world, "procore_company_id", None) or SANDBOX_COMPANY_ID
        )
        if world is not None:
            self.tokens = seed_tracker(self.tracker, world)
            seed_procore(self.procore, world, company_id=self.procore_company_id)
        else:
            # A usable Procore login and company even before anything is seeded.
            self.procore.oauth.add_client(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
            self.procore.add_company(SANDBOX_COMPANY_ID, SANDBOX_COMPANY_NAME)
        self.tracker_app = TrackerApp(self.tracker)
        self.procore_app = ProcoreApp(self.procore)
        self._host, self._ports, self._verbose = host, (tracker_port, procore_port), verbose
        self._threads: list[ServerThread] = []

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SandboxServers:
        if self._threads:
            return self
        for app in (self.tracker_app, self.procore_app):
            app.faults.stopping.clear()  # a restarted sandbox delays again
        try:
            self._threads = [
                ServerThread(self.tracker_app, self._host, self._ports[0], verbose=self._verbose),
            ]
            self._threads.append(
                ServerThread(self.procore_app, self._host, self._ports[1], verbose=self._verbose)
            )
        except BaseException:
            self.stop()
            raise
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Shut both servers down and join their threads; safe to call twice."""
        for app in (self.tracker_app, self.procore_app):
            app.faults.stopping.set()  # release requests held by DELAY faults
        # Both at once: each shutdown waits up to one poll interval for its serve loop.
        stoppers = [threading.Thread(target=t.stop, daemon=True) for t in self._threads]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        self._threads = []

    def __enter__(self) -> SandboxServers:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- where they are --------------------------------------------------------------------

    def _base(self, index: int) -> str:
        if not self._threads:
            raise RuntimeError("the sandbox servers are not running")
        return self._threads[index].base_url

    @property
    def tracker_root(self) -> str:
        """Scheme, host and port; the admin routes live under ``/_sandbox``."""
        return self._base(0)

    @property
    def tracker_url(self) -> str:
        return self._base(0) + TRACKER_API_PREFIX

    @property
    def procore_root(self) -> str:
        return self._base(1)

    @property
    def procore_api_url(self) -> str:
        """Like ``https://api.procore.com``: paths start with ``/rest/v1.0``."""
        return self._base(1)

    @property
    def procore_login_url(self) -> str:
        """Like ``https://login.procore.com``: the token endpoint is ``/oauth/token``."""
        return self._base(1) + LOGIN_PREFIX

    @property
    def tracker_faults(self) -> FaultInjector:
        return self.tracker_app.faults

    @property
    def procore_faults(self) -> FaultInjector:
        return self.procore_app.faults


@dataclass
class _Banner:
    servers: SandboxServers
    out: TextIO = field(default_factory=lambda: sys.stdout)  # as it is when printing

    def print(self) -> None:
        s, w = self.servers, self.out.write
        w("COI Desk sandbox (fake credentials, loopback only)\n")
        w(f"  tracker        {s.tracker_url}\n")
        w(f"  procore api    {s.procore_api_url}\n")
        w(f"  procore login  {s.procore_login_url}\n")
        w(f"  procore company id      {s.procore_company_id}\n")
        w(f"  procore client id       {SANDBOX_CLIENT_ID}\n")
        w(f"  procore client secret   {SANDBOX_CLIENT_SECRET}\n")
        w("  tracker tokens:\n")
        for user_id, token in s.tokens.items():
            user = s.tracker.authenticate(token) or {}
            w(f"    {user_id:<8} {user.get('role', '?'):<10} {token}\n")
        first_token = next(iter(s.tokens.values()), "")
        w("  headless client settings:\n")
        w(f"    COI_DESKTOP_TRACKER_URL={s.tracker_url}\n")
        w(f"    COI_DESKTOP_TRACKER_TOKEN={first_token}\n")
        w(f"    COI_DESKTOP_PROCORE_API_URL={s.procore_api_url}\n")
        w(f"    COI_DESKTOP_PROCORE_LOGIN_URL={s.procore_login_url}\n")
        w(f"    COI_DESKTOP_PROCORE_CLIENT_ID={SANDBOX_CLIENT_ID}\n")
        w(f"    COI_DESKTOP_PROCORE_CLIENT_SECRET={SANDBOX_CLIENT_SECRET}\n")
        w("  faults: POST JSON to /_sandbox/faults on either server\n")
        w("  Ctrl+C stops.\n")
        self.out.flush()


def _default_world(seed: int) -> Any:
    """The generated sample world, or users only when the generator cannot run here."""
    try:
        from coi_desktop.samples import BlankFormMissing
        from coi_desktop.samples.world import build_world
    except ImportError:
        return _UsersOnly()
    try:
        return build_world(seed=seed, now=datetime.now(UTC), n_submissions=40)
    except BlankFormMissing as exc:
        sys.stderr.write(f"no sample submissions: {exc}\n")
        return _UsersOnly()


class _UsersOnly:
    users = (
        {"id": "u-1", "name": "Riley Reviewer", "email": "riley@example.com", "role": "reviewer"},
        {"id": "u-2", "name": "Lee Lead", "email": "lee@example.com", "role": "lead"},
        {"id": "u-3", "name": "Robin Readonly", "email": "robin@example.com", "role": "read_only"},
    )
    vendors: tuple[Any, ...] = ()
    projects: tuple[Any, ...] = ()
    commitments: tuple[Any, ...] = ()
    requirement_profiles: dict[str, Any] = {}  # noqa: RUF012 — read-only class default
    submissions: tuple[Any, ...] = ()
    documents: dict[str, bytes] = {}  # noqa: RUF012


def run_sandbox(
    host: str = "127.0.0.1",
    tracker_port: int = 8081,
    procore_port: int = 8082,
    seed: int = 1,
    world: Any = None,
) -> int:
    """Serve the sandbox in the foreground until Ctrl+C; returns the exit code (0)."""
    servers = SandboxServers(
        world=world if world is not None else _default_world(seed),
        tracker_port=tracker_port,
        procore_port=procore_port,
        host=host,
        verbose=True,
    )
    try:
        servers.start()
    except OSError as exc:  # most often: the port is taken by an earlier sandbox
        sys.stderr.write(
            f"cannot start the sandbox on {host} ports {tracker_port}/{procore_port}: {exc}\n"
        )
        return 1
    with servers:
        _Banner(servers).print()
        stop = threading.Event()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            sys.stdout.write("\nstopping the sandbox\n")
    return 0
