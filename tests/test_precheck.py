"""The pre-check, rule by rule: each requirement's pass side and fail side, on hand-built
extractions."""

from __future__ import annotations

import copy
import json
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coi_desktop.review.checklist import ChecklistLine, override, summarize
from coi_desktop.review.precheck import compose_deficiencies, evaluate, policies_for_decision

TODAY = date(2026, 11, 22)
VENDOR = "Acme Drywall LLC"
HOLDER = "Bulley Construction LLC, 100 Main St, Chicago IL 60601"

# ------------------------------------------------------------------------- builders


def make_profile(**changes: Any) -> dict[str, Any]:
    """The tracker-api.md example profile."""
    profile: dict[str, Any] = {
        "id": "rp-2",
        "name": "Riverside Tower — subcontractors",
        "version": 3,
        "certificate_holder": HOLDER,
        "lines": [
            {
                "coverage": "general_liability",
                "limits": {
                    "each_occurrence": 1000000,
                    "general_aggregate": 2000000,
                    "products_completed_ops_aggregate": 2000000,
                },
                "additional_insured": True,
                "waiver_of_subrogation": True,
                "primary_noncontributory": True,
                "per_project_aggregate": True,
                "accepted_endorsements": ["CG 20 10", "CG 20 37", "CG 20 26", "CG 24 04"],
            },
            {
                "coverage": "automobile_liability",
                "limits": {"combined_single_limit": 1000000},
                "additional_insured": True,
                "waiver_of_subrogation": True,
            },
            {
                "coverage": "umbrella_liability",
                "limits": {"each_occurrence": 5000000, "aggregate": 5000000},
            },
            {
                "coverage": "workers_compensation",
                "statutory": True,
                "limits": {
                    "el_each_accident": 1000000,
                    "el_disease_each_employee": 1000000,
                    "el_disease_policy_limit": 1000000,
                },
                "waiver_of_subrogation": True,
            },
        ],
        "min_days_remaining": 30,
    }
    profile.update(changes)
    return profile


def only_line(coverage: str, **fields: Any) -> dict[str, Any]:
    """A profile with a single coverage line (and no certificate holder requirement)."""
    return make_profile(certificate_holder=None, lines=[{"coverage": coverage, **fields}])


DEFAULT_LIMITS: dict[str, dict[str, Any]] = {
    "general_liability": {
        "each_occurrence": 1000000,
        "damage_to_rented_premises": 100000,
        "medical_expense": 5000,
        "personal_advertising_injury": 1000000,
        "general_aggregate": 2000000,
        "products_completed_ops_aggregate": 2000000,
    },
    "automobile_liability": {"combined_single_limit": 1000000},
    "umbrella_liability": {"each_occurrence": 5000000, "aggregate": 5000000},
    "excess_liability": {"each_occurrence": 5000000, "aggregate": 5000000},
    "workers_compensation": {
        "statutory": True,
        "el_each_accident": 1000000,
        "el_disease_each_employee": 1000000,
        "el_disease_policy_limit": 1000000,
    },
}


