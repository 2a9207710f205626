"""The dashboard widget: role gating, figures on screen, drill-downs, reassign, export."""

from __future__ import annotations

import csv
import threading
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pymupdf
import pytest
import requests
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from coi_desktop.models import OutboxItem, Submission, User
from coi_desktop.queue import QueueFilter, count_queue, query_queue
from coi_desktop.report import write_csv
from coi_desktop.report_pdf import write_pdf
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.team_view import compute_dashboard
from coi_desktop.teamstats import TeamStats
from coi_desktop.ui.dashboard import DashboardWidget, dashboard_allowed
from coi_desktop.ui.dashboard_tables import AttentionModel, ReviewerTableModel
from coi_desktop.ui.reassign_dialog import ReassignDialog, TeamMember
from coi_desktop.workspace import Workspace
from tests.test_teamstats import CHICAGO, NOW, Store


@pytest.fixture
def workspace(workspace: Workspace) -> Workspace:
    """The lead's home: a team of three and submissions late, due soon, new and decided."""
    ws = workspace
    store = Store(ws.database)
    store.user("u-1", name="Riley Reviewer")
    store.user("u-2", name="Sam Reviewer")
    store.user("u-4", "lead", "Lee Lead")
    store.sub(
        "s-late",
        NOW - timedelta(hours=30),
        status="in_review",
        assigned_to="u-2",
        company=4280,
        project="p-1",
    )
    store.sub("s-late2", NOW - timedelta(hours=50), company=5120, project=None)
    store.sub("s-soon", NOW - timedelta(hours=22), kind="endorsement", project="p-2")
    store.sub("s-new", NOW - timedelta(hours=1))
    for i, hours in enumerate([2, 5, 26]):
        decided = NOW - timedelta(hours=1, minutes=i)
        store.sub(
            f"s-d{i}",
            decided - timedelta(hours=hours),
            status="in_review",
            assigned_to="u-1",
            claimed=decided - timedelta(minutes=12),
        )
        store.decide(f"s-d{i}", decided)
    ws.set_current_user("u-4")
    return ws


def make(qtbot: QtBot, workspace: Workspace, **kw: Any) -> DashboardWidget:
    kw.setdefault("server", None)
    widget = DashboardWidget(workspace, tz=CHICAGO, clock=lambda: NOW, **kw)
    qtbot.addWidget(widget)
    return widget


def shown(qtbot: QtBot, workspace: Workspace, **kw: Any) -> DashboardWidget:
    """A dashboard with its first figures on screen."""
    widget = make(qtbot, workspace, **kw)
    qtbot.waitUntil(lambda: widget.data is not None, timeout=10_000)
    return widget


# ---------------------------------------------------------------- who sees it


def test_only_leads_get_the_dashboard(qtbot: QtBot, workspace: Workspace) -> None:
    assert dashboard_allowed(User(id="u-4", name="Lee", role="lead"))
    assert not dashboard_allowed(User(id="u-1", name="Riley", role="reviewer"))
    assert not dashboard_allowed(User(id="u-9", name="Robin", role="read_only"))
    assert not dashboard_allowed(None)
    workspace.set_current_user("u-1")
    widget = make(qtbot, workspace)
    assert not widget.allowed
    assert not hasattr(widget, "reassign_button") and widget.reads is None  # no thread started
    assert widget.reassign_submissions(["s-new"]) is False
    with workspace.database.session() as session:
        assert session.query(OutboxItem).filter_by(kind="assign").count() == 0


# ---------------------------------------------------------------- figures on screen


