"""The demo park, checked against what is known independently of the generator.

Building the park is the slow part (several seconds), so the store-backed test builds it
once per backend and checks everything on that one build; determinism builds three more
parks on plain SQLite files. Expected values are facts from the standards and handbooks
named in the comments, or the ranges the demo's specification states — never numbers
read back from the generator's own tables.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from collections import Counter, defaultdict

import pytest
import shapely
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import Point, shape
from sqlalchemy import func, select

from parksteward.accounts.service import authenticate
from parksteward.bootstrap import prepare_database
from parksteward.db import make_engine, make_sessionmaker
from parksteward.errors import Conflict
from parksteward.registry.credit_code import validate_credit_code
from parksteward.registry.service import DEVICE_PASSWORDS
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
from parksteward.sim.demo_park import (
    DEMO_ADMIN,
    DEMO_USERS,
    build_demo_park,
    create_demo_users,
    demo_device_password,
)

# WGS84 -> UTM zone 50N, a metric projection valid for 114-120 °E (the park is at 118.8 °E).
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)

# GB 32100-2015 §4.3: alphabet and weights 3**(i-1) mod 31 of the credit-code check character.
GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: weights of the organisation-code check character, C9 = 11 - Σ Ci·Wi mod 11.
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# CAS registry numbers with a word of their Chinese name (CAS Common Chemistry; HJ 169-2018 Table B.1).
CAS_NAMES = {
    "7664-41-7": "氨", "7782-50-5": "氯", "71-43-2": "苯", "67-56-1": "甲醇", "108-88-3": "甲苯",
    "100-42-5": "苯乙烯", "107-13-1": "丙烯腈", "75-21-8": "环氧乙烷", "7647-01-0": "盐酸",
    "7664-93-9": "硫酸", "1310-73-2": "氢氧化钠", "1330-20-7": "二甲苯", "64-17-5": "乙醇",
    "67-64-1": "丙酮", "68476-85-7": "液化石油气", "115-07-1": "丙烯", "50-00-0": "甲醛",
    "75-09-2": "二氯甲烷", "67-66-3": "三氯甲烷", "108-95-2": "苯酚", "7722-84-1": "过氧化氢",
    "7681-52-9": "次氯酸钠", "79-10-7": "丙烯酸", "94-36-0": "过氧化苯甲酰",
}
# Liquid density ranges at storage conditions [t/m3] (CRC Handbook / Perry's tables; liquefied
# gases between 0 and 20 °C at their vapour pressure; solutions at the named strength).
LIQUID_DENSITY_T_M3 = {
    "7664-41-7": (0.60, 0.64), "7782-50-5": (1.39, 1.47), "71-43-2": (0.87, 0.885),
    "67-56-1": (0.786, 0.796), "108-88-3": (0.862, 0.872), "100-42-5": (0.90, 0.91),
    "107-13-1": (0.80, 0.81), "75-21-8": (0.86, 0.90), "7647-01-0": (1.14, 1.16),  # hydrochloric acid 31 %
    "7664-93-9": (1.82, 1.84),  # 98 %
    "1310-73-2": (1.33, 1.36),  # 32 % solution
    "1330-20-7": (0.857, 0.885), "64-17-5": (0.785, 0.794), "67-64-1": (0.784, 0.795),
    "68476-85-7": (0.50, 0.58), "115-07-1": (0.50, 0.52), "50-00-0": (1.08, 1.10),  # formalin 37 %
}
# HJ 169-2018 Table B.1 critical quantities Q_n [t] (project reference standards.md §8).
CRITICAL_QUANTITY_T = {
    "7664-41-7": 5, "7782-50-5": 1, "71-43-2": 10, "108-88-3": 10, "67-56-1": 10, "50-00-0": 0.5,
    "7647-01-0": 2.5, "107-13-1": 10, "75-21-8": 7.5, "100-42-5": 10, "68476-85-7": 10, "7681-52-9": 5,
}
# Factor codes each kind of point must measure (the demo specification, HJ 212-2017 Annex B codes).
REQUIRED_FACTORS = {
    "stack_cems": {"a00000", "a01011", "a01012", "a01013", "a01014", "a19001", "a21002", "a21026", "a34013"},
    "wastewater_outlet": {"w00000", "w01001", "w01018", "w21003", "w21011", "w21001"},
    "boundary_vocs": {"a24088", "a25002", "a25003", "a25005"},
    "ambient_air": {"a21026", "a21004", "a21005", "a05024", "a34002", "a34004"},
    "noise": {"LA", "Leq"},
    "groundwater_soil": {"w01001", "w21003", "w01019"},
    "tank_level": {"x01001", "x01002", "x01003"},
    "weather": {"a01001", "a01002", "a01006", "a01007", "a01008"},
}
MEDIUM_OF_KIND = {
    "stack_cems": {"air"}, "boundary_vocs": {"air"}, "ambient_air": {"air"}, "weather": {"air"},
    "wastewater_outlet": {"water"}, "groundwater_soil": {"water"}, "noise": {"noise"}, "tank_level": {"process"},
}
CHEMICAL_INDUSTRIES = {"petrochemical", "fine_chemical", "new_materials", "pharmaceutical"}
INDUSTRIES = CHEMICAL_INDUSTRIES | {"energy", "logistics", "environmental_services", "other"}


def utm(geometry):
    return shapely.transform(geometry, TO_UTM.transform, interleaved=False)


def gb32100_check(first17: str) -> str:
    total = sum(GB32100_ALPHABET.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS))
    return GB32100_ALPHABET[(31 - total % 31) % 31]


def gb11714_check(first8: str) -> str:
    c9 = 11 - sum(int(c, 36) * w for c, w in zip(first8, GB11714_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def all_rows(session, table):
    return list(session.scalars(select(table).order_by(table.id)))


# ---------------------------------------------------------------- one build per backend
def test_demo_park(session):
    park = build_demo_park(session)
    data = {
        "enterprises": all_rows(session, Enterprise),
        "sources": all_rows(session, EmissionSource),
        "points": all_rows(session, MonitoringPoint),
        "devices": all_rows(session, Device),
        "receptors": all_rows(session, SensitiveReceptor),
        "risks": all_rows(session, RiskSource),
        "stations": all_rows(session, WeatherStation),
        "zones": all_rows(session, FunctionalZone),
    }
    catalogue = {f.code: f for f in session.scalars(select(Factor))}

    check_park(park)
    check_enterprises(park, data)
    check_emission_sources(park, data)
    check_risk_sources(data)
    check_points_and_devices(park, data, catalogue)
    check_receptors(park, data)
    check_zones(park, data)
    check_weather_stations(data)
    check_device_passwords(data)
    check_demo_users(session, data)

    # A second build into the same store is refused (the park name is unique) and changes nothing.
    with pytest.raises(Conflict):
        build_demo_park(session)
    assert session.scalar(select(func.count(Park.id))) == 1
    assert session.scalar(select(func.count(MonitoringPoint.id))) == len(data["points"])


def check_park(park):
    assert park.timezone == "Asia/Shanghai"
    assert park.province == "江苏"
    assert park.a_value_region == 5 and park.air_quality_zone_class == 2
    assert park.name and park.name_en
    boundary = shape(park.boundary)
    assert boundary.geom_type == "Polygon" and boundary.is_valid
    assert len(park.boundary["coordinates"][0]) - 1 >= 8, "an irregular polygon, not a box"
    assert boundary.area < 0.97 * boundary.envelope.area, "an irregular polygon, not a box"
    minx, miny, maxx, maxy = boundary.bounds  # north bank of the Yangtze near Nanjing
    assert 118.75 <= minx < maxx <= 118.85 and 32.22 <= miny < maxy <= 32.30
    x0, y0, x1, y1 = utm(boundary).bounds  # roughly 6 x 5 km
    assert 5000 <= x1 - x0 <= 7000 and 4000 <= y1 - y0 <= 6000


def check_enterprises(park, data):
    enterprises = data["enterprises"]
    boundary = shape(park.boundary)
    assert len(enterprises) == 82
    assert all(e.park_id == park.id for e in enterprises)
    assert len({e.name for e in enterprises}) == 82
    assert all(re.search(r"(有限公司|股份有限公司)$", e.name) for e in enterprises)
    industries = Counter(e.industry for e in enterprises)
    assert set(industries) <= INDUSTRIES
    leading = industries["petrochemical"] + industries["fine_chemical"] + industries["new_materials"]
    assert leading >= 0.6 * 82, industries
    assert {e.size_class for e in enterprises} <= {"large", "medium", "small", "micro"}
    assert {e.pollution_class for e in enterprises} <= {"key", "simplified", "registration"}
    assert Counter(e.pollution_class for e in enterprises)["key"] >= 41

    assert len({e.credit_code for e in enterprises}) == 82
    for e in enterprises:
        code = e.credit_code
        assert validate_credit_code(code) == code
        assert code[:2] == "91", "registered by the market regulator as an enterprise"
        assert code[2:6] == "3201", f"{code}: administrative division of Nanjing (GB/T 2260)"
        assert gb32100_check(code[:17]) == code[17]
        assert gb11714_check(code[8:16]) == code[16], f"{code}: organisation code check character"

    footprints = []
    for e in enterprises:
        footprint = shape(e.footprint)
        assert footprint.is_valid and boundary.covers(footprint)
        assert boundary.contains(Point(e.lon, e.lat)), "strictly inside the boundary"
        assert footprint.covers(Point(e.lon, e.lat))
        assert 1_000 <= utm(footprint).area <= 400_000  # 0.1-40 ha plots [m2]
        assert 5 <= e.building_height_m <= 80
        assert 1 <= len(e.contacts) <= 3
        for contact in e.contacts:
            assert contact["role"] in {"环保负责人", "安全负责人", "值班人员"}
            assert re.fullmatch(r"1[3-9]\d{9}", contact["phone"]), contact  # mainland mobile number
            assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact["email"])
            assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", contact["name"])
        footprints.append(footprint)
    tree = STRtree(footprints)
    for i, footprint in enumerate(footprints):
        for j in tree.query(footprint):
            if j != i:
                assert utm(footprint.intersection(footprints[j])).area < 1.0, "plots must not overlap"


def check_emission_sources(park, data):
    boundary = shape(park.boundary)
    footprint = {e.id: shape(e.footprint) for e in data["enterprises"]}
    by_enterprise = defaultdict(list)
    for s in data["sources"]:
        by_enterprise[s.enterprise_id].append(s)
        assert boundary.covers(Point(s.lon, s.lat))
        assert footprint[s.enterprise_id].covers(Point(s.lon, s.lat)), f"{s.code} outside its enterprise"
    stacks = [s for s in data["sources"] if s.kind == "stack"]
    assert len(stacks) >= 82
    for s in stacks:
        assert re.fullmatch(r"DA\d{3}", s.code)
        assert 15 <= s.stack_height_m <= 120
        assert 0.3 <= s.stack_inner_diameter_m <= 4.0
        assert 5 <= s.exit_velocity_m_s <= 20
        assert 300 <= s.exit_temperature_k <= 450
    assert max(s.stack_height_m for s in stacks) >= 100, "a cracker or power-plant stack"
    for sources in by_enterprise.values():
        codes = [s.code for s in sources if s.kind == "stack"]
        assert codes == [f"DA{i:03d}" for i in range(1, len(codes) + 1)]
    outlets = [s for s in data["sources"] if s.kind == "wastewater_outlet"]
    assert len(outlets) == 82 and {s.code for s in outlets} == {"DW001"}
    assert len({s.enterprise_id for s in outlets}) == 82
    destinations = Counter(s.discharge_destination for s in outlets)
    assert destinations["indirect"] >= 0.9 * 82 and destinations["direct"] >= 1
    fugitive = [s for s in data["sources"] if s.kind == "fugitive_area"]
    assert fugitive
    for s in fugitive:
        area = shape(s.area)
        assert footprint[s.enterprise_id].covers(area) and boundary.covers(area)
        assert s.release_height_m is not None and s.release_height_m >= 0


def check_risk_sources(data):
    enterprises = {e.id: e for e in data["enterprises"]}
    tanks = [r for r in data["risks"] if r.kind == "storage_tank"]
    assert tanks
    for r in data["risks"]:
        assert shape(enterprises[r.enterprise_id].footprint).covers(Point(r.lon, r.lat))
        for item in r.inventory:
            if item["cas"] is not None:
                assert item["cas"] in CAS_NAMES, f"unexpected CAS {item['cas']}"
                assert CAS_NAMES[item["cas"]] in item["substance"], item
            assert item["quantity_t"] > 0
    for tank in tanks:
        assert tank.safe_level_m < tank.tank_height_m
        assert len(tank.inventory) == 1, "one substance per tank"
        (item,) = tank.inventory
        low, high = LIQUID_DENSITY_T_M3[item["cas"]]
        per_m3 = item["quantity_t"] / tank.capacity_m3  # = density x fill
        assert 0.70 * low <= per_m3 <= 0.95 * high, f"{tank.name}: {item['quantity_t']} t in {tank.capacity_m3} m3"
    chlorine = [t for t in tanks if t.inventory[0]["cas"] == "7782-50-5"]
    ammonia = [t for t in tanks if t.inventory[0]["cas"] == "7664-41-7"]
    methanol = [t for t in tanks if t.inventory[0]["cas"] == "67-56-1"]
    assert chlorine and all(50 <= t.capacity_m3 <= 200 for t in chlorine)
    assert ammonia and all(20 <= t.capacity_m3 <= 300 for t in ammonia)
    assert all(500 <= t.capacity_m3 <= 10000 for t in methanol)
    for store in (r for r in data["risks"] if r.kind != "storage_tank"):
        assert store.capacity_t >= sum(item["quantity_t"] for item in store.inventory)
    warehouses = [r for r in data["risks"] if r.kind == "warehouse"]
    assert warehouses and all(len(w.inventory) >= 2 for w in warehouses)
    waste_holders = {r.enterprise_id for r in data["risks"] if r.kind == "hazardous_waste_store"}
    assert len(waste_holders) >= 0.7 * 82

    # HJ 169-2018 / HJ 941-2018: Q = Σ q_i / Q_n,i over the enterprise's stored substances.
    ratio = Counter()
    for r in data["risks"]:
        for item in r.inventory:
            if item["cas"] in CRITICAL_QUANTITY_T:
                ratio[r.enterprise_id] += item["quantity_t"] / CRITICAL_QUANTITY_T[item["cas"]]
    q = [ratio[e_id] for e_id in enterprises]
    assert sum(1 for value in q if value >= 1) >= 20, "enough enterprises above the critical quantities"
    assert max(q) >= 100, "at least one Q3 enterprise"
    assert min(q) < 1, "and some below, so grading has contrast"


def check_points_and_devices(park, data, catalogue):
    boundary = shape(park.boundary)
    enterprises = {e.id: e for e in data["enterprises"]}
    sources = {s.id: s for s in data["sources"]}
    risks = {r.id: r for r in data["risks"]}
    points = data["points"]
    assert len(points) >= 500
    assert len({p.code for p in points}) == len(points)
    kinds = Counter(p.kind for p in points)
    assert set(kinds) == set(REQUIRED_FACTORS), kinds
    for p in points:
        assert p.park_id == park.id
        assert boundary.covers(Point(p.lon, p.lat)), f"{p.code} outside the park"
        if p.enterprise_id is not None:
            assert shape(enterprises[p.enterprise_id].footprint).covers(Point(p.lon, p.lat)), p.code

    # Park-owned stations.
    park_owned = Counter(p.kind for p in points if p.enterprise_id is None)
    assert 6 <= park_owned["ambient_air"] <= 8 and park_owned["ambient_air"] == kinds["ambient_air"]
    assert park_owned["weather"] >= 1 and park_owned["weather"] == kinds["weather"]

    # CEMS: one per stack of each key-management enterprise, linked to its stack.
    key_stacks = {
        s.id for s in data["sources"] if s.kind == "stack" and enterprises[s.enterprise_id].pollution_class == "key"
    }
    cems = [p for p in points if p.kind == "stack_cems"]
    assert sorted(p.source_id for p in cems) == sorted(key_stacks)
    assert all(sources[p.source_id].enterprise_id == p.enterprise_id for p in cems)
    for p in (p for p in points if p.kind == "wastewater_outlet"):
        outlet = sources[p.source_id]
        assert outlet.kind == "wastewater_outlet" and outlet.enterprise_id == p.enterprise_id

    # Tank level: exactly one per storage tank, linked to it.
    tank_points = [p for p in points if p.kind == "tank_level"]
    tanks = {r.id for r in data["risks"] if r.kind == "storage_tank"}
    assert sorted(p.risk_source_id for p in tank_points) == sorted(tanks)
    assert all(risks[p.risk_source_id].enterprise_id == p.enterprise_id for p in tank_points)

    # Fence-line VOCs: 2-4 per chemical enterprise.
    vocs = Counter(p.enterprise_id for p in points if p.kind == "boundary_vocs" and p.enterprise_id is not None)
    for e in data["enterprises"]:
        if e.industry in CHEMICAL_INDUSTRIES:
            assert 2 <= vocs[e.id] <= 4, e.name

    # Devices: one per point, unique HJ 212 MNs, catalogue factors fitting the kind.
    devices = data["devices"]
    point_of = {p.id: p for p in points}
    assert sorted(d.point_id for d in devices) == sorted(point_of)
    assert len({d.mn for d in devices}) == len(devices)
    versions = Counter(d.protocol_version for d in devices)
    assert set(versions) <= {"2005", "2017"} and versions["2005"] >= 1
    assert versions["2017"] >= 0.85 * len(devices)
    for d in devices:
        kind = point_of[d.point_id].kind
        assert re.fullmatch(r"[0-9A-Za-z]{1,24}", d.mn), d.mn
        assert set(d.factor_codes) <= set(catalogue), d.factor_codes
        assert REQUIRED_FACTORS[kind] <= set(d.factor_codes), (kind, d.factor_codes)
        assert {catalogue[c].medium for c in d.factor_codes} <= MEDIUM_OF_KIND[kind], (kind, d.factor_codes)
        if d.protocol_version == "2005":  # a 2005 device can only send factors that have a 2005 code
            assert all(catalogue[c].code_2005 for c in d.factor_codes), d.factor_codes
    assert any("a24088" in d.factor_codes for d in devices if point_of[d.point_id].kind == "stack_cems")


def check_receptors(park, data):
    boundary_m = utm(shape(park.boundary))
    within_5km = boundary_m.buffer(5000, quad_segs=64)  # inscribed polygon: a conservative test
    receptors = data["receptors"]
    kinds = Counter(r.kind for r in receptors)
    assert kinds["residential"] == 3 and kinds["water_source_zone"] == 2
    assert kinds["school"] >= 1 and kinds["hospital"] >= 1
    for r in receptors:
        geometry_m = utm(shape(r.geometry))
        assert boundary_m.disjoint(geometry_m), f"{r.name} must lie outside the park"
        assert boundary_m.distance(geometry_m) > 0
        assert within_5km.covers(geometry_m), f"{r.name} must lie within 5 km of the boundary"
        assert shape(r.geometry).covers(Point(r.lon, r.lat))
    for r in receptors:
        if r.kind == "residential":
            assert r.geometry["type"] == "Polygon" and 3000 <= r.population <= 30000
            assert re.search(r"(社区|村)$", r.name)
        elif r.kind in ("school", "hospital"):
            assert r.geometry["type"] == "Point"
    zones = [r for r in receptors if r.kind == "water_source_zone"]
    assert all(z.geometry["type"] in ("Polygon", "MultiPolygon") for z in zones)
    assert sorted(z.protection_class for z in zones) == ["一级保护区", "二级保护区"]
    first, second = sorted(zones, key=lambda z: z.protection_class)  # 一 sorts before 二 in Unicode
    assert not shape(first.geometry).overlaps(shape(second.geometry))


def check_zones(park, data):
    """The plan's zones partition the park, and each holds the enterprises its kind says."""
    boundary_m = utm(shape(park.boundary))
    zones = {z.code: z for z in data["zones"]}
    shapes = {code: utm(shape(z.geometry)) for code, z in zones.items()}
    kinds = Counter(z.kind for z in zones.values())
    assert kinds == {"chemical_production": 2, "storage_logistics": 1, "utilities": 1, "reserve": 1, "green_buffer": 1}
    # A partition: together the whole park (to a few m² of rounding), no two sharing more than a border.
    union = shapely.union_all(list(shapes.values()))
    assert abs(union.area - boundary_m.area) < 100 and boundary_m.symmetric_difference(union).area < 100
    for a, b in [(a, b) for a in shapes for b in shapes if a < b]:
        assert shapes[a].intersection(shapes[b]).area < 1, (a, b)
    for z in zones.values():
        # ha from the UTM area: UTM 50N's scale factor at 118.8 °E is 0.99962 (central meridian 117 °E),
        # so the projected area is 0.1 % smaller than the ground's.
        assert z.area_ha == pytest.approx(shapes[z.code].area / 1e4, rel=2e-3)
        assert shape(z.geometry).covers(Point(z.lon, z.lat))
    assert sum(z.area_ha for z in zones.values()) == pytest.approx(utm(shape(park.boundary)).area / 1e4, rel=2e-3)

    def zone_of(enterprise) -> FunctionalZone:
        [zone] = [zones[c] for c, s in shapes.items() if s.covers(utm(Point(enterprise.lon, enterprise.lat)))]
        return zone

    kind_of_industry = Counter()
    for e in data["enterprises"]:
        kind_of_industry[e.industry, zone_of(e).kind] += 1
        assert utm(shape(e.footprint)).within(shapes[zone_of(e).code].buffer(1)), e.name
    assert kind_of_industry["logistics", "storage_logistics"] == 6
    assert kind_of_industry["energy", "utilities"] + kind_of_industry["environmental_services", "utilities"] == 7
    assert {k for (_, k) in kind_of_industry} == {"chemical_production", "storage_logistics", "utilities"}
    assert all(k == "chemical_production" for (industry, k) in kind_of_industry if industry in CHEMICAL_INDUSTRIES)
    # The reserve is the north of the park, nearest the villages north of it; no enterprise stands in it (above).
    reserve = shapes[[c for c, z in zones.items() if z.kind == "reserve"][0]]
    assert reserve.centroid.y > boundary_m.centroid.y + 1500
    # The wastewater plant discharges into the Yangtze: it is on the riverbank, in the southernmost row.
    direct = [e for e in data["enterprises"]
              if any(s.enterprise_id == e.id and s.discharge_destination == "direct" for s in data["sources"])]
    assert direct and all(zone_of(e).kind == "utilities" for e in direct)
    south_m = boundary_m.bounds[1]
    assert all(utm(Point(e.lon, e.lat)).y - south_m < 800 for e in direct)


