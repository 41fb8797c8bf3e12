"""Alarm rules: what each kind measures, how a rule is checked, and the park's default set.

| kind | measure the bands are in | judged on |
|---|---|---|
| ``threshold`` | the factor's own unit (``x01002`` tank fill: %) | every real-time value |
| ``exceedance`` | multiples of the point's limit (1.0 = at the limit) | valid (flag N) hourly means, 折算 where the limit has a reference O₂ |
| ``rate_of_change`` | change per minute: least-squares slope over ``params.window_min`` (at least ``params.min_points`` values) | real-time values |
| ``interruption`` | minutes without any data from the point | a sweep every few seconds |
| ``invalid_data`` | minutes the values have been flagged other than N | real-time values, or minute means |
| ``flat_line`` | minutes a value has stayed the same (within ``params.tolerance``; zero ignored unless ``params.ignore_zero`` is false) | real-time values, or minute means with ``params.interval = "minute"`` |

A rule applies to one point (``point_id``), to every point of a kind (``point_kind``) or,
with neither, to every point of the park, optionally only of one enterprise; ``factor`` may be left out for ``exceedance`` (every
factor with a limit), ``interruption`` (the point as a whole), ``invalid_data`` and
``flat_line`` (every factor).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.alarms.conditions import check_bands
from parksteward.alarms.levels import LEVELS
from parksteward.alarms.tables import RULE_KINDS, AlarmRule
from parksteward.errors import FieldError, InvalidInput
from parksteward.registry.choices import POINT_KINDS

# The measure of each kind's bands, for messages.
MEASURE = {"threshold": "value", "exceedance": "× limit", "rate_of_change": "per minute",
           "interruption": "min without data", "invalid_data": "min flagged invalid",
           "flat_line": "min unchanged"}
NEEDS_FACTOR = ("threshold", "rate_of_change")
# Water-quality analysers that measure in cycles (COD, CODMn, NH3-N, TP, TN): their value is
# legitimately constant between results.
BATCH_ANALYSERS = ["w01018", "w01019", "w21003", "w21011", "w21001"]
DEFAULT_FIELD = {"exceedance": "Avg"}


class RuleIn(BaseModel):
    """A rule as the API takes it (every field is checked; errors name the field)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: str
    park_id: int | None = Field(None, description="Defaults to the park of the point, or the only park")
    enterprise_id: int | None = None
    point_id: int | None = None
    point_kind: str | None = None
    factor: str | None = Field(None, max_length=16)
    field: str | None = Field(None, max_length=16, description="Default Rtd (Avg for exceedance)")
    direction: str = "above"
    bands: dict[str, float]
    params: dict = Field(default_factory=dict)
    escalate_after_min: float | None = Field(None, gt=0)
    scenario_id: int | None = None
    enabled: bool = True
    source: str | None = None


def check_rule(rule: RuleIn) -> RuleIn:
    """Refuse a rule that cannot work, naming every faulty field at once."""
    errors: list[FieldError] = []

    def bad(field: str, msg: str) -> None:
        errors.append(FieldError((field,), msg))

    if rule.kind not in RULE_KINDS:
        bad("kind", f"unknown rule kind {rule.kind!r}, expected one of {list(RULE_KINDS)}")
    if rule.point_kind is not None and rule.point_kind not in POINT_KINDS:
        bad("point_kind", f"unknown point kind {rule.point_kind!r}, expected one of {list(POINT_KINDS)}")
    if rule.kind in NEEDS_FACTOR and not rule.factor:
        bad("factor", f"a {rule.kind} rule needs the factor it watches (an HJ 212-2017 code such as x01002)")
    try:
        check_bands(rule.bands, rule.direction)
    except ValueError as exc:
        bad("bands" if "direction" not in str(exc) else "direction", str(exc))
    counts = ("interruption", "invalid_data", "flat_line")
    if rule.kind in counts + ("exceedance",) and rule.direction != "above":
        bad("direction", f"a {rule.kind} rule counts upwards: direction must be 'above'")
    if rule.kind in counts and any(v <= 0 for v in rule.bands.values()):
        bad("bands", f"{MEASURE[rule.kind]} must be positive")
    if rule.kind == "exceedance" and any(v <= 0 for v in rule.bands.values()):
        bad("bands", "multiples of the limit must be positive (1.0 = at the limit)")
    window = rule.params.get("window_min", 10)
    if rule.kind == "rate_of_change" and (not isinstance(window, (int, float)) or not 0 < window <= 1440):
        bad("params.window_min", f"window_min must be a number of minutes in (0, 1440], not {window!r}")
    for name in ("factors", "skip_factors"):
        listed = rule.params.get(name, [])
        if not isinstance(listed, list) or not all(isinstance(code, str) for code in listed):
            bad(f"params.{name}", f"{name} must be a list of factor codes, not {listed!r}")
    if rule.params.get("interval", "raw") not in ("raw", "minute"):
        bad("params.interval", f"interval must be 'raw' or 'minute', not {rule.params.get('interval')!r}")
    tolerance = rule.params.get("tolerance", 0)
    if rule.kind == "flat_line" and (not isinstance(tolerance, (int, float)) or tolerance < 0):
        bad("params.tolerance", f"tolerance must be a number >= 0, not {tolerance!r}")
    if errors:
        raise InvalidInput(errors)
    return rule


