"""Which processes have a home's store open, so `recover` never rebuilds it under one.

Each open workspace (the window, a CLI command, a sync in a terminal) holds an OS lock on
a file of its own in ``data/open/``. The lock, not the file, is the truth: the OS drops it
when the process ends, however it ends, so a file left by a crash is found unlocked and
removed. Recovery moves the database aside and restores a backup; a process that still
had the old file open would go on writing into the file kept aside, and what it wrote
would be lost, so recovery refuses while another process holds a lock.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from filelock import FileLock, Timeout

FOLDER = "open"


class Presence:
    """This process's "the store is open here"; `release()` on close."""

    def __init__(self, lock: FileLock, path: Path) -> None:
        self._lock = lock
        self.path = path

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)
            with contextlib.suppress(OSError):
                self.path.unlink()


def announce(data_dir: Path) -> Presence:
    """Hold a lock saying this process has the store in ``data_dir`` open."""
    folder = data_dir / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    # Several workspaces may be open in one process (tests, a window and its dialogs):
    # one file each, named by the process so a reader can say who holds the store.
    path = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.lock"
    lock = FileLock(path, mode=0o600)
    lock.acquire(timeout=0)
    return Presence(lock, path)


def holders(data_dir: Path) -> list[int]:
    """Process ids, other than this one, that have the store open now (sorted).

    Files whose lock nobody holds (left by a process that crashed) are removed.
    """
    folder = data_dir / FOLDER
    if not folder.is_dir():
        return []
    found: set[int] = set()
    for path in folder.glob("*.lock"):
        pid_text = path.stem.split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        probe = FileLock(path)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            found.add(int(pid_text))
            continue
        except OSError:
            continue  # unreadable: not ours to judge, and not a holder we can name
        probe.release(force=True)
        with contextlib.suppress(OSError):
            path.unlink()
    return sorted(found)
