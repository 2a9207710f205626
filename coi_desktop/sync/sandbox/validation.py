"""Body checks both sandbox servers answer with field-keyed errors: ``{"field": ["message"]}``
(the tracker's decisions; Procore's insurance records and commitment compliance)."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from coi_desktop.models import OUTCOMES

Errors = dict[str, list[str]]

CHECKLIST_RESULTS = ("pass", "fail", "needs_review", "na")


def parse_timestamp(value: str) -> datetime | None:
    """An ISO 8601 timestamp *with* an offset (``Z`` accepted), else None."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def is_iso_date(value: object) -> bool:
    """Exactly ``YYYY-MM-DD`` and a real calendar day."""
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def validate_decision(body: object, known_users: Collection[str]) -> Errors:
    """Everything wrong with a tracker decision body (empty when it is fine)."""
    errors: Errors = {}
    if not isinstance(body, Mapping):
        return {"body": ["must be a JSON object"]}

    outcome = body.get("outcome")
    if outcome not in OUTCOMES:
        _add(errors, "outcome", f"must be one of {', '.join(OUTCOMES)}")

    decided_by = body.get("decided_by")
    if not isinstance(decided_by, str) or not decided_by:
        _add(errors, "decided_by", "is required")
    elif decided_by not in known_users:
        _add(errors, "decided_by", f"unknown user {decided_by}")

    decided_at = body.get("decided_at")
    if not isinstance(decided_at, str) or parse_timestamp(decided_at) is None:
        _add(errors, "decided_at", "must be an ISO 8601 timestamp with an offset")

    deficiencies = body.get("deficiencies", [])
    if not isinstance(deficiencies, list) or not all(isinstance(d, str) for d in deficiencies):
        _add(errors, "deficiencies", "must be a list of strings")

    note = body.get("note")
    if note is not None and not isinstance(note, str):
        _add(errors, "note", "must be a string or null")

    _validate_checklist(body.get("checklist", []), errors)
    _validate_policies(body.get("policies", []), errors)
    return errors


def _objects(items: object, name: str, errors: Errors) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each object of the list ``name`` with where it stands (``checklist[2]``); what is not
    a list, or not an object, is an error."""
    if not isinstance(items, list):
        _add(errors, name, "must be a list")
        return
    for i, item in enumerate(items):
        where = f"{name}[{i}]"
        if isinstance(item, Mapping):
            yield where, item
        else:
            _add(errors, where, "must be an object")


def _validate_checklist(checklist: object, errors: Errors) -> None:
    for where, line in _objects(checklist, "checklist", errors):
        if not isinstance(line.get("requirement"), str) or not line.get("requirement"):
            _add(errors, f"{where}.requirement", "is required")
        if line.get("result") not in CHECKLIST_RESULTS:
            _add(errors, f"{where}.result", f"must be one of {', '.join(CHECKLIST_RESULTS)}")
        if "overridden" in line and not isinstance(line["overridden"], bool):
            _add(errors, f"{where}.overridden", "must be true or false")
        if line.get("note") is not None and not isinstance(line.get("note"), str):
            _add(errors, f"{where}.note", "must be a string or null")
        for name in ("found", "required"):
            value = line.get(name)
            if value is not None and not isinstance(value, (str, int, float)):
                _add(errors, f"{where}.{name}", "must be a number, text or true/false")


def _validate_policies(policies: object, errors: Errors) -> None:
    for where, policy in _objects(policies, "policies", errors):
        if not isinstance(policy.get("coverage"), str) or not policy.get("coverage"):
            _add(errors, f"{where}.coverage", "is required")
        for name in ("effective_date", "expiration_date"):
            value = policy.get(name)
            if value is not None and not is_iso_date(value):
                _add(errors, f"{where}.{name}", "must be a date YYYY-MM-DD")
        limits = policy.get("limits", {})
        if limits is not None and (
            not isinstance(limits, Mapping)
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in limits.values())
        ):
            _add(errors, f"{where}.limits", "must map limit names to whole dollars")


def is_decimal_string(value: Any) -> bool:
    """Procore's ``limit`` is a string holding a non-negative decimal, e.g. ``"1000000.00"``."""
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        number = float(value)
    except ValueError:
        return False
    return number >= 0 and value.strip().replace(".", "", 1).isdigit()


# -- Procore: insurance records and a commitment's compliance ----------------------------

INSURANCE_STATUSES = (
    "compliant",
    "compliant_in_progress",
    "expired",
    "non_compliant",
    "non_compliant_in_progress",
    "undecided",
    "unregistered",
)
CONTRACT_INSURANCE_STATUSES = ("compliant", "not_compliant", "not_required")
_TEXT_FIELDS = (
    "name",
    "insurance_type",
    "policy_number",
    "notes",
    "additional_insured",
    "origin_id",
    "origin_data",
)
_BOOL_FIELDS = ("exempt", "info_received", "enable_expired_insurance_notifications")
_DATE_FIELDS = ("effective_date", "expiration_date")


def validate_insurance(fields: Mapping[str, Any]) -> Errors:
    errors: Errors = {}
    status = fields.get("status")
    if "status" in fields and status not in INSURANCE_STATUSES:
        errors["status"] = [f"is not included in the list ({', '.join(INSURANCE_STATUSES)})"]
    for name in _DATE_FIELDS:
        value = fields.get(name)
        if value is not None and not is_iso_date(value):
            errors[name] = ["must be a date in the format YYYY-MM-DD"]
    limit = fields.get("limit")
    if limit is not None and not is_decimal_string(limit):
        errors["limit"] = ['must be a string holding an amount, e.g. "1000000.00"']
    for name in _TEXT_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = ["must be a string"]
    for name in _BOOL_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, bool):
            errors[name] = ["must be true or false"]
    return errors


def known_insurance_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the attributes Procore knows; it ignores the rest."""
    allowed = {*_TEXT_FIELDS, *_BOOL_FIELDS, *_DATE_FIELDS, "limit", "status"}
    return {k: copy.deepcopy(v) for k, v in fields.items() if k in allowed}


def validate_compliance(changes: Mapping[str, Any]) -> Errors:
    errors: Errors = {}
    status = changes.get("insurance_status")
    if "insurance_status" in changes and status not in CONTRACT_INSURANCE_STATUSES:
        errors["insurance_status"] = [
            f"is not included in the list ({', '.join(CONTRACT_INSURANCE_STATUSES)})"
        ]
    notes = changes.get("insurance_notes")
    if notes is not None and not isinstance(notes, str):
        errors["insurance_notes"] = ["must be a string"]
    return errors
