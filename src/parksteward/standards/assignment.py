"""Default limits for a monitoring point: which standard applies to a point of a given kind at an
enterprise of a given industry, and which of its limits.

The rules (standards.md, header and §§1–7):

- **Industry standards override the integrated ones.** A petrochemical enterprise's stacks, boundary
  and direct wastewater discharge follow GB 31571-2015; GB 16297 and GB 8978 are *not* applied on
  top. Every other industry falls back to the integrated standards until its own industry standard
  (GB 37823 pharmaceuticals, GB 13271 boilers, …) is loaded.
- **Stacks** (``stack_cems``): GB 31571 Table 4 / 6 for petrochemicals; otherwise GB 16297 Table 2
  concentrations (the "others" rows; process-specific rows such as "sulfur production" are left out)
  plus the emission rates of the grade that goes with the air zone (class 2 → grade 2, class 3 →
  grade 3; no new sources in class-1 zones).
- **Boundary VOCs** (``boundary_vocs``): GB 37822-2019 sets no boundary number — it defers to GB 16297
  (NMHC 4.0 mg/m³) or the industry standard — so petrochemicals get GB 31571 Table 7 and everyone
  else the GB 16297 fugitive limits. GB 37822's own in-plant NMHC limits belong to in-plant points
  at production buildings, not to the boundary, and are not assigned here.
- **Wastewater outlets**: petrochemical direct discharge → GB 31571 Table 1 (Table 2 special);
  petrochemical indirect discharge → no default (GB 31571 leaves most items to the agreement with
  the receiving plant); a park WWTP (``environmental_services``) → GB 18918 一级A; every other
  industry → GB 8978 Table 4 at the grade of the discharge (indirect → grade 3; direct to class III
  → grade 1; to class IV–V → grade 2; class I–II → no new outfalls) plus the Table 1 class-1
  pollutants at the workshop outlet.
- **Ambient air** → GB 3095 at the zone's class (a park is class 2); **surface water** → GB 3838 at
  the water body's class; **noise** → GB 12348 at the boundary zone (industrial: zone 3).
- Groundwater / soil, tank level and weather points get no limits from this library.

Where a tiered standard has a special limit (特别排放限值) for an item, ``special=True`` takes it;
items without a special value keep their general one, and the result says which.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from parksteward.registry.choices import DISCHARGE_DESTINATIONS, INDUSTRIES, POINT_KINDS
from parksteward.standards.errors import StandardsQueryError
from parksteward.standards.library import Limit, StandardsLibrary, default_library

# surface_water is not a registry point kind yet; the rule is ready for when it is.
POINT_KINDS_WITH_DEFAULTS = tuple(POINT_KINDS) + ("surface_water",)
WATER_CLASS_TO_GB8978_GRADE = {"III": "1", "IV": "2", "V": "2"}  # standards.md §5.1
AIR_ZONE_TO_GB16297_GRADE = {2: "2", 3: "3"}  # standards.md §2


@dataclass(frozen=True)
class DefaultLimits:
    """The standards and limits a point gets by default, with the reasoning.

    Attributes
    ----------
    kind, industry : str
        The monitoring point kind and the enterprise's industry, as asked.
    standards : tuple of str
        Editions the limits come from (``"GB 16297-1996"``).
    limits : tuple of Limit
    reasons : tuple of str
        Why these standards and rows were chosen, and what was left out.
    """

    kind: str
    industry: str
    standards: tuple[str, ...]
    limits: tuple[Limit, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "industry": self.industry, "standards": list(self.standards),
            "limits": [lim.to_dict() for lim in self.limits], "reasons": list(self.reasons),
        }


def _pick_tier(rows: list[Limit], special: bool, reasons: list[str]) -> list[Limit]:
    """Of a tiered standard's rows, the special ones (or general ones where no special exists)."""
    wanted = "special" if special else "general"
    out = [lim for lim in rows if lim.zone_or_class in (None, wanted)]
    if special:
        has_special = {_item(lim) for lim in out if lim.zone_or_class == "special"}
        kept = [lim for lim in rows if lim.zone_or_class == "general" and _item(lim) not in has_special]
        if kept:
            reasons.append(
                "no special limit in the library for: " + "; ".join(sorted({_label(lim) for lim in kept}))
                + " — the general limit is kept"
            )
        out += kept
    return out


def _item(lim: Limit) -> tuple:
    return (lim.medium, lim.quantity, lim.pollutant, lim.averaging, lim.scope, lim.condition, lim.applies_to)


def _label(lim: Limit) -> str:
    return f"{lim.pollutant} ({lim.scope})" if lim.scope else lim.pollutant


