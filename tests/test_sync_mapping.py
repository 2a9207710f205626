"""A decision becomes Procore insurance records and a commitment flag (pure mapping)."""

from __future__ import annotations

from datetime import date

from coi_desktop.sync.procore_mapping import (
    DecisionFacts,
    SubmissionLinks,
    headline_limit,
    origin_id,
    plan,
)

GL: dict[str, object] = {
    "coverage": "general_liability",
    "insurer": "Hartford",
    "policy_number": "CGL 123",
    "effective_date": "2026-01-01",
    "expiration_date": "2027-01-01",
    "limits": {"each_occurrence": 1000000, "general_aggregate": 2000000},
}
WC: dict[str, object] = {
    "coverage": "workers_compensation",
    "insurer": "Zurich",
    "policy_number": "WC778",
    "effective_date": "2025-01-01",
    "expiration_date": "2025-12-31",
    "limits": {"el_each_accident": 500000},
}
PROJECT = SubmissionLinks("project", 4280, 5512, "Acme", 1201, 77)
GLOBAL = SubmissionLinks("global", 4280, 5512, "Acme", None, None)


def facts(outcome: str, *policies: dict[str, object], note: str | None = None) -> DecisionFacts:
    return DecisionFacts(outcome, note, ["GL limit too low"], list(policies), date(2026, 11, 22))


def test_project_level_compliant_records_and_commitment() -> None:
    p = plan(facts("compliant", GL), PROJECT)
    assert p.skipped is None
    assert p.path == "/projects/1201/vendors/5512/insurances"
    assert p.company_id == 4280
    [record] = p.records
    assert record["origin_id"] == "coidesk:p1201:v5512:general_liability:CGL123"
    assert record["status"] == "compliant"
    assert record["insurance_type"] == "General Liability"
    assert record["limit"] == "1000000.00"
    assert record["name"] == "Hartford"
    assert p.commitment is not None
    assert p.commitment.body == {"insurance_status": "compliant"}
    assert (p.commitment.project_id, p.commitment.commitment_id) == (1201, 77)


def test_global_scope_goes_to_the_company_level_without_a_commitment() -> None:
    p = plan(facts("compliant", WC), GLOBAL)
    assert p.path == "/companies/4280/vendors/5512/insurances"
    [record] = p.records
    assert record["origin_id"] == "coidesk:c:v5512:workers_compensation:WC778"
    assert record["status"] == "expired"  # compliant but past its expiration
    assert record["insurance_type"] == "Worker's Compensation"
    assert record["limit"] == "500000.00"
    assert p.commitment is None


def test_rejected_is_non_compliant_with_the_reason_in_notes() -> None:
    p = plan(facts("rejected", GL, note="not a COI"), PROJECT)
    assert p.records[0]["status"] == "non_compliant"
    assert "not a COI" in p.records[0]["notes"]
    assert p.commitment is not None
    assert p.commitment.body["insurance_status"] == "not_compliant"


def test_non_compliant_maps_to_not_compliant() -> None:
    p = plan(facts("non_compliant", GL), PROJECT)
    assert p.records[0]["status"] == "non_compliant"
    assert "GL limit too low" in p.records[0]["notes"]
    assert p.commitment is not None and p.commitment.body["insurance_status"] == "not_compliant"


def test_unlinked_vendor_is_skipped_with_a_reason() -> None:
    p = plan(facts("compliant", GL), SubmissionLinks("project", 4280, None, "Loner", 1201, None))
    assert p.skipped == "vendor not linked to Procore (Loner)"


def test_origin_id_is_stable_and_names_the_level() -> None:
    assert origin_id("c", 1, "general_liability", " AB 12 ") == (
        "coidesk:c:v1:general_liability:AB12"
    )
    assert origin_id("p9", 1, "other", None) == "coidesk:p9:v1:other:unnumbered"
    a = plan(facts("compliant", GL), PROJECT).records[0]["origin_id"]
    b = plan(facts("non_compliant", GL), PROJECT).records[0]["origin_id"]
    assert a == b  # a later decision updates the same record


def test_headline_limits() -> None:
    assert (
        headline_limit("automobile_liability", {"combined_single_limit": 1000000}) == "1000000.00"
    )
    assert headline_limit("umbrella_liability", {"each_occurrence": 5, "aggregate": 9}) == "5.00"
    assert headline_limit("pollution_liability", {"x": 3, "y": 7}) == "7.00"
    assert headline_limit("general_liability", {}) is None
