"""Pure Procore rules: matching typed records, reading both error shapes, timeouts, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from coi_desktop.settings import (
    PROCORE_HOSTS,
    Settings,
    load_settings,
    resolve_connection,
    save_settings,
)
from coi_desktop.sync.procore import procore_error_text, sync_timeout
from coi_desktop.sync.procore_existing import adopt, coverage_of_label, policy_key
from coi_desktop.sync.procore_memory import FLAG_RECHECK, ProcoreMemory, listed_key
from coi_desktop.sync.procore_stage import flag_unavailable
from coi_desktop.sync.transport import Reply
from coi_desktop.workspace import open_workspace


def ours(coverage: str, number: str) -> dict[str, Any]:
    return {
        "origin_id": f"coidesk:p1201:v5512:{coverage}:{number}",
        "policy_number": number,
        "insurance_type": "x",
    }


@pytest.mark.parametrize(
    ("label", "coverage"),
    [
        ("General Liability", "general_liability"),
        ("CGL", "general_liability"),
        ("GL", "general_liability"),
        ("Automotive", "automobile_liability"),
        ("Business Auto", "automobile_liability"),
        ("Worker's Comp", "workers_compensation"),
        ("Umbrella/Excess Liability", "umbrella_excess"),
        ("Excess", "umbrella_excess"),
        ("Builder's Risk", "builders_risk"),
        ("Pollution Coverage", "pollution_liability"),
        ("Errors & Omissions", "professional_liability"),
        ("Crime", None),
        (None, None),
    ],
)
def test_typed_insurance_types_name_a_coverage(label: str | None, coverage: str | None) -> None:
    assert coverage_of_label(label) == coverage


def test_adopt_matches_coverage_and_policy_number_once() -> None:
    existing = [
        {"id": 7, "insurance_type": "General Liability", "policy_number": "cgl-123 4"},
        {"id": 8, "insurance_type": "General Liability", "policy_number": "CGL1234"},
        {"id": 9, "insurance_type": "Umbrella", "policy_number": "U1"},
        {"id": 10, "insurance_type": "Automotive"},  # no number: never matched
        {
            "id": 11,
            "insurance_type": "Worker's Compensation",
            "policy_number": "WC1",
            "origin_id": "someone-else:1",
        },  # another integration's record: not ours to take
    ]
    sent = adopt(
        [
            ours("general_liability", "CGL1234"),
            ours("general_liability", "CGL1234"),
            ours("excess_liability", "U1"),
            ours("automobile_liability", ""),
            ours("workers_compensation", "WC1"),
        ],
        existing,
    )
    assert [r.get("id") for r in sent] == [7, 8, 9, None, None]
    assert policy_key(" ab-12 c ") == "AB12C"


def test_adopt_leaves_records_we_made_to_origin_id() -> None:
    mine = ours("general_liability", "CGL1")
    existing = [{"id": 3, **mine}, {"id": 4, "insurance_type": "GL", "policy_number": "CGL1"}]
    assert adopt([mine], existing) == [mine]


def test_both_procore_error_shapes_read_as_one_sentence() -> None:
    assert (
        procore_error_text({"error": {"code": "forbidden", "message": "No access"}}) == "No access"
    )
    assert (
        procore_error_text(
            {"error": {"code": "bad", "message": "Invalid", "details": {"limit": ["is too long"]}}}
        )
        == "Invalid (limit is too long)"
    )
    assert (
        procore_error_text({"errors": {"status": ["is not included"]}}) == "status is not included"
    )
    assert procore_error_text({"errors": "Not Found"}) == "Not Found"


def test_a_big_sync_waits_longer_for_its_answer() -> None:
    assert sync_timeout((3.05, 15.0), 1) == pytest.approx((3.05, 15.03))
    assert sync_timeout((3.05, 15.0), 1000) == pytest.approx((3.05, 45.0))


@pytest.mark.parametrize(
    ("status", "body", "unavailable"),
    [
        (403, {"error": {"code": "forbidden", "message": "… requires Procore Pay …"}}, True),
        (403, {"error": {"code": "forbidden", "message": "You do not have permission"}}, False),
        (422, {"errors": "Insurance compliance is not available"}, True),
        (422, {"errors": {"insurance_status": ["is not included in the list"]}}, False),
        (404, {"errors": "Not Found"}, False),
    ],
)
def test_which_refusals_mean_no_flag_in_this_company(
    status: int, body: dict[str, Any], unavailable: bool
) -> None:
    assert flag_unavailable(Reply(status, body, {})) is unavailable


def test_memory_keeps_facts_and_forgets_a_refusal_after_the_recheck(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path / "home")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    memory = ProcoreMemory()
    assert memory.refuse_flag(4280, "Pay is off", now) is True
    assert memory.refuse_flag(4280, "Pay is off", now) is False
    memory.mark_listed(listed_key(4280, "/projects/1201/vendors/5512/insurances"), now)
    memory.remember_kinds(4280, {77: "purchase_order_contracts"})
    with workspace.database.session() as session:
        memory.save(session)
    with workspace.database.session() as session:
        again = ProcoreMemory.load(session, now + timedelta(days=1))
        later = ProcoreMemory.load(session, now + FLAG_RECHECK + timedelta(days=1))
    workspace.close()
    assert 4280 in again.flag_refused and 4280 not in later.flag_refused
    again.flag_works(4280)  # Pay was switched on: the flag goes again at once
    assert again.flag_refused == {} and again.changed == {"procore.company.4280": {}}
    assert again.listed == {"procore.listed.4280.p1201.5512"}
    assert again.kinds == {(4280, 77): "purchase_order_contracts"}
    assert len(listed_key(2**63, f"/projects/{2**63}/vendors/{2**63}/insurances")) <= 100


def test_monthly_sandbox_preset_and_expiry_emails_per_company(tmp_path: Path) -> None:
    assert PROCORE_HOSTS["monthly"] == (
        "https://api-monthly.procore.com",
        "https://login-sandbox-monthly.procore.com",
    )
    path = tmp_path / "settings.json"
    save_settings(path, Settings(procore_environment="monthly", procore_expiry_emails=("4280",)))
    loaded = load_settings(path)
    connection = resolve_connection(loaded, {})
    assert connection.procore_api_url == "https://api-monthly.procore.com"
    assert connection.procore_login_url == "https://login-sandbox-monthly.procore.com"
    assert loaded.expiry_emails_for(4280) and not loaded.expiry_emails_for(4281)
    assert not Settings().expiry_emails_for(4280)  # off unless set
    path.write_text('{"procore_expiry_emails": ["12", "x", 13]}')
    assert load_settings(path).procore_expiry_emails == ("12", "13")
    # Headless: the environment variable wins, and an empty one turns them all off.
    env = {"COI_DESKTOP_PROCORE_EXPIRY_EMAILS": "7, 8"}
    assert resolve_connection(loaded, env).procore_expiry_emails == ("7", "8")
    assert (
        resolve_connection(loaded, {"COI_DESKTOP_PROCORE_EXPIRY_EMAILS": ""}).procore_expiry_emails
        == ()
    )
