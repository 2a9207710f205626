"""Recovery never rebuilds a store another process still has open (#14 leftover)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from coi_desktop.paths import locations
from coi_desktop.presence import holders
from coi_desktop.recovery import recover_or_explain
from coi_desktop.workspace import open_workspace

REPO = Path(__file__).resolve().parent.parent

# A second process that opens the workspace, says so, and waits to be stopped.
HOLDER = """
import sys, time
from pathlib import Path
from coi_desktop.workspace import open_workspace
workspace = open_workspace(Path(sys.argv[1]))
print("open", flush=True)
time.sleep(120)
"""


def _hold(home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    return holder


def test_recover_refuses_while_another_process_has_the_store_open(coi_home: Path) -> None:
    open_workspace(coi_home).close()
    where = locations(coi_home)
    holder = _hold(coi_home)
    try:
        assert holders(where.data_dir) == [holder.pid]
        code, message = recover_or_explain(where, fresh=True)
        assert code == 1
        assert str(holder.pid) in message and "Close it" in message
        assert where.database.exists() and not (where.data_dir / "damaged").exists()
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: the OS drops the lock, the file stays
        holder.wait(timeout=30)
        assert holder.stdout is not None
        holder.stdout.close()
    assert holders(where.data_dir) == []
    assert list((where.data_dir / "open").glob("*.lock")) == []  # the stale file is gone
    code, message = recover_or_explain(where, fresh=True)
    assert code == 0, message


def test_a_closed_workspace_leaves_no_presence_behind(coi_home: Path) -> None:
    workspace = open_workspace(coi_home)
    folder = locations(coi_home).data_dir / "open"
    assert len(list(folder.glob("*.lock"))) == 1
    assert holders(folder.parent) == []  # this process's own presence is not "another"
    workspace.close()
    assert list(folder.glob("*.lock")) == []
