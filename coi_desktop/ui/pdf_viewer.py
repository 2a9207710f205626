"""The document pane: continuous pages, thumbnails, zoom, rotate, find, and evidence outlines.

Pages are painted from `QImage`s the PDF child renders (`page_source`: asked for once,
cached, stale answers dropped); a page not rendered yet at the current zoom is drawn from
any other zoom (scaled) or as a blank sheet until its image arrives. Nothing here opens a
PDF on the GUI thread. Where each page goes is worked out by `coi_desktop.page_layout`
(Qt-free); the other pieces of the pane are `page_view` (the scrolling surface),
`pdf_thumbnails` and `pdf_find`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from coi_desktop.page_layout import (
    Outline,
    PageLayout,
    Rect,
    Size,
    ZoomMode,
    fit_area,
    outline_of,
    zoom_in_step,
    zoom_out_step,
)
from coi_desktop.review.submission_view import DocumentRef
from coi_desktop.ui.document_bar import DocumentBar
from coi_desktop.ui.page_source import PageSource
from coi_desktop.ui.page_view import PageView
from coi_desktop.ui.pdf_find import FindBar
from coi_desktop.ui.pdf_notice import ProblemNotice, nothing_open
from coi_desktop.ui.pdf_render import OpenedDocument
from coi_desktop.ui.pdf_thumbnails import STRIP_WIDTH, THUMB_WIDTH, ThumbnailModel, ThumbnailStrip


class PdfViewer(QWidget):
    """The middle pane: documents of the open submission, with evidence and find."""

    first_page_shown = Signal(str)  # document key, once page 1 is painted at its zoom
    document_failed = Signal(str)  # the reason, shown in the panel
    page_changed = Signal(int, int)  # current page (1-based), page count

    def __init__(self, loader: Callable[[str], bytes], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = PageSource(loader, self)
        self.source.opened.connect(self._opened)
        self.source.page_arrived.connect(self._page_arrived)
        self.source.too_slow.connect(self._too_slow)
        # Started once the event loop runs, so the window paints before PyMuPDF loads.
        QTimer.singleShot(0, self.source.start)
        self._documents: list[DocumentRef] = []
        self._doc: DocumentRef | None = None
        self.page_layout = PageLayout()  # the pages, their zoom and rotation
        self.zoom_mode: ZoomMode = "fit_width"
        self.error: str | None = None
        self.outline: Outline | None = None
        self._pending_outline: Outline | None = None
        self._first_shown = False
        self._to_top = False  # the next layout starts at the top of page 1
        self._thumbnails_wanted = True
        self._current_page = 0
        self._build()
        self.source.thumbnail_arrived.connect(self.thumbnail_model.page_updated)
        self.source.found.connect(self.find_bar.show_hits)
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(80)
        self._refit_timer.timeout.connect(self._refit)

    @property
    def page_sizes(self) -> list[Size]:
        """The open document's pages in PDF points, unrotated (none while it opens)."""
        return list(self.page_layout.sizes)

    @property
    def zoom(self) -> float:
        return self.page_layout.zoom

    @property
    def rotation(self) -> int:
        return self.page_layout.rotation

    # ---------------------------------------------------------------- widgets

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.bar = DocumentBar()
        self.bar.chosen.connect(self._document_chosen)
        layout.addWidget(self.bar)

        self.find_bar = FindBar()
        self.find_edit, self.find_label = self.find_bar.edit, self.find_bar.label
        self.find_bar.search_requested.connect(self.search_text)
        self.find_bar.hit_shown.connect(self._show_hit)
        self.find_bar.changed.connect(self._hits_changed)
        self.find_bar.closed.connect(self.close_find)
        self.find_bar.hide()
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.find_next)
        QShortcut(QKeySequence("Shift+F3"), self, self.find_previous)
        layout.addWidget(self.find_bar)

        self.stack = QStackedWidget()
        self.pages = PageView(self._page_image, self)
        self.pages.moved.connect(self.view_moved)
        self.pages.resized.connect(self.view_resized)
        self.pages.zoom_step.connect(lambda step: self.zoom_in() if step > 0 else self.zoom_out())
        self.thumbnail_model = ThumbnailModel(
            self.thumbnail, lambda page: self.page_layout.thumbnail_size(page, THUMB_WIDTH), self
        )
        self.thumbnails = ThumbnailStrip(self.thumbnail_model, self.go_to_page)
        self.split = QWidget()
        split_layout = QHBoxLayout(self.split)
        split_layout.setContentsMargins(0, 0, 0, 0)
        split_layout.setSpacing(0)
        split_layout.addWidget(self.thumbnails)
        split_layout.addWidget(self.pages, 1)

        self.message = ProblemNotice()
        self.empty = nothing_open()
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
        return self._thumbnails_wanted and self.page_layout.page_count > 1

    def _apply_thumbnails(self) -> None:
        """Show or hide the strip as wanted for this document."""
        if self._strip_wanted() != self.thumbnails_visible:
            self.thumbnails.setVisible(self._strip_wanted())

    def shutdown(self) -> None:
        """Stop and join the render thread (window closing, test teardown)."""
        self.source.stop()

    # ---------------------------------------------------------------- documents

    def set_documents(self, documents: Sequence[DocumentRef]) -> None:
        self._documents = list(documents)
        self.bar.set_files([(doc.filename, doc.id) for doc in self._documents])
        self._set_outline(None)
        self._pending_outline = None
        if not self._documents:
            self._doc = None
            self.source.switch("")
            self.error = "This submission has no documents."
            self._show_message(self.error)
            return
        self._open(self._documents[0])

    def clear(self) -> None:
        self._documents = []
        self._doc = None
        self.source.switch("")
        self.bar.set_files([])
        self.stack.setCurrentWidget(self.empty)

    @property
    def document(self) -> DocumentRef | None:
        return self._doc

    def _document_chosen(self, index: int) -> None:
        if 0 <= index < len(self._documents) and self._documents[index] != self._doc:
            self._open(self._documents[index])

    def _open(self, doc: DocumentRef) -> None:
        self._doc = doc
        self.bar.select(self._documents.index(doc))
        self.source.switch(doc.sha256)
        # Every document opens the same way: page 1 at the top, fit to the width, upright;
        # the zoom, scroll and rotation chosen for the previous one say nothing about it.
        self.zoom_mode = "fit_width"
        self.page_layout = self.page_layout.with_rotation(0)
        self._to_top = True
        self.find_bar.reset()
        self._first_shown = False
        self.error = None
        if not doc.stored:
            self._show_message(
                "This document has not been downloaded yet, so it cannot be shown. "
                "It will appear after the next sync."
            )
            return
        width, _height = self._fit_space()  # page 1 is drawn at fit width straight away
        known = self.source.known_sizes()
        if known is not None and self.source.is_open:
            self._layout(known)  # the worker has it open already: just show it
            self._request_visible()
            self._check_first_shown()
            return
        if known is not None:
            self._layout(known)
        else:
            # Nothing of the previous file may stand in for this one (an outline asked for
            # now waits for this file's pages, not the last one's).
            self._forget_pages()
        self.source.open(width, self.rotation, self._dpr())
        if known is not None:
            self._check_first_shown()

    def _opened(self, opened: OpenedDocument) -> None:
        if opened.error:
            self.error = opened.error
            self._show_message(opened.error)
            return
        if opened.first_zoom > 0:
            self.page_layout = self.page_layout.with_zoom(opened.first_zoom)
        self._layout(opened.page_sizes)
        if self._pending_outline is not None:
            outline, self._pending_outline = self._pending_outline, None
            self._apply_outline(outline)
        self._request_visible()

    def _show_message(self, reason: str) -> None:
        self._forget_pages()
        self.thumbnail_model.set_page_count(0)
        name = self._doc.filename if self._doc else "The document"
        self.message.say(name, reason)
        self.stack.setCurrentWidget(self.message)
        self.bar.clear_status()
        self.document_failed.emit(reason)

    def _forget_pages(self) -> None:
        """Nothing of the previous file may stand in for this one."""
        self.page_layout = self.page_layout.with_sizes([])
        self.pages.set_layout(self.page_layout)

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
        return fit_area(width, max(100, vp.height()))

    def _guess_width(self) -> int:
        strip = STRIP_WIDTH if self.thumbnails_visible else 0
        return max(200, self.width() - strip - 26)

    def _fit_zoom(self) -> float:
        return self.page_layout.fitted(self.zoom_mode, *self._fit_space())

    def _layout(self, sizes: list[Size]) -> None:
        self.page_layout = self.page_layout.with_sizes(sizes)
        self.thumbnail_model.set_page_count(len(sizes))
        self.stack.setCurrentWidget(self.split)
        if self.zoom_mode != "custom":
            # for the width the pages have once the strip is set
            self.page_layout = self.page_layout.with_zoom(self._fit_zoom())
        self._relayout()
        self._apply_thumbnails()  # after the layout: showing the strip resizes the pages now
        if self._to_top:
            self._to_top = False
            self.pages.scroll_to(0, 0)
            self.view_moved()

    def _relayout(self) -> None:
        self.pages.set_layout(self.page_layout)
        self._show_status()

    def _show_status(self) -> None:
        self.bar.show_zoom(self.zoom, self.zoom_mode)
        self._update_page_label()

    def current_page(self) -> int:
        """0-based page at the top third of the view."""
        return self._current_page

    def view_moved(self) -> None:
        if not self.page_layout.sizes:
            return
        page = self.pages.current_page()
        if page != self._current_page:
            self._current_page = page
            self._update_page_label()
            self.thumbnails.setCurrentIndex(self.thumbnail_model.index(page, 0))
        self._request_visible()

    def _update_page_label(self) -> None:
        if self.page_layout.sizes:
            count = self.page_layout.page_count
            self.bar.show_page(self._current_page + 1, count)
            self.page_changed.emit(self._current_page + 1, count)

    def view_resized(self) -> None:
        if self.page_layout.sizes:
            self.pages.update_ranges()
            if self.zoom_mode != "custom":
                self._refit_timer.start()
            self._request_visible()

    def _refit(self) -> None:
        if self.page_layout.sizes and self.zoom_mode != "custom":
            zoom = self._fit_zoom()
            if abs(zoom - self.zoom) > 0.002:
                self._change(self.page_layout.with_zoom(zoom), self.zoom_mode)

    # ---------------------------------------------------------------- rendering

    def _request_visible(self) -> None:
        if self.page_layout.sizes:
            pages = self.pages.visible_pages()
            self.source.request(pages, self.zoom, self.rotation, self._dpr())

    def _page_arrived(self, _page: int, zoom: float, rotation: int) -> None:
        if rotation == self.rotation and abs(zoom - self.zoom) < 1e-4:
            self.pages.viewport().update()
            self._check_first_shown()

    def _too_slow(self, page: int, reason: str) -> None:
        # Only page 1 replaces the pane with a sentence; a later page just stays blank.
        if page == 0 and not self._first_shown and self.error is None:
            self.error = reason
            self._show_message(reason)

    def _check_first_shown(self) -> None:
        if self._first_shown or not self.page_layout.sizes:
            return
        if self.source.rendered(0, self.zoom, self.rotation, self._dpr()) is not None:
            self._first_shown = True
            self.pages.viewport().update()
            self.first_page_shown.emit(self.source.key)

    def thumbnail(self, page: int) -> QImage | None:
        """The page's thumbnail, or None while it is rendered (asked for here)."""
        if not self.source.key or not 0 <= page < self.page_layout.page_count:
            return None
        zoom = self.page_layout.thumbnail_zoom(page, THUMB_WIDTH)
        return self.source.thumbnail(page, zoom, self.rotation, self._dpr())

    def _page_image(self, page: int) -> QImage | None:
        return self.source.image(page, self.zoom, self.rotation, self._dpr())

    # ---------------------------------------------------------------- navigation

    def go_to_page(self, page: int, y_in_page: float = 0.0) -> None:
        if not 0 <= page < self.page_layout.page_count:
            return
        self.pages.show_page(page, y_in_page)
        self.view_moved()

    def show_evidence(self, evidence: dict[str, Any] | None) -> bool:
        """Scroll to the evidence and outline it; False when there is nothing to show."""
        outline = outline_of(evidence)
        if outline is None:
            self._set_outline(None)
            return False
        target = next((d for d in self._documents if d.id == outline.document_id), None)
        if target is not None and target != self._doc:
            self._pending_outline = outline
            self._open(target)
            if self.page_sizes and self.source.is_open and self._pending_outline:
                self._pending_outline = None
                self._apply_outline(outline)
            return True
        if not self.page_sizes:
            self._pending_outline = outline
            return True
        self._apply_outline(outline)
        return True

    def _set_outline(self, outline: Outline | None) -> None:
        self.outline = outline
        rect = outline.rect if outline is not None else None
        self.pages.outlined = (outline.page, rect) if outline is not None and rect else None
        self.pages.viewport().update()

    def _apply_outline(self, outline: Outline) -> None:
        if not 0 <= outline.page < self.page_layout.page_count:
            return
        self._set_outline(outline)
        if outline.rect:
            self.pages.show_rect(outline.page, outline.rect)
        else:
            self.pages.show_page(outline.page)
        self.view_moved()

    # ---------------------------------------------------------------- zoom and rotation

    def _change(self, layout: PageLayout, mode: ZoomMode) -> None:
        """Show the pages at a new zoom or rotation, keeping the same share of the
        document above the view."""
        self.zoom_mode = mode
        self.page_layout = layout
        if layout.sizes:
            self.pages.keep_place(layout)
            self._show_status()
            self._request_visible()

    def fit_width(self) -> None:
        self.zoom_mode = "fit_width"
        self._change(self.page_layout.with_zoom(self._fit_zoom()), "fit_width")

    def fit_page(self) -> None:
        self.zoom_mode = "fit_page"
        self._change(self.page_layout.with_zoom(self._fit_zoom()), "fit_page")

    def zoom_in(self) -> None:
        self._change(self.page_layout.with_zoom(zoom_in_step(self.zoom)), "custom")

    def zoom_out(self) -> None:
        self._change(self.page_layout.with_zoom(zoom_out_step(self.zoom)), "custom")

    def rotate(self) -> None:
        turned = self.page_layout.with_rotation(self.rotation + 90)
        fit = turned.fitted(self.zoom_mode, *self._fit_space())  # custom: the zoom stays
        self._change(turned.with_zoom(fit), self.zoom_mode)
        self.thumbnail_model.set_page_count(self.page_layout.page_count)  # redrawn turned

    # ---------------------------------------------------------------- find

    def open_find(self) -> None:
        self.find_bar.open()

    def close_find(self) -> None:
        self.find_bar.dismiss()
        self.pages.setFocus()

    def search_text(self, text: str) -> None:
        text = text.strip()
        self.find_bar.reset()
        if not text or not self.page_layout.sizes:
            return
        self.find_label.setText("Searching…")
        self.source.search(text)

    def find_next(self) -> None:
        self.find_bar.step(+1)

    def find_previous(self) -> None:
        self.find_bar.step(-1)

    def _show_hit(self, page: int, rect: Rect) -> None:
        if 0 <= page < self.page_layout.page_count:
            self.pages.show_rect(page, rect, across=False)
            self.view_moved()

    def _hits_changed(self) -> None:
        self.pages.hits, self.pages.current_hit = list(self.find_bar.hits), self.find_bar.index
        self.pages.viewport().update()

    @property
    def hits(self) -> list[tuple[int, Rect]]:
        return list(self.find_bar.hits)
