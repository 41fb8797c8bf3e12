"""HJ 941-2018 enterprise environmental risk grading (企业突发环境事件风险分级), with the working shown.

Air (大气) and water (水) risk are graded separately and the enterprise takes the higher grade
(standards.md §10):

1. **Q** = Σ qᵢ / Q_n,ᵢ — each hazardous substance's maximum on-site quantity (pipelines and storage
   included) over its critical quantity (HJ 169-2018 Table B.1 = HJ 941-2018 Annex A, from the
   standards library). Q < 1 → the medium is directly 一般, written ``一般-大气(Q0)``; Q1: 1 ≤ Q < 10;
   Q2: 10 ≤ Q < 100; Q3: Q ≥ 100. A substance not in Table B.1 takes the Table B.2 default of its
   GHS class when one is given, otherwise it is an error naming it.
2. **M** (process and risk-control level, 0–100 points): 10 per unit with a key hazardous process,
   5 per other high-temperature / high-pressure / flammable process, capped at 30; air adds 25 for
   missing boundary toxic-gas leak monitoring / early warning, 25 for a protective distance not met,
   20 for air incidents in the past 3 years; water adds the points of its control items, which the
   reference lists without points — the caller supplies them from HJ 941 Table 5.
   M1 < 25 ≤ M2 < 45 ≤ M3 < 60 ≤ M4.
3. **E** (receptor sensitivity) E1 / E2 / E3 — for air from the population within 5 km and 500 m
   (:func:`air_sensitivity`); for water chosen by the caller (what lies within 10 km downstream).
4. **Matrix** (E, Q, M) → 一般 / 较大 / 重大 (general / larger / major); upgraded one level (at most
   重大) after a penalty for illegal discharge or illegal hazardous-waste disposal within 3 years.

Q is summed with exact decimal arithmetic, so a total of exactly 1, 10 or 100 falls in the upper band
as the standard says, not below it through rounding. Each rule carries its source and whether the
reference marks it *checked* (:data:`RULES`); the result lists every intermediate and renders as JSON.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction

from parksteward.standards.errors import RiskGradingInputError, UnknownSubstanceError
from parksteward.standards.library import Limit, StandardsLibrary, default_library


@dataclass(frozen=True)
class GradingRule:
    """One HJ 941 rule, where it comes from and whether the reference checked it."""

    name: str
    text: str
    source: str
    verified: bool


RULES: tuple[GradingRule, ...] = (
    GradingRule("Q", "Q = Σ q_i/Q_n,i; Q < 1 -> 一般 (Q0); Q1 1 <= Q < 10; Q2 10 <= Q < 100; Q3 Q >= 100",
                "standards.md §10.1 (formula checked, wording verify)", False),
    GradingRule("M process", "10 points per key-hazardous-process unit, 5 per other high-T/high-P/flammable "
                "process unit, capped at 30", "standards.md §10.2", True),
    GradingRule("M air controls", "boundary toxic-gas leak monitoring / early warning missing 25; protective "
                "distance not met 25; air incidents in the past 3 years 20", "standards.md §10.2", False),
    GradingRule("M water controls", "items listed without points; the caller supplies the points",
                "standards.md §10.2", False),
    GradingRule("M levels", "M1 < 25 <= M2 < 45 <= M3 < 60 <= M4", "standards.md §10.2", True),
    GradingRule("E air", "E1 > 50 000 people within 5 km or > 1 000 within 500 m (or military / secret zones); "
                "E2 10 000–50 000 within 5 km or 500–1 000 within 500 m; E3 otherwise", "standards.md §10.3", False),
    GradingRule("E water", "E1–E3 from what lies within 10 km downstream and 24-h cross-boundary travel; "
                "chosen by the caller", "standards.md §10.3", False),
    GradingRule("matrix", "(E, Q, M) -> 一般 / 较大 / 重大", "standards.md §10.4", False),
    GradingRule("enterprise", "the enterprise grade is the higher of air and water", "standards.md §10", True),
    GradingRule("upgrade", "one level up (at most 重大) after a penalty for illegal discharge or illegal "
                "hazardous-waste disposal within 3 years", "standards.md §10.5", False),
)

GRADES = ("一般", "较大", "重大")
GRADE_EN = {"一般": "general", "较大": "larger", "重大": "major"}
MEDIA = {"air": "大气", "water": "水"}
Q_LEVELS = ("Q0", "Q1", "Q2", "Q3")
M_LEVELS = ("M1", "M2", "M3", "M4")
E_CLASSES = ("E1", "E2", "E3")

PROCESS_POINTS = {"key_hazardous": 10, "other_high_risk": 5, "none": 0}  # §10.2, checked
PROCESS_CAP = 30  # §10.2, checked
AIR_CONTROL_POINTS = {  # §10.2, verify
    "toxic_gas_monitoring_missing": 25,
    "protective_distance_not_met": 25,
    "air_incident_in_3_years": 20,
}
WATER_CONTROL_ITEMS = (  # §10.2 lists them; their points are not in the reference
    "interception",
    "accident_water_collection",
    "clean_water_system",
    "rainwater_system",
    "wastewater_system",
    "discharge_destination",
    "hazardous_waste_management",
    "water_incident_in_3_years",
)
M_MAX = 100

# standards.md §10.4 (verify): (E, Q) -> grade for M1, M2, M3, M4.
MATRIX: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("E1", "Q1"): ("较大", "较大", "重大", "重大"),
    ("E1", "Q2"): ("较大", "重大", "重大", "重大"),
    ("E1", "Q3"): ("重大", "重大", "重大", "重大"),
    ("E2", "Q1"): ("一般", "较大", "较大", "重大"),
    ("E2", "Q2"): ("较大", "较大", "重大", "重大"),
    ("E2", "Q3"): ("较大", "重大", "重大", "重大"),
    ("E3", "Q1"): ("一般", "一般", "较大", "较大"),
    ("E3", "Q2"): ("一般", "较大", "较大", "重大"),
    ("E3", "Q3"): ("较大", "较大", "重大", "重大"),
}


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Substance:
    """A hazardous substance present at the enterprise (风险物质).

    Attributes
    ----------
    name : str
        Name as in the library (``"ammonia"``, ``"hydrochloric acid"``) or its Chinese name.
    quantity_t : float
        Maximum quantity on site at any time, pipelines and storage included [t].
    cas : str, optional
        CAS number; matched first when given.
    ghs_category : str, optional
        For a substance not in Table B.1: its GHS class for the Table B.2 default
        (``"acute_toxicity_1"``, ``"acute_toxicity_2"``, ``"acute_toxicity_3"``,
        ``"aquatic_acute_1"``, ``"aquatic_chronic_1"``).
    media : tuple of str
        Which grading it counts in: ``("air", "water")`` by default.
    """

    name: str
    quantity_t: float
    cas: str | None = None
    ghs_category: str | None = None
    media: tuple[str, ...] = ("air", "water")


@dataclass(frozen=True)
class ProcessUnit:
    """A production unit scored for M.

    Attributes
    ----------
    name : str
    category : str
        ``"key_hazardous"`` (a key hazardous process: photogenation, chlorination, nitration,
        hydrogenation, polymerisation …, 10 points), ``"other_high_risk"`` (other high-temperature,
        high-pressure or flammable process, 5 points) or ``"none"`` (0).
    process : str
        The process, for the record (``"chlorination"``).
    """

    name: str
    category: str
    process: str = ""


@dataclass(frozen=True)
class AirControls:
    """Air risk-control shortcomings scored for M (each true adds its points)."""

    toxic_gas_monitoring_missing: bool = False
    protective_distance_not_met: bool = False
    air_incident_in_3_years: bool = False


@dataclass(frozen=True)
class WaterControlItem:
    """One water risk-control item and the points it scores, taken from HJ 941 Table 5 by the caller."""

    item: str
    points: float
    basis: str = ""


@dataclass(frozen=True)
class Sensitivity:
    """Environmental sensitivity class E1 / E2 / E3 and why."""

    e_class: str
    basis: str = ""


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class SubstanceRatio:
    """One substance's share of Q.

    Attributes
    ----------
    name, cas : str, str or None
        As given.
    quantity_t : float
        q [t].
    critical_quantity_t : float
        Q_n [t].
    ratio : float
        q / Q_n [-].
    matched : str
        The library entry used (``"HJ 169-2018 Table B.1 hydrochloric acid (concentration >= 37 %)"``).
    source : str
    verified : bool
        Whether the critical quantity is *checked* in the reference.
    media : tuple of str
    note : str
    """

    name: str
    cas: str | None
    quantity_t: float
    critical_quantity_t: float
    ratio: float
    matched: str
    source: str
    verified: bool
    media: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class MScore:
    """The M score and how it was reached.

    Attributes
    ----------
    process_units : tuple of dict
        ``{"name", "category", "process", "points"}`` per unit.
    process_points_uncapped, process_points : float
        Sum over units, and that sum capped at 30.
    controls : tuple of dict
        ``{"item", "points", "basis"}`` per control item scored.
    total : float
        M [points].
    level : str
        M1 … M4.
    """

    process_units: tuple[dict, ...]
    process_points_uncapped: float
    process_points: float
    controls: tuple[dict, ...]
    total: float
    level: str


@dataclass(frozen=True)
class MediumGrade:
    """The grade of one medium (air or water).

    Attributes
    ----------
    medium, medium_zh : str
        ``"air"`` / ``"大气"`` or ``"water"`` / ``"水"``.
    q : float
        Q [-].
    q_level : str
        Q0 … Q3.
    substances : tuple of SubstanceRatio
        The substances counted in this medium.
    m : MScore
    e : Sensitivity
    matrix_cell : dict or None
        ``{"E", "Q", "M", "grade"}``; None when Q0 decides without the matrix.
    grade, grade_en : str
    notation : str
        ``较大-大气(Q2-M2-E2)`` or ``一般-大气(Q0)``.
    """

    medium: str
    medium_zh: str
    q: float
    q_level: str
    substances: tuple[SubstanceRatio, ...]
    m: MScore
    e: Sensitivity
    matrix_cell: dict | None
    grade: str
    grade_en: str
    notation: str


@dataclass(frozen=True)
class EnterpriseRiskGrade:
    """The enterprise's HJ 941 grade with every intermediate.

    Attributes
    ----------
    air, water : MediumGrade
    grade_before_upgrade : str
        The higher of the two media.
    penalised_in_3_years : bool
        As given.
    upgraded : bool
        Whether the penalty raised the grade (it cannot rise above 重大).
    grade, grade_en : str
        The final grade.
    notation : str
        ``较大[较大-大气(Q2-M2-E2) + 一般-水(Q0)]``.
    unverified : tuple of str
        Rules and data behind this result that the reference marks *verify*.
    rules : tuple of GradingRule
    """

    air: MediumGrade
    water: MediumGrade
    grade_before_upgrade: str
    penalised_in_3_years: bool
    upgraded: bool
    grade: str
    grade_en: str
    notation: str
    unverified: tuple[str, ...]
    rules: tuple[GradingRule, ...] = field(default=RULES)

    def to_dict(self) -> dict:
        """Every field as plain JSON types."""
        return json.loads(self.to_json())

    def to_json(self, **kwargs) -> str:
        """The result as JSON (UTF-8 text, Chinese grade names kept)."""
        return json.dumps(asdict(self), ensure_ascii=False, **kwargs)


# ---------------------------------------------------------------------------------------------
# Q


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def critical_quantity(
    name: str | None = None,
    cas: str | None = None,
    *,
    ghs_category: str | None = None,
    on: _dt.date | None = None,
    library: StandardsLibrary | None = None,
) -> Limit:
    """The critical quantity Q_n for a substance.

    Parameters
    ----------
    name : str, optional
        Library name or Chinese name.
    cas : str, optional
        CAS number (matched first; the name then decides between entries sharing a CAS,
        e.g. hydrogen chloride and hydrochloric acid ≥ 37 %).
    ghs_category : str, optional
        Fall back to the HJ 169 Table B.2 default for this GHS class when the substance is not listed.
    on : date, optional
        Edition in force; default today.
    library : StandardsLibrary, optional

    Returns
    -------
    Limit
        ``medium == "critical_quantity"``, ``value`` in t.

    Raises
    ------
    UnknownSubstanceError
        Not listed and no ``ghs_category``; or several entries match.
    """
    lib = library or default_library()
    if name is None and cas is None:
        raise RiskGradingInputError("substance", "needs a name or a CAS number")
    rows = lib.limits(medium="critical_quantity", on=on)
    listed = [lim for lim in rows if lim.zone_or_class is None]
    label = name or cas
    by_name = [lim for lim in listed if name is not None and _norm(name) in {_norm(lim.pollutant), _norm(lim.name_zh or "")}]
    if cas is not None:
        found = [lim for lim in listed if lim.cas == cas.strip()]
        if len(found) > 1 and name is not None:
            found = [lim for lim in found if lim in by_name] or found
        if not found:
            found = [lim for lim in by_name if lim.cas is None]
        elif name is not None and by_name and not any(lim in by_name for lim in found):
            raise UnknownSubstanceError(
                "substance", f"{name!r}: CAS {cas} is {found[0].pollutant!r} in the library, but the name is "
                f"{by_name[0].pollutant!r} (CAS {by_name[0].cas}) — check the inventory",
            )
    else:
        found = by_name
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        options = "; ".join(f"{lim.pollutant} ({lim.condition or 'no condition'})" for lim in found)
        raise UnknownSubstanceError("substance", f"{label!r} matches several critical quantities: {options} — give the name")
    if ghs_category is not None:
        defaults = {lim.zone_or_class: lim for lim in rows if lim.zone_or_class is not None}
        if ghs_category not in defaults:
            raise UnknownSubstanceError(
                "ghs_category", f"{ghs_category!r} for {label!r}: expected one of {', '.join(sorted(defaults))}"
            )
        return defaults[ghs_category]
    raise UnknownSubstanceError(
        "substance",
        f"{label!r} has no critical quantity in HJ 169-2018 Table B.1 / HJ 941-2018 Annex A as loaded; "
        "give its GHS class (ghs_category) to use the Table B.2 default, or add it to the library",
    )


def _decimal(x: float, parameter: str) -> Fraction:
    x = float(x)
    if not math.isfinite(x) or x < 0:
        raise RiskGradingInputError(parameter, f"must be a finite number >= 0 (found {x!r})")
    return Fraction(repr(x))  # the decimal as written, so 0.1 + 0.2 + … sums exactly


def substance_ratios(
    substances: Sequence[Substance], *, on: _dt.date | None = None, library: StandardsLibrary | None = None
) -> tuple[SubstanceRatio, ...]:
    """q / Q_n for each substance (critical quantities from the library).

    Raises
    ------
    UnknownSubstanceError
        Naming the first substance without a critical quantity.
    """
    out = []
    for i, s in enumerate(substances):
        bad = [m for m in s.media if m not in MEDIA]
        if bad or not s.media:
            raise RiskGradingInputError(f"substances[{i}].media", f"expected some of air, water (found {s.media!r})")
        q = _decimal(s.quantity_t, f"substances[{i}].quantity_t")
        lim = critical_quantity(s.name, s.cas, ghs_category=s.ghs_category, on=on, library=library)
        qn = Fraction(repr(float(lim.value)))
        matched = f"{lim.code} {lim.table_ref} {lim.pollutant}" + (f" ({lim.condition})" if lim.condition else "")
        if lim.zone_or_class is not None:
            matched += f" default for {lim.zone_or_class}"
        note = "not listed in Table B.1: Table B.2 default by GHS class" if lim.zone_or_class is not None else ""
        out.append(SubstanceRatio(
            s.name, s.cas, float(q), float(qn), float(q / qn), matched, lim.source, lim.verified, tuple(s.media), note,
        ))
    return tuple(out)


def q_level(q: float | Fraction) -> str:
    """Q0 (Q < 1), Q1 (1 ≤ Q < 10), Q2 (10 ≤ Q < 100) or Q3 (Q ≥ 100); standards.md §10.1."""
    if q < 1:
        return "Q0"
    if q < 10:
        return "Q1"
    if q < 100:
        return "Q2"
    return "Q3"


def _q_total(ratios: Sequence[SubstanceRatio], medium: str) -> Fraction:
    # Exact: each ratio re-derived from the decimals as given, not from the rounded float ratio.
    return sum(
        (Fraction(repr(r.quantity_t)) / Fraction(repr(r.critical_quantity_t)) for r in ratios if medium in r.media),
        Fraction(0),
    )


# ---------------------------------------------------------------------------------------------
# M


def m_level(m: float) -> str:
    """M1 (M < 25), M2 (25 ≤ M < 45), M3 (45 ≤ M < 60), M4 (M ≥ 60); standards.md §10.2."""
    if m < 25:
        return "M1"
    if m < 45:
        return "M2"
    if m < 60:
        return "M3"
    return "M4"


def m_score(process_units: Sequence[ProcessUnit], controls: AirControls | Sequence[WaterControlItem]) -> MScore:
    """M for one medium: capped process points plus that medium's control items.

    Parameters
    ----------
    process_units : sequence of ProcessUnit
    controls : AirControls or sequence of WaterControlItem
        Air shortcomings (fixed points) or water items (points supplied).

    Returns
    -------
    MScore
    """
    units = []
    for i, unit in enumerate(process_units):
        if unit.category not in PROCESS_POINTS:
            raise RiskGradingInputError(
                f"process_units[{i}].category", f"{unit.category!r}; expected one of {', '.join(PROCESS_POINTS)}"
            )
        units.append({"name": unit.name, "category": unit.category, "process": unit.process,
                      "points": PROCESS_POINTS[unit.category]})
    raw = sum(u["points"] for u in units)
    process = min(raw, PROCESS_CAP)
    items = []
    if isinstance(controls, AirControls):
        for item, points in AIR_CONTROL_POINTS.items():
            if getattr(controls, item):
                items.append({"item": item, "points": points, "basis": "HJ 941 air control item (standards.md §10.2)"})
    else:
        seen = set()
        for i, c in enumerate(controls):
            if c.item not in WATER_CONTROL_ITEMS:
                raise RiskGradingInputError(
                    f"water_controls[{i}].item", f"{c.item!r}; expected one of {', '.join(WATER_CONTROL_ITEMS)}"
                )
            if c.item in seen:
                raise RiskGradingInputError(f"water_controls[{i}].item", f"{c.item!r} is given twice")
            seen.add(c.item)
            points = float(c.points)
            if not math.isfinite(points) or points < 0:
                raise RiskGradingInputError(f"water_controls[{i}].points", f"must be >= 0 (found {c.points!r})")
            items.append({"item": c.item, "points": points, "basis": c.basis})
    total = process + sum(item["points"] for item in items)
    if total > M_MAX:
        raise RiskGradingInputError("controls", f"M = {total:g} exceeds the scale's {M_MAX} points")
    return MScore(tuple(units), raw, process, tuple(items), total, m_level(total))


# ---------------------------------------------------------------------------------------------
# E


def air_sensitivity(population_5km: int, population_500m: int, *, military_or_secret: bool = False) -> Sensitivity:
    """Air receptor sensitivity from the population around the enterprise.

    Parameters
    ----------
    population_5km : int
        People within 5 km of the boundary [-].
    population_500m : int
        People within 500 m [-].
    military_or_secret : bool
        Military or secret zones within the range (E1).

    Returns
    -------
    Sensitivity

    Notes
    -----
    E1: > 50 000 within 5 km, or > 1 000 within 500 m, or military / secret zones; E2: 10 000–50 000
    within 5 km or 500–1 000 within 500 m (both ends inclusive, as the reference writes the ranges);
    E3 otherwise (standards.md §10.3, verify).
    """
    p5, p05 = int(population_5km), int(population_500m)
    if p5 < 0 or p05 < 0:
        raise RiskGradingInputError("population", f"must be >= 0 (found {population_5km!r}, {population_500m!r})")
    if military_or_secret or p5 > 50_000 or p05 > 1_000:
        e = "E1"
    elif 10_000 <= p5 or 500 <= p05:
        e = "E2"
    else:
        e = "E3"
    basis = f"{p5} people within 5 km, {p05} within 500 m" + (", military / secret zone" if military_or_secret else "")
    return Sensitivity(e, basis)


# ---------------------------------------------------------------------------------------------
# Matrix and grade


def matrix_grade(e_class: str, q_lvl: str, m_lvl: str) -> str:
    """The matrix cell for (E, Q, M), Q1–Q3 only (Q0 is 一般 without the matrix)."""
    if e_class not in E_CLASSES:
        raise RiskGradingInputError("e_class", f"{e_class!r}; expected one of {', '.join(E_CLASSES)}")
    if q_lvl not in Q_LEVELS[1:]:
        raise RiskGradingInputError("q_level", f"{q_lvl!r}; the matrix has Q1, Q2, Q3 (Q0 is 一般 directly)")
    if m_lvl not in M_LEVELS:
        raise RiskGradingInputError("m_level", f"{m_lvl!r}; expected one of {', '.join(M_LEVELS)}")
    return MATRIX[(e_class, q_lvl)][M_LEVELS.index(m_lvl)]


def grade_medium(
    medium: str,
    ratios: Sequence[SubstanceRatio],
    process_units: Sequence[ProcessUnit],
    controls: AirControls | Sequence[WaterControlItem],
    sensitivity: Sensitivity,
) -> MediumGrade:
    """Grade one medium from the substance ratios, the process units, its controls and its E."""
    if medium not in MEDIA:
        raise RiskGradingInputError("medium", f"{medium!r}; expected air or water")
    if sensitivity.e_class not in E_CLASSES:
        raise RiskGradingInputError(f"{medium}_sensitivity", f"{sensitivity.e_class!r}; expected E1, E2 or E3")
    q = _q_total(ratios, medium)
    q_lvl = q_level(q)
    m = m_score(process_units, controls)
    zh = MEDIA[medium]
    if q_lvl == "Q0":
        grade, cell, notation = "一般", None, f"一般-{zh}(Q0)"
    else:
        grade = matrix_grade(sensitivity.e_class, q_lvl, m.level)
        cell = {"E": sensitivity.e_class, "Q": q_lvl, "M": m.level, "grade": grade}
        notation = f"{grade}-{zh}({q_lvl}-{m.level}-{sensitivity.e_class})"
    used = tuple(r for r in ratios if medium in r.media)
    return MediumGrade(medium, zh, float(q), q_lvl, used, m, sensitivity, cell, grade, GRADE_EN[grade], notation)


def grade_enterprise(
    substances: Sequence[Substance],
    process_units: Sequence[ProcessUnit],
    *,
    air_controls: AirControls,
    air_sensitivity: Sensitivity,
    water_controls: Sequence[WaterControlItem],
    water_sensitivity: Sensitivity,
    penalised_in_3_years: bool = False,
    on: _dt.date | None = None,
    library: StandardsLibrary | None = None,
) -> EnterpriseRiskGrade:
    """HJ 941-2018 grade of an enterprise.

    Parameters
    ----------
    substances : sequence of Substance
        The risk-substance inventory (maximum quantities on site) [t].
    process_units : sequence of ProcessUnit
    air_controls : AirControls
    air_sensitivity : Sensitivity
        E for air (see :func:`air_sensitivity`).
    water_controls : sequence of WaterControlItem
        Points per water control item (HJ 941 Table 5, supplied by the caller).
    water_sensitivity : Sensitivity
    penalised_in_3_years : bool
        Penalty for illegal discharge or illegal hazardous-waste disposal within 3 years.
    on : date, optional
        Edition of the critical quantities; default today.
    library : StandardsLibrary, optional

    Returns
    -------
    EnterpriseRiskGrade

    References
    ----------
    HJ 941-2018; standards.md §10 (check example §10.6: ammonia 20 t + hydrochloric acid 10 t → Q = 5.33, Q1).
    """
    ratios = substance_ratios(substances, on=on, library=library)
    air = grade_medium("air", ratios, process_units, air_controls, air_sensitivity)
    water = grade_medium("water", ratios, process_units, water_controls, water_sensitivity)
    before = max(air.grade, water.grade, key=GRADES.index)
    final = GRADES[min(GRADES.index(before) + 1, len(GRADES) - 1)] if penalised_in_3_years else before
    notation = f"{final}[{air.notation} + {water.notation}]"
    unverified = [f"rule {r.name}: {r.source}" for r in RULES if not r.verified]
    unverified += [f"critical quantity of {r.name}: {r.source}" for r in ratios if not r.verified]
    return EnterpriseRiskGrade(
        air, water, before, bool(penalised_in_3_years), final != before, final, GRADE_EN[final], notation,
        tuple(unverified),
    )
