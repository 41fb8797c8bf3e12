"""Readings as JSON, for sensors that do not speak HJ 212 (MQTT and HTTP).

One message is an object or a list of objects::

    {"mn": "3201...", "pw": "123456", "cn": "2011",
     "data_time": "2025-03-15T09:00:00+08:00",
     "values": [{"code": "a21026", "field": "Rtd", "value": 24.8, "flag": "N"}]}

``cn`` says what the values are, as in HJ 212: 2011 real-time, 2051 minute, 2061 hourly,
2031 daily. ``data_time`` is ISO 8601; without an offset it is the park's local time, as an
HJ 212 DataTime is. Each message becomes an HJ 212 :class:`~parksteward.hj212.frame.Frame`
so that it takes exactly the path a frame takes (authentication, validation, storage).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from parksteward.hj212 import Frame
from parksteward.hj212.errors import Hj212Error
from parksteward.hj212.frame import format_time


class BadJson(Hj212Error):
    kind = "bad_json"


class JsonValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9]+$")]
    field: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z]+$")] = "Rtd"
    value: float
    flag: Annotated[str, Field(min_length=1, max_length=4)] | None = "N"


class JsonReadings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mn: Annotated[str, Field(min_length=1, max_length=24)]
    pw: Annotated[str, Field(min_length=1, max_length=64)]
    cn: Literal["2011", "2051", "2061", "2031"] = "2011"
    data_time: datetime
    qn: str | None = None
    values: Annotated[list[JsonValue], Field(min_length=1, max_length=500)]


_MESSAGES = TypeAdapter(JsonReadings | list[JsonReadings])


def parse_messages(payload: bytes | str) -> list[JsonReadings]:
    """The messages of a payload, or :class:`BadJson` naming what is wrong."""
    try:
        data = json.loads(payload)
        parsed = _MESSAGES.validate_python(data)
    except json.JSONDecodeError as exc:
        raise BadJson(f"not JSON: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise BadJson(f"not a readings message: {problems}") from None
    return parsed if isinstance(parsed, list) else [parsed]


def to_frame(message: JsonReadings, timezone) -> Frame:
    """The HJ 212 frame equivalent of a message; ``timezone`` is the device's park zone."""
    moment = message.data_time
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone).replace(tzinfo=None)
    cp: list[tuple[str, str]] = [("DataTime", format_time(moment))]
    for item in message.values:
        cp.append((f"{item.code}-{item.field}", repr(item.value)))
        if item.flag is not None:
            cp.append((f"{item.code}-Flag", item.flag))
    header = [("CN", message.cn), ("PW", message.pw), ("MN", message.mn), ("Flag", "4")]
    if message.qn:
        header.insert(0, ("QN", message.qn))
    return Frame(header=tuple(header), cp=tuple(cp))