def default_rules(park_id: int) -> list[dict]:
    """The demo park's (and a new park's) starting rules: platform defaults, editable.

    The numbers are the platform's proposals, not a standard's: 80 % of a tank's safe level is
    the usual 高液位报警 set point in Chinese tank-farm practice; exceedance grades are
    multiples of the applicable standard's limit.
    """
    why = "ParkSteward default (platform proposal; adjust to the site's permit and plan)"
    return [
        dict(park_id=park_id, name="储罐液位 tank fill", kind="threshold", point_kind="tank_level", factor="x01002",
             field="Rtd", bands={"yellow": 80.0, "orange": 90.0, "red": 95.0}, escalate_after_min=15.0,
             source="80 % of the safe level: high-level alarm set point (高液位报警); 90 / 95 %: " + why),
        dict(park_id=park_id, name="排放超标 stack exceedance (hourly)", kind="exceedance", point_kind="stack_cems",
             field="Avg", bands={"yellow": 1.0, "orange": 1.5, "red": 3.0}, escalate_after_min=60.0,
             source="valid hourly means against the assigned limit (HJ 75-2017 judges hourly means); " + why),
        dict(park_id=park_id, name="废水超标 wastewater exceedance (hourly)", kind="exceedance",
             point_kind="wastewater_outlet", field="Avg", bands={"yellow": 1.0, "orange": 1.5, "red": 3.0},
             escalate_after_min=60.0, source=why),
        dict(park_id=park_id, name="厂界VOCs超标 boundary VOCs exceedance (hourly)", kind="exceedance",
             point_kind="boundary_vocs", field="Avg", bands={"yellow": 1.0, "orange": 1.5, "red": 3.0}, source=why),
        dict(park_id=park_id, name="环境空气超标 ambient air 1-h exceedance", kind="exceedance",
             point_kind="ambient_air", field="Avg", bands={"yellow": 1.0, "orange": 1.5, "red": 2.0},
             source="valid hourly means against the GB 3095 1-h limit of the zone; " + why),
        dict(park_id=park_id, name="厂界VOCs快速上升 boundary NMHC rising fast", kind="rate_of_change",
             point_kind="boundary_vocs", factor="a24088", field="Rtd", bands={"blue": 0.2, "yellow": 0.5},
             params={"window_min": 10, "min_points": 5},
             source="mg/m³ per minute: least-squares slope of the last 10 min (at least 5 values); " + why),
        dict(park_id=park_id, name="数据中断 data interruption", kind="interruption", point_kind=None,
             bands={"blue": 15.0, "yellow": 60.0}, source="HJ 212 devices report every minute; " + why),
        dict(park_id=park_id, name="数据无效 invalid data", kind="invalid_data", point_kind=None, field="Avg",
             bands={"blue": 60.0, "yellow": 240.0}, params={"interval": "minute"},
             source="minute means flagged other than N (fault, maintenance, calibration) for 1 h / 4 h; " + why),
        dict(park_id=park_id, name="数据恒值 flat line", kind="flat_line", point_kind=None, field="Avg",
             bands={"blue": 60.0, "yellow": 240.0},
             params={"tolerance": 0.0, "interval": "minute", "ignore_zero": True, "skip_factors": BATCH_ANALYSERS},
             source="minute means of a continuous sensor that stay exactly the same for 1 h / 4 h (a stuck "
                    "sensor or a fixed number fed to the logger); zero is left out (below detection, a stopped "
                    "pump); batch analysers have their own rule; " + why),
        dict(park_id=park_id, name="数据恒值（间歇式分析仪） flat line, batch analysers", kind="flat_line",
             point_kind=None, field="Avg", bands={"blue": 720.0},
             params={"tolerance": 0.0, "interval": "minute", "ignore_zero": True, "factors": BATCH_ANALYSERS},
             source="COD, CODMn, ammonia, TP and TN analysers report one result per 1-4 h cycle and repeat it "
                    "in between; 12 h unchanged is three or more identical cycles; " + why),
    ]


def seed_default_rules(session: Session, park_id: int) -> list[AlarmRule]:
    """Add the default rules to a park that has none (returns what exists afterwards)."""
    existing = list(session.scalars(select(AlarmRule).where(AlarmRule.park_id == park_id)))
    if existing:
        return existing
    rows = []
    for spec in default_rules(park_id):
        point_kind = spec.pop("point_kind")
        rows.append(AlarmRule(point_kind=point_kind, **spec))
    session.add_all(rows)
    session.flush()
    return rows


def levels_text(bands: dict) -> str:
    return ", ".join(f"{level} {bands[level]:g}" for level in LEVELS if level in bands)
