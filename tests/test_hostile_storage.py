"""Damaged homes: a destroyed or corrupt store, a read-only or full disk, a folder for a file.

Each case ends in one plain sentence and a way out, never a traceback; the recovery test
decides, destroys the database, recovers and delivers each decision exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coi_desktop import journal
from coi_desktop.database import DatabaseDamaged, StorageUnavailable, open_database
from coi_desktop.models import OutboxItem
from coi_desktop.paths import locations
from coi_desktop.recovery import recover, recover_or_explain
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.workspace import open_workspace
from tests.test_sync_helpers import assert_no_duplicates, decide, engine_for

REPO = Path(__file__).resolve().parent.parent


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COI_DESKTOP_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    return subprocess.run(
        [sys.executable, "-m", "coi_desktop", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _decide_three(servers: SandboxServers, home: Path, deliver_first: bool = False) -> list[str]:
    """Pull, decide three submissions (optionally delivering the first), leave two undelivered."""
    with engine_for(servers, home) as (workspace, engine):
        assert engine.run_once().exit_code == 0
        keys = [decide(workspace, "s-1042")]
        if deliver_first:
            engine.run_once()
        keys.append(decide(workspace, "s-1043", "rejected"))
        keys.append(decide(workspace, "s-1045"))
    return keys


def _assert_plain(text: str) -> None:
    assert "Traceback" not in text and "Error:" not in text, text
    assert text.strip(), "no message at all"


@pytest.mark.parametrize("damage", ["empty", "deleted", "garbage"])
def test_destroyed_database_is_refused_recovered_and_each_decision_delivered_once(
    servers: SandboxServers, coi_home: Path, damage: str
) -> None:
    keys = _decide_three(servers, coi_home, deliver_first=True)
    where = locations(coi_home)
    assert len(journal.undelivered(where.journal_file)) >= 2
    for sidecar in ("-wal", "-shm"):
        where.database.with_name(where.database.name + sidecar).unlink(missing_ok=True)
    if damage == "empty":
        where.database.write_bytes(b"")
    elif damage == "deleted":
        where.database.unlink()
    else:
        where.database.write_bytes(os.urandom(64 * 1024))

    with pytest.raises(DatabaseDamaged) as refused:
        open_workspace(coi_home)
    assert "coi-desktop recover" in str(refused.value)
    assert "undelivered decision" in str(refused.value)
    # The CLI says the same in one sentence and exits 1, with nothing started anew.
    queue = _cli(coi_home, "queue")
    assert queue.returncode == 1
    _assert_plain(queue.stderr)
    assert "damaged" in queue.stderr and "recover" in queue.stderr

    result = recover(where, fresh=True)
    assert result.replayed == 2
    if damage != "deleted":
        assert result.kept_aside and result.kept_aside[0].exists()
    with engine_for(servers, coi_home) as (workspace, engine):
        report = engine.run_once()
        assert report.exit_code == 0, report
        with workspace.database.session() as session:
            states = {
                i.id: (i.state, i.stage)
                for i in session.query(OutboxItem).filter(OutboxItem.kind == "decision")
            }
    for key in keys[1:]:
        assert states[key] == ("delivered", "done")
    per_key = servers.tracker.decisions_per_key()
    assert set(keys) <= set(per_key)
    assert_no_duplicates(servers)


def test_recover_restores_the_newest_backup_and_keeps_later_decisions(
    servers: SandboxServers, coi_home: Path
) -> None:
    keys = _decide_three(servers, coi_home)
    where = locations(coi_home)
    db = open_database(where.database)
    from coi_desktop.database import backup_database

    backup_database(where.database, where.backups_dir, "test")
    db.close()
    with engine_for(servers, coi_home) as (workspace, _engine):
        keys.append(decide(workspace, "s-1044"))  # after the backup: only the journal has it
    size = where.database.stat().st_size
    with where.database.open("r+b") as handle:  # random pages in the middle of the file
        handle.seek(size // 2)
        handle.write(os.urandom(min(8192, size // 3)))
    for sidecar in ("-wal", "-shm"):
        where.database.with_name(where.database.name + sidecar).unlink(missing_ok=True)

    code, message = recover_or_explain(where, fresh=False)
    assert code == 0, message
    assert "restored from the backup" in message and "4 undelivered decisions" in message
    with engine_for(servers, coi_home) as (_workspace, engine):
        assert engine.run_once().exit_code == 0
    assert set(keys) <= set(servers.tracker.decisions_per_key())
    assert_no_duplicates(servers)


def test_database_path_that_is_a_folder_is_one_sentence(coi_home: Path) -> None:
    locations(coi_home).database.mkdir(parents=True)
    with pytest.raises(StorageUnavailable, match="is a folder"):
        open_workspace(coi_home)
    run = _cli(coi_home, "queue")
    assert run.returncode == 1
    _assert_plain(run.stderr)


def test_unwritable_log_folder_logs_to_stderr_and_the_command_still_runs(
    coi_home: Path,
) -> None:
    open_workspace(coi_home).close()
    where = locations(coi_home)
    for path in where.log_dir.iterdir():
        path.unlink()
    where.log_dir.rmdir()
    where.log_dir.write_text("")  # a file where the folder should be: unwritable even as root
    run = _cli(coi_home, "queue")
    assert run.returncode == 0, run.stderr
    _assert_plain(run.stderr)
    assert "logging to the terminal" in run.stderr


def test_read_only_data_folder_is_one_sentence(coi_home: Path) -> None:
    open_workspace(coi_home).close()
    where = locations(coi_home)
    where.data_dir.chmod(0o500)
    where.database.chmod(0o400)
    try:
        if os.access(where.database, os.W_OK):
            pytest.skip("running as root: permissions are not enforced")
        run = _cli(coi_home, "queue")
        assert run.returncode == 1
        _assert_plain(run.stderr)
    finally:
        where.data_dir.chmod(0o700)
        where.database.chmod(0o600)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            "(sqlite3.OperationalError) database or disk is full [SQL: RELEASE SAVEPOINT sa_1]",
            "is full; nothing was lost. Free some space",
        ),
        ("(sqlite3.OperationalError) attempt to write a readonly database", "cannot write to"),
        ("(sqlite3.DatabaseError) database disk image is malformed", "coi-desktop recover"),
    ],
)
def test_storage_errors_become_one_sentence_with_a_way_out(
    tmp_path: Path, raw: str, words: str
) -> None:
    from sqlalchemy.exc import OperationalError

    from coi_desktop.database import storage_problem

    message = str(storage_problem(OperationalError("stmt", {}, Exception(raw)), tmp_path / "x"))
    assert words in message
    assert "SQL:" not in message and "SAVEPOINT" not in message


def test_home_and_rotated_logs_are_private_under_umask_000(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"
    old = os.umask(0)
    try:
        workspace = open_workspace(home)
        workspace.close()
        import logging

        from coi_desktop.logs import configure_logging

        log_file = locations(home).log_file
        configure_logging(log_file)
        handler = next(h for h in logging.getLogger().handlers if getattr(h, "_coi_desktop", False))
        assert hasattr(handler, "doRollover")
        handler.doRollover()
        logging.getLogger("t").warning("after rollover")
    finally:
        os.umask(old)
    assert home.stat().st_mode & 0o777 == 0o700
    for folder in (home / "data", home / "config"):
        assert folder.stat().st_mode & 0o777 == 0o700
    logs = list(log_file.parent.glob("coi-desktop.log*"))
    assert len(logs) >= 2
    for path in logs:
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_gui_offers_fresh_start_and_keeps_undelivered_decisions(
    servers: SandboxServers, coi_home: Path, qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from coi_desktop.app import offer_recovery

    keys = _decide_three(servers, coi_home)
    where = locations(coi_home)
    for sidecar in ("-wal", "-shm"):
        where.database.with_name(where.database.name + sidecar).unlink(missing_ok=True)
    where.database.write_bytes(b"")
    with pytest.raises(DatabaseDamaged) as refused:
        open_workspace(coi_home)
    shown: list[str] = []

    def choose_fresh(box: QMessageBox) -> int:
        shown.append(box.text())
        fresh = next(b for b in box.buttons() if "fresh" in b.text().lower())
        fresh.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", choose_fresh)
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    assert offer_recovery(coi_home, refused.value)
    assert "damaged" in shown[0] and "3 undelivered decisions" in shown[-1]
    with engine_for(servers, coi_home) as (_workspace, engine):
        assert engine.run_once().exit_code == 0
    assert set(keys) <= set(servers.tracker.decisions_per_key())
    assert_no_duplicates(servers)


def test_journal_merges_state_lines_and_compacts_to_the_undelivered(tmp_path: Path) -> None:
    path = tmp_path / journal.JOURNAL_NAME
    whole: dict[str, dict[str, Any]] = {
        "item": {"id": "a", "state": "pending", "stage": "tracker"},
        "decision": {"id": "d-a", "undone": False},
        "submission": {"id": "s-1"},
    }
    journal.append(path, [whole, {**whole, "item": {**whole["item"], "id": "b"}}])
    journal.append(
        path,
        [
            {"item": {"id": "a", "state": "pending", "stage": "procore"}},
            {"item": {"id": "b", "state": "delivered", "stage": "done"}},
        ],
    )
    with path.open("ab") as handle:
        handle.write(b'{"item": {"id": "a", "sta')  # torn by a crash mid-append
    entries = journal.read(path)
    assert entries["a"]["item"]["stage"] == "procore"
    assert entries["a"]["decision"] == {"id": "d-a", "undone": False}
    assert [e["item"]["id"] for e in journal.undelivered(path)] == ["a"]
    journal.compact(path)
    assert list(journal.read(path)) == ["a"]
    assert journal.read(path)["a"]["submission"] == {"id": "s-1"}
    assert path.stat().st_mode & 0o777 == 0o600