def test_tiles_tables_and_charts_show_the_figures(qtbot: QtBot, workspace: Workspace) -> None:
    widget = shown(qtbot, workspace)
    text = {key: tile.value.text() for key, tile in widget.tiles.items()}
    assert text == {
        "open": "4",
        "due_within_4h": "1",
        "overdue": "2",
        "decided_today": "3",
        "within_24h_share_7d": "66.7%",
        "turnaround_p50": "5h 00m",
        "turnaround_p90": "26h 00m",
    }
    assert widget.tiles["overdue"].property("alert") is True
    assert "Computed on this computer" in widget.status.text()
    assert widget.reviewer_model.rowCount() == 3
    assert widget.attention_model.rowCount() == 3
    assert "2 overdue, 1 due within 4 h" in widget.attention_title.text()
    aging = widget.aging_chart.series()
    assert len(aging) == 2  # the bars and the 24 h line
    trend = widget.trend_chart.series()
    assert len(trend) == 2
    # Filters narrow every figure.
    widget.kind_box.setCurrentIndex(widget.kind_box.findData("endorsement"))
    qtbot.waitUntil(
        lambda: widget.data is not None and widget.data.snapshot.filters.kinds == ("endorsement",),
        timeout=10_000,
    )
    assert widget.tiles["open"].value.text() == "1"


def test_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, workspace: Workspace
) -> None:
    widget = shown(qtbot, workspace)
    qtmodeltester.check(widget.reviewer_model)
    qtmodeltester.check(widget.attention_model)
    qtmodeltester.check(ReviewerTableModel())
    qtmodeltester.check(AttentionModel())
    model = widget.reviewer_model
    model.sort(3, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 0)) == "Riley Reviewer"
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, 0)) for r in range(3)] == [
        "Lee Lead",
        "Riley Reviewer",
        "Sam Reviewer",
    ]


def test_online_figures_come_from_the_tracker_unless_filtered(
    qtbot: QtBot, workspace: Workspace
) -> None:
    with workspace.database.session() as session:
        from coi_desktop.team_queries import compute_stats

        remote = compute_stats(session, NOW, tz=UTC).to_json()
    remote["overdue"] = 7  # so we can tell where the figure came from
    widget = shown(qtbot, workspace, server=lambda: TeamStats.from_json(remote))
    assert widget.tiles["overdue"].value.text() == "7"
    assert widget.status.text().startswith("Live from the tracker")
    widget.company_box.setCurrentIndex(widget.company_box.findData("4280"))
    qtbot.waitUntil(lambda: widget.data is not None and not widget.data.online, timeout=10_000)
    assert widget.tiles["overdue"].value.text() == "1"
    assert "filtered view" in widget.status.text()


def test_unreachable_tracker_falls_back_to_local_figures(
    qtbot: QtBot, workspace: Workspace
) -> None:
    widget = shown(qtbot, workspace, server=lambda: None)
    assert widget.data is not None and not widget.data.online
    assert "offline" in widget.status.text() and "data last synced" in widget.status.text()


def test_refresh_never_blocks_the_gui_thread(qtbot: QtBot, workspace: Workspace) -> None:
    def slow_tracker() -> TeamStats | None:
        time.sleep(0.4)
        return None

    widget = shown(qtbot, workspace, server=slow_tracker)
    first = widget.data
    started = time.perf_counter()
    widget.refresh()
    widget.refresh()  # a second request overtakes the first; only the newest is shown
    assert time.perf_counter() - started < 0.1
    qtbot.waitUntil(lambda: widget.data is not first, timeout=10_000)
    assert widget.data is not None and widget.data.generation == widget._generation


# ---------------------------------------------------------------- drill-downs


def _count(workspace: Workspace, flt: QueueFilter) -> int:
    with workspace.database.session() as session:
        return count_queue(session, flt)


def test_tiles_drill_down_to_the_same_items_the_figures_count(
    qtbot: QtBot, workspace: Workspace
) -> None:
    widget = shown(qtbot, workspace)
    stats = widget.data.snapshot.stats if widget.data else None
    assert stats is not None
    for key, expected in (
        ("open", stats.open),
        ("overdue", stats.overdue),
        ("due_within_4h", stats.due_within_4h),
        ("decided_today", stats.decided_today),
    ):
        with qtbot.waitSignal(widget.drill_down) as blocker:
            qtbot.mouseClick(widget.tiles[key], Qt.MouseButton.LeftButton)
        flt = blocker.args[0]
        assert isinstance(flt, QueueFilter)
        assert _count(workspace, flt) == expected, key
    # Keyboard: a focused tile opens on Enter.
    widget.tiles["overdue"].setFocus()
    with qtbot.waitSignal(widget.drill_down) as blocker:
        qtbot.keyClick(widget.tiles["overdue"], Qt.Key.Key_Return)
    assert blocker.args[0].due_before == NOW
    with qtbot.waitSignal(widget.drill_down) as blocker:
        widget._tile_clicked("within_24h_share_7d")
    assert blocker.args[0].ids == ("s-d2",)


