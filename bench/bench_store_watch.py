"""What the window's store watcher costs on a large store (docs/benchmarks.md).

The watcher reads SQLite's ``data_version`` every second; only when it moved does it ask
which submissions changed (``store_changes.changed_since``). Both run on the watcher's
thread, never the GUI's; this prints how long each takes on a 100,000-submission store:

    .venv/bin/python bench/bench_store_watch.py [--submissions N] [--home DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ui import build_store, pct  # the UI bench's 100,000-row store


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path)
    parser.add_argument("--submissions", type=int, default=100_000)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="coi-bench-watch-"))
    if not (home / "data" / "coi-desktop.sqlite3").exists():
        build_store(home, args.submissions)

    from coi_desktop.models import User
    from coi_desktop.review import decisions
    from coi_desktop.store_changes import DataVersion, changed_since, current_mark
    from coi_desktop.workspace import open_workspace

    watcher = open_workspace(home)
    writer = open_workspace(home)  # another connection, as the CLI would be
    probe = DataVersion(watcher.database.path)
    polls, lookups, found = [], [], []
    with watcher.database.session() as session:
        mark = current_mark(session)
    for i in range(20):
        with writer.database.session() as session:
            user = session.get(User, "u-1")
            assert user is not None
            decisions.record_decision(session, f"s-{i * 7 + 1:06d}", "rejected", user, note="bench")
        before = probe.read()
        t = time.perf_counter()
        version = probe.read()
        polls.append((time.perf_counter() - t) * 1000)
        assert version == before  # nothing new since the read just above
        t = time.perf_counter()
        with watcher.database.session() as session:
            mark, ids = changed_since(session, mark)
        lookups.append((time.perf_counter() - t) * 1000)
        found.append(len(ids))
    print(f"store of {args.submissions:,} submissions at {home}")
    print(f"data_version poll: median {pct(polls, 0.5):.3f} ms, p95 {pct(polls, 0.95):.3f} ms")
    print(
        f"changed_since after one decision elsewhere: median {pct(lookups, 0.5):.1f} ms, "
        f"p95 {pct(lookups, 0.95):.1f} ms (found {min(found)}–{max(found)} ids)"
    )
    probe.close()
    watcher.close()
    writer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
