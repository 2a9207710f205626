"""The review queue as the store answers it: filtered, searched and sorted in SQL.

One query shape serves the CLI (`coi-desktop queue`) and the GUI's lazy table
model, so both always show the same queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    UnaryExpression,
    and_,
    column,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.operators import custom_op

from coi_desktop.models import OPEN_STATUSES, Decision, OutboxItem, Project, Submission, Vendor
from coi_desktop.timeutil import iso

Ts = TypeVarTuple("Ts")
View = Literal["all", "mine", "unassigned", "open"]
SORT_COLUMNS = {
    "due_at": Submission.due_at,
    "received_at": Submission.received_at,
    "vendor": Vendor.name,
    "project": Project.name,
    "status": Submission.status,
    "kind": Submission.kind,
    "assigned_to": Submission.assigned_to,
    "precheck_fail": Submission.precheck_fail,
}
# The trigram index over search_text (migration 0004). It shares the rowid of submissions
# and is no ORM model, so it is spelled as a bare table; its hidden column of the same
# name is what MATCH is applied to.
SEARCH_INDEX = table(
    "submissions_search", column("rowid", Integer), column("submissions_search", Text)
)
ROWID: ColumnClause[int] = literal_column("submissions.rowid", Integer)
TRIGRAM = 3  # the shortest text the index can find: shorter searches read search_text
FEW_MATCHES = 2000  # fewer rows than this holding a search are looked up one by one


@dataclass(frozen=True)
class QueueFilter:
    view: View = "all"
    user_id: str | None = None  # whose work "mine" means
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    search: str = ""
    sort: str = "due_at"
    descending: bool = False
    ids: tuple[str, ...] = ()  # a drill-down from the team view
    # Drill-downs from the team view (teamstats.py): who holds it, due and age windows, customer.
    assigned_to: str | None = None
    due_before: datetime | None = None  # due_at < this
    due_after: datetime | None = None  # due_at >= this
    received_before: datetime | None = None  # received_at <= this
    received_after: datetime | None = None  # received_at > this
    procore_company_ids: tuple[int, ...] = ()
    project_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueRow:
    id: str
    version: int
    kind: str
    status: str
    received_at: datetime
    due_at: datetime
    vendor: str
    project: str | None
    scope: str
    assigned_to: str | None
    insured_name: str | None
    precheck: dict[str, int] | None
    decision: str | None
    delivery: str | None
    delivery_error: str | None

    def to_json(self) -> dict[str, Any]:
        """The object `coi-desktop queue --json` prints (product.md)."""
        return {
            "id": self.id,
            "version": self.version,
            "kind": self.kind,
            "status": self.status,
            "received_at": iso(self.received_at),
            "due_at": iso(self.due_at),
            "vendor": self.vendor,
            "project": self.project,
            "scope": self.scope,
            "assigned_to": self.assigned_to,
            "precheck": self.precheck,
            "decision": self.decision,
            "delivery": self.delivery,
            "delivery_error": self.delivery_error,
        }


def _base(
    session: Session, flt: QueueFilter
) -> Select[Submission, str, str | None, str, str, str | None]:
    stmt = (
        select(
            Submission,
            Vendor.name,
            Project.name,
            Decision.outcome,
            OutboxItem.state,
            OutboxItem.last_error,
        )
        .join(Vendor, Submission.vendor_id == Vendor.id)
        .outerjoin(Project, Submission.project_id == Project.id)
        .outerjoin(
            Decision, and_(Decision.submission_id == Submission.id, Decision.undone.is_(False))
        )
        .outerjoin(OutboxItem, OutboxItem.decision_id == Decision.id)
    )
    return _where(session, stmt, flt)


def _where(session: Session, stmt: Select[*Ts], flt: QueueFilter) -> Select[*Ts]:
    if flt.view == "mine":
        stmt = stmt.where(
            # no user: nobody's work ("== None" would read as unassigned)
            Submission.assigned_to == flt.user_id if flt.user_id else false(),
            Submission.status.in_(OPEN_STATUSES),
            Decision.id.is_(None),
        )
    elif flt.view == "unassigned":
        stmt = stmt.where(Submission.assigned_to.is_(None), Submission.status.in_(OPEN_STATUSES))
    elif flt.view == "open":
        stmt = stmt.where(Submission.status.in_(OPEN_STATUSES), Decision.id.is_(None))
    if flt.statuses:
        stmt = stmt.where(Submission.status.in_(flt.statuses))
    if flt.kinds:
        stmt = stmt.where(Submission.kind.in_(flt.kinds))
    if flt.ids:
        stmt = stmt.where(Submission.id.in_(flt.ids))
    if flt.assigned_to is not None:
        stmt = stmt.where(Submission.assigned_to == flt.assigned_to)
    if flt.due_before is not None:
        stmt = stmt.where(Submission.due_at < flt.due_before)
    if flt.due_after is not None:
        stmt = stmt.where(Submission.due_at >= flt.due_after)
    if flt.received_before is not None:
        stmt = stmt.where(Submission.received_at <= flt.received_before)
    if flt.received_after is not None:
        stmt = stmt.where(Submission.received_at > flt.received_after)
    if flt.procore_company_ids:
        stmt = stmt.where(Submission.procore_company_id.in_(flt.procore_company_ids))
    if flt.project_ids:
        stmt = stmt.where(Submission.project_id.in_(flt.project_ids))
    # NUL ends a string in SQLite's C functions; the FTS5 query parser rejects it.
    text = flt.search.replace("\0", "").strip().lower()
    if text:
        stmt = stmt.where(_search(session, text))
    return stmt


def _search(session: Session, text: str) -> ColumnElement[bool]:
    """Rows whose search_text contains ``text`` (lower-case), in the cheapest form.

    SQLite cannot know how many rows hold the text, so it is asked first. Up to a few
    thousand rows are looked up by rowid and sorted. More are read by walking the view's
    index in sort order until a page is full, which takes a few hundred rows; doing that
    for rare text would read every row at random instead (~150 ms on 100,000).
    """
    if len(text) >= TRIGRAM:
        matches = select(SEARCH_INDEX.c.rowid).where(
            SEARCH_INDEX.c.submissions_search.match(_phrase(text))
        )
        # Test each walked index entry's rowid against the index's answer. Without the
        # "+" SQLite would look up every match by rowid and sort them all instead
        # (~75 ms for text in all 100,000 rows, against ~10 ms).
        common = _unindexed(ROWID).in_(matches)
    else:  # too short for the trigram index: read search_text, in storage order
        common = Submission.search_text.like(f"%{_escape_like(text)}%", escape="\\")
        matches = select(ROWID).where(common)
    found = session.scalars(matches.limit(FEW_MATCHES)).all()
    if len(found) == FEW_MATCHES:
        return common
    # SQLite walks the view's index even for an empty IN list; a constant false does not.
    return ROWID.in_(found) if found else false()


def _phrase(text: str) -> str:
    """An FTS5 phrase: under the trigram tokenizer, exactly the rows containing ``text``.

    Inside double quotes every character is literal (``*``, ``-``, ``AND``, ``%`` …)
    except the quote itself, which is doubled.
    """
    return '"' + text.replace('"', '""') + '"'


def search_text(sub: Submission) -> str:
    """What the search box matches for a submission: id, vendor, project and insured."""
    parts = (sub.id, sub.vendor.name, sub.project.name if sub.project else None, sub.insured_name)
    return " ".join(part for part in parts if part).lower()


def refresh_search_text(sub: Submission) -> None:
    sub.search_text = search_text(sub)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def query_queue(
    session: Session, flt: QueueFilter, *, offset: int = 0, limit: int | None = None
) -> list[QueueRow]:
    sort = SORT_COLUMNS.get(flt.sort, Submission.due_at).expression
    order = sort.desc() if flt.descending else sort.asc()
    stmt = _base(session, flt).order_by(order, Submission.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_row(*result) for result in session.execute(stmt)]


def _unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQLite's unary ``+``: the same value, but no index may serve it."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def count_queue(session: Session, flt: QueueFilter) -> int:
    stmt = _where(
        session,
        select(func.count(Submission.id))
        .join(Vendor, Submission.vendor_id == Vendor.id)
        .outerjoin(Project, Submission.project_id == Project.id)
        .outerjoin(
            Decision, and_(Decision.submission_id == Submission.id, Decision.undone.is_(False))
        ),
        flt,
    )
    return int(session.execute(stmt).scalar_one())


def _row(
    sub: Submission,
    vendor: str,
    project: str | None,
    outcome: str | None,
    state: str | None,
    error: str | None,
) -> QueueRow:
    precheck = None
    if sub.precheck_pass is not None:
        precheck = {
            "pass": sub.precheck_pass,
            "fail": sub.precheck_fail or 0,
            "needs_review": sub.precheck_needs_review or 0,
        }
    return QueueRow(
        id=sub.id,
        version=sub.version,
        kind=sub.kind,
        status=sub.status,
        received_at=sub.received_at,
        due_at=sub.due_at,
        vendor=vendor,
        project=project,
        scope=sub.scope,
        assigned_to=sub.assigned_to,
        insured_name=sub.insured_name,
        precheck=precheck,
        decision=outcome,
        delivery=_delivery(state) if outcome else None,
        delivery_error=error if outcome else None,
    )


def _delivery(state: str | None) -> str:
    # The outbox's states are the queue's delivery values; a decision without an item is pending.
    return state if state in ("pending", "delivered", "conflict", "failed") else "pending"
