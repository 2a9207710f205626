"""`coi-desktop decide SUBMISSION_ID --outcome …`: record a decision exactly as the GUI does."""

from __future__ import annotations

import argparse
import sys

from coi_desktop.review.decisions import OUTCOMES, DecisionError, record_decision
from coi_desktop.workspace import open_workspace

HELP = "decide a submission (compliant, non_compliant or rejected) and queue it for sync"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "submission_id", metavar="SUBMISSION_ID", help="the tracker's id, e.g. s-1042"
    )
    parser.add_argument("--outcome", required=True, choices=OUTCOMES, help="the decision")
    parser.add_argument("--note", default=None, help="a note for the tracker (required to reject)")


def run(args: argparse.Namespace) -> int:
    workspace = open_workspace()
    try:
        user = workspace.current_user()
        if user is None:
            print(
                "coi-desktop: nobody is signed in; open COI Desk and sign in (Settings) first.",
                file=sys.stderr,
            )
            return 2
        try:
            with workspace.database.session() as session:
                decision = record_decision(
                    session, args.submission_id, args.outcome, user, note=args.note
                )
                outcome, deficiencies = decision.outcome, list(decision.deficiencies)
        except DecisionError as exc:
            print(f"coi-desktop: {exc}", file=sys.stderr)
            return 1
    finally:
        workspace.close()
    print(
        f"{args.submission_id}: {outcome.replace('_', '-')} recorded by {user.name}; "
        "it is in the outbox and goes out with the next sync."
    )
    for item in deficiencies:
        print(f"  deficiency: {item}")
    return 0
