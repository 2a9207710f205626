"""`coi-desktop extract FILE.pdf [...] [--json]`: what extraction reads from certificates."""

from __future__ import annotations

import argparse
import sys

HELP = "print what COI Desk reads from certificate and endorsement PDFs"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE.pdf", help="PDF files to read")
    parser.add_argument(
        "--json", action="store_true", help="print the extraction JSON (docs/extraction.md)"
    )


def run(args: argparse.Namespace) -> int:
    from coi_desktop.review.extract_command import run as run_extract

    return run_extract(list(args.files), args.json, sys.stdout, sys.stderr)
