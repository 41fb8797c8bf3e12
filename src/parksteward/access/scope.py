"""Access control as a query filter, in one place.

Every service builds its statements through :func:`scoped`. Reads by an enterprise user are
narrowed to its own enterprise's rows plus the shared park-level objects (park, factor
catalogue, sensitive receptors, weather stations); park-owned monitoring points and devices
(ambient air, weather) are not its own and stay out of its scope. Writes are allowed only
where the role may write. Outside-scope objects simply are not found, so a service
answers 404 and existence does not leak.
"""

from __future__ import annotations

import enum

from sqlalchemy import Select, false, select

from parksteward.access.actor import Actor
from parksteward.errors import PermissionDenied


class Ownership(enum.Enum):
    """How a table's rows relate to an enterprise."""

    PARK_LEVEL = "park_level"  # shared: park, receptors, weather stations, factor catalogue
    ENTERPRISE_SELF = "enterprise_self"  # the enterprise row itself
    ENTERPRISE_COLUMN = "enterprise_column"  # rows with an enterprise_id column (null = park-owned)
    VIA_POINT = "via_point"  # devices: through their monitoring point
    VIA_DEVICE = "via_device"  # readings, roll-ups, frame verdicts: through their device's point
    OPERATORS_ONLY = "operators_only"  # e.g. the raw-frame archive: never an enterprise's to read


def ownership_of(model) -> Ownership:
    return getattr(model, "__ownership__", Ownership.PARK_LEVEL)


def scoped(stmt: Select, model, actor: Actor, action: str = "read") -> Select:
    """Narrow ``stmt`` (a select of ``model``) to what ``actor`` may ``action`` ('read'/'write').

    Raises :class:`PermissionDenied` when the role may not write this kind of object at all.
    """
    if action not in ("read", "write"):
        raise ValueError(f"unknown action {action!r}, expected 'read' or 'write'")
    ownership = ownership_of(model)
    if actor.writes_registry:
        return stmt
    if not actor.is_enterprise:
        if action == "write":
            raise PermissionDenied(f"role {actor.role!r} may read but not change {model.__tablename__}")
        return stmt
    if ownership is Ownership.PARK_LEVEL:
        if action == "write":
            raise PermissionDenied(f"an enterprise user may not change {model.__tablename__}")
        return stmt
    return stmt.where(owner_clause(model, actor.enterprise_id))


def owner_clause(model, enterprise_id: int):
    """SQL condition: the row belongs to ``enterprise_id``."""
    ownership = ownership_of(model)
    if ownership is Ownership.ENTERPRISE_SELF:
        return model.id == enterprise_id
    if ownership is Ownership.ENTERPRISE_COLUMN:
        return model.enterprise_id == enterprise_id
    from parksteward.registry.tables import Device, MonitoringPoint

    own_points = select(MonitoringPoint.id).where(MonitoringPoint.enterprise_id == enterprise_id)
    if ownership is Ownership.VIA_POINT:
        return model.point_id.in_(own_points)
    if ownership is Ownership.VIA_DEVICE:
        return model.device_id.in_(select(Device.id).where(Device.point_id.in_(own_points)))
    return false()
