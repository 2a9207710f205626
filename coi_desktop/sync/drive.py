"""A headless sync loop for soak tests and the bench: ``python -m coi_desktop.sync.drive``.

Like ``coi-desktop sync`` (same workspace, settings and environment variables), with the
backoff made short so a soak under injected faults settles in seconds, and an exit when
nothing is left to retry. Killing it with -9 at any moment must lose and duplicate nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from coi_desktop.sync.engine import EXIT_RETRY, SyncEngine, config_for
from coi_desktop.sync.outbox import Backoff
from coi_desktop.workspace import open_workspace


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coi_desktop.sync.drive")
    parser.add_argument("--backoff-base", type=float, default=0.05)
    parser.add_argument("--backoff-cap", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=2.0, help="read timeout, seconds")
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--outbound-only", action="store_true")
    args = parser.parse_args(argv)
    workspace = open_workspace()
    config = config_for(
        workspace.connection,
        workspace.credentials,
        backoff=Backoff(args.backoff_base, args.backoff_cap),
        timeout=(2.0, args.timeout),
        prepare_limit=0,
    )
    engine = SyncEngine(workspace.database, workspace.documents, config)
    deadline = time.monotonic() + args.max_seconds
    try:
        while True:
            report = engine.run_outbound() if args.outbound_only else engine.run_once()
            if args.outbound_only:
                engine.summarize(report)
            if report.exit_code != EXIT_RETRY or time.monotonic() > deadline:
                print(
                    f"exit {report.exit_code}: pending {report.pending}, "
                    f"waiting for a person {len(report.attention)}",
                    file=sys.stderr,
                )
                return report.exit_code
            wait = engine.seconds_until_due()
            time.sleep(min(max(wait or 0.0, 0.01), 0.5))
    finally:
        engine.close()
        workspace.close()


if __name__ == "__main__":
    raise SystemExit(main())
