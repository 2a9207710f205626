"""Submissions as the review screen shows them, kept in memory so the next one opens at once.

Reads run on the window's read operations; the submissions next to the open one are read
ahead, so J and K show a submission without waiting for the store. Whatever changed
(``forget``) is read again before it is shown from memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import partial

from coi_desktop.database import Database
from coi_desktop.ui.operations import Operations
from coi_desktop.ui.review_data import SubmissionView, load_submission

KEEP = 64  # views kept; a few KB each


class SubmissionCache:
    def __init__(self, database: Database, reads: Operations) -> None:
        self._database = database
        self._reads = reads
        self._views: OrderedDict[str, SubmissionView] = OrderedDict()
        self._reading: set[str] = set()  # prefetches on their way

    def get(self, submission_id: str) -> SubmissionView | None:
        return self._views.get(submission_id)

    def put(self, view: SubmissionView) -> None:
        self._views[view.id] = view
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
            if submission_id in self._views or submission_id in self._reading:
                continue
            self._reading.add(submission_id)

            def arrived(view: SubmissionView | None, wanted: str = submission_id) -> None:
                self._reading.discard(wanted)
                if view is not None and wanted not in self._views:
                    self.put(view)

            self._reads.run(
                "read ahead", partial(self._load, submission_id), done=arrived, quiet=True
            )

    def _load(self, submission_id: str) -> SubmissionView | None:
        with self._database.session() as session:
            return load_submission(session, submission_id)
