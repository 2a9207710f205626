"""The terms of a requirement profile line — coverage, limit and benefit keys — and the
words the checklist uses for them ("GL", "E.L. each accident", "SUBR WVD")."""

from __future__ import annotations

from typing import NamedTuple

from coi_desktop.review.checklist import JSONValue

COVERAGE_NAMES: dict[str, str] = {
    "general_liability": "general liability",
    "automobile_liability": "automobile liability",
    "umbrella_liability": "umbrella liability",
    "excess_liability": "excess liability",
    "workers_compensation": "workers compensation",
    "professional_liability": "professional liability",
    "pollution_liability": "pollution liability",
    "builders_risk": "builder's risk",
    "other": "other coverage",
}
COVERAGE_LABELS: dict[str, str] = {
    "general_liability": "GL",
    "automobile_liability": "Auto",
    "umbrella_liability": "Umbrella",
    "excess_liability": "Excess",
    "workers_compensation": "WC",
    "professional_liability": "Professional",
    "pollution_liability": "Pollution",
    "builders_risk": "Builder's risk",
    "other": "Other coverage",
}
LIMIT_LABELS: dict[str, str] = {
    "each_occurrence": "each occurrence",
    "damage_to_rented_premises": "damage to rented premises",
    "medical_expense": "medical expense",
    "personal_advertising_injury": "personal & advertising injury",
    "general_aggregate": "general aggregate",
    "products_completed_ops_aggregate": "products-completed operations aggregate",
    "combined_single_limit": "combined single limit",
    "bodily_injury_per_person": "bodily injury per person",
    "bodily_injury_per_accident": "bodily injury per accident",
    "property_damage": "property damage",
    "aggregate": "aggregate",
    "retention": "retention",
    "el_each_accident": "E.L. each accident",
    "el_disease_each_employee": "E.L. disease each employee",
    "el_disease_policy_limit": "E.L. disease policy limit",
    "limit": "limit",
}
# A self-insured retention is a most, not a least: a larger one is worse for the holder.
MAXIMUM_LIMITS: frozenset[str] = frozenset({"retention"})

UMBRELLA_ROW = ("umbrella_liability", "excess_liability")  # one row on the ACORD 25

ADDITIONAL_INSURED = "additional_insured"
WAIVER_OF_SUBROGATION = "waiver_of_subrogation"
PRIMARY_NONCONTRIBUTORY = "primary_noncontributory"
PER_PROJECT_AGGREGATE = "per_project_aggregate"
BENEFITS: tuple[str, ...] = (ADDITIONAL_INSURED, WAIVER_OF_SUBROGATION, PRIMARY_NONCONTRIBUTORY)
BENEFIT_WORDS: dict[str, str] = {
    ADDITIONAL_INSURED: "additional insured",
    WAIVER_OF_SUBROGATION: "waiver of subrogation",
    PRIMARY_NONCONTRIBUTORY: "primary & non-contributory",
    PER_PROJECT_AGGREGATE: "per-project aggregate",
}
# The ACORD 25 boxes that show a benefit; primary & non-contributory has none.
BOXES: dict[str, str] = {ADDITIONAL_INSURED: "ADDL INSD", WAIVER_OF_SUBROGATION: "SUBR WVD"}


class Requirement(NamedTuple):
    """One line a profile line asks for, before it is checked. (A named tuple: a profile
    makes dozens per document, and these are cheaper to make than frozen dataclasses.)"""

    key: str  # "present", "in_force", "statutory", a limit key or a benefit
    kind: str  # "present" | "in_force" | "statutory" | "limit" | "benefit" | "per_project"
    label: str
    required: JSONValue


def coverage_label(coverage: str) -> str:
    return COVERAGE_LABELS.get(coverage, coverage.replace("_", " ").capitalize())


def coverage_name(coverage: str) -> str:
    return COVERAGE_NAMES.get(coverage, coverage.replace("_", " "))


def limit_label(key: str) -> str:
    return LIMIT_LABELS.get(key, key.replace("_", " "))
