"""Emergency plans, scenario–response (情景-应对): matching an alarm to its scenario, and advice.

A scenario belongs to a risk source (a tank, a store) or to the park as a whole (e.g. what to
do about abnormal monitoring data). An alarm at a point takes the scenario of the point's risk
source whose triggers match it; failing that, a park-level one that matches. Its advice is the
scenario's steps for the alarm's level (or the nearest lower level that has steps).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.alarms.levels import LEVELS, RANK
from parksteward.alarms.tables import Scenario
from parksteward.registry.tables import Enterprise, RiskSource

CHLORINE_CAS = "7782-50-5"
AMMONIA_CAS = "7664-41-7"


def matches(scenario: Scenario, kind: str, factor: str | None) -> bool:
    triggers = scenario.triggers or {}
    return kind in (triggers.get("kinds") or ()) or (factor is not None and factor in (triggers.get("factors") or ()))


def find_scenario(session: Session, park_id: int, risk_source_id: int | None, kind: str,
                  factor: str | None) -> Scenario | None:
    """The scenario an alarm of ``kind`` (on ``factor``) at a point of ``risk_source_id`` answers to."""
    if risk_source_id is not None:
        for scenario in session.scalars(select(Scenario).where(Scenario.risk_source_id == risk_source_id)
                                        .order_by(Scenario.id)):
            if matches(scenario, kind, factor):
                return scenario
    for scenario in session.scalars(select(Scenario).where(Scenario.park_id == park_id,
                                                           Scenario.risk_source_id.is_(None),
                                                           Scenario.enterprise_id.is_(None)).order_by(Scenario.id)):
        if matches(scenario, kind, factor):
            return scenario
    return None


def response_for(scenario: Scenario, level: str) -> dict:
    """The scenario's response at ``level``: its own, or the nearest lower level's."""
    responses = scenario.responses or {}
    for candidate in reversed(LEVELS[:RANK[level] + 1]):
        if responses.get(candidate, {}).get("steps"):
            return responses[candidate]
    return {}


def advice(scenario: Scenario | None, level: str) -> str | None:
    """One line of advice for a notification: ``Stop feeding T-301; transfer to T-302; ...``."""
    if scenario is None:
        return None
    steps = response_for(scenario, level).get("steps") or []
    if not steps:
        return scenario.disposal
    return "; ".join(steps)


def default_scenarios(session: Session, park_id: int) -> list[Scenario]:
    """A starting plan for every risk source of the park, plus park-level scenarios for
    exceedances and abnormal data (added only where the park has no scenarios yet)."""
    if session.scalar(select(Scenario.id).where(Scenario.park_id == park_id).limit(1)) is not None:
        return list(session.scalars(select(Scenario).where(Scenario.park_id == park_id)))
    rows: list[Scenario] = [_data_scenario(park_id), _exceedance_scenario(park_id)]
    sources = session.execute(select(RiskSource, Enterprise.park_id).join(Enterprise)
                              .where(Enterprise.park_id == park_id).order_by(RiskSource.id)).all()
    tanks_of: dict[int, list[RiskSource]] = {}
    for source, _ in sources:
        if source.kind == "storage_tank":
            tanks_of.setdefault(source.enterprise_id, []).append(source)
    for source, _ in sources:
        cas = {item.get("cas") for item in source.inventory or ()}
        if source.kind == "storage_tank":
            rows.append(_overfill_scenario(park_id, source, tanks_of[source.enterprise_id]))
        if CHLORINE_CAS in cas:
            rows.append(_toxic_scenario(park_id, source, "chlorine", "液氯", "a21022"))
        if AMMONIA_CAS in cas:
            rows.append(_toxic_scenario(park_id, source, "ammonia", "液氨", "a21001"))
        if source.kind == "hazardous_waste_store":
            rows.append(_fire_scenario(park_id, source))
    session.add_all(rows)
    session.flush()
    return rows


def _standby(source: RiskSource, tanks: list[RiskSource]) -> str:
    same = [t for t in tanks if t.id != source.id]
    return same[0].code if same else "the emergency tank"


def _overfill_scenario(park_id: int, tank: RiskSource, tanks: list[RiskSource]) -> Scenario:
    code, standby = tank.code, _standby(tank, tanks)
    steps_yellow = [f"Stop feeding {code} (停止向{code}进料)", f"transfer to {standby} (倒罐至{standby})",
                    "check the level gauge on site (现场核对液位计)"]
    steps_orange = steps_yellow + ["close the dike drain valve and ready the emergency pool (关闭围堰雨排阀，备好事故池)",
                                   "report to the park command centre (报告园区应急指挥中心)"]
    steps_red = steps_orange + ["start the enterprise emergency plan and clear the tank area (启动企业突发环境事件应急预案，"
                                "疏散罐区人员)"]
    return Scenario(
        park_id=park_id, enterprise_id=tank.enterprise_id, risk_source_id=tank.id, code=f"{code}-overfill",
        name=f"{tank.name} 满罐溢出 overfill", kind="tank_overfill",
        triggers={"factors": ["x01002", "x01001"], "kinds": ["threshold"]},
        responses={"yellow": {"steps": steps_yellow, "roles": ["当班操作工 operator on shift", "值班长 shift leader"]},
                   "orange": {"steps": steps_orange, "roles": ["值班长 shift leader", "安全负责人 safety officer"]},
                   "red": {"steps": steps_red, "roles": ["企业应急总指挥 enterprise incident commander"]}},
        resources=["备用罐 standby tank " + standby, "围堰 dike", "事故应急池 emergency pool", "吸附棉 absorbent pads"],
        disposal="Recover spilled liquid inside the dike; keep it out of the rain drains (雨水系统).",
    )


def _toxic_scenario(park_id: int, source: RiskSource, key: str, name_zh: str, factor: str) -> Scenario:
    absorbent = {"chlorine": "caustic soda (NaOH) solution", "ammonia": "water curtain / dilute acid"}[key]
    steps_orange = [f"Isolate {source.code}: close the inlet and outlet valves (切断{source.code}进出料阀)",
                    f"water curtain and {absorbent} at the leak (水幕/碱液吸收)",
                    "evacuate downwind, crosswind first (下风向人员沿侧风方向撤离)",
                    "run the release model and warn the villages in the threat zone (启动扩散模拟，通知威胁区村庄)"]
    steps_red = steps_orange + ["alert hospitals and close roads into the threat zone (通知医院，封控威胁区道路)"]
    return Scenario(
        park_id=park_id, enterprise_id=source.enterprise_id, risk_source_id=source.id, code=f"{source.code}-{key}",
        name=f"{source.name} {name_zh}泄漏 {key} leak", kind="toxic_gas_leak", chemical=key,
        triggers={"kinds": ["drill"], "factors": [factor]},
        responses={"yellow": {"steps": steps_orange[:2], "roles": ["当班操作工 operator on shift"]},
                   "orange": {"steps": steps_orange, "roles": ["企业应急总指挥 enterprise incident commander",
                                                               "园区应急指挥中心 park command centre"]},
                   "red": {"steps": steps_red, "roles": ["园区应急指挥中心 park command centre",
                                                         "生态环境局 regulator", "医院 hospitals"]}},
        resources=["正压式空气呼吸器 SCBA", "碱液吸收池 caustic scrubber" if key == "chlorine" else "水幕 water curtain",
                   "应急监测车 mobile monitoring van"],
        disposal=f"Neutralise and collect the {key} absorption liquor as hazardous waste; monitor the boundary "
                 f"and the villages until below endpoint-2.",
        hospitals_from="orange",
    )


def _fire_scenario(park_id: int, source: RiskSource) -> Scenario:
    steps = ["Cut power to the store and start fire fighting with foam/dry powder (切断电源，泡沫/干粉灭火)",
             "close the rain-drain gate so fire water stays on site (关闭雨水排口，消防废水收集入事故池)",
             "monitor VOCs and smoke downwind (下风向应急监测)"]
    return Scenario(
        park_id=park_id, enterprise_id=source.enterprise_id, risk_source_id=source.id, code=f"{source.code}-fire",
        name=f"{source.name} 火灾 fire", kind="fire", triggers={"kinds": ["drill"]},
        responses={"orange": {"steps": steps, "roles": ["企业应急总指挥 enterprise incident commander"]},
                   "red": {"steps": steps + ["call 119 and the park command centre (报119及园区指挥中心)"],
                           "roles": ["园区应急指挥中心 park command centre"]}},
        resources=["消防水 fire water", "事故应急池 emergency pool"],
        disposal="Fire water and residues are hazardous waste until analysed.", hospitals_from="red",
    )


def _data_scenario(park_id: int) -> Scenario:
    blue = ["Check the data logger, its power and its network link (检查数采仪供电与网络)",
            "check the analyser: electrode, calibration, sample line (核查仪器电极、校准与采样管路)",
            "report the cause within 24 h (24小时内报告原因)"]
    return Scenario(
        park_id=park_id, code="data-abnormal", name="监测数据异常 abnormal monitoring data", kind="data_abnormal",
        triggers={"kinds": ["interruption", "invalid_data", "flat_line"]},
        responses={"blue": {"steps": blue, "roles": ["企业环保负责人 environmental officer"]},
                   "yellow": {"steps": blue + ["sample by hand until the device is back (人工监测替代)"],
                              "roles": ["环保管家 steward team"]}},
    )


def _exceedance_scenario(park_id: int) -> Scenario:
    yellow = ["Check the treatment facility's operation (核查治理设施运行)", "reduce the production load (降低负荷)",
              "confirm with a manual sample (人工采样复核)"]
    return Scenario(
        park_id=park_id, code="exceedance", name="超标排放 emission exceedance", kind="exceedance",
        triggers={"kinds": ["exceedance", "rate_of_change"]},
        responses={"blue": {"steps": ["Watch the trend and check the treatment facility (关注趋势，检查治理设施)"],
                            "roles": ["企业环保负责人 environmental officer"]},
                   "yellow": {"steps": yellow, "roles": ["企业环保负责人 environmental officer"]},
                   "orange": {"steps": yellow + ["stop the line that causes it (停产相应工序)"],
                              "roles": ["企业负责人 plant manager", "环保管家 steward team"]},
                   "red": {"steps": yellow + ["stop the line that causes it (停产相应工序)",
                                              "report to the regulator (报告生态环境局)"],
                           "roles": ["生态环境局 regulator"]}},
    )
