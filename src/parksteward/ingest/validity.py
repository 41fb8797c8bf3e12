"""Validity of period values (minute / hour / day) from the values inside the period.

Rules (project reference hj212.md §12, summarising HJ 212-2017 Annex C/D, HJ 75-2017 and
HJ 76-2017 for flue gas, HJ 212-2017 Annex D.1 and HJ 356-2019 for wastewater):

* flue gas / air (factor codes ``a…``): an hour is valid with at least 45 valid minute
  values, a day with at least 20 valid hours (HJ 75-2017; HJ 212-2017 Annex D.2). A logger
  that sends minute data every 5 or 10 minutes covers that many minutes with each value, so
  the rule is applied to the time the valid values cover (45 min of the hour);
* wastewater (``w…``): a period is valid from at least one valid value, and any abnormal
  value makes the period abnormal (HJ 212-2017 Annex C notes);
* a minute from real-time values, and any other factor family: at least 75 % of the values
  in the period are normal (flag N), at least one (HJ 212-2017 Annex C notes: "≥ 75 %
  normal values -> N, otherwise D"; read as inclusive — verify).

Only values flagged ``N`` count as valid; every other flag (and a missing flag) is counted
but excluded from the mean. An invalid period keeps its mean for inspection, flagged ``D``.
Means are arithmetic; HJ 212-2017 Annex D.1 allows arithmetic or flow-weighted wastewater means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

VALID_FLAG = "N"
INVALID_FLAG = "D"


@dataclass(frozen=True)
class Rule:
    """How many valid values a period needs, and whether one abnormal value spoils it."""

    min_valid: int = 1
    min_valid_seconds: float = 0.0
    min_valid_fraction: float = 0.0
    any_abnormal_invalidates: bool = False
    source: str = ""


AIR_HOUR = Rule(min_valid_seconds=45 * 60, source="HJ 75-2017 / HJ 212-2017 Annex D.2: >= 45 valid minutes")
AIR_DAY = Rule(min_valid_seconds=20 * 3600, source="HJ 75-2017 / HJ 212-2017 Annex D.2: >= 20 valid hours")
WATER = Rule(min_valid=1, any_abnormal_invalidates=True,
             source="HJ 212-2017 Annex C notes: any abnormal value -> abnormal period")
SHARE_75 = Rule(min_valid=1, min_valid_fraction=0.75,
                source="HJ 212-2017 Annex C notes: >= 75 % normal values -> N (inclusive: verify)")


def rule_for(factor: str, interval: str) -> Rule:
    """The rule for ``interval`` ('minute', 'hour', 'day') values of ``factor``."""
    if interval == "minute":
        return SHARE_75
    if factor.startswith("a"):
        return AIR_HOUR if interval == "hour" else AIR_DAY
    if factor.startswith("w"):
        return WATER
    return SHARE_75


@dataclass(frozen=True)
class PeriodValue:
    n_valid: int
    n_total: int
    mean: float | None
    minimum: float | None
    maximum: float | None
    valid: bool

    @property
    def flag(self) -> str:
        return VALID_FLAG if self.valid else INVALID_FLAG


def period_value(values: list[tuple[float | None, str | None]], rule: Rule, step_s: float = 60.0) -> PeriodValue:
    """Aggregate (value, flag) pairs of one period under ``rule``.

    ``step_s`` is the time each value stands for [s] (60 for 1-minute values, 3600 for
    hours). The mean, minimum and maximum are over the valid (flag N) values; when there are
    none, over all finite values, so an invalid period still shows what was measured.
    """
    finite = [(v, f) for v, f in values if v is not None and math.isfinite(v)]
    valid = [v for v, f in finite if f == VALID_FLAG]
    used = valid or [v for v, _ in finite]
    stats = (sum(used) / len(used), min(used), max(used)) if used else (None, None, None)
    return judge_period(len(valid), len(values), stats, rule, step_s)


def judge_period(n_valid: int, n_total: int, stats: tuple, rule: Rule, step_s: float = 60.0) -> PeriodValue:
    """A period from its counts: ``n_valid`` values flagged N among ``n_total``, and ``stats``
    (mean, minimum, maximum) over the valid values, or over all finite ones when none is
    valid (as :func:`period_value` computes them; a store can compute them in SQL)."""
    is_valid = (n_valid >= rule.min_valid and n_valid * step_s >= rule.min_valid_seconds
                and n_valid >= rule.min_valid_fraction * n_total)
    if rule.any_abnormal_invalidates and n_valid < n_total:
        is_valid = False
    mean, minimum, maximum = stats
    return PeriodValue(n_valid=n_valid, n_total=n_total, mean=mean, minimum=minimum, maximum=maximum, valid=is_valid)


def corrected_concentration(conc: float, o2_measured_pct: float, o2_reference_pct: float) -> float:
    """折算 concentration at the reference O2: ``C_zs = C · (21 − O2_ref) / (21 − O2_meas)``.

    Parameters
    ----------
    conc : float
        Measured dry standard-state concentration [mg/m3].
    o2_measured_pct, o2_reference_pct : float
        Measured (dry) and reference O2 [%].

    References
    ----------
    HJ 212-2017 Annex D.2 (reference hj212.md §12.3); GB 13223 / GB 13271 use the same form.
    """
    if not o2_measured_pct < 21:
        raise ValueError(f"measured O2 of {o2_measured_pct} % leaves no room for correction (must be < 21 %)")
    return conc * (21.0 - o2_reference_pct) / (21.0 - o2_measured_pct)


def emission_rate_g_s(conc_mg_m3: float, flow_m3_s: float) -> float:
    """Emission rate from concentration and flue-gas flow: ``G = C · Q · 10⁻³`` [g/s].

    HJ 212-2017 Annex D.2 gives ``G_h = C_h · Q_snh · 10⁻⁶`` [kg/h] with Q in m3/h; per second
    and in grams that is C [mg/m3] x Q [m3/s] / 1000. Q should be the dry standard flow.
    """
    return conc_mg_m3 * flow_m3_s * 1e-3