def check_weather_stations(data):
    points = {p.id: p for p in data["points"]}
    stations = data["stations"]
    assert stations
    for station in stations:
        point = points[station.point_id]
        assert point.kind == "weather" and point.enterprise_id is None
        assert station.anemometer_height_m == 10
        assert (station.lon, station.lat) == pytest.approx((point.lon, point.lat))


def check_device_passwords(data):
    for device in data["devices"]:
        password = demo_device_password(20261128, device.mn)
        assert re.fullmatch(r"\d{6}", password)
        assert DEVICE_PASSWORDS.verify(password, device.password_hash), device.mn
    device = data["devices"][0]
    right, wrong = demo_device_password(20261128, device.mn), demo_device_password(1, device.mn)
    assert wrong == right or not DEVICE_PASSWORDS.verify(wrong, device.password_hash)


def check_demo_users(session, data):
    users = create_demo_users(session)
    assert {u.role for u in users} == {"admin", "steward", "regulator", "command", "enterprise"}
    assert DEMO_ADMIN[0] in DEMO_USERS and DEMO_USERS[DEMO_ADMIN[0]] == (DEMO_ADMIN[1], "admin")
    first_enterprise = min(e.id for e in data["enterprises"])
    for username, (password, role) in DEMO_USERS.items():
        assert len(password) >= 8
        user = authenticate(session, username, password)
        assert user is not None and user.role == role
        assert user.enterprise_id == (first_enterprise if role == "enterprise" else None)
        assert authenticate(session, username, password + "x") is None


