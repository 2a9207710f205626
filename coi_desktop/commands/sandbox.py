"""`coi-desktop sandbox`: the sandbox tracker and Procore emulator in the foreground."""

from __future__ import annotations

import argparse

HELP = "run the sandbox tracker and Procore emulator on 127.0.0.1 until Ctrl+C"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tracker-port", type=int, default=8081, help="default: 8081")
    parser.add_argument("--procore-port", type=int, default=8082, help="default: 8082")
    parser.add_argument("--seed", type=int, default=1, help="sample world seed (default: 1)")


def run(args: argparse.Namespace) -> int:
    from coi_desktop.sync.sandbox.server import run_sandbox

    return run_sandbox(
        tracker_port=args.tracker_port, procore_port=args.procore_port, seed=args.seed
    )
