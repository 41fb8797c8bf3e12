"""Use cases of the warning loop: rules, recipients and scenarios (CRUD), alarms (list, read,
acknowledge, clear, history) and deliveries, all scoped by the actor."""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.access.scope import scoped
from parksteward.alarms import lifecycle
from parksteward.alarms.levels import LEVELS
from parksteward.alarms.routing import alarm_fields, alarm_payload, route
from parksteward.alarms.rules import RuleIn, check_rule
from parksteward.alarms.tables import (
    ALARM_KINDS,
    GROUPS,
    STATES,
    Alarm,
    AlarmEvent,
    AlarmRule,
    Delivery,
    Recipient,
    Scenario,
)
from parksteward.crud import CrudService
from parksteward.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from parksteward.registry.tables import MonitoringPoint, Park, RiskSource

ACTING_ROLES = ("admin", "steward", "command", "enterprise")  # may acknowledge and clear


# ------------------------------------------------------------------ rules
class RuleRead(RuleIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    park_id: int


class RuleService(CrudService):
    model = AlarmRule
    create_schema = RuleIn
    read_schema = RuleRead
    label = "alarm rule"
    filters = ("park_id", "enterprise_id", "point_id", "point_kind", "kind", "factor", "enabled")

    def check(self, session: Session, actor: Actor, data: RuleIn, existing) -> None:
        check_rule(data)
        if data.park_id is None or session.get(Park, data.park_id) is None:
            raise InvalidInput.single("park_id", f"no park {data.park_id}")
        if data.point_id is not None:
            point = session.get(MonitoringPoint, data.point_id)
            if point is None or point.park_id != data.park_id:
                raise InvalidInput.single("point_id", f"no monitoring point {data.point_id} in park {data.park_id}")
        if data.scenario_id is not None and session.get(Scenario, data.scenario_id) is None:
            raise InvalidInput.single("scenario_id", f"no emergency scenario {data.scenario_id}")
        if actor.is_enterprise and data.enterprise_id != actor.enterprise_id:
            raise PermissionDenied("an enterprise user may write rules for its own enterprise only")


# ------------------------------------------------------------------ recipients
class RecipientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    park_id: int
    enterprise_id: int | None = None
    name: str = Field(min_length=1, max_length=200)
    group: str = Field(description=f"One of {list(GROUPS)}")
    email: str | None = Field(None, max_length=254)
    webhook_url: str | None = Field(None, max_length=500)
    webhook_secret: str | None = Field(None, min_length=16, max_length=200,
                                       description="HMAC key for the X-ParkSteward-Signature header")
    min_level: str = "blue"
    enabled: bool = True

    @field_validator("group")
    @classmethod
    def _group(cls, value: str) -> str:
        if value not in GROUPS:
            raise ValueError(f"unknown group {value!r}, expected one of {list(GROUPS)}")
        return value

    @field_validator("min_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value not in LEVELS:
            raise ValueError(f"unknown level {value!r}, expected one of {list(LEVELS)}")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and ("@" not in value or value.startswith("@") or value.endswith("@")):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"a webhook URL starts with http:// or https:// (found {value!r})")
        return value


class RecipientRead(RecipientIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    webhook_secret: str | None = Field(None, exclude=True)  # never read back
    has_secret: bool = False

    @classmethod
    def of(cls, row: Recipient) -> RecipientRead:
        data = cls.model_validate(row)
        data.has_secret = bool(row.webhook_secret)
        return data


class RecipientService(CrudService):
    model = Recipient
    create_schema = RecipientIn
    read_schema = RecipientRead
    label = "alarm recipient"
    filters = ("park_id", "enterprise_id", "group", "enabled")

    def check(self, session: Session, actor: Actor, data: RecipientIn, existing) -> None:
        if data.email is None and data.webhook_url is None:
            raise InvalidInput.single("email", "a recipient needs an e-mail address or a webhook_url")
        if data.group == "enterprise" and data.enterprise_id is None:
            raise InvalidInput.single("enterprise_id", "a recipient of the enterprise group names its enterprise")
        if actor.is_enterprise and data.enterprise_id != actor.enterprise_id:
            raise PermissionDenied("an enterprise user may add recipients of its own enterprise only")

    def read(self, obj: Recipient) -> RecipientRead:
        return RecipientRead.of(obj)


# ------------------------------------------------------------------ scenarios
class ScenarioIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    park_id: int
    enterprise_id: int | None = None
    risk_source_id: int | None = None
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=32)
    chemical: str | None = None
    triggers: dict = Field(default_factory=dict, description='{"kinds": [...], "factors": [...]}')
    responses: dict = Field(default_factory=dict, description='level -> {"steps": [...], "roles": [...]}')
    contacts: list = Field(default_factory=list)
    resources: list = Field(default_factory=list)
    disposal: str | None = None
    hospitals_from: str | None = None

    @field_validator("responses")
    @classmethod
    def _responses(cls, value: dict) -> dict:
        for level, response in value.items():
            if level not in LEVELS:
                raise ValueError(f"unknown level {level!r}, expected some of {list(LEVELS)}")
            if not isinstance(response, dict) or not isinstance(response.get("steps", []), list):
                raise ValueError(f"the {level} response must be an object with a list of steps")
        return value

    @field_validator("triggers")
    @classmethod
    def _triggers(cls, value: dict) -> dict:
        unknown = set(value) - {"kinds", "factors"}
        if unknown:
            raise ValueError(f"unknown trigger key(s) {sorted(unknown)}, expected kinds and factors")
        bad = [k for k in value.get("kinds", []) if k not in ALARM_KINDS]
        if bad:
            raise ValueError(f"unknown alarm kind(s) {bad}, expected some of {list(ALARM_KINDS)}")
        return value

    @field_validator("hospitals_from")
    @classmethod
    def _hospitals(cls, value: str | None) -> str | None:
        if value is not None and value not in LEVELS:
            raise ValueError(f"unknown level {value!r}, expected one of {list(LEVELS)}")
        return value


class ScenarioRead(ScenarioIn):
    model_config = ConfigDict(from_attributes=True)

    id: int


class ScenarioService(CrudService):
    model = Scenario
    create_schema = ScenarioIn
    read_schema = ScenarioRead
    label = "emergency scenario"
    filters = ("park_id", "enterprise_id", "risk_source_id", "kind")

    def check(self, session: Session, actor: Actor, data: ScenarioIn, existing) -> None:
        if data.risk_source_id is not None:
            source = session.get(RiskSource, data.risk_source_id)
            if source is None:
                raise InvalidInput.single("risk_source_id", f"no risk source {data.risk_source_id}")
            if data.enterprise_id not in (None, source.enterprise_id):
                raise InvalidInput.single("enterprise_id", "the risk source belongs to another enterprise")
        if actor.is_enterprise and data.enterprise_id != actor.enterprise_id:
            raise PermissionDenied("an enterprise user may write scenarios of its own enterprise only")


rules = RuleService()
recipients = RecipientService()
scenarios = ScenarioService()


# ------------------------------------------------------------------ alarms
def _alarm(session: Session, actor: Actor, alarm_id: int) -> Alarm:
    alarm = session.scalar(scoped(select(Alarm).where(Alarm.id == alarm_id), Alarm, actor))
    if alarm is None:
        raise NotFound(f"alarm {alarm_id} not found")
    return alarm


def list_alarms(session: Session, actor: Actor, *, state: str | None = None, open_only: bool = False,
                level: str | None = None, enterprise_id: int | None = None, point_id: int | None = None,
                kind: str | None = None, limit: int = 200, offset: int = 0) -> dict:
    if state is not None and state not in STATES:
        raise InvalidInput.single("state", f"unknown state {state!r}, expected one of {list(STATES)}")
    if level is not None and level not in LEVELS:
        raise InvalidInput.single("level", f"unknown level {level!r}, expected one of {list(LEVELS)}")
    stmt = scoped(select(Alarm), Alarm, actor)
    for column, value in ((Alarm.state, state), (Alarm.level, level), (Alarm.enterprise_id, enterprise_id),
                          (Alarm.point_id, point_id), (Alarm.kind, kind)):
        if value is not None:
            stmt = stmt.where(column == value)
    if open_only:
        stmt = stmt.where(Alarm.state != "cleared")
    count = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Alarm.last_at.desc(), Alarm.id.desc()).limit(limit).offset(offset))
    data = [alarm_fields(alarm) | _where(alarm) for alarm in rows]
    by_level = {lvl: 0 for lvl in LEVELS}
    open_alarms = scoped(select(Alarm), Alarm, actor).where(Alarm.state != "cleared").subquery()
    for lvl, n in session.execute(select(open_alarms.c.level, func.count()).group_by(open_alarms.c.level)):
        by_level[lvl] = n
    return {"count": count, "open_by_level": by_level, "data": data}


