"""Small keyboard-driven dialogs: confirm a decision, override a line, shortcuts, about.

The decision and override dialogs do not write anything themselves: they hand the
reviewer's answer to a ``submit`` callable with a reply callback. The write runs in the
background; the reply (at once, or when the write is done) is None to close the dialog or
the sentence saying why the domain refused (the dialog then stays open so nothing typed
is lost).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coi_desktop import __version__
from coi_desktop.models import User
from coi_desktop.review.checklist import ChecklistLine
from coi_desktop.review.session import failing_lines, needs_care
from coi_desktop.ui import theme
from coi_desktop.ui.actions import ActionSpec
from coi_desktop.workspace import Workspace

Reply = Callable[[str | None], None]  # None: done; else the sentence saying why not
Submit = Callable[[str, str, Reply], None]  # (choice, note, reply)

OUTCOME_TITLES = {
    "compliant": "Compliant",
    "non_compliant": "Non-compliant",
    "rejected": "Rejected",
}


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setObjectName("error")
    label.setStyleSheet(
        "QLabel#error { color: palette(bright-text); background: #b3261e;"
        " padding: 6px; border-radius: 3px; }"
    )
    label.setAccessibleName("Problem")
    label.hide()
    return label


class _EnterDialog(QDialog):
    """Enter submits ``_choice()`` with the note; a refusal is shown and the dialog stays.

    Subclasses set ``_submit``, ``note`` and ``error``.
    """

    _submit: Submit
    note: QLineEdit
    error: QLabel

    def _choice(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    _waiting = False  # a submitted answer is being written: Enter does not send it twice

    def _try(self) -> None:
        if self._waiting:
            return
        self._waiting = True
        self._submit(self._choice(), self.note.text(), self._reply)

    def _reply(self, problem: str | None) -> None:
        self._waiting = False
        if problem:
            self.error.setText(problem)
            self.error.show()
            self._fit_height()
            self.note.setFocus()
            return
        self.accept()

    def _fit_height(self) -> None:
        """Make room for a sentence shown after the dialog opened. Word-wrapped labels ask
        for height by width, which a dialog already on screen does not follow by itself:
        the refusal squeezed the question and cut both off mid-line."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        if layout.hasHeightForWidth():
            wanted = layout.totalHeightForWidth(self.width())
        else:
            wanted = layout.totalSizeHint().height()
        self.resize(self.width(), max(self.height(), wanted))

    @staticmethod
    def _add_button_row(layout: QVBoxLayout, hint: QLabel, buttons: QDialogButtonBox) -> None:
        """The keys' hint, greyed, on the left; the buttons on the right."""
        hint.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(hint)
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)

    def _enter_submits(self) -> bool:
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            if self._enter_submits():
                self._try()
            else:
                self.reject()
            return
        super().keyPressEvent(event)


class DecisionDialog(_EnterDialog):
    """Confirm an outcome with a note: Enter decides, Esc goes back.

    Compliant over failing lines is the one decision a slip of the finger must not make:
    then Enter goes back like Esc, and only the explicit button (Alt+A) decides.
    """

    def __init__(
        self,
        outcome: str,
        submission_text: str,
        deficiencies: Sequence[str],
        submit: Submit,
        parent: QWidget | None = None,
        *,
        lines: Sequence[ChecklistLine] = (),
    ) -> None:
        super().__init__(parent)
        self.outcome = outcome
        self._submit = submit
        self.needs_care = needs_care(outcome, lines)
        failing = failing_lines(lines)
        title = OUTCOME_TITLES.get(outcome, outcome)
        self.setWindowTitle(f"Decide: {title}")
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>Mark {_html(submission_text)} as {title.lower()}?</b>")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        if outcome == "non_compliant":
            if deficiencies:
                items = "".join(f"<li>{_html(d)}</li>" for d in deficiencies)
                text = f"These deficiencies go to the vendor:<ul>{items}</ul>"
            else:
                text = (
                    "There are no deficiencies yet. Close this, fail a line or write "
                    "deficiencies (Ctrl+D) first."
                )
            body = QLabel(text)
            body.setWordWrap(True)
            body.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(body)
        elif self.needs_care:
            which = "line still fails" if failing == 1 else "lines still fail"
            warn = QLabel(
                f"<b>{failing} checklist {which}.</b> A compliant decision sends no "
                "deficiencies to the vendor. Enter and Esc go back; "
                "<b>Alt+A</b> decides compliant anyway."
            )
            warn.setObjectName("failing_warning")
            warn.setWordWrap(True)
            warn.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(warn)
        form = QFormLayout()
        self.note = QLineEdit()
        self.note.setPlaceholderText(
            "Why? (required: e.g. not a COI, unreadable, wrong insured)"
            if outcome == "rejected"
            else "Note for the tracker (optional)"
        )
        self.note.setAccessibleName("Decision note")
        form.addRow("&Note:", self.note)
        layout.addLayout(form)
        self.error = _error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        if self.needs_care:
            self.confirm = buttons.addButton(
                f"{title} &anyway", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.confirm.setToolTip("Alt+A")
            self.confirm.setAutoDefault(False)
            cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
            cancel.setDefault(True)
        else:
            self.confirm = buttons.addButton(f"&{title}", QDialogButtonBox.ButtonRole.AcceptRole)
            self.confirm.setDefault(True)
            self.confirm.setToolTip("Enter")
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)
        hint = QLabel(
            "Enter or Esc: go back · Alt+A: decide anyway"
            if self.needs_care
            else "Enter: decide · Esc: cancel"
        )
        self._add_button_row(layout, hint, buttons)
        self.note.setFocus()
        self.setMinimumWidth(460)

    def _enter_submits(self) -> bool:
        return not self.needs_care

    def _choice(self) -> str:
        return self.outcome


