"""Who is told of what: routing by level and enterprise, and the deliveries it creates.

| level | groups |
|---|---|
| blue (IV) | the enterprise's contacts |
| yellow (III) | + the park command centre and the steward team |
| orange (II) | + the regulator |
| red (I) | the same as orange |

Hospitals are added from the level the alarm's scenario names (``hospitals_from``; a toxic
release plan says orange). A recipient also has its own lowest level (``min_level``). The
enterprise's contacts in the registry receive e-mail as members of its ``enterprise`` group.

Every notification is one :class:`~parksteward.alarms.tables.Delivery` row per address and
channel, written in the same transaction as the alarm event (an outbox): nothing is sent for
an event that was not committed, and nothing committed is forgotten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from parksteward.alarms.levels import RANK, label
from parksteward.alarms.plans import response_for
from parksteward.alarms.tables import Alarm, AlarmEvent, AlarmRule, Delivery, Recipient, Scenario
from parksteward.registry.tables import Enterprise, MonitoringPoint

ROUTING = {
    "blue": ("enterprise",),
    "yellow": ("enterprise", "command", "steward"),
    "orange": ("enterprise", "command", "steward", "regulator"),
    "red": ("enterprise", "command", "steward", "regulator"),
}
# Events that go out on every channel; the others (level_down, updates) reach the live stream only.
NOTIFIED = ("raised", "level_up", "escalated", "acknowledged", "cleared")
EMAILED = ("raised", "level_up", "escalated")


def groups_for(level: str, scenario: Scenario | None) -> tuple[str, ...]:
    groups = ROUTING[level]
    if scenario is not None and scenario.hospitals_from and RANK[level] >= RANK[scenario.hospitals_from]:
        groups = groups + ("hospital",)
    return groups


def alarm_fields(alarm: Alarm) -> dict:
    """The alarm's own fields as channels and lists show them (no look-ups)."""
    return {
        "id": alarm.id, "level": alarm.level, "label": label(alarm.level), "peak_level": alarm.peak_level,
        "state": alarm.state, "kind": alarm.kind, "factor": alarm.factor, "value": alarm.value,
        "peak_value": alarm.peak_value, "threshold": alarm.threshold, "unit": alarm.unit, "count": alarm.count,
        "first_at": alarm.first_at.isoformat(), "last_at": alarm.last_at.isoformat(),
        "message": alarm.message, "message_en": (alarm.details or {}).get("message_en"), "advice": alarm.advice,
        "acknowledged_by": alarm.acknowledged_by, "cleared_by": alarm.cleared_by,
    }


def alarm_payload(session: Session, alarm: Alarm, event: AlarmEvent | None = None) -> dict:
    """What every channel carries: the alarm, where, the rule, and the plan's advice."""
    point = session.get(MonitoringPoint, alarm.point_id) if alarm.point_id else None
    enterprise = session.get(Enterprise, alarm.enterprise_id) if alarm.enterprise_id else None
    scenario = session.get(Scenario, alarm.scenario_id) if alarm.scenario_id else None
    rule = session.get(AlarmRule, alarm.rule_id) if alarm.rule_id else None
    response = response_for(scenario, alarm.level) if scenario else {}
    return {
        "event": event.kind if event else None, "event_id": event.id if event else None,
        "at": (event.at if event else alarm.last_at).isoformat(),
        "alarm": alarm_fields(alarm),
        "point": {"id": point.id, "code": point.code, "name": point.name, "kind": point.kind} if point else None,
        "enterprise": {"id": enterprise.id, "name": enterprise.name} if enterprise else None,
        "rule": {"id": rule.id, "name": rule.name} if rule else None,
        "scenario": ({"id": scenario.id, "code": scenario.code, "name": scenario.name,
                      "steps": response.get("steps", []), "roles": response.get("roles", []),
                      "resources": scenario.resources, "disposal": scenario.disposal} if scenario else None),
        "details": alarm.details,
    }


def route(session: Session, alarm: Alarm, event: AlarmEvent, now: datetime) -> list[Delivery]:
    """Create the deliveries of one event (not committed): the live stream, webhooks, e-mails."""
    payload = alarm_payload(session, alarm, event)
    deliveries = [Delivery(alarm_id=alarm.id, event_id=event.id, enterprise_id=alarm.enterprise_id, group=None,
                           channel="sse", address="live stream", status="pending", payload=payload,
                           created_at=now, next_attempt_at=now)]
    if event.kind in NOTIFIED:
        scenario = session.get(Scenario, alarm.scenario_id) if alarm.scenario_id else None
        groups = groups_for(alarm.level, scenario)
        seen: set[tuple[str, str]] = set()
        for recipient in recipients(session, alarm, groups):
            if recipient.webhook_url and ("webhook", recipient.webhook_url) not in seen:
                seen.add(("webhook", recipient.webhook_url))
                deliveries.append(_delivery(alarm, event, recipient.id, recipient.group, "webhook",
                                            recipient.webhook_url, payload, now))
            if recipient.email and event.kind in EMAILED and ("email", recipient.email) not in seen:
                seen.add(("email", recipient.email))
                deliveries.append(_delivery(alarm, event, recipient.id, recipient.group, "email", recipient.email,
                                            payload, now))
        if "enterprise" in groups and alarm.enterprise_id is not None and event.kind in EMAILED:
            contacts = session.scalar(select(Enterprise.contacts).where(Enterprise.id == alarm.enterprise_id)) or []
            for contact in contacts:
                email = (contact or {}).get("email")
                if email and ("email", email) not in seen:
                    seen.add(("email", email))
                    deliveries.append(_delivery(alarm, event, None, "enterprise", "email", email, payload, now))
    session.add_all(deliveries)
    session.flush()
    return deliveries


def _delivery(alarm: Alarm, event: AlarmEvent, recipient_id, group, channel, address, payload, now) -> Delivery:
    return Delivery(alarm_id=alarm.id, event_id=event.id, enterprise_id=alarm.enterprise_id,
                    recipient_id=recipient_id, group=group, channel=channel, address=address, status="pending",
                    payload=payload, created_at=now, next_attempt_at=now)


def recipients(session: Session, alarm: Alarm, groups: tuple[str, ...]) -> list[Recipient]:
    """Enabled recipients of ``groups`` whose lowest level the alarm reaches; an enterprise's
    own recipients only for its own alarms."""
    rows = session.scalars(select(Recipient).where(
        Recipient.park_id == alarm.park_id, Recipient.enabled.is_(True), Recipient.group.in_(groups),
        or_(Recipient.enterprise_id.is_(None), Recipient.enterprise_id == alarm.enterprise_id),
    ).order_by(Recipient.id))
    return [r for r in rows if RANK[alarm.level] >= RANK.get(r.min_level, 0)
            and (r.group != "enterprise" or r.enterprise_id == alarm.enterprise_id)]
