"""Acceptance: the review loop closes from the window, driven by the keyboard alone.

A generated world (real ACORD 25 PDFs, fillable and flattened, some with endorsements)
is served by the project's sandbox tracker and Procore over HTTP on 127.0.0.1. The home
is filled by a real sync and every certificate is extracted and pre-checked for real.
The real window then runs with its real background threads (sync worker, preparation,
store watcher); a reviewer works it by keys pressed on whatever widget has the focus.
Each decision must reach *delivered*, the tracker must answer with the outcome as the
submission's status, and Procore must hold the records of the compliant ones. Halfway,
the servers go away (offline) and come back on the same ports (online).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from coi_desktop.models import Decision, OutboxItem, Submission
from coi_desktop.review.pipeline import prepare_waiting
from coi_desktop.samples import find_blank_form
from coi_desktop.samples.world import World, build_world
from coi_desktop.sync.demo_loop import start_demo_sandbox
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.sync.sandbox.seed import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from coi_desktop.ui import decision_actions
from coi_desktop.ui.dialogs import DecisionDialog, OverrideDialog
from coi_desktop.ui.main_window import MainWindow
from coi_desktop.workspace import Workspace
from tests.test_sync_helpers import back_on_the_same_ports, expect_the_demo_to_connect
from tests.test_ui_keyboard import focused

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
NONE = Qt.KeyboardModifier.NoModifier
SEED, SUBMISSIONS = 3, 24


@pytest.fixture
def world() -> World:
    now = datetime.now(UTC).replace(microsecond=0)
    return build_world(SEED, now, n_submissions=SUBMISSIONS, blank_form=find_blank_form())


@pytest.fixture
def servers(
    world: World, coi_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxServers]:
    expect_the_demo_to_connect(monkeypatch)
    running = start_demo_sandbox(coi_home, world=world)  # the first pull, as the demo does
    yield running
    running.stop()


@pytest.fixture
def workspace(servers: SandboxServers, workspace: Workspace) -> Workspace:
    """The home the demo's first pull filled (``servers`` first), prepared as the app would."""
    opened = workspace
    # Extracted and pre-checked for real (scans aside: OCR is the extraction tests' job).
    today = datetime.now(UTC).date()
    prepared = prepare_waiting(opened.database, opened.documents, today, limit=100, ocr=False)
    assert all(p.checked for p in prepared), [p.problem for p in prepared if not p.checked]
    return opened


# ---------------------------------------------------------------- the reviewer's hands


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = NONE) -> None:
    qtbot.keyClick(focused(qtbot), key, modifier)


def type_text(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(qtbot), text)


def dialog_of(qtbot: QtBot, window: MainWindow) -> DecisionDialog | OverrideDialog:
    qtbot.waitUntil(lambda: window.decisions.open_dialog is not None, timeout=3000)
    dialog = window.decisions.open_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.note.hasFocus, timeout=3000)
    return dialog


def go_to(qtbot: QtBot, window: MainWindow, submission_id: str) -> None:
    """Ctrl+L, the id, Enter: the search finds it and opens it (opening claims it)."""
    press(qtbot, Qt.Key.Key_L, CTRL)
    assert focused(qtbot) is window.search
    type_text(qtbot, submission_id)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_id == submission_id, timeout=5000)
    # and read off the GUI thread: on screen a moment later
    qtbot.waitUntil(lambda: getattr(window.current_view, "id", None) == submission_id)
    assert focused(qtbot) is window.table


def decide(
    qtbot: QtBot, window: MainWindow, submission_id: str, outcome: str, note: str = ""
) -> None:
    go_to(qtbot, window, submission_id)
    key = {"compliant": Qt.Key.Key_1, "non_compliant": Qt.Key.Key_2, "rejected": Qt.Key.Key_3}
    press(qtbot, key[outcome], CTRL)
    dialog = dialog_of(qtbot, window)
    assert isinstance(dialog, DecisionDialog) and dialog.outcome == outcome
    if note:
        type_text(qtbot, note)
    if dialog.needs_care:
        press(qtbot, Qt.Key.Key_A, ALT)
    else:
        press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.decisions.open_dialog is None or not dialog.error.isHidden())
    assert window.decisions.open_dialog is None, dialog.error.text()
    with window.workspace.database.session() as session:
        assert (
            session.scalars(
                select(Decision.outcome).where(
                    Decision.submission_id == submission_id, Decision.undone.is_(False)
                )
            ).one()
            == outcome
        )


