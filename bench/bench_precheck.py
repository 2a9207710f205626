"""Time the pre-check on one realistic submission (target: under 5 ms each).

Run: .venv/bin/python bench/bench_precheck.py [--runs 10000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from typing import Any

from coi_desktop.review.precheck import compose_deficiencies, evaluate

TODAY = date(2026, 11, 22)
VENDOR = "Acme Drywall LLC"

PROFILE: dict[str, Any] = {
    "id": "rp-2",
    "name": "Riverside Tower — subcontractors",
    "version": 3,
    "certificate_holder": "Bulley Construction LLC, 100 Main St, Chicago IL 60601",
    "lines": [
        {
            "coverage": "general_liability",
            "limits": {
                "each_occurrence": 1000000,
                "general_aggregate": 2000000,
                "products_completed_ops_aggregate": 2000000,
                "personal_advertising_injury": 1000000,
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
        {"coverage": "professional_liability", "limits": {"limit": 2000000}},
    ],
    "min_days_remaining": 30,
}


def _policy(
    coverage: str, letter: str, number: str, limits: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    return {
        "coverage": coverage,
        "insurer_letter": letter,
        "policy_number": number,
        "effective_date": "2026-03-01",
        "expiration_date": "2027-03-01",
        "additional_insured": False,
        "waiver_of_subrogation": False,
        "occurrence": None,
        "aggregate_applies_per": None,
        "limits": limits,
        **fields,
    }


def make_extraction() -> dict[str, Any]:
    """A flattened ACORD 25 with an endorsement packet: a mix of pass, fail and review."""
    policies = [
        _policy(
            "general_liability",
            "A",
            "CGL 7724410",
            {
                "each_occurrence": 500000,
                "damage_to_rented_premises": 100000,
                "medical_expense": 5000,
                "personal_advertising_injury": 1000000,
                "general_aggregate": 2000000,
                "products_completed_ops_aggregate": 2000000,
            },
            additional_insured=True,
            waiver_of_subrogation=True,
            occurrence=True,
            aggregate_applies_per="project",
        ),
        _policy(
            "automobile_liability",
            "B",
            "BA 5512398",
            {"combined_single_limit": 1000000},
            additional_insured=True,
            expiration_date="2026-12-10",
        ),
        _policy(
            "umbrella_liability",
            "C",
            "CUP 1188820",
            {"each_occurrence": 5000000, "aggregate": 5000000, "retention": 10000},
            occurrence=True,
        ),
        _policy(
            "workers_compensation",
            "D",
            "UB 3K551902",
            {
                "statutory": True,
                "el_each_accident": 1000000,
                "el_disease_each_employee": 1000000,
                "el_disease_policy_limit": 1000000,
            },
            waiver_of_subrogation=True,
        ),
        _policy("professional_liability", "E", "PL 0092", {"limit": 1000000}),
    ]
    evidence: dict[str, Any] = {}
    rect = [402.1, 318.4, 468.9, 327.0]
    for i, row in enumerate(policies):
        for field, value in row.items():
            if field == "limits":
                for key in value:
                    evidence[f"policies[{i}].limits.{key}"] = {
                        "page": 1,
                        "rect": rect,
                        "source": "text",
                        "confidence": 0.97,
                    }
            elif field != "coverage" and value is not None:
                evidence[f"policies[{i}].{field}"] = {
                    "page": 1,
                    "rect": rect,
                    "source": "text",
                    "confidence": 0.97,
                }
    for key in (
        "insured.name",
        "certificate_holder.name",
        "certificate_holder.address",
        "description_of_operations",
    ):
        evidence[key] = {"page": 1, "rect": rect, "source": "text", "confidence": 0.95}
    evidence["policies[1].expiration_date"]["confidence"] = 0.72  # a repaired OCR date
    return {
        "file": "acme_coi.pdf",
        "sha256": "ab" * 32,
        "kind": "coi",
        "method": "text",
        "pages": 4,
        "certificate_date": "2026-11-19",
        "producer": {
            "name": "Lakeside Insurance Brokers",
            "contact": "Dana Wu",
            "phone": "(312) 555-0110",
            "email": "certs@lakeside.example",
        },
        "insured": {"name": "ACME DRYWALL, L.L.C.", "address": "5 Elm St\nEvanston, IL 60201"},
        "insurers": [
            {"letter": letter, "name": f"Insurer {letter}", "naic": f"1000{n}"}
            for n, letter in enumerate("ABCDE")
        ],
        "policies": policies,
        "description_of_operations": (
            "Re: Riverside Tower, 400 W Riverside Dr. Bulley Construction LLC, its officers and "
            "employees are included as additional insured where required by written contract. "
            "Coverage is primary and non-contributory. Waiver of subrogation applies in favor "
            "of the additional insured as permitted by law."
        ),
        "certificate_holder": {
            "name": "Bulley Construction, LLC",
            "address": "100 Main Street\nChicago, IL 60601",
        },
        "endorsements": [
            {
                "form_number": "CG 20 10",
                "edition": "04 13",
                "page": 2,
                "provides": ["additional_insured"],
            },
            {
                "form_number": "CG 20 37",
                "edition": "04 13",
                "page": 3,
                "provides": ["additional_insured"],
            },
            {
                "form_number": None,
                "edition": None,
                "page": 4,
                "provides": ["primary_noncontributory", "waiver_of_subrogation"],
            },
        ],
        "evidence": evidence,
        "warnings": [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    extraction = make_extraction()
    lines = evaluate(PROFILE, extraction, vendor_name=VENDOR, today=TODAY)  # warm-up
    timings: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter_ns()
        evaluate(PROFILE, extraction, vendor_name=VENDOR, today=TODAY)
        timings.append((time.perf_counter_ns() - start) / 1e6)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    results = {
        r: sum(line.result == r for line in lines) for r in ("pass", "fail", "needs_review", "na")
    }
    print(
        f"pre-check: {len(lines)} lines {results}, {len(compose_deficiencies(lines))} deficiencies"
    )
    print(
        f"runs {args.runs}: mean {statistics.fmean(timings):.3f} ms, p95 {p95:.3f} ms, "
        f"max {timings[-1]:.3f} ms (target < 5 ms)"
    )


if __name__ == "__main__":
    main()
