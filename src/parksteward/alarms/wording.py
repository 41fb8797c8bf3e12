"""What an alarm says, in Chinese and in English.

An alarm's ``message`` is Chinese, the park's working language: it goes out by SMS, e-mail and
webhook to the park's staff and stands in the notarized history. The English text travels
beside it in the alarm's details (``message_en``) for the console's English view. Both are
built here from the same facts, so that they cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass

from parksteward.alarms.levels import NAME_ZH


@dataclass(frozen=True)
class Facts:
    """What a rule saw at a point, in the units of its factor."""

    kind: str  # the rule's kind: threshold, exceedance, rate_of_change, flat_line, invalid_data, interruption
    point: str  # "code name"
    level: str
    factor_zh: str | None = None
    factor_en: str | None = None
    unit: str | None = None
    value: float | None = None
    threshold: float | None = None
    measure: float | None = None  # the judged quantity: ratio to the limit, slope, minutes
    direction: str = "above"
    window_min: float | None = None
    flag: str | None = None
    reference_o2_pct: float | None = None
    limit_value: float | None = None  # the hourly mean in the limit's unit
    limit_unit: str | None = None
    standard: str | None = None
    limit_text: str | None = None  # "≤ 100 mg/m³"


def messages(f: Facts) -> tuple[str, str]:
    """(Chinese, English) text of one sighting."""
    return f"{f.point}：{_what_zh(f)}，{NAME_ZH[f.level]}", f"{f.point}: {_what_en(f)}: {f.level} warning"


def _u(f: Facts) -> str:
    return f" {f.unit}" if f.unit else ""


def _what_zh(f: Facts) -> str:
    name, u = f.factor_zh, _u(f)
    if f.kind == "threshold":
        return f"{name} {f.value:g}{u} {'≥' if f.direction == 'above' else '≤'} {f.threshold:g}{u}"
    if f.kind == "exceedance":
        corrected = f"（折算至基准氧含量 {f.reference_o2_pct:g}%）" if f.reference_o2_pct is not None else ""
        return (f"{name}小时均值{corrected} {f.limit_value:g} {f.limit_unit}，"
                f"为{f.standard}限值 {f.limit_text} 的 {f.measure:.2f} 倍")
    if f.kind == "rate_of_change":
        return f"{name} {f.window_min:g} 分钟内变化速率 {f.measure:+.3g}{u}/min（≥ {f.threshold:g}）"
    if f.kind == "flat_line":
        return f"{name}连续 {f.measure:.0f} 分钟恒定为 {f.value:g}{u}"
    if f.kind == "invalid_data":
        return f"{name}连续 {f.measure:.0f} 分钟数据标记为 {f.flag}（非 N）"
    return f"连续 {f.measure:.0f} 分钟无数据"


def _what_en(f: Facts) -> str:
    name, u = f.factor_en or f.factor_zh, _u(f)
    if f.kind == "threshold":
        return f"{name} {f.value:g}{u} {'≥' if f.direction == 'above' else '≤'} {f.threshold:g}{u}"
    if f.kind == "exceedance":
        corrected = f" (corrected to {f.reference_o2_pct:g} % O2)" if f.reference_o2_pct is not None else ""
        return (f"{name} hourly mean{corrected} {f.limit_value:g} {f.limit_unit} = {f.measure:.2f} × the "
                f"{f.standard} limit {f.limit_text}")
    if f.kind == "rate_of_change":
        return f"{name} changing {f.measure:+.3g}{u}/min over {f.window_min:g} min (≥ {f.threshold:g})"
    if f.kind == "flat_line":
        return f"{name} stuck at {f.value:g}{u} for {f.measure:.0f} min"
    if f.kind == "invalid_data":
        return f"{name} flagged {f.flag} (not N) for {f.measure:.0f} min"
    return f"no data for {f.measure:.0f} min"
