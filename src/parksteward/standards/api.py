"""Routes of the standards library (query), limits at monitoring points, and HJ 941 risk grading."""

from __future__ import annotations

import datetime as _dt

from fastapi import APIRouter

from parksteward.api.deps import ActorDep, SessionDep
from parksteward.errors import InvalidInput
from parksteward.standards import points
from parksteward.standards.errors import StandardsQueryError
from parksteward.standards.library import default_library
from parksteward.standards.service import RiskGradeRequest, enterprise_risk_grade

router = APIRouter(tags=["emergency"])


@router.post("/enterprises/{enterprise_id}/risk-grade",
             summary="HJ 941-2018 risk grade: Q from the registry's inventories, air E from the receptors around it")
def risk_grade(enterprise_id: int, body: RiskGradeRequest, session: SessionDep, actor: ActorDep):
    return enterprise_risk_grade(session, actor, enterprise_id, body)


@router.get("/standards/limits", tags=["standards"],
            summary="Limits in force, each with its standard, table, averaging time, zone, source and verified flag")
def standard_limits(_actor: ActorDep, pollutant: str | None = None, medium: str | None = None,
                    standard: str | None = None, averaging: str | None = None, zone: str | None = None,
                    quantity: str | None = None, on: _dt.date | None = None):
    try:
        rows = default_library().limits(pollutant, medium, standard, averaging, zone, on, quantity=quantity)
    except StandardsQueryError as exc:
        raise InvalidInput.single(exc.parameter, exc.message) from None
    return {"count": len(rows), "data": [row.model_dump(mode="json") | {"label": row.describe()} for row in rows]}


@router.get("/points/{point_id}/limits", tags=["standards"], summary="The limits applied at a monitoring point")
def point_limits(point_id: int, session: SessionDep, actor: ActorDep):
    return {"data": [points.limit_dict(row) for row in points.point_limits(session, actor, point_id)]}


@router.post("/points/{point_id}/limits/defaults", tags=["standards"],
             summary="(Re)assign the default limits by kind and industry; edited limits are kept")
def assign_defaults(point_id: int, session: SessionDep, actor: ActorDep):
    return {"data": [points.limit_dict(row) for row in points.assign_point_defaults(session, actor, point_id)]}


@router.put("/points/{point_id}/limits", tags=["standards"],
            summary="Set one limit of a point (e.g. from its discharge permit); it survives re-assignment")
def set_limit(point_id: int, body: points.LimitEdit, session: SessionDep, actor: ActorDep):
    return points.limit_dict(points.set_limit(session, actor, point_id, body))
