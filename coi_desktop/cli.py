"""The `coi-desktop` command: the GUI by default, and subcommands for scripting."""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from coi_desktop import __version__
from coi_desktop.database import DatabaseError, storage_problem
from coi_desktop.paths import HOME_ENV, locations
from coi_desktop.settings import SettingsError

DEMO_ROLES = ("reviewer", "lead", "read-only")

# Subcommand name → module in coi_desktop.commands (HELP, configure(parser), run(args) -> int).
COMMANDS = {
    "queue": "coi_desktop.commands.queue",
    "decide": "coi_desktop.commands.decide",
    "sync": "coi_desktop.commands.sync",
    "sandbox": "coi_desktop.commands.sandbox",
    "report": "coi_desktop.commands.report",
    "extract": "coi_desktop.commands.extract",
    "recover": "coi_desktop.commands.recover",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coi-desktop",
        description="COI Desk: review certificates of insurance against requirements.",
        epilog=f"Data lives in platform folders; set {HOME_ENV} to keep everything in one folder.",
    )
    parser.add_argument("--version", action="version", version=f"coi-desktop {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"open the GUI on generated sample data (a temporary home unless {HOME_ENV} is set)",
    )
    parser.add_argument(
        "--as",
        dest="demo_role",
        choices=DEMO_ROLES,
        default="reviewer",
        help="with --demo: whose eyes to see it through: a reviewer (Maya Thompson, the "
        "default), a team lead (Helen Park: the Team tab, reassigning) or a read-only user",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        module.configure(commands.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo_role != "reviewer" and not args.demo:
        parser.error("--as works with --demo only (coi-desktop --demo --as lead)")
    try:
        if args.command:
            module = importlib.import_module(COMMANDS[args.command])
            return int(module.run(args))
        if args.demo:
            return run_demo(args.demo_role.replace("-", "_"))
        from coi_desktop.app import run_gui

        return run_gui(None)
    except (DatabaseError, SettingsError) as exc:
        print(f"coi-desktop: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:  # the disk failed mid-command (full, gone read-only)
        print(f"coi-desktop: {storage_problem(exc, locations().database)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`); say nothing more and don't flush into the void.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run_demo(role: str = "reviewer") -> int:
    """The whole loop on generated data: sandbox servers on loopback, sync, then the GUI.

    The home is temporary unless COI_DESKTOP_HOME is set; a kept home remembers the world's
    seed and clock, so a later ``--demo`` rebuilds the same world and resumes. ``role``
    (reviewer, lead, read_only) picks the sandbox user the window is signed in as.
    """
    chosen = os.environ.get(HOME_ENV, "").strip()
    temporary = not chosen
    home = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="coi-desktop-demo-"))
    os.environ[HOME_ENV] = str(home)
    try:
        from coi_desktop.sync.demo_loop import start_demo_sandbox

        print(f"Starting the sandbox tracker and Procore for the demo in {home} …", file=sys.stderr)
        servers = start_demo_sandbox(home, role=role)
        try:
            from coi_desktop.app import run_gui

            return run_gui(home)
        finally:
            servers.stop()
    finally:
        if temporary:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
