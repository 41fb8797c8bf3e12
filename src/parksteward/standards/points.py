"""Limits at monitoring points: assign the defaults, list them, edit them.

The defaults come from :func:`~parksteward.standards.assignment.default_limits` for the
point's kind, its enterprise's industry and the park's air-quality zone, narrowed to the
factors the point's devices measure (the limit's HJ 212 code) and to rows that state a
number. Re-assigning replaces the ``default`` rows and keeps every ``edited`` one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.errors import InvalidInput
from parksteward.registry.service import monitoring_points
from parksteward.registry.tables import Device, EmissionSource, Enterprise, MonitoringPoint, Park
from parksteward.standards.assignment import POINT_KINDS_WITH_DEFAULTS, default_limits
from parksteward.standards.errors import StandardsQueryError
from parksteward.standards.library import Limit
from parksteward.standards.tables import PointLimit

# Industry for park-owned points (ambient stations): the integrated standards apply.
PARK_INDUSTRY = "other"


def assign_defaults(session: Session, point: MonitoringPoint) -> list[PointLimit]:
    """(Re)assign the default limits of one point; returns its limits after the change (not committed)."""
    limits = default_limits_for(session, point)
    edited = {_key_of(row) for row in session.scalars(
        select(PointLimit).where(PointLimit.point_id == point.id, PointLimit.origin == "edited"))}
    session.execute(delete(PointLimit).where(PointLimit.point_id == point.id, PointLimit.origin == "default"))
    seen = set(edited)
    for limit in limits:
        row = _row_of(point.id, limit)
        key = _key_of(row)
        if key in seen:  # an edited value wins; of two defaults for one item the first (the stricter table) stays
            continue
        seen.add(key)
        session.add(row)
    session.flush()
    return list(session.scalars(select(PointLimit).where(PointLimit.point_id == point.id).order_by(PointLimit.id)))


def default_limits_for(session: Session, point: MonitoringPoint) -> list[Limit]:
    """The library's default limits for ``point`` that concern a factor its devices measure."""
    if point.kind not in POINT_KINDS_WITH_DEFAULTS:
        return []
    industry = PARK_INDUSTRY
    if point.enterprise_id is not None:
        industry = session.scalar(select(Enterprise.industry).where(Enterprise.id == point.enterprise_id))
    park = session.get(Park, point.park_id)
    discharge = "indirect"
    if point.source_id is not None:
        discharge = session.scalar(select(EmissionSource.discharge_destination)
                                   .where(EmissionSource.id == point.source_id)) or "indirect"
    factors = set()
    for codes in session.scalars(select(Device.factor_codes).where(Device.point_id == point.id)):
        factors.update(codes or ())
    try:
        found = default_limits(point.kind, industry, air_zone=park.air_quality_zone_class if park else 2,
                               discharge=discharge)
    except StandardsQueryError:
        return []  # a case the library leaves open (e.g. no new outfall allowed): nothing to assign
    return [lim for lim in found.limits if lim.hj212_code in factors and lim.direction != "none"
            and lim.value is not None]


def _row_of(point_id: int, limit: Limit) -> PointLimit:
    return PointLimit(
        point_id=point_id, factor=limit.hj212_code, quantity=limit.quantity, averaging=limit.averaging or "-",
        period=limit.period or "-", direction=limit.direction, value=limit.value, value_max=limit.value_max,
        unit=limit.unit, standard=limit.code, table_ref=limit.table_ref, ref_o2_pct=limit.ref_o2_pct,
        source=limit.source, verified=limit.verified, origin="default", note=limit.describe(),
    )


def _key_of(row: PointLimit) -> tuple:
    return row.factor, row.quantity, row.averaging, row.period


def point_limits(session: Session, actor: Actor, point_id: int) -> list[PointLimit]:
    point = monitoring_points.get(session, actor, point_id)
    return list(session.scalars(select(PointLimit).where(PointLimit.point_id == point.id).order_by(PointLimit.id)))


def assign_point_defaults(session: Session, actor: Actor, point_id: int) -> list[PointLimit]:
    point = monitoring_points.get(session, actor, point_id, "write")
    rows = assign_defaults(session, point)
    session.commit()
    return rows


class LimitEdit(BaseModel):
    """A limit as a user sets it: the value (and the upper bound of a range), why, and its unit."""

    model_config = ConfigDict(extra="forbid")

    factor: str = Field(min_length=1, max_length=16)
    quantity: str = "concentration"
    averaging: str = "-"
    period: str = "-"
    direction: str = "le"
    value: float
    value_max: float | None = None
    unit: str = Field(min_length=1, max_length=32)
    standard: str = Field("site permit", max_length=40, description="Where the number comes from (e.g. a permit)")
    note: str | None = None


def set_limit(session: Session, actor: Actor, point_id: int, edit: LimitEdit) -> PointLimit:
    """Create or replace one limit of a point; the row becomes ``edited`` and survives re-assignment."""
    point = monitoring_points.get(session, actor, point_id, "write")
    if edit.direction not in ("le", "ge", "range"):
        raise InvalidInput.single("direction", f"expected le, ge or range, not {edit.direction!r}")
    if edit.direction == "range" and (edit.value_max is None or edit.value_max <= edit.value):
        raise InvalidInput.single("value_max", "a range needs value_max above value")
    row = session.scalar(select(PointLimit).where(
        PointLimit.point_id == point.id, PointLimit.factor == edit.factor, PointLimit.quantity == edit.quantity,
        PointLimit.averaging == edit.averaging, PointLimit.period == edit.period))
    if row is None:
        row = PointLimit(point_id=point.id, factor=edit.factor, quantity=edit.quantity, averaging=edit.averaging,
                         period=edit.period)
        session.add(row)
    row.direction, row.value, row.value_max, row.unit = edit.direction, edit.value, edit.value_max, edit.unit
    row.standard, row.table_ref, row.source, row.verified = edit.standard, None, f"set by {actor.username}", True
    row.origin, row.note, row.ref_o2_pct = "edited", edit.note, None
    session.commit()
    return row


def limit_dict(row: PointLimit) -> dict:
    return {c: getattr(row, c) for c in (
        "id", "point_id", "factor", "quantity", "averaging", "period", "direction", "value", "value_max", "unit",
        "standard", "table_ref", "ref_o2_pct", "source", "verified", "origin", "note")}