def test_aging_bars_and_reviewers_drill_down(qtbot: QtBot, workspace: Workspace) -> None:
    widget = shown(qtbot, workspace)
    assert widget.data is not None
    for index, bucket in enumerate(widget.data.snapshot.aging):
        with qtbot.waitSignal(widget.drill_down) as blocker:
            widget._aging_clicked(index)
        assert _count(workspace, blocker.args[0]) == bucket.count, bucket.label
    row = next(
        r
        for r in range(widget.reviewer_model.rowCount())
        if widget.reviewer_model.reviewer(r).user_id == "u-2"
    )
    with qtbot.waitSignal(widget.drill_down) as blocker:
        widget.reviewer_table.activated.emit(widget.reviewer_model.index(row, 0))
    flt = blocker.args[0]
    assert flt.assigned_to == "u-2"
    with workspace.database.session() as session:
        assert [r.id for r in query_queue(session, flt)] == ["s-late"]
    with qtbot.waitSignal(widget.drill_down) as blocker:
        widget._trend_clicked(len(widget.data.snapshot.trend) - 1)
    assert _count(workspace, blocker.args[0]) == widget.data.snapshot.trend[-1].received


# ---------------------------------------------------------------- reassign


def _select_rows(widget: DashboardWidget, ids: list[str]) -> None:
    table, model = widget.attention_table, widget.attention_model
    table.clearSelection()
    for row in range(model.rowCount()):
        if model.item(row).id in ids:
            table.selectionModel().select(
                model.index(row, 0),
                table.selectionModel().SelectionFlag.Select
                | table.selectionModel().SelectionFlag.Rows,
            )


def test_reassign_offline_queues_pending_outbox_items(qtbot: QtBot, workspace: Workspace) -> None:
    widget = shown(qtbot, workspace)
    asked: list[list[str]] = []

    def choose(ids: list[str]) -> str:
        asked.append(ids)
        return "u-1"

    widget.choose_reviewer = choose
    _select_rows(widget, ["s-late", "s-late2"])
    first = widget.data
    with qtbot.waitSignal(widget.reassigned) as blocker:
        widget.reassign_action.trigger()  # Ctrl+Shift+A
    assert sorted(blocker.args[0]) == ["s-late", "s-late2"] and len(asked) == 1
    with workspace.database.session() as session:
        items = session.query(OutboxItem).filter_by(kind="assign").all()
        assert sorted(i.submission_id for i in items) == ["s-late", "s-late2"]
        assert {i.state for i in items} == {"pending"}
        assert {i.payload["user_id"] for i in items} == {"u-1"}
        sub = session.get(Submission, "s-late")
        assert sub is not None and sub.assigned_to == "u-1"
    qtbot.waitUntil(lambda: widget.data is not first, timeout=10_000)
    assert "2 reassignments waiting to be sent" in widget.status.text()
    holders = [
        widget.attention_model.data(widget.attention_model.index(r, 5))
        for r in range(widget.attention_model.rowCount())
    ]
    assert "→ Riley Reviewer (sending…)" in holders


