"""GeoJSON export and import of a whole park: structure, round trip, all-or-nothing errors, scope."""

from __future__ import annotations

import copy
import json
import shutil

import pytest
from sqlalchemy import func, select

from parksteward.access import Actor
from parksteward.access.actor import SYSTEM
from parksteward.db import make_engine, make_sessionmaker
from parksteward.errors import InvalidInput, PermissionDenied
from parksteward.registry import service as svc
from parksteward.registry.geojson import FEATURE_TYPES, export_park, import_park
from parksteward.registry.service import DEVICE_PASSWORDS
from parksteward.registry.tables import (
    Device,
    EmissionSource,
    Enterprise,
    FunctionalZone,
    MonitoringPoint,
    Park,
    RiskSource,
    SensitiveReceptor,
    WeatherStation,
)

# Published unified social credit codes (see tests/registry/test_credit_code.py).
CODE_A = "91350100M000100Y43"
CODE_B = "914403001922038216"
CODE_C = "9144030071526726XG"
CEMS_PASSWORD = "cems-pw-1"


def _square(lon0: float, lat0: float, lon1: float, lat1: float) -> dict:
    """A rectangle as a GeoJSON Polygon, exterior ring counter-clockwise (RFC 7946 §3.1.6)."""
    return {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]}


def build_park(session) -> Park:
    """A small park with one of every kind of registry object, made through the services."""
    park = svc.parks.create(session, SYSTEM, {
        "name": "闽江测试园区", "name_en": "Minjiang test park", "boundary": _square(119.40, 26.00, 119.50, 26.08),
        "province": "福建", "a_value_region": 4,
    })
    for code, name, kind, west, east in (("Z1", "化工生产区", "chemical_production", 119.40, 119.45),
                                         ("Z2", "仓储物流区", "storage_logistics", 119.45, 119.50)):
        svc.functional_zones.create(session, SYSTEM, {
            "park_id": park.id, "code": code, "name": name, "kind": kind, "geometry": _square(west, 26.00, east, 26.08),
        })
    a = svc.enterprises.create(session, SYSTEM, {
        "park_id": park.id, "name": "甲化工", "credit_code": CODE_A, "industry": "fine_chemical",
        "size_class": "medium", "pollution_class": "key", "lon": 119.42, "lat": 26.02,
        "footprint": _square(119.415, 26.015, 119.425, 26.025), "building_height_m": 18.0,
        "contacts": [{"name": "张工", "role": "环保负责人", "phone": "0591-12345678"}],
    })
    b = svc.enterprises.create(session, SYSTEM, {
        "park_id": park.id, "name": "乙储运", "credit_code": CODE_B, "industry": "logistics",
        "size_class": "small", "pollution_class": "simplified", "lon": 119.46, "lat": 26.05,
    })
    svc.enterprises.create(session, SYSTEM, {
        "park_id": park.id, "name": "丙材料", "credit_code": CODE_C, "industry": "new_materials",
        "size_class": "micro", "pollution_class": "registration", "lon": 119.48, "lat": 26.03,
    })
    stack = svc.emission_sources.create(session, SYSTEM, {
        "enterprise_id": a.id, "code": "DA001", "name": "1号锅炉排气筒", "kind": "stack",
        "lon": 119.421, "lat": 26.021, "stack_height_m": 45.0, "stack_inner_diameter_m": 1.2,
        "exit_velocity_m_s": 12.5, "exit_temperature_k": 413.15,
    })
    outlet = svc.emission_sources.create(session, SYSTEM, {
        "enterprise_id": a.id, "code": "DW001", "name": "废水总排口", "kind": "wastewater_outlet",
        "lon": 119.422, "lat": 26.018, "discharge_destination": "direct", "receiving_water": "闽江",
    })
    svc.emission_sources.create(session, SYSTEM, {
        "enterprise_id": b.id, "code": "FA001", "name": "罐区无组织", "kind": "fugitive_area",
        "area": _square(119.455, 26.045, 119.465, 26.055), "release_height_m": 5.0,
    })
    tank = svc.risk_sources.create(session, SYSTEM, {
        "enterprise_id": b.id, "code": "T01", "name": "液氯储罐", "kind": "storage_tank",
        "lon": 119.462, "lat": 26.052, "capacity_m3": 50.0, "tank_height_m": 6.0, "safe_level_m": 5.0,
        "inventory": [{"substance": "液氯 chlorine", "cas": "7782-50-5", "quantity_t": 20.0}],
    })
    cems = svc.monitoring_points.create(session, SYSTEM, {
        "park_id": park.id, "enterprise_id": a.id, "source_id": stack.id, "code": "A-DA001-CEMS",
        "name": "1号锅炉烟气在线", "kind": "stack_cems", "lon": 119.421, "lat": 26.021,
    })
    svc.devices.create(session, SYSTEM, {
        "point_id": cems.id, "mn": "88888880000001", "password": CEMS_PASSWORD,
        "factor_codes": ["a21026", "a21002"], "manufacturer": "聚光科技", "model": "CEMS-2000",
    })
    water = svc.monitoring_points.create(session, SYSTEM, {
        "park_id": park.id, "enterprise_id": a.id, "source_id": outlet.id, "code": "A-DW001-W",
        "name": "废水总排口在线", "kind": "wastewater_outlet", "lon": 119.422, "lat": 26.018,
    })
    svc.devices.create(session, SYSTEM, {
        "point_id": water.id, "mn": "88888880000002", "password": "water-pw", "factor_codes": ["w01018"],
    })
    svc.monitoring_points.create(session, SYSTEM, {
        "park_id": park.id, "enterprise_id": b.id, "risk_source_id": tank.id, "code": "B-T01-LEVEL",
        "name": "液氯储罐液位", "kind": "tank_level", "lon": 119.462, "lat": 26.052,
    })
    ambient = svc.monitoring_points.create(session, SYSTEM, {
        "park_id": park.id, "code": "AMB-01", "name": "园区空气站", "kind": "ambient_air", "lon": 119.45, "lat": 26.04,
    })
    svc.devices.create(session, SYSTEM, {
        "point_id": ambient.id, "mn": "88888880000003", "password": "amb-pw", "factor_codes": ["a21026"],
    })
    weather = svc.monitoring_points.create(session, SYSTEM, {
        "park_id": park.id, "code": "WX-01", "name": "园区气象点", "kind": "weather", "lon": 119.44, "lat": 26.06,
    })
    svc.weather_stations.create(session, SYSTEM, {
        "park_id": park.id, "point_id": weather.id, "name": "园区气象站", "lon": 119.44, "lat": 26.06,
        "elevation_m": 12.0,
    })
    svc.sensitive_receptors.create(session, SYSTEM, {
        "park_id": park.id, "name": "东村", "kind": "residential", "geometry": _square(119.51, 26.00, 119.52, 26.01),
        "population": 3000,
    })
    svc.sensitive_receptors.create(session, SYSTEM, {
        "park_id": park.id, "name": "东村小学", "kind": "school", "geometry": {"type": "Point", "coordinates": [119.515, 26.012]},
    })
    return park


