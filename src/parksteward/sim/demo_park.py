"""Demo park (演示园区): a national-level chemical park in eastern China, built from a seed.

:func:`build_demo_park` lays out a fictional park on the north bank of the Yangtze near
Nanjing: 82 enterprises with their stacks, wastewater outlets, fugitive areas, storage
tanks, warehouses and hazardous-waste stores; some 600 monitoring points, each with one
HJ 212 device; the residential areas, schools, hospital and drinking-water source zones
around the park; and the park's weather stations. Every object goes through the registry
services as the SYSTEM actor, so the demo passes the same checks as data a user enters.
One seed gives the same park every time: ``random.Random(seed)`` is the only source of
randomness, and nothing depends on the clock. Device passwords are derived from the seed
and the MN (:func:`demo_device_password`), so the device simulator can log in without a
stored secret. Names, codes, people and phone numbers are invented.

Geometry is laid out in a local azimuthal-equidistant frame in metres (x east, y north)
around the park centre and converted to WGS84 once, when an object is written.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
from dataclasses import dataclass
from functools import cached_property

from pyproj import CRS, Transformer
from shapely.geometry import Point, Polygon, box
from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.access.actor import SYSTEM
from parksteward.accounts.service import create_user
from parksteward.accounts.tables import User
from parksteward.errors import NotFound
from parksteward.registry import service as registry
from parksteward.registry.credit_code import ALPHABET as CREDIT_CODE_ALPHABET
from parksteward.registry.credit_code import check_character
from parksteward.registry.tables import Enterprise, Park, RiskSource

DEFAULT_SEED = 20261128
ENTERPRISE_COUNT = 82

PARK_NAME = "江北新材料化工园区（演示）"
PARK_NAME_EN = "Jiangbei New Materials Chemical Park (demo)"
PARK_CENTRE_LONLAT = (118.80, 32.26)  # north bank of the Yangtze, Liuhe district of Nanjing
PARK_DESCRIPTION = (
    "虚构的国家级化工园区演示数据，位于南京长江北岸：石油化工、精细化工、新材料为主导产业，"
    "配套热电、危废处置、园区污水处理厂与化工物流。所有企业、人员与编码均为虚构。"
)

# Park boundary in the local frame [m]: about 6 km east-west by 5 km north-south, irregular.
BOUNDARY_LOCAL = (
    (-3000, -2200), (-1200, -2500), (800, -2350), (2600, -2500), (3000, -1200), (2850, 600),
    (3050, 2100), (1500, 2500), (-200, 2300), (-1800, 2500), (-3000, 1900), (-2800, 200),
)

# Plots: a grid of cells separated by roads; a cell is used when it lies at least
# CELL_SETBACK_M inside the boundary, and a footprint keeps FOOTPRINT_SETBACK_M off the roads.
CELL_W_M, CELL_H_M, CELL_COLUMNS, CELL_ROWS = 500.0, 460.0, 11, 10
CELL_SETBACK_M = 60.0
FOOTPRINT_SETBACK_M = 25.0
FENCE_INSET_M = 3.0  # fence-line monitoring points stand this far inside the fence

# Administrative divisions (GB/T 2260) of the credit codes: Liuhe, Pukou, Nanjing city.
DIVISIONS = {"320116": 0.75, "320111": 0.15, "320100": 0.10}

# Demo logins, username -> (password, role); the enterprise user belongs to the first enterprise.
DEMO_USERS: dict[str, tuple[str, str]] = {
    "admin": ("Admin#2026demo", "admin"),
    "steward": ("Steward#2026demo", "steward"),
    "regulator": ("Regulator#2026demo", "regulator"),
    "command": ("Command#2026demo", "command"),
    "enterprise": ("Enterprise#2026demo", "enterprise"),
}
DEMO_ADMIN = ("admin", DEMO_USERS["admin"][0])
DEMO_FULL_NAMES = {
    "admin": "园区管委会系统管理员",
    "steward": "环保管家项目组",
    "regulator": "生态环境局监管员",
    "command": "应急指挥中心值班员",
    "enterprise": "企业环保专员",
}

# Factor codes of each kind of monitoring point (codes of data/factors.json).
CEMS_FACTORS = ("a00000", "a01011", "a01012", "a01013", "a01014", "a19001", "a21002", "a21026", "a34013")
POINT_FACTORS = {
    "stack_cems": CEMS_FACTORS,
    "wastewater_outlet": ("w00000", "w01001", "w01018", "w21003", "w21011", "w21001"),
    "boundary_vocs": ("a24088", "a25002", "a25003", "a25005"),
    "ambient_air": ("a21026", "a21004", "a21005", "a05024", "a34002", "a34004"),
    "noise": ("LA", "Leq"),
    "groundwater_soil": ("w01001", "w21003", "w01019"),
    "tank_level": ("x01001", "x01002", "x01003"),
    "weather": ("a01001", "a01002", "a01006", "a01007", "a01008"),
}
# Two digits of the MN telling the kind of point (our own convention for the demo).
MN_KIND = {
    "stack_cems": "31", "wastewater_outlet": "32", "boundary_vocs": "33", "ambient_air": "21",
    "weather": "22", "noise": "41", "groundwater_soil": "51", "tank_level": "61",
}
DEVICE_MODELS = {
    "stack_cems": ("江苏环仪科技", "CEMS-2000G"),
    "wastewater_outlet": ("江苏环仪科技", "WQ-3000"),
    "boundary_vocs": ("南京谱析仪器", "GC-FID-900"),
    "ambient_air": ("南京谱析仪器", "AQMS-6"),
    "noise": ("苏州声测电子", "NM-213"),
    "groundwater_soil": ("江苏环仪科技", "GW-100"),
    "tank_level": ("常州液位仪表", "RL-80"),
    "weather": ("南京气象仪器", "AWS-5"),
}
LEGACY_PROTOCOL_SHARE = 0.08  # share of CEMS and wastewater devices still speaking HJ 212-2005


def demo_device_password(seed: int, mn: str) -> str:
    """The HJ 212 password (PW) of demo device ``mn``: 6 digits of HMAC-SHA256(seed, MN).

    Deterministic, so the device simulator can recompute what the builder stored hashed.
    """
    digest = hmac.new(str(seed).encode("ascii"), mn.encode("ascii"), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


# ---------------------------------------------------------------- substances and vessels
@dataclass(frozen=True)
class Substance:
    """A stored chemical: name as written in the inventory, CAS number, liquid density."""

    name: str
    cas: str
    density_t_m3: float  # liquid density at storage conditions [t/m3]
    vessel: str  # "vertical" atmospheric tank, "bullet" horizontal pressure vessel, "sphere"
    capacities_m3: tuple[float, ...] = ()  # usual nominal tank sizes [m3]


# Densities: liquid at about 20 °C (liquefied gases at their vapour pressure), solutions at
# the stated strength; values from standard handbook tables, rounded.
SUBSTANCES = {
    "ammonia": Substance("液氨", "7664-41-7", 0.61, "bullet", (50, 100, 120, 150, 200)),
    "chlorine": Substance("液氯", "7782-50-5", 1.41, "bullet", (50, 80, 100, 150)),
    "benzene": Substance("苯", "71-43-2", 0.879, "vertical", (1000, 2000, 3000, 5000, 10000)),
    "methanol": Substance("甲醇", "67-56-1", 0.792, "vertical", (1000, 2000, 3000, 5000)),
    "toluene": Substance("甲苯", "108-88-3", 0.867, "vertical", (500, 1000, 2000, 3000, 5000)),
    "xylene": Substance("二甲苯", "1330-20-7", 0.864, "vertical", (500, 1000, 2000, 3000, 5000)),
    "styrene": Substance("苯乙烯", "100-42-5", 0.906, "vertical", (1000, 2000, 3000, 5000)),
    "acrylonitrile": Substance("丙烯腈", "107-13-1", 0.806, "vertical", (500, 1000, 2000, 3000)),
    "ethylene_oxide": Substance("环氧乙烷", "75-21-8", 0.882, "sphere", (200, 400)),
    "hydrochloric_acid": Substance("盐酸（31%）", "7647-01-0", 1.15, "vertical", (50, 100, 200, 300)),
    "sulfuric_acid": Substance("硫酸（98%）", "7664-93-9", 1.83, "vertical", (100, 200, 500, 1000)),
    "sodium_hydroxide": Substance("氢氧化钠溶液（32%）", "1310-73-2", 1.35, "vertical", (100, 200, 300, 500)),
    "ethanol": Substance("乙醇", "64-17-5", 0.789, "vertical", (200, 500, 1000, 2000)),
    "acetone": Substance("丙酮", "67-64-1", 0.791, "vertical", (200, 500, 1000, 2000)),
    "lpg": Substance("液化石油气", "68476-85-7", 0.55, "sphere", (1000, 2000)),
    "propylene": Substance("丙烯", "115-07-1", 0.514, "sphere", (1000, 2000)),
    "formaldehyde": Substance("甲醛溶液（37%）", "50-00-0", 1.09, "vertical", (100, 200, 500, 1000)),
}
# Packaged chemicals kept in warehouses (name, CAS).
PACKAGED = {
    "acetone": ("丙酮", "67-64-1"),
    "ethanol": ("乙醇", "64-17-5"),
    "methanol": ("甲醇", "67-56-1"),
    "toluene": ("甲苯", "108-88-3"),
    "dichloromethane": ("二氯甲烷", "75-09-2"),
    "chloroform": ("三氯甲烷", "67-66-3"),
    "phenol": ("苯酚", "108-95-2"),
    "caustic_soda": ("氢氧化钠（片碱）", "1310-73-2"),
    "hydrogen_peroxide": ("过氧化氢溶液（27.5%）", "7722-84-1"),
    "sodium_hypochlorite": ("次氯酸钠溶液", "7681-52-9"),
    "acrylic_acid": ("丙烯酸", "79-10-7"),
    "benzoyl_peroxide": ("过氧化苯甲酰", "94-36-0"),
    "sulfuric_acid": ("硫酸（98%）", "7664-93-9"),
    "hydrochloric_acid": ("盐酸（31%）", "7647-01-0"),
}
# Hazardous wastes (国家危险废物名录 categories); mixtures, so no CAS number.
HAZARDOUS_WASTES = {
    "solvent": "废有机溶剂（HW06）",
    "residue": "精（蒸）馏残渣（HW11）",
    "carbon": "废活性炭（HW49）",
    "catalyst": "废催化剂（HW50）",
    "oil": "废矿物油（HW08）",
    "pharma": "医药废物（HW02）",
    "resin": "有机树脂类废物（HW13）",
    "sludge": "含油污泥（HW08）",
    "fly_ash": "焚烧飞灰（HW18）",
    "packaging": "废包装桶（HW49）",
}

# Vertical atmospheric tanks: shell height [m] by nominal capacity [m3] (usual API 650 / SH 3046 proportions).
_VERTICAL_HEIGHTS = ((50, 5.5), (100, 6.5), (200, 8.0), (300, 9.0), (500, 10.5), (1000, 12.5),
                     (2000, 14.0), (3000, 15.5), (5000, 17.0), (10000, 19.0))


def _vertical_height_m(capacity_m3: float) -> float:
    """Shell height of a vertical tank, interpolated in log(capacity) [m]."""
    points = _VERTICAL_HEIGHTS
    if capacity_m3 <= points[0][0]:
        return points[0][1]
    for (v0, h0), (v1, h1) in zip(points, points[1:]):
        if capacity_m3 <= v1:
            t = math.log(capacity_m3 / v0) / math.log(v1 / v0)
            return h0 + t * (h1 - h0)
    return points[-1][1]


def _volume_fraction(vessel: str, level_fraction: float) -> float:
    """Filled share of a vessel's volume at a liquid level of ``level_fraction`` of its height [-].

    Sphere: V/V0 = t^2 (3 - 2t); horizontal cylinder (heads neglected): V/V0 = (θ - sin θ)/(2π)
    with θ = 2 arccos(1 - 2t); vertical cylinder: V/V0 = t.
    """
    t = level_fraction
    if vessel == "sphere":
        return t * t * (3 - 2 * t)
    if vessel == "bullet":
        theta = 2 * math.acos(1 - 2 * t)
        return (theta - math.sin(theta)) / (2 * math.pi)
    return t


def _level_fraction(vessel: str, volume_fraction: float) -> float:
    """Inverse of :func:`_volume_fraction` by bisection (both are increasing in the level)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _volume_fraction(vessel, mid) < volume_fraction:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _tank_height_m(vessel: str, capacity_m3: float) -> float:
    """Height (vertical tank) or diameter (sphere, horizontal bullet) of a vessel [m]."""
    if vessel == "sphere":  # V = π D³ / 6
        return (6 * capacity_m3 / math.pi) ** (1 / 3)
    if vessel == "bullet":  # length about 4.5 D: V = π/4 D² · 4.5 D
        return (4 * capacity_m3 / (4.5 * math.pi)) ** (1 / 3)
    return _vertical_height_m(capacity_m3)


