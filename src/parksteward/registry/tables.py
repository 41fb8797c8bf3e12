"""SQLAlchemy tables of the park registry.

Units are in the column names; geometries are GeoJSON geometry objects (WGS84 lon/lat).
Ownership: every object that belongs to an enterprise carries ``enterprise_id`` (devices
through their monitoring point), which is what access scoping filters on.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parksteward.access.scope import Ownership
from parksteward.db.base import Base, TimestampMixin


class Park(TimestampMixin, Base):
    """An industrial park (园区)."""

    __tablename__ = "park"
    __ownership__ = Ownership.PARK_LEVEL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    boundary: Mapped[dict]
    air_quality_zone_class: Mapped[int] = mapped_column(default=2)
    a_value_region: Mapped[int] = mapped_column(default=5)
    province: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("air_quality_zone_class IN (1, 2)", name="zone_class"),
        CheckConstraint("a_value_region BETWEEN 1 AND 7", name="a_value_region"),
    )


class FunctionalZone(TimestampMixin, Base):
    """A functional zone of the park's plan (功能分区): production, storage, buffer, reserve ...

    ``lon``/``lat`` is a point on the zone where a map puts its label; ``area_ha`` its geodesic
    area on the WGS84 ellipsoid [ha]. Both follow the geometry (the service computes them).
    """

    __tablename__ = "functional_zone"
    __ownership__ = Ownership.PARK_LEVEL

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    geometry: Mapped[dict]
    description: Mapped[str | None] = mapped_column(Text)
    lon: Mapped[float]
    lat: Mapped[float]
    area_ha: Mapped[float]

    __table_args__ = (UniqueConstraint("park_id", "code", name="uq_functional_zone_park_code"),)


class Factor(Base):
    """A monitored factor of the HJ 212 catalogue (监测因子)."""

    __tablename__ = "factor"
    __ownership__ = Ownership.PARK_LEVEL

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    code_2005: Mapped[str | None] = mapped_column(String(16), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    medium: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(32))
    amount_unit: Mapped[str | None] = mapped_column(String(32))
    data_type: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class Enterprise(TimestampMixin, Base):
    """An enterprise located in the park (入驻企业)."""

    __tablename__ = "enterprise"
    __ownership__ = Ownership.ENTERPRISE_SELF

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    industry: Mapped[str] = mapped_column(String(32))
    size_class: Mapped[str] = mapped_column(String(16))
    pollution_class: Mapped[str] = mapped_column(String(16))
    contacts: Mapped[list] = mapped_column(default=list)
    lon: Mapped[float]
    lat: Mapped[float]
    address: Mapped[str | None] = mapped_column(String(300))
    footprint: Mapped[dict | None]
    building_height_m: Mapped[float | None]


class EmissionSource(TimestampMixin, Base):
    """An emission source or outlet (排放口/污染源): stack, wastewater outlet or fugitive area."""

    __tablename__ = "emission_source"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    lon: Mapped[float]
    lat: Mapped[float]
    # stack
    stack_height_m: Mapped[float | None]
    stack_inner_diameter_m: Mapped[float | None]
    exit_velocity_m_s: Mapped[float | None]
    exit_temperature_k: Mapped[float | None]
    # wastewater outlet
    discharge_destination: Mapped[str | None] = mapped_column(String(32))
    receiving_water: Mapped[str | None] = mapped_column(String(100))
    # fugitive area
    area: Mapped[dict | None]
    release_height_m: Mapped[float | None]

    __table_args__ = (UniqueConstraint("enterprise_id", "code", name="uq_emission_source_enterprise_code"),)


class MonitoringPoint(TimestampMixin, Base):
    """A monitoring point (监测点位); park-owned when ``enterprise_id`` is null."""

    __tablename__ = "monitoring_point"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(ForeignKey("emission_source.id", ondelete="SET NULL"))
    risk_source_id: Mapped[int | None] = mapped_column(ForeignKey("risk_source.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24), index=True)
    lon: Mapped[float]
    lat: Mapped[float]
    reference_o2_pct: Mapped[float | None]

    devices: Mapped[list[Device]] = relationship(
        back_populates="point", cascade="all, delete-orphan", passive_deletes=True
    )


class Device(TimestampMixin, Base):
    """A data acquisition device (数采仪) speaking HJ 212, identified by its MN."""

    __tablename__ = "device"
    __ownership__ = Ownership.VIA_POINT

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("monitoring_point.id", ondelete="CASCADE"), index=True)
    mn: Mapped[str] = mapped_column(String(24), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    protocol_version: Mapped[str] = mapped_column(String(8), default="2017")
    factor_codes: Mapped[list] = mapped_column(default=list)
    checksum_policy: Mapped[str] = mapped_column(String(8), default="strict")
    manufacturer: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))

    point: Mapped[MonitoringPoint] = relationship(back_populates="devices")


class SensitiveReceptor(TimestampMixin, Base):
    """A sensitive receptor (环境敏感目标): residential area, school, hospital, water-source zone."""

    __tablename__ = "sensitive_receptor"
    __ownership__ = Ownership.PARK_LEVEL

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24), index=True)
    geometry: Mapped[dict]
    lon: Mapped[float]
    lat: Mapped[float]
    population: Mapped[int | None]
    protection_class: Mapped[str | None] = mapped_column(String(32))


class RiskSource(TimestampMixin, Base):
    """An environmental risk source (风险源): storage tank, warehouse, hazardous-waste store."""

    __tablename__ = "risk_source"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    lon: Mapped[float]
    lat: Mapped[float]
    capacity_m3: Mapped[float | None]
    capacity_t: Mapped[float | None]
    tank_height_m: Mapped[float | None]
    safe_level_m: Mapped[float | None]
    inventory: Mapped[list] = mapped_column(default=list)

    __table_args__ = (UniqueConstraint("enterprise_id", "code", name="uq_risk_source_enterprise_code"),)


class WeatherStation(TimestampMixin, Base):
    """A meteorological station (气象站) of the park."""

    __tablename__ = "weather_station"
    __ownership__ = Ownership.PARK_LEVEL

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_point.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float]
    lat: Mapped[float]
    elevation_m: Mapped[float | None]
    anemometer_height_m: Mapped[float] = mapped_column(default=10.0)
