"""The `coi-desktop` command: the GUI by default, and subcommands for scripting."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from coi_desktop import __version__
from coi_desktop.database import DatabaseError
from coi_desktop.paths import HOME_ENV
from coi_desktop.queue import QueueFilter, query_queue
from coi_desktop.settings import SettingsError
from coi_desktop.workspace import Workspace, open_workspace

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coi-desktop",
        description="COI Desk: review certificates of insurance against requirements.",
        epilog=f"Data lives in platform folders; set {HOME_ENV} to keep everything in one folder.",
    )
    parser.add_argument("--version", action="version", version=f"coi-desktop {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"open the GUI on generated sample data (a temporary home unless {HOME_ENV} is set)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    queue = commands.add_parser("queue", help="list the local review queue")
    queue.add_argument("--json", action="store_true", help="print a JSON array")
    queue.add_argument(
        "--view",
        choices=("all", "open", "mine", "unassigned"),
        default="all",
        help="which part of the queue (default: all)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "queue":
            return _with_workspace(lambda ws: cmd_queue(ws, args.json, args.view, sys.stdout))
        if args.demo:
            return run_demo()
        from coi_desktop.app import run_gui

        return run_gui(None)
    except (DatabaseError, SettingsError) as exc:
        print(f"coi-desktop: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _with_workspace(action: Callable[[Workspace], int]) -> int:
    workspace = open_workspace()
    try:
        return action(workspace)
    finally:
        workspace.close()


def cmd_queue(workspace: Workspace, as_json: bool, view: str, out: TextIO) -> int:
    user = workspace.current_user()
    flt = QueueFilter(view=view, user_id=user.id if user else None)  # type: ignore[arg-type]
    with workspace.database.session() as session:
        rows = query_queue(session, flt)
    if as_json:
        json.dump([row.to_json() for row in rows], out, indent=2)
        out.write("\n")
        return EXIT_OK
    now = datetime.now(UTC)
    if not rows:
        out.write("The queue is empty. Sync with the tracker, or try `coi-desktop --demo`.\n")
        return EXIT_OK
    out.write(f"{'DUE':>9}  {'ID':<10} {'KIND':<11} {'STATUS':<13} {'PRE-CHECK':<14} VENDOR\n")
    for row in rows:
        out.write(
            f"{_countdown(row.due_at, now):>9}  {row.id:<10} {row.kind:<11} {row.status:<13} "
            f"{_precheck_text(row.precheck):<14} {row.vendor}"
            + (f" — {row.project}" if row.project else "")
            + "\n"
        )
    out.write(f"{len(rows)} submissions\n")
    return EXIT_OK


def _countdown(due: datetime, now: datetime) -> str:
    minutes = int((due - now).total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60}h{minutes % 60:02d}m"


def _precheck_text(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "not checked"
    if counts["fail"]:
        return f"{counts['fail']} fail"
    if counts["needs_review"]:
        return f"{counts['needs_review']} to review"
    return "all pass"


def run_demo() -> int:
    """Seed a demo home (temporary unless COI_DESKTOP_HOME is set) and open the GUI on it."""
    chosen = os.environ.get(HOME_ENV, "").strip()
    temporary = not chosen
    home = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="coi-desktop-demo-"))
    os.environ[HOME_ENV] = str(home)
    try:
        workspace = open_workspace(home)
        try:
            from coi_desktop.demo import build_demo_world, is_empty, seed_workspace

            if is_empty(workspace):
                print(f"Seeding demo data in {home} …", file=sys.stderr)
                world = build_demo_world(datetime.now(UTC))
                reviewer = next(u for u in world.users if u.get("role") == "reviewer")
                seed_workspace(workspace, world, str(reviewer["id"]))
        finally:
            workspace.close()
        from coi_desktop.app import run_gui

        return run_gui(home)
    finally:
        if temporary:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
