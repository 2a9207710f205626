"""The workbench's decision actions: decide, undo, override a line — keys, dialogs, results.

Every write goes through the window's `ReviewSession` on its write operations (never on
the GUI thread); the dialogs stay open until the write is done, and show the sentence
when the domain refuses, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDialog

from coi_desktop.models import OPEN_STATUSES, User
from coi_desktop.review import decisions
from coi_desktop.review.checklist import ChecklistLine, override
from coi_desktop.review.session import ChangedElsewhere, DecisionKey, Recorded
from coi_desktop.review.submission_view import SubmissionView, load_submission
from coi_desktop.ui.actions import ACTIONS, tip
from coi_desktop.ui.dialogs import DecisionDialog, OverrideDialog, Reply
from coi_desktop.ui.queue_model import STATUS_TEXT

if TYPE_CHECKING:
    from coi_desktop.ui.main_window import MainWindow

READ_ONLY_TIP = "Read-only access: you can look and search, but not change or decide submissions."
NO_USER_TIP = "Nobody is signed in: sign in from Settings to decide."
OPEN = set(OPEN_STATUSES)
SEND_DELAY_MS = 8000  # from a decision to asking sync to send it (Ctrl+Z until then)


def decision_key(view: SubmissionView) -> DecisionKey | None:
    d = view.decision
    return (d.id, d.outcome) if d is not None else None


def _ignore(_problem: str | None) -> None:
    pass


class DecisionActions(QObject):
    """Decide (Ctrl+1/2/3), undo (Ctrl+Z), toggle (T) and override (O) a checklist line."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._w = window
        self.last_decided: str | None = None
        self.open_dialog: DecisionDialog | OverrideDialog | None = None
        # A decision is sent a few seconds after it is made: long enough for Ctrl+Z.
        self.send_timer = QTimer(self)
        self.send_timer.setSingleShot(True)
        self.send_timer.setInterval(SEND_DELAY_MS)

    # ------------------------------------------------------------ state of the actions

    def refusal(self) -> str:
        """Why this user cannot decide, or '' when they can."""
        if self._w.review is None:
            return NO_USER_TIP
        return "" if self._w.review.may_decide else READ_ONLY_TIP

    def undo_target(self) -> str | None:
        view = self._w.current_view
        if view is not None and view.decision is not None and view.decision.undoable:
            return view.id
        return self.last_decided

    def apply_role(self) -> None:
        """Who is signed in changed (or was read): tooltips say why deciding is off."""
        reason = self.refusal()
        for spec in ACTIONS:
            if spec.decides:
                self._w.actions_by_name[spec.name].setToolTip(tip(spec, reason))
        self._w.checklist.deficiencies_edit.setReadOnly(bool(reason))
        if reason:
            self._w.checklist.deficiencies_edit.setToolTip(reason)

    def update_state(self) -> None:
        can = not self.refusal()
        view = self._w.current_view
        decision = view.decision if view else None
        for spec in ACTIONS:
            if not spec.decides:
                continue
            enabled = can and view is not None
            if spec.name == "undo_decision":
                enabled = can and self.undo_target() is not None
            elif spec.name.startswith("decide_") and decision is not None:
                enabled = can and decision.delivery in decisions.REOPENABLE
            elif spec.name in ("toggle_line", "override_line"):
                enabled = enabled and bool(view and view.lines)
            self._w.actions_by_name[spec.name].setEnabled(enabled)
        self._w.checklist.recompose.setEnabled(can and view is not None)

    # ------------------------------------------------------------ deciding

    def decide(self, outcome: str) -> None:
        """Ctrl+1/2/3: read what the store holds now, then ask for the decision's note."""
        if self.refusal():
            self._w.statusBar().showMessage(self.refusal(), 8000)
            return
        shown = self._w.current_view
        if shown is None:
            return

        # Another process (the CLI, a second window, sync) may have decided or changed it
        # since it was shown: decide on what the store holds now, never on the old view.
        def fresh(view: SubmissionView | None, decider: str | None) -> None:
            if view is None or self._w.current_id != shown.id:
                return  # the reviewer moved on meanwhile
            # new → in review is the reviewer's own claim, made as it opened; anything else
            # (decided, undone, withdrawn, archived) is news to look at before deciding.
            moved = view.status != shown.status and not {view.status, shown.status} <= OPEN
            changed = decision_key(view) != decision_key(shown) or moved
            self._w.show_view(view)
            if changed:
                message = self.changed_elsewhere(view, decider)
                self._w.checklist.show_message(message)
                self._w.statusBar().showMessage(message, 15_000)
            elif self._w.actions_by_name[f"decide_{outcome}"].isEnabled():
                self._ask(outcome, view)

        self._read_with_decider(shown.id, fresh)

    def _read_with_decider(
        self, submission_id: str, then: Callable[[SubmissionView | None, str | None], None]
    ) -> None:
        """The submission as stored now, and the name of whoever decided it (may be someone
        this window never saw: a second reviewer at the command line)."""
        database = self._w.workspace.database

        def read() -> tuple[SubmissionView | None, str | None]:
            with database.session() as session:
                view = load_submission(session, submission_id)
                decider = None
                if view is not None and view.decision is not None:
                    user = session.get(User, view.decision.decided_by)
                    decider = user.name if user is not None else None
                return view, decider

        self._w.reads.run(
            "read the submission", read, done=lambda answer: then(*answer), quiet=True
        )

    def _ask(self, outcome: str, view: SubmissionView) -> None:
        text = f"{view.vendor} ({view.project or view.id})"
        expected = decision_key(view)

        def submit(choice: str, note: str, reply: Reply) -> None:
            self.record_decision(choice, note, expected=expected, check=True, reply=reply)

        deficiencies = self._w.checklist.deficiencies()
        self._show(DecisionDialog(outcome, text, deficiencies, submit, self._w, lines=view.lines))

    def record_decision(
        self,
        outcome: str,
        note: str,
        *,
        expected: DecisionKey | None = None,
        check: bool = False,
        reply: Reply = _ignore,
    ) -> str | None:
        """Write the decision (and its outbox item) in the background.

        Returns at once the reason it cannot be made, or None when it was handed to the
        write operations; ``reply`` hears how that ended. ``expected`` is the decision the
        reviewer saw when the dialog opened (``check``): when the store holds another by now
        (decided elsewhere meanwhile), nothing is written.
        """
        review, view = self._w.review, self._w.current_view
        deficiencies = self._w.checklist.deficiencies() if outcome == "non_compliant" else None
        if review is None or view is None:
            problem = NO_USER_TIP if review is None else "No submission is open."
        else:  # refused at once, with the store's own sentence: nothing is queued
            problem = review.refusal() or review.check(outcome, note, deficiencies) or ""
        if problem or review is None or view is None:
            reply(problem)
            return problem
        submission_id, row = view.id, self._w.queue.model.row_of(view.id)

        def work() -> Recorded | None:
            try:
                return review.decide(
                    submission_id,
                    outcome,
                    note=note,
                    deficiencies=deficiencies,
                    expected=expected,
                    check_expected=check,
                )
            except ChangedElsewhere:
                return None

        def done(recorded: Recorded | None) -> None:
            if recorded is None:
                refused_as_stale()
                return
            self.last_decided = submission_id
            self.send_timer.start()
            self._w.statusBar().showMessage(
                f"{view.vendor}: {recorded.outcome.replace('_', '-')} — saved; "
                "Ctrl+Z undoes it until it is sent.",
                8000,
            )
            reply(None)
            self._w.decided.emit(submission_id, recorded.outcome)
            self._w.after_change(submission_id, row, advance=True)

        def failed(sentence: str) -> None:
            reply(sentence)
            self._w.statusBar().showMessage(sentence, 15_000)

        def refused_as_stale() -> None:
            # Decided elsewhere meanwhile: show what the store holds and say who decided.
            def fresh(now: SubmissionView | None, decider: str | None) -> None:
                if now is not None and self._w.current_id == submission_id:
                    self._w.show_view(now)
                failed(self.changed_elsewhere(now, decider) if now else "This submission is gone.")

            self._read_with_decider(submission_id, fresh)

        self._w.writes.run(
            "save the decision",
            work,
            done=done,
            failed=failed,
            changes=lambda recorded: [submission_id] if recorded else [],
        )
        return None

    def changed_elsewhere(self, view: SubmissionView, decider: str | None) -> str:
        """The sentence shown when the store moved on under the reviewer's eyes."""
        decision = view.decision
        if decision is None:
            return (
                f"{view.vendor} changed since you opened it (now "
                f"{STATUS_TEXT.get(view.status, view.status).lower()}); look again, then decide."
            )
        name = decider or decision.decided_by
        outcome = decision.outcome.replace("_", "-")
        return (
            f"{name} decided {view.vendor} {outcome} at "
            f"{decision.decided_at.astimezone().strftime('%H:%M')} (elsewhere, e.g. the command "
            "line); the checklist now shows it. Look again before deciding."
        )

    def undo(self) -> str | None:
        """Ctrl+Z: take back the last decision (not yet sent); the reason when it cannot be."""
        target, review = self.undo_target(), self._w.review
        if review is None or target is None:
            return "There is no decision to undo."

        def done(_none: None) -> None:
            self.last_decided = None
            self._w.statusBar().showMessage("Decision undone; the submission is open again.", 8000)
            self._w.after_change(target, self._w.queue.model.row_of(target), advance=False)

        self._w.writes.run(
            "undo the decision",
            lambda: review.undo(target),
            done=done,
            failed=lambda sentence: self._w.statusBar().showMessage(sentence, 10_000),
            changes=lambda _r: [target],
        )
        return None

    # ------------------------------------------------------------ checklist lines

    def line_dialog(self, *, toggle: bool) -> None:
        if self.refusal():
            self._w.statusBar().showMessage(self.refusal(), 8000)
            return
        checklist = self._w.checklist
        found = checklist.selected()
        if found is None:
            checklist.select_line(+1)
            found = checklist.selected()
            if found is None:
                return
        position, line = found
        preselect: str = line.result
        if toggle:
            preselect = {"pass": "fail", "fail": "pass"}.get(line.result, "pass")

        def submit(result: str, note: str, reply: Reply) -> None:
            self.override(position, result, note, reply=reply)

        self._show(OverrideDialog(line, preselect, submit, self._w))

    def override(self, position: int, result: str, note: str, *, reply: Reply = _ignore) -> None:
        review, view = self._w.review, self._w.current_view
        if review is None or view is None:
            reply(NO_USER_TIP if review is None else "No submission is open.")
            return
        try:  # the same pure rule the store applies: refused at once, nothing queued
            override(view.lines[position], result, note)
        except (ValueError, IndexError) as exc:
            reply(str(exc))
            return
        submission_id = view.id

        def done(line: ChecklistLine) -> None:
            reply(None)
            current = self._w.current_view
            if current is None or current.id != submission_id:
                return
            self._w.checklist.replace_line(position, line)
            lines = list(current.lines)
            lines[position] = line
            self._w.show_view(replace(current, lines=lines), quietly=True)

        self._w.writes.run(
            "save the override",
            lambda: review.override_line(submission_id, position, result, note),
            done=done,
            failed=reply,
            changes=lambda _line: [submission_id],
        )

    # ------------------------------------------------------------ dialogs

    def _show(self, dialog: DecisionDialog | OverrideDialog) -> None:
        self.open_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "open_dialog", None))
        # After the dialog the keys go to the checklist (N, P, T…) or the queue (J, K),
        # never to whatever text field had the focus before: the next vendor's
        # deficiencies would take the letters.
        dialog.finished.connect(self._focus_after_dialog)
        dialog.open()

    def _focus_after_dialog(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted or self._w.focusWidget() is self._w.table:
            return  # cancelled: back where the reviewer was
        self._w.checklist.tree.setFocus(Qt.FocusReason.OtherFocusReason)
