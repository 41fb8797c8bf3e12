"""Running dispersion scenarios: resolve the inputs, run the engine, write the results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from parksteward.access.actor import SYSTEM, Actor
from parksteward.dispersion import engine
from parksteward.modelling import report
from parksteward.modelling.inputs import RunInputs, build_inputs
from parksteward.modelling.scenario import Scenario


@dataclass
class Outcome:
    inputs: RunInputs
    result: engine.RunResult
    summary: dict


def run_scenario(session: Session, scenario: Scenario, *, base_dir: Path = Path("."), park_id: int | None = None,
                 actor: Actor = SYSTEM, progress=None, client=None, tasks: int | None = None,
                 on_inputs=None) -> Outcome:
    """Resolve ``scenario`` in the store and run it.

    ``progress`` is called with a number of hours done (local runs); ``on_inputs`` once with the
    resolved :class:`RunInputs` before the run starts (e.g. to size a progress bar); ``client``
    a ``dask.distributed`` client to run the tasks on.
    """
    inputs = build_inputs(session, scenario, base_dir=base_dir, park_id=park_id, actor=actor)
    if on_inputs is not None:
        on_inputs(inputs)
    limit_1h = report.limits_of(scenario.pollutant, inputs.zone_class).get("1h")
    result = engine.run(inputs.stacks, inputs.met, inputs.receptors, engine.Model(land=scenario.land),
                        tz=inputs.timezone, tasks=tasks, client=client, progress=progress, fugitives=inputs.fugitives,
                        thresholds_ug_m3=[limit_1h.value_ug_m3] if limit_1h else [],
                        series_receptors=report.point_receptors(inputs))
    return Outcome(inputs, result, report.summary(inputs, result))


def write_outputs(outcome: Outcome, out_dir: Path) -> dict[str, Path]:
    """``statistics.json``, ``receptors.csv``, ``contours.geojson`` and, where the run has sensitive or
    discrete receptors, their hourly values in ``hourly.csv`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"statistics": out_dir / "statistics.json", "receptors": out_dir / "receptors.csv",
             "contours": out_dir / "contours.geojson"}
    if len(outcome.result.series_receptors):
        paths["hourly"] = out_dir / "hourly.csv"
        paths["hourly"].write_text(report.hourly_csv(outcome.inputs, outcome.result), encoding="utf-8")
    paths["statistics"].write_text(json.dumps(outcome.summary, ensure_ascii=False, indent=2), encoding="utf-8")
    paths["receptors"].write_text(report.receptor_csv(outcome.inputs, outcome.result), encoding="utf-8")
    paths["contours"].write_text(json.dumps(report.contours(outcome.inputs, outcome.result), ensure_ascii=False),
                                 encoding="utf-8")
    return paths
