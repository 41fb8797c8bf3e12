"""Limits assigned to monitoring points: the defaults by kind and industry, or as edited."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parksteward.access.scope import Ownership
from parksteward.db.base import Base, TimestampMixin


class PointLimit(TimestampMixin, Base):
    """One limit applied to one factor at one monitoring point.

    ``origin`` is ``default`` (from :func:`~parksteward.standards.assignment.default_limits`,
    replaced when defaults are re-assigned) or ``edited`` (kept). ``averaging`` is ``-``
    where the standard states none (stack concentrations are judged on hourly means).
    """

    __tablename__ = "point_limit"
    __table_args__ = (
        UniqueConstraint("point_id", "factor", "quantity", "averaging", "period", name="uq_point_limit_item"),
    )
    __ownership__ = Ownership.VIA_POINT

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("monitoring_point.id", ondelete="CASCADE"), index=True)
    factor: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[str] = mapped_column(String(24))
    averaging: Mapped[str] = mapped_column(String(16), default="-")
    period: Mapped[str] = mapped_column(String(8), default="-")
    direction: Mapped[str] = mapped_column(String(8))
    value: Mapped[float | None] = mapped_column(Float)
    value_max: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    standard: Mapped[str] = mapped_column(String(40))
    table_ref: Mapped[str | None] = mapped_column(String(80))
    ref_o2_pct: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    verified: Mapped[bool] = mapped_column(Boolean)
    origin: Mapped[str] = mapped_column(String(8), default="default")
    note: Mapped[str | None] = mapped_column(Text)