# ---------------------------------------------------------------- stacks
@dataclass(frozen=True)
class StackKind:
    """A kind of stack with the usual ranges of its parameters."""

    name: str
    height_m: tuple[float, float]
    diameter_m: tuple[float, float]
    velocity_m_s: tuple[float, float]
    temperature_k: tuple[float, float]
    vocs: bool = False  # treats organic off-gas: its CEMS also measures NMHC (a24088)
    utility: bool = False  # a boiler or wastewater station, placed in the utilities corner


CRACKER = StackKind("乙烯裂解炉烟囱", (100, 100), (3.2, 3.2), (15, 15), (420, 420))
HEATER = StackKind("工艺加热炉排气筒", (60, 90), (1.8, 2.8), (10, 16), (390, 440))
FCC = StackKind("催化裂化再生烟气排气筒", (80, 100), (2.5, 3.5), (12, 18), (420, 450))
SULFUR = StackKind("硫磺回收尾气焚烧炉排气筒", (60, 80), (1.2, 2.0), (8, 14), (420, 450))
RTO = StackKind("VOCs治理设施（RTO）排气筒", (25, 40), (0.8, 1.6), (10, 16), (330, 400), vocs=True)
WWTP_GAS = StackKind("污水处理站废气排气筒", (15, 25), (0.5, 1.0), (6, 12), (300, 315), vocs=True, utility=True)
TANK_VENT = StackKind("储罐区废气处理排气筒", (15, 25), (0.3, 0.8), (6, 12), (300, 310), vocs=True)
OIL_HEATER = StackKind("导热油炉排气筒", (30, 45), (0.6, 1.2), (8, 14), (400, 440), utility=True)
GAS_BOILER = StackKind("燃气锅炉排气筒", (30, 50), (0.8, 1.6), (8, 14), (380, 420), utility=True)
POLYMER = StackKind("聚合工艺废气排气筒", (30, 50), (1.0, 2.0), (10, 16), (310, 340), vocs=True)
DRYER = StackKind("干燥尾气排气筒", (20, 35), (1.0, 2.0), (12, 18), (320, 360))
SYNTHESIS = StackKind("合成车间废气排气筒", (25, 35), (0.6, 1.2), (10, 15), (300, 320), vocs=True)
HCL_ABSORBER = StackKind("氯化氢合成尾气吸收塔排气筒", (25, 35), (0.4, 0.8), (8, 12), (300, 320))
COAL_BOILER = StackKind("燃煤锅炉烟囱", (100, 120), (3.5, 4.0), (15, 20), (320, 330), utility=True)
GAS_TURBINE = StackKind("燃机余热锅炉烟囱", (50, 60), (3.0, 4.0), (15, 20), (360, 400), utility=True)
VAPOUR_RECOVERY = StackKind("装车油气回收装置排气筒", (15, 20), (0.3, 0.6), (5, 10), (300, 310), vocs=True)
INCINERATOR = StackKind("危废焚烧炉烟囱", (60, 80), (1.2, 2.0), (12, 18), (410, 440))
SMALL_BOILER = StackKind("小型燃气锅炉排气筒", (15, 30), (0.4, 0.8), (5, 10), (350, 420), utility=True)


