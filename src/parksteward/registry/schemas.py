"""Pydantic schemas of the registry: ``XCreate``, ``XUpdate``, ``XRead`` per entity.

Checks that need nothing but the input live here (credit code, signs, geometry validity,
vocabulary); checks that need the store (inside the park, known factor codes, scope) live in
the service. ``XUpdate`` is ``XCreate`` with every field optional: the service merges it
onto the stored object and validates the result as an ``XCreate`` again, so an update
can never produce an object a create would refuse.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from parksteward.registry import choices
from parksteward.registry.credit_code import validate_credit_code
from parksteward.registry.geometry import (
    check_point_or_polygon,
    check_polygon,
    representative_lonlat,
)


def _vocabulary(name: str, values) -> Any:
    values = tuple(values)

    def check(value: str) -> str:
        if value not in values:
            raise ValueError(f"unknown {name} {value!r}, expected one of {list(values)}")
        return value

    return Annotated[str, AfterValidator(check)]


Industry = _vocabulary("industry", choices.INDUSTRIES)
SizeClass = _vocabulary("size class", choices.SIZE_CLASSES)
PollutionClass = _vocabulary("pollution class", choices.POLLUTION_CLASSES)
SourceKind = _vocabulary("source kind", choices.SOURCE_KINDS)
DischargeDestination = _vocabulary("discharge destination", choices.DISCHARGE_DESTINATIONS)
PointKind = _vocabulary("monitoring point kind", choices.POINT_KINDS)
ProtocolVersion = _vocabulary("protocol version", choices.PROTOCOL_VERSIONS)
ReceptorKind = _vocabulary("receptor kind", choices.RECEPTOR_KINDS)
RiskSourceKind = _vocabulary("risk source kind", choices.RISK_SOURCE_KINDS)
ZoneKind = _vocabulary("zone kind", choices.ZONE_KINDS)

Lon = Annotated[float, Field(ge=-180, le=180, description="WGS84 longitude [deg]")]
Lat = Annotated[float, Field(ge=-90, le=90, description="WGS84 latitude [deg]")]
PolygonGeometry = Annotated[dict, AfterValidator(check_polygon)]
AnyGeometry = Annotated[dict, AfterValidator(check_point_or_polygon)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_\-./]+$")]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]

# HJ 212 MN: up to 24 characters of digits and letters (HJ 212-2017 Table 4).
MN_PATTERN = re.compile(r"^[0-9A-Za-z]{1,24}$")
FACTOR_CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


def partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The same fields as ``model``, each optional with default None (for PATCH)."""
    fields = {
        field_name: (Optional[info.rebuild_annotation()], None)  # noqa: UP045 - runtime construction
        for field_name, info in model.model_fields.items()
    }
    return create_model(name, __base__=Schema, **fields)


# ---------------------------------------------------------------- park
class ParkCreate(Schema):
    name: Name
    name_en: Annotated[str, Field(max_length=200)] | None = None
    timezone: str = Field("Asia/Shanghai", description="IANA time zone of the park (local times of HJ 212 and reports)")
    boundary: PolygonGeometry = Field(description="park boundary, GeoJSON Polygon or MultiPolygon (WGS84)")
    air_quality_zone_class: Literal[1, 2] = Field(2, description="GB 3095-2012 functional zone class (1 or 2)")
    a_value_region: int = Field(5, ge=1, le=7, description="GB/T 3840-91 region (1-7) for the A-value method")
    province: Annotated[str, Field(max_length=50)] | None = None
    description: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}, e.g. 'Asia/Shanghai'") from None
        return value


ParkUpdate = partial(ParkCreate, "ParkUpdate")


class ParkRead(ReadSchema, ParkCreate):
    model_config = ConfigDict(from_attributes=True)


# ---------------------------------------------------------------- functional zone
class FunctionalZoneCreate(Schema):
    park_id: int
    code: Code
    name: Name
    name_en: Annotated[str, Field(max_length=200)] | None = None
    kind: ZoneKind
    geometry: PolygonGeometry = Field(description="GeoJSON Polygon or MultiPolygon (WGS84) inside the park boundary")
    description: str | None = None


FunctionalZoneUpdate = partial(FunctionalZoneCreate, "FunctionalZoneUpdate")


class FunctionalZoneRead(ReadSchema, FunctionalZoneCreate):
    model_config = ConfigDict(from_attributes=True)
    lon: float = Field(description="a point on the zone, where a map labels it")
    lat: float
    area_ha: float = Field(description="geodesic area on the WGS84 ellipsoid [ha]")


