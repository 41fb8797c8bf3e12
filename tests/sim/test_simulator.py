"""The device simulator: its frames, its values, the three demo stories, and a live run.

Frames are checked with the codec's strict parser against the project reference (hj212.md:
system codes §6, 2005 codes §9, ``-Cou`` units §9 and §11); value ranges are the literals
of the simulator's specification (the issue "device simulator"); the stories and the clock
are checked against hand calculations stated beside them. Everything except the last test
runs on the pure value models, without a network. The last test builds the demo park once,
starts a gateway and runs all its devices against it for a few seconds.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import distinct, func, select

from parksteward.bootstrap import prepare_database
from parksteward.db import make_engine, make_sessionmaker
from parksteward.hj212 import parse_frame
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.pipeline import Pipeline
from parksteward.ingest.tables import FrameVerdict, Reading
from parksteward.ingest.tcp import TcpGateway
from parksteward.registry.tables import Device, MonitoringPoint
from parksteward.sim.demo_catalogue import CEMS_FACTORS, POINT_FACTORS
from parksteward.sim.demo_park import build_demo_park
from parksteward.sim.device import DeviceModel, DeviceSpec
from parksteward.sim.simulator import (
    DeviceClient,
    SimClock,
    SimStats,
    Simulator,
    SimulatorConfig,
    default_start,
    load_devices,
)
from parksteward.sim.stories import Stories, StoryPoint, choose_stories

SEED = 20261128
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 1, tzinfo=SHANGHAI).timestamp()  # local midnight, a Monday
WINTER = datetime(2026, 1, 5, tzinfo=SHANGHAI).timestamp()

CEMS, FACTORS = CEMS_FACTORS, POINT_FACTORS  # the demo catalogue's factors per kind of point
# HJ 212-2017 Table 5 (reference §6): air source 31, surface-water source 32, ambient air 22, VOCs 27.
SYSTEM_CODES = {"stack_cems": "31", "wastewater_outlet": "32", "ambient_air": "22", "boundary_vocs": "27"}
# Reference §9.1/§9.2: HJ/T 212-2005 codes of the factors a legacy CEMS and outlet send.
CODES_2005 = {"a00000": "B02", "a19001": "S01", "a21026": "02", "a21002": "03", "a34013": "01",
              "a01011": "S02", "a01012": "S03", "a01013": "S08", "a01014": "S05",
              "w00000": "B01", "w01001": "001", "w01018": "011", "w21003": "060", "w21011": "101", "w21001": "065"}
# The specification's ranges [catalogue units] for values flagged N.
RANGES = {
    ("stack_cems", "a21026"): (5, 50), ("stack_cems", "a21002"): (20, 100), ("stack_cems", "a34013"): (1, 10),
    ("stack_cems", "a19001"): (8, 12), ("stack_cems", "a00000"): (10, 60), ("stack_cems", "a01012"): (80, 150),
    ("wastewater_outlet", "w01018"): (20, 80), ("wastewater_outlet", "w21003"): (1, 8),
    ("wastewater_outlet", "w01001"): (6.5, 8.5),
    ("ambient_air", "a21026"): (0.005, 0.03),  # mg/m3: 5-30 ug/m3
    ("ambient_air", "a21004"): (0.005, 0.1),  # mg/m3
    ("ambient_air", "a34004"): (5, 150),  # ug/m3 (GB 3095-2012 units)
    ("ambient_air", "a34002"): (10, 250),  # ug/m3
    ("boundary_vocs", "a24088"): (0.3, 2.0),
    ("tank_level", "x01002"): (0, 100), ("tank_level", "x01003"): (-10, 45),
    ("weather", "a01001"): (-10, 42), ("weather", "a01002"): (0, 100), ("weather", "a01006"): (97, 106),
    ("weather", "a01007"): (0, 20), ("weather", "a01008"): (0, 360),
}


def spec(kind: str, serial: int, version: str = "2017", factors=None, **extra) -> DeviceSpec:
    industry = None if kind in ("ambient_air", "weather") else "fine_chemical"
    defaults = dict(enterprise_id=None if industry is None else 7, industry=industry, size_class="medium",
                    safe_level_m=12.0 if kind == "tank_level" else None)
    defaults.update(extra)
    return DeviceSpec(mn=f"32019900000{serial:05d}", password="123456", protocol_version=version,
                      factor_codes=tuple(factors or FACTORS[kind]), point_code=f"T-{kind}-{serial}", kind=kind,
                      **defaults)


SPECS = [spec(kind, i) for i, kind in enumerate(FACTORS, start=1)]
SPECS += [spec("stack_cems", 20, "2005"), spec("wastewater_outlet", 21, "2005")]
VOC_STACK = spec("stack_cems", 30, factors=CEMS + ("a24088",))


def frames_of(model: DeviceModel, t: float) -> dict[str, list[bytes]]:
    """Every kind of upload the device makes around the hour that starts at ``t``."""
    serial = iter(range(100000, 999999))

    def qn():
        return f"20260601000000{next(serial) % 1000:03d}"

    out = {"2011": model.realtime(t + 30), "2061": model.period(t, t + 3600), "2081": model.restart(t)}
    if model.min_interval_s:
        out["2051"] = model.period(t, t + model.min_interval_s)
    if model.run_state_offset_s is not None:
        out["2021"] = model.run_state(t + 600)
    return {cn: [frame for _, frame in model.encode(cn, items, qn)] for cn, items in out.items()}


# ---------------------------------------------------------------- frames
@pytest.mark.parametrize("device", SPECS, ids=lambda s: f"{s.kind}-{s.protocol_version}")
def test_frames_parse_under_the_strict_policy(device):
    model = DeviceModel(device, SEED)
    uploads = frames_of(model, T0)
    assert {"2011", "2061", "2081"} <= set(uploads)
    for cn, frames in uploads.items():
        for raw in frames:
            frame = parse_frame(raw, policy="strict")
            assert frame.warnings == ()
            assert (frame.cn, frame.mn, frame.pw) == (cn, device.mn, "123456")
            assert re.fullmatch(r"\d{17}", frame.qn)
            # HJ 212-2017 §6.3.2: Flag 5 = 2017 with a reply asked, 1 = 2005 with a reply asked.
            assert frame.flag.raw == (1 if device.protocol_version == "2005" else 5)
            if device.kind in SYSTEM_CODES:
                assert frame.st == SYSTEM_CODES[device.kind]
            if cn == "2061":
                assert frame.item("DataTime") == "20260601000000"  # the hour's start, local time (§5.1)
            if cn == "2011":
                assert frame.item("DataTime") == "20260601000030"
            if cn in ("2011", "2051", "2061"):
                values = frame.values()
                assert {v.code_2017 for v in values} == set(device.factor_codes)
                assert all(v.number is not None and np.isfinite(v.number) for v in values)
                assert all(v.flag in set("NCMD") for v in values)
                fields = Counter(v.field for v in values)
                if cn == "2011":
                    assert set(fields) <= {"Rtd", "ZsRtd"}
                else:
                    assert {fields[f] for f in ("Min", "Avg", "Max")} == {len(device.factor_codes)}
            if cn == "2081":
                assert frame.item("RestartTime") == "20260601000000"


def test_legacy_devices_send_their_2005_codes():
    for device in SPECS[-2:]:
        frame = parse_frame(frames_of(DeviceModel(device, SEED), T0)["2061"][0])
        assert frame.code_system == "2005" and frame.declared_version == "2005"
        sent = {v.code for v in frame.values()}
        assert sent == {CODES_2005[code] for code in device.factor_codes}


def test_an_overlong_upload_is_split_into_packets():
    many = CEMS + FACTORS["ambient_air"] + FACTORS["boundary_vocs"] + FACTORS["weather"] + ("a21028", "a21022")
    model = DeviceModel(spec("stack_cems", 40, factors=many), SEED)
    frames = frames_of(model, T0)["2061"]
    assert len(frames) >= 2
    parsed = [parse_frame(raw) for raw in frames]
    assert all(p.declared_length <= 1024 for p in parsed)  # HJ 212-2017 §6.2
    assert [(p.flag.raw, p.pnum, p.pno) for p in parsed] == [(7, len(frames), i) for i in range(1, len(frames) + 1)]
    assert len({p.qn for p in parsed}) == len(frames)
    assert {p.item("DataTime") for p in parsed} == {"20260601000000"}
    assert {v.code for p in parsed for v in p.values()} == set(many)


def first_clean_hour(model: DeviceModel, start: float) -> dict:
    """The hourly data area of the first hour whose factors are all flagged N."""
    for hour in range(48):
        items = dict(model.period(start + 3600 * hour, start + 3600 * (hour + 1)))
        if all(v == "N" for k, v in items.items() if k.endswith("-Flag")):
            return items
    raise AssertionError("no hour without a flag in two days")


def test_period_totals_are_flow_in_m3_and_loads_in_kg():
    stack = first_clean_hour(DeviceModel(SPECS[0], SEED), T0)
    # Reference §11: a00000-Cou = mean flow [m3/s] x 3600 s; a21026-Cou = C [mg/m3] x V [m3] x 1e-6 kg.
    assert float(stack["a00000-Cou"]) == pytest.approx(float(stack["a00000-Avg"]) * 3600, rel=0.005)
    for code in ("a21026", "a21002", "a34013"):
        expected = float(stack[f"{code}-Avg"]) * float(stack["a00000-Cou"]) * 1e-6
        assert float(stack[f"{code}-Cou"]) == pytest.approx(expected, rel=0.03)
    assert "a19001-Cou" not in stack and "a01012-Cou" not in stack  # no amount for O2 or temperature
    outlet = first_clean_hour(DeviceModel(SPECS[1], SEED), T0)
    # Reference §12.2: D = Q [L/s] x T [s] x 1e-3 m3; G = D [m3] x C [mg/L] x 1e-3 kg.
    assert float(outlet["w00000-Cou"]) == pytest.approx(float(outlet["w00000-Avg"]) * 3600e-3, rel=0.005)
    expected = float(outlet["w01018-Avg"]) * float(outlet["w00000-Cou"]) * 1e-3
    assert float(outlet["w01018-Cou"]) == pytest.approx(expected, rel=0.03)
    assert "w01001-Cou" not in outlet  # pH has no amount


# ---------------------------------------------------------------- values
@pytest.mark.parametrize("device", SPECS, ids=lambda s: f"{s.kind}-{s.protocol_version}")
def test_values_flagged_normal_stay_in_the_stated_ranges(device):
    model = DeviceModel(device, SEED)
    for start in (WINTER, T0):
        t = np.arange(start, start + 7 * 86400, 300.0)
        values, flags, _ = model.sample(t)
        for row, code in enumerate(model.codes):
            normal = values[row][flags[row] == 0]
            assert normal.size > 0.9 * t.size
            if (device.kind, code) in RANGES:
                lo, hi = RANGES[(device.kind, code)]
                assert lo <= normal.min() and normal.max() <= hi, (code, normal.min(), normal.max())
            assert normal.std() > 0, f"{code} must not be a flat line"
    if device.kind == "tank_level":
        level, pct = model.codes.index("x01001"), model.codes.index("x01002")
        ok = (flags[level] == 0) & (flags[pct] == 0)
        assert values[level][ok] == pytest.approx(values[pct][ok] / 100 * 12.0)  # the spec's safe level [m]


def test_boundary_noise_is_50_to_65_dba_by_day_and_lower_at_night():
    model = DeviceModel(spec("noise", 50), SEED)
    t = np.arange(T0, T0 + 7 * 86400, 60.0)
    values, flags, _ = model.sample(t)
    hour = ((t - T0) % 86400) / 3600
    day = (hour >= 6) & (hour < 22)  # GB 12348-2008: day 06:00-22:00
    for row in range(2):
        ok = flags[row] == 0
        by_day, at_night = values[row][ok & day], values[row][ok & ~day]
        assert 50 <= by_day.min() and by_day.max() <= 65
        assert at_night.mean() < by_day.mean() - 5


def test_flags_are_mostly_normal_with_occasional_calibration_maintenance_and_faults():
    model = DeviceModel(VOC_STACK, SEED)
    t = np.arange(T0, T0 + 90 * 86400, 60.0)
    values, flags, _ = model.sample(t)
    counts = Counter(flags.ravel().tolist())
    assert counts[0] > 0.97 * flags.size
    assert counts[1] and counts[2] and counts[3]  # C, M and D all occur in three months
    assert np.all(values[flags == 3] == 0)  # a faulty analyser reads zero
    # Calibration is daily, on gas analysers only: O2 (a19001) has it, the flow (a00000) never does.
    assert (flags[model.codes.index("a19001")] == 1).sum() >= 80 * 6
    assert (flags[model.codes.index("a00000")] == 1).sum() == 0


def test_the_periods_of_a_block_are_the_periods_computed_one_by_one():
    # The minutes of an hour come from one call of the value model; each must be what the
    # minute computed alone from its own twelve 5-s samples gives: the plain statistics of
    # those samples, here taken by hand (N samples only; mean; C x Q for a stack's load).
    model = DeviceModel(VOC_STACK, SEED)
    for minute in (0, 17, 59):
        t0 = T0 + 3 * 3600 + 60 * minute
        items = dict(model.period(t0, t0 + 60))
        values, flags, _ = model.sample(np.arange(t0, t0 + 60, 5.0))
        for code in ("a21026", "a24088", "a00000"):
            row = model.codes.index(code)
            ok = flags[row] == 0
            v = values[row][ok] if ok.any() else values[row]
            rounding = 0.5 * 10.0 ** -model.decimals[row] + 1e-9  # the value as sent, rounded
            assert float(items[f"{code}-Avg"]) == pytest.approx(v.mean(), abs=rounding)
            assert float(items[f"{code}-Max"]) == pytest.approx(v.max(), abs=rounding)
        q, so2 = values[model.codes.index("a00000")], values[model.codes.index("a21026")]
        assert float(items["a21026-Cou"]) == pytest.approx((so2 * q).mean() * 60 * 1e-6, abs=0.5e-4)
    # Ten-minute periods of an outlet tile the hour too; the hour is one period of its own block.
    outlet = DeviceModel(SPECS[1], SEED)
    hour = dict(outlet.period(T0, T0 + 3600))
    tenths = [dict(outlet.period(T0 + 600 * k, T0 + 600 * (k + 1))) for k in range(6)]
    flows = [float(p["w00000-Cou"]) for p in tenths]
    assert sum(flows) == pytest.approx(float(hour["w00000-Cou"]), rel=0.001)  # volumes add up [m3]


def test_blocks_of_period_statistics_agree_with_single_periods():
    # Sound levels average by energy (GB 3096-2008: 10 lg mean 10^(L/10)): 60 and 70 dB(A)
    # give 67.4 dB(A); wind directions by vector: 350 and 10 degrees give north, 0 (not 180).
    from parksteward.sim.device import period_statistics

    values = np.array([[[60.0, 70.0], [50.0, 50.0]], [[350.0, 10.0], [90.0, 180.0]], [[1.0, 3.0], [2.0, 9.0]]])
    flags = np.zeros(values.shape, dtype=np.int8)
    flags[2, 1, 1] = 3  # a fault sample: left out of the statistics
    block = period_statistics(values, flags, ["energy", "circular", "arithmetic"])
    assert block.mean[0, 0] == pytest.approx(10 * np.log10((1e6 + 1e7) / 2))  # 67.40 dB(A)
    assert block.mean[0, 1] == pytest.approx(50.0)
    assert block.mean[1, 0] == pytest.approx(0.0, abs=1e-9) or block.mean[1, 0] == pytest.approx(360.0)
    assert block.mean[1, 1] == pytest.approx(135.0)
    assert (block.minimum[2].tolist(), block.mean[2].tolist(), block.maximum[2].tolist()) == ([1, 2], [2, 2], [3, 2])
    assert block.flags[2].tolist() == ["N", "D"]  # one fault in two samples: under 75 % N
    for p in range(2):
        single = period_statistics(values[:, p], flags[:, p], ["energy", "circular", "arithmetic"])
        assert np.allclose(single.mean, block.mean[:, p]) and single.flags.tolist() == block.flags[:, p].tolist()


def test_stored_hours_sampled_once_a_minute_keep_the_hourly_mean():
    # A logger's stored hours (the demo's day before its replay) are taken from one sample a
    # minute instead of every 5 s: the hourly mean of a slowly varying flow must agree to
    # within its noise (a few per cent), and min <= mean <= max still holds.
    from parksteward.sim.device import HISTORY_SAMPLE_S

    model = DeviceModel(SPECS[0], SEED)
    for hour in range(0, 24, 5):
        t0 = T0 + 3600 * hour
        fine, coarse = dict(model.period(t0, t0 + 3600)), dict(model.period(t0, t0 + 3600, HISTORY_SAMPLE_S))
        assert float(coarse["a00000-Avg"]) == pytest.approx(float(fine["a00000-Avg"]), rel=0.02)
        assert float(coarse["a00000-Min"]) <= float(coarse["a00000-Avg"]) <= float(coarse["a00000-Max"])
        assert coarse["DataTime"] == fine["DataTime"]


def test_the_same_seed_gives_the_same_frames():
    one, two, other = (DeviceModel(SPECS[0], seed) for seed in (SEED, SEED, SEED + 1))
    assert one.realtime(T0 + 90) == two.realtime(T0 + 90)
    assert one.period(T0, T0 + 3600) == two.period(T0, T0 + 3600)
    assert one.realtime(T0 + 90) != other.realtime(T0 + 90)


def test_shared_weather_is_the_same_weather_at_both_stations():
    a, b = (DeviceModel(spec("weather", n), SEED) for n in (60, 61))
    t = np.arange(T0, T0 + 2 * 86400, 600.0)
    temperature = a.codes.index("a01001")
    difference = a.sample(t)[0][temperature] - b.sample(t)[0][temperature]
    assert np.abs(difference).max() < 1.5  # [°C] two stations 2 km apart


# ---------------------------------------------------------------- the stories
def story_point(code, kind, factors, version="2017", industry="fine_chemical", safe=None, mn=None):
    return StoryPoint(mn or code, code, kind, factors, version, industry, safe)


def test_story_devices_are_chosen_by_stable_rules():
    points = [
        story_point("JB-E003-DA001", "stack_cems", CEMS + ("a24088",)),
        story_point("JB-E002-DA002", "stack_cems", CEMS + ("a24088",), industry="petrochemical"),
        story_point("JB-E002-DA001", "stack_cems", CEMS),
        story_point("JB-E004-DA001", "stack_cems", CEMS + ("a24088",)),
        story_point("JB-E001-T-101", "tank_level", FACTORS["tank_level"] + ("x01004",), safe=2.4),
        story_point("JB-E001-T-102", "tank_level", FACTORS["tank_level"], safe=None),
        story_point("JB-E002-T-101", "tank_level", FACTORS["tank_level"], safe=12.5),
        story_point("JB-E001-DW001", "wastewater_outlet", FACTORS["wastewater_outlet"], version="2005"),
        story_point("JB-E002-DW001", "wastewater_outlet", FACTORS["wastewater_outlet"]),
    ]
    assert choose_stories(points[::-1]) == Stories("JB-E003-DA001", "JB-E002-T-101", "JB-E002-DW001")


def test_story_1_nmhc_runs_30_percent_higher_on_the_night_shift_at_equal_load():
    story = DeviceModel(VOC_STACK, SEED, Stories(night_shift_mn=VOC_STACK.mn))
    control = DeviceModel(VOC_STACK, SEED)
    t = np.arange(T0, T0 + 14 * 86400, 60.0)
    hour = ((t - T0) % 86400) / 3600
    night, day = (hour >= 22) | (hour < 4), (hour >= 10) & (hour < 16)
    row = story.codes.index("a24088")
    ratios = []
    for model in (story, control):
        values, flags, _ = model.sample(t, load=0.8)
        ok = flags[row] == 0
        ratios.append(values[row][ok & night].mean() / values[row][ok & day].mean())
    assert ratios[0] == pytest.approx(1.3, abs=0.1)
    assert ratios[1] == pytest.approx(1.0, abs=0.1)
    assert np.all(story.sample(t)[1][row] == 0), "the story factor is never flagged"


def test_story_2_the_tank_climbs_past_80_percent_of_its_safe_level_in_the_first_hours():
    tank = spec("tank_level", 70)
    start = T0 + 5 * 3600
    model = DeviceModel(tank, SEED, Stories(tank_mn=tank.mn), story_start=start)
    t = np.arange(start, start + 6 * 3600, 60.0)
    values, flags, _ = model.sample(t)
    pct, level = values[model.codes.index("x01002")], values[model.codes.index("x01001")]
    assert np.all(flags == 0)
    assert pct[0] == pytest.approx(60.0) and np.all(np.diff(pct) >= 0)
    crossing = (t[np.argmax(pct > 80)] - start) / 3600
    assert 1.5 <= crossing <= 2.5  # hand calculation: 60 % + 10 %/h reaches 80 % after 2 h
    assert pct.max() < 100
    assert level[pct > 80][0] == pytest.approx(0.80 * 12.0, abs=0.02)  # fraction x safe level [m]
    others = DeviceModel(spec("tank_level", 71), SEED).sample(np.arange(T0, T0 + 7 * 86400, 600.0))[0]
    assert others[1].max() < 80, "no other tank tells this story"


def test_story_3_the_flat_line_is_exactly_the_same_value_every_time():
    outlet = SPECS[1]
    model = DeviceModel(outlet, SEED, Stories(flat_line_mn=outlet.mn))
    realtime = [dict(model.realtime(T0 + 30 * k)) for k in range(2 * 60 * 24)]
    assert {(r["w01001-Rtd"], r["w01001-Flag"]) for r in realtime} == {("7.21", "N")}
    assert np.ptp([float(r["w01001-Rtd"]) for r in realtime]) == 0  # zero variance: one value
    hour = dict(model.period(T0, T0 + 3600))
    assert (hour["w01001-Min"], hour["w01001-Avg"], hour["w01001-Max"], hour["w01001-Flag"]) == ("7.21",) * 3 + ("N",)
    assert len({r["w01018-Rtd"] for r in realtime}) > 1, "the other factors of the outlet still vary"


# ---------------------------------------------------------------- the clock
class FakeWall:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_clock_catches_up_with_the_wall_clock_and_never_runs_ahead():
    wall = FakeWall(1_000_000.0)
    clock = SimClock(start=1_000_000.0 - 900, speed=10, wall=wall)
    wall.now += 30
    assert clock.now() == 1_000_000.0 - 900 + 300  # hand: 30 s x 10
    wall.now += 70  # 100 s after the start: 1000 simulated seconds would be ahead of the wall
    assert clock.now() == wall.now
    # Reaching t = start + 500 takes 50 s; reaching the wall (900 s behind) takes 900 / (10 - 1) = 100 s.
    assert clock.real_time_of(1_000_000.0 - 400) == 1_000_000.0 + 50
    assert clock.real_time_of(1_000_000.0 + 500) == 1_000_000.0 + 500
    with pytest.raises(ValueError, match="future"):
        SimClock(start=wall.now + 3600, wall=wall)
    with pytest.raises(ValueError, match="speed"):
        SimClock(start=wall.now, speed=0, wall=wall)


def test_the_hourly_history_is_the_whole_hours_before_the_first_streamed_hour():
    start = 1_742_000_000.0 + 1200  # 01:53:20 + 20 min = 02:13:20 UTC: its hour, 02:00-03:00, is streamed
    wall = FakeWall(start + 60)
    clock = SimClock(start=start, speed=10, wall=wall)
    client = DeviceClient(DeviceModel(spec("stack_cems", 1), SEED), clock,
                          SimulatorConfig(hourly_history_s=3 * 3600), SimStats())
    hour = 3600 * (start // 3600)  # 02:00
    assert client.history_hours() == [(hour - 10800, hour - 7200), (hour - 7200, hour - 3600), (hour - 3600, hour)]
    assert DeviceClient(DeviceModel(spec("stack_cems", 1), SEED), clock, SimulatorConfig(), SimStats()).history_hours() == []


def test_stored_hours_follow_what_is_current_once_the_logger_is_live(monkeypatch):
    # A logger back online sends what is current first, then its stored hours, one every
    # stored_hour_every_s: 4 min replayed at 60 x meet the wall clock after 240 / 59 = 4.07 s.
    now = time.time()
    clock = SimClock(start=now - 240, speed=60)
    config = SimulatorConfig(hourly_history_s=2 * 3600, realtime_window_s=60, stored_hour_every_s=0.5)
    client = DeviceClient(DeviceModel(spec("stack_cems", 1), SEED), clock, config, SimStats())
    stored = client.history_hours()
    sent = []  # (cn, DataTime as epoch s, wall time)

    async def record(qn, frame, cn, readings):
        local = datetime.strptime(parse_frame(frame).item("DataTime"), "%Y%m%d%H%M%S").replace(tzinfo=SHANGHAI)
        sent.append((cn, local.timestamp(), time.time()))

    monkeypatch.setattr(client, "send", record)
    client.stop_real = now + 6
    asyncio.run(client._upload(stored))
    live = clock.meets_wall_clock_at()
    assert live == pytest.approx(now + 240 / 59)
    # The stored hours end where the hourly stream's first hour begins. That hour's own frame is
    # due when it ends (and the logger's delay): within this run only when it crosses the top of
    # an hour. The hourly run state (2021) is due at the device's minute of the hour.
    m = client.model
    first_streamed = client.history_hours()[-1][1]
    hour_due = clock.real_time_of(first_streamed + 3600 + m.hour_delay_s)
    run_state_due = math.floor(clock.start / 3600) * 3600 + m.run_state_offset_s
    run_state_due = clock.real_time_of(run_state_due if run_state_due >= clock.start else run_state_due + 3600)
    streamed = [t for cn, t, at in sent if cn == "2061" and t >= first_streamed]
    assert streamed == ([first_streamed] if hour_due <= now + 6 else [])
    hours = [(t, at) for cn, t, at in sent if cn == "2061" and t < first_streamed]
    assert [t for t, _ in hours] == [t0 for t0, _ in client.history_hours()] and stored == []
    assert hours[0][1] - live == pytest.approx(0.0, abs=0.15)
    assert hours[1][1] - hours[0][1] == pytest.approx(0.5, abs=0.15)  # one stored hour every 0.5 s
    # The replay: minutes and the last real-time values, and the hourly frames that fell due in it.
    replay = {"2051", "2011"} | ({"2061"} if hour_due < live - 0.05 else set()) \
        | ({"2021"} if run_state_due < live - 0.05 else set())
    assert {cn for cn, t, at in sent if at < live - 0.05} == replay


def test_the_default_start_lets_a_fast_run_end_at_the_wall_clock():
    assert default_start(1000.0, speed=1, duration_s=60) == 1000.0
    assert default_start(1000.0, speed=30, duration_s=6) == 1000.0 - 6 * 29  # ends at now + 6 s
    assert default_start(1000.0, speed=30, duration_s=6, replay_s=7200) == 1000.0 - 7200


# ---------------------------------------------------------------- live, against the gateway
@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The demo park in a SQLite file (built once: it takes several seconds)."""
    path = tmp_path_factory.mktemp("simulator") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare_database(engine)
    with make_sessionmaker(engine)() as session:
        build_demo_park(session, seed=SEED)
    yield engine
    engine.dispose()


