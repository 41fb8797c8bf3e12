"""Make a park ready for graded warnings: limits at its points, default rules, a starting
emergency plan and the park-level recipients. Idempotent: what a park already has is kept."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.alarms.plans import default_scenarios
from parksteward.alarms.rules import seed_default_rules
from parksteward.alarms.tables import Recipient
from parksteward.registry.tables import MonitoringPoint, Park
from parksteward.standards.points import assign_defaults
from parksteward.standards.tables import PointLimit

# The park's own desks; a real park replaces the addresses (API: /alarm-recipients).
PARK_RECIPIENTS = (
    ("园区应急指挥中心 command centre", "command", "command@park.example", "blue"),
    ("环保管家团队 steward team", "steward", "steward@park.example", "yellow"),
    ("生态环境局 regulator", "regulator", "regulator@park.example", "orange"),
    ("定点医院 designated hospital", "hospital", "hospital@park.example", "orange"),
)


def prepare_park(session: Session, park: Park) -> dict:
    """Assign default limits to points that have none, and seed rules, scenarios and recipients."""
    limited = set(session.scalars(select(PointLimit.point_id).distinct()))
    assigned = 0
    for point in session.scalars(select(MonitoringPoint).where(MonitoringPoint.park_id == park.id)):
        if point.id not in limited:
            assigned += len(assign_defaults(session, point))
    rules = seed_default_rules(session, park.id)
    scenarios = default_scenarios(session, park.id)
    if session.scalar(select(Recipient.id).where(Recipient.park_id == park.id).limit(1)) is None:
        session.add_all(Recipient(park_id=park.id, name=name, group=group, email=email, min_level=level)
                        for name, group, email, level in PARK_RECIPIENTS)
    session.commit()
    return {"limits_assigned": assigned, "rules": len(rules), "scenarios": len(scenarios)}
