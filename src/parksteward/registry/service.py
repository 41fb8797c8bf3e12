"""Use cases of the park registry, one service per entity, all scoped by actor."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parksteward.access import Actor, scoped
from parksteward.crud import CrudService
from parksteward.errors import InvalidInput, NotFound, PermissionDenied
from parksteward.hj212.codes import factor_catalogue
from parksteward.registry import schemas as s
from parksteward.registry.geometry import (
    geodesic_area_m2,
    geometry_inside,
    lonlat_inside,
    representative_lonlat,
    shared_area_m2,
)
from parksteward.registry.tables import (
    Device,
    EmissionSource,
    Enterprise,
    Factor,
    FunctionalZone,
    MonitoringPoint,
    Park,
    RiskSource,
    SensitiveReceptor,
    WeatherStation,
)

# HJ 212 devices send their password in clear in every frame and reconnect often, so the
# gateway verifies it at a high rate: argon2id with a light memory cost keeps the stored
# value useless to a thief of the database without making authentication a bottleneck.
DEVICE_PASSWORDS = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),))


def _require(session: Session, actor: Actor, model, obj_id: int | None, field: str, action: str = "read"):
    """The referenced object, if the actor may ``action`` it; else a 422 naming ``field``."""
    if obj_id is None:
        return None
    obj = session.scalars(scoped(select(model), model, actor, action).where(model.id == obj_id)).first()
    if obj is None:
        raise InvalidInput.single(field, f"no {model.__tablename__} with id {obj_id} within your scope")
    return obj


def _inside_park(park: Park, field: str, lon: float, lat: float) -> None:
    if not lonlat_inside(park.boundary, lon, lat):
        raise InvalidInput.single(
            field, f"location ({lon:.6f}, {lat:.6f}) is outside the boundary of park {park.name!r}"
        )


def _on_enterprise_site(session: Session, enterprise: Enterprise, field: str, lon: float, lat: float) -> None:
    """Inside the park and, where the enterprise's plot (footprint) is known, inside that plot."""
    _inside_park(session.get(Park, enterprise.park_id), field, lon, lat)
    if enterprise.footprint is not None and not lonlat_inside(enterprise.footprint, lon, lat):
        raise InvalidInput.single(
            field, f"location ({lon:.6f}, {lat:.6f}) is outside the site of enterprise {enterprise.name!r}"
        )


class ParkService(CrudService):
    model = Park
    create_schema = s.ParkCreate
    read_schema = s.ParkRead
    label = "park"
    unique_together = (("name",),)

    def stats(self, session: Session, actor: Actor, park_id: int) -> dict[str, int]:
        """Counts of the park's registry, as an actor sees them."""
        park = self.get(session, actor, park_id)

        def count(model, *where) -> int:
            stmt = scoped(select(model.id), model, actor, "read").where(*where)
            return session.scalar(select(func.count()).select_from(stmt.subquery()))

        enterprise_ids = select(Enterprise.id).where(Enterprise.park_id == park.id)
        point_ids = select(MonitoringPoint.id).where(MonitoringPoint.park_id == park.id)
        in_park_enterprise = EmissionSource.enterprise_id.in_(enterprise_ids)
        return {
            "park_id": park.id,
            "enterprises": count(Enterprise, Enterprise.park_id == park.id),
            "monitoring_points": count(MonitoringPoint, MonitoringPoint.park_id == park.id),
            "devices": count(Device, Device.point_id.in_(point_ids)),
            "emission_sources": count(EmissionSource, in_park_enterprise),
            "stacks": count(EmissionSource, in_park_enterprise, EmissionSource.kind == "stack"),
            "wastewater_outlets": count(EmissionSource, in_park_enterprise, EmissionSource.kind == "wastewater_outlet"),
            "fugitive_areas": count(EmissionSource, in_park_enterprise, EmissionSource.kind == "fugitive_area"),
            "functional_zones": count(FunctionalZone, FunctionalZone.park_id == park.id),
            "sensitive_receptors": count(SensitiveReceptor, SensitiveReceptor.park_id == park.id),
            "residential_areas": count(
                SensitiveReceptor, SensitiveReceptor.park_id == park.id, SensitiveReceptor.kind == "residential"
            ),
            "water_source_zones": count(
                SensitiveReceptor, SensitiveReceptor.park_id == park.id, SensitiveReceptor.kind == "water_source_zone"
            ),
            "risk_sources": count(RiskSource, RiskSource.enterprise_id.in_(enterprise_ids)),
            "weather_stations": count(WeatherStation, WeatherStation.park_id == park.id),
        }


