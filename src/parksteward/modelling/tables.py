"""Stored model runs: the scenario, the state of the job, and its results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parksteward.access.scope import Ownership
from parksteward.db.base import Base, utcnow

RUN_STATES = ("queued", "running", "done", "failed")


class DispersionRun(Base):
    """A dispersion run started through the API (扩散模拟任务).

    Runs started by an enterprise user belong to its enterprise (and model only its stacks);
    runs started by park staff, regulators or the command centre are park-level and are not
    shown to enterprise users.
    """

    __tablename__ = "dispersion_run"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[dict]
    state: Mapped[str] = mapped_column(String(12), default="queued")
    hours_total: Mapped[int] = mapped_column(Integer, default=0)
    hours_done: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    summary: Mapped[dict | None]
    contours: Mapped[dict | None]
    receptors_csv: Mapped[str | None] = mapped_column(Text)
    hourly_csv: Mapped[str | None] = mapped_column(Text)  # sensitive and discrete receptors, hour by hour
