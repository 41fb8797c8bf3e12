"""A small hand-made park with two enterprises, built through the services, for tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from parksteward.access.actor import SYSTEM
from parksteward.accounts.service import create_user
from parksteward.registry import service

# A square park of 0.04 deg x 0.04 deg (about 3.8 km x 4.4 km) near Nanjing.
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[118.78, 32.23], [118.82, 32.23], [118.82, 32.27], [118.78, 32.27], [118.78, 32.23]]],
}
# The west half of it, 0.02 deg x 0.04 deg.
WEST_HALF = {
    "type": "Polygon",
    "coordinates": [[[118.78, 32.23], [118.80, 32.23], [118.80, 32.27], [118.78, 32.27], [118.78, 32.23]]],
}
# Published, valid unified social credit codes (see tests/registry/test_credit_code.py).
CREDIT_A = "91350100M000100Y43"
CREDIT_B = "914403001922038216"
PASSWORD = "correct horse battery"
ROLE_USERS = {"admin": "admin", "steward": "steward", "regulator": "regulator", "command": "command"}


@dataclass
class World:
    park: int
    enterprise: dict[str, int] = field(default_factory=dict)
    source: dict[str, int] = field(default_factory=dict)
    point: dict[str, int] = field(default_factory=dict)
    device: dict[str, int] = field(default_factory=dict)
    risk_source: dict[str, int] = field(default_factory=dict)
    receptor: int = 0
    zone: int = 0
    weather_station: int = 0
    ambient_point: int = 0
    user: dict[str, int] = field(default_factory=dict)


def stack(enterprise_id: int, code: str = "DA001", **overrides) -> dict:
    return {
        "enterprise_id": enterprise_id, "code": code, "name": "裂解炉排气筒", "kind": "stack",
        "lon": 118.795, "lat": 32.245, "stack_height_m": 60.0, "stack_inner_diameter_m": 2.0,
        "exit_velocity_m_s": 12.0, "exit_temperature_k": 413.15, **overrides,
    }


def build_world(session, *, zones: bool = True) -> World:
    """The two-enterprise park; ``zones=False`` for a schema older than the zones' (migration 0013)."""
    park = service.parks.create(session, SYSTEM, {"name": "测试园区", "boundary": BOUNDARY})
    world = World(park=park.id)
    for key, code, lon in (("a", CREDIT_A, 118.79), ("b", CREDIT_B, 118.81)):
        enterprise = service.enterprises.create(session, SYSTEM, {
            "park_id": park.id, "name": f"企业{key.upper()}", "credit_code": code, "industry": "fine_chemical",
            "size_class": "medium", "pollution_class": "key", "lon": lon, "lat": 32.25,
            "contacts": [{"name": "张三", "role": "环保负责人", "phone": "13800000000"}],
        })
        world.enterprise[key] = enterprise.id
        world.source[key] = service.emission_sources.create(
            session, SYSTEM, stack(enterprise.id, lon=lon, lat=32.245)).id
        risk = service.risk_sources.create(session, SYSTEM, {
            "enterprise_id": enterprise.id, "code": "T-301", "name": "液氯储罐", "kind": "storage_tank",
            "lon": lon, "lat": 32.255, "capacity_m3": 100.0, "tank_height_m": 8.0, "safe_level_m": 6.4,
            "inventory": [{"substance": "氯 chlorine", "cas": "7782-50-5", "quantity_t": 120.0}],
        })
        world.risk_source[key] = risk.id
        point = service.monitoring_points.create(session, SYSTEM, {
            "park_id": park.id, "enterprise_id": enterprise.id, "source_id": world.source[key],
            "code": f"P-{key}-CEMS", "name": f"企业{key.upper()} 1#排气筒CEMS", "kind": "stack_cems",
            "lon": lon, "lat": 32.245,
        })
        world.point[key] = point.id
        world.device[key] = service.devices.create(session, SYSTEM, {
            "point_id": point.id, "mn": f"MN0000000000000000000{key.upper()}01"[-24:], "password": "123456",
            "factor_codes": ["a21026", "a21002", "a34013", "a19001"],
        }).id
        world.user[key] = create_user(session, SYSTEM, {
            "username": f"ent_{key}", "password": PASSWORD, "role": "enterprise", "enterprise_id": enterprise.id,
        }).id
    world.receptor = service.sensitive_receptors.create(session, SYSTEM, {
        "park_id": park.id, "name": "长芦社区", "kind": "residential", "population": 12000,
        "geometry": {"type": "Point", "coordinates": [118.84, 32.25]},
    }).id
    if zones:
        world.zone = service.functional_zones.create(session, SYSTEM, {
            "park_id": park.id, "code": "Z1", "name": "化工生产西区", "kind": "chemical_production",
            "geometry": WEST_HALF,
        }).id
    world.ambient_point = service.monitoring_points.create(session, SYSTEM, {
        "park_id": park.id, "code": "AQ-01", "name": "园区空气站1", "kind": "ambient_air", "lon": 118.80, "lat": 32.26,
    }).id
    weather_point = service.monitoring_points.create(session, SYSTEM, {
        "park_id": park.id, "code": "WX-01", "name": "园区气象站", "kind": "weather", "lon": 118.80, "lat": 32.24,
    })
    world.weather_station = service.weather_stations.create(session, SYSTEM, {
        "park_id": park.id, "point_id": weather_point.id, "name": "园区气象站", "lon": 118.80, "lat": 32.24,
    }).id
    for username, role in ROLE_USERS.items():
        world.user[username] = create_user(session, SYSTEM, {"username": username, "password": PASSWORD, "role": role}).id
    return world