# ---------------------------------------------------------------- the device password
def test_demo_device_password_is_hmac_sha256_of_the_mn():
    # The documented recipe, computed here with the standard library: the first 8 bytes of
    # HMAC-SHA256(key = decimal seed, message = MN) as a big-endian integer, mod 10**6.
    digest = hmac.new(b"20261128", b"32013112345670001", hashlib.sha256).digest()
    expected = f"{int.from_bytes(digest[:8], 'big') % 10**6:06d}"
    assert demo_device_password(20261128, "32013112345670001") == expected
    assert demo_device_password(20261128, "32013112345670001") == demo_device_password(20261128, "32013112345670001")
    passwords = {demo_device_password(seed, "32013112345670001") for seed in range(20)}
    assert len(passwords) >= 19, "the seed changes the password"


# ---------------------------------------------------------------- determinism
def _fingerprint(tmp_path, name: str, seed: int, global_seed: int) -> dict:
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    prepare_database(engine)
    random.seed(global_seed)  # the builder must not depend on, nor disturb, global randomness
    try:
        with make_sessionmaker(engine)() as session:
            build_demo_park(session, seed)
            fingerprint = {
                "boundary": session.scalar(select(Park.boundary)),
                "enterprises": session.execute(
                    select(Enterprise.name, Enterprise.credit_code, Enterprise.lon, Enterprise.lat)
                    .order_by(Enterprise.id)
                ).all(),
                "mns": session.scalars(select(Device.mn).order_by(Device.id)).all(),
                "points": session.execute(
                    select(MonitoringPoint.code, MonitoringPoint.lon, MonitoringPoint.lat).order_by(MonitoringPoint.id)
                ).all(),
                "tanks": session.execute(
                    select(RiskSource.code, RiskSource.capacity_m3, RiskSource.inventory).order_by(RiskSource.id)
                ).all(),
            }
    finally:
        engine.dispose()
    assert random.random() == random.Random(global_seed).random(), "global random state was used"
    return fingerprint


def test_same_seed_same_park_other_seed_other_park(tmp_path):
    first = _fingerprint(tmp_path, "a.db", 20261128, global_seed=1)
    again = _fingerprint(tmp_path, "b.db", 20261128, global_seed=2)
    other = _fingerprint(tmp_path, "c.db", 7, global_seed=1)
    assert first == again
    assert [e.name for e in first["enterprises"]] != [e.name for e in other["enterprises"]]
    assert {e.credit_code for e in first["enterprises"]}.isdisjoint(e.credit_code for e in other["enterprises"])
    assert set(first["mns"]).isdisjoint(other["mns"])
    assert len(other["enterprises"]) == 82 and len(other["points"]) >= 500
