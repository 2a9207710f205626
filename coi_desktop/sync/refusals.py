"""What a person reads when the tracker refuses an outbox item: pure functions, data in,
one sentence out. The delivery stage looks the facts up (holder names, the log file) and
stores the sentence on the item; the panel and `sync --once` show it as it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coi_desktop.models import OUTCOMES

# Parts of a decision body the reviewer chose or typed; a 422 on anything else is about
# what COI Desk built (limits, dates, checklist values, ids), which no reviewer can correct.
REVIEWER_FIELDS = ("outcome", "note", "deficiencies")


@dataclass(frozen=True)
class Refusal:
    state: str  # conflict | failed
    message: str
    our_bug: bool = False  # log the body and the answer: the fix is in COI Desk, not the reviewer


def invalid_fields(answer: object) -> list[str]:
    """The field names of a 422 answer's ``{"errors": {field: [...]}}`` (empty if none)."""
    errors = answer.get("errors") if isinstance(answer, Mapping) else None
    return [str(name) for name in errors] if isinstance(errors, Mapping) else []


def reviewer_can_fix(fields: list[str]) -> bool:
    """Every refused field is one the reviewer chose (``note``, ``deficiencies[2]``…)."""
    return bool(fields) and all(_chosen_by_reviewer(name) for name in fields)


def _chosen_by_reviewer(name: str) -> bool:
    return any(name == f or name.startswith((f"{f}[", f"{f}.")) for f in REVIEWER_FIELDS)


def invalid(
    what: str, sub_id: str, reason: str, fields: list[str], log_file: Path | None
) -> Refusal:
    """A 422: the reviewer's to correct when it names only what they chose; else our bug."""
    if what == "decision" and reviewer_can_fix(fields):
        return Refusal(
            "failed",
            (
                f"The tracker refused the decision on {sub_id} as invalid: "
                f"{reason or 'no reason given'}. "
                "Reopen it, correct the outcome, note or deficiencies, and decide again."
            ),
        )
    where = f"logged at {log_file}" if log_file is not None else "logged"
    return Refusal(
        "failed",
        (
            f"COI Desk sent something the tracker could not accept for the {what} on {sub_id}"
            f"{' (' + reason + ')' if reason else ''}; this is our bug, {where}. "
            f"Your {what} is kept: Retry now sends it again once COI Desk is updated."
        ),
        our_bug=True,
    )


def conflict(
    what: str,
    sub_id: str,
    current: Mapping[str, Any] | None,
    *,
    me: str | None,
    holder_name: str | None,
    lead: bool = False,
) -> str:
    """Why the tracker said 409, from the submission it sent back, in the reviewer's words.

    ``lead``: the sender is a lead, whom the tracker lets decide what others hold, so a
    holder is never the reason for their 409."""
    if current is None:
        return (
            f"The tracker refused the {what} on {sub_id}: the submission changed since you "
            "saw it (409). Reopen it to decide again."
        )
    status = current.get("status")
    holder = current.get("assigned_to")
    name = holder_name or f"another reviewer ({holder})"
    if status == "archived":
        change = "the submission was withdrawn (archived)"
    elif status in OUTCOMES:
        change = f"the submission was already decided {str(status).replace('_', ' ')}"
    elif holder and holder != me and (what == "claim" or (what == "decision" and not lead)):
        change = f"{name} holds it"
        if what == "decision":
            return (
                f"The tracker refused the decision on {sub_id}: {change} (409). Claim it "
                "(or ask a lead to reassign it to you), then decide again."
            )
    else:
        change = f"the submission changed (now version {current.get('version')}"
        change += f", assigned to {name})" if holder else ")"
    tail = " Reopen it to decide again." if what == "decision" else ""
    return f"The tracker refused the {what} on {sub_id}: {change} (409).{tail}"


def forbidden(what: str, sub_id: str, reason: str) -> str:
    return (
        f"The tracker does not allow this user to send the {what} on {sub_id} (403)"
        f"{': ' + reason if reason else ''}."
    )


def unknown_submission(sub_id: str) -> str:
    return f"The tracker no longer knows submission {sub_id} (404)."


def other(what: str, sub_id: str, status: int, reason: str) -> str:
    return (
        f"The tracker refused the {what} on {sub_id} (HTTP {status})"
        f"{': ' + reason if reason else ''}."
    )
