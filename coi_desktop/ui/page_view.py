"""The scrolling surface the pages are painted on, with find hits and the evidence outline.

Where things go comes from a `PageLayout` (Qt-free); this widget only scrolls, paints
and passes on what the reader does (scroll, resize, Ctrl+wheel).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QWidget

from coi_desktop.page_layout import Box, PageLayout, Rect

HIT = QColor(255, 200, 0, 80)
CURRENT_HIT = QColor(255, 200, 0, 150)
OUTLINE = QColor(230, 0, 120)


class PageView(QAbstractScrollArea):
    """All pages one under the other; ``image_for(page)`` gives what to paint on each."""

    moved = Signal()  # scrolled
    resized = Signal()
    zoom_step = Signal(int)  # +1 in, -1 out (Ctrl+wheel)

    def __init__(self, image_for: Callable[[int], QImage | None], parent: QWidget) -> None:
        super().__init__(parent)
        self._image_for = image_for
        self.page_layout = PageLayout()
        self.hits: list[tuple[int, Rect]] = []  # find hits: page, rectangle in points
        self.current_hit = -1
        self.outlined: tuple[int, Rect] | None = None  # the evidence shown
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Document pages")
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Dark)
        self.viewport().setAutoFillBackground(True)

    def _scrolled(self, _value: int) -> None:
        self.moved.emit()
        self.viewport().update()

    def set_layout(self, layout: PageLayout) -> None:
        self.page_layout = layout
        self.update_ranges()
        self.viewport().update()

    def update_ranges(self) -> None:
        content_w, content_h = self.page_layout.content_size
        vp = self.viewport().size()
        self.verticalScrollBar().setRange(0, max(0, int(content_h - vp.height())))
        self.verticalScrollBar().setPageStep(vp.height())
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setRange(0, max(0, int(content_w - vp.width())))
        self.horizontalScrollBar().setPageStep(vp.width())
        self.horizontalScrollBar().setSingleStep(40)

    # ---------------------------------------------------------------- where the view is

    @property
    def top(self) -> int:
        return self.verticalScrollBar().value()

    def scroll_to(self, y: float, x: float | None = None) -> None:
        """Content position at the view's top left (clamped by the scroll bars)."""
        if x is not None:
            self.horizontalScrollBar().setValue(int(x))
        self.verticalScrollBar().setValue(int(y))

    def show_page(self, page: int, y_in_page: float = 0.0) -> None:
        self.scroll_to(self.page_layout.page_scroll(page, y_in_page))

    def show_rect(self, page: int, rect: Rect, across: bool = True) -> None:
        """Bring a box of ``page`` (points) into view a third of the way down, and
        centred across when ``across`` and the pages are wider than the view."""
        vp = self.viewport()
        x, y = self.page_layout.rect_scroll(page, rect, vp.width(), vp.height())
        wider = self.horizontalScrollBar().maximum() > 0
        self.scroll_to(y, x if across and wider else None)

    def keep_place(self, layout: PageLayout) -> None:
        """Show ``layout`` (a new zoom or rotation) with the same share of the document
        above the view."""
        before, top = self.page_layout, self.top
        self.set_layout(layout)
        self.scroll_to(layout.rescaled_scroll(top, before))

    def visible_pages(self) -> list[int]:
        return self.page_layout.visible_pages(self.top, self.viewport().height())

    def current_page(self) -> int:
        return self.page_layout.current_page(self.top, self.viewport().height())

    def _on_screen(self, box: Box) -> QRectF:
        """A content box → viewport coordinates."""
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        return QRectF(QPointF(box.x - dx, box.y - dy), QPointF(box.right - dx, box.bottom - dy))

    def page_rect(self, page: int) -> QRectF:
        """Where ``page`` is, in viewport coordinates."""
        return self._on_screen(self.page_layout.page_box(page, self.viewport().width()))

    # ---------------------------------------------------------------- events

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        bar = self.verticalScrollBar()
        if event.key() == Qt.Key.Key_Home:
            bar.setValue(0)
        elif event.key() == Qt.Key.Key_End:
            bar.setValue(bar.maximum())
        elif event.key() == Qt.Key.Key_Space:
            bar.setValue(bar.value() + bar.pageStep())
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.angleDelta().y() != 0:
                self.zoom_step.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        shadow = self.palette().color(QPalette.ColorRole.Shadow)
        width = self.viewport().width()
        for page in self.visible_pages():
            rect = self.page_rect(page)
            painter.fillRect(rect.translated(2, 2), shadow)
            painter.fillRect(rect, QColor("white"))  # paper is white in light and dark themes
            image = self._image_for(page)
            if image is not None:
                painter.drawImage(rect, image)
            for index, (hit_page, hit_rect) in enumerate(self.hits):
                if hit_page == page:
                    color = CURRENT_HIT if index == self.current_hit else HIT
                    box = self.page_layout.rect_in_content(page, hit_rect, width)
                    painter.fillRect(self._on_screen(box), color)
            if self.outlined and self.outlined[0] == page:
                box = self.page_layout.rect_in_content(page, self.outlined[1], width)
                painter.setPen(QPen(OUTLINE, 2.5))
                painter.setBrush(QColor(230, 0, 120, 28))
                painter.drawRect(self._on_screen(box).adjusted(-3, -3, 3, 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
