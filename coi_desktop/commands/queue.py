"""`coi-desktop queue [--json]`: the local review queue."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TextIO

from coi_desktop.queue import QueueFilter, query_queue
from coi_desktop.workspace import Workspace, open_workspace

HELP = "list the local review queue, oldest due first"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.add_argument(
        "--view",
        choices=("all", "open", "mine", "unassigned"),
        default="all",
        help="which part of the queue (default: all)",
    )


def run(args: argparse.Namespace) -> int:
    workspace = open_workspace()
    try:
        return print_queue(workspace, args.json, args.view, sys.stdout)
    finally:
        workspace.close()


def print_queue(workspace: Workspace, as_json: bool, view: str, out: TextIO) -> int:
    user = workspace.current_user()
    flt = QueueFilter(view=view, user_id=user.id if user else None)  # type: ignore[arg-type]
    with workspace.database.session() as session:
        rows = query_queue(session, flt)
    if as_json:
        json.dump([row.to_json() for row in rows], out, indent=2)
        out.write("\n")
        return 0
    if not rows:
        out.write("The queue is empty. Sync with the tracker, or try `coi-desktop --demo`.\n")
        return 0
    now = datetime.now(UTC)
    out.write(f"{'DUE':>9}  {'ID':<10} {'KIND':<11} {'STATUS':<13} {'PRE-CHECK':<14} VENDOR\n")
    for row in rows:
        project = f" — {row.project}" if row.project else ""
        out.write(
            f"{countdown(row.due_at, now):>9}  {row.id:<10} {row.kind:<11} {row.status:<13} "
            f"{precheck_text(row.precheck):<14} {row.vendor}{project}\n"
        )
    out.write(f"{len(rows)} submissions\n")
    return 0


def countdown(due: datetime, now: datetime) -> str:
    """Time left until due as ``5h07m``, or overdue as ``-2h30m``."""
    minutes = int((due - now).total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60}h{minutes % 60:02d}m"


def precheck_text(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "not checked"
    if counts["fail"]:
        return f"{counts['fail']} fail"
    if counts["needs_review"]:
        return f"{counts['needs_review']} to review"
    return "all pass"
