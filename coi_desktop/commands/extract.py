"""`coi-desktop extract FILE.pdf [...] [--json]`: what extraction reads from certificates."""

from __future__ import annotations

import argparse
import os
import stat
import sys

HELP = "print what COI Desk reads from certificate and endorsement PDFs"

# A certificate is a few hundred KB; a scan of a long endorsement pack a few MB.
MAX_FILE_BYTES = 100 * 1024 * 1024


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE.pdf", help="PDF files to read")
    parser.add_argument(
        "--json", action="store_true", help="print the extraction JSON (docs/extraction.md)"
    )


def refusal(path: str, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """Why ``path`` is not read at all, or None. Only ``stat``: a pipe is never opened."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return f"{path}: there is no such file."
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc}); check the path and permissions."
    if stat.S_ISDIR(info.st_mode):
        return f"{path}: is a folder, not a PDF file; give the PDF files inside it."
    if not stat.S_ISREG(info.st_mode):
        return (
            f"{path}: is not a regular file (a device, pipe or socket); "
            "save the PDF to a file and give that."
        )
    if info.st_size > max_bytes:
        return (
            f"{path}: is {info.st_size // (1024 * 1024)} MB, larger than the "
            f"{max_bytes // (1024 * 1024)} MB a certificate can be; it was not read."
        )
    return None


def run(args: argparse.Namespace) -> int:
    from coi_desktop.review.extract_command import run as run_extract

    files = list(args.files)
    readable = []
    for path in files:
        why = refusal(path)
        if why is None:
            readable.append(path)
        else:
            sys.stderr.write(f"coi-desktop extract: {why}\n")
    if not readable:
        return 1
    return run_extract(readable, args.json, sys.stdout, sys.stderr)
