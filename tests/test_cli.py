"""The command line: help, version, queue over the local store, errors in plain words."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coi_desktop import __version__
from coi_desktop.cli import main
from coi_desktop.workspace import open_workspace
from tests import factories


class TinyWorld:
    users = [{"id": "u-1", "name": "Riley Reviewer", "role": "reviewer"}]
    requirement_profiles = {"rp-1": factories.PROFILE}
    submissions = [
        factories.submission("s-1", hours_ago=3),
        factories.submission("s-2", hours_ago=26, assigned_to="u-1", status="in_review"),
    ]
    documents = {"d-s-1": factories.PDF_BYTES, "d-s-2": factories.PDF_BYTES}


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "--demo" in text and "queue" in text and "COI_DESKTOP_HOME" in text


def test_queue_json_lists_seeded_submissions(
    coi_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = open_workspace()
    factories.seed_workspace(workspace, TinyWorld(), "u-1")
    workspace.close()
    assert main(["queue", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["s-2", "s-1"]  # overdue first
    assert rows[0]["assigned_to"] == "u-1" and rows[0]["due_at"].endswith("Z")
    assert main(["queue", "--view", "mine"]) == 0
    text = capsys.readouterr().out
    assert "s-2" in text and "s-1" not in text and "1 submissions" in text


def test_queue_on_an_empty_home_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queue"]) == 0
    assert "queue is empty" in capsys.readouterr().out


def test_newer_database_gives_a_message_not_a_traceback(
    coi_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = open_workspace()
    path = workspace.locations.database
    workspace.close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = 'zz_future'")
    assert main(["queue", "--json"]) == 1
    err = capsys.readouterr().err
    assert "newer version of COI Desk" in err and "Traceback" not in err


def test_console_script_runs_in_a_fresh_process(coi_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "coi_desktop", "queue", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert (coi_home / "logs" / "coi-desktop.log").exists()


def test_output_piped_into_a_closed_reader_is_not_a_traceback(coi_home: Path) -> None:
    workspace = open_workspace()
    factories.seed_workspace(workspace, TinyWorld(), "u-1")
    workspace.close()
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has already exited
    try:
        done = subprocess.run(
            [sys.executable, "-m", "coi_desktop", "queue", "--json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0
