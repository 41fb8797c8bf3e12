"""The alarm lifecycle: raise, update, change level, escalate, acknowledge, clear.

The model users of IoT platforms know (ThingsBoard's): a condition that persists updates its
one open alarm (count, peak, last time) instead of creating another; an alarm is active,
acknowledged (someone has taken it) or cleared (the condition ended, or someone closed it),
each step with who and when in its history (:class:`~parksteward.alarms.tables.AlarmEvent`).

Functions here work inside the caller's transaction and return the events that call for
notifications; the caller commits, then notifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.alarms.levels import RANK, next_level
from parksteward.alarms.tables import Alarm, AlarmEvent

SYSTEM_ACTOR = "system"


@dataclass
class Sighting:
    """One judgement that a condition holds at a point, at a level."""

    park_id: int
    point_id: int | None
    enterprise_id: int | None
    rule_id: int | None
    kind: str
    factor: str | None
    level: str
    value: float | None
    threshold: float | None
    unit: str | None
    message: str
    data_t: int | None = None
    risk_source_id: int | None = None
    scenario_id: int | None = None
    advice: str | None = None
    details: dict = field(default_factory=dict)
    # Sightings of the same level folded into this one without a write of their own (see
    # AlarmEngine: a persisting condition is written at most every few seconds), and their peak.
    unrecorded: int = 0
    unrecorded_peak: float | None = None

    @property
    def open_key(self) -> str:
        return open_key(self.rule_id, self.point_id, self.factor)


def open_key(rule_id: int | None, point_id: int | None, factor: str | None) -> str:
    return f"{rule_id}:{point_id}:{factor or '*'}"


def record_event(session: Session, alarm: Alarm, kind: str, at: datetime, actor: str = SYSTEM_ACTOR,
           comment: str | None = None, **detail) -> AlarmEvent:
    event = AlarmEvent(alarm_id=alarm.id, enterprise_id=alarm.enterprise_id, point_id=alarm.point_id, at=at,
                       kind=kind, level=alarm.level, actor=actor, comment=comment, detail=detail)
    session.add(event)
    session.flush()
    return event


def observe(session: Session, sighting: Sighting, now: datetime) -> tuple[Alarm, AlarmEvent | None]:
    """Record a sighting: open a new alarm, or update the open one.

    Returns the alarm and the event worth notifying: ``raised`` for a new alarm,
    ``level_up`` when the level rose; None for a plain update (count, last time, peak) or a
    fall in level (recorded as ``level_down``, not notified).
    """
    alarm = session.scalar(select(Alarm).where(Alarm.open_key == sighting.open_key))
    if alarm is None:
        alarm = Alarm(
            park_id=sighting.park_id, enterprise_id=sighting.enterprise_id, point_id=sighting.point_id,
            risk_source_id=sighting.risk_source_id, rule_id=sighting.rule_id, scenario_id=sighting.scenario_id,
            open_key=sighting.open_key, kind=sighting.kind, factor=sighting.factor, level=sighting.level,
            peak_level=sighting.level, state="active", value=sighting.value, peak_value=sighting.value,
            threshold=sighting.threshold, unit=sighting.unit, first_at=now, last_at=now, data_t=sighting.data_t,
            count=1, message=sighting.message, advice=sighting.advice, details=sighting.details,
        )
        session.add(alarm)
        session.flush()
        return alarm, record_event(session, alarm, "raised", now, value=sighting.value)
    if sighting.data_t is not None and alarm.data_t is not None and sighting.data_t <= alarm.data_t:
        return alarm, None  # the same (or an older) reading again, e.g. a resent frame: nothing new
    before = alarm.level
    alarm.count += 1 + sighting.unrecorded
    alarm.last_at = now
    alarm.value, alarm.data_t = sighting.value, sighting.data_t
    for value in (sighting.value, sighting.unrecorded_peak):
        if value is not None and (alarm.peak_value is None or _worse(value, alarm.peak_value, sighting)):
            alarm.peak_value = value
    alarm.message, alarm.threshold = sighting.message, sighting.threshold
    alarm.details = {**(alarm.details or {}), **sighting.details}  # a new dict: the JSON column sees the change
    if sighting.advice:
        alarm.advice = sighting.advice
    if RANK[sighting.level] > RANK[before]:
        alarm.level = sighting.level
        if RANK[sighting.level] > RANK[alarm.peak_level]:
            alarm.peak_level = sighting.level
        return alarm, record_event(session, alarm, "level_up", now, value=sighting.value, previous=before)
    if RANK[sighting.level] < RANK[before] and alarm.escalations == 0:
        alarm.level = sighting.level  # the condition eased; an escalated level stays until acknowledged
        record_event(session, alarm, "level_down", now, value=sighting.value, previous=before)
    return alarm, None


def _worse(value: float, peak: float, sighting: Sighting) -> bool:
    below = sighting.details.get("direction") == "below"
    return value < peak if below else value > peak


def resolve(session: Session, key: str, now: datetime, reason: str = "condition ended") -> tuple[Alarm, AlarmEvent] | None:
    """The condition behind ``key`` no longer holds: clear its open alarm, if any."""
    alarm = session.scalar(select(Alarm).where(Alarm.open_key == key))
    if alarm is None:
        return None
    return alarm, _clear(session, alarm, now, SYSTEM_ACTOR, reason)


def _clear(session: Session, alarm: Alarm, now: datetime, actor: str, comment: str | None) -> AlarmEvent:
    alarm.state, alarm.open_key = "cleared", None
    alarm.cleared_at, alarm.cleared_by, alarm.clear_comment = now, actor, comment
    return record_event(session, alarm, "cleared", now, actor=actor, comment=comment)


class LifecycleError(ValueError):
    """A step the alarm's state does not allow (acknowledging a cleared alarm twice, ...)."""


def acknowledge(session: Session, alarm: Alarm, actor: str, comment: str | None, now: datetime) -> AlarmEvent:
    if alarm.acknowledged_at is not None:
        raise LifecycleError(f"alarm {alarm.id} was already acknowledged by {alarm.acknowledged_by} at "
                             f"{alarm.acknowledged_at.isoformat()}")
    alarm.acknowledged_at, alarm.acknowledged_by, alarm.acknowledge_comment = now, actor, comment
    if alarm.state == "active":
        alarm.state = "acknowledged"
    return record_event(session, alarm, "acknowledged", now, actor=actor, comment=comment)


def clear(session: Session, alarm: Alarm, actor: str, comment: str | None, now: datetime) -> AlarmEvent:
    if alarm.state == "cleared":
        raise LifecycleError(f"alarm {alarm.id} was already cleared by {alarm.cleared_by} at "
                             f"{alarm.cleared_at.isoformat()}")
    return _clear(session, alarm, now, actor, comment)


def escalate(session: Session, alarm: Alarm, now: datetime, after_min: float) -> AlarmEvent:
    """Unacknowledged for ``after_min``: one level up (red stays red, and is sent again)."""
    previous = alarm.level
    alarm.level = next_level(alarm.level)
    if RANK[alarm.level] > RANK[alarm.peak_level]:
        alarm.peak_level = alarm.level
    alarm.escalations += 1
    alarm.escalated_at = now
    return record_event(session, alarm, "escalated", now, previous=previous,
                  reason=f"not acknowledged within {after_min:g} min")