# ---------------------------------------------------------------- industries
@dataclass(frozen=True)
class Profile:
    """How an enterprise of one industry usually looks."""

    words: tuple[str, ...]  # industry word of the company name
    email_word: str
    sizes: dict[str, float]  # size class -> weight
    pollution: dict[str, float]  # pollution class -> weight
    stacks: tuple[StackKind, ...]
    n_stacks: tuple[int, int]
    tanks: tuple[str, ...]  # substance keys
    n_tanks: tuple[int, int]
    warehouse_share: float
    packaged: tuple[str, ...]
    waste_share: float
    wastes: tuple[str, ...]
    building_height_m: tuple[float, float]
    chemical: bool  # handles volatile organics: fence-line VOC monitoring and process fugitives


PROFILES = {
    "petrochemical": Profile(
        ("石化", "石油化工", "烯烃", "芳烃", "炼化"), "petro",
        {"large": 0.5, "medium": 0.5}, {"key": 1.0},
        (HEATER, FCC, SULFUR, RTO, WWTP_GAS, TANK_VENT), (2, 4),
        ("benzene", "toluene", "xylene", "styrene", "propylene", "lpg", "methanol", "acrylonitrile",
         "ethylene_oxide", "sulfuric_acid", "sodium_hydroxide"), (2, 3),
        0.5, ("caustic_soda", "sodium_hypochlorite", "hydrogen_peroxide"),
        1.0, ("solvent", "residue", "catalyst", "oil", "sludge", "carbon"), (30, 60), True,
    ),
    "fine_chemical": Profile(
        ("化工", "精细化工", "化学", "化学工业", "特种化学品"), "chem",
        {"medium": 0.45, "small": 0.45, "large": 0.10}, {"key": 0.8, "simplified": 0.2},
        (RTO, OIL_HEATER, TANK_VENT, WWTP_GAS, SYNTHESIS), (1, 2),
        ("methanol", "toluene", "acetone", "ethanol", "hydrochloric_acid", "sulfuric_acid",
         "sodium_hydroxide", "chlorine", "ammonia", "formaldehyde"), (1, 2),
        0.8, ("acetone", "ethanol", "toluene", "dichloromethane", "chloroform", "phenol", "caustic_soda",
              "hydrogen_peroxide"),
        1.0, ("solvent", "residue", "carbon", "packaging"), (15, 30), True,
    ),
    "new_materials": Profile(
        ("新材料", "高分子材料", "新材料科技", "工程塑料", "特种纤维"), "material",
        {"medium": 0.5, "small": 0.3, "large": 0.2}, {"key": 0.6, "simplified": 0.4},
        (POLYMER, DRYER, RTO, GAS_BOILER), (1, 3),
        ("styrene", "acrylonitrile", "methanol", "formaldehyde", "sodium_hydroxide", "ethylene_oxide"), (0, 2),
        0.7, ("acrylic_acid", "benzoyl_peroxide", "caustic_soda"),
        1.0, ("resin", "solvent", "carbon", "packaging"), (15, 35), True,
    ),
    "pharmaceutical": Profile(
        ("医药化工", "生物医药", "药业", "制药", "医药中间体"), "pharma",
        {"medium": 0.6, "small": 0.4}, {"key": 1.0},
        (SYNTHESIS, RTO, WWTP_GAS, SMALL_BOILER), (1, 3),
        ("ethanol", "methanol", "acetone", "toluene", "hydrochloric_acid"), (1, 2),
        0.9, ("ethanol", "acetone", "methanol", "dichloromethane", "chloroform", "hydrochloric_acid"),
        1.0, ("pharma", "solvent", "residue", "carbon"), (15, 30), True,
    ),
    "energy": Profile(
        ("热电", "能源", "燃气", "综合能源"), "energy",
        {"large": 0.5, "medium": 0.5}, {"key": 1.0},
        (GAS_TURBINE, GAS_BOILER), (2, 3),
        ("ammonia", "sodium_hydroxide"), (1, 1),
        0.3, ("caustic_soda", "hydrochloric_acid"),
        1.0, ("oil", "catalyst"), (30, 50), False,
    ),
    "logistics": Profile(
        ("化工物流", "仓储", "港务储运", "石化储运"), "logistics",
        {"medium": 0.6, "large": 0.2, "small": 0.2}, {"simplified": 0.7, "registration": 0.3},
        (VAPOUR_RECOVERY,), (1, 1),
        ("methanol", "toluene", "xylene", "styrene", "benzene", "ethanol", "acetone"), (3, 4),
        1.0, ("acetone", "ethanol", "methanol", "toluene", "caustic_soda", "sodium_hypochlorite", "phenol"),
        0.8, ("oil", "packaging", "sludge"), (10, 18), False,
    ),
    "environmental_services": Profile(
        ("环保科技", "水务", "固废处置", "环境服务"), "env",
        {"medium": 1.0}, {"key": 1.0},
        (INCINERATOR, WWTP_GAS), (1, 2),
        ("sodium_hydroxide", "sulfuric_acid"), (0, 1),
        0.5, ("sodium_hypochlorite", "caustic_soda", "sulfuric_acid"),
        1.0, ("fly_ash", "sludge", "carbon"), (12, 25), False,
    ),
    "other": Profile(
        ("工业气体", "检测技术", "包装材料", "机电设备"), "tech",
        {"small": 0.6, "micro": 0.4}, {"registration": 0.6, "simplified": 0.4},
        (SMALL_BOILER,), (0, 1),
        (), (0, 0),
        0.5, ("caustic_soda", "ethanol"),
        0.5, ("oil", "packaging"), (8, 15), False,
    ),
}
INDUSTRY_COUNTS = {
    "petrochemical": 14, "fine_chemical": 26, "new_materials": 18, "pharmaceutical": 8,
    "energy": 4, "logistics": 6, "environmental_services": 3, "other": 3,
}
assert sum(INDUSTRY_COUNTS.values()) == ENTERPRISE_COUNT


