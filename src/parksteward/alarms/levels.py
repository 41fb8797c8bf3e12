"""The four warning levels of Chinese emergency practice, lowest first.

Blue (IV, 一般), yellow (III, 较重), orange (II, 严重) and red (I, 特别严重), as in the national
and provincial emergency-warning schemes (突发事件预警级别: 蓝、黄、橙、红). The platform's
routing and escalation (:mod:`parksteward.alarms.routing`) are keyed by these names.
"""

from __future__ import annotations

LEVELS = ("blue", "yellow", "orange", "red")
ROMAN = {"blue": "IV", "yellow": "III", "orange": "II", "red": "I"}
NAME_ZH = {"blue": "蓝色预警", "yellow": "黄色预警", "orange": "橙色预警", "red": "红色预警"}
RANK = {level: i for i, level in enumerate(LEVELS)}


def check_level(level: str) -> str:
    if level not in RANK:
        raise ValueError(f"unknown level {level!r}, expected one of {list(LEVELS)}")
    return level


def higher(a: str | None, b: str | None) -> str | None:
    """The more severe of two levels (None counts as no warning)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if RANK[a] >= RANK[b] else b


def next_level(level: str) -> str:
    """One level up; red stays red."""
    return LEVELS[min(RANK[level] + 1, len(LEVELS) - 1)]


def label(level: str) -> str:
    """``黄色预警 (III, yellow)``."""
    return f"{NAME_ZH[level]} ({ROMAN[level]}, {level})"
