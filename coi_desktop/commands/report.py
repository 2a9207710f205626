"""`coi-desktop report --pdf FILE [--csv FILE]`: the team lead's report from the local store.

The figures are the dashboard's (the same :func:`coi_desktop.team_queries.snapshot`), so a lead
can schedule a daily e-mail of exactly what the team view shows.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coi_desktop.report import write_csv
from coi_desktop.report_pdf import write_pdf
from coi_desktop.sync.team import stats_fetcher
from coi_desktop.team_lookups import learn_team
from coi_desktop.team_queries import snapshot
from coi_desktop.teamstats import StatsFilter
from coi_desktop.timeutil import local_zone
from coi_desktop.workspace import Workspace, open_workspace

HELP = "write the team report (one-page PDF, optional CSV) from the local store"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf", type=Path, metavar="FILE", help="write the one-page PDF here")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write every figure as CSV here")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the figures as JSON (the tracker's /queue/stats shape)",
    )
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="time zone for 'today' and the daily trend, e.g. America/Chicago "
        "(default: this computer's)",
    )
    parser.add_argument(
        "--company",
        type=int,
        action="append",
        default=[],
        metavar="ID",
        help="only this customer (Procore company id); repeatable",
    )
    parser.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="ID",
        help="only this project (tracker project id); repeatable",
    )
    parser.add_argument(
        "--kind",
        action="append",
        default=[],
        choices=("coi", "endorsement"),
        help="only this kind of submission; repeatable",
    )
    parser.add_argument(
        "--no-reviewers",
        action="store_true",
        help="leave the per-reviewer table out of the PDF (for customers)",
    )


def learn_team_names(workspace: Workspace) -> None:
    """Names for the team's ids from the tracker when it answers; the store's otherwise."""
    fetch = stats_fetcher(workspace.connection, workspace.credentials)
    remote = fetch() if fetch is not None else None
    if remote is not None:
        with workspace.database.session() as session:
            learn_team(session, remote.reviewers)


def run(args: argparse.Namespace) -> int:
    if not (args.pdf or args.csv or args.json):
        print(
            "coi-desktop report: say where to write it: --pdf FILE and/or --csv FILE "
            "(or --json to print the figures)",
            file=sys.stderr,
        )
        return 2
    try:
        tz: tzinfo = ZoneInfo(args.tz) if args.tz else local_zone()
    except (ZoneInfoNotFoundError, ValueError):
        print(
            f"coi-desktop report: unknown time zone {args.tz!r} (use a name such as "
            "America/Chicago)",
            file=sys.stderr,
        )
        return 2
    filters = StatsFilter(
        company_ids=tuple(args.company), project_ids=tuple(args.project), kinds=tuple(args.kind)
    )
    workspace = open_workspace()
    try:
        learn_team_names(workspace)
        with workspace.database.session() as session:
            snap = snapshot(session, datetime.now(UTC), filters, tz, overdue_limit=30)
    finally:
        workspace.close()
    try:
        if args.pdf:
            write_pdf(snap, args.pdf, reviewers=not args.no_reviewers)
            print(f"report written to {args.pdf}", file=sys.stderr)
        if args.csv:
            write_csv(snap, args.csv)
            print(f"figures written to {args.csv}", file=sys.stderr)
    except OSError as exc:
        print(f"coi-desktop report: cannot write the report: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(snap.stats.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0
