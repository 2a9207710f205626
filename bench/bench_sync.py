"""Sync figures against the sandbox (run in its own process, as a real server would be).

    .venv/bin/python bench/bench_sync.py drain --decisions 2000
    .venv/bin/python bench/bench_sync.py ratelimit --decisions 300
    .venv/bin/python bench/bench_sync.py soak --decisions 10000 --faults 0.2 --kills 5

drain: outbox drain rate with no rate limit, and HTTP requests per Procore record.
ratelimit: Procore limited to a small spike window; 429s after the first headers.
soak: random faults on both servers, the sync process killed with -9 several times;
then counts lost and duplicated decisions and Procore records.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coi_desktop.sync.loadworld import build_load_world  # noqa: E402


def serve(n: int, conn: Connection, limits: dict[str, Any] | None) -> None:
    """Child process: the sandbox seeded with the load world, until told to stop."""
    from coi_desktop.sync.sandbox import RateLimits, SandboxServers
    from coi_desktop.sync.sandbox.procore_state import ProcoreState

    state = ProcoreState(rate_limits=RateLimits(**limits) if limits else None)
    with SandboxServers(world=build_load_world(n), procore_state=state) as servers:
        conn.send(
            {
                "tracker_url": servers.tracker_url,
                "tracker_root": servers.tracker_root,
                "procore_api_url": servers.procore_api_url,
                "procore_login_url": servers.procore_login_url,
                "procore_root": servers.procore_root,
            }
        )
        conn.recv()


class Sandbox:
    def __init__(self, n: int, limits: dict[str, Any] | None = None) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.parent, child = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(n, child, limits), daemon=True)
        self.process.start()
        self.urls: dict[str, str] = self.parent.recv()

    def stats(self, which: str) -> dict[str, Any]:
        root = self.urls[f"{which}_root"]
        answer: dict[str, Any] = requests.get(f"{root}/_sandbox/stats", timeout=30).json()
        return answer

    def faults(self, which: str, body: dict[str, Any]) -> None:
        root = self.urls[f"{which}_root"]
        requests.post(f"{root}/_sandbox/faults", json=body, timeout=10).raise_for_status()

    def stop(self) -> None:
        self.parent.send("stop")
        self.process.join(10)


def environment(box: Sandbox, home: Path) -> dict[str, str]:
    from coi_desktop.sync.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

    env = dict(os.environ)
    env.update(
        {
            "COI_DESKTOP_HOME": str(home),
            "COI_DESKTOP_TRACKER_URL": box.urls["tracker_url"],
            "COI_DESKTOP_TRACKER_TOKEN": "sandbox-token-u-1",
            "COI_DESKTOP_PROCORE_API_URL": box.urls["procore_api_url"],
            "COI_DESKTOP_PROCORE_LOGIN_URL": box.urls["procore_login_url"],
            "COI_DESKTOP_PROCORE_CLIENT_ID": SANDBOX_CLIENT_ID,
            "COI_DESKTOP_PROCORE_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
            # No OS keyring in a bench: secrets come from the environment, tokens stay in memory.
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
    )
    return env


def prepared_home(box: Sandbox, n: int, with_claims: bool = True) -> tuple[Path, Any]:
    """A home that has pulled the world and decided every submission (outbox full)."""
    from coi_desktop.sync.engine import SyncEngine, config_for
    from coi_desktop.sync.loadworld import decide_all, store_extractions
    from coi_desktop.workspace import open_workspace

    home = Path(tempfile.mkdtemp(prefix="coi-bench-"))
    os.environ.update(environment(box, home))
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    workspace = open_workspace(home)
    engine = SyncEngine(
        workspace.database,
        workspace.documents,
        config_for(workspace.connection, workspace.credentials, prepare_limit=0),
    )
    started = time.perf_counter()
    report = engine.run_once()
    print(
        f"pull: {report.inbound.pulled} submissions, {report.inbound.documents_stored} "
        f"documents in {time.perf_counter() - started:.1f} s"
    )
    store_extractions(workspace.database)
    started = time.perf_counter()
    decided = decide_all(workspace.database, "u-1", limit=n, with_claims=with_claims)
    what = "claim + decision each" if with_claims else "decisions only"
    print(f"decided {decided} ({what}) in {time.perf_counter() - started:.1f} s")
    return home, (workspace, engine)


def drain(args: argparse.Namespace) -> None:
    box = Sandbox(args.decisions)
    try:
        _, (workspace, engine) = prepared_home(box, args.decisions, not args.no_claims)
        before = box.stats("procore")["requests_served"]
        started = time.perf_counter()
        report = engine.run_outbound()
        elapsed = time.perf_counter() - started
        engine.summarize(report)
        after = box.stats("procore")
        procore_requests = after["requests_served"] - before
        records = report.delivery.procore_records
        claims = "" if args.no_claims else f" (+{args.decisions} claims)"
        print(
            f"outbound drain: {args.decisions} decisions{claims} in "
            f"{elapsed:.2f} s = {args.decisions / elapsed:.0f} decisions/s; exit "
            f"{report.exit_code}, pending {report.pending}"
        )
        print(
            f"Procore: {procore_requests} HTTP requests (token included) for {records} "
            f"insurance record updates = {procore_requests / max(records, 1):.2f} per record; "
            f"{after['records']} records stored, max per origin_id "
            f"{max(after['records_per_origin_id'].values(), default=0)}"
        )
        engine.close()
        workspace.close()
    finally:
        box.stop()


def ratelimit(args: argparse.Namespace) -> None:
    limits = {"spike": args.spike, "spike_window": args.window, "hourly": 100_000}
    box = Sandbox(args.decisions, limits)
    try:
        _, (workspace, engine) = prepared_home(box, args.decisions)
        started = time.perf_counter()
        from coi_desktop.sync.engine import run_until_settled

        report = run_until_settled(engine, max_seconds=600)
        elapsed = time.perf_counter() - started
        stats = box.stats("procore")
        print(
            f"rate limit {args.spike} per {args.window:.0f} s: {report.delivery.procore_requests}"
            f"+ Procore calls in the last pass; total served {stats['requests_served']}, "
            f"429s {stats['rate_limited']} (exit {report.exit_code}) in {elapsed:.1f} s"
        )
        engine.close()
        workspace.close()
    finally:
        box.stop()


def soak(args: argparse.Namespace) -> None:
    box = Sandbox(args.decisions)
    try:
        home, (workspace, engine) = prepared_home(box, args.decisions)
        engine.close()
        workspace.close()
        plan = {
            "rate": args.faults,
            "seed": 11,
            "retry_after": args.retry_after,
            "delay_seconds": 1.5,
        }
        box.faults("tracker", {"clear": True, "plan": plan})
        procore_plan = {
            **plan,
            "kinds": [
                "500",
                "502",
                "503",
                "429",
                "delay",
                "drop_after_apply",
                "malformed_json",
                "token_expiry",
            ],
        }
        box.faults("procore", {"clear": True, "plan": procore_plan})
        env = environment(box, home)
        command = [
            sys.executable,
            "-m",
            "coi_desktop.sync.drive",
            "--timeout",
            "1.0",
            "--outbound-only",
        ]
        rng = random.Random(5)
        started = time.perf_counter()
        for kill in range(args.kills):
            process = subprocess.Popen(command, env=env, cwd=REPO, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.5, 1.5) * args.kill_every)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                print(
                    f"kill -9 #{kill + 1} at {time.perf_counter() - started:.1f} s, "
                    f"outbox {outbox_states(home)}",
                    flush=True,
                )
            process.wait()
        # Faults stay on until everything is delivered; then one clean pass to confirm.
        code = subprocess.run(command, env=env, cwd=REPO, check=False).returncode
        box.faults("tracker", {"clear": True})
        box.faults("procore", {"clear": True})
        code = subprocess.run(command, env=env, cwd=REPO, check=False).returncode
        elapsed = time.perf_counter() - started
        report_soak(box, home, args.decisions, code, elapsed)
    finally:
        box.stop()


def outbox_states(home: Path) -> dict[str, int]:
    import sqlite3

    db = sqlite3.connect(home / "data" / "coi-desktop.sqlite3", timeout=30)
    try:
        return dict(
            db.execute("select state, count(*) from outbox_items group by state").fetchall()
        )
    finally:
        db.close()


def report_soak(box: Sandbox, home: Path, n: int, code: int, elapsed: float) -> None:
    states = outbox_states(home)
    tracker = box.stats("tracker")
    procore = box.stats("procore")
    per_key = tracker["decisions_per_key"]
    duplicated = sum(1 for v in per_key.values() if v > 1)
    per_origin = procore["records_per_origin_id"]
    print(f"soak: {n} decisions, exit {code} after {elapsed:.0f} s; local states {states}")
    print(
        f"tracker stored {tracker['decisions']} decisions for {len(per_key)} keys: "
        f"lost {n - len(per_key)}, duplicated {duplicated}"
    )
    print(
        f"Procore {procore['records']} records, duplicated origin_ids "
        f"{sum(1 for v in per_origin.values() if v > 1)}; "
        f"responses by status {procore['by_status']}"
    )


def _cleanup() -> None:
    """The bench's temporary homes (thousands of documents each) go when it ends."""
    import shutil

    for home in Path(tempfile.gettempdir()).glob("coi-bench-*"):
        if home.is_dir() and os.environ.get("COI_DESKTOP_HOME") == str(home):
            shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("drain")
    p.add_argument("--decisions", type=int, default=2000)
    p.add_argument(
        "--no-claims",
        action="store_true",
        help="claims already delivered (as when the reviewer opened each earlier)",
    )
    p = sub.add_parser("ratelimit")
    p.add_argument("--decisions", type=int, default=300)
    p.add_argument("--spike", type=int, default=25)
    p.add_argument("--window", type=float, default=5.0)
    p = sub.add_parser("soak")
    p.add_argument("--decisions", type=int, default=10_000)
    p.add_argument("--faults", type=float, default=0.2)
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--kill-every", type=float, default=15.0, help="seconds, on average")
    p.add_argument(
        "--retry-after",
        type=int,
        default=0,
        help="Retry-After of injected 429/503 (each one holds every call that long)",
    )
    args = parser.parse_args()
    try:
        {"drain": drain, "ratelimit": ratelimit, "soak": soak}[args.what](args)
    finally:
        _cleanup()


if __name__ == "__main__":
    main()
