"""Submissions as the review screen shows them, kept in memory so the next one opens at once.

Reads run on the window's read operations; the submissions next to the open one are read
ahead, so J and K show a submission without waiting for the store. Whatever changed
(``forget``) is read again before it is shown from memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from functools import partial

from coi_desktop.database import Database
from coi_desktop.review.submission_view import SubmissionView, load_submission
from coi_desktop.ui.operations import Operations

KEEP = 64  # views kept; a few KB each
FRESH_S = 15.0  # a view read this recently is shown without reading it again


class SubmissionCache:
    def __init__(self, database: Database, reads: Operations) -> None:
        self._database = database
        self._reads = reads
        # id -> (when read, view); every change the window hears of forgets its entry
        self._views: OrderedDict[str, tuple[float, SubmissionView]] = OrderedDict()
        self._reading: set[str] = set()  # prefetches on their way

    def get(self, submission_id: str) -> SubmissionView | None:
        """The view as last read, if read recently enough to show without asking again
        (changes made elsewhere and not yet heard of are that old at most)."""
        entry = self._views.get(submission_id)
        if entry is None or time.monotonic() - entry[0] > FRESH_S:
            return None
        return entry[1]

    def put(self, view: SubmissionView) -> None:
        self._views[view.id] = (time.monotonic(), view)
        self._views.move_to_end(view.id)
        while len(self._views) > KEEP:
            self._views.popitem(last=False)

    def forget(self, ids: list[str]) -> None:
        for submission_id in ids:
            self._views.pop(submission_id, None)

    def read(self, submission_id: str, then: Callable[[SubmissionView | None], None]) -> None:
        """Read one submission fresh; ``then(view)`` on the GUI thread."""

        def arrived(view: SubmissionView | None) -> None:
            if view is not None:
                self.put(view)
            then(view)

        self._reads.run(
            "open the submission", lambda: self._load(submission_id), done=arrived, quiet=True
        )

    def prefetch(self, ids: list[str]) -> None:
        """Read ahead the submissions the reviewer is likely to open next."""
        for submission_id in ids:
            if self.get(submission_id) is not None or submission_id in self._reading:
                continue
            self._reading.add(submission_id)

            def arrived(view: SubmissionView | None, wanted: str = submission_id) -> None:
                self._reading.discard(wanted)
                if view is not None and self.get(wanted) is None:
                    self.put(view)

            self._reads.run(
                "read ahead", partial(self._load, submission_id), done=arrived, quiet=True
            )

    def _load(self, submission_id: str) -> SubmissionView | None:
        with self._database.session() as session:
            return load_submission(session, submission_id)
