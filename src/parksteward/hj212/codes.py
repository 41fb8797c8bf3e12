"""HJ 212 code tables: factor codes (2017 and 2005), system codes, command codes, data flags,
field suffixes, and reply codes.

The factor catalogue ships as ``data/factors.json`` (transcribed from HJ 212-2017 Annex B,
``verified: false`` until checked against the printed standard); the other tables are small
enough to live here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

# HJ 212-2017 Table 5 (reference hj212.md §6).
SYSTEM_CODES = {
    "21": "surface water quality", "22": "ambient air quality", "23": "acoustic environment quality",
    "24": "groundwater quality", "25": "soil quality", "26": "sea water quality", "27": "VOCs monitoring",
    "31": "air pollution source", "32": "surface-water pollution source", "33": "groundwater pollution source",
    "34": "marine pollution source", "35": "soil pollution source", "36": "noise source", "37": "vibration source",
    "38": "radioactive source", "39": "construction-site dust", "41": "electromagnetic source",
    "51": "flue-gas process monitoring", "52": "wastewater process monitoring", "91": "system interaction",
}

# HJ 212-2017 Table 9 (reference hj212.md §7.1); the uploads the gateway stores are marked.
COMMAND_CODES = {
    "1000": "set timeout and retries", "1011": "get/upload DAS time", "1012": "set DAS time",
    "1013": "DAS asks for time calibration", "1061": "get real-time interval", "1062": "set real-time interval",
    "1063": "get minute interval", "1064": "set minute interval", "1072": "set password",
    "2011": "real-time data", "2012": "stop real-time data", "2021": "facility run state",
    "2022": "stop run-state upload", "2031": "daily data", "2041": "facility running time",
    "2051": "minute data", "2061": "hourly data", "2072": "alarm event (2005)", "2081": "DAS restart",
    "3011": "zero/span calibration", "3012": "immediate sampling", "3013": "cleaning / blow-back",
    "3014": "comparison sampling", "3015": "over-limit sample retention", "3016": "set sampling period",
    "3017": "get sampling period", "3018": "sample output time", "3019": "analyser serial",
    "3020": "site information", "3021": "set site parameters",
    "9011": "request answer", "9012": "execution result", "9013": "notify answer", "9014": "data answer",
}
DATA_COMMANDS = {"2011": "realtime", "2051": "minute", "2061": "hour", "2031": "day"}

# HJ 212-2017 Table 8; 2005 meanings differ for F (reference hj212.md §8).
DATA_FLAGS = {
    "N": "normal", "F": "instrument stopped (2017) / source stopped (2005)", "M": "maintenance",
    "S": "manually set value", "D": "instrument fault", "C": "calibration", "T": "above the measuring range",
    "B": "instrument-DAS communication fault", "P": "power failure (2005)",
}
VALID_FLAG = "N"

# HJ 212-2017 Table 4 suffixes (reference hj212.md §5.2). Statistics carry a number;
# attributes qualify the factor's values.
STATISTIC_FIELDS = ("Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax")
ATTRIBUTE_FIELDS = ("Flag", "EFlag", "SampleTime")
OTHER_FIELDS = ("Info", "SN", "RS", "RT", "Data", "DayData", "NightData", "LowValue", "UpValue", "Ala",
                "ValidNum", "TotalNum")

# HJ 212-2017 Tables 6 and 7 (reference hj212.md §7.2).
QN_RTN = {"1": "ready to execute", "2": "refused", "3": "PW wrong", "4": "MN wrong", "5": "ST wrong",
          "6": "Flag wrong", "7": "QN wrong", "8": "CN wrong", "9": "CRC wrong", "100": "unknown error"}
EXE_RTN = {"1": "success", "2": "failed, reason unknown", "3": "request condition wrong",
           "4": "communication timeout", "5": "busy", "6": "system fault", "100": "no data"}


@lru_cache(maxsize=1)
def factor_catalogue() -> dict:
    """The catalogue document: ``source``, ``verified``, ``note`` and the list of ``factors``."""
    text = resources.files(__package__).joinpath("data", "factors.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _code_maps() -> tuple[frozenset[str], dict[str, str]]:
    rows = factor_catalogue()["factors"]
    codes_2017 = frozenset(row["code"] for row in rows)
    from_2005 = {row["code_2005"]: row["code"] for row in rows if row["code_2005"]}
    return codes_2017, from_2005


def to_2017(code: str) -> str | None:
    """The HJ 212-2017 code of a factor given in either code system; None when unknown."""
    codes_2017, from_2005 = _code_maps()
    if code in codes_2017:
        return code
    return from_2005.get(code)


def code_system(code: str) -> str | None:
    """'2017' for 6-character a/w-style codes, '2005' for 2-3 character codes and B/S flows."""
    codes_2017, from_2005 = _code_maps()
    if code in codes_2017 and len(code) == 6:
        return "2017"
    if code in from_2005 or (len(code) in (2, 3) and code.isdigit()):
        return "2005"
    return None