class OverrideDialog(_EnterDialog):
    """Set a line's result: 1–4 pick the result, the note is required, Enter saves.

    The note has the focus, so a digit picks the result while the note is empty (or all
    selected, as a note kept from an earlier override is at first); Alt+1–4 always do.
    """

    CHOICES = ("pass", "fail", "needs_review", "na")

    def __init__(
        self, line: ChecklistLine, preselect: str, submit: Submit, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(f"Override: {line.label}")
        layout = QVBoxLayout(self)
        summary = QLabel(
            f"<b>{_html(line.label)}</b><br>Pre-check: {theme.RESULT_LONG.get(line.result)} — "
            f"{_html(line.message)}"
        )
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        for number, choice in enumerate(self.CHOICES, start=1):
            button = QRadioButton(f"&{number} {theme.RESULT_LONG[choice]}")
            button.setIcon(theme.result_icon(choice))
            button.setProperty("result", choice)
            self.group.addButton(button, number)
            row.addWidget(button)
            if choice == preselect:
                button.setChecked(True)
        layout.addLayout(row)
        form = QFormLayout()
        self.note = QLineEdit(line.note or "")
        self.note.setPlaceholderText("Why the pre-check's result is set aside (required)")
        self.note.setAccessibleName("Override note")
        self.note.installEventFilter(self)
        form.addRow("&Note:", self.note)
        layout.addLayout(form)
        self.error = _error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)
        self._add_button_row(layout, QLabel("1–4: result · Enter: save · Esc: cancel"), buttons)
        self.note.setFocus()
        self.note.selectAll()
        self.setMinimumWidth(480)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.note and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            number = _DIGITS.get(Qt.Key(event.key()))
            plain = not (
                event.modifiers()
                & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier)
            )
            untouched = not self.note.text() or self.note.selectedText() == self.note.text()
            if number is not None and plain and untouched:
                self.choose(self.CHOICES[number - 1])
                return True
        return super().eventFilter(watched, event)

    def choose(self, result: str) -> None:
        for button in self.group.buttons():
            if button.property("result") == result:
                button.setChecked(True)

    def result_choice(self) -> str:
        button = self.group.checkedButton()
        return str(button.property("result")) if button else ""

    def _choice(self) -> str:
        return self.result_choice()


class ShortcutsDialog(QDialog):
    """Generated from the same action list as the menus."""

    def __init__(self, actions: Sequence[ActionSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        rows: list[tuple[str, str] | str] = []  # (keys, action) or a section title
        for group in dict.fromkeys(a.group for a in actions):
            members = [a for a in actions if a.group == group and a.shortcuts]
            if members:
                rows.append(group)
            for spec in members:
                keys = " or ".join(
                    QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
                    for k in spec.shortcuts
                )
                rows.append((keys, f"{spec.text.replace('&', '')} — {spec.tip}"))
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Keys", "Action"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        bold = self.font()
        bold.setBold(True)
        for row, entry in enumerate(rows):
            if isinstance(entry, str):
                item = QTableWidgetItem(entry)
                item.setFont(bold)
                self.table.setItem(row, 0, item)
                self.table.setSpan(row, 0, 1, 2)
                continue
            for column, text in enumerate(entry):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnToContents(0)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 560)


def about_lines(workspace: Workspace, user: User | None) -> list[tuple[str, str]]:
    """Version, who is signed in, and where everything is kept."""
    where = workspace.locations
    return [
        ("Version", __version__),
        ("Signed in", f"{user.name} ({user.role})" if user else "nobody"),
        ("Data", str(where.data_dir)),
        ("Database", str(where.database)),
        ("Documents", str(where.documents_dir)),
        ("Log", str(where.log_file)),
        ("Settings", str(where.settings_file)),
    ]


class AboutDialog(QDialog):
    def __init__(self, lines: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About COI Desk")
        layout = QVBoxLayout(self)
        title = QLabel(
            f"<h2>COI Desk {__version__}</h2>"
            "<p>Review certificates of insurance against requirements.</p>"
        )
        layout.addWidget(title)
        form = QFormLayout()
        for name, value in lines:
            label = QLabel(value)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            form.addRow(f"{name}:", label)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


_DIGITS: dict[Qt.Key, int] = {Qt.Key.Key_1: 1, Qt.Key.Key_2: 2, Qt.Key.Key_3: 3, Qt.Key.Key_4: 4}


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