def _where(alarm: Alarm) -> dict:
    return {"point_id": alarm.point_id, "enterprise_id": alarm.enterprise_id, "rule_id": alarm.rule_id,
            "scenario_id": alarm.scenario_id, "acknowledged_at": alarm.acknowledged_at,
            "cleared_at": alarm.cleared_at}


def alarm_detail(session: Session, actor: Actor, alarm_id: int) -> dict:
    alarm = _alarm(session, actor, alarm_id)
    payload = alarm_payload(session, alarm)
    payload["history"] = [
        {"id": e.id, "at": e.at, "kind": e.kind, "level": e.level, "actor": e.actor, "comment": e.comment,
         "detail": e.detail}
        for e in session.scalars(select(AlarmEvent).where(AlarmEvent.alarm_id == alarm.id).order_by(AlarmEvent.id))]
    payload["deliveries"] = [delivery_dict(d) for d in session.scalars(
        select(Delivery).where(Delivery.alarm_id == alarm.id).order_by(Delivery.id))]
    payload["alarm"] |= {"acknowledged_at": alarm.acknowledged_at, "acknowledge_comment": alarm.acknowledge_comment,
                         "cleared_at": alarm.cleared_at, "clear_comment": alarm.clear_comment,
                         "escalations": alarm.escalations}
    return payload


