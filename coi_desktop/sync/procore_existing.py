"""Records already in Procore: adopt the one a person typed for the same policy, never duplicate.

Sync by ``origin_id`` only finds records COI Desk created. A person may have typed the same
policy into the vendor's Insurance tab; Procore's derived status counts every record, so a
second copy of a policy would be counted twice. Before the first push for a vendor (at each
level) the stage lists the vendor's records; this module matches ours to the hand-entered
ones by coverage and policy number and puts the match's ``id`` on our record, so the sync
updates that record and stamps it with our ``origin_id``. Pure functions over plain data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# Words in a typed ``insurance_type`` → our coverage group. Umbrella and excess share one
# group, as Procore's own label does ("Umbrella/Excess Liability").
_COVERAGE_WORDS: tuple[tuple[str, str], ...] = (
    ("umbrella", "umbrella_excess"),
    ("excess", "umbrella_excess"),
    ("auto", "automobile_liability"),
    ("worker", "workers_compensation"),
    ("employer", "workers_compensation"),
    ("professional", "professional_liability"),
    ("errors omissions", "professional_liability"),
    ("pollution", "pollution_liability"),
    ("builder", "builders_risk"),
    ("general", "general_liability"),
    ("cgl", "general_liability"),
)
_SHORT_NAMES = {
    "gl": "general_liability",
    "wc": "workers_compensation",
    "al": "automobile_liability",
    "ba": "automobile_liability",
}


def coverage_group(coverage: str) -> str:
    return "umbrella_excess" if coverage in ("umbrella_liability", "excess_liability") else coverage


def coverage_of_label(label: Any) -> str | None:
    """The coverage a typed insurance type names ("Worker's Comp" → workers_compensation)."""
    if not isinstance(label, str):
        return None
    words = " ".join(re.sub(r"[^a-z0-9]+", " ", label.lower().replace("'", "")).split())
    if words in _SHORT_NAMES:
        return _SHORT_NAMES[words]
    for word, group in _COVERAGE_WORDS:
        if word in words:
            return group
    return None


def policy_key(number: Any) -> str:
    """Policy numbers compared without case, spaces or punctuation ("CGL-123 4" = "cgl1234")."""
    return re.sub(r"[^A-Z0-9]", "", number.upper()) if isinstance(number, str) else ""


def _our_coverage(record: Mapping[str, Any]) -> str:
    # origin_id = coidesk:<level>:v<vendor>:<coverage>:<policy number>
    parts = str(record.get("origin_id", "")).split(":")
    return parts[3] if len(parts) >= 5 else ""


def adopt(
    records: Sequence[Mapping[str, Any]], existing: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Our records, each carrying the ``id`` of the hand-entered record for the same policy.

    A hand-entered record is one without an ``origin_id``. It matches when its coverage and
    its policy number agree with ours; a record without a policy number never matches (it
    stays beside ours — guessing would overwrite a person's record). Each is adopted once;
    records we created before are left to ``origin_id``.
    """
    ours = {str(r["origin_id"]) for r in existing if r.get("origin_id")}
    free: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for found in sorted(existing, key=lambda r: r.get("id") or 0):
        if found.get("origin_id") or not isinstance(found.get("id"), int):
            continue
        coverage, number = (
            coverage_of_label(found.get("insurance_type")),
            policy_key(found.get("policy_number")),
        )
        if coverage and number:
            free.setdefault((coverage, number), []).append(found)
    adopted: list[dict[str, Any]] = []
    for record in records:
        mine = dict(record)
        key = (coverage_group(_our_coverage(record)), policy_key(record.get("policy_number")))
        candidates = free.get(key)
        if record.get("origin_id") not in ours and key[1] and candidates:
            mine["id"] = candidates.pop(0)["id"]
        adopted.append(mine)
    return adopted
