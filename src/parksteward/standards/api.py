"""Route of enterprise risk grading (HJ 941-2018)."""

from __future__ import annotations

from fastapi import APIRouter

from parksteward.api.deps import ActorDep, SessionDep
from parksteward.standards.service import RiskGradeRequest, enterprise_risk_grade

router = APIRouter(tags=["emergency"])


@router.post("/enterprises/{enterprise_id}/risk-grade",
             summary="HJ 941-2018 risk grade: Q from the registry's inventories, air E from the receptors around it")
def risk_grade(enterprise_id: int, body: RiskGradeRequest, session: SessionDep, actor: ActorDep):
    return enterprise_risk_grade(session, actor, enterprise_id, body)
