"""Submissions as the review screen shows them, kept in memory so the next one opens at once.

Reads run on the window's read operations; the submissions next to the open one are read
ahead together, so J and K show a submission without waiting for the store. Whatever
changed (``forget``) is read again before it is shown from memory.

A read ahead puts its views in memory from the reads thread itself, the moment it has
them: waiting for its result to come through the GUI thread's event queue, J pressed
meanwhile would find nothing and read the submission a second time. Hence the lock.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from coi_desktop.database import Database
from coi_desktop.review.submission_view import SubmissionView, load_submission, load_submissions
from coi_desktop.ui.operations import Operations

KEEP = 64  # views kept; a few KB each
READ_AHEAD = 12  # the submissions after the open one read ahead together
FRESH_S = 15.0  # a view read this recently is shown without reading it again


class SubmissionCache:
    def __init__(self, database: Database, reads: Operations) -> None:
        self._database = database
        self._reads = reads
        self._lock = threading.Lock()  # the GUI thread and the reads thread both put
        # id -> (when read, view); every change the window hears of forgets its entry
        self._views: OrderedDict[str, tuple[float, SubmissionView]] = OrderedDict()
        self._reading: set[str] = set()  # read ahead, on their way
        # A read that began before a change must not put back what the change made old:
        # each change counts, and a view read is kept only if its id did not change since.
        self._changes = 0
        self._changed: dict[str, int] = {}  # id -> the count at its last change
        self._in_flight = 0  # reads begun and not ended: while none, nothing needs _changed

    def get(self, submission_id: str) -> SubmissionView | None:
        """The view as last read, if read recently enough to show without asking again
        (changes made elsewhere and not yet heard of are that old at most)."""
        with self._lock:
            entry = self._views.get(submission_id)
        if entry is None or time.monotonic() - entry[0] > FRESH_S:
            return None
        return entry[1]

    def put(self, view: SubmissionView) -> None:
        """Keep a view newer than any read still on its way (a claim applied to it)."""
        with self._lock:
            self._mark_changed([view.id])
            self._put(view)

    def forget(self, ids: Iterable[str]) -> None:
        with self._lock:
            for submission_id in self._mark_changed(ids):
                self._views.pop(submission_id, None)

    def read(self, submission_id: str, then: Callable[[SubmissionView | None], None]) -> None:
        """Read one submission fresh; ``then(view)`` on the GUI thread, with what is known
        newest by then (a claim applied meanwhile to what this read kept, say)."""

        def work() -> SubmissionView | None:
            began = self._begin()
            view = None
            try:
                with self._database.session() as session:
                    view = load_submission(session, submission_id)
            finally:
                self._end([view] if view else [], began)
            return view

        def arrived(view: SubmissionView | None) -> None:
            then(self.get(submission_id) or view)

        self._reads.run("open the submission", work, done=arrived, quiet=True)

    def prefetch(self, ids: list[str], *, enough: int) -> None:
        """Read ahead the submissions the reviewer is likely to open next (``ids``, nearest
        first), all in one read, once fewer than ``enough`` of the nearest are in memory or
        on their way: one read of twelve costs about what two single reads do."""
        fresh = time.monotonic() - FRESH_S
        with self._lock:
            known = {i for i in ids if i in self._reading or self._views.get(i, (0.0,))[0] >= fresh}
            if all(i in known for i in ids[:enough]):
                return
            missing = [i for i in ids if i not in known]
            self._reading.update(missing)

        def work() -> None:
            began = self._begin()
            views: dict[str, SubmissionView] = {}
            try:
                with self._database.session() as session:
                    views = load_submissions(session, missing)
            finally:
                self._end(views.values(), began, missing)

        self._reads.run("read ahead", work, quiet=True)

    def _mark_changed(self, ids: Iterable[str]) -> list[str]:
        self._changes += 1
        marked = list(ids)
        if self._in_flight:
            self._changed.update(dict.fromkeys(marked, self._changes))
        return marked

    def _begin(self) -> int:
        """A read begins (on the reads thread): the count it must not be older than."""
        with self._lock:
            self._in_flight += 1
            return self._changes

    def _end(
        self, views: Iterable[SubmissionView], began: int, reading: Iterable[str] = ()
    ) -> None:
        """A read ends: keep what it read, unless changed since it began."""
        with self._lock:
            for view in views:
                if self._changed.get(view.id, began) <= began:
                    self._put(view)
            self._reading.difference_update(reading)
            self._in_flight -= 1
            if not self._in_flight:
                self._changed.clear()

    def _put(self, view: SubmissionView) -> None:
        self._views[view.id] = (time.monotonic(), view)
        self._views.move_to_end(view.id)
        while len(self._views) > KEEP:
            self._views.popitem(last=False)