# Zones of a plan share their borders; drawn or snapped in a GIS they may overlap by a sliver
# along them. Anything larger is two zones claiming the same ground.
ZONE_OVERLAP_TOLERANCE_M2 = 100.0


class FunctionalZoneService(CrudService):
    model = FunctionalZone
    create_schema = s.FunctionalZoneCreate
    read_schema = s.FunctionalZoneRead
    label = "functional zone"
    filters = ("park_id", "kind", "code")
    unique_together = (("park_id", "code"),)

    def check(self, session, actor, data, existing):
        if existing is not None and existing.park_id != data.park_id:
            raise InvalidInput.single("park_id", "a functional zone cannot move to another park")
        park = _require(session, actor, Park, data.park_id, "park_id")
        if not geometry_inside(park.boundary, data.geometry):
            raise InvalidInput.single("geometry", f"zone extends outside the boundary of park {park.name!r}")
        others = select(FunctionalZone).where(FunctionalZone.park_id == park.id)
        if existing is not None:
            others = others.where(FunctionalZone.id != existing.id)
        for other in session.scalars(others.order_by(FunctionalZone.id)):
            shared = shared_area_m2(data.geometry, other.geometry)
            if shared > ZONE_OVERLAP_TOLERANCE_M2:
                raise InvalidInput.single(
                    "geometry", f"zone overlaps zone {other.code} {other.name!r} by {shared:,.0f} m² "
                    f"(zones of a park do not overlap; up to {ZONE_OVERLAP_TOLERANCE_M2:.0f} m² along a shared border is allowed)"
                )

    def columns(self, data):
        values = data.model_dump()
        values["lon"], values["lat"] = representative_lonlat(data.geometry)
        values["area_ha"] = round(geodesic_area_m2(data.geometry) / 1e4, 4)
        return values


class EnterpriseService(CrudService):
    model = Enterprise
    create_schema = s.EnterpriseCreate
    read_schema = s.EnterpriseRead
    label = "enterprise"
    filters = ("park_id", "industry", "pollution_class")
    unique_together = (("credit_code",),)

    def check(self, session, actor, data, existing):
        if existing is None and not actor.writes_registry:
            raise PermissionDenied("enterprises are registered by the park administration or the steward team")
        if existing is not None and existing.park_id != data.park_id:
            raise InvalidInput.single("park_id", "an enterprise cannot move to another park")
        park = _require(session, actor, Park, data.park_id, "park_id")
        _inside_park(park, "lon", data.lon, data.lat)
        if data.footprint is not None and not geometry_inside(park.boundary, data.footprint):
            raise InvalidInput.single("footprint", f"footprint extends outside the boundary of park {park.name!r}")

    def delete(self, session, actor, obj_id):
        if not actor.writes_registry:
            raise PermissionDenied("enterprises are removed by the park administration or the steward team")
        super().delete(session, actor, obj_id)


class EmissionSourceService(CrudService):
    model = EmissionSource
    create_schema = s.EmissionSourceCreate
    read_schema = s.EmissionSourceRead
    label = "emission source"
    filters = ("enterprise_id", "kind")
    unique_together = (("enterprise_id", "code"),)

    def check(self, session, actor, data, existing):
        enterprise = _require(session, actor, Enterprise, data.enterprise_id, "enterprise_id", "write")
        _on_enterprise_site(session, enterprise, "lon", data.lon, data.lat)
        site = enterprise.footprint or session.get(Park, enterprise.park_id).boundary
        if data.area is not None and not geometry_inside(site, data.area):
            raise InvalidInput.single("area", f"fugitive area extends outside the site of enterprise {enterprise.name!r}")


class MonitoringPointService(CrudService):
    model = MonitoringPoint
    create_schema = s.MonitoringPointCreate
    read_schema = s.MonitoringPointRead
    label = "monitoring point"
    filters = ("park_id", "enterprise_id", "kind", "source_id", "risk_source_id")
    unique_together = (("code",),)

    def check(self, session, actor, data, existing):
        park = _require(session, actor, Park, data.park_id, "park_id")
        if actor.is_enterprise and data.enterprise_id != actor.enterprise_id:
            raise InvalidInput.single("enterprise_id", f"must be your enterprise ({actor.enterprise_id})")
        if data.enterprise_id is not None:
            enterprise = _require(session, actor, Enterprise, data.enterprise_id, "enterprise_id", "write")
            if enterprise.park_id != park.id:
                raise InvalidInput.single("enterprise_id", f"enterprise {enterprise.id} is not in park {park.id}")
        for field, model in (("source_id", EmissionSource), ("risk_source_id", RiskSource)):
            ref = _require(session, actor, model, getattr(data, field), field)
            if ref is not None and ref.enterprise_id != data.enterprise_id:
                raise InvalidInput.single(field, f"{model.__tablename__} {ref.id} belongs to another enterprise")
        _inside_park(park, "lon", data.lon, data.lat)


