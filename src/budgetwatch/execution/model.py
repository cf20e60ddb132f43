"""Tables of execution monitoring: thresholds set per region by an administrator (rule_settings) and reviewers'
确认/排除 decisions on execution findings (execution_decisions), kept by (region, fingerprint) so they survive
re-runs and later as-of dates, as document decisions are kept by (document, fingerprint)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, Numeric, String, Text, UniqueConstraint
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


class ExecutionFigure(Base):
    """Figures a run of the rules computes anyway, kept per as-of date so the execution pages answer without
    summing the payments again: kind unit (per unit: b0, b, paid), class_month (per unit, 功能 类 and month: paid;
    month 0 = the 类's budget), payee (per unit and payee: payments, paid, first and last date, kind)."""

    __tablename__ = "execution_figures"
    __table_args__ = (Index("ix_execution_figures_scope", "region_code", "fiscal_year", "as_of", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(9))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    agency_code: Mapped[str | None] = mapped_column(String(40))
    key: Mapped[str | None] = mapped_column(Text)
    month: Mapped[int | None] = mapped_column(Integer)
    b0: Mapped[object | None] = mapped_column(Numeric(18, 2))
    b: Mapped[object | None] = mapped_column(Numeric(18, 2))
    paid: Mapped[object | None] = mapped_column(Numeric(18, 2))
    n: Mapped[int | None] = mapped_column(Integer)
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    label: Mapped[str | None] = mapped_column(String(300))
