"""Tables of execution monitoring: thresholds set per region by an administrator (rule_settings) and reviewers'
确认/排除 decisions on execution findings (execution_decisions), kept by (region, fingerprint) so they survive
re-runs and later as-of dates, as document decisions are kept by (document, fingerprint)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..store.schema import Base, utcnow


class RuleSetting(Base):
    """One threshold of one rule: region_code '*' applies to every region; value is JSON text (a number, a
    list of codes, a date)."""
    __tablename__ = "rule_settings"
    __table_args__ = (UniqueConstraint("region_code", "rule", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(9))
    rule: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExecutionDecision(Base):
    """A reviewer's decision on an execution finding: accepted (确认) | dismissed (排除)."""
    __tablename__ = "execution_decisions"
    __table_args__ = (UniqueConstraint("region_code", "fingerprint"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(9))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)
