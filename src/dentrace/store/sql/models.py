"""Tables of the cases database: users, roles, login attempts, alerts, cases and the audit log.

The Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Now in UTC as a naive datetime: every DateTime column holds UTC, on both back ends."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every table of the cases database."""


class Role(Base):
    """One role a user may hold: analyst, supervisor, admin or screener."""

    __tablename__ = "roles"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(Text)


class RolePermission(Base):
    """One row per (role, action) the role may perform: permissions are data."""

    __tablename__ = "role_permissions"
    role: Mapped[str] = mapped_column(ForeignKey("roles.name"), primary_key=True)
    action: Mapped[str] = mapped_column(String(64), primary_key=True)


class User(Base):
    """An account; the password is kept only as an Argon2 hash."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(ForeignKey("roles.name"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LoginAttempt(Base):
    """A failed login, kept for the throttling window (successes clear them)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_ip", "username", "ip"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """A bearer token for the API, stored as its SHA-256 so a leaked database grants nothing."""

    __tablename__ = "api_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ScanImport(Base):
    """One imported scan run; importing the same scan again adds nothing."""

    __tablename__ = "scan_imports"
    scan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    alerts: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class Case(Base):
    """An investigation: parties, transactions, notes, a status and an assignee."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Restricted: seen only by the assignee, named members and roles with
    # view_restricted_cases (migration 0003); open to every analyst otherwise.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set by hand (migration 0006); None: due by the SLA of the case's priority.
    due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CaseMember(Base):
    """A user named on a restricted case: may see and work it like its assignee's team."""

    __tablename__ = "case_members"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime)


class Alert(Base):
    """One alerted party of one scan, with its disposition."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("scan_id", "party_id", name="uq_alerts_scan_party"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scan_imports.scan_id"))
    party_id: Mapped[str] = mapped_column(String(128), index=True)
    role: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    txn_ids: Mapped[str] = mapped_column(Text)  # JSON list of transaction ids
    # JSON of the alert record's reasons (dentrace.contract.alert; migration 0005); NULL for
    # alerts imported before, read from ``reasons`` and ``explanation``
    reason_details: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(32), index=True)  # new | dismissed | escalated
    disposition_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    disposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    disposed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Work management and dismissal controls (migration 0006): who works the alert, a due date
    # set by hand (None: by the SLA of its priority), the dismissal's reason code, and while a
    # dismissal waits for its second review, who asked for it, when and why.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                    index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    dismissal_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    review_requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"),
                                                            nullable=True)
    review_requested_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    review_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class SavedView(Base):
    """A user's named queue view: the filters and sort of the alert queue (a query string)."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(Text)  # canonical JSON object of filter -> value
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CaseAttachment(Base):
    """A document attached to a case; its bytes are a file named by ``id`` under the
    workspace's attachments folder, checked against ``sha256`` when read."""

    __tablename__ = "case_attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # sanitised for display and download
    media_type: Mapped[str] = mapped_column(String(64))  # found from the content
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)


class CaseParty(Base):
    """A party held in a case, with its role (payer or facilitator)."""

    __tablename__ = "case_parties"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(DateTime)


class CaseTransaction(Base):
    """A transaction held in a case as evidence."""

    __tablename__ = "case_transactions"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    txn_id: Mapped[str] = mapped_column(String(128), primary_key=True)


class CaseNote(Base):
    """A note written on a case."""

    __tablename__ = "case_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit log."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC text, hashed exactly as stored
    actor: Mapped[str] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON object
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last sequence number and hash: a truncated log no longer matches it."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
