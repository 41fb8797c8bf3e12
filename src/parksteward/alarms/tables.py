"""Tables of the warning loop: rules, alarms and their history, recipients, deliveries, plans.

Alarm, event and delivery rows carry their enterprise (null for park-owned points such as
ambient stations) so that an enterprise user sees exactly its own warnings.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parksteward.access.scope import Ownership
from parksteward.db.base import Base, TimestampMixin, utcnow

RULE_KINDS = ("threshold", "exceedance", "rate_of_change", "interruption", "invalid_data", "flat_line")
ALARM_KINDS = RULE_KINDS + ("drill",)
STATES = ("active", "acknowledged", "cleared")
GROUPS = ("enterprise", "command", "steward", "regulator", "hospital")
CHANNELS = ("sse", "webhook", "email")
DELIVERY_STATES = ("pending", "delivered", "failed", "skipped")


class Scenario(TimestampMixin, Base):
    """One scenario of an emergency plan (情景-应对): what can happen at a risk source, and the
    graded response to it.

    ``responses`` maps a level to ``{"steps": [...], "roles": [...]}``; ``triggers`` says which
    alarms it answers (``{"factors": ["x01002"], "kinds": ["threshold"]}``).
    """

    __tablename__ = "emergency_scenario"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    risk_source_id: Mapped[int | None] = mapped_column(ForeignKey("risk_source.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    chemical: Mapped[str | None] = mapped_column(String(100))
    triggers: Mapped[dict] = mapped_column(default=dict)
    responses: Mapped[dict] = mapped_column(default=dict)
    contacts: Mapped[list] = mapped_column(default=list)
    resources: Mapped[list] = mapped_column(default=list)
    disposal: Mapped[str | None] = mapped_column(Text)
    hospitals_from: Mapped[str | None] = mapped_column(String(8))  # level from which hospitals are told


class AlarmRule(TimestampMixin, Base):
    """A warning rule as data. It applies to one point, or to every point of a kind (optionally
    of one enterprise), for one factor; ``bands`` are the level thresholds in the rule kind's
    own measure (see :mod:`parksteward.alarms.rules`)."""

    __tablename__ = "alarm_rule"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_point.id", ondelete="CASCADE"), index=True)
    point_kind: Mapped[str | None] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    factor: Mapped[str | None] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(16), default="Rtd")
    direction: Mapped[str] = mapped_column(String(8), default="above")
    bands: Mapped[dict] = mapped_column(default=dict)
    params: Mapped[dict] = mapped_column(default=dict)
    escalate_after_min: Mapped[float | None] = mapped_column(Float)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_scenario.id", ondelete="SET NULL"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str | None] = mapped_column(Text)


class Alarm(Base):
    """One alarm: a condition at one point (and factor) from its first to its last sighting.

    While it is open (not cleared) ``open_key`` holds ``rule:point:factor`` under a unique
    constraint, so a persisting condition can only update its one alarm; clearing sets it to
    NULL and the next sighting opens a new alarm.
    """

    __tablename__ = "alarm"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_point.id", ondelete="CASCADE"), index=True)
    risk_source_id: Mapped[int | None] = mapped_column(ForeignKey("risk_source.id", ondelete="SET NULL"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_rule.id", ondelete="SET NULL"), index=True)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_scenario.id", ondelete="SET NULL"))
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    factor: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    peak_level: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), default="active", index=True)
    value: Mapped[float | None] = mapped_column(Float)
    peak_value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
    data_t: Mapped[int | None] = mapped_column(Integer)  # the newest reading judged (epoch s)
    count: Mapped[int] = mapped_column(Integer, default=1)
    message: Mapped[str] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledge_comment: Mapped[str | None] = mapped_column(Text)
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(String(64))
    clear_comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class AlarmEvent(Base):
    """The history of an alarm: raised, updated, level changed, acknowledged, escalated, cleared."""

    __tablename__ = "alarm_event"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarm.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_point.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(8))
    actor: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, index=True)  # its leaf in the log


class Recipient(TimestampMixin, Base):
    """Someone (or a system) warnings are routed to, by group and lowest level."""

    __tablename__ = "alarm_recipient"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    min_level: Mapped[str] = mapped_column(String(8), default="blue")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Delivery(Base):
    """One notification to one address over one channel, with every attempt logged.

    The table is the outbox: the dispatcher picks pending rows whose ``next_attempt_at`` has
    come, so retries survive a restart.
    """

    __tablename__ = "alarm_delivery"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarm.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_event.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_recipient.id", ondelete="SET NULL"))
    group: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    log: Mapped[list] = mapped_column(JSON, default=list)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
