"""The local store's tables: the typed SQLAlchemy 2.0 model of COI Desk's domain.

Ids that come from the tracker are kept as the tracker's strings ("s-1042"), so
a row can always be matched to the system of record. Times are UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, get_args

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names let Alembic's batch mode rebuild SQLite tables.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (sortable text in SQLite) and always hands back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# A submission's status and a decision's outcome, as tracker-api.md names them: the one
# definition the store, the queue, the decisions, the sync and the sandbox all use.
SubmissionStatus = Literal["new", "in_review", "compliant", "non_compliant", "rejected", "archived"]
Outcome = Literal["compliant", "non_compliant", "rejected"]
STATUSES: tuple[SubmissionStatus, ...] = get_args(SubmissionStatus)
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
OPEN_STATUSES: tuple[SubmissionStatus, ...] = ("new", "in_review")
CLOSED_STATUSES: tuple[SubmissionStatus, ...] = (*OUTCOMES, "archived")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # reviewer | lead | read_only


class Company(Base):
    """A general contractor (our customer), as known to Procore."""

    __tablename__ = "companies"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    procore_company_id: Mapped[int | None] = mapped_column(BigInteger)


class Vendor(Base):
    __tablename__ = "vendors"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    procore_vendor_id: Mapped[int | None] = mapped_column(BigInteger)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    procore_project_id: Mapped[int | None] = mapped_column(BigInteger)


class Commitment(Base):
    """A subcontract or purchase order; Procore keeps its own insurance flag."""

    __tablename__ = "commitments"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    procore_commitment_id: Mapped[int | None] = mapped_column(BigInteger)


class RequirementProfile(Base):
    __tablename__ = "requirement_profiles"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    certificate_holder: Mapped[str | None] = mapped_column(Text)
    min_days_remaining: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[list[RequirementLine]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        order_by="RequirementLine.position",
    )

    def to_json(self) -> dict[str, Any]:
        """The profile in tracker-api.md shape, as the pre-check takes it."""
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "certificate_holder": self.certificate_holder,
            "min_days_remaining": self.min_days_remaining,
            "lines": [line.spec for line in self.lines],
        }


class RequirementLine(Base):
    __tablename__ = "requirement_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile_id: Mapped[str] = mapped_column(
        ForeignKey("requirement_profiles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    coverage: Mapped[str] = mapped_column(String(50))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # the tracker's line, verbatim
    profile: Mapped[RequirementProfile] = relationship(back_populates="lines")


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_due", "due_at"),
        Index("ix_submissions_status_due", "status", "due_at"),
        Index("ix_submissions_assigned_due", "assigned_to", "due_at"),
        # The team view's received-per-day trend reads two weeks of it (migration 0005).
        Index("ix_submissions_received", "received_at"),
        # Its customers for the filter box, and a view filtered by customer (migration 0005).
        Index("ix_submissions_company", "procore_company_id"),
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # coi | endorsement
    status: Mapped[str] = mapped_column(String(20))  # tracker-api.md values
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    scope: Mapped[str] = mapped_column(String(20))  # project | global
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendors.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id"), index=True)
    commitment_id: Mapped[str | None] = mapped_column(ForeignKey("commitments.id"))
    procore_company_id: Mapped[int | None] = mapped_column(BigInteger)
    # No foreign key: a submission may arrive before its profile has been fetched.
    requirement_profile_id: Mapped[str | None] = mapped_column(String(64))
    # Pre-check counts kept on the row so a 100,000-row queue needs no join to show them.
    precheck_pass: Mapped[int | None] = mapped_column(Integer)
    precheck_fail: Mapped[int | None] = mapped_column(Integer)
    precheck_needs_review: Mapped[int | None] = mapped_column(Integer)
    insured_name: Mapped[str | None] = mapped_column(String(300))  # as read from the COI
    # id, vendor, project and insured in one lower-case string: the search box scans one
    # column of one table instead of joining three for every row (see queue.search_text).
    search_text: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)

    vendor: Mapped[Vendor] = relationship()
    project: Mapped[Project | None] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
    documents: Mapped[list[Document]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Document.position"
    )


class Document(Base):
    """A file of a submission; the bytes live in the document store under ``sha256``."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(500))  # shown to people, never used as a path
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    stored: Mapped[bool] = mapped_column(Boolean, default=False)
    submission: Mapped[Submission] = relationship(back_populates="documents")


class Extraction(Base):
    """What extraction read from one file, keyed by content so a re-sent file costs nothing."""

    __tablename__ = "extractions"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str | None] = mapped_column(String(10))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    extractor_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChecklistLineRow(Base):
    """One requirement line of a submission's checklist: the pre-check, then the reviewer's."""

    __tablename__ = "checklist_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    requirement: Mapped[str] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(20))
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole line, ChecklistLine.to_dict()


class Decision(Base):
    __tablename__ = "decisions"
    # The decisions the team figures count (migration 0005), by submission and by time.
    __table_args__ = (
        Index(
            "ix_decisions_counted_submission",
            "submission_id",
            sqlite_where=text("tracker_accepted = 1 AND undone = 0"),
        ),
        Index(
            "ix_decisions_counted_decided_at",
            "decided_at",
            sqlite_where=text("tracker_accepted = 1 AND undone = 0"),
        ),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(20))  # compliant | non_compliant | rejected
    note: Mapped[str | None] = mapped_column(Text)
    deficiencies: Mapped[list[Any]] = mapped_column(JSON)
    checklist: Mapped[list[Any]] = mapped_column(JSON)
    policies: Mapped[list[Any]] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
    version_seen: Mapped[int] = mapped_column(Integer)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    # The tracker accepted it (its outbox item is past the tracker stage). Kept by triggers on
    # outbox_items (migration 0005) in the same transaction as the stage; never set in Python.
    tracker_accepted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OutboxItem(Base):
    """A change waiting to reach the tracker and Procore; its id is the idempotency key."""

    __tablename__ = "outbox_items"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)
    # The integer key orders delivery; the uuid is the idempotency key sent to the tracker.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)  # uuid, made once
    kind: Mapped[str] = mapped_column(String(20))  # decision | claim | assign
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    decision_id: Mapped[str | None] = mapped_column(ForeignKey("decisions.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending -> delivered, or conflict / failed (kept for a person, never dropped)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    stage: Mapped[str] = mapped_column(String(20), default="tracker")  # tracker|procore|done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(50))
    submission_id: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SyncCursor(Base):
    __tablename__ = "sync_cursors"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# The sync engine writes it after a pass that reached the tracker: {"at": iso time}.
LAST_SYNC_KEY = "last_successful_sync"


class AppState(Base):
    """Small facts about this install: the signed-in user, last successful sync, …"""

    __tablename__ = "app_state"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
