"""The report files read back: CSV parsed, PDF text extracted, and the report command."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymupdf
import pytest

from coi_desktop.cli import main
from coi_desktop.database import Database
from coi_desktop.report import csv_text, format_minutes, format_share
from coi_desktop.report_pdf import pdf_bytes, write_pdf
from coi_desktop.team_queries import compute_stats, snapshot
from coi_desktop.teamstats import StatsFilter, TeamSnapshot
from coi_desktop.workspace import open_workspace
from tests.test_teamstats import CHICAGO, NOW, Store


@pytest.fixture
def store(db: Database) -> Store:
    s = Store(db)
    s.user("u-1", name="Riley Reviewer")
    s.user("u-2", name="Sam Reviewer")
    s.user("u-4", "lead", "Lee Lead")
    return s


@pytest.fixture
def seeded(store: Store) -> Store:
    store.sub("s-late", NOW - timedelta(hours=30), status="in_review", assigned_to="u-2")
    store.sub("s-soon", NOW - timedelta(hours=22))
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
    return store


@pytest.fixture
def snap(seeded: Store) -> TeamSnapshot:
    with seeded.db.session() as session:
        return snapshot(session, NOW, tz=CHICAGO)


def test_words_for_figures() -> None:
    assert format_minutes(610) == "10h 10m"
    assert format_minutes(42) == "42m"
    assert format_minutes(None) == "—"
    assert format_share(0.9641) == "96.4%"
    assert format_share(None) == "—"


def test_csv_parses_into_sections_with_the_figures(snap: TeamSnapshot) -> None:
    rows = list(csv.reader(io.StringIO(csv_text(snap))))
    sections: dict[str, list[list[str]]] = {}
    for row in rows:
        if row and row[0] != "section":
            sections.setdefault(row[0], []).append(row)
    summary = {key: value for _, key, value in sections["summary"]}
    assert summary["open"] == "3" and summary["overdue"] == "1"
    assert summary["due_within_4h"] == "1" and summary["decided_today"] == "3"
    assert summary["within_24h_share_7d"] == str(round(2 / 3, 3))
    assert summary["turnaround_minutes_p50_7d"] == "300"
    assert summary["time_zone"] == "America/Chicago"
    reviewers = {r[1]: r for r in sections["reviewers"]}
    assert reviewers["u-1"][2:6] == ["Riley Reviewer", "0", "0", "3"]
    assert reviewers["u-1"][6] == "12.0"
    assert len(sections["aging"]) == 13
    assert sum(int(r[3]) for r in sections["aging"]) == 3
    assert len(sections["trend"]) == 14 and sections["trend"][-1][1] == "2026-11-22"
    assert [r[1] for r in sections["overdue"]] == ["s-late"]
    assert sections["overdue"][0][-1] == "360"  # minutes late


def test_pdf_is_one_page_and_reads_back(snap: TeamSnapshot, tmp_path: Path) -> None:
    target = tmp_path / "out" / "team.pdf"
    write_pdf(snap, target)
    with pymupdf.open(target) as doc:
        assert doc.page_count == 1
        text = doc[0].get_text()
        assert doc.metadata is not None and doc.metadata["title"].startswith("COI review")
    for expected in (
        "COI review",
        "Open",
        "Overdue (1)",
        "s-late",
        "Sam Reviewer",
        "Riley Reviewer",
        "Within 24 h (7 d)",
        "66.7%",
        "5h 00m",
        "Open items by age",
        "Last 14 days",
        "America/Chicago",
        "Sun 22 Nov 2026",
    ):
        assert expected in text, expected


def test_pdf_with_many_reviewers_and_overdue_items_stays_on_one_page(store: Store) -> None:
    for i in range(60):
        store.user(f"u-x{i}", name=f"Reviewer Number {i:02d} With A Rather Long Name Indeed")
    for i in range(40):
        store.sub(
            f"s-{i}", NOW - timedelta(hours=25 + i), status="in_review", assigned_to=f"u-x{i}"
        )
    with store.db.session() as session:
        data = pdf_bytes(snapshot(session, NOW))
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        assert doc.page_count == 1
        text = doc[0].get_text()
    assert "more reviewers (all in the CSV export)" in text
    assert "Overdue (40)" in text and "more overdue" in text


def test_empty_store_makes_a_report_too(store: Store) -> None:
    with store.db.session() as session:
        snap = snapshot(session, NOW, StatsFilter(kinds=("endorsement",)))
    with pymupdf.open(stream=pdf_bytes(snap), filetype="pdf") as doc:
        text = doc[0].get_text()
    assert "Nothing is overdue." in text and "kind endorsement" in text
    assert "summary,open,0" in csv_text(snap)


def test_report_command_writes_pdf_and_csv_with_the_dashboards_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = open_workspace()
    try:
        home_store = Store(workspace.database)
        home_store.user("u-1", name="Riley Reviewer")
        now = datetime.now(UTC)
        home_store.sub("s-1", now - timedelta(hours=30))
        home_store.sub("s-2", now - timedelta(hours=3), status="in_review", assigned_to="u-1")
        home_store.decide("s-2", now - timedelta(minutes=5))
    finally:
        workspace.close()
    pdf, table = tmp_path / "r.pdf", tmp_path / "r.csv"
    code = main(
        ["report", "--pdf", str(pdf), "--csv", str(table), "--json", "--tz", "America/Chicago"]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    workspace = open_workspace()
    try:
        with workspace.database.session() as session:
            expected = compute_stats(session, now, tz=CHICAGO).to_json()
    finally:
        workspace.close()
    for key in (
        "open",
        "by_status",
        "overdue",
        "decided_today",
        "within_24h_share_7d",
        "turnaround_minutes_p50_7d",
        "reviewers",
    ):
        assert printed[key] == expected[key], key
    with pymupdf.open(pdf) as doc:
        assert "Overdue (1)" in doc[0].get_text()
    assert "summary,overdue,1" in table.read_text()


def test_report_command_needs_somewhere_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report"]) == 2
    assert "--pdf FILE" in capsys.readouterr().err
    assert main(["report", "--json", "--tz", "Mars/Olympus"]) == 2


def test_customer_report_leaves_the_reviewer_table_out(snap: TeamSnapshot) -> None:
    with pymupdf.open(stream=pdf_bytes(snap, reviewers=False), filetype="pdf") as doc:
        text = doc[0].get_text()
    assert "Riley Reviewer" not in text and "Reviewers" not in text
    assert "Overdue (1)" in text and "s-late" in text
