"""`coi-desktop recover [--fresh]`: a damaged database kept aside and rebuilt, nothing lost.

Exit codes: 0 recovered (or nothing to recover), 1 recovery could not be done (the
sentence says why and what to do).
"""

from __future__ import annotations

import argparse
import sys

HELP = "keep a damaged database aside and restore the newest backup (or start fresh)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start with an empty database filled again by the next sync, instead of the "
        "newest backup (undelivered decisions are kept either way)",
    )


def run(args: argparse.Namespace) -> int:
    from coi_desktop.paths import locations
    from coi_desktop.recovery import recover_or_explain

    where = locations()
    code, message = recover_or_explain(where, fresh=bool(args.fresh))
    print(message, file=sys.stdout if code == 0 else sys.stderr)
    return code