# ---------------------------------------------------------------- what the servers say


def tracker_status(servers: SandboxServers, submission_id: str, token: str) -> str:
    answer = requests.get(
        f"{servers.tracker_url}/submissions/{submission_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    answer.raise_for_status()
    return str(answer.json()["status"])


def procore_records(servers: SandboxServers, company: int, path: str) -> list[dict[str, Any]]:
    token = requests.post(
        f"{servers.procore_login_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
        },
        timeout=5,
    )
    token.raise_for_status()
    answer = requests.get(
        f"{servers.procore_api_url}/rest/v1.0{path}",
        headers={
            "Authorization": f"Bearer {token.json()['access_token']}",
            "Procore-Company-Id": str(company),
        },
        timeout=5,
    )
    answer.raise_for_status()
    body = answer.json()
    return list(body if isinstance(body, list) else body.get("data", []))


def insurances_path(world: World, submission_id: str) -> tuple[int, str]:
    sub = next(s for s in world.submissions if s["id"] == submission_id)
    vendor = sub["vendor"]["procore_vendor_id"]
    if sub["scope"] == "global":
        return sub["procore_company_id"], (
            f"/companies/{sub['procore_company_id']}/vendors/{vendor}/insurances"
        )
    project = sub["project"]["procore_project_id"]
    return sub["procore_company_id"], f"/projects/{project}/vendors/{vendor}/insurances"


def decision_items(workspace: Workspace) -> dict[str, OutboxItem]:
    with workspace.database.session() as session:
        rows = session.execute(
            select(Decision.submission_id, OutboxItem)
            .join(OutboxItem, OutboxItem.decision_id == Decision.id)
            .where(Decision.undone.is_(False))
        ).all()
        for _, item in rows:
            session.expunge(item)
    return {sub_id: item for sub_id, item in rows}


def assert_delivered(qtbot: QtBot, workspace: Workspace, submission_ids: list[str]) -> None:
    """Wait until sync has settled each decision (delivered or refused), then judge."""

    def settled() -> bool:
        items = decision_items(workspace)
        return all(s in items and items[s].state != "pending" for s in submission_ids)

    qtbot.waitUntil(settled, timeout=60_000)
    items = decision_items(workspace)
    states = {s: (items[s].state, items[s].last_error) for s in submission_ids}
    assert {s: state for s, (state, _) in states.items()} == dict.fromkeys(
        submission_ids, "delivered"
    ), states


def pick(workspace: Workspace, world: World) -> dict[str, list[str]]:
    """Open, unheld submissions by what the pre-check found (the generator's truth agrees)."""
    with workspace.database.session() as session:
        subs = session.scalars(
            select(Submission)
            .where(Submission.status == "new", Submission.assigned_to.is_(None))
            .order_by(Submission.due_at)
        ).all()
        linked = {  # Procore knows where its records go
            s.id: s.vendor.procore_vendor_id is not None
            and (s.scope == "global" or (s.project is not None and s.project.procore_project_id))
            for s in subs
        }
        picked: dict[str, list[str]] = {"pass": [], "fail": [], "other": []}
        for sub in subs:
            if any(world.styles.get(d.id) == "scanned" for d in sub.documents):
                continue  # read without OCR here: unreadable, not a fair test of a decision
            if sub.precheck_fail == 0 and sub.precheck_needs_review == 0 and sub.kind == "coi":
                picked["pass" if linked[sub.id] else "other"].append(sub.id)
            elif (sub.precheck_fail or 0) > 0 and sub.kind == "coi":
                picked["fail"].append(sub.id)
            else:
                picked["other"].append(sub.id)
    assert all(not world.defects[s] for s in picked["pass"])
    assert all(world.defects[s] for s in picked["fail"])
    return picked