def test_the_whole_demo_park_uploads_to_a_live_gateway(demo_store):
    engine = demo_store
    specs = load_devices(engine, SEED)
    speed, duration = 30.0, 6.0

    async def scenario():
        batcher = Batcher(Pipeline(engine), max_wait=0.02)
        await batcher.start()
        gateway = TcpGateway(batcher, port=0)
        await gateway.start()
        try:
            config = SimulatorConfig(port=gateway.port, speed=speed, duration_s=duration, seed=SEED,
                                     start=default_start(time.time(), speed, duration), backoff_s=0.2,
                                     hourly_history_s=2 * 3600)
            simulator = Simulator(specs, config)
            return simulator, await simulator.run()
        finally:
            await gateway.stop()
            await batcher.stop()

    started = time.time()
    simulator, stats = asyncio.run(scenario())
    first_streamed_hour = 3600 * ((default_start(started, speed, duration)) // 3600)
    with make_sessionmaker(engine)() as session:
        # The two hours before the streamed ones came too, as hourly values (2061) of every device.
        history = dict(session.execute(
            select(Reading.t, func.count(distinct(Reading.device_id))).where(
                Reading.interval == "hour", Reading.t < first_streamed_hour - 60).group_by(Reading.t)).all())
        points = session.scalar(select(func.count(distinct(MonitoringPoint.id)))
                                .join(Device, Device.point_id == MonitoringPoint.id)
                                .join(Reading, Reading.device_id == Device.id))
        readings = session.scalar(select(func.count()).select_from(Reading))
        verdicts = Counter(session.scalars(select(FrameVerdict.kind)))
        authenticated = session.scalar(select(func.count(distinct(FrameVerdict.device_id)))
                                       .where(FrameVerdict.ok.is_(True)))
        flat = session.execute(
            select(Reading.value, Reading.flag).join(Device, Device.id == Reading.device_id)
            .where(Device.mn == simulator.stories.flat_line_mn, Reading.factor == "w01001")
        ).all()
    print(f"\nsimulator e2e: {stats.summary()}; {readings} readings stored "
          f"({readings / stats.elapsed_s:.0f}/s), {points} points")
    assert len(specs) >= 600
    assert points >= 500
    assert verdicts["wrong_password"] == 0 and verdicts["unknown_device"] == 0, verdicts
    assert authenticated == len(specs), "every device authenticated"
    assert readings >= stats.readings > 0, "every acknowledged value is stored"
    assert stats.frames_acked >= 0.9 * stats.frames_sent
    assert len(flat) >= 3 and set(flat) == {(7.21, "N")}
    assert history == {first_streamed_hour - 7200: len(specs), first_streamed_hour - 3600: len(specs)}
