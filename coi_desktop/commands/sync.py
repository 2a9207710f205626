"""`coi-desktop sync --once`: one inbound + outbound pass, headless.

Exit codes (product.md): 0 everything delivered; 3 nothing left to retry but items wait
for a person (one line each on stderr); 1 retryable items remain; 2 cannot sync.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from coi_desktop.sync.engine import EXIT_CANNOT_SYNC, SyncEngine, SyncReport, config_for
from coi_desktop.workspace import open_workspace

HELP = "sync with the tracker and Procore (one pass with --once)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--once",
        action="store_true",
        help="one inbound + outbound pass, then exit with a status code",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=30.0,
        help="seconds between passes without --once (default: 30)",
    )


def run(args: argparse.Namespace) -> int:
    workspace = open_workspace()
    # Headless, nobody waits for the next pass: pre-check everything received in this one.
    config = config_for(workspace.connection, workspace.credentials, prepare_limit=None)
    engine = SyncEngine(workspace.database, workspace.documents, config)
    try:
        if args.once:
            report = engine.run_once()
            return print_report(report, sys.stdout, sys.stderr)
        while True:  # until Ctrl+C
            report = engine.run_once()
            code = print_report(report, sys.stdout, sys.stderr)
            if code == EXIT_CANNOT_SYNC:
                return code
            wait = engine.seconds_until_due()
            time.sleep(args.interval if wait is None else min(args.interval, max(wait, 1.0)))
    except KeyboardInterrupt:
        return 1
    finally:
        engine.close()
        workspace.close()


def print_report(report: SyncReport, out: TextIO, err: TextIO) -> int:
    code = report.exit_code
    d, i = report.delivery, report.inbound
    out.write(
        f"received {i.pulled} submissions ({i.documents_stored} documents stored); "
        f"delivered {d.delivered}; waiting {report.pending}; "
        f"need a person {len(report.attention)}\n"
    )
    for event in report.events:
        err.write(f"{event.message}\n")
    for why in report.stopped.values():
        err.write(f"{why}\n")
    if report.inbound_retry:
        err.write(f"{report.inbound_retry}; receiving will be retried.\n")
    for line in report.errors:
        err.write(f"{line}\n")
    for line in report.attention:  # one line per item waiting for a person
        err.write(f"{line}\n")
    return code