class DeviceService(CrudService):
    model = Device
    create_schema = s.DeviceCreate
    read_schema = s.DeviceRead
    label = "device"
    filters = ("point_id", "mn", "protocol_version")
    unique_together = (("mn",),)

    def check(self, session, actor, data, existing):
        if existing is None and data.password is None:
            raise InvalidInput.single("password", "a new device needs its HJ 212 password")
        _require(session, actor, MonitoringPoint, data.point_id, "point_id", "write")
        known = set(session.scalars(select(Factor.code).where(Factor.code.in_(data.factor_codes))))
        unknown = [code for code in data.factor_codes if code not in known]
        if unknown:
            raise InvalidInput.single(
                "factor_codes", f"unknown factor codes {unknown}: expected codes of the factor catalogue (GET /api/v1/factors)"
            )

    def validate(self, raw):
        # An update that does not change the password keeps the stored hash: validate the
        # rest with a stand-in and drop it again (password None = unchanged).
        unchanged = "password" not in raw
        data = super().validate(raw if not unchanged else {**raw, "password": "unchanged"})
        return data.model_copy(update={"password": None}) if unchanged else data

    def as_input(self, obj):
        return {name: getattr(obj, name) for name in self.create_schema.model_fields if name != "password"}

    def columns(self, data):
        values = data.model_dump(exclude={"password"})
        if data.password is not None:
            values["password_hash"] = DEVICE_PASSWORDS.hash(data.password)
        return values

    def verify_password(self, device: Device, password: str) -> bool:
        return DEVICE_PASSWORDS.verify(password, device.password_hash)


class SensitiveReceptorService(CrudService):
    model = SensitiveReceptor
    create_schema = s.SensitiveReceptorCreate
    read_schema = s.SensitiveReceptorRead
    label = "sensitive receptor"
    filters = ("park_id", "kind")

    def check(self, session, actor, data, existing):
        _require(session, actor, Park, data.park_id, "park_id")

    def columns(self, data):
        values = data.model_dump()
        values["lon"], values["lat"] = representative_lonlat(data.geometry)
        return values


class RiskSourceService(CrudService):
    model = RiskSource
    create_schema = s.RiskSourceCreate
    read_schema = s.RiskSourceRead
    label = "risk source"
    filters = ("enterprise_id", "kind")
    unique_together = (("enterprise_id", "code"),)

    def check(self, session, actor, data, existing):
        enterprise = _require(session, actor, Enterprise, data.enterprise_id, "enterprise_id", "write")
        _on_enterprise_site(session, enterprise, "lon", data.lon, data.lat)


class WeatherStationService(CrudService):
    model = WeatherStation
    create_schema = s.WeatherStationCreate
    read_schema = s.WeatherStationRead
    label = "weather station"
    filters = ("park_id",)

    def check(self, session, actor, data, existing):
        _require(session, actor, Park, data.park_id, "park_id")
        point = _require(session, actor, MonitoringPoint, data.point_id, "point_id")
        if point is not None and (point.kind != "weather" or point.park_id != data.park_id):
            raise InvalidInput.single("point_id", f"monitoring point {point.id} is not a weather point of park {data.park_id}")


class FactorService:
    """The factor catalogue: read-only through the API, loaded from the shipped data."""

    def list(self, session: Session, medium: str | None = None) -> list[Factor]:
        stmt = select(Factor).order_by(Factor.code)
        if medium is not None:
            stmt = stmt.where(Factor.medium == medium)
        return list(session.scalars(stmt))

    def get(self, session: Session, code: str) -> Factor:
        factor = session.get(Factor, code)
        if factor is None:
            factor = session.scalars(select(Factor).where(Factor.code_2005 == code)).first()
        if factor is None:
            raise NotFound(f"no factor with HJ 212 code {code!r}")
        return factor

    def load_catalogue(self, session: Session) -> int:
        """Insert or refresh the shipped catalogue; returns the number of factors."""
        rows = factor_catalogue()["factors"]
        for row in rows:
            session.merge(Factor(**row))
        session.commit()
        return len(rows)


parks = ParkService()
functional_zones = FunctionalZoneService()
enterprises = EnterpriseService()
emission_sources = EmissionSourceService()
monitoring_points = MonitoringPointService()
devices = DeviceService()
sensitive_receptors = SensitiveReceptorService()
risk_sources = RiskSourceService()
weather_stations = WeatherStationService()
factors = FactorService()