# ---------------------------------------------------------------- the loop


def test_decisions_made_by_keyboard_are_delivered_and_accepted_offline_then_online(
    qtbot: QtBot,
    servers: SandboxServers,
    workspace: Workspace,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(decision_actions, "SEND_DELAY_MS", 300)
    picked = pick(workspace, world)
    assert len(picked["pass"]) >= 2 and len(picked["fail"]) >= 2 and picked["other"], picked
    compliant, non_compliant = picked["pass"][:2], picked["fail"][:2]
    rejected = picked["other"][0]

    window = MainWindow(workspace)  # the real thing: sync worker, preparation, store watcher
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.sync.worker is not None, timeout=5000)
    qtbot.waitUntil(lambda: "Online" in window.sync.label.text(), timeout=30_000)
    press(qtbot, Qt.Key.Key_3, ALT)  # All: the search below looks everywhere
    qtbot.waitUntil(lambda: window.model.queue_filter.view == "all", timeout=5000)

    # Online: one of each outcome, and a line set aside by the reviewer on the way.
    decide(qtbot, window, compliant[0], "compliant")
    go_to(qtbot, window, non_compliant[0])
    for _ in range(40):  # N down the checklist to a line the pre-check passed
        press(qtbot, Qt.Key.Key_N)
        selected = window.checklist.selected()
        if selected is not None and selected[1].result == "pass":
            break
    assert selected is not None and selected[1].result == "pass"
    press(qtbot, Qt.Key.Key_O)
    dialog = dialog_of(qtbot, window)
    assert isinstance(dialog, OverrideDialog)
    press(qtbot, Qt.Key.Key_2)  # fail: 1–4 choose the result
    type_text(qtbot, "The broker's copy shows a different insurer")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.decisions.open_dialog is None, timeout=3000)
    assert any("different insurer" in d for d in window.checklist.deficiencies())
    decide(qtbot, window, non_compliant[0], "non_compliant")
    decide(qtbot, window, rejected, "rejected", note="Not a certificate for this vendor")

    online = [compliant[0], non_compliant[0], rejected]
    assert_delivered(qtbot, workspace, online)

    # Offline: the servers go away; decisions wait in the outbox and say so.
    ports = (servers._threads[0].port, servers._threads[1].port)
    token = servers.tokens["u-1"]
    servers.stop()
    decide(qtbot, window, compliant[1], "compliant")
    decide(qtbot, window, non_compliant[1], "non_compliant")
    qtbot.waitUntil(lambda: "Offline" in window.sync.label.text(), timeout=30_000)
    waiting = decision_items(workspace)
    assert {waiting[s].state for s in (compliant[1], non_compliant[1])} == {"pending"}

    # Online again, same data on the same ports; F5 asks sync to go now.
    back = back_on_the_same_ports(servers, ports)
    try:
        press(qtbot, Qt.Key.Key_F5)
        everything = [*online, compliant[1], non_compliant[1]]
        assert_delivered(qtbot, workspace, everything)
        items = decision_items(workspace)
        assert {s: items[s].last_error for s in compliant} == dict.fromkeys(compliant)

        outcomes = {
            **dict.fromkeys(compliant, "compliant"),
            **dict.fromkeys(non_compliant, "non_compliant"),
            rejected: "rejected",
        }
        assert {s: tracker_status(back, s, token) for s in everything} == outcomes
        for sub_id in compliant:
            company, path = insurances_path(world, sub_id)
            records = procore_records(back, company, path)
            assert records, f"no Procore insurance records for {sub_id} at {path}"
            assert {r.get("status") for r in records} <= {"compliant", "expired"}

        # The window shows it too: the banner of a decided submission says delivered.
        go_to(qtbot, window, compliant[1])
        qtbot.waitUntil(
            lambda: "delivered to the tracker" in window.checklist.banner.text(), timeout=10_000
        )
        press(qtbot, Qt.Key.Key_Y, CTRL | Qt.KeyboardModifier.ShiftModifier)
        assert window.sync.dock is not None and window.sync.dock.isVisible()
    finally:
        window.close()
        back.stop()
