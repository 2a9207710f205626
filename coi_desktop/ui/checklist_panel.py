"""The right pane: who and what is being reviewed, the checklist, deficiencies, decision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QResizeEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from coi_desktop.review.checklist import ChecklistLine
from coi_desktop.review.precheck import compose_deficiencies
from coi_desktop.review.submission_view import SubmissionView
from coi_desktop.ui import theme
from coi_desktop.ui.checklist_model import FOUND, HEADERS, REQUIRED, ChecklistModel, value_text
from coi_desktop.ui.queue_model import KIND_TEXT, OUTCOME_TEXT, STATUS_TEXT, countdown_text

DETAIL_LINES = 6  # the selected line's detail: result, values, sentence, evidence, note
VALUE_COLUMN_EM = 9  # Required / Found may always grow this wide ("$10,000,000" fits)
REQUIREMENT_MIN_EM = 12  # what Required / Found leave the requirement's name, where they can


def _due_words(due: datetime, now: datetime) -> str:
    left = countdown_text(due, now)
    if left.startswith("late "):
        return f"<b>overdue by {left[5:]}</b>"
    return f"due in {left}"


def result_column_width(tree: QTreeView, *, marked: bool) -> int:
    """Wide enough for the widest result word with its icon (and the override mark, when
    ``marked``) on a line row, indented under its group, as the tree's delegate draws it."""
    probe = QStandardItemModel()
    group = QStandardItem("")
    probe.appendRow(group)
    for result, text in theme.RESULT_TEXT.items():
        group.appendRow(QStandardItem(theme.result_icon(result), f"{text} ✎" if marked else text))
    view = QTreeView()
    view.setFont(tree.font())
    view.setIndentation(tree.indentation())
    view.setRootIsDecorated(tree.rootIsDecorated())
    view.setIconSize(tree.iconSize())
    view.setModel(probe)
    view.expandAll()
    return view.sizeHintForColumn(0)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ChecklistPanel(QWidget):
    evidence_requested = Signal(object)  # the line's evidence dict (or None)
    line_selected = Signal(int)  # position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: SubmissionView | None = None
        self._deficiencies_edited = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.header = QLabel("No submission open.")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setAccessibleName("Submission")
        layout.addWidget(self.header)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setMargin(6)
        self.banner.setAccessibleName("Decision")
        self.banner.hide()
        layout.addWidget(self.banner)

        self.model = ChecklistModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setObjectName("checklist")
        self.tree.setAccessibleName("Checklist")
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setToolTip("Click a line (or press E) to see its evidence in the document")
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        # Result holds one of a few words: sized for the widest, measured once, never by
        # its contents (Qt would measure every cell again on each submission shown).
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self._result_widths = {m: result_column_width(self.tree, marked=m) for m in (False, True)}
        header.resizeSection(0, self._result_widths[False])
        # Requirement takes what Required and Found leave (_fit_value_columns). Not Qt's
        # Stretch: a stretch computed while the tree was hidden at another width was kept
        # when it showed, pushing Required and Found out of the pane on the first open.
        for column in (1, REQUIRED, FOUND):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.tree.viewport().installEventFilter(self)
        self._fit_value_columns()
        self.tree.selectionModel().currentRowChanged.connect(self._current_changed)
        self.tree.clicked.connect(self._clicked)
        self.tree.activated.connect(self._clicked)

        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMargin(12)
        self.empty.setAccessibleName("Checklist status")
        self.empty.hide()

        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName("Selected line")
        self.detail.setMargin(4)
        # A fixed height (scrolling when a sentence is long), so the list above keeps its
        # size and its rows stay put as the selected line's text changes.
        self.detail_area = QScrollArea()
        self.detail_area.setWidget(self.detail)
        self.detail_area.setWidgetResizable(True)
        self.detail_area.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_area.setFixedHeight(self.fontMetrics().lineSpacing() * DETAIL_LINES + 10)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.tree, 1)
        top_layout.addWidget(self.empty, 1)
        top_layout.addWidget(self.detail_area)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("De&ficiencies sent to the vendor (one per line):")
        self.deficiencies_edit = QPlainTextEdit()
        self.deficiencies_edit.setAccessibleName("Deficiencies")
        self.deficiencies_edit.setTabChangesFocus(True)
        self.deficiencies_edit.setPlaceholderText(
            "Composed from failed lines. Edit freely before deciding non-compliant."
        )
        self.deficiencies_edit.setToolTip(
            "Ctrl+D — composed from failed lines; edit before deciding"
        )
        self.deficiencies_edit.textChanged.connect(self._deficiencies_typed)
        title.setBuddy(self.deficiencies_edit)
        self.recompose = QToolButton()
        self.recompose.setText("Recompose")
        self.recompose.setToolTip("Replace the text with the failed lines' sentences")
        self.recompose.clicked.connect(self.recompose_deficiencies)
        title_row = QHBoxLayout()
        title_row.addWidget(title, 1)
        title_row.addWidget(self.recompose)
        bottom_layout.addLayout(title_row)
        bottom_layout.addWidget(self.deficiencies_edit, 1)
        self.buttons = QHBoxLayout()
        bottom_layout.addLayout(self.buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.hide()
        bottom_layout.addWidget(self.message)

        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("checklist_split")
        self.split.addWidget(top)
        self.split.addWidget(bottom)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setChildrenCollapsible(False)
        layout.addWidget(self.split, 1)
        self.setFocusProxy(self.tree)

    def add_decision_buttons(self, actions: Sequence[QAction]) -> None:
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)

    # ------------------------------------------------------------ content

    def show_opening(self, vendor: str) -> None:
        """A submission not read yet (it arrives in milliseconds): its name, no stale lines."""
        self.show_submission(None)
        self.header.setText(f"<b style='font-size:large'>{_html(vendor)}</b><br>Opening…")

    def show_submission(self, view: SubmissionView | None, *, now: datetime | None = None) -> None:
        # The same undecided submission shown again (a refresh): the reviewer's own
        # deficiency text stays; it is only theirs to throw away (Recompose).
        keep_text = (
            self._deficiencies_edited
            and view is not None
            and self.view is not None
            and self.view.id == view.id
            and view.decision is None
        )
        kept = self.deficiencies_edit.toPlainText()
        self.view = view
        self.message.hide()
        self.detail.clear()
        if view is None:
            self.header.setText("No submission open. Pick one in the queue (J / K).")
            self.model.set_lines([])
            self.banner.hide()
            self._set_deficiencies([])
            self._show_empty("")
            return
        self.show_header(view, now=now)
        self._show_decision(view)
        if self.model.set_lines(view.lines):  # new groups: lay the tree out again
            self.tree.expandAll()
            for row in range(self.model.rowCount()):
                self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self._fit_columns()
        if not view.lines:
            if view.checked:
                self._show_empty("The requirement profile has no lines for this submission.")
            elif not view.documents:
                self._show_empty("This submission has no documents, so there is nothing to check.")
            else:
                self._show_empty(
                    "The pre-check is still running for this submission. "
                    "The checklist appears here by itself when it is ready; "
                    "you can read the document meanwhile."
                )
        else:
            self.empty.hide()
            self.tree.show()
        self._deficiencies_edited = keep_text
        if keep_text:
            self._set_deficiencies([kept])
        elif view.decision is not None and view.decision.deficiencies:
            self._set_deficiencies(view.decision.deficiencies)
        else:
            self._set_deficiencies(compose_deficiencies(view.lines))
        first = self.model.line_indexes()
        if first and self.tree.currentIndex().siblingAtColumn(0) == first[0]:
            self._current_changed(first[0], first[0])  # the same row, new values: no signal
        elif first:
            self.tree.setCurrentIndex(first[0])

    def show_header(self, view: SubmissionView, *, now: datetime | None = None) -> None:
        """Who and what, its status and time left: all a claim changes on screen."""
        self.view = view
        now = now or datetime.now(UTC)
        project = view.project or (
            "Global (annual) requirements" if view.scope == "global" else "—"
        )
        self.header.setText(
            f"<b style='font-size:large'>{_html(view.vendor)}</b><br>"
            f"{_html(project)} · {KIND_TEXT.get(view.kind, view.kind)} · {_html(view.id)}<br>"
            f"Insured on the COI: {_html(view.insured_name or 'not read yet')}<br>"
            f"{STATUS_TEXT.get(view.status, view.status)} · {_due_words(view.due_at, now)}"
        )

    def _fit_columns(self) -> None:
        marked = any(line.overridden for line in self.model.lines)
        self.tree.header().resizeSection(0, self._result_widths[marked])
        self._fit_value_columns()

    def _fit_value_columns(self) -> None:
        """Required and Found as wide as their values (money and dates read whole), within
        bounds: a long name is elided here and read whole in the line's detail below."""
        metrics = self.tree.fontMetrics()
        em = metrics.horizontalAdvance("M")
        pad = 3 * em // 2
        # On a wide screen the values may take more of the room (a third each at most).
        # ... but never so much that the requirement's own name is squeezed to a stub.
        width = self.tree.viewport().width()
        room = (width - self.tree.header().sectionSize(0) - REQUIREMENT_MIN_EM * em) // 2
        cap = max(VALUE_COLUMN_EM * em, min(width * 3 // 10, room))
        for column, values in (
            (REQUIRED, [line.required for line in self.model.lines]),
            (FOUND, [line.found for line in self.model.lines]),
        ):
            texts = [HEADERS[column], *(value_text(v) for v in values)]
            widest = max(metrics.horizontalAdvance(t) for t in texts) + pad
            self.tree.setColumnWidth(column, max(5 * em, min(widest, cap)))
        header = self.tree.header()
        taken = header.sectionSize(0) + header.sectionSize(REQUIRED) + header.sectionSize(FOUND)
        self.tree.setColumnWidth(1, max(6 * em, self.tree.viewport().width() - taken))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree.viewport() and event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.Show,
        ):
            self._fit_value_columns()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_value_columns()

    def _show_empty(self, text: str) -> None:
        self.tree.setVisible(not text and self.model.rowCount() > 0)
        self.empty.setText(text)
        self.empty.setVisible(bool(text))

    def _show_decision(self, view: SubmissionView) -> None:
        d = view.decision
        if d is None:
            self.banner.hide()
            return
        when = d.decided_at.astimezone().strftime("%b %d %H:%M")
        delivery = {
            "pending": "waiting to be sent" + (" — Ctrl+Z undoes it" if d.undoable else ""),
            "delivered": "delivered to the tracker",
            "conflict": "not delivered: the tracker has a newer version (needs a person)",
            "failed": "not delivered: " + (d.delivery_error or "error"),
        }.get(d.delivery, d.delivery)
        self.banner.setText(
            f"<b>Decided: {OUTCOME_TEXT.get(d.outcome, d.outcome)}</b> at {when} — "
            f"{_html(delivery)}" + (f"<br>Note: {_html(d.note)}" if d.note else "")
        )
        self.banner.show()

    def _set_deficiencies(self, items: Sequence[str]) -> None:
        self.deficiencies_edit.blockSignals(True)
        self.deficiencies_edit.setPlainText("\n".join(items))
        self.deficiencies_edit.blockSignals(False)

    def _deficiencies_typed(self) -> None:
        self._deficiencies_edited = True

    def recompose_deficiencies(self) -> None:
        self._deficiencies_edited = False
        self._set_deficiencies(compose_deficiencies(self.model.lines))

    def deficiencies(self) -> list[str]:
        return [
            line.strip()
            for line in self.deficiencies_edit.toPlainText().splitlines()
            if line.strip()
        ]

    def replace_line(self, position: int, line: ChecklistLine) -> None:
        self.model.replace_line(position, line)
        self._fit_columns()  # an override's mark may need room
        if not self._deficiencies_edited:
            self._set_deficiencies(compose_deficiencies(self.model.lines))
        self._show_detail(line)

    def show_message(self, text: str, *, problem: bool = True) -> None:
        self.message.setText(text)
        self.message.setForegroundRole(self.message.foregroundRole())
        self.message.setStyleSheet(
            f"color: {theme.result_color('fail').name()};" if problem else ""
        )
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------ selection

    def selected(self) -> tuple[int, ChecklistLine] | None:
        return self.model.line(self.tree.currentIndex().siblingAtColumn(0))

    def select_line(self, step: int) -> None:
        indexes = self.model.line_indexes()
        if not indexes:
            return
        current = self.tree.currentIndex().siblingAtColumn(0)
        rows = [(i.parent().row(), i.row()) for i in indexes]
        key = (current.parent().row(), current.row()) if current.isValid() else None
        if key in rows:
            target = max(0, min(len(rows) - 1, rows.index(key) + step))
        else:
            target = 0 if step > 0 else len(rows) - 1
        self.tree.selectionModel().setCurrentIndex(
            indexes[target],
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.request_evidence()

    def select_position(self, position: int) -> None:
        index = self.model.index_of(position)
        if index.isValid():
            self.tree.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def request_evidence(self) -> None:
        found = self.selected()
        if found is not None:
            self.evidence_requested.emit(found[1].evidence)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        found = self.model.line(current.siblingAtColumn(0))
        if found is None:
            self.detail.clear()
            return
        self._show_detail(found[1])
        self.line_selected.emit(found[0])

    def _clicked(self, index: QModelIndex) -> None:
        found = self.model.line(index.siblingAtColumn(0))
        if found is not None:
            self.evidence_requested.emit(found[1].evidence)

    def _show_detail(self, line: ChecklistLine) -> None:
        evidence = line.evidence or {}
        where = ""
        if evidence.get("page"):
            where = f"Page {evidence.get('page')}"
            if evidence.get("source"):
                where += f", read from {str(evidence.get('source')).replace('_', ' ')}"
            confidence = evidence.get("confidence")
            if isinstance(confidence, int | float):
                where += f" ({round(float(confidence) * 100)}% sure)"
        parts = [
            f"<b>{theme.RESULT_LONG.get(line.result, line.result)}</b> — {_html(line.label)}",
            f"Required: {_html(value_text(line.required))} · "
            f"Found: {_html(value_text(line.found))}",
            _html(line.message),
        ]
        if where:
            parts.append(f"<i>{_html(where)}</i>")
        if line.overridden:
            parts.append(f"✎ Overridden: {_html(line.note or '')}")
        self.detail.setText("<br>".join(parts))


__all__ = ["HEADERS", "ChecklistPanel"]