def list_events(session: Session, actor: Actor, *, enterprise_id: int | None = None, point_id: int | None = None,
                alarm_id: int | None = None, since: datetime | None = None, limit: int = 500) -> dict:
    """The alarm history of an enterprise or a point (every raise, level change, acknowledgement,
    escalation and clearing), newest first."""
    stmt = scoped(select(AlarmEvent), AlarmEvent, actor)
    for column, value in ((AlarmEvent.enterprise_id, enterprise_id), (AlarmEvent.point_id, point_id),
                          (AlarmEvent.alarm_id, alarm_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if since is not None:
        stmt = stmt.where(AlarmEvent.at >= since)
    rows = session.scalars(stmt.order_by(AlarmEvent.id.desc()).limit(limit))
    return {"data": [{"id": e.id, "alarm_id": e.alarm_id, "enterprise_id": e.enterprise_id, "point_id": e.point_id,
                      "at": e.at, "kind": e.kind, "level": e.level, "actor": e.actor, "comment": e.comment,
                      "detail": e.detail} for e in rows]}


def delivery_dict(d: Delivery) -> dict:
    return {"id": d.id, "alarm_id": d.alarm_id, "event_id": d.event_id, "channel": d.channel, "group": d.group,
            "address": d.address, "status": d.status, "attempts": d.attempts, "created_at": d.created_at,
            "delivered_at": d.delivered_at, "last_error": d.last_error, "log": d.log}


def act_on(session: Session, actor: Actor, alarm_id: int, action: str, comment: str | None) -> dict:
    """Acknowledge or clear an alarm for ``actor``; the event is notified like any other."""
    if actor.role not in ACTING_ROLES:
        raise PermissionDenied(f"role {actor.role!r} may read alarms but not {action} them")
    alarm = _alarm(session, actor, alarm_id)
    now = datetime.now(timezone.utc)
    step = {"acknowledge": lifecycle.acknowledge, "clear": lifecycle.clear}[action]
    try:
        event = step(session, alarm, actor.username, comment, now)
    except lifecycle.LifecycleError as exc:
        raise Conflict("state", str(exc)) from None
    route(session, alarm, event, now)
    session.commit()
    return alarm_detail(session, actor, alarm.id)


def list_deliveries(session: Session, actor: Actor, *, alarm_id: int | None = None, status: str | None = None,
                    channel: str | None = None, limit: int = 200) -> dict:
    stmt = scoped(select(Delivery), Delivery, actor)
    for column, value in ((Delivery.alarm_id, alarm_id), (Delivery.status, status), (Delivery.channel, channel)):
        if value is not None:
            stmt = stmt.where(column == value)
    rows = session.scalars(stmt.order_by(Delivery.id.desc()).limit(limit))
    return {"data": [delivery_dict(d) for d in rows]}
