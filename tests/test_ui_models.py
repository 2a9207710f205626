"""Every Qt model passes qtmodeltester; the queue is lazy and its countdown ticks alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coi_desktop.cli import main
from coi_desktop.commands import decide
from coi_desktop.models import Submission
from coi_desktop.queue import QueueFilter
from coi_desktop.review import decisions
from coi_desktop.review.checklist import ChecklistLine
from coi_desktop.review.submission_view import DocumentRef
from coi_desktop.ui.checklist_model import ChecklistModel
from coi_desktop.ui.operations import Operations
from coi_desktop.ui.pdf_viewer import PdfViewer
from coi_desktop.ui.queue_model import DUE, PAGE_SIZE, QueueModel, countdown_text, urgency
from coi_desktop.workspace import Workspace
from tests.test_ui_support import standard_lines

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.seeded,
]


def test_queue_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, workspace: Workspace
) -> None:
    model = QueueModel(workspace.database)
    model.set_filter(QueueFilter(view="all"))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 5


def test_checklist_model_passes_the_model_tester(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    model = ChecklistModel()
    model.set_lines(standard_lines("d-1"))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2  # Certificate, General liability
    assert model.rowCount(model.index(1, 0)) == 3
    assert "1 fail" in model.index(1, 0).data()


def test_thumbnail_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, workspace: Workspace, blank_form: Path
) -> None:
    viewer = PdfViewer(workspace.documents.read)
    qtbot.addWidget(viewer, before_close_func=lambda v: v.shutdown())
    viewer.resize(700, 900)
    viewer.show()
    sha = workspace.documents.put(blank_form.read_bytes())
    viewer.set_documents([DocumentRef("d-1", "coi.pdf", sha, True)])
    qtbot.waitUntil(lambda: viewer.thumbnail_model.rowCount() == 1, timeout=5000)
    qtmodeltester.check(viewer.thumbnail_model, force_py=True)
    qtbot.waitUntil(lambda: viewer.thumbnail(0) is not None, timeout=5000)
    viewer.close()


def _add_a_page_and_a_half(workspace: Workspace) -> None:
    with workspace.database.session() as session:
        base = session.get(Submission, "s-1")
        assert base is not None
        for n in range(PAGE_SIZE + 50):
            session.add(
                Submission(
                    id=f"x-{n:04d}",
                    version=1,
                    kind="coi",
                    status="new",
                    received_at=base.received_at,
                    due_at=base.due_at + timedelta(days=1, minutes=n),
                    scope="project",
                    vendor_id=base.vendor_id,
                    project_id=base.project_id,
                )
            )


def test_queue_is_fetched_a_page_at_a_time(qtbot: QtBot, workspace: Workspace) -> None:
    _add_a_page_and_a_half(workspace)
    model = QueueModel(workspace.database)
    model.set_filter(QueueFilter(view="all"))
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == PAGE_SIZE + 55 and not model.canFetchMore()
    assert model.loaded_ids()[:2] == ["s-1", "s-2"]  # soonest due first


def test_scrolling_reads_the_next_page_off_the_gui_thread(
    qtbot: QtBot, workspace: Workspace
) -> None:
    _add_a_page_and_a_half(workspace)
    pages = Operations("test-pages")
    model = QueueModel(workspace.database, pages=pages)
    try:
        model.set_filter(QueueFilter(view="all"))
        with qtbot.waitSignal(model.rowsInserted, timeout=5000) as inserted:
            model.fetchMore()
            assert model.rowCount() == PAGE_SIZE  # returned at once; the page is on its way
            model.fetchMore()  # asked again while it is read: no second request
        assert inserted.args[1:] == [PAGE_SIZE, PAGE_SIZE + 54]
        assert model.rowCount() == PAGE_SIZE + 55 and not model.canFetchMore()
        assert len(set(model.loaded_ids())) == PAGE_SIZE + 55

        # A page still on its way when the rows are read again is dropped, not appended.
        model.set_filter(QueueFilter(view="all"))
        model.fetchMore()
        model.reload()
        qtbot.waitUntil(lambda: pages.is_idle and not model.loading, timeout=5000)
        assert model.rowCount() == PAGE_SIZE
        assert len(set(model.loaded_ids())) == PAGE_SIZE
    finally:
        pages.stop()


def test_countdown_tick_touches_only_the_due_column(qtbot: QtBot, workspace: Workspace) -> None:
    now = [datetime.now(UTC)]
    model = QueueModel(workspace.database, clock=lambda: now[0])
    model.set_filter(QueueFilter(view="all"))
    first = model.index(0, DUE).data()
    now[0] += timedelta(minutes=90)
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.tick()
    top, bottom = blocker.args[0], blocker.args[1]
    assert (top.column(), bottom.column()) == (DUE, DUE)
    assert (top.row(), bottom.row()) == (0, model.rowCount() - 1)
    assert model.index(0, DUE).data() != first


def test_countdown_and_urgency_words() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert countdown_text(now + timedelta(hours=5, minutes=7), now) == "5h 07m"
    assert countdown_text(now - timedelta(minutes=80), now) == "late 1h 20m"
    assert countdown_text(now + timedelta(days=3, hours=2), now) == "3d 2h"
    assert urgency(now + timedelta(hours=3), now) == "soon"
    assert urgency(now - timedelta(seconds=1), now) == "overdue"
    assert urgency(now + timedelta(hours=5), now) == "later"


def test_sort_is_pushed_into_the_filter(qtbot: QtBot, workspace: Workspace) -> None:
    from PySide6.QtCore import Qt

    model = QueueModel(workspace.database)
    model.set_filter(QueueFilter(view="all"))
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert (model.queue_filter.sort, model.queue_filter.descending) == ("vendor", True)
    assert model.row_at(0) is not None and model.row_at(0).vendor == "Vendor 4 LLC"  # type: ignore[union-attr]
    assert not model.index(0, 0).parent().isValid() and model.rowCount(QModelIndex()) == 5


def test_decide_command_records_like_the_gui(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", "s-1", "--outcome", "non_compliant"]) == 0
    out = capsys.readouterr().out
    assert "non-compliant recorded by Riley Reviewer" in out
    assert "GL each occurrence $500,000 is below" in out
    with workspace.database.session() as session:
        assert decisions.current_decision(session, "s-1").undoable
    assert main(["decide", "s-1", "--outcome", "compliant"]) == 1
    assert "already decided" in capsys.readouterr().err
    assert main(["decide", "s-2", "--outcome", "rejected"]) == 1
    assert "needs a note" in capsys.readouterr().err
    assert main(["decide", "s-2", "--outcome", "rejected", "--note", "Not a COI"]) == 0
    assert decide.HELP


def test_decide_command_needs_someone_signed_in(
    coi_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", "s-1", "--outcome", "compliant"]) == 2
    assert "nobody is signed in" in capsys.readouterr().err


def test_the_next_checklist_of_the_same_shape_is_shown_in_place(qtbot: QtBot) -> None:
    """J to a submission on the same requirement profile swaps the values in (no new tree
    to lay out): what shows, the selected line's detail and the columns are the new one's."""
    from coi_desktop.review.submission_view import SubmissionView
    from coi_desktop.ui.checklist_model import FOUND
    from coi_desktop.ui.checklist_panel import ChecklistPanel

    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    now = datetime.now(UTC)

    def view(sid: str, lines: list[ChecklistLine]) -> SubmissionView:
        return SubmissionView(
            sid,
            "coi",
            "new",
            f"Vendor {sid}",
            "Tower",
            "project",
            None,
            now,
            now + timedelta(hours=3),
            None,
            [],
            lines,
            True,
            None,
        )

    first = standard_lines("d-1")
    second = [
        replace(first[0], found="Someone Else LLC", message="Holder differs."),
        replace(first[1], result="fail", overridden=True, note="checked by phone"),
        *first[2:],
    ]
    panel.show_submission(view("s-1", first))
    groups = [panel.model.index(g, 0) for g in range(panel.model.rowCount())]
    narrow = panel.tree.header().sectionSize(0)
    panel.show_submission(view("s-2", second))
    assert [panel.model.index(g, 0) for g in range(panel.model.rowCount())] == groups
    assert panel.model.lines == second
    holder = panel.model.line_indexes()[0]
    assert holder.siblingAtColumn(FOUND).data() == "Someone Else LLC"
    assert "Holder differs." in panel.detail.text()  # the same row selected, its new detail
    gl = panel.model.index(1, 0)
    assert panel.tree.isExpanded(gl) and "2 fail" in gl.data()
    mark = panel.model.line_indexes()[1].data()
    assert mark.endswith("✎")  # the override's mark has room
    wide = panel.tree.header().sectionSize(0)
    assert wide > narrow
    assert wide >= panel.tree.fontMetrics().horizontalAdvance(mark)
    # another profile's groups: the tree is laid out anew, every group open
    other = [*first, replace(first[1], coverage="workers_compensation")]
    panel.show_submission(view("s-3", other))
    assert panel.model.rowCount() == 3
    assert all(panel.tree.isExpanded(panel.model.index(g, 0)) for g in range(3))
    assert all(panel.tree.isFirstColumnSpanned(g, QModelIndex()) for g in range(3))
