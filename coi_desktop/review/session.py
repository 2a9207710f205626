"""A reviewer's work on the store: claim, override a line, decide, undo, reassign.

The one way to decide: the window (on its operations thread) and `coi-desktop decide`
both go through a `ReviewSession`, so the rules (who may decide, what a decision carries,
when it may be taken back, that a compliant decision over failing lines needs care) live
here once. Each method is one short transaction; refusals are `DecisionError` sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from coi_desktop.database import Database
from coi_desktop.models import Submission, User
from coi_desktop.queue import QueueRow
from coi_desktop.review import decisions
from coi_desktop.review.checklist import ChecklistLine
from coi_desktop.review.decisions import DecisionError
from coi_desktop.review.submission_view import SubmissionView

Shown = TypeVar("Shown", SubmissionView, QueueRow)
DecisionKey = tuple[str, str]  # (decision id, outcome): which decision a reviewer saw


class ChangedElsewhere(DecisionError):
    """The store's decision is not the one the reviewer saw (decided or undone elsewhere)."""


@dataclass(frozen=True)
class Recorded:
    """What a recorded decision says, as plain data (the ORM row stays in its transaction)."""

    submission_id: str
    decision_id: str
    outcome: str
    deficiencies: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Claimed:
    """What a claim wrote, for the screen and the queue to show without reading it again
    (a claim changes nothing else they show)."""

    status: str
    assigned_to: str

    def onto(self, shown: Shown) -> Shown:
        """A view or a queue row read before the claim, as it is now."""
        return replace(shown, status=self.status, assigned_to=self.assigned_to)


def failing_lines(lines: Sequence[ChecklistLine]) -> int:
    return sum(1 for line in lines if line.result == "fail")


def needs_care(outcome: str, lines: Sequence[ChecklistLine]) -> bool:
    """Compliant over failing lines is the one decision a slip of the finger must not make:
    it sends no deficiencies, so the vendor is never asked to fix what failed."""
    return outcome == "compliant" and failing_lines(lines) > 0


@dataclass
class ReviewSession:
    """One signed-in user's actions on the store."""

    database: Database
    user: User

    @property
    def may_decide(self) -> bool:
        return self.refusal() is None

    def refusal(self) -> str | None:
        """Why this user may change nothing, or None."""
        try:
            decisions.require_reviewer(self.user)
        except DecisionError as exc:
            return str(exc)
        return None

    @staticmethod
    def check(outcome: str, note: str | None, deficiencies: list[str] | None) -> str | None:
        """Why a decision would be refused before the store is asked (no note on a rejection,
        no deficiency on a non-compliant one), or None. ``deficiencies`` None: composed
        from the failed lines at writing."""
        try:
            decisions.check_outcome(outcome, note, ["?"] if deficiencies is None else deficiencies)
        except DecisionError as exc:
            return str(exc)
        return None

    @property
    def claims_on_open(self) -> bool:
        """Reviewers take what they open; a lead opens work to look at it (spot checks, the
        Team tab's drill-down) and may decide without holding it; read-only users look."""
        return self.user.role not in ("lead", "read_only")

    def claim(self, submission_id: str, *, over_holder: bool = False) -> Claimed | None:
        """Claim a submission for this user (delivered later); what the claim wrote, or None
        when nothing was claimed (it is theirs already, closed, or someone else's)."""
        return self.claim_all([submission_id], over_holder=over_holder)[submission_id]

    def claim_all(
        self, submission_ids: Sequence[str], *, over_holder: bool = False
    ) -> dict[str, Claimed | None]:
        """`claim` each, in one transaction (J held down through the queue claims every
        submission it opens; one commit for those opened meanwhile keeps up with it)."""
        claimed: dict[str, Claimed | None] = dict.fromkeys(submission_ids)
        with self.database.session() as session:
            for submission_id in submission_ids:
                if session.get(Submission, submission_id) is None:
                    continue  # gone from the store meanwhile: the others are still claimed
                item = decisions.claim(session, submission_id, self.user, over_holder=over_holder)
                if item is not None:
                    sub = session.get_one(Submission, submission_id)  # in memory already
                    claimed[submission_id] = Claimed(sub.status, self.user.id)
        return claimed

    def override_line(
        self, submission_id: str, position: int, result: str, note: str
    ) -> ChecklistLine:
        """Set a checklist line's result; a note is required."""
        with self.database.session() as session:
            return decisions.override_line(
                session, submission_id, position, result, note, self.user
            )

    def decide(
        self,
        submission_id: str,
        outcome: str,
        *,
        note: str | None = None,
        deficiencies: list[str] | None = None,
        own_deficiencies: list[str] | None = None,
        expected: DecisionKey | None = None,
        check_expected: bool = False,
        claim_first: bool = False,
    ) -> Recorded:
        """Record a decision and its outbox item in one transaction.

        ``check_expected``: the reviewer decided looking at ``expected`` (the decision shown,
        or None); when the store holds another by now, nothing is written (ChangedElsewhere).
        ``claim_first``: claim it even over another holder (the tracker decides; `decide --claim`).
        """
        with self.database.session() as session:
            if check_expected:
                state = decisions.current_decision(session, submission_id)
                now = (state.decision.id, state.decision.outcome) if state.decision else None
                if now != expected:
                    raise ChangedElsewhere(f"Submission {submission_id} was decided elsewhere.")
            if claim_first:
                decisions.claim(session, submission_id, self.user, over_holder=True)
            decision = decisions.record_decision(
                session,
                submission_id,
                outcome,
                self.user,
                note=note,
                deficiencies=deficiencies,
                own_deficiencies=own_deficiencies,
            )
            return Recorded(
                submission_id, decision.id, decision.outcome, list(decision.deficiencies)
            )

    def undo(self, submission_id: str) -> None:
        """Take back a decision that has not been sent yet."""
        with self.database.session() as session:
            decisions.undo_decision(session, submission_id, self.user)

    def reassign(self, submission_ids: list[str], to_user_id: str) -> list[str]:
        """A lead gives submissions to a reviewer; the ids whose holder changed."""
        with self.database.session() as session:
            items = decisions.reassign(session, submission_ids, to_user_id, self.user)
            return [item.submission_id for item in items]