def export_and_delete(session) -> dict:
    """Export the built park as a JSON text would carry it, then delete the park from the store."""
    park = build_park(session)
    exported = json.loads(json.dumps(export_park(session, SYSTEM, park.id), ensure_ascii=False))
    svc.parks.delete(session, SYSTEM, park.id)
    session.expunge_all()  # the database cascade removed rows the identity map still holds
    return exported


def index_of(collection: dict, feature_type: str, **props) -> int:
    for i, feature in enumerate(collection["features"]):
        p = feature["properties"]
        if p["feature_type"] == feature_type and all(p.get(k) == v for k, v in props.items()):
            return i
    raise LookupError(f"no {feature_type} {props}")


def counts(session) -> dict[str, int]:
    tables = (Park, FunctionalZone, Enterprise, EmissionSource, RiskSource, MonitoringPoint, Device, WeatherStation, SensitiveReceptor)
    return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in tables}


def positions(coordinates):
    """Every position of a GeoJSON coordinates array."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        yield coordinates
        return
    for item in coordinates:
        yield from positions(item)


# ---------------------------------------------------------------- export
def test_export_is_a_geojson_feature_collection(session):
    park = build_park(session)
    exported = export_park(session, SYSTEM, park.id)
    json.dumps(exported)  # serialisable as it is

    assert set(exported) == {"type", "features", "parksteward"}
    assert exported["type"] == "FeatureCollection"
    assert exported["parksteward"] == {"format": "parksteward-park", "version": 1}
    for feature in exported["features"]:
        assert set(feature) == {"type", "geometry", "properties"}
        assert feature["type"] == "Feature"
        assert feature["properties"]["feature_type"] in FEATURE_TYPES
        assert not {"id", "park_id", "enterprise_id", "source_id", "risk_source_id", "point_id"} & set(feature["properties"])
        geometry = feature["geometry"]
        assert geometry["type"] in ("Point", "Polygon", "MultiPolygon")
        for position in positions(geometry["coordinates"]):
            lon, lat = position
            assert 119.3 < lon < 119.6 and 25.9 < lat < 26.1  # lon first, WGS84 degrees
        if geometry["type"] == "Polygon":
            for ring in geometry["coordinates"]:
                assert ring[0] == ring[-1]

    kinds = [f["properties"]["feature_type"] for f in exported["features"]]
    assert kinds == (["park"] + ["functional_zone"] * 2 + ["enterprise"] * 3 + ["emission_source"] * 3 + ["risk_source"]
                     + ["monitoring_point"] * 5 + ["weather_station"] + ["sensitive_receptor"] * 2)

    a = exported["features"][index_of(exported, "enterprise", credit_code=CODE_A)]
    assert a["geometry"] == {"type": "Point", "coordinates": [119.42, 26.02]}
    assert a["properties"]["footprint"] == _square(119.415, 26.015, 119.425, 26.025)
    assert a["properties"]["contacts"][0]["name"] == "张工"
    fugitive = exported["features"][index_of(exported, "emission_source", code="FA001")]
    assert fugitive["geometry"] == _square(119.455, 26.045, 119.465, 26.055)
    assert fugitive["properties"]["enterprise_credit_code"] == CODE_B
    cems = exported["features"][index_of(exported, "monitoring_point", code="A-DA001-CEMS")]["properties"]
    assert (cems["enterprise_credit_code"], cems["source_code"], cems["risk_source_code"]) == (CODE_A, "DA001", None)
    [device] = cems["devices"]
    assert device["mn"] == "88888880000001" and device["factor_codes"] == ["a21026", "a21002"]
    assert device["password_hash"].startswith("$argon2") and "password" not in device
    assert CEMS_PASSWORD not in json.dumps(exported)
    station = exported["features"][index_of(exported, "weather_station")]["properties"]
    assert station["point_code"] == "WX-01"
    zone = exported["features"][index_of(exported, "functional_zone", code="Z2")]
    assert zone["geometry"] == _square(119.45, 26.00, 119.50, 26.08)
    assert zone["properties"] == {"feature_type": "functional_zone", "code": "Z2", "name": "仓储物流区",
                                  "name_en": None, "kind": "storage_logistics", "description": None}


def test_enterprise_user_exports_only_its_own_objects(session):
    park = build_park(session)
    b = session.scalars(select(Enterprise).where(Enterprise.credit_code == CODE_B)).one()
    actor = Actor(user_id=None, username="e", role="enterprise", enterprise_id=b.id)

    exported = export_park(session, actor, park.id)

    props = [f["properties"] for f in exported["features"]]
    assert [p["credit_code"] for p in props if p["feature_type"] == "enterprise"] == [CODE_B]
    assert [p["code"] for p in props if p["feature_type"] == "emission_source"] == ["FA001"]
    assert [p["code"] for p in props if p["feature_type"] == "risk_source"] == ["T01"]
    assert [p["code"] for p in props if p["feature_type"] == "monitoring_point"] == ["B-T01-LEVEL"]
    assert {p["enterprise_credit_code"] for p in props if "enterprise_credit_code" in p} == {CODE_B}
    assert "88888880000001" not in json.dumps(exported)
    # Park-level objects are shared; the park-owned weather point is not the enterprise's to see.
    assert len([p for p in props if p["feature_type"] == "sensitive_receptor"]) == 2
    assert [p["code"] for p in props if p["feature_type"] == "functional_zone"] == ["Z1", "Z2"]
    [station] = [p for p in props if p["feature_type"] == "weather_station"]
    assert station["point_code"] is None


# ---------------------------------------------------------------- round trip
def test_round_trip_in_the_same_database_after_deleting_the_park(session):
    park = build_park(session)
    stats = svc.parks.stats(session, SYSTEM, park.id)
    exported = json.loads(json.dumps(export_park(session, SYSTEM, park.id)))
    svc.parks.delete(session, SYSTEM, park.id)
    session.expunge_all()
    assert counts(session)["enterprise"] == 0

    new = import_park(session, SYSTEM, exported)

    assert {**svc.parks.stats(session, SYSTEM, new.id), "park_id": None} == {**stats, "park_id": None}
    assert set(session.scalars(select(Enterprise.credit_code))) == {CODE_A, CODE_B, CODE_C}
    assert set(session.scalars(select(MonitoringPoint.code))) == {"A-DA001-CEMS", "A-DW001-W", "B-T01-LEVEL", "AMB-01", "WX-01"}
    assert set(session.scalars(select(Device.mn))) == {"88888880000001", "88888880000002", "88888880000003"}
    device = session.scalars(select(Device).where(Device.mn == "88888880000001")).one()
    assert DEVICE_PASSWORDS.verify(CEMS_PASSWORD, device.password_hash)
    # References (point -> source, station -> point) and every field come back as they were.
    assert export_park(session, SYSTEM, new.id) == exported


def test_round_trip_into_a_fresh_database(session, sqlite_template, tmp_path):
    park = build_park(session)
    exported = json.loads(json.dumps(export_park(session, SYSTEM, park.id)))
    path = tmp_path / "fresh.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with make_sessionmaker(engine)() as other:
            new = import_park(other, SYSTEM, exported)
            assert export_park(other, SYSTEM, new.id) == exported
            device = other.scalars(select(Device).where(Device.mn == "88888880000001")).one()
            assert svc.devices.verify_password(device, CEMS_PASSWORD)
            assert counts(other) == counts(session)
    finally:
        engine.dispose()


def test_import_hashes_a_clear_password(session):
    exported = export_and_delete(session)
    i = index_of(exported, "monitoring_point", code="AMB-01")
    device = exported["features"][i]["properties"]["devices"][0]
    del device["password_hash"]
    device["password"] = "new-secret"

    import_park(session, SYSTEM, exported)

    stored = session.scalars(select(Device).where(Device.mn == "88888880000003")).one()
    assert stored.password_hash.startswith("$argon2")
    assert DEVICE_PASSWORDS.verify("new-secret", stored.password_hash)


# ---------------------------------------------------------------- errors, all or nothing
def test_a_bad_feature_fails_the_whole_import(session, session_factory):
    exported = export_and_delete(session)
    bad = copy.deepcopy(exported)
    stack = index_of(bad, "emission_source", code="DA001")
    bad["features"][stack]["properties"]["stack_height_m"] = -45.0

    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, bad)

    [error] = info.value.errors
    assert error.loc[:3] == ("features", stack, "stack_height_m")
    assert "emission_source" in error.msg and "DA001" in error.msg
    # The park and enterprises flushed before the failure are gone, for this session and any other.
    assert counts(session) == dict.fromkeys(counts(session), 0)
    with session_factory() as other:
        assert other.scalar(select(func.count()).select_from(Park)) == 0
        assert other.scalar(select(func.count()).select_from(Enterprise)) == 0
        assert other.scalar(select(func.count()).select_from(FunctionalZone)) == 0
    # The session is usable again and the corrected file goes in.
    park = import_park(session, SYSTEM, exported)
    assert svc.parks.stats(session, SYSTEM, park.id)["enterprises"] == 3


def test_overlapping_zones_in_a_file_name_the_second_one(session):
    exported = export_and_delete(session)
    second = index_of(exported, "functional_zone", code="Z2")
    exported["features"][second]["geometry"] = _square(119.44, 26.00, 119.50, 26.08)  # 0.01 deg into Z1

    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, exported)

    [error] = info.value.errors
    assert error.loc == ("features", second, "geometry")
    assert error.msg.startswith("functional_zone Z2 '仓储物流区': zone overlaps zone Z1 '化工生产区'")
    assert counts(session)["park"] == 0


def test_a_failing_device_late_in_the_file_rolls_back_everything(session, session_factory):
    exported = export_and_delete(session)
    i = index_of(exported, "monitoring_point", code="A-DW001-W")
    exported["features"][i]["properties"]["devices"][0]["factor_codes"] = ["w01018", "x99999"]

    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, exported)

    [error] = info.value.errors
    assert error.loc == ("features", i, "devices", 0, "factor_codes")
    assert "monitoring_point A-DW001-W" in error.msg and "88888880000002" in error.msg and "x99999" in error.msg
    with session_factory() as other:
        assert counts(other) == dict.fromkeys(counts(other), 0)


def test_a_point_outside_the_boundary_names_its_feature(session):
    exported = export_and_delete(session)
    i = index_of(exported, "monitoring_point", code="AMB-01")
    exported["features"][i]["geometry"]["coordinates"] = [119.60, 26.04]

    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, exported)

    [error] = info.value.errors
    assert error.loc == ("features", i, "geometry")
    assert "monitoring_point AMB-01" in error.msg and "outside the boundary" in error.msg
    assert counts(session)["park"] == 0


def test_unknown_feature_type_is_refused(session):
    exported = export_and_delete(session)
    exported["features"].append(
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [119.45, 26.05]},
         "properties": {"feature_type": "chimney", "name": "x"}}
    )

    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, exported)

    [error] = info.value.errors
    assert error.loc == ("features", len(exported["features"]) - 1, "feature_type")
    assert "'chimney'" in error.msg
    assert counts(session)["park"] == 0


def test_two_parks_in_one_file_are_refused(session):
    exported = export_and_delete(session)
    second = copy.deepcopy(exported["features"][0])
    second["properties"]["name"] = "另一个园区"
    exported["features"].append(second)

    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, exported)

    [error] = info.value.errors
    assert error.loc == ("features", len(exported["features"]) - 1, "feature_type")
    assert "one park" in error.msg
    assert counts(session)["park"] == 0


@pytest.mark.parametrize(
    ("damage", "loc", "fragment"),
    [
        (lambda c: c.update(type="Feature"), ("type",), "FeatureCollection"),
        (lambda c: c["features"].pop(0), ("features",), "no feature with feature_type 'park'"),
        (lambda c: c["features"][3].update(geometry=None), ("features", 3, "geometry"), "enterprise 91350100M000100Y43"),
        # a bow-tie boundary crosses itself
        (lambda c: c["features"][0].update(geometry={"type": "Polygon", "coordinates": [
            [[119.40, 26.00], [119.50, 26.08], [119.50, 26.00], [119.40, 26.08], [119.40, 26.00]]]}),
         ("features", 0, "geometry"), "invalid Polygon"),
        (lambda c: c["features"][6].update(geometry=_square(119.42, 26.02, 119.43, 26.03)),
         ("features", 6, "geometry"), "not allowed here"),
        (lambda c: c["features"][3]["properties"].update(colour="red"), ("features", 3, "colour"), "unknown property 'colour'"),
        (lambda c: c["features"][6]["properties"].update(enterprise_id=1), ("features", 6, "enterprise_id"), "not portable"),
        (lambda c: c["features"][10]["properties"].update(source_code="DA009"), ("features", 10, "source_code"),
         "no emission source 'DA009' of enterprise 91350100M000100Y43"),
        (lambda c: c["features"][6]["properties"].update(enterprise_credit_code="91330100799655058B"),
         ("features", 6, "enterprise_credit_code"), "no enterprise with credit code '91330100799655058B' in this file"),
        (lambda c: c["parksteward"].update(version=2), ("parksteward", "version"), "not supported"),
    ],
)
def test_malformed_files_name_the_problem(session, damage, loc, fragment):
    exported = export_and_delete(session)
    damage(exported)
    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, exported)

    assert [e.loc for e in info.value.errors] == [loc]
    assert fragment in info.value.errors[0].msg
    assert counts(session)["park"] == 0


def test_a_password_hash_must_look_like_argon2(session):
    exported = export_and_delete(session)
    i = index_of(exported, "monitoring_point", code="AMB-01")
    exported["features"][i]["properties"]["devices"][0]["password_hash"] = "amb-pw"

    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, exported)

    [error] = info.value.errors
    assert error.loc == ("features", i, "devices", 0, "password_hash")
    assert "argon2" in error.msg
    assert counts(session)["device"] == 0


def test_a_renamed_park_still_collides_on_global_keys(session):
    # Credit codes, point codes and MNs are unique across the store, not per park.
    park = build_park(session)
    exported = export_park(session, SYSTEM, park.id)
    exported["features"][0]["properties"]["name"] = "闽江测试园区（副本）"

    with pytest.raises(InvalidInput) as info:
        import_park(session, SYSTEM, exported)

    [error] = info.value.errors
    # Zone codes are unique within a park, so the copy's zones go in; its first enterprise does not.
    assert error.loc == ("features", index_of(exported, "enterprise", credit_code=CODE_A), "credit_code")
    assert "enterprise 91350100M000100Y43" in error.msg
    assert counts(session)["park"] == 1


def test_only_registry_writers_import(session):
    exported = export_and_delete(session)
    regulator = Actor(user_id=None, username="r", role="regulator")

    with pytest.raises(PermissionDenied):
        import_park(session, regulator, exported)

    assert counts(session)["park"] == 0


def test_permission_is_checked_before_the_file(session):
    enterprise = Actor(user_id=None, username="e", role="enterprise", enterprise_id=1)

    with pytest.raises(PermissionDenied):
        import_park(session, enterprise, {"type": "FeatureCollection", "features": []})