def _by_industry(rows: list[Limit], industry: str, reasons: list[str]) -> list[Limit]:
    """Per item, the row naming this industry if any, else the rows for all / 'others'."""
    groups: dict[tuple, list[Limit]] = {}
    for lim in rows:
        groups.setdefault((lim.medium, lim.quantity, lim.pollutant, lim.zone_or_class, lim.table_ref), []).append(lim)
    out: list[Limit] = []
    for group in groups.values():
        own = [lim for lim in group if industry in lim.industries]
        if own:
            out += own
            reasons.append(f"{own[0].code} {own[0].pollutant}: the row for {own[0].scope!r} applies to {industry}")
        else:
            out += [lim for lim in group if lim.scope_kind in ("all", "others")]
    skipped = sorted({f"{lim.pollutant} ({lim.scope})" for lim in rows if lim.scope_kind == "specific"
                      and industry not in lim.industries})
    if skipped:
        reasons.append("process- or sector-specific rows left out (assign them by hand where they apply): "
                       + "; ".join(skipped))
    return out


def default_limits(
    kind: str,
    industry: str,
    *,
    air_zone: int = 2,
    noise_zone: str | int = 3,
    water_class: str | None = None,
    discharge: str = "indirect",
    special: bool = False,
    applies_to: str = "new",
    on: _dt.date | None = None,
    library: StandardsLibrary | None = None,
) -> DefaultLimits:
    """The limits a monitoring point gets by default.

    Parameters
    ----------
    kind : str
        Monitoring point kind (registry ``POINT_KINDS``, plus ``"surface_water"``).
    industry : str
        Enterprise industry (registry ``INDUSTRIES``).
    air_zone : int
        GB 3095 zone class of the site: 2 (industrial parks) or 1; 3 only for GB 16297 grade 3.
    noise_zone : str or int
        GB 12348 boundary zone 0–4; default 3 (industrial).
    water_class : str, optional
        GB 3838 class (``"I"`` … ``"V"``) of the receiving water (direct discharge) or of the
        monitored water body (``surface_water`` points).
    discharge : str
        ``"indirect"`` (to the park's WWTP, the usual case in a park) or ``"direct"``.
    special : bool
        Special limits (特别排放限值) where the standard has them.
    applies_to : str
        ``"new"`` or ``"existing"`` source (GB 16297 / GB 8978 / GB 18918 tables by construction date).
    on : date, optional
        Day of interest (edition in force); default today.
    library : StandardsLibrary, optional
        Defaults to the shipped library.

    Returns
    -------
    DefaultLimits

    Raises
    ------
    StandardsQueryError
        Unknown kind, industry, discharge or zone, a missing ``water_class`` where one is needed,
        or a case the standard forbids (new outfall into class I–II water, new source in a
        class-1 zone).
    """
    lib = library or default_library()
    if kind not in POINT_KINDS_WITH_DEFAULTS:
        raise StandardsQueryError("kind", f"unknown point kind {kind!r}; expected one of {', '.join(POINT_KINDS_WITH_DEFAULTS)}")
    if industry not in INDUSTRIES:
        raise StandardsQueryError("industry", f"unknown industry {industry!r}; expected one of {', '.join(INDUSTRIES)}")
    if discharge not in DISCHARGE_DESTINATIONS:
        raise StandardsQueryError("discharge", f"unknown value {discharge!r}; expected one of {', '.join(DISCHARGE_DESTINATIONS)}")
    if applies_to not in ("new", "existing"):
        raise StandardsQueryError("applies_to", f"expected 'new' or 'existing' (found {applies_to!r})")
    reasons: list[str] = []
    rows: list[Limit] = []
    petro = industry == "petrochemical"

    def q(**filters) -> list[Limit]:
        return lib.limits(on=on, applies_to=applies_to, **filters)

    if kind == "stack_cems":
        if petro:
            reasons.append("petrochemical: GB 31571 (industry standard) replaces GB 16297 for stacks")
            rows = _pick_tier(q(standard="GB 31571", medium="stack"), special, reasons)
            reasons.append("GB 31571 stack rows are per outlet type (process heaters, organic waste gas, "
                           "halogenated-hydrocarbon outlets, Table 6 organics): match them to the stack")
        else:
            grade = _gb16297_grade(air_zone)
            reasons.append(f"{industry}: no industry emission standard in the library; GB 16297 (integrated) applies")
            reasons.append(f"GB 16297 rates at grade {grade} (air zone class {air_zone}); only the tabulated "
                           "heights (15 m, 25 m for Cl2/HCN) are loaded — other heights need the full table")
            stack = q(standard="GB 16297", medium="stack", zone=grade)
            rows = _by_industry(stack, industry, reasons)
    elif kind == "boundary_vocs":
        reasons.append("GB 37822-2019 sets no boundary limit: it defers to GB 16297 or the industry standard; "
                       "its in-plant NMHC limits (10 / 30 mg/m³) are for in-plant points, not the boundary")
        if petro:
            reasons.append("petrochemical: GB 31571 Table 7 boundary limits")
            rows = q(standard="GB 31571", medium="fugitive_boundary")
        else:
            reasons.append(f"{industry}: GB 16297 fugitive limits at the highest point outside the boundary")
            rows = _by_industry(q(standard="GB 16297", medium="fugitive_boundary"), industry, reasons)
    elif kind == "wastewater_outlet":
        rows = _wastewater(q, industry, discharge, water_class, special, reasons)
    elif kind == "ambient_air":
        if air_zone not in (1, 2):
            raise StandardsQueryError("air_zone", f"GB 3095-2012 has classes 1 and 2 (found {air_zone!r})")
        reasons.append(f"GB 3095 class {air_zone} (an industrial park is normally class 2)")
        rows = q(standard="GB 3095", zone=air_zone)
    elif kind == "surface_water":
        if water_class is None:
            raise StandardsQueryError("water_class", "a surface-water point needs the water body's GB 3838 class (I–V)")
        reasons.append(f"GB 3838 class {water_class}; TP and TN rows differ for rivers and lakes / reservoirs — "
                       "keep those that match the water body")
        rows = q(standard="GB 3838", zone=water_class)
    elif kind == "noise":
        reasons.append(f"GB 12348 boundary zone {noise_zone} (industrial and warehousing areas are zone 3)")
        rows = q(standard="GB 12348", zone=noise_zone)
    else:
        reasons.append(f"no standard in the library covers {kind!r} points "
                       "(groundwater GB/T 14848, soil and process limits are not loaded)")

    standards = tuple(dict.fromkeys(lim.code for lim in rows))
    return DefaultLimits(kind, industry, standards, tuple(rows), tuple(reasons))


