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
The reference data the builder draws from lives in :mod:`parksteward.sim.demo_catalogue`,
the local frame and plot geometry in :mod:`parksteward.sim.layout`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random

from shapely.geometry import Point, Polygon, box
from shapely.ops import unary_union
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
from parksteward.sim.demo_catalogue import (
    AMBIENT_STATIONS,
    ANCHORS,
    BOUNDARY_LOCAL,
    BOUNDARY_STATION_EDGES,
    BRAND_FIRST,
    BRAND_SECOND,
    CELL_COLUMNS,
    CELL_H_M,
    CELL_ROWS,
    CELL_SETBACK_M,
    CELL_W_M,
    CEMS_FACTORS,
    CONTACT_ROLES,
    DEMO_ADMIN,
    DEMO_FULL_NAMES,
    DEMO_USERS,
    DEVICE_MODELS,
    DIVISIONS,
    ENTERPRISE_COUNT,
    EW_ROADS,
    FENCE_INSET_M,
    FOOTPRINT_SETBACK_M,
    GIVEN,
    HAZARDOUS_WASTES,
    INDUSTRY_COUNTS,
    LEGACY_PROTOCOL_SHARE,
    LOGISTICS_PLOTS,
    MN_KIND,
    MOBILE_PREFIXES,
    PACKAGED,
    PARK_CENTRE_LONLAT,
    PARK_DESCRIPTION,
    PARK_NAME,
    PARK_NAME_EN,
    POINT_FACTORS,
    PROFILES,
    RECEPTORS,
    SUBSTANCES,
    SURNAMES,
    UTILITY_INDUSTRIES,
    UTILITY_PLOTS,
    WATER_INTAKE_ZONE,
    WATER_SECOND_ZONE,
    WEATHER_STATIONS,
    WEST_COLUMNS,
    ZONES,
    Anchor,
    Profile,
    StackKind,
    Substance,
    level_fraction_at_volume,
    vessel_height_m,
    volume_fraction_at_level,
)
from parksteward.sim.layout import LocalFrame, Plot, Rect

__all__ = [
    "DEFAULT_SEED",
    "DEMO_ADMIN",
    "DEMO_USERS",
    "build_demo_park",
    "create_demo_users",
    "demo_device_password",
]

DEFAULT_SEED = 20261128


def demo_device_password(seed: int, mn: str) -> str:
    """The HJ 212 password (PW) of demo device ``mn``: 6 digits of HMAC-SHA256(seed, MN).

    Deterministic, so the device simulator can recompute what the builder stored hashed.
    """
    digest = hmac.new(str(seed).encode("ascii"), mn.encode("ascii"), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


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
        assignments = self.assignments(plots)
        self.zones()
        for number, (industry, anchor, plot) in enumerate(assignments, start=1):
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

        Each industry goes to its zone (:data:`ZONES`): logistics to :data:`LOGISTICS_PLOTS`,
        heat, power and environmental services to :data:`UTILITY_PLOTS` (an enterprise that
        discharges directly into the river takes a riverbank plot), the rest to the production
        plots, of which the northernmost left over are kept in reserve (``self.zone_plots``).
        """
        at = {(p.column, p.row): p for p in plots}
        logistics = [at[c] for c in LOGISTICS_PLOTS]
        utilities = [at[c] for c in UTILITY_PLOTS]
        production = [p for p in plots if p not in logistics and p not in utilities]
        rest = dict(INDUSTRY_COUNTS)
        for anchor in ANCHORS:
            rest[anchor.industry] -= 1
        others = [industry for industry, n in rest.items() for _ in range(n)]
        self.rng.shuffle(others)
        order = [(a.industry, a) for a in ANCHORS] + [(industry, None) for industry in others]
        n_production = sum(1 for industry, _ in order if industry != "logistics" and industry not in UTILITY_INDUSTRIES)
        if len(logistics) != INDUSTRY_COUNTS["logistics"] or len(utilities) != sum(
                INDUSTRY_COUNTS[i] for i in UTILITY_INDUSTRIES) or len(production) < n_production:
            raise RuntimeError("the demo zones' plots do not match the industries' counts")  # a guard on the constants
        reserve = sorted(production, key=lambda p: (-p.row, p.column))[:len(production) - n_production]
        free = {"logistics": list(logistics), "utilities": list(utilities),
                "production": [p for p in production if p not in reserve]}
        for group in free.values():
            self.rng.shuffle(group)
        chosen = []
        for industry, anchor in order:
            group = free["logistics" if industry == "logistics" else "utilities" if industry in UTILITY_INDUSTRIES
                         else "production"]
            riverbank = anchor is not None and anchor.discharge == "direct"
            plot = min(group, key=lambda p: p.row) if riverbank else group[-1]
            group.remove(plot)
            chosen.append((industry, anchor, plot))
        west = [p for p in production if p not in reserve and p.column in WEST_COLUMNS]
        east = [p for p in production if p not in reserve and p.column not in WEST_COLUMNS]
        self.zone_plots = {"Z01": west, "Z02": east, "Z03": logistics, "Z04": utilities, "Z05": reserve}
        return chosen

    def zones(self) -> None:
        """The park's functional zones: each zone the union of its plots' cells (roads included),
        and the green buffer everything between the plots and the park boundary."""
        cells = {code: unary_union([box(p.cell.x0, p.cell.y0, p.cell.x1, p.cell.y1) for p in group])
                 for code, group in self.zone_plots.items()}
        cells["Z06"] = self.boundary_local.difference(unary_union(list(cells.values())))
        for code, (kind, name, name_en) in ZONES.items():
            self.add(registry.functional_zones, {
                "park_id": self.park.id, "code": code, "name": name, "name_en": name_en, "kind": kind,
                "geometry": self.frame.shape(cells[code]),
            })

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
            height = round(vessel_height_m(substance.vessel, capacity) + (
                rng.uniform(-0.5, 0.5) if substance.vessel == "vertical" else 0.0), 1)
            # Highest working fill by volume: atmospheric tanks 85-90 %, liquefied gases 78-85 %.
            fill = rng.uniform(0.85, 0.90) if substance.vessel == "vertical" else rng.uniform(0.78, 0.85)
            safe_level = round(height * level_fraction_at_volume(substance.vessel, fill), 2)
            fill = volume_fraction_at_level(substance.vessel, safe_level / height)
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