# ---------------------------------------------------------------- factor
class FactorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    code_2005: str | None
    name_zh: str
    name_en: str
    medium: str
    unit: str | None
    amount_unit: str | None
    data_type: str | None
    note: str | None


# ---------------------------------------------------------------- enterprise
class Contact(Schema):
    name: Name
    role: Annotated[str, Field(max_length=50)] | None = Field(None, description="e.g. 环保负责人, 值班人员 (duty officer)")
    phone: str | None = Field(None, pattern=r"^[0-9+\-() ]{5,20}$")
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EnterpriseCreate(Schema):
    park_id: int
    name: Name
    credit_code: str = Field(description="unified social credit code, 18 characters (GB 32100-2015)")
    industry: Industry
    size_class: SizeClass
    pollution_class: PollutionClass
    contacts: list[Contact] = []
    lon: Lon
    lat: Lat
    address: Annotated[str, Field(max_length=300)] | None = None
    footprint: PolygonGeometry | None = None
    building_height_m: Positive | None = None

    @field_validator("credit_code")
    @classmethod
    def _valid_credit_code(cls, value: str) -> str:
        return validate_credit_code(value)


EnterpriseUpdate = partial(EnterpriseCreate, "EnterpriseUpdate")


class EnterpriseRead(ReadSchema, EnterpriseCreate):
    model_config = ConfigDict(from_attributes=True)


# ---------------------------------------------------------------- emission source
class EmissionSourceCreate(Schema):
    enterprise_id: int
    code: Code = Field(description="permit outlet code, e.g. DA001 (air) or DW001 (water)")
    name: Name
    kind: SourceKind
    lon: Lon | None = Field(None, description="location; for a fugitive area defaults to a point of its polygon")
    lat: Lat | None = None
    stack_height_m: Positive | None = None
    stack_inner_diameter_m: Positive | None = None
    exit_velocity_m_s: NonNegative | None = None
    exit_temperature_k: Positive | None = None
    discharge_destination: DischargeDestination | None = None
    receiving_water: Annotated[str, Field(max_length=100)] | None = None
    area: PolygonGeometry | None = None
    release_height_m: NonNegative | None = None

    @model_validator(mode="after")
    def _fields_of_kind(self) -> EmissionSourceCreate:
        required = {
            "stack": ("lon", "lat", "stack_height_m", "stack_inner_diameter_m", "exit_velocity_m_s", "exit_temperature_k"),
            "wastewater_outlet": ("lon", "lat", "discharge_destination"),
            "fugitive_area": ("area",),
        }[self.kind]
        missing = [name for name in required if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} needs {', '.join(missing)}")
        if self.kind == "fugitive_area" and (self.lon is None or self.lat is None):
            self.lon, self.lat = representative_lonlat(self.area)
        if self.kind == "stack" and self.exit_temperature_k is not None and self.exit_temperature_k < 200:
            raise ValueError(
                f"exit_temperature_k={self.exit_temperature_k} is below 200 K: give the exit temperature in kelvin"
            )
        return self


EmissionSourceUpdate = partial(EmissionSourceCreate, "EmissionSourceUpdate")


class EmissionSourceRead(ReadSchema, EmissionSourceCreate):
    model_config = ConfigDict(from_attributes=True)
    lon: float
    lat: float


# ---------------------------------------------------------------- monitoring point and device
class MonitoringPointCreate(Schema):
    park_id: int
    enterprise_id: int | None = Field(None, description="owning enterprise; null for a park-owned point")
    source_id: int | None = None
    risk_source_id: int | None = None
    code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-./]+$")]
    name: Name
    kind: PointKind
    lon: Lon
    lat: Lat
    reference_o2_pct: Annotated[float, Field(ge=0, lt=21)] | None = Field(
        None, description="reference O2 of the 折算 (corrected) concentration of a stack, e.g. 3 for gas boilers [%]"
    )


MonitoringPointUpdate = partial(MonitoringPointCreate, "MonitoringPointUpdate")


class MonitoringPointRead(ReadSchema, MonitoringPointCreate):
    model_config = ConfigDict(from_attributes=True)


def _check_factor_codes(codes: list[str]) -> list[str]:
    bad = [code for code in codes if not FACTOR_CODE_PATTERN.match(code)]
    if bad:
        raise ValueError(f"malformed factor codes {bad}: expected HJ 212 codes such as 'a21026' or 'w01018'")
    if len(set(codes)) != len(codes):
        raise ValueError("factor codes must not repeat")
    return codes