@dataclass(frozen=True)
class Anchor:
    """An enterprise every demo park has, whatever the seed (counted in INDUSTRY_COUNTS)."""

    industry: str
    word: str
    size_class: str
    pollution_class: str
    stacks: tuple[StackKind, ...]
    tanks: tuple[str, ...]
    discharge: str = "indirect"


ANCHORS = (
    # The ethylene cracker complex, first enterprise of the park (the demo enterprise user's).
    Anchor("petrochemical", "石化", "large", "key", (CRACKER, HEATER, HEATER, SULFUR, RTO, WWTP_GAS),
           ("propylene", "propylene", "lpg", "benzene", "benzene", "styrene")),
    Anchor("fine_chemical", "氯碱化工", "large", "key", (HCL_ABSORBER, GAS_BOILER, WWTP_GAS),
           ("chlorine", "chlorine", "hydrochloric_acid", "sodium_hydroxide")),
    Anchor("energy", "热电", "large", "key", (COAL_BOILER, COAL_BOILER), ("ammonia",)),
    Anchor("environmental_services", "水务", "medium", "key", (WWTP_GAS,), ("sodium_hydroxide",), "direct"),
    Anchor("environmental_services", "固废处置", "medium", "key", (INCINERATOR, INCINERATOR), ("sodium_hydroxide",)),
)