def test_reassign_payload_is_what_the_tracker_accepts(qtbot: QtBot, workspace: Workspace) -> None:
    """Online: the outbox item the dashboard writes, delivered as the sync worker will."""
    widget = shown(qtbot, workspace)
    widget.choose_reviewer = lambda ids: "u-1"
    with qtbot.waitSignal(widget.reassigned):  # the outbox is written off the GUI thread
        assert widget.reassign_submissions(["s-late"])
    with workspace.database.session() as session:
        item = session.query(OutboxItem).filter_by(kind="assign").one()
        payload, sub_id = dict(item.payload), item.submission_id
    with SandboxServers() as servers:
        for user in (
            {"id": "u-1", "name": "Riley", "role": "reviewer"},
            {"id": "u-4", "name": "Lee", "role": "lead"},
        ):
            servers.tracker.add_user(user)
        with workspace.database.session() as session:
            from tests import factories

            data = factories.submission(sub_id, status="in_review", assigned_to="u-2")
        servers.tracker.add_submission(data)
        answer = requests.post(
            f"{servers.tracker_url}/submissions/{sub_id}/assign",
            json=payload,
            timeout=5,
            headers={"Authorization": "Bearer sandbox-token-u-4"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["assigned_to"] == "u-1"


def test_reassign_dialog_is_keyboard_driven(qtbot: QtBot) -> None:
    dialog = ReassignDialog(
        2,
        [
            TeamMember("u-1", "Riley Reviewer", 3),
            TeamMember("u-2", "Sam Reviewer", 5, 2),
            TeamMember("u-3", "Sandy Reviewer", 1),
        ],
    )
    qtbot.addWidget(dialog)
    assert dialog.chosen() == "u-1"
    qtbot.keyClicks(dialog.search, "sa")
    assert dialog.chosen() == "u-2"
    assert dialog.people.currentItem().text() == "Sam Reviewer  ·  5 open, 2 in review"
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)  # arrows move in the list while typing
    assert dialog.chosen() == "u-3"
    qtbot.keyClicks(dialog.search, "zzz")
    assert dialog.chosen() is None and not dialog.ok.isEnabled()
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # nobody matches: nothing is accepted
    assert dialog.result() == 0
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "sam")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.chosen() == "u-2"


