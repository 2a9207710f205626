"""The document pane: continuous pages, thumbnails, zoom, rotate, find, and evidence outlines.

Pages are painted from an LRU cache of `QImage`s the render worker hands back; a page
not rendered yet at the current zoom is drawn from any other zoom (scaled) or as a blank
sheet until its image arrives. Nothing here opens a PDF on the GUI thread.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coi_desktop.page_layout import fit_zoom, map_rect
from coi_desktop.ui.pdf_render import (
    OpenedDocument,
    OpenJob,
    RenderJob,
    RenderWorker,
    SearchJob,
)

MARGIN = 12
GAP = 12
THUMB_WIDTH = 72
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0)
CACHE_BYTES = 160 * 1024 * 1024


@dataclass(frozen=True)
class DocumentRef:
    """One file of the open submission, as the viewer needs it."""

    id: str
    filename: str
    sha256: str
    stored: bool


@dataclass(frozen=True)
class Outline:
    document_id: str | None
    page: int  # 0-based
    rect: tuple[float, float, float, float] | None  # PDF points


class PageCache:
    """Rendered pages by (document, page, rotation, device zoom), least recently used out."""

    def __init__(self, budget_bytes: int = CACHE_BYTES) -> None:
        self.budget = budget_bytes
        self.size = 0
        self._items: OrderedDict[tuple[str, int, int, float, bool], QImage] = OrderedDict()

    @staticmethod
    def key(
        doc: str, page: int, rotation: int, zoom: float, thumb: bool
    ) -> tuple[str, int, int, float, bool]:
        return (doc, page, rotation, round(zoom, 4), thumb)

    def get(self, key: tuple[str, int, int, float, bool]) -> QImage | None:
        image = self._items.get(key)
        if image is not None:
            self._items.move_to_end(key)
        return image

    def put(self, key: tuple[str, int, int, float, bool], image: QImage) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.size -= old.sizeInBytes()
        self._items[key] = image
        self.size += image.sizeInBytes()
        while self.size > self.budget and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self.size -= dropped.sizeInBytes()

    def any_zoom(self, doc: str, page: int, rotation: int) -> QImage | None:
        """Some image of the page (scaled when painted) while the right one is rendered."""
        best: QImage | None = None
        for (d, p, r, _z, _t), image in reversed(self._items.items()):
            if (
                d == doc
                and p == page
                and r == rotation
                and (best is None or image.width() > best.width())
            ):
                best = image
        return best

    def clear(self) -> None:
        self._items.clear()
        self.size = 0


class ThumbnailModel(QAbstractListModel):
    """One row per page; the picture is asked for when the view first shows it."""

    def __init__(self, viewer: PdfViewer) -> None:
        super().__init__(viewer)
        self._viewer = viewer
        self._pages = 0

    def set_page_count(self, pages: int) -> None:
        self.beginResetModel()
        self._pages = pages
        self.endResetModel()

    def page_updated(self, page: int) -> None:
        if 0 <= page < self._pages:
            index = self.index(page, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._pages

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._pages:
            return None
        page = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return str(page + 1)
        if role == Qt.ItemDataRole.DecorationRole:
            # A blank sheet until the picture arrives, so the item has its size from the start.
            return self._viewer.thumbnail(page) or self._viewer.blank_thumbnail(page)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Page {page + 1}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class PageView(QAbstractScrollArea):
    """All pages one under the other, painted from the viewer's cache."""

    def __init__(self, viewer: PdfViewer) -> None:
        super().__init__(viewer)
        self._viewer = viewer
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Document pages")
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Dark)
        self.viewport().setAutoFillBackground(True)

    def _scrolled(self, _value: int) -> None:
        self._viewer.view_moved()
        self.viewport().update()

    def update_ranges(self) -> None:
        content_w, content_h = self._viewer.content_size()
        vp = self.viewport().size()
        self.verticalScrollBar().setRange(0, max(0, int(content_h - vp.height())))
        self.verticalScrollBar().setPageStep(vp.height())
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setRange(0, max(0, int(content_w - vp.width())))
        self.horizontalScrollBar().setPageStep(vp.width())
        self.horizontalScrollBar().setSingleStep(40)

    def page_rect(self, page: int) -> QRectF:
        """Where ``page`` is, in viewport coordinates."""
        x, y, w, h = self._viewer.page_box(page, self.viewport().width())
        return QRectF(
            x - self.horizontalScrollBar().value(), y - self.verticalScrollBar().value(), w, h
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._viewer.view_resized()

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
            if event.angleDelta().y() > 0:
                self._viewer.zoom_in()
            elif event.angleDelta().y() < 0:
                self._viewer.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            self._viewer.paint_pages(painter, self, event.rect())
        finally:
            painter.end()


class PdfViewer(QWidget):
    """The middle pane: documents of the open submission, with evidence and find."""

    first_page_shown = Signal(str)  # document key, once page 1 is painted at its zoom
    document_failed = Signal(str)  # the reason, shown in the panel
    page_changed = Signal(int, int)  # current page (1-based), page count

    def __init__(self, loader: Callable[[str], bytes], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._worker = RenderWorker(self)
        self._worker.opened.connect(self._opened)
        self._worker.rendered.connect(self._rendered)
        self._worker.found.connect(self._found)
        self._worker.too_slow.connect(self._too_slow)
        self._stopped = False
        # Started once the event loop runs, so the window paints before PyMuPDF loads.
        QTimer.singleShot(0, self._start_worker)
        self.cache = PageCache()
        self._sizes_by_key: dict[str, list[tuple[float, float]]] = {}
        self._documents: list[DocumentRef] = []
        self._doc: DocumentRef | None = None
        self._key = ""
        self._generation = 0
        self._open_in_worker = ""  # the key the worker has open (as far as we know)
        self.page_sizes: list[tuple[float, float]] = []
        self._offsets: list[float] = []
        self.zoom = 1.0
        self.zoom_mode = "fit_width"  # fit_width | fit_page | custom
        self.rotation = 0
        self.error: str | None = None
        self.outline: Outline | None = None
        self._pending_outline: Outline | None = None
        self._requested: set[tuple[str, int, int, float, bool]] = set()
        self._first_shown = False
        self._to_top = False  # the next layout starts at the top of page 1
        self._thumbnails_wanted = True
        self._hits: list[tuple[int, tuple[float, float, float, float]]] = []
        self._hit_index = -1
        self._current_page = 0
        self._blanks: dict[tuple[int, int], QImage] = {}
        self._build()
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(80)
        self._refit_timer.timeout.connect(self._refit)

    # ---------------------------------------------------------------- widgets

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 3, 6, 3)
        self.document_box = QComboBox()
        self.document_box.setToolTip("Files of this submission")
        self.document_box.setAccessibleName("Document")
        self.document_box.activated.connect(self._document_chosen)
        self.page_label = QLabel("")
        self.page_label.setToolTip("Current page / pages")
        self.zoom_label = QLabel("")
        self.zoom_label.setToolTip("Zoom (Ctrl+= / Ctrl+-, Ctrl+0 fit width, Ctrl+9 fit page)")
        bar.addWidget(self.document_box, 1)
        bar.addStretch(0)
        bar.addWidget(self.page_label)
        bar.addSpacing(12)
        bar.addWidget(self.zoom_label)
        layout.addLayout(bar)

        self.find_bar = QWidget()
        find_layout = QHBoxLayout(self.find_bar)
        find_layout.setContentsMargins(6, 2, 6, 2)
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText(
            "Find in document — Enter: next, Shift+Enter: previous, Esc: close"
        )
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setAccessibleName("Find in document")
        self.find_edit.returnPressed.connect(self._find_next_or_search)
        self.find_label = QLabel("")
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Close find (Esc)")
        close.clicked.connect(self.close_find)
        find_layout.addWidget(self.find_edit, 1)
        find_layout.addWidget(self.find_label)
        find_layout.addWidget(close)
        self.find_bar.hide()
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.find_edit, self.close_find)
        QShortcut(QKeySequence("Shift+Return"), self.find_edit, self.find_previous)
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.find_next)
        QShortcut(QKeySequence("Shift+F3"), self, self.find_previous)
        layout.addWidget(self.find_bar)

        self.stack = QStackedWidget()
        self.pages = PageView(self)
        self.thumbnails = QListView()
        self.thumbnail_model = ThumbnailModel(self)
        self.thumbnails.setModel(self.thumbnail_model)
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setFlow(QListView.Flow.TopToBottom)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setIconSize(QSize(THUMB_WIDTH, int(THUMB_WIDTH * 1.3)))
        self.thumbnails.setUniformItemSizes(True)
        self.thumbnails.setGridSize(QSize(THUMB_WIDTH + 12, int(THUMB_WIDTH * 1.3) + 28))
        self.thumbnails.setSpacing(4)
        self.thumbnails.setToolTip("Pages — click or press Enter to go to a page")
        self.thumbnails.setAccessibleName("Page thumbnails")
        self.thumbnails.setFixedWidth(THUMB_WIDTH + 34)
        self.thumbnails.clicked.connect(lambda index: self.go_to_page(index.row()))
        self.thumbnails.activated.connect(lambda index: self.go_to_page(index.row()))
        self.split = QWidget()
        split_layout = QHBoxLayout(self.split)
        split_layout.setContentsMargins(0, 0, 0, 0)
        split_layout.setSpacing(0)
        split_layout.addWidget(self.thumbnails)
        split_layout.addWidget(self.pages, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setMargin(24)
        self.message.setAccessibleName("Document problem")
        self.empty = QLabel("Open a submission from the queue to see its documents.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.split)
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.empty)
        self.stack.setCurrentWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.setFocusProxy(self.pages)

    def set_thumbnails_visible(self, shown: bool) -> None:
        """The page strip on the left (the reviewer's choice); hidden, the page has the
        whole pane. A one-page document never shows it: one thumbnail only takes room."""
        self._thumbnails_wanted = shown
        self._apply_thumbnails()  # the pages' resize refits the zoom (view_resized)

    @property
    def thumbnails_visible(self) -> bool:
        return not self.thumbnails.isHidden()

    def _strip_wanted(self) -> bool:
        return self._thumbnails_wanted and len(self.page_sizes) > 1

    def _apply_thumbnails(self) -> bool:
        """Show or hide the strip as wanted for this document; True when that changed it."""
        shown = self._strip_wanted()
        if shown == self.thumbnails_visible:
            return False
        self.thumbnails.setVisible(shown)
        return True

    def _start_worker(self) -> None:
        if not self._stopped and not self._worker.isRunning():
            self._worker.start()

    def shutdown(self) -> None:
        """Stop and join the render thread (window closing, test teardown)."""
        self._stopped = True
        self._worker.stop()

    # ---------------------------------------------------------------- documents

    def set_documents(self, documents: Sequence[DocumentRef]) -> None:
        self._documents = list(documents)
        self.document_box.clear()
        for doc in self._documents:
            self.document_box.addItem(doc.filename, doc.id)
        self.document_box.setVisible(len(self._documents) > 1)
        self.outline = None
        self._pending_outline = None
        if not self._documents:
            self._doc = None
            self._key = ""
            self.error = "This submission has no documents."
            self._show_message(self.error)
            return
        self._open(self._documents[0])

    def clear(self) -> None:
        self._documents = []
        self._doc = None
        self._key = ""
        self.document_box.clear()
        self.stack.setCurrentWidget(self.empty)

    @property
    def document(self) -> DocumentRef | None:
        return self._doc

    def _document_chosen(self, index: int) -> None:
        if 0 <= index < len(self._documents) and self._documents[index] != self._doc:
            self._open(self._documents[index])

    def _open(self, doc: DocumentRef) -> None:
        self._doc = doc
        self.document_box.setCurrentIndex(self._documents.index(doc))
        self._key = doc.sha256
        self._generation += 1
        # Every document opens the same way: page 1 at the top, fit to the width, upright;
        # the zoom, scroll and rotation chosen for the previous one say nothing about it.
        self.zoom_mode = "fit_width"
        self.rotation = 0
        self._to_top = True
        self._hits, self._hit_index = [], -1
        self.find_label.setText("")
        self._first_shown = False
        self._requested.clear()
        self.error = None
        if not doc.stored:
            self._show_message(
                "This document has not been downloaded yet, so it cannot be shown. "
                "It will appear after the next sync."
            )
            return
        width, height = self._fit_space()
        known = self._sizes_by_key.get(doc.sha256)
        if known is not None and self._open_in_worker == doc.sha256:
            self._layout(known)  # the worker has it open already: just show it
            self._request_visible()
            self._check_first_shown()
            return
        if known is not None:
            self._layout(known)
        else:
            # Nothing of the previous file may stand in for this one (an outline asked for
            # now waits for this file's pages, not the last one's).
            self.page_sizes, self._offsets = [], []
            self.pages.viewport().update()
        sha = doc.sha256
        self._worker.submit(
            OpenJob(
                self._generation,
                sha,
                lambda: self._loader(sha),
                first_page_width_px=width if self.zoom_mode != "custom" else 0.0,
                first_page_fit_height_px=height if self.zoom_mode == "fit_page" else 0.0,
                rotation=self.rotation,
                dpr=self._dpr(),
            )
        )
        self._open_in_worker = sha
        if known is not None:
            self._check_first_shown()

    def _opened(self, opened: OpenedDocument) -> None:
        if opened.generation != self._generation or opened.key != self._key:
            return  # a document the reviewer has already left
        if opened.error:
            self._open_in_worker = ""
            self.error = opened.error
            self._show_message(opened.error)
            return
        self._sizes_by_key[opened.key] = opened.page_sizes
        if opened.first_zoom > 0:
            self.zoom = opened.first_zoom
            # page 1 at this zoom is on its way; do not ask twice
            self._requested.add(
                self.cache.key(self._key, 0, self.rotation, self.zoom * self._dpr(), False)
            )
        self._layout(opened.page_sizes)
        if self._pending_outline is not None:
            outline, self._pending_outline = self._pending_outline, None
            self._apply_outline(outline)
        self._request_visible()

    def _show_message(self, reason: str) -> None:
        self.page_sizes = []
        self.thumbnail_model.set_page_count(0)
        name = self._doc.filename if self._doc else "The document"
        self.message.setText(
            f"<p style='font-size:large'><b>{_escape(name)} cannot be shown.</b></p>"
            f"<p>{_escape(reason)}</p>"
            "<p>You can still reject the submission (Ctrl+3) with a note saying why.</p>"
        )
        self.stack.setCurrentWidget(self.message)
        self.page_label.setText("")
        self.zoom_label.setText("")
        self.document_failed.emit(reason)

    # ---------------------------------------------------------------- layout

    def _dpr(self) -> float:
        return float(self.pages.viewport().devicePixelRatioF()) or 1.0

    def _fit_space(self) -> tuple[float, float]:
        vp = self.pages.viewport()
        # The vertical scroll bar appears once pages overflow; leave room for it up front.
        width = max(100, (vp.width() if self.pages.isVisible() else self._guess_width()))
        if self.pages.isVisible() and self._strip_wanted() != self.thumbnails_visible:
            strip = self.thumbnails.width()  # about to be shown or hidden (_layout)
            width += -strip if self._strip_wanted() else strip
        scrollbar = self.pages.verticalScrollBar().sizeHint().width()
        if not self.pages.verticalScrollBar().isVisible():
            width -= scrollbar
        height = max(100, vp.height())
        return float(width - 2 * MARGIN), float(height - 2 * MARGIN)

    def _guess_width(self) -> int:
        strip = THUMB_WIDTH + 34 if self.thumbnails_visible else 0
        return max(200, self.width() - strip - 26)

    def _layout(self, sizes: list[tuple[float, float]]) -> None:
        self.page_sizes = list(sizes)
        self.thumbnail_model.set_page_count(len(sizes))
        self.stack.setCurrentWidget(self.split)
        if self.zoom_mode != "custom":
            self.zoom = self._fit_zoom()  # for the width the pages have once the strip is set
        self._relayout()
        self._apply_thumbnails()  # after the layout: showing the strip resizes the pages now
        if self._to_top:
            self._to_top = False
            self.pages.verticalScrollBar().setValue(0)
            self.pages.horizontalScrollBar().setValue(0)
            self.view_moved()

    def _fit_zoom(self) -> float:
        if not self.page_sizes:
            return self.zoom
        width, height = self._fit_space()
        widest = max(self.page_sizes, key=lambda s: s[0] if self.rotation % 180 == 0 else s[1])
        return fit_zoom(widest, self.rotation, width, height if self.zoom_mode == "fit_page" else 0)

    def _relayout(self) -> None:
        offsets = []
        y = float(MARGIN)
        for page in range(len(self.page_sizes)):
            offsets.append(y)
            y += self._page_size_px(page)[1] + GAP
        self._offsets = offsets
        self.pages.update_ranges()
        self.zoom_label.setText(
            f"{round(self.zoom * 100)}%"
            + {"fit_width": " (fit width)", "fit_page": " (fit page)"}.get(self.zoom_mode, "")
        )
        self._update_page_label()
        self.pages.viewport().update()

    def _page_size_px(self, page: int) -> tuple[float, float]:
        w, h = self.page_sizes[page]
        if self.rotation % 180:
            w, h = h, w
        return w * self.zoom, h * self.zoom

    def content_size(self) -> tuple[float, float]:
        if not self.page_sizes:
            return 0.0, 0.0
        width = max(self._page_size_px(p)[0] for p in range(len(self.page_sizes))) + 2 * MARGIN
        last = len(self.page_sizes) - 1
        height = self._offsets[last] + self._page_size_px(last)[1] + MARGIN if self._offsets else 0
        return width, height

    def page_box(self, page: int, viewport_width: int) -> tuple[float, float, float, float]:
        w, h = self._page_size_px(page)
        content_w = max(self.content_size()[0], float(viewport_width))
        return (content_w - w) / 2, self._offsets[page], w, h

    def visible_pages(self) -> list[int]:
        if not self._offsets:
            return []
        top = self.pages.verticalScrollBar().value()
        bottom = top + self.pages.viewport().height()
        first = max(0, bisect.bisect_right(self._offsets, top) - 1)
        pages = []
        for page in range(first, len(self._offsets)):
            if self._offsets[page] > bottom:
                break
            pages.append(page)
        return pages

    def current_page(self) -> int:
        """0-based page at the top third of the view."""
        return self._current_page

    def view_moved(self) -> None:
        if not self._offsets:
            return
        probe = self.pages.verticalScrollBar().value() + self.pages.viewport().height() / 3
        page = max(0, min(len(self._offsets) - 1, bisect.bisect_right(self._offsets, probe) - 1))
        if page != self._current_page:
            self._current_page = page
            self._update_page_label()
            self.thumbnails.setCurrentIndex(self.thumbnail_model.index(page, 0))
        self._request_visible()

    def _update_page_label(self) -> None:
        if self.page_sizes:
            self.page_label.setText(f"Page {self._current_page + 1} of {len(self.page_sizes)}")
            self.page_changed.emit(self._current_page + 1, len(self.page_sizes))

    def view_resized(self) -> None:
        if self.page_sizes:
            self.pages.update_ranges()
            if self.zoom_mode != "custom":
                self._refit_timer.start()
            self._request_visible()

    def _refit(self) -> None:
        if self.page_sizes and self.zoom_mode != "custom":
            zoom = self._fit_zoom()
            if abs(zoom - self.zoom) > 0.002:
                self._set_zoom(zoom, self.zoom_mode)

    # ---------------------------------------------------------------- rendering

    def _request_visible(self) -> None:
        if not self.page_sizes or not self._key:
            return
        dpr = self._dpr()
        pages = self.visible_pages()
        wanted = {
            self.cache.key(self._key, p, self.rotation, self.zoom * dpr, False) for p in pages
        }
        key, rotation, zoom = self._key, self.rotation, self.zoom
        visible = set(pages)
        # Forget renders for pages scrolled away or zooms left behind.
        self._worker.discard_renders(
            lambda job: (
                job.thumbnail
                or (
                    job.key == key
                    and job.rotation == rotation
                    and abs(job.zoom - zoom) < 1e-4
                    and job.page in visible
                )
            )
        )
        self._requested = {k for k in self._requested if k in wanted or k[4]}
        for page in pages:
            cache_key = self.cache.key(self._key, page, self.rotation, self.zoom * dpr, False)
            if self.cache.get(cache_key) is None and cache_key not in self._requested:
                self._requested.add(cache_key)
                self._worker.submit(
                    RenderJob(self._generation, self._key, page, self.zoom, self.rotation, dpr)
                )

    def _rendered(
        self,
        generation: int,
        key: str,
        page: int,
        zoom: float,
        rotation: int,
        thumb: bool,
        image: QImage,
    ) -> None:
        cache_key = self.cache.key(key, page, rotation, zoom * image.devicePixelRatio(), thumb)
        self._requested.discard(cache_key)
        if generation != self._generation or key != self._key:
            return  # stale: another document is open now
        self.cache.put(cache_key, image)
        if thumb:
            self.thumbnail_model.page_updated(page)
            return
        if rotation == self.rotation and abs(zoom - self.zoom) < 1e-4:
            self.pages.viewport().update()
            self._check_first_shown()

    def _too_slow(self, generation: int, key: str, page: int, reason: str) -> None:
        # Only page 1 replaces the pane with a sentence; a later page just stays blank.
        current = generation == self._generation and key == self._key
        if current and page == 0 and not self._first_shown and self.error is None:
            self.error = reason
            self._show_message(reason)

    def _check_first_shown(self) -> None:
        if self._first_shown or not self.page_sizes:
            return
        key = self.cache.key(self._key, 0, self.rotation, self.zoom * self._dpr(), False)
        if self.cache.get(key) is not None:
            self._first_shown = True
            self.pages.viewport().update()
            self.first_page_shown.emit(self._key)

    def thumbnail(self, page: int) -> QImage | None:
        if not self._key or not 0 <= page < len(self.page_sizes):
            return None
        dpr = self._dpr()
        w = self.page_sizes[page][0] if self.rotation % 180 == 0 else self.page_sizes[page][1]
        zoom = THUMB_WIDTH / w if w else 0.15
        key = self.cache.key(self._key, page, self.rotation, zoom * dpr, True)
        image = self.cache.get(key)
        if image is None and key not in self._requested:
            self._requested.add(key)
            self._worker.submit(
                RenderJob(
                    self._generation, self._key, page, zoom, self.rotation, dpr, thumbnail=True
                )
            )
        return image

    def blank_thumbnail(self, page: int) -> QImage:
        w, h = self.page_sizes[page] if 0 <= page < len(self.page_sizes) else (612.0, 792.0)
        if self.rotation % 180:
            w, h = h, w
        size = (THUMB_WIDTH, max(1, round(THUMB_WIDTH * h / w)) if w else THUMB_WIDTH)
        image = self._blanks.get(size)
        if image is None:
            image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
            image.fill(QColor("white"))
            self._blanks[size] = image
        return image

    def paint_pages(self, painter: QPainter, view: PageView, _clip: Any) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        dpr = self._dpr()
        shadow = self.palette().color(QPalette.ColorRole.Shadow)
        for page in self.visible_pages():
            rect = view.page_rect(page)
            painter.fillRect(rect.translated(2, 2), shadow)
            painter.fillRect(rect, QColor("white"))  # paper is white in light and dark themes
            image = self.cache.get(
                self.cache.key(self._key, page, self.rotation, self.zoom * dpr, False)
            )
            if image is None:
                image = self.cache.any_zoom(self._key, page, self.rotation)
            if image is not None:
                painter.drawImage(rect, image)
            for hit_index, (hit_page, hit_rect) in enumerate(self._hits):
                if hit_page == page:
                    color = QColor(255, 200, 0, 150 if hit_index == self._hit_index else 80)
                    painter.fillRect(self._map_rect(page, hit_rect, rect), color)
            if self.outline and self.outline.page == page and self.outline.rect:
                area = self._map_rect(page, self.outline.rect, rect).adjusted(-3, -3, 3, 3)
                painter.setPen(QPen(QColor(230, 0, 120), 2.5))
                painter.setBrush(QColor(230, 0, 120, 28))
                painter.drawRect(area)
                painter.setBrush(Qt.BrushStyle.NoBrush)

    def _map_rect(self, page: int, pdf_rect: Sequence[float], page_rect: QRectF) -> QRectF:
        """A rectangle in PDF points → viewport coordinates, as PyMuPDF rendered the page."""
        x0, y0, x1, y1 = map_rect(
            (pdf_rect[0], pdf_rect[1], pdf_rect[2], pdf_rect[3]),
            self.page_sizes[page],
            self.zoom,
            self.rotation,
        )
        return QRectF(
            QPointF(page_rect.x() + x0, page_rect.y() + y0),
            QPointF(page_rect.x() + x1, page_rect.y() + y1),
        )

    # ---------------------------------------------------------------- navigation

    def go_to_page(self, page: int, y_in_page: float = 0.0) -> None:
        if not 0 <= page < len(self._offsets):
            return
        self.pages.verticalScrollBar().setValue(int(self._offsets[page] + y_in_page - MARGIN))
        self.view_moved()

    def show_evidence(self, evidence: dict[str, Any] | None) -> bool:
        """Scroll to the evidence and outline it; False when there is nothing to show."""
        if not evidence or not isinstance(evidence.get("page"), int):
            self.outline = None
            self.pages.viewport().update()
            return False
        rect = evidence.get("rect")
        box = (
            tuple(float(v) for v in rect[:4]) if isinstance(rect, list) and len(rect) >= 4 else None
        )
        doc_id = evidence.get("document_id")
        outline = Outline(
            str(doc_id) if doc_id else None,
            int(evidence["page"]) - 1,
            box,  # type: ignore[arg-type]
        )
        target = next((d for d in self._documents if d.id == outline.document_id), None)
        if target is not None and target != self._doc:
            self._pending_outline = outline
            self._open(target)
            if self.page_sizes and self._open_in_worker == target.sha256 and self._pending_outline:
                self._pending_outline = None
                self._apply_outline(outline)
            return True
        if not self.page_sizes:
            self._pending_outline = outline
            return True
        self._apply_outline(outline)
        return True

    def _apply_outline(self, outline: Outline) -> None:
        if not 0 <= outline.page < len(self.page_sizes):
            return
        self.outline = outline
        y = 0.0
        if outline.rect:
            dummy = QRectF(0, 0, *self._page_size_px(outline.page))
            mapped = self._map_rect(outline.page, outline.rect, dummy)
            y = max(0.0, mapped.top() - self.pages.viewport().height() / 3)
            x_bar = self.pages.horizontalScrollBar()
            if x_bar.maximum() > 0:
                x, _, _, _ = self.page_box(outline.page, self.pages.viewport().width())
                x_bar.setValue(int(x + mapped.center().x() - self.pages.viewport().width() / 2))
        self.go_to_page(outline.page, y)
        self.pages.viewport().update()

    # ---------------------------------------------------------------- zoom and rotation

    def _set_zoom(self, zoom: float, mode: str) -> None:
        if not self.page_sizes:
            self.zoom_mode = mode
            return
        bar = self.pages.verticalScrollBar()
        anchor = bar.value() / max(1.0, self.content_size()[1])
        self.zoom_mode = mode
        self.zoom = max(0.1, min(zoom, 8.0))
        self._relayout()
        bar.setValue(int(anchor * self.content_size()[1]))
        self._request_visible()

    def fit_width(self) -> None:
        self.zoom_mode = "fit_width"
        self._set_zoom(self._fit_zoom(), "fit_width")

    def fit_page(self) -> None:
        self.zoom_mode = "fit_page"
        self._set_zoom(self._fit_zoom(), "fit_page")

    def zoom_in(self) -> None:
        bigger = next((z for z in ZOOM_STEPS if z > self.zoom + 0.01), ZOOM_STEPS[-1])
        self._set_zoom(bigger, "custom")

    def zoom_out(self) -> None:
        smaller = next((z for z in reversed(ZOOM_STEPS) if z < self.zoom - 0.01), ZOOM_STEPS[0])
        self._set_zoom(smaller, "custom")

    def rotate(self) -> None:
        self.rotation = (self.rotation + 90) % 360
        self.thumbnail_model.set_page_count(len(self.page_sizes))
        if self.zoom_mode != "custom":
            self.zoom = self._fit_zoom()
        self._set_zoom(self.zoom, self.zoom_mode)

    # ---------------------------------------------------------------- find

    def open_find(self) -> None:
        self.find_bar.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def close_find(self) -> None:
        self.find_bar.hide()
        self._hits, self._hit_index = [], -1
        self.find_label.setText("")
        self.pages.viewport().update()
        self.pages.setFocus()

    def search_text(self, text: str) -> None:
        text = text.strip()
        self._hits, self._hit_index = [], -1
        if not text or not self.page_sizes:
            self.find_label.setText("")
            return
        self.find_label.setText("Searching…")
        self._worker.submit(SearchJob(self._generation, self._key, text))

    def _find_next_or_search(self) -> None:
        if self._hits and self.find_label.property("text_for") == self.find_edit.text().strip():
            self.find_next()
        else:
            self.search_text(self.find_edit.text())

    def _found(self, generation: int, key: str, text: str, hits: object) -> None:
        if generation != self._generation or key != self._key:
            return
        assert isinstance(hits, list)
        self._hits = [(page, rect) for page, rects in hits for rect in rects]
        self.find_label.setProperty("text_for", text)
        if not self._hits:
            self.find_label.setText(f"No “{text}” in this document")
            self.pages.viewport().update()
            return
        self._hit_index = -1
        self.find_next()

    def find_next(self) -> None:
        self._step_hit(+1)

    def find_previous(self) -> None:
        self._step_hit(-1)

    def _step_hit(self, step: int) -> None:
        if not self._hits:
            return
        self._hit_index = (self._hit_index + step) % len(self._hits)
        page, rect = self._hits[self._hit_index]
        self.find_label.setText(f"{self._hit_index + 1} of {len(self._hits)}")
        dummy = QRectF(0, 0, *self._page_size_px(page))
        mapped = self._map_rect(page, rect, dummy)
        self.go_to_page(page, max(0.0, mapped.top() - self.pages.viewport().height() / 3))
        self.pages.viewport().update()

    @property
    def hits(self) -> list[tuple[int, tuple[float, float, float, float]]]:
        return list(self._hits)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
