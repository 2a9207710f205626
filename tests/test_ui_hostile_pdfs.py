"""Hostile PDFs opened in the real window: the GUI thread keeps ticking (issue #14 point 10).

A flate bomb, a 5 MB form field and a 40000 × 40000 image (the fuzz bench's crafted
files) are opened one after the other while a 50 ms timer on the GUI thread records
its longest gap. PyMuPDF holds the GIL while it works, so parsing on *any* thread of
the window's process shows up here as a gap; the bound is a stall, not a speed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from bench.bench_fuzz import _crafted  # the generators the fuzz bench uses
from coi_desktop.models import Submission
from coi_desktop.review import decisions
from coi_desktop.ui import pdf_render
from coi_desktop.ui.main_window import MainWindow
from coi_desktop.workspace import Workspace
from tests import factories
from tests.test_ui_support import seeded_workspace, settle, standard_lines

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.seeded(count=2, corrupt=False),
]

HOSTILE = ("flate_bomb", "huge_field", "huge_image")
STALL_BOUND_S = 1.0  # generous: before the child process the window froze 1.7–7.4 s


@pytest.fixture(scope="module")
def hostile_files() -> dict[str, bytes]:
    files = _crafted()
    return {name: files[name] for name in HOSTILE}


@pytest.fixture
def workspace(workspace: Workspace, hostile_files: dict[str, bytes]) -> Workspace:
    ws = workspace
    with ws.database.session() as session:
        # Due after s-1 and s-2, so the window opens a plain certificate first.
        factories.submit_documents(ws, session, hostile_files, first=10)
        for name in hostile_files:
            sub = session.get(Submission, f"s-{name}")
            assert sub is not None
            decisions.replace_checklist(session, sub, standard_lines(f"d-s-{name}"))
    return ws


@pytest.fixture(autouse=True)
def short_render_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short budget keeps the test quick and makes the flate bomb overrun it for certain
    (autouse: set before the window's renderer starts)."""
    monkeypatch.setattr(pdf_render, "RENDER_BUDGET_S", 1.0)


@pytest.fixture
def window(qtbot: QtBot, window: MainWindow) -> MainWindow:
    qtbot.waitUntil(lambda: window.viewer._first_shown, timeout=20_000)
    assert window.current_id == "s-1"
    return window


class GapMeter:
    """A 50 ms timer on the GUI thread; the longest time between two of its ticks."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def stop(self) -> None:
        self._tick()
        self._timer.stop()


def settled(window: MainWindow) -> Callable[[], bool]:
    return lambda: window.viewer._first_shown or window.viewer.error is not None


def test_hostile_documents_never_stall_the_gui_thread(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened_on: list[threading.Thread] = []
    real_open: Any = pymupdf.open

    def recording_open(*args: Any, **kwargs: Any) -> Any:
        opened_on.append(threading.current_thread())
        return real_open(*args, **kwargs)

    monkeypatch.setattr(pymupdf, "open", recording_open)
    outcomes: dict[str, tuple[bool, str | None]] = {}
    for name in HOSTILE:
        meter = GapMeter()
        window.open_submission(f"s-{name}")
        settle(qtbot, window)  # read off the GUI thread; then its document opens
        qtbot.waitUntil(settled(window), timeout=30_000)
        qtbot.wait(200)  # and a little after, while thumbnails and the rest arrive
        meter.stop()
        assert meter.longest < STALL_BOUND_S, f"{name}: GUI thread stalled {meter.longest:.2f} s"
        outcomes[name] = (window.viewer._first_shown, window.viewer.error)
    assert threading.main_thread() not in opened_on  # no document parsed on the GUI thread
    # The bomb overran the render budget: the pane says so in a sentence.
    shown, error = outcomes["flate_bomb"]
    assert not shown and error is not None and "did not finish drawing" in error
    window.open_submission("s-flate_bomb")
    settle(qtbot, window)
    qtbot.waitUntil(settled(window), timeout=30_000)
    assert "did not finish drawing" in window.viewer.message.text()
    # The huge image is capped, not drawn at 1.6 G pixels: it shows.
    assert outcomes["huge_image"] == (True, None)


def test_leaving_a_slow_document_cancels_its_render(qtbot: QtBot, window: MainWindow) -> None:
    worker = window.viewer.source.worker
    before = worker._child.pid
    window.open_submission("s-flate_bomb")
    settle(qtbot, window)
    bomb = window.viewer.source.key
    qtbot.waitUntil(lambda: worker._doc_key == bomb, timeout=10_000)  # the bomb is rendering
    window.open_submission("s-1")
    settle(qtbot, window)
    plain = window.viewer.source.key
    # Page 1 of s-1 shows from the page cache at once; the child gets s-1 open soon after.
    qtbot.waitUntil(lambda: worker._child_key == plain, timeout=20_000)
    assert window.viewer._first_shown and window.viewer.error is None
    # The child drawing the bomb was killed for the next submission, not waited for.
    assert worker._child.pid not in (None, before)


def test_background_preparation_reads_documents_in_another_process(
    qtbot: QtBot, coi_home: Path, blank_form: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import delete

    from coi_desktop.models import ChecklistLineRow
    from coi_desktop.review import pipeline
    from coi_desktop.ui.background import PreparationThread

    ws, _ids = seeded_workspace(coi_home, blank_form, count=1, corrupt=False)
    with ws.database.session() as session:
        session.execute(delete(ChecklistLineRow))
        sub = session.get(Submission, "s-1")
        assert sub is not None
        sub.precheck_pass = sub.precheck_fail = sub.precheck_needs_review = None
    in_this_process: list[str] = []
    real_prepare = pipeline.prepare

    def recording_prepare(*args: Any, **kwargs: Any) -> Any:
        in_this_process.append(args[2])
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", recording_prepare)
    thread = PreparationThread(ws.database, ws.documents)
    try:
        with qtbot.waitSignal(thread.prepared, timeout=60_000) as prepared:
            thread.poke()
    finally:
        thread.stop()
    assert prepared.args == [["s-1"]]
    with ws.database.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None and sub.precheck_pass is not None  # the child wrote it
    assert in_this_process == []  # PyMuPDF never ran in the window's process
    ws.close()