def test_reassign_to_unknown_user_is_refused_plainly(
    qtbot: QtBot, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    widget = shown(qtbot, workspace)
    warnings: list[str] = []
    monkeypatch.setattr(widget, "_warn", warnings.append)
    widget.choose_reviewer = lambda ids: "u-nobody"
    assert widget.reassign_submissions(["s-new"]) is False
    assert warnings == ["There is no user u-nobody to assign work to."]


# ---------------------------------------------------------------- export


def test_export_csv_and_pdf_of_the_current_view(
    qtbot: QtBot, workspace: Workspace, tmp_path: Path
) -> None:
    widget = shown(qtbot, workspace)
    widget.export_csv(tmp_path / "view.csv")
    widget.export_pdf(tmp_path / "view.pdf")
    rows = list(csv.reader((tmp_path / "view.csv").read_text(encoding="utf-8").splitlines()))
    summary = {r[1]: r[2] for r in rows if r and r[0] == "summary"}
    assert summary["overdue"] == widget.tiles["overdue"].value.text()
    with pymupdf.open(tmp_path / "view.pdf") as doc:
        text = doc[0].get_text()
    assert "Overdue (2)" in text and "s-late2" in text


def test_reassign_is_delivered_to_the_sandbox_by_the_sync_engine(
    qtbot: QtBot, workspace: Workspace
) -> None:
    """Online end to end: dashboard → outbox → sync engine → tracker; then nothing pending."""
    from coi_desktop.sync.engine import SyncConfig, SyncEngine
    from tests import factories

    widget = shown(qtbot, workspace)
    widget.choose_reviewer = lambda ids: "u-1"
    with SandboxServers() as servers:
        for user in (
            {"id": "u-1", "name": "Riley", "role": "reviewer"},
            {"id": "u-2", "name": "Sam", "role": "reviewer"},
            {"id": "u-4", "name": "Lee", "role": "lead"},
        ):
            servers.tracker.add_user(user)
        with workspace.database.session() as session:
            sub = session.get(Submission, "s-late")
            assert sub is not None
            data = factories.submission(
                "s-late", status="in_review", assigned_to="u-2", version=sub.version
            )
        servers.tracker.add_submission(data)
        with qtbot.waitSignal(widget.reassigned):  # the outbox is written off the GUI thread
            assert widget.reassign_submissions(["s-late"])
        engine = SyncEngine(
            workspace.database,
            workspace.documents,
            SyncConfig(
                tracker_url=servers.tracker_url, tracker_token="sandbox-token-u-4", prepare_limit=0
            ),
        )
        try:
            engine.run_outbound()
        finally:
            engine.close()
        remote = servers.tracker.submission("s-late")
    assert remote is not None and remote["assigned_to"] == "u-1"
    with workspace.database.session() as session:
        item = session.query(OutboxItem).filter_by(kind="assign").one()
        assert item.state == "delivered", item.last_error
    first = widget.data
    widget.refresh()
    qtbot.waitUntil(lambda: widget.data is not first, timeout=10_000)
    assert "waiting to be sent" not in widget.status.text()


def test_the_view_refreshes_by_itself(qtbot: QtBot, workspace: Workspace) -> None:
    widget = shown(qtbot, workspace, refresh_ms=50)
    first = widget.data
    qtbot.waitUntil(lambda: widget.data is not first and widget._generation >= 3, timeout=10_000)
    widget.shutdown()
    widget.shutdown()  # safe twice
    assert widget.reads is None


def test_a_refresh_that_fails_says_so_in_a_sentence_and_the_next_one_works(
    qtbot: QtBot, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    widget = shown(qtbot, workspace)
    good = widget.data

    def broken(*args: Any) -> Any:
        raise ValueError("a figure out of range")

    monkeypatch.setattr("coi_desktop.ui.dashboard_data.compute_dashboard", broken)
    widget.refresh()
    qtbot.waitUntil(lambda: "Could not compute the team figures" in widget.status.text())
    assert "Traceback" not in widget.status.text() and widget.data is good  # figures kept
    monkeypatch.setattr("coi_desktop.ui.dashboard_data.compute_dashboard", compute_dashboard)
    widget.refresh()
    qtbot.waitUntil(lambda: widget.data is not good, timeout=10_000)
    assert "Could not" not in widget.status.text()


def test_no_store_or_report_work_on_the_gui_thread(
    qtbot: QtBot, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refresh, reassign and export from their slots: every SQL statement and every report
    file is made on the team view's thread; the GUI thread only hands work over."""
    widget = shown(qtbot, workspace)
    gui = threading.current_thread()
    on_gui: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if threading.current_thread() is gui:
            on_gui.append(statement)

    def written_by(write: Any) -> Any:
        def wrapper(*args: Any) -> None:
            assert threading.current_thread() is not gui, "a report was written on the GUI thread"
            write(*args)

        return wrapper

    monkeypatch.setattr(
        "coi_desktop.report_pdf.write_pdf", written_by(write_pdf)
    )  # imported at use
    monkeypatch.setattr("coi_desktop.ui.dashboard.write_csv", written_by(write_csv))
    target = tmp_path / "team.pdf"
    monkeypatch.setattr(
        "coi_desktop.ui.dashboard.QFileDialog.getSaveFileName", lambda *a: (str(target), "")
    )
    engine = workspace.database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        first = widget.data
        widget.refresh_button.click()
        qtbot.waitUntil(lambda: widget.data is not first, timeout=10_000)
        widget.choose_reviewer = lambda ids: "u-1"
        _select_rows(widget, ["s-late"])
        assert widget.team_members()  # from the last refresh, no query
        with qtbot.waitSignal(widget.reassigned, timeout=10_000):
            widget.reassign_action.trigger()
        widget.pdf_button.click()
        qtbot.waitUntil(lambda: "saved to" in widget.status.text(), timeout=20_000)
        target = tmp_path / "team.csv"
        widget.csv_button.click()
        qtbot.waitUntil(lambda: "CSV saved to" in widget.status.text(), timeout=20_000)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert on_gui == []
    assert (tmp_path / "team.pdf").stat().st_size > 0 and (tmp_path / "team.csv").exists()
