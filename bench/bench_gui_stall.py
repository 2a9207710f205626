"""How long the GUI thread stalls when the window opens a hostile PDF (issue #14 point 10).

    .venv/bin/python bench/bench_gui_stall.py [--rounds 3]

Builds a small store with one plain certificate and the fuzz bench's crafted hostile
files (flate bomb, 5 MB form field, 40000 × 40000 image, 500 pages, deep nesting), opens
the real window offscreen and switches to each hostile submission in turn while a 50 ms
QTimer on the GUI thread records its longest gap. Prints, per file: the longest gap
(p50/max over rounds), how long until the pane settled the first time (page 1 shown or a
message), and
what the pane showed. With --background the window also extracts every hostile file
(background preparation) meanwhile. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BLANK = REPO / "tests" / "data" / "acord25-2016-03-blank-fillable.pdf"


def build_store(home: Path, files: dict[str, bytes]) -> None:
    from coi_desktop.ingest import upsert_profile, upsert_user
    from coi_desktop.workspace import open_workspace
    from tests import factories

    ws = open_workspace(home)
    named = {"plain": BLANK.read_bytes(), **files}
    with ws.database.session() as session:
        upsert_user(session, {"id": "u-1", "name": "Riley Reviewer", "role": "reviewer"})
        upsert_profile(session, factories.PROFILE)
        factories.submit_documents(ws, session, named)
    ws.set_current_user("u-1")
    ws.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--background", action="store_true", help="also run background preparation (extraction)"
    )
    args = parser.parse_args()

    from bench.bench_fuzz import _crafted

    files = _crafted()
    home = Path(tempfile.mkdtemp(prefix="coi-stall-"))
    os.environ["COI_DESKTOP_HOME"] = str(home)
    build_store(home, files)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from coi_desktop.ui.main_window import MainWindow
    from coi_desktop.workspace import open_workspace

    app = QApplication([])
    ws = open_workspace(home)
    window = MainWindow(ws, background=args.background)
    window.resize(1366, 768)
    window.show()

    longest = [0.0]
    overall = [0.0]
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        longest[0] = max(longest[0], now - last[0])
        overall[0] = max(overall[0], now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(tick)
    timer.start()

    def wait_until(done: object, timeout: float) -> float:
        started = time.perf_counter()
        while not done() and time.perf_counter() - started < timeout:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.005)
        return time.perf_counter() - started

    viewer = window.viewer
    wait_until(lambda: viewer._first_shown, 30)
    tick()
    print(f"longest GUI gap while the window started: {overall[0] * 1000:.0f} ms")
    overall[0] = 0.0
    if args.background:  # every hostile file is extracted while the reviewer works
        window.preparation.poke()
    results: dict[str, list[tuple[float, float, str]]] = {name: [] for name in files}
    for _ in range(args.rounds):
        for name in files:
            window.open_submission("s-plain")  # from a plain certificate each time
            wait_until(lambda: viewer._first_shown, 30)
            wait_until(lambda: False, 0.3)
            tick()
            longest[0] = 0.0
            window.open_submission(f"s-{name}")
            settle = wait_until(lambda: viewer._first_shown or viewer.error is not None, 60)
            wait_until(lambda: False, 0.3)  # thumbnails and the rest
            tick()
            shown = "page 1" if viewer._first_shown else f"message: {(viewer.error or '?')[:40]}"
            results[name].append((longest[0], settle, shown))
    # Settled: the first (cold) round; later rounds show page 1 from the page cache.
    print(f"{'file':<14} {'longest GUI gap p50/max':>24} {'settled cold':>13}  pane")
    for name, rows in results.items():
        gaps = sorted(r[0] for r in rows)
        print(
            f"{name:<14} {gaps[len(gaps) // 2] * 1000:>10.0f} / {gaps[-1] * 1000:>6.0f} ms"
            f" {rows[0][1] * 1000:>10.0f} ms  {rows[0][2]}"
        )
    if args.background:
        started = time.perf_counter()
        wait_until(lambda: not window.status.prepare.text(), 300)
        print(f"preparation finished {time.perf_counter() - started:.1f} s after the rounds")
    print(f"longest GUI gap over the rounds: {overall[0] * 1000:.0f} ms")
    window.shutdown()
    window.close()
    ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
