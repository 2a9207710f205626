"""`coi-desktop decide SUBMISSION_ID --outcome …`: record a decision exactly as the GUI does."""

from __future__ import annotations

import argparse
import sys

from coi_desktop.models import OUTCOMES, utcnow
from coi_desktop.review.decisions import DecisionError, HeldByOther, own_deficiency_list
from coi_desktop.review.pipeline import ensure_prechecked
from coi_desktop.review.session import ReviewSession
from coi_desktop.workspace import open_workspace

HELP = "decide a submission (compliant, non_compliant or rejected) and queue it for sync"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "submission_id", metavar="SUBMISSION_ID", help="the tracker's id, e.g. s-1042"
    )
    parser.add_argument("--outcome", required=True, choices=OUTCOMES, help="the decision")
    parser.add_argument("--note", default=None, help="a note for the tracker (required to reject)")
    parser.add_argument(
        "--deficiency",
        action="append",
        default=[],
        metavar="TEXT",
        help="a deficiency of your own, sent after the failed lines' (repeatable)",
    )
    parser.add_argument(
        "--claim",
        action="store_true",
        help="claim the submission first when someone else holds it (the tracker may refuse)",
    )


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
            own_deficiency_list(args.outcome, args.deficiency)  # before any slow pre-check
        except DecisionError as exc:
            print(f"coi-desktop: {exc}", file=sys.stderr)
            return 1
        # The same preparation the background runs: a decision carries the checklist and
        # policies read from the certificate, never an empty one.
        problem = ensure_prechecked(
            workspace.database, workspace.documents, args.submission_id, utcnow().date()
        )
        if problem is not None and args.outcome != "rejected":
            print(f"coi-desktop: {problem}", file=sys.stderr)
            return 1
        try:
            recorded = ReviewSession(workspace.database, user).decide(
                args.submission_id,
                args.outcome,
                note=args.note,
                own_deficiencies=args.deficiency,
                claim_first=args.claim,
            )
        except HeldByOther as exc:
            print(f"coi-desktop: {exc} To claim it from here, add --claim.", file=sys.stderr)
            return 1
        except DecisionError as exc:
            print(f"coi-desktop: {exc}", file=sys.stderr)
            return 1
    finally:
        workspace.close()
    print(
        f"{args.submission_id}: {recorded.outcome.replace('_', '-')} recorded by {user.name}; "
        "it is in the outbox and goes out with the next sync."
    )
    for item in recorded.deficiencies:
        print(f"  deficiency: {item}")
    return 0