def _gb16297_grade(air_zone: int) -> str:
    if air_zone == 1:
        raise StandardsQueryError("air_zone", "GB 16297 allows no new sources in class-1 zones")
    if air_zone not in AIR_ZONE_TO_GB16297_GRADE:
        raise StandardsQueryError("air_zone", f"expected 1, 2 or 3 (found {air_zone!r})")
    return AIR_ZONE_TO_GB16297_GRADE[air_zone]


def _wastewater(q, industry: str, discharge: str, water_class: str | None, special: bool, reasons: list[str]):
    if discharge == "direct":
        if water_class is None:
            raise StandardsQueryError("water_class", "direct discharge needs the receiving water's GB 3838 class (I–V)")
        if water_class in ("I", "II"):
            raise StandardsQueryError("water_class", "GB 8978 allows no new outfalls into class I–II water")
        if water_class not in WATER_CLASS_TO_GB8978_GRADE:
            raise StandardsQueryError("water_class", f"expected one of I, II, III, IV, V (found {water_class!r})")
    if industry == "petrochemical":
        if discharge == "indirect":
            reasons.append("petrochemical, indirect discharge: GB 31571 leaves most items '—' (agreed with the "
                           "receiving WWTP) and GB 8978 is not applied on top — set the agreed limits by hand")
            return []
        reasons.append("petrochemical, direct discharge: GB 31571 Table 1" + (" / Table 2 special limits" if special else ""))
        return _pick_tier(q(standard="GB 31571", medium="wastewater"), special, reasons)
    if industry == "environmental_services":
        reasons.append("environmental_services: taken as the park's central WWTP — GB 18918 一级A, the level park "
                       "plants are often required to meet (check the permit; a local standard may be stricter)")
        return q(standard="GB 18918", zone="1A")
    if discharge == "indirect":
        grade = "3"
        reasons.append(f"{industry}, indirect discharge to the park WWTP: GB 8978 grade 3")
    else:
        grade = WATER_CLASS_TO_GB8978_GRADE[water_class]
        reasons.append(f"{industry}, direct discharge to class {water_class} water: GB 8978 grade {grade} "
                       "(protected / swimming zones in class III allow no new outfall — check)")
    reasons.append("GB 8978 Table 1 class-1 pollutants apply at the workshop outlet whatever the grade")
    reasons.append("'—' cells come back as direction 'none' (no limit set)")
    return _by_industry(q(standard="GB 8978", zone=grade), industry, reasons)
