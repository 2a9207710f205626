"""The strip of page thumbnails beside the document: a list model and its view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QListView, QWidget

THUMB_WIDTH = 72
STRIP_WIDTH = THUMB_WIDTH + 34  # the pictures, their frame and the strip's scroll bar


class ThumbnailModel(QAbstractListModel):
    """One row per page; the picture is asked for when the view first shows it.

    ``picture(page)`` answers with the rendered thumbnail or None while it is on its
    way; ``sheet_size(page)`` gives the size of the blank sheet shown until then, so
    the item has its size from the start.
    """

    def __init__(
        self,
        picture: Callable[[int], QImage | None],
        sheet_size: Callable[[int], tuple[int, int]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._picture = picture
        self._sheet_size = sheet_size
        self._pages = 0
        self._blanks: dict[tuple[int, int], QImage] = {}

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
            return self._picture(page) or self._blank(page)
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

    def _blank(self, page: int) -> QImage:
        size = self._sheet_size(page)
        image = self._blanks.get(size)
        if image is None:
            image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
            image.fill(QColor("white"))
            self._blanks[size] = image
        return image


class ThumbnailStrip(QListView):
    """The pages one under the other, small; a click or Enter goes to the page."""

    def __init__(self, model: ThumbnailModel, go_to_page: Callable[[int], None]) -> None:
        super().__init__()
        self.setModel(model)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMB_WIDTH, int(THUMB_WIDTH * 1.3)))
        self.setUniformItemSizes(True)
        self.setGridSize(QSize(THUMB_WIDTH + 12, int(THUMB_WIDTH * 1.3) + 28))
        self.setSpacing(4)
        self.setToolTip("Pages — click or press Enter to go to a page")
        self.setAccessibleName("Page thumbnails")
        self.setFixedWidth(STRIP_WIDTH)
        self.clicked.connect(lambda index: go_to_page(index.row()))
        self.activated.connect(lambda index: go_to_page(index.row()))