def policy(coverage: str, limits: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A compliant policy row for ``coverage``; ``limits`` entries override the defaults
    (None removes one)."""
    merged = {**DEFAULT_LIMITS.get(coverage, {"limit": 1000000}), **(limits or {})}
    row: dict[str, Any] = {
        "coverage": coverage,
        "insurer_letter": "A",
        "policy_number": f"{coverage[:3].upper()}-1001",
        "effective_date": "2026-06-01",
        "expiration_date": "2027-06-01",
        "additional_insured": coverage in ("general_liability", "automobile_liability"),
        "waiver_of_subrogation": coverage != "umbrella_liability",
        "occurrence": True if coverage == "general_liability" else None,
        "aggregate_applies_per": "project" if coverage == "general_liability" else None,
        "limits": {k: v for k, v in merged.items() if v is not None},
    }
    row.update(fields)
    return row


def full_policies() -> list[dict[str, Any]]:
    return [
        policy("general_liability"),
        policy("automobile_liability"),
        policy("umbrella_liability"),
        policy("workers_compensation"),
    ]


P_AND_NC = {
    "form_number": "CG 20 01",
    "edition": "04 13",
    "page": 2,
    "provides": ["primary_noncontributory"],
}


def extraction(
    policies: list[dict[str, Any]] | None = None,
    *,
    kind: str = "coi",
    holder: dict[str, Any] | None = None,
    insured: str | None = "Acme Drywall LLC",
    description: str | None = "Project: Riverside Tower.",
    endorsements: list[dict[str, Any]] | None = None,
    confidence: dict[str, float] | None = None,
) -> dict[str, Any]:
    """An extraction with evidence (confidence 0.98) for every value read; ``confidence``
    lowers chosen evidence keys."""
    policies = full_policies() if policies is None else policies
    holder = (
        holder
        if holder is not None
        else {"name": "Bulley Construction LLC", "address": "100 Main St, Chicago, IL 60601"}
    )
    data: dict[str, Any] = {
        "file": "acme.pdf",
        "sha256": "0" * 64,
        "kind": kind,
        "method": "text",
        "pages": 2,
        "certificate_date": "2026-11-20",
        "producer": {
            "name": "Lakeside Insurance Brokers",
            "contact": None,
            "phone": None,
            "email": None,
        },
        "insured": {"name": insured, "address": "5 Elm St, Evanston, IL 60201"},
        "insurers": [
            {"letter": "A", "name": "Travelers Casualty", "naic": "25674"},
            {"letter": "B", "name": "Hartford Fire", "naic": "19682"},
        ],
        "policies": policies,
        "description_of_operations": description,
        "certificate_holder": holder,
        "endorsements": [P_AND_NC] if endorsements is None else endorsements,
        "evidence": {},
        "warnings": [],
    }
    evidence: dict[str, Any] = data["evidence"]

    def mark(key: str, value: Any) -> None:
        if value is not None:
            evidence[key] = {
                "page": 1,
                "rect": [10.0, 20.0, 90.0, 30.0],
                "source": "text",
                "confidence": 0.98,
            }

    for i, row in enumerate(policies):
        for field, value in row.items():
            if field == "limits":
                for key, amount in value.items():
                    mark(f"policies[{i}].limits.{key}", amount)
            elif field != "coverage":
                mark(f"policies[{i}].{field}", value)
    mark("insured.name", insured)
    mark("certificate_holder.name", holder.get("name"))
    mark("certificate_holder.address", holder.get("address"))
    mark("description_of_operations", description)
    for key, value in (confidence or {}).items():
        evidence[key]["confidence"] = value
    return data


def run(
    data: dict[str, Any],
    profile: dict[str, Any] | None = None,
    *,
    today: date = TODAY,
    vendor: str = VENDOR,
) -> list[ChecklistLine]:
    return evaluate(profile or make_profile(), data, vendor_name=vendor, today=today)


def get(lines: list[ChecklistLine], requirement: str) -> ChecklistLine:
    matches = [line for line in lines if line.requirement == requirement]
    assert len(matches) == 1, f"{requirement}: {[line.requirement for line in lines]}"
    return matches[0]


# ------------------------------------------------------------------- whole checklist


def test_a_compliant_certificate_passes_every_line() -> None:
    lines = run(extraction())
    assert {line.requirement: line.result for line in lines if line.result != "pass"} == {}
    assert compose_deficiencies(lines) == []


def test_order_is_document_lines_then_profile_coverages() -> None:
    lines = run(extraction())
    assert [line.requirement for line in lines[:2]] == ["certificate_holder", "insured_name"]
    coverages = [line.coverage for line in lines[2:]]
    # Each coverage's lines together, coverages in the profile's order.
    assert list(dict.fromkeys(coverages)) == [
        "general_liability",
        "automobile_liability",
        "umbrella_liability",
        "workers_compensation",
    ]
    changes = sum(a != b for a, b in pairwise(coverages))
    assert changes == 3
    gl = [line.requirement for line in lines if line.coverage == "general_liability"]
    assert gl == [
        "general_liability.present",
        "general_liability.in_force",
        "general_liability.each_occurrence",
        "general_liability.general_aggregate",
        "general_liability.products_completed_ops_aggregate",
        "general_liability.additional_insured",
        "general_liability.waiver_of_subrogation",
        "general_liability.primary_noncontributory",
        "general_liability.per_project_aggregate",
    ]


def test_lines_carry_their_evidence() -> None:
    data = extraction()
    line = get(run(data), "general_liability.each_occurrence")
    assert line.evidence_key == "policies[0].limits.each_occurrence"
    assert line.evidence == data["evidence"]["policies[0].limits.each_occurrence"]
    assert line.label == "GL each occurrence"
    assert (line.required, line.found) == (1000000, 1000000)


def test_every_line_is_json_ready_for_the_db_and_the_tracker() -> None:
    for line in run(extraction()):
        assert ChecklistLine.from_dict(json.loads(json.dumps(line.to_dict()))) == line
        json.dumps(line.to_tracker())


def test_the_inputs_are_not_modified() -> None:
    profile, data = make_profile(), extraction()
    before = (copy.deepcopy(profile), copy.deepcopy(data))
    run(data, profile)
    assert (profile, data) == before


# ------------------------------------------------------------------ coverage present


def test_required_coverage_present_passes() -> None:
    line = get(run(extraction()), "automobile_liability.present")
    assert line.result == "pass"
    assert "AUT-1001" in line.message


def test_missing_coverage_fails_and_its_other_lines_are_not_checked() -> None:
    policies = [p for p in full_policies() if p["coverage"] != "automobile_liability"]
    lines = run(extraction(policies))
    line = get(lines, "automobile_liability.present")
    assert line.result == "fail"
    assert line.message == "No automobile liability policy on the certificate."
    others = [x for x in lines if x.coverage == "automobile_liability" and x is not line]
    assert others and {x.result for x in others} == {"na"}
    assert compose_deficiencies(lines) == ["No automobile liability policy on the certificate."]


def test_nothing_read_from_the_coverage_table_needs_review_not_fail() -> None:
    line = get(run(extraction([])), "general_liability.present")
    assert line.result == "needs_review"


def test_excess_stands_for_a_required_umbrella() -> None:
    policies = [
        policy("general_liability"),
        policy("automobile_liability"),
        policy("excess_liability"),
        policy("workers_compensation"),
    ]
    lines = run(extraction(policies))
    assert get(lines, "umbrella_liability.present").result == "pass"
    assert "excess" in get(lines, "umbrella_liability.present").message.lower()
    assert get(lines, "umbrella_liability.each_occurrence").result == "pass"


def test_the_policy_in_force_is_chosen_when_a_coverage_appears_twice() -> None:
    old = policy(
        "general_liability",
        policy_number="OLD",
        effective_date="2025-06-01",
        expiration_date="2026-06-01",
    )
    policies = [old, *full_policies()]
    line = get(run(extraction(policies)), "general_liability.in_force")
    assert line.result == "pass"
    assert "GEN-1001" in line.message


# ------------------------------------------------------------------------- limits


def test_limit_at_the_minimum_passes() -> None:
    line = get(run(extraction()), "general_liability.general_aggregate")
    assert line.result == "pass"
    assert line.message == "GL general aggregate $2,000,000 meets the required $2,000,000."


def test_limit_below_the_minimum_fails() -> None:
    policies = [policy("general_liability", {"each_occurrence": 500000})]
    line = get(
        run(
            extraction(policies),
            only_line("general_liability", limits={"each_occurrence": 1000000}),
        ),
        "general_liability.each_occurrence",
    )
    assert line.result == "fail"
    assert line.message == "GL each occurrence $500,000 is below the required $1,000,000."
    assert (line.required, line.found) == (1000000, 500000)
    assert line.to_tracker()["found"] == 500000


def test_unreadable_limit_needs_review() -> None:
    policies = [policy("general_liability", {"general_aggregate": None})]
    line = get(run(extraction(policies)), "general_liability.general_aggregate")
    assert line.result == "needs_review"
    assert line.found is None
    assert "could not be read" in line.message


def test_low_confidence_limit_never_passes() -> None:
    data = extraction(confidence={"policies[0].limits.each_occurrence": 0.79})
    line = get(run(data), "general_liability.each_occurrence")
    assert line.result == "needs_review"
    assert "0.79" in line.message


def test_confidence_at_the_threshold_passes() -> None:
    data = extraction(confidence={"policies[0].limits.each_occurrence": 0.8})
    assert get(run(data), "general_liability.each_occurrence").result == "pass"


def test_low_confidence_shortfall_needs_review_rather_than_a_deficiency() -> None:
    policies = [policy("general_liability", {"each_occurrence": 500000})]
    data = extraction(policies, confidence={"policies[0].limits.each_occurrence": 0.5})
    line = get(
        run(data, only_line("general_liability", limits={"each_occurrence": 1000000})),
        "general_liability.each_occurrence",
    )
    assert line.result == "needs_review"
    assert "$500,000" in line.message and "uncertain" in line.message


def test_auto_split_limits_instead_of_csl_need_review() -> None:
    split = {
        "combined_single_limit": None,
        "bodily_injury_per_person": 500000,
        "bodily_injury_per_accident": 1000000,
        "property_damage": 500000,
    }
    line = get(
        run(extraction([policy("automobile_liability", split)])),
        "automobile_liability.combined_single_limit",
    )
    assert line.result == "needs_review"
    assert "split limits" in line.message and "$500,000" in line.message


def test_retention_is_a_maximum() -> None:
    profile = only_line("umbrella_liability", limits={"retention": 10000})
    ok = run(extraction([policy("umbrella_liability", {"retention": 10000})]), profile)
    high = run(extraction([policy("umbrella_liability", {"retention": 25000})]), profile)
    assert get(ok, "umbrella_liability.retention").result == "pass"
    line = get(high, "umbrella_liability.retention")
    assert line.result == "fail"
    assert line.message == "Umbrella retention $25,000 is above the allowed $10,000."


# ---------------------------------------------------------------- umbrella make-up


def test_umbrella_that_may_make_up_a_shortfall_needs_review() -> None:
    policies = [
        policy("general_liability", {"each_occurrence": 500000}),
        policy("umbrella_liability"),
    ]
    line = get(run(extraction(policies)), "general_liability.each_occurrence")
    assert line.result == "needs_review"
    assert line.message == (
        "GL each occurrence $500,000 is below $1,000,000; umbrella $5,000,000 may make up the "
        "difference — check the umbrella's schedule of underlying insurance."
    )


def test_umbrella_too_small_to_make_up_a_shortfall_still_fails() -> None:
    policies = [
        policy("general_liability", {"each_occurrence": 500000}),
        policy("umbrella_liability", {"each_occurrence": 250000}),
    ]
    line = get(run(extraction(policies)), "general_liability.each_occurrence")
    assert line.result == "fail"
    assert "does not make up the difference" in line.message


def test_expired_umbrella_does_not_make_up_a_shortfall() -> None:
    policies = [
        policy("general_liability", {"each_occurrence": 500000}),
        policy("umbrella_liability", effective_date="2025-01-01", expiration_date="2026-01-01"),
    ]
    line = get(run(extraction(policies)), "general_liability.each_occurrence")
    assert line.result == "fail"


def test_excess_can_make_up_an_employers_liability_shortfall() -> None:
    policies = [
        policy("workers_compensation", {"el_disease_policy_limit": 500000}),
        policy("excess_liability"),
    ]
    line = get(run(extraction(policies)), "workers_compensation.el_disease_policy_limit")
    assert line.result == "needs_review"
    assert "excess $5,000,000 may make up the difference" in line.message


def test_umbrella_cannot_make_up_medical_expense() -> None:
    policies = [
        policy("general_liability", {"medical_expense": 1000}),
        policy("umbrella_liability"),
    ]
    profile = only_line("general_liability", limits={"medical_expense": 5000})
    assert (
        get(run(extraction(policies), profile), "general_liability.medical_expense").result
        == "fail"
    )


# ------------------------------------------------------------------ workers comp statute


def test_wc_per_statute_marked_passes() -> None:
    assert get(run(extraction()), "workers_compensation.statutory").result == "pass"


def test_wc_not_per_statute_fails() -> None:
    policies = [policy("workers_compensation", {"statutory": False})]
    line = get(run(extraction(policies)), "workers_compensation.statutory")
    assert line.result == "fail"
    assert line.message == "WC is not marked PER STATUTE."


def test_wc_per_statute_unreadable_needs_review() -> None:
    policies = [policy("workers_compensation", {"statutory": None})]
    assert get(run(extraction(policies)), "workers_compensation.statutory").result == "needs_review"


# --------------------------------------------------------------------- policy dates


def dated(expiration: str, effective: str = "2026-01-01") -> list[dict[str, Any]]:
    return [policy("general_liability", effective_date=effective, expiration_date=expiration)]


def test_policy_in_force_passes() -> None:
    line = get(run(extraction()), "general_liability.in_force")
    assert line.result == "pass"
    assert line.required == {"in_force_on": "2026-11-22", "min_days_remaining": 30}
    assert line.found == {
        "effective_date": "2026-06-01",
        "expiration_date": "2027-06-01",
        "days_remaining": 191,
    }


def test_expired_policy_fails_with_the_date() -> None:
    line = get(run(extraction(dated("2026-11-01"))), "general_liability.in_force")
    assert line.result == "fail"
    assert line.message == "The general liability policy GEN-1001 expired on 11/01/2026."


def test_policy_not_yet_in_force_fails() -> None:
    line = get(
        run(extraction(dated("2027-12-01", effective="2026-12-01"))), "general_liability.in_force"
    )
    assert line.result == "fail"
    assert "does not start until 12/01/2026" in line.message


def test_policy_expiring_within_min_days_fails_with_date_and_days_left() -> None:
    line = get(run(extraction(dated("2026-12-10"))), "general_liability.in_force")
    assert line.result == "fail"
    assert line.message == (
        "The general liability policy GEN-1001 expires on 12/10/2026, in 18 days; at least 30 "
        "days are required."
    )


def test_exactly_min_days_left_passes() -> None:
    assert get(run(extraction(dated("2026-12-22"))), "general_liability.in_force").result == "pass"
    assert get(run(extraction(dated("2026-12-21"))), "general_liability.in_force").result == "fail"


def test_policy_expiring_today_is_in_force_but_fails_the_days_left() -> None:
    line = get(run(extraction(dated("2026-11-22"))), "general_liability.in_force")
    assert line.result == "fail"
    assert "expires on 11/22/2026, today" in line.message
    no_minimum = make_profile(min_days_remaining=None)
    assert (
        get(run(extraction(dated("2026-11-22")), no_minimum), "general_liability.in_force").result
        == "pass"
    )


def test_unreadable_date_needs_review() -> None:
    line = get(
        run(extraction([policy("general_liability", expiration_date=None)])),
        "general_liability.in_force",
    )
    assert line.result == "needs_review"
    assert "expiration date" in line.message


def test_low_confidence_date_needs_review() -> None:
    data = extraction(confidence={"policies[0].expiration_date": 0.6})
    assert get(run(data), "general_liability.in_force").result == "needs_review"


# ----------------------------------------------------- additional insured / waiver


def test_addl_insd_marked_passes() -> None:
    line = get(run(extraction()), "general_liability.additional_insured")
    assert line.result == "pass"
    assert line.message == "GL ADDL INSD is marked."
    assert line.evidence_key == "policies[0].additional_insured"


def test_addl_insd_not_marked_without_endorsement_fails() -> None:
    data = extraction([policy("general_liability", additional_insured=False)])
    line = get(run(data), "general_liability.additional_insured")
    assert line.result == "fail"
    assert "ADDL INSD is not marked" in line.message
    assert line.message in compose_deficiencies(run(data))


def test_accepted_endorsement_provides_additional_insured() -> None:
    endorsement = {
        "form_number": "CG 20 10",
        "edition": "04 13",
        "page": 2,
        "provides": ["additional_insured"],
    }
    data = extraction(
        [policy("general_liability", additional_insured=False)],
        endorsements=[endorsement, P_AND_NC],
    )
    line = get(run(data), "general_liability.additional_insured")
    assert line.result == "pass"
    assert line.message == (
        "GL additional insured is provided by endorsement CG 20 10 04 13 (page 2)."
    )
    assert line.evidence is not None and line.evidence["page"] == 2


@pytest.mark.parametrize("form", ["CG 20 10 04 13", "CG2010", "cg 20-10"])
def test_endorsement_form_numbers_are_matched_loosely(form: str) -> None:
    endorsement = {
        "form_number": form,
        "edition": None,
        "page": 3,
        "provides": ["additional_insured"],
    }
    data = extraction(
        [policy("general_liability", additional_insured=False)], endorsements=[endorsement]
    )
    assert get(run(data), "general_liability.additional_insured").result == "pass"


def test_endorsement_not_on_the_accepted_list_needs_review() -> None:
    endorsement = {
        "form_number": "CG 20 38",
        "edition": "04 13",
        "page": 2,
        "provides": ["additional_insured"],
    }
    data = extraction(
        [policy("general_liability", additional_insured=False)], endorsements=[endorsement]
    )
    line = get(run(data), "general_liability.additional_insured")
    assert line.result == "needs_review"
    assert "not on this profile's accepted list" in line.message


def test_endorsement_that_does_not_provide_the_requirement_does_not_count() -> None:
    endorsement = {
        "form_number": "CG 24 04",
        "edition": "05 09",
        "page": 2,
        "provides": ["waiver_of_subrogation"],
    }
    data = extraction(
        [policy("general_liability", additional_insured=False)], endorsements=[endorsement]
    )
    assert get(run(data), "general_liability.additional_insured").result == "fail"


def test_endorsement_for_another_policy_line_does_not_count() -> None:
    auto_form = {
        "form_number": "CA 20 48",
        "edition": "10 13",
        "page": 2,
        "provides": ["additional_insured"],
    }
    data = extraction(
        [policy("general_liability", additional_insured=False)], endorsements=[auto_form]
    )
    assert get(run(data), "general_liability.additional_insured").result == "fail"


def test_without_an_accepted_list_the_policy_lines_own_form_is_accepted() -> None:
    auto_form = {
        "form_number": "CA 20 48",
        "edition": "10 13",
        "page": 2,
        "provides": ["additional_insured"],
    }
    data = extraction(
        [policy("automobile_liability", additional_insured=False)], endorsements=[auto_form]
    )
    line = get(run(data), "automobile_liability.additional_insured")
    assert line.result == "pass"
    assert "CA 20 48" in line.message


def test_blanket_endorsement_without_form_number_needs_review() -> None:
    blanket = {"form_number": None, "edition": None, "page": 3, "provides": ["additional_insured"]}
    data = extraction(
        [policy("general_liability", additional_insured=False)], endorsements=[blanket]
    )
    line = get(run(data), "general_liability.additional_insured")
    assert line.result == "needs_review"
    assert "blanket endorsement" in line.message


def test_blanket_wording_alone_needs_review_not_pass() -> None:
    data = extraction(
        [policy("general_liability", additional_insured=False)],
        description="The certificate holder is an additional insured where required by "
        "written contract.",
    )
    line = get(run(data), "general_liability.additional_insured")
    assert line.result == "needs_review"
    assert line.evidence_key == "description_of_operations"
    assert line.found == {"endorsements": [], "wording": True, "box": False}


def test_unreadable_addl_insd_box_needs_review() -> None:
    data = extraction([policy("general_liability", additional_insured=None)])
    assert get(run(data), "general_liability.additional_insured").result == "needs_review"


def test_low_confidence_addl_insd_mark_needs_review() -> None:
    data = extraction(confidence={"policies[0].additional_insured": 0.55})
    line = get(run(data), "general_liability.additional_insured")
    assert line.result == "needs_review"
    assert "uncertain" in line.message


def test_low_confidence_endorsement_needs_review() -> None:
    endorsement = {
        "form_number": "CG 20 10",
        "edition": "04 13",
        "page": 2,
        "provides": ["additional_insured"],
    }
    data = extraction(
        [policy("general_liability", additional_insured=False)], endorsements=[endorsement]
    )
    data["evidence"]["endorsements[0].form_number"] = {
        "page": 2,
        "rect": [0, 0, 50, 10],
        "source": "ocr",
        "confidence": 0.5,
    }
    line = get(run(data), "general_liability.additional_insured")
    assert line.result == "needs_review"
    assert line.evidence_key == "endorsements[0].form_number"


def test_subr_wvd_marked_passes() -> None:
    assert get(run(extraction()), "workers_compensation.waiver_of_subrogation").result == "pass"


def test_subr_wvd_not_marked_fails() -> None:
    data = extraction([policy("workers_compensation", waiver_of_subrogation=False)])
    line = get(run(data), "workers_compensation.waiver_of_subrogation")
    assert line.result == "fail"
    assert line.message == (
        "WC does not show waiver of subrogation: SUBR WVD is not marked and no waiver of "
        "subrogation endorsement was provided."
    )


def test_wc_waiver_endorsement_passes() -> None:
    form = {
        "form_number": "WC 00 03 13",
        "edition": None,
        "page": 4,
        "provides": ["waiver_of_subrogation"],
    }
    data = extraction(
        [policy("workers_compensation", waiver_of_subrogation=False)], endorsements=[form]
    )
    assert get(run(data), "workers_compensation.waiver_of_subrogation").result == "pass"


def test_waiver_wording_needs_review() -> None:
    data = extraction(
        [policy("workers_compensation", waiver_of_subrogation=False)],
        description="Waiver of our right to recover applies per contract.",
    )
    assert get(run(data), "workers_compensation.waiver_of_subrogation").result == "needs_review"


def test_requirements_not_in_the_profile_are_not_checked() -> None:
    lines = run(extraction([policy("umbrella_liability")]))
    assert not [x for x in lines if x.requirement.startswith("umbrella_liability.additional")]


# --------------------------------------------------------- primary & non-contributory


def test_primary_noncontributory_endorsement_passes() -> None:
    line = get(run(extraction()), "general_liability.primary_noncontributory")
    assert line.result == "pass"
    assert "CG 20 01 04 13" in line.message


def test_primary_noncontributory_wording_needs_review() -> None:
    data = extraction(
        endorsements=[], description="Coverage is primary & non-contributory as required."
    )
    line = get(run(data), "general_liability.primary_noncontributory")
    assert line.result == "needs_review"
    assert "accept the wording or ask for the endorsement" in line.message


def test_primary_noncontributory_missing_fails() -> None:
    line = get(run(extraction(endorsements=[])), "general_liability.primary_noncontributory")
    assert line.result == "fail"
    assert "primary and non-contributory" in line.message


# ------------------------------------------- description-of-operations wording, by coverage

WORDED_BENEFITS = (
    "general_liability.additional_insured",
    "general_liability.waiver_of_subrogation",
    "general_liability.primary_noncontributory",
    "automobile_liability.additional_insured",
    "automobile_liability.waiver_of_subrogation",
    "workers_compensation.waiver_of_subrogation",
)


def unmarked(description: str) -> dict[str, Any]:
    """A certificate with no ADDL INSD / SUBR WVD marks and no endorsements: only the
    description of operations can say anything about the benefits."""
    rows = [
        policy("general_liability", additional_insured=False, waiver_of_subrogation=False),
        policy("automobile_liability", additional_insured=False, waiver_of_subrogation=False),
        policy("umbrella_liability"),
        policy("workers_compensation", waiver_of_subrogation=False),
    ]
    return extraction(rows, endorsements=[], description=description)


def benefit_results(description: str) -> dict[str, str]:
    lines = run(unmarked(description))
    return {requirement: get(lines, requirement).result for requirement in WORDED_BENEFITS}


def test_gl_wording_does_not_put_wc_up_for_review() -> None:
    lines = run(
        unmarked(
            "Waiver of subrogation applies to General Liability where required by written contract."
        )
    )
    gl = get(lines, "general_liability.waiver_of_subrogation")
    assert gl.result == "needs_review"
    assert gl.evidence_key == "description_of_operations"
    wc = get(lines, "workers_compensation.waiver_of_subrogation")
    assert wc.result == "fail"
    assert wc.found == {"endorsements": [], "wording": False, "box": False}
    assert wc.message in compose_deficiencies(lines)
    assert get(lines, "automobile_liability.waiver_of_subrogation").result == "fail"


def test_wording_is_attributed_sentence_by_sentence() -> None:
    assert benefit_results(
        "GL & Auto: additional insured, primary and non-contributory. WC: waiver of subrogation."
    ) == {
        "general_liability.additional_insured": "needs_review",
        "general_liability.waiver_of_subrogation": "fail",
        "general_liability.primary_noncontributory": "needs_review",
        "automobile_liability.additional_insured": "needs_review",
        "automobile_liability.waiver_of_subrogation": "fail",
        "workers_compensation.waiver_of_subrogation": "needs_review",
    }


def test_wording_items_separated_by_semicolons_are_attributed_each() -> None:
    results = benefit_results("GL - Additional Insured; WC - Waiver of Subrogation")
    assert results["general_liability.additional_insured"] == "needs_review"
    assert results["general_liability.waiver_of_subrogation"] == "fail"
    assert results["automobile_liability.additional_insured"] == "fail"
    assert results["workers_compensation.waiver_of_subrogation"] == "needs_review"


@pytest.mark.parametrize(
    ("name", "coverage"),
    [
        ("General Liability", "general_liability"),
        ("the Commercial General Liability policy", "general_liability"),
        ("GL", "general_liability"),
        ("CGL", "general_liability"),
        ("form CG 24 04", "general_liability"),
        ("Auto", "automobile_liability"),
        ("Business Auto", "automobile_liability"),
        ("Automobile Liability", "automobile_liability"),
        ("form CA 04 44", "automobile_liability"),
        ("Workers Compensation", "workers_compensation"),
        ("Workers' Comp", "workers_compensation"),
        ("Worker's Compensation and Employers' Liability", "workers_compensation"),
        ("WC", "workers_compensation"),
        ("WC/EL", "workers_compensation"),
        ("form WC 00 03 13", "workers_compensation"),
    ],
)
def test_wording_that_names_a_coverage_counts_for_that_coverage(name: str, coverage: str) -> None:
    results = benefit_results(f"Waiver of subrogation applies to {name} per written contract.")
    waivers = {r: v for r, v in results.items() if r.endswith(".waiver_of_subrogation")}
    assert waivers == {
        r: "needs_review" if r.startswith(f"{coverage}.") else "fail" for r in waivers
    }


def test_wording_wrapped_across_lines_still_names_its_coverage() -> None:
    results = benefit_results(
        "Waiver of subrogation applies to the Workers\nCompensation "
        "policy in favor of the certificate holder."
    )
    assert results["workers_compensation.waiver_of_subrogation"] == "needs_review"
    assert results["general_liability.waiver_of_subrogation"] == "fail"


def test_wording_naming_one_coverage_leaves_unnamed_wording_for_all() -> None:
    results = benefit_results(
        "Additional insured applies to GL. Waiver of subrogation "
        "applies where required by written contract."
    )
    assert results["general_liability.additional_insured"] == "needs_review"
    assert results["automobile_liability.additional_insured"] == "fail"
    for requirement in (
        "general_liability.waiver_of_subrogation",
        "automobile_liability.waiver_of_subrogation",
        "workers_compensation.waiver_of_subrogation",
    ):
        assert results[requirement] == "needs_review"


@pytest.mark.parametrize(
    "description",
    [
        "The certificate holder is an additional insured, with waiver of subrogation, and "
        "coverage is primary and non-contributory where required by written contract.",
        "Coverage is primary & non-contributory and not excess of any other insurance; additional "
        "insured and waiver of subrogation apply.",
        "Additional insured, waiver of subrogation and primary/non-contributory apply to all "
        "policies listed above.",
    ],
)
def test_wording_that_names_no_coverage_still_counts_for_every_coverage(
    description: str,
) -> None:
    assert set(benefit_results(description).values()) == {"needs_review"}


def test_wording_naming_a_coverage_never_passes_it() -> None:
    line = get(
        run(unmarked("GL is primary and non-contributory.")),
        "general_liability.primary_noncontributory",
    )
    assert line.result == "needs_review"
    assert "accept the wording or ask for the endorsement" in line.message


def test_umbrella_wording_counts_for_an_excess_policy_too() -> None:
    profile = only_line(
        "excess_liability", limits={"each_occurrence": 5000000}, waiver_of_subrogation=True
    )
    rows = [
        policy("excess_liability", waiver_of_subrogation=False),
        policy("general_liability", waiver_of_subrogation=False),
    ]
    data = extraction(
        rows, endorsements=[], description="Waiver of subrogation applies to the Umbrella."
    )
    assert get(run(data, profile), "excess_liability.waiver_of_subrogation").result == (
        "needs_review"
    )


# ------------------------------------------------------------ per-project aggregate


def test_per_project_aggregate_passes() -> None:
    assert get(run(extraction()), "general_liability.per_project_aggregate").result == "pass"


def test_per_policy_aggregate_fails() -> None:
    data = extraction([policy("general_liability", aggregate_applies_per="policy")])
    line = get(run(data), "general_liability.per_project_aggregate")
    assert line.result == "fail"
    assert line.message == "The GL general aggregate applies per policy, not per project."


def test_unread_aggregate_box_needs_review() -> None:
    data = extraction([policy("general_liability", aggregate_applies_per=None)])
    assert get(run(data), "general_liability.per_project_aggregate").result == "needs_review"


def test_per_project_endorsement_passes() -> None:
    form = {
        "form_number": "CG 25 03",
        "edition": "05 09",
        "page": 3,
        "provides": ["per_project_aggregate"],
    }
    data = extraction(
        [policy("general_liability", aggregate_applies_per="policy")], endorsements=[form]
    )
    profile = only_line("general_liability", per_project_aggregate=True)
    assert get(run(data, profile), "general_liability.per_project_aggregate").result == "pass"


# ------------------------------------------------------------------ certificate holder


@pytest.mark.parametrize(
    "holder",
    [
        {"name": "Bulley Construction LLC", "address": "100 Main St, Chicago, IL 60601"},
        {"name": "BULLEY CONSTRUCTION, L.L.C.", "address": "100 Main Street\nChicago IL 60601"},
        {
            "name": "Bulley Construction LLC\n100 Main St\nChicago, Illinois 60601-2210",
            "address": None,
        },
        {"name": "The Bulley Construction", "address": "100 MAIN ST., CHICAGO, IL 60601"},
        {
            "name": "Bulley Construction LLC\n100 Main St\nChicago IL 60601",
            "address": "100 Main St, Chicago IL 60601",
        },
    ],
)
def test_certificate_holder_spelled_differently_passes(holder: dict[str, Any]) -> None:
    line = get(run(extraction(holder=holder)), "certificate_holder")
    assert line.result == "pass", line.message


def test_different_certificate_holder_fails() -> None:
    holder = {"name": "First Midwest Bank", "address": "1 Elm St, Chicago, IL 60601"}
    line = get(run(extraction(holder=holder)), "certificate_holder")
    assert line.result == "fail"
    assert line.message == (
        f"The certificate holder must be {HOLDER}; the certificate shows First Midwest Bank, "
        "1 Elm St, Chicago, IL 60601."
    )


def test_holder_with_a_different_address_needs_review() -> None:
    holder = {"name": "Bulley Construction LLC", "address": "200 Oak Ave, Chicago, IL 60601"}
    line = get(run(extraction(holder=holder)), "certificate_holder")
    assert line.result == "needs_review"
    assert "address" in line.message


@pytest.mark.parametrize(
    "name", ["Bulley Constuction LLC", "Bulley Construction Inc", "Bulley Construction Holdings"]
)
def test_holder_near_miss_needs_review(name: str) -> None:
    holder = {"name": name, "address": "100 Main St, Chicago, IL 60601"}
    assert get(run(extraction(holder=holder)), "certificate_holder").result == "needs_review"


def test_unreadable_holder_needs_review() -> None:
    line = get(run(extraction(holder={"name": None, "address": None})), "certificate_holder")
    assert line.result == "needs_review"


def test_low_confidence_holder_needs_review() -> None:
    data = extraction(confidence={"certificate_holder.name": 0.7})
    assert get(run(data), "certificate_holder").result == "needs_review"


def test_profile_holder_given_as_name_and_address_is_understood() -> None:
    profile = make_profile(
        certificate_holder={
            "name": "Bulley Construction LLC",
            "address": "100 Main St\nChicago IL 60601",
        }
    )
    line = get(run(extraction(), profile), "certificate_holder")
    assert line.result == "pass"
    assert line.required == HOLDER


def test_holder_without_an_address_needs_review() -> None:
    line = get(
        run(extraction(holder={"name": "Bulley Construction LLC", "address": None})),
        "certificate_holder",
    )
    assert line.result == "needs_review"
    assert "no address" in line.message


def test_profile_without_holder_is_na() -> None:
    line = get(run(extraction(), make_profile(certificate_holder=None)), "certificate_holder")
    assert line.result == "na"


# ----------------------------------------------------------------------- insured name


@pytest.mark.parametrize(
    "name",
    [
        "Acme Drywall LLC",
        "ACME DRYWALL, L.L.C.",
        "Acme Drywall",
        "Acme Drywall LLC\n5 Elm St\nEvanston IL 60201",
    ],
)
def test_insured_matching_the_vendor_passes(name: str) -> None:
    assert get(run(extraction(insured=name)), "insured_name").result == "pass"


def test_insured_that_is_another_company_fails() -> None:
    line = get(run(extraction(insured="Zenith Roofing Inc")), "insured_name")
    assert line.result == "fail"
    assert line.message == (
        "The insured on the certificate is Zenith Roofing Inc; it must be Acme Drywall LLC."
    )


def test_insured_with_another_legal_form_needs_review() -> None:
    assert get(run(extraction(insured="Acme Drywall Inc")), "insured_name").result == (
        "needs_review"
    )


def test_unreadable_insured_needs_review() -> None:
    assert get(run(extraction(insured=None)), "insured_name").result == "needs_review"


def test_low_confidence_insured_needs_review() -> None:
    data = extraction(confidence={"insured.name": 0.4})
    assert get(run(data), "insured_name").result == "needs_review"


# ------------------------------------------------------------- other kinds of document


def test_endorsement_submission_checks_what_an_endorsement_shows() -> None:
    forms = [
        {
            "form_number": "CG 20 10",
            "edition": "04 13",
            "page": 1,
            "provides": ["additional_insured"],
        },
        {
            "form_number": "CG 24 04",
            "edition": "05 09",
            "page": 2,
            "provides": ["waiver_of_subrogation"],
        },
    ]
    data = extraction([], kind="endorsement", endorsements=forms, holder={}, description=None)
    lines = run(data)
    assert get(lines, "general_liability.additional_insured").result == "pass"
    assert get(lines, "general_liability.waiver_of_subrogation").result == "pass"
    missing = get(lines, "automobile_liability.additional_insured")
    assert missing.result == "fail"
    assert missing.message == "No additional insured endorsement for Auto among the pages sent."
    for requirement in (
        "certificate_holder",
        "general_liability.present",
        "general_liability.each_occurrence",
        "general_liability.in_force",
        "workers_compensation.statutory",
        "general_liability.per_project_aggregate",
    ):
        assert get(lines, requirement).result == "na"


def test_unknown_document_fails_once_and_checks_nothing_else() -> None:
    lines = run(extraction([], kind="unknown", holder={}, insured=None, endorsements=[]))
    assert lines[0].requirement == "document" and lines[0].result == "fail"
    assert {line.result for line in lines[1:]} == {"na"}
    assert compose_deficiencies(lines) == [lines[0].message]


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "kind",
                "policies",
                "insured",
                "certificate_holder",
                "endorsements",
                "evidence",
                "description_of_operations",
                "insurers",
            ]
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=8),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=8), inner, max_size=3)
            ),
            max_leaves=10,
        ),
    )
)
def test_garbage_extractions_never_raise(data: dict[str, Any]) -> None:
    lines = evaluate(make_profile(), data, vendor_name=VENDOR, today=TODAY)
    assert summarize(lines)
    policies_for_decision(data)


def test_garbage_profile_never_raises() -> None:
    profile: dict[str, Any] = {
        "lines": [
            None,
            3,
            {"coverage": 5},
            {"coverage": "general_liability", "limits": {"each_occurrence": "a lot"}},
        ],
        "min_days_remaining": "30",
        "certificate_holder": 7,
    }
    lines = evaluate(profile, extraction(), vendor_name="", today=TODAY)
    assert get(lines, "general_liability.each_occurrence").result == "needs_review"
    assert get(lines, "insured_name").result == "na"


# --------------------------------------------------------------------- deficiencies


def test_deficiencies_are_the_failed_lines_in_order() -> None:
    policies = [
        policy("general_liability", {"each_occurrence": 500000}, aggregate_applies_per="policy"),
        policy("workers_compensation", waiver_of_subrogation=False),
    ]
    lines = run(extraction(policies))
    assert compose_deficiencies(lines) == [
        "GL each occurrence $500,000 is below the required $1,000,000.",
        "The GL general aggregate applies per policy, not per project.",
        "No automobile liability policy on the certificate.",
        "No umbrella liability policy on the certificate.",
        "WC does not show waiver of subrogation: SUBR WVD is not marked and no waiver of "
        "subrogation endorsement was provided.",
    ]


def test_overrides_change_the_deficiency_list() -> None:
    policies = [
        policy("general_liability", {"each_occurrence": 500000}),
        policy("umbrella_liability"),
    ]
    lines = run(
        extraction(policies),
        only_line(
            "general_liability", limits={"each_occurrence": 1000000, "general_aggregate": 2000000}
        ),
    )
    occurrence = get(lines, "general_liability.each_occurrence")
    assert occurrence.result == "needs_review"
    lines = [
        override(x, "fail", "The umbrella's schedule does not list this GL policy.")
        if x is occurrence
        else x
        for x in lines
    ]
    assert compose_deficiencies(lines) == [
        "GL each occurrence: The umbrella's schedule does not list this GL policy."
    ]
    lines = [override(x, "pass", "Broker confirmed.") if x.result == "fail" else x for x in lines]
    assert compose_deficiencies(lines) == []


def test_repeated_deficiencies_are_listed_once() -> None:
    line = get(run(extraction([])), "general_liability.present")
    failed = override(line, "fail", "No GL")
    assert compose_deficiencies([failed, failed]) == [failed.message]


# ------------------------------------------------------------------ decision policies


def test_policies_for_decision_look_up_the_insurer() -> None:
    rows = [
        policy("general_liability"),
        policy("workers_compensation", insurer_letter="b"),
        policy("automobile_liability", insurer_letter="F"),
    ]
    assert policies_for_decision(extraction(rows)) == [
        {
            "coverage": "general_liability",
            "insurer": "Travelers Casualty",
            "naic": "25674",
            "policy_number": "GEN-1001",
            "effective_date": "2026-06-01",
            "expiration_date": "2027-06-01",
            "limits": DEFAULT_LIMITS["general_liability"],
        },
        {
            "coverage": "workers_compensation",
            "insurer": "Hartford Fire",
            "naic": "19682",
            "policy_number": "WOR-1001",
            "effective_date": "2026-06-01",
            "expiration_date": "2027-06-01",
            "limits": DEFAULT_LIMITS["workers_compensation"],
        },
        {
            "coverage": "automobile_liability",
            "insurer": None,
            "naic": None,
            "policy_number": "AUT-1001",
            "effective_date": "2026-06-01",
            "expiration_date": "2027-06-01",
            "limits": DEFAULT_LIMITS["automobile_liability"],
        },
    ]


def test_policies_for_decision_of_an_endorsement_is_empty() -> None:
    assert policies_for_decision(extraction([], kind="endorsement")) == []
