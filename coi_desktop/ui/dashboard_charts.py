"""The team view's pieces: headline tiles and the two charts (aging, 14-day trend)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from coi_desktop.teamstats import PROMISE_HOURS, AgingBucket, DayTrend

BLUE, RED, GREY, GREEN = QColor("#2a6bbf"), QColor("#c8332b"), QColor("#8a94a3"), QColor("#2f8f55")


class Tile(QFrame):
    """A headline figure; click it (or Enter/Space when focused) to see the items behind it."""

    clicked = Signal()

    def __init__(self, key: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.caption = QLabel(caption)
        self.caption.setObjectName("tileCaption")
        self.caption.setWordWrap(True)  # seven tiles share 1366 px
        self.value = QLabel("—")
        self.value.setObjectName("tileValue")
        self.note = QLabel("")
        self.note.setObjectName("tileNote")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(caption)

    def show_value(
        self,
        value: str,
        note: str = "",
        *,
        alert: bool = False,
        warn: bool = False,
        clickable: bool = True,
    ) -> None:
        self.value.setText(value)
        self.note.setText(note)
        self.setProperty("alert", alert)
        self.setProperty("warn", warn and not alert)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )
        self.setAccessibleDescription(f"{value} {note}".strip())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


def new_chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setBackgroundRoundness(0)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return chart, view


def small(font: QFont) -> QFont:
    font.setPointSizeF(max(6.0, font.pointSizeF() - 1))
    return font


def clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def draw_aging(
    chart: QChart, buckets: tuple[AgingBucket, ...], clicked: Callable[[int], None]
) -> None:
    """Open items by age, late ones red, with the 24-hour promise as a dashed line."""
    clear(chart)
    on_time = QBarSet("Within 24 h")
    on_time.setColor(BLUE)
    late = QBarSet("Past 24 h (overdue)")
    late.setColor(RED)
    for bucket in buckets:
        on_time.append(0 if bucket.overdue else bucket.count)
        late.append(bucket.count if bucket.overdue else 0)
    series = QStackedBarSeries()
    series.append(on_time)
    series.append(late)
    series.setBarWidth(0.8)
    on_time.clicked.connect(clicked)
    late.clicked.connect(clicked)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    # "12-16", not "12–16h": thirteen slots must read at 1366 px (the axis says hours).
    categories.append([b.label.replace("–", "-").removesuffix("h") for b in buckets])
    categories.setTitleText("hours since receipt")
    categories.setLabelsFont(small(categories.labelsFont()))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(categories)
    counts = QValueAxis()
    counts.setRange(0, max(4, max((b.count for b in buckets), default=0)))
    counts.setLabelFormat("%d")
    counts.applyNiceNumbers()
    top = counts.max()
    chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(counts)
    # The 24-hour promise: a red line between the last on-time and first late bucket.
    boundary = next(
        (i for i, b in enumerate(buckets) if b.start_hours >= PROMISE_HOURS), len(buckets)
    )
    promise = QLineSeries()
    promise.setName("24 h promise")
    pen = QPen(RED)
    pen.setWidth(2)
    pen.setStyle(Qt.PenStyle.DashLine)
    promise.setPen(pen)
    promise.append(boundary - 0.5, 0)
    promise.append(boundary - 0.5, top)
    chart.addSeries(promise)
    position = QValueAxis()
    position.setRange(-0.5, len(buckets) - 0.5)
    position.setVisible(False)
    chart.addAxis(position, Qt.AlignmentFlag.AlignTop)
    promise.attachAxis(position)
    promise.attachAxis(counts)


def draw_trend(chart: QChart, days: tuple[DayTrend, ...], clicked: Callable[[int], None]) -> None:
    """Received and decided per day, and the share decided within 24 h on its own axis."""
    clear(chart)
    received = QBarSet("Received")
    received.setColor(GREY)
    decided = QBarSet("Decided")
    decided.setColor(BLUE)
    for day in days:
        received.append(day.received)
        decided.append(day.decided)
    series = QBarSeries()
    series.append(received)
    series.append(decided)
    received.clicked.connect(clicked)
    decided.clicked.connect(clicked)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    today = len(days) - 1
    # Two lines (weekday over date): fourteen one-line labels were cut to "Sa ..." at 1366 px.
    categories.append(
        [
            (
                f"<b>{d.day:%a}"[:5] + f"<br>{d.day.day}</b>"
                if i == today
                else f"{d.day:%a}"[:2] + f"<br>{d.day.day}"
            )
            for i, d in enumerate(days)
        ]
    )
    categories.setLabelsFont(small(categories.labelsFont()))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(categories)
    counts = QValueAxis()
    counts.setRange(0, max(4, max((max(d.received, d.decided) for d in days), default=0)))
    counts.setLabelFormat("%d")
    counts.applyNiceNumbers()
    chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(counts)
    share = QLineSeries()
    share.setName("% within 24 h")
    pen = QPen(GREEN)
    pen.setWidth(3)
    share.setPen(pen)
    share.setPointsVisible(True)
    for i, day in enumerate(days):
        if day.within_24h_share is not None:
            share.append(i, day.within_24h_share * 100)
    chart.addSeries(share)
    percent = QValueAxis()
    percent.setRange(0, 100)
    percent.setLabelFormat("%d%%")
    percent.setTickCount(5)
    percent.setLinePenColor(GREEN)
    percent.setLabelsColor(GREEN)
    chart.addAxis(percent, Qt.AlignmentFlag.AlignRight)
    position = QValueAxis()
    position.setRange(-0.5, len(days) - 0.5)
    position.setVisible(False)
    chart.addAxis(position, Qt.AlignmentFlag.AlignTop)
    share.attachAxis(position)
    share.attachAxis(percent)


def tiles_template() -> list[tuple[str, str, str]]:
    """The tiles' keys and captions before any figure is known."""
    return [
        ("open", "Open", ""),
        ("due_within_4h", "Due within 4 h", ""),
        ("overdue", "Overdue", ""),
        ("decided_today", "Decided today", ""),
        ("within_24h_share_7d", "Decided within 24 h (7 days)", ""),
        ("turnaround_p50", "Turnaround, median (7 days)", ""),
        ("turnaround_p90", "Turnaround, 90th percentile", ""),
    ]


STYLE = """
#dashTitle { font-size: 18px; font-weight: 600; }
#asOf { color: #5b6472; }
#panelTitle { font-weight: 600; font-size: 13px; padding: 2px 0; }
#tile { background: #f6f7f9; border: 1px solid #d5d9df; border-radius: 6px; }
#tile:focus { border: 2px solid #2a6bbf; }
#tile[alert="true"] { background: #fdeeec; border-color: #c8332b; }
#tileCaption { color: #5b6472; font-size: 12px; }
#tileValue { font-size: 26px; font-weight: 600; color: #1f2328; }
#tile[alert="true"] #tileValue { color: #b42318; }
#tile[warn="true"] { background: #fff6e5; border-color: #d98c1a; }
#tile[warn="true"] #tileValue { color: #9a5b00; }
#tileNote { color: #6b7380; font-size: 11px; }
"""