# ---------------------------------------------------------------- names
BRAND_FIRST = (
    ("华", "hua"), ("恒", "heng"), ("德", "de"), ("嘉", "jia"), ("宏", "hong"), ("金", "jin"), ("新", "xin"),
    ("中", "zhong"), ("长", "chang"), ("天", "tian"), ("永", "yong"), ("联", "lian"), ("鼎", "ding"),
    ("汇", "hui"), ("正", "zheng"), ("广", "guang"), ("明", "ming"), ("博", "bo"), ("润", "run"),
    ("凯", "kai"), ("安", "an"), ("瑞", "rui"), ("泰", "tai"), ("卓", "zhuo"),
)
BRAND_SECOND = (
    ("瑞", "rui"), ("泰", "tai"), ("康", "kang"), ("盛", "sheng"), ("远", "yuan"), ("达", "da"), ("丰", "feng"),
    ("源", "yuan"), ("诚", "cheng"), ("信", "xin"), ("宇", "yu"), ("昌", "chang"), ("邦", "bang"),
    ("辉", "hui"), ("弘", "hong"), ("科", "ke"), ("力", "li"), ("晟", "sheng"), ("海", "hai"), ("通", "tong"),
)
SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("赵", "zhao"),
    ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"), ("朱", "zhu"), ("马", "ma"),
    ("胡", "hu"), ("郭", "guo"), ("林", "lin"), ("何", "he"), ("高", "gao"), ("钱", "qian"), ("顾", "gu"),
    ("沈", "shen"), ("陆", "lu"), ("蒋", "jiang"),
)
GIVEN = (
    ("伟", "wei"), ("敏", "min"), ("静", "jing"), ("磊", "lei"), ("洋", "yang"), ("勇", "yong"), ("军", "jun"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("芳", "fang"), ("建", "jian"), ("华", "hua"), ("志", "zhi"), ("强", "qiang"),
    ("丽", "li"), ("文", "wen"), ("斌", "bin"), ("海", "hai"), ("婷", "ting"), ("鹏", "peng"), ("宁", "ning"),
)
CONTACT_ROLES = ("环保负责人", "安全负责人", "值班人员")
MOBILE_PREFIXES = ("133", "135", "136", "138", "139", "150", "151", "152", "157", "158", "159",
                   "177", "180", "181", "182", "183", "187", "188", "189", "199")
# Roads of the grid: east-west 纬x路 between rows, north-south 经x路 between columns.
EW_ROADS = ("纬一路", "纬二路", "纬三路", "纬四路", "纬五路", "纬六路", "纬七路", "纬八路", "纬九路", "纬十路", "纬十一路")

# ---------------------------------------------------------------- park-owned points and receptors
# Targets [m, local frame]; each station goes to the nearest free road crossing.
AMBIENT_STATIONS = (
    ("管委会", (0, 0)), ("北区", (-300, 2000)), ("东区", (2500, 500)), ("西区", (-2500, 0)),
    ("沿江", (-200, -2000)), ("东南", (2000, -1800)), ("西北", (-2000, 1600)),
)
WEATHER_STATIONS = (("管委会气象站", (500, 0), 8.0), ("沿江气象站", (1000, -1900), 6.0))
BOUNDARY_STATION_EDGES = (0, 2, 4, 6, 8, 10)  # park fence-line VOC stations at these boundary edges

RECEPTORS = (
    # name, kind, ring or point [m, local frame], population, protection class
    ("观澜社区", "residential", ((3700, 2600), (4650, 2700), (4700, 3350), (4100, 3500), (3650, 3200)), 18600, None),
    ("滨江新村", "residential", ((-5300, -450), (-4350, -350), (-4250, 450), (-4800, 650), (-5350, 300)), 7400, None),
    ("芦洲村", "residential", ((-900, 3250), (150, 3300), (250, 3850), (-500, 4000), (-950, 3700)), 4300, None),
    ("观澜小学", "school", (3900, 1900), 1600, None),
    ("滨江中学", "school", (-3900, 1000), 2100, None),
    ("芦洲小学", "school", (700, 3500), 900, None),
    ("观澜人民医院", "hospital", (4600, 1500), 800, None),
)
# Drinking-water source on the Yangtze, upstream (south-west) of the park: the first-class
# zone around the intake, and the second-class zone around it (a polygon with a hole).
WATER_INTAKE_ZONE = ((-3300, -4750), (-2100, -4600), (-2100, -4300), (-3300, -4450))
WATER_SECOND_ZONE = ((-4400, -4950), (-900, -4500), (-900, -4050), (-4400, -4500))


# ---------------------------------------------------------------- local geometry
class LocalFrame:
    """Local azimuthal-equidistant metres around the park centre, converted to WGS84."""

    def __init__(self, lon0: float, lat0: float):
        local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m +no_defs")
        self._to_wgs84 = Transformer.from_crs(local, "EPSG:4326", always_xy=True)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self._to_wgs84.transform(x, y)
        return round(lon, 7), round(lat, 7)

    def ring(self, points) -> list[list[float]]:
        coords = [list(self.lonlat(x, y)) for x, y in points]
        return coords + [coords[0]]

    def polygon(self, points, holes=()) -> dict:
        return {"type": "Polygon", "coordinates": [self.ring(points), *(self.ring(h) for h in holes)]}

    def point(self, x: float, y: float) -> dict:
        return {"type": "Point", "coordinates": list(self.lonlat(x, y))}


@dataclass(frozen=True)
class Rect:
    """An axis-parallel rectangle of the local frame [m]."""

    x0: float
    y0: float
    x1: float
    y1: float

    def at(self, fx: float, fy: float) -> tuple[float, float]:
        return self.x0 + fx * (self.x1 - self.x0), self.y0 + fy * (self.y1 - self.y0)

    def part(self, fx0: float, fy0: float, fx1: float, fy1: float) -> Rect:
        (x0, y0), (x1, y1) = self.at(fx0, fy0), self.at(fx1, fy1)
        return Rect(x0, y0, x1, y1)

    def inset(self, d: float) -> Rect:
        return Rect(self.x0 + d, self.y0 + d, self.x1 - d, self.y1 - d)

    def scaled(self, f: float) -> Rect:
        """The rectangle shrunk about its centre to ``f`` of its width and height."""
        return self.part((1 - f) / 2, (1 - f) / 2, (1 + f) / 2, (1 + f) / 2)

    @property
    def corners(self) -> tuple[tuple[float, float], ...]:
        return (self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)

    def grid(self, n: int) -> list[tuple[float, float]]:
        """``n`` well-spread points: centres of a near-square grid of sub-cells."""
        if n == 0:
            return []
        cols = math.ceil(math.sqrt(n))
        rows = math.ceil(n / cols)
        return [self.at((i % cols + 0.5) / cols, (i // cols + 0.5) / rows) for i in range(n)]


@dataclass
class Plot:
    """An enterprise's cell of the road grid, its footprint and the zones inside it."""

    column: int
    row: int
    cell: Rect
    footprint: Rect | None = None

    @cached_property
    def tank_farm(self) -> Rect:
        return self.footprint.part(0.05, 0.05, 0.40, 0.45)

    @cached_property
    def process(self) -> Rect:
        return self.footprint.part(0.45, 0.40, 0.95, 0.95)

    @cached_property
    def stores(self) -> Rect:
        return self.footprint.part(0.05, 0.55, 0.40, 0.95)

    @cached_property
    def utilities(self) -> Rect:
        return self.footprint.part(0.45, 0.05, 0.95, 0.33)


# ---------------------------------------------------------------- the builder
def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _uniform(rng: random.Random, bounds: tuple[float, float], digits: int) -> float:
    return round(rng.uniform(*bounds), digits)


class _Builder:
    def __init__(self, session: Session, seed: int):
        self.session = session
        self.seed = seed
        self.rng = random.Random(seed)
        self.frame = LocalFrame(*PARK_CENTRE_LONLAT)
        self.boundary_local = Polygon(BOUNDARY_LOCAL)
        self.mn_serial = 0
        self.used_names: set[str] = set()
        self.used_brands: set[str] = set()
        self.used_codes: set[str] = set()
        self.park: Park | None = None

    # ------------------------------------------------------------ helpers
    def add(self, service, values: dict):
        return service.add(self.session, SYSTEM, service.validate(values))

    def point_with_device(
        self, kind: str, code: str, name: str, xy: tuple[float, float], *, enterprise=None, source=None,
        risk_source=None, factors: tuple[str, ...] | None = None, legacy_ok: bool = False,
    ):
        lon, lat = self.frame.lonlat(*xy)
        point = self.add(registry.monitoring_points, {
            "park_id": self.park.id,
            "enterprise_id": enterprise.id if enterprise is not None else None,
            "source_id": source.id if source is not None else None,
            "risk_source_id": risk_source.id if risk_source is not None else None,
            "code": code, "name": name, "kind": kind, "lon": lon, "lat": lat,
        })
        self.mn_serial += 1
        mn = f"3201{MN_KIND[kind]}{self.rng.randrange(1_000_000):06d}{self.mn_serial:04d}"
        legacy = legacy_ok and self.rng.random() < LEGACY_PROTOCOL_SHARE
        manufacturer, model = DEVICE_MODELS[kind]
        self.add(registry.devices, {
            "point_id": point.id, "mn": mn, "password": demo_device_password(self.seed, mn),
            "protocol_version": "2005" if legacy else "2017",
            "factor_codes": list(factors or POINT_FACTORS[kind]),
            "manufacturer": manufacturer, "model": model,
        })
        return point

    # ------------------------------------------------------------ the park
    def build(self) -> Park:
        self.park = self.add(registry.parks, {
            "name": PARK_NAME, "name_en": PARK_NAME_EN, "timezone": "Asia/Shanghai",
            "boundary": self.frame.polygon(BOUNDARY_LOCAL),
            "air_quality_zone_class": 2, "a_value_region": 5, "province": "江苏",
            "description": PARK_DESCRIPTION,
        })
        plots = self.plots()
        for number, (industry, anchor, plot) in enumerate(self.assignments(plots), start=1):
            self.enterprise(number, industry, anchor, plot)
        self.park_points()
        self.receptors()
        return self.park

    def plots(self) -> list[Plot]:
        inner = self.boundary_local.buffer(-CELL_SETBACK_M)
        x0, y0 = -CELL_W_M * CELL_COLUMNS / 2, -CELL_H_M * CELL_ROWS / 2
        plots = []
        for column in range(CELL_COLUMNS):
            for row in range(CELL_ROWS):
                cell = Rect(x0 + column * CELL_W_M, y0 + row * CELL_H_M,
                            x0 + (column + 1) * CELL_W_M, y0 + (row + 1) * CELL_H_M)
                if inner.covers(box(cell.x0, cell.y0, cell.x1, cell.y1)):
                    plots.append(Plot(column, row, cell))
        if len(plots) < ENTERPRISE_COUNT:  # a guard on the layout constants above
            raise RuntimeError(f"the demo layout has {len(plots)} plots for {ENTERPRISE_COUNT} enterprises")
        return plots

    def assignments(self, plots: list[Plot]):
        """(industry, anchor or None, plot) per enterprise: anchors first, the rest shuffled.

        The wastewater plant and the tank terminals take the southern plots, near the river.
        """
        rest = dict(INDUSTRY_COUNTS)
        for anchor in ANCHORS:
            rest[anchor.industry] -= 1
        others = [industry for industry, n in rest.items() for _ in range(n)]
        self.rng.shuffle(others)
        order = [(a.industry, a) for a in ANCHORS] + [(industry, None) for industry in others]
        riverside = sorted(plots, key=lambda p: (p.row, self.rng.random()))
        remaining = list(plots)
        self.rng.shuffle(remaining)
        chosen = []
        for industry, anchor in order:
            if industry == "logistics" or (anchor is not None and anchor.discharge == "direct"):
                plot = next(p for p in riverside if p in remaining)
            else:
                plot = remaining[-1]
            remaining.remove(plot)
            chosen.append((industry, anchor, plot))
        return chosen

    # ------------------------------------------------------------ an enterprise
    def company_name(self, industry: str, word: str) -> tuple[str, str, str]:
        """(name, short name, e-mail domain) — unique over the park."""
        rng = self.rng
        while True:
            (c1, p1), (c2, p2) = rng.choice(BRAND_FIRST), rng.choice(BRAND_SECOND)
            brand = c1 + c2
            if c1 == c2 or brand in self.used_brands:
                continue
            form = rng.choices(("有限公司", "股份有限公司", "科技有限公司"), weights=(0.6, 0.25, 0.15))[0]
            if word.endswith("科技") or industry in ("energy", "logistics", "environmental_services"):
                form = "有限公司"
            prefix = rng.choices(("南京", "江苏", ""), weights=(0.6, 0.3, 0.1))[0]
            name = f"{prefix}{brand}{word}{form}" if prefix else f"{brand}{word}（南京）{form}"
            if name not in self.used_names:
                self.used_brands.add(brand)
                self.used_names.add(name)
                return name, brand + word, f"{p1}{p2}{PROFILES[industry].email_word}.example.com"

    def credit_code(self) -> str:
        """A valid unified social credit code (GB 32100-2015) of a Nanjing enterprise (91...)."""
        rng = self.rng
        while True:
            division = _weighted(rng, DIVISIONS)
            if rng.random() < 0.6:  # identifiers issued since 2015 begin with MA
                body = "MA" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
            else:
                body = "".join(rng.choice("0123456789") for _ in range(8))
            # Organisation code check character, GB 11714-1997: C9 = 11 - Σ Ci·Wi mod 11.
            total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
            c9 = 11 - total % 11
            first17 = "91" + division + body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
            code = first17 + check_character(first17)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def contacts(self, size_class: str, domain: str) -> list[dict]:
        rng = self.rng
        n = {"large": 3, "medium": rng.randint(2, 3), "small": rng.randint(1, 2), "micro": 1}[size_class]
        people = []
        for role in CONTACT_ROLES[:n]:
            (surname, sp), *given = rng.choice(SURNAMES), *rng.sample(GIVEN, rng.randint(1, 2))
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            people.append({
                "name": surname + "".join(c for c, _ in given), "role": role, "phone": phone,
                "email": f"{''.join(p for _, p in given)}.{sp}@{domain}",
            })
        return people

    def enterprise(self, number: int, industry: str, anchor: Anchor | None, plot: Plot):
        rng = self.rng
        profile = PROFILES[industry]
        word = anchor.word if anchor else rng.choice(profile.words)
        size_class = anchor.size_class if anchor else _weighted(rng, profile.sizes)
        pollution_class = anchor.pollution_class if anchor else _weighted(rng, profile.pollution)
        name, short, domain = self.company_name(industry, word)
        scale = {"large": 1.0, "medium": 0.8, "small": 0.6, "micro": 0.45}[size_class]
        plot.footprint = plot.cell.inset(FOOTPRINT_SETBACK_M).scaled(scale)
        fp = plot.footprint
        lon, lat = self.frame.lonlat(*fp.at(0.5, 0.5))
        road = EW_ROADS[plot.row]
        enterprise = self.add(registry.enterprises, {
            "park_id": self.park.id, "name": name, "credit_code": self.credit_code(), "industry": industry,
            "size_class": size_class, "pollution_class": pollution_class,
            "contacts": self.contacts(size_class, domain), "lon": lon, "lat": lat,
            "address": f"江苏省南京市六合区{road}{2 * plot.column + 1 + 100 * (plot.row % 3)}号",
            "footprint": self.frame.polygon(fp.corners),
            "building_height_m": _uniform(rng, profile.building_height_m, 1),
        })
        code = f"JB-E{number:03d}"

        # Emission sources: stacks, the wastewater outlet, fugitive areas.
        if anchor:
            stack_kinds = list(anchor.stacks)
        else:
            stack_kinds = [rng.choice(profile.stacks) for _ in range(rng.randint(*profile.n_stacks))]
        stacks = self.stacks(enterprise, plot, stack_kinds)
        outlet_xy = (fp.at(0.7, 0)[0], fp.y0 + FENCE_INSET_M)
        direct = anchor is not None and anchor.discharge == "direct"
        outlet_lon, outlet_lat = self.frame.lonlat(*outlet_xy)
        outlet = self.add(registry.emission_sources, {
            "enterprise_id": enterprise.id, "code": "DW001", "name": "废水总排口", "kind": "wastewater_outlet",
            "lon": outlet_lon, "lat": outlet_lat,
            "discharge_destination": "direct" if direct else "indirect",
            "receiving_water": "长江" if direct else "园区污水处理厂",
        })

        tank_keys = list(anchor.tanks) if anchor else [
            rng.choice(profile.tanks) for _ in range(rng.randint(*profile.n_tanks))
        ]
        tanks = self.tanks(enterprise, plot, tank_keys)
        self.stores(enterprise, plot, profile, size_class)

        fugitive = 0
        if len(tanks) >= 2 and any(SUBSTANCES[k].vessel == "vertical" for k in tank_keys):
            fugitive += 1
            self.add(registry.emission_sources, {
                "enterprise_id": enterprise.id, "code": f"MF{fugitive:04d}", "name": "储罐区无组织排放",
                "kind": "fugitive_area", "area": self.frame.polygon(plot.tank_farm.corners),
                "release_height_m": round(0.6 * max(t.tank_height_m for t, _, _ in tanks), 1),
            })
        if profile.chemical and size_class in ("large", "medium"):
            fugitive += 1
            self.add(registry.emission_sources, {
                "enterprise_id": enterprise.id, "code": f"MF{fugitive:04d}", "name": "生产装置区无组织排放",
                "kind": "fugitive_area", "area": self.frame.polygon(plot.process.corners),
                "release_height_m": _uniform(rng, (10, 20), 1),
            })

        # Monitoring points, each with its device.
        if pollution_class == "key":
            for source, kind, xy in stacks:
                factors = CEMS_FACTORS + (("a24088",) if kind.vocs else ())
                self.point_with_device(
                    "stack_cems", f"{code}-{source.code}", f"{short}{source.code}{source.name}烟气在线监测",
                    xy, enterprise=enterprise, source=source, factors=factors,
                    legacy_ok=not kind.vocs,
                )
        if pollution_class != "registration":
            self.point_with_device(
                "wastewater_outlet", f"{code}-DW001", f"{short}废水总排口在线监测", outlet_xy,
                enterprise=enterprise, source=outlet, legacy_ok=True,
            )
        if profile.chemical:
            extra = tuple(
                factor for key, factor in (("chlorine", "a21022"), ("ammonia", "a21001")) if key in tank_keys
            )
            n = 3 if size_class == "large" else 2
            sides = [(0.5, 0), (1, 0.5), (0.5, 1), (0, 0.5)]
            rng.shuffle(sides)
            for i, (fx, fy) in enumerate(sides[:n], start=1):
                self.point_with_device(
                    "boundary_vocs", f"{code}-VOC{i}", f"{short}厂界VOCs监测点{i}", self.fence(fp, fx, fy),
                    enterprise=enterprise, factors=POINT_FACTORS["boundary_vocs"] + extra,
                )
        corner = rng.choice(fp.corners)
        self.point_with_device(
            "noise", f"{code}-NS1", f"{short}厂界噪声监测点", self.fence(fp, *self.fraction(fp, corner)),
            enterprise=enterprise,
        )
        if tanks and pollution_class == "key" and industry != "environmental_services":
            well = (plot.tank_farm.at(0.5, 0)[0], fp.y0 + 6)
            self.point_with_device(
                "groundwater_soil", f"{code}-GW1", f"{short}储罐区下游地下水监测井", well, enterprise=enterprise,
            )
        for tank, substance, xy in tanks:
            pressurized = substance.vessel != "vertical"
            self.point_with_device(
                "tank_level", f"{code}-{tank.code}", f"{tank.name}液位监测", xy,
                enterprise=enterprise, risk_source=tank,
                factors=POINT_FACTORS["tank_level"] + (("x01004",) if pressurized else ()),
            )
        return enterprise

    @staticmethod
    def fraction(fp: Rect, corner: tuple[float, float]) -> tuple[float, float]:
        return (0.0 if corner[0] == fp.x0 else 1.0), (0.0 if corner[1] == fp.y0 else 1.0)

    @staticmethod
    def fence(fp: Rect, fx: float, fy: float) -> tuple[float, float]:
        """A point on the fence at fractions (fx, fy), moved FENCE_INSET_M inside."""
        return fp.inset(FENCE_INSET_M).at(fx, fy)

    def stacks(self, enterprise, plot: Plot, kinds: list[StackKind]):
        rng = self.rng
        n_utility = sum(1 for k in kinds if k.utility)
        slots = iter(plot.process.inset(5).grid(len(kinds) - n_utility))
        uslots = iter(plot.utilities.inset(5).grid(n_utility))
        seen: dict[str, int] = {}
        made = []
        for i, kind in enumerate(kinds, start=1):
            xy = next(uslots) if kind.utility else next(slots)
            seen[kind.name] = seen.get(kind.name, 0) + 1
            same = sum(1 for k in kinds if k.name == kind.name)
            name = f"{kind.name}{seen[kind.name]}" if same > 1 else kind.name
            lon, lat = self.frame.lonlat(*xy)
            source = self.add(registry.emission_sources, {
                "enterprise_id": enterprise.id, "code": f"DA{i:03d}", "name": name, "kind": "stack",
                "lon": lon, "lat": lat,
                "stack_height_m": _uniform(rng, kind.height_m, 0),
                "stack_inner_diameter_m": _uniform(rng, kind.diameter_m, 1),
                "exit_velocity_m_s": _uniform(rng, kind.velocity_m_s, 1),
                "exit_temperature_k": _uniform(rng, kind.temperature_k, 0),
            })
            made.append((source, kind, xy))
        return made

    def tanks(self, enterprise, plot: Plot, keys: list[str]) -> list[tuple[RiskSource, Substance, tuple]]:
        """Storage tanks of one substance each; the inventory is the content at the safe level."""
        rng = self.rng
        made = []
        small = enterprise.size_class in ("small", "micro")
        for i, (key, xy) in enumerate(zip(keys, plot.tank_farm.inset(5).grid(len(keys))), start=1):
            substance = SUBSTANCES[key]
            sizes = substance.capacities_m3
            capacity = rng.choice(sizes[: max(1, (len(sizes) + 1) // 2)] if small else sizes)
            height = round(_tank_height_m(substance.vessel, capacity) + (
                rng.uniform(-0.5, 0.5) if substance.vessel == "vertical" else 0.0), 1)
            # Highest working fill by volume: atmospheric tanks 85-90 %, liquefied gases 78-85 %.
            fill = rng.uniform(0.85, 0.90) if substance.vessel == "vertical" else rng.uniform(0.78, 0.85)
            safe_level = round(height * _level_fraction(substance.vessel, fill), 2)
            fill = _volume_fraction(substance.vessel, safe_level / height)
            lon, lat = self.frame.lonlat(*xy)
            code = f"T-{100 + i}"
            tank = self.add(registry.risk_sources, {
                "enterprise_id": enterprise.id, "code": code,
                "name": f"{substance.name.split('（')[0]}储罐{code}", "kind": "storage_tank",
                "lon": lon, "lat": lat, "capacity_m3": float(capacity),
                "tank_height_m": height, "safe_level_m": safe_level,
                "inventory": [{
                    "substance": substance.name, "cas": substance.cas,
                    "quantity_t": round(capacity * substance.density_t_m3 * fill, 1),
                }],
            })
            made.append((tank, substance, xy))
        return made

    def stores(self, enterprise, plot: Plot, profile: Profile, size_class: str) -> None:
        """Warehouses of packaged chemicals and the hazardous-waste store."""
        rng = self.rng
        scale = {"large": 4.0, "medium": 2.0, "small": 1.0, "micro": 0.5}[size_class]
        if profile.packaged and rng.random() < profile.warehouse_share:
            picks = rng.sample(profile.packaged, min(len(profile.packaged), rng.randint(2, 4)))
            items = [{"substance": PACKAGED[k][0], "cas": PACKAGED[k][1],
                      "quantity_t": round(rng.uniform(2, 30) * scale, 1)} for k in picks]
            capacity = math.ceil(sum(i["quantity_t"] for i in items) * rng.uniform(1.3, 2.0) / 10) * 10
            lon, lat = self.frame.lonlat(*plot.stores.at(0.3, 0.6))
            self.add(registry.risk_sources, {
                "enterprise_id": enterprise.id, "code": "WH-01", "name": "危险化学品仓库", "kind": "warehouse",
                "lon": lon, "lat": lat, "capacity_t": float(capacity), "inventory": items,
            })
        if profile.wastes and rng.random() < profile.waste_share:
            picks = rng.sample(profile.wastes, min(len(profile.wastes), rng.randint(2, 3)))
            items = [{"substance": HAZARDOUS_WASTES[k], "quantity_t": round(rng.uniform(1, 15) * scale, 1)}
                     for k in picks]
            capacity = math.ceil(sum(i["quantity_t"] for i in items) * rng.uniform(1.5, 2.5) / 10) * 10
            lon, lat = self.frame.lonlat(*plot.stores.at(0.75, 0.4))
            self.add(registry.risk_sources, {
                "enterprise_id": enterprise.id, "code": "HW-01", "name": "危险废物暂存库",
                "kind": "hazardous_waste_store", "lon": lon, "lat": lat, "capacity_t": float(capacity),
                "inventory": items,
            })

    # ------------------------------------------------------------ park-owned points
    def crossings(self) -> list[tuple[float, float]]:
        """Road crossings of the plot grid that lie inside the park."""
        x0, y0 = -CELL_W_M * CELL_COLUMNS / 2, -CELL_H_M * CELL_ROWS / 2
        inner = self.boundary_local.buffer(-20)
        return [
            (x0 + i * CELL_W_M, y0 + j * CELL_H_M)
            for i in range(CELL_COLUMNS + 1) for j in range(CELL_ROWS + 1)
            if inner.covers(Point(x0 + i * CELL_W_M, y0 + j * CELL_H_M))
        ]

    def park_points(self) -> None:
        free = self.crossings()

        def nearest(target):
            best = min(free, key=lambda c: (c[0] - target[0]) ** 2 + (c[1] - target[1]) ** 2)
            free.remove(best)
            return best

        for i, (name, target) in enumerate(AMBIENT_STATIONS, start=1):
            self.point_with_device("ambient_air", f"JB-AQ{i:02d}", f"园区{name}空气质量自动监测站", nearest(target))
        for i, (name, target, elevation) in enumerate(WEATHER_STATIONS, start=1):
            xy = nearest(target)
            point = self.point_with_device("weather", f"JB-MET{i:02d}", f"园区{name}", xy)
            lon, lat = self.frame.lonlat(*xy)
            self.add(registry.weather_stations, {
                "park_id": self.park.id, "point_id": point.id, "name": f"园区{name}", "lon": lon, "lat": lat,
                "elevation_m": elevation, "anemometer_height_m": 10.0,
            })
        centroid = self.boundary_local.centroid
        for i, edge in enumerate(BOUNDARY_STATION_EDGES, start=1):
            (ax, ay), (bx, by) = BOUNDARY_LOCAL[edge], BOUNDARY_LOCAL[(edge + 1) % len(BOUNDARY_LOCAL)]
            mx, my = (ax + bx) / 2, (ay + by) / 2
            d = math.hypot(centroid.x - mx, centroid.y - my)
            xy = (mx + 20 * (centroid.x - mx) / d, my + 20 * (centroid.y - my) / d)
            self.point_with_device(
                "boundary_vocs", f"JB-BV{i:02d}", f"园区边界VOCs及有毒有害气体预警站{i}", xy,
                factors=POINT_FACTORS["boundary_vocs"] + ("a21028", "a21001", "a21022"),
            )

    def receptors(self) -> None:
        for name, kind, shape, population, protection in RECEPTORS:
            geometry = self.frame.polygon(shape) if kind == "residential" else self.frame.point(*shape)
            self.add(registry.sensitive_receptors, {
                "park_id": self.park.id, "name": name, "kind": kind, "geometry": geometry,
                "population": population, "protection_class": protection,
            })
        self.add(registry.sensitive_receptors, {
            "park_id": self.park.id, "name": "江北水厂长江水源地一级保护区", "kind": "water_source_zone",
            "geometry": self.frame.polygon(WATER_INTAKE_ZONE), "protection_class": "一级保护区",
        })
        self.add(registry.sensitive_receptors, {
            "park_id": self.park.id, "name": "江北水厂长江水源地二级保护区", "kind": "water_source_zone",
            "geometry": self.frame.polygon(WATER_SECOND_ZONE, holes=(WATER_INTAKE_ZONE,)),
            "protection_class": "二级保护区",
        })


def build_demo_park(session: Session, seed: int = DEFAULT_SEED) -> Park:
    """Build the demo park into ``session`` through the registry services and commit once.

    The same seed gives the same park (names, codes, MNs, geometry) on any store. Raises
    :class:`parksteward.errors.Conflict` when the store already holds the demo park.
    """
    try:
        park = _Builder(session, seed).build()
        session.commit()
    except Exception:
        session.rollback()
        raise
    return park


def create_demo_users(session: Session, park: Park | None = None) -> list[User]:
    """Create the logins of :data:`DEMO_USERS`; the enterprise user gets the park's first enterprise."""
    stmt = select(Enterprise).order_by(Enterprise.id).limit(1)
    if park is not None:
        stmt = stmt.where(Enterprise.park_id == park.id)
    first = session.scalars(stmt).first()
    if first is None:
        raise NotFound("no enterprise for the demo enterprise user: build the demo park first")
    users = []
    for username, (password, role) in DEMO_USERS.items():
        users.append(create_user(session, SYSTEM, {
            "username": username, "password": password, "role": role, "full_name": DEMO_FULL_NAMES[username],
            "enterprise_id": first.id if role == "enterprise" else None,
        }))
    return users
