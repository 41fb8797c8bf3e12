"""Reference data of the demo park (演示园区): what :mod:`parksteward.sim.demo_park` builds from.

The park's name, boundary and road grid; the demo logins; the factors, MN conventions and
device models of each kind of monitoring point; the stored chemicals with their vessels
(and the vessel geometry that turns a capacity into a height and a fill level); the kinds of
stack; how an enterprise of each industry usually looks, and the enterprises every demo
park has; the parts that company names, people and addresses are made of; and where the
park's own stations, the sensitive receptors and the drinking-water source zones lie.
Coordinates are metres in the park's local frame (:class:`parksteward.sim.layout.LocalFrame`).
Nothing here is random: the builder draws from these tables with its seeded generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# ---------------------------------------------------------------- the park
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


def volume_fraction_at_level(vessel: str, level_fraction: float) -> float:
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


def level_fraction_at_volume(vessel: str, volume_fraction: float) -> float:
    """Inverse of :func:`volume_fraction_at_level` by bisection (both are increasing in the level)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if volume_fraction_at_level(vessel, mid) < volume_fraction:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def vessel_height_m(vessel: str, capacity_m3: float) -> float:
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
# Functional zones of the park's plan, as plots (column, row) of the grid. Logistics and the
# utilities (heat and power, the wastewater plant, solid-waste disposal) stand by the river;
# the chemical industries fill the production zones west and east of the centre, and the northern
# production plots the enterprises leave free, nearest the villages north of the park, are
# kept in reserve. Between the plots and the park boundary runs the green buffer.
LOGISTICS_PLOTS = ((2, 0), (3, 0), (4, 0), (5, 0), (4, 1), (5, 1))
UTILITY_PLOTS = ((8, 0), (9, 0), (8, 1), (9, 1), (8, 2), (9, 2), (10, 2))
UTILITY_INDUSTRIES = ("energy", "environmental_services")
WEST_COLUMNS = range(0, 5)  # production plots in these columns are the west zone's
# code -> (kind, name, English name)
ZONES = {
    "Z01": ("chemical_production", "化工生产西区", "West chemical production zone"),
    "Z02": ("chemical_production", "化工生产东区", "East chemical production zone"),
    "Z03": ("storage_logistics", "沿江仓储物流区", "Riverside storage and logistics zone"),
    "Z04": ("utilities", "公用工程区", "Utilities zone"),
    "Z05": ("reserve", "北部预留发展区", "Northern reserve"),
    "Z06": ("green_buffer", "环园生态隔离带", "Perimeter green buffer"),
}

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
