"""Colours and marks that read on the system's light and dark palettes alike.

Status is never colour alone: every mark is a shape (tick, cross, question mark) plus a word.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)


def is_dark() -> bool:
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def urgency_color(level: str) -> QColor:
    """Amber for due within 4 h, red for overdue; each in a shade that reads on the palette."""
    dark = is_dark()
    if level == "overdue":
        return QColor("#ff6b6b") if dark else QColor("#c62828")
    if level == "soon":
        return QColor("#ffb74d") if dark else QColor("#a15c00")
    return QGuiApplication.palette().color(QPalette.ColorRole.Text)


def result_color(result: str) -> QColor:
    dark = is_dark()
    return QColor(
        {
            "pass": "#66bb6a" if dark else "#2e7d32",
            "fail": "#ff6b6b" if dark else "#c62828",
            "needs_review": "#ffb74d" if dark else "#a15c00",
        }.get(result, "#9e9e9e")
    )


RESULT_TEXT = {"pass": "Pass", "fail": "Fail", "needs_review": "Review", "na": "N/A"}
RESULT_LONG = {
    "pass": "Pass",
    "fail": "Fail",
    "needs_review": "Needs review",
    "na": "Not applicable",
}


def result_icon(result: str) -> QIcon:
    return _result_icon(result, is_dark())


@cache
def _result_icon(result: str, dark: bool) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(_mark(result, size))
    return icon


def _mark(result: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = result_color(result)
    s = float(size)
    pen = QPen(color, max(1.5, s / 8), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    if result == "pass":  # a tick in a circle
        painter.drawEllipse(QRectF(s * 0.08, s * 0.08, s * 0.84, s * 0.84))
        path = QPainterPath(QPointF(s * 0.28, s * 0.52))
        path.lineTo(s * 0.44, s * 0.68)
        path.lineTo(s * 0.72, s * 0.34)
        painter.drawPath(path)
    elif result == "fail":  # a cross in a filled square
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(s * 0.08, s * 0.08, s * 0.84, s * 0.84), s * 0.15, s * 0.15)
        painter.setPen(
            QPen(QColor("white"), max(1.5, s / 8), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        )
        painter.drawLine(QPointF(s * 0.32, s * 0.32), QPointF(s * 0.68, s * 0.68))
        painter.drawLine(QPointF(s * 0.68, s * 0.32), QPointF(s * 0.32, s * 0.68))
    elif result == "needs_review":  # a question mark in a triangle
        tri = QPainterPath(QPointF(s * 0.5, s * 0.06))
        tri.lineTo(s * 0.94, s * 0.9)
        tri.lineTo(s * 0.06, s * 0.9)
        tri.closeSubpath()
        painter.drawPath(tri)
        painter.drawLine(QPointF(s * 0.5, s * 0.36), QPointF(s * 0.5, s * 0.62))
        painter.drawPoint(QPointF(s * 0.5, s * 0.77))
    else:  # a dash
        painter.drawLine(QPointF(s * 0.25, s * 0.5), QPointF(s * 0.75, s * 0.5))
    painter.end()
    return pixmap