class DeviceCreate(Schema):
    point_id: int
    mn: str = Field(description="HJ 212 MN (设备唯一标识), up to 24 letters and digits")
    password: str = Field(
        min_length=1, max_length=64, pattern=r"^[\x20-\x7e]+$", repr=False,
        description="HJ 212 PW (printable ASCII); stored hashed",
    )
    protocol_version: ProtocolVersion = "2017"
    factor_codes: Annotated[list[str], AfterValidator(_check_factor_codes)] = []
    checksum_policy: Literal["strict", "lenient"] = Field(
        "strict", description="strict: Annex A checksum only; lenient: also the Modbus variants, with a warning"
    )
    manufacturer: Annotated[str, Field(max_length=100)] | None = None
    model: Annotated[str, Field(max_length=100)] | None = None

    @field_validator("mn")
    @classmethod
    def _valid_mn(cls, value: str) -> str:
        if not MN_PATTERN.match(value):
            raise ValueError(f"MN {value!r} must be 1-24 letters or digits (HJ 212 Table 4)")
        return value


DeviceUpdate = partial(DeviceCreate, "DeviceUpdate")


class DeviceRead(ReadSchema):
    point_id: int
    mn: str
    protocol_version: str
    factor_codes: list[str]
    checksum_policy: str
    manufacturer: str | None
    model: str | None


# ---------------------------------------------------------------- sensitive receptor
class SensitiveReceptorCreate(Schema):
    park_id: int
    name: Name
    kind: ReceptorKind
    geometry: AnyGeometry = Field(description="GeoJSON Point or Polygon (WGS84)")
    population: Annotated[int, Field(ge=0)] | None = None
    protection_class: Annotated[str, Field(max_length=32)] | None = Field(None, description="e.g. 一级保护区 / 二级保护区 for water-source zones")


SensitiveReceptorUpdate = partial(SensitiveReceptorCreate, "SensitiveReceptorUpdate")


class SensitiveReceptorRead(ReadSchema, SensitiveReceptorCreate):
    model_config = ConfigDict(from_attributes=True)
    lon: float
    lat: float


# ---------------------------------------------------------------- risk source
CAS_PATTERN = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def validate_cas(value: str) -> str:
    """CAS registry number with its check digit (sum of digits x position from the right, mod 10)."""
    match = CAS_PATTERN.match(value)
    if not match:
        raise ValueError(f"CAS number {value!r} must look like 7782-50-5")
    digits = (match.group(1) + match.group(2))[::-1]
    check = sum(int(d) * (i + 1) for i, d in enumerate(digits)) % 10
    if check != int(match.group(3)):
        raise ValueError(f"CAS number {value!r} has check digit {match.group(3)}, expected {check}")
    return value


class InventoryItem(Schema):
    substance: Name
    cas: Annotated[str, AfterValidator(validate_cas)] | None = None
    quantity_t: NonNegative = Field(description="maximum quantity present [t]")


class RiskSourceCreate(Schema):
    enterprise_id: int
    code: Code
    name: Name
    kind: RiskSourceKind
    lon: Lon
    lat: Lat
    capacity_m3: Positive | None = None
    capacity_t: Positive | None = None
    tank_height_m: Positive | None = None
    safe_level_m: Positive | None = Field(None, description="highest safe liquid level of a tank [m]")
    inventory: list[InventoryItem] = []

    @model_validator(mode="after")
    def _tank_levels(self) -> RiskSourceCreate:
        if self.kind == "storage_tank":
            missing = [n for n in ("capacity_m3", "tank_height_m", "safe_level_m") if getattr(self, n) is None]
            if missing:
                raise ValueError(f"a storage_tank needs {', '.join(missing)}")
            if self.safe_level_m >= self.tank_height_m:
                raise ValueError(
                    f"safe_level_m={self.safe_level_m} must be below tank_height_m={self.tank_height_m}"
                )
        elif self.capacity_t is None:
            raise ValueError(f"a {self.kind} needs capacity_t")
        return self


RiskSourceUpdate = partial(RiskSourceCreate, "RiskSourceUpdate")


class RiskSourceRead(ReadSchema, RiskSourceCreate):
    model_config = ConfigDict(from_attributes=True)


# ---------------------------------------------------------------- weather station
class WeatherStationCreate(Schema):
    park_id: int
    point_id: int | None = None
    name: Name
    lon: Lon
    lat: Lat
    elevation_m: float | None = None
    anemometer_height_m: Positive = 10.0


WeatherStationUpdate = partial(WeatherStationCreate, "WeatherStationUpdate")


class WeatherStationRead(ReadSchema, WeatherStationCreate):
    model_config = ConfigDict(from_attributes=True)
