"""The team view's top bar: its title, the customer / project / kind filters and its buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from coi_desktop.teamstats import FilterChoices, StatsFilter


def _combo(everything: str, tip: str) -> QComboBox:
    box = QComboBox()
    box.addItem(everything, None)
    box.setToolTip(tip)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(14)
    return box


class FilterBar(QWidget):
    """Filters whose change the owner connects to a refresh (``changed`` of each box)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Team")
        title.setObjectName("dashTitle")
        top.addWidget(title)
        top.addStretch(1)
        self.company_box = _combo("All customers", "Customer (general contractor)")
        self.project_box = _combo("All projects", "Project")
        self.kind_box = _combo("All kinds", "Kind of submission")
        self.kind_box.addItem("COIs", "coi")
        self.kind_box.addItem("Endorsements", "endorsement")
        for label, box in (
            ("&Customer", self.company_box),
            ("&Project", self.project_box),
            ("&Kind", self.kind_box),
        ):
            caption = QLabel(label)
            caption.setBuddy(box)
            top.addWidget(caption)
            top.addWidget(box)
        self.refresh_button = QPushButton("Refresh")
        # No F5 here: the main window owns F5; a second one would make the key ambiguous.
        self.refresh_button.setToolTip("Recompute now; the view also refreshes every minute")
        self.csv_button = QPushButton("Export CSV…")
        self.pdf_button = QPushButton("Export PDF report…")
        for button in (self.refresh_button, self.csv_button, self.pdf_button):
            top.addWidget(button)

    def boxes(self) -> tuple[QComboBox, QComboBox, QComboBox]:
        return self.company_box, self.project_box, self.kind_box

    def current(self) -> StatsFilter:
        company = self.company_box.currentData()
        project = self.project_box.currentData()
        kind = self.kind_box.currentData()
        return StatsFilter(
            company_ids=(int(company),) if company is not None else (),
            project_ids=(str(project),) if project is not None else (),
            kinds=(str(kind),) if kind is not None else (),
        )

    def fill(self, choices: FilterChoices) -> None:
        """Offer the customers and projects the store knows, keeping what is chosen."""
        for box, options in (
            (self.company_box, choices.companies),
            (self.project_box, choices.projects),
        ):
            wanted = [(c.label, c.value) for c in options]
            have = [(box.itemText(i), box.itemData(i)) for i in range(1, box.count())]
            if wanted == have:
                continue
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for label, value in wanted:
                box.addItem(label, value)
            found = box.findData(current) if current is not None else 0
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)
