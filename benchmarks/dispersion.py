"""Dispersion benchmark: an annual run of every stack of the demo park.

    .venv/bin/python benchmarks/dispersion.py                 # the full run: 8,760 hours
    .venv/bin/python benchmarks/dispersion.py --hours 720     # a month, for a quick look
    .venv/bin/python benchmarks/dispersion.py --hours 720 --fugitive-areas   # with the 96 fugitive areas

Builds the demo park in a temporary SQLite store, takes all its stacks (1 g/s each: the run
is linear in the emission rate), a 100 x 100 receptor grid at 100 m spacing centred on the
park plus its sensitive receptors, and a synthetic year of hourly weather
(:func:`parksteward.sim.weather.synthetic_year`). Prints wall time, peak memory and
(stack, receptor, hour) evaluations per second, and checks the fast path against the plain
per-hour evaluation (:func:`parksteward.dispersion.engine.plain_hour`) on a sample of hours.
With ``--fugitive-areas`` the park's fugitive areas (tank farms, process areas; 1 g/s each) are
added (fugitive.py) and the check compares with fugitive.plain_hour too. Prints figures, asserts
nothing. Target: the annual run of the stacks in <= 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time

import numpy as np
from shapely.geometry import shape
from sqlalchemy import select

from parksteward.bootstrap import prepare_database
from parksteward.db import make_engine, make_sessionmaker
from parksteward.dispersion import engine, fugitive
from parksteward.dispersion.receptors import LocalProjection, cartesian_grid, discrete_lonlat
from parksteward.registry.tables import EmissionSource, Park, SensitiveReceptor
from parksteward.sim.demo_park import build_demo_park
from parksteward.sim.weather import synthetic_year

FLOOR = 1e-12  # fast vs plain: relative differences where values are at least this share of the hour's highest


def demo_park_inputs():
    """Stacks, fugitive areas and receptors of the demo park, in a projection centred on the park."""
    with tempfile.TemporaryDirectory(prefix="parksteward-bench-") as tmp:
        db = make_engine(f"sqlite:///{tmp}/demo.db")
        prepare_database(db)
        with make_sessionmaker(db)() as session:
            build_demo_park(session)
            session.commit()
            park = session.scalars(select(Park)).one()
            centre = shape(park.boundary).centroid
            rows = session.scalars(select(EmissionSource).where(EmissionSource.kind == "stack")
                                   .order_by(EmissionSource.id)).all()
            sensitive = session.scalars(select(SensitiveReceptor).order_by(SensitiveReceptor.id)).all()
            projection = LocalProjection(centre.x, centre.y)
            x, y = projection.to_local(np.array([r.lon for r in rows]), np.array([r.lat for r in rows]))
            stacks = engine.stacks(
                [f"{r.enterprise_id}/{r.code}" for r in rows], x, y, [r.stack_height_m for r in rows],
                [r.stack_inner_diameter_m for r in rows], [r.exit_velocity_m_s for r in rows],
                [r.exit_temperature_k for r in rows], 1.0)
            places = discrete_lonlat([(r.name, r.lon, r.lat) for r in sensitive], projection)
            areas = session.scalars(select(EmissionSource).where(EmissionSource.kind == "fugitive_area")
                                    .order_by(EmissionSource.id)).all()
            rects = [_rectangle(a, projection) for a in areas]
            fugitives = fugitive.Fugitives(fugitive.area_sources(
                [f"{a.enterprise_id}/{a.code}" for a in areas], *zip(*rects), [a.release_height_m for a in areas],
                1.0) if areas else fugitive.no_areas())
        db.dispose()
    grid = cartesian_grid(-4950.0, -4950.0, 100, 100, 100.0)
    return stacks, fugitives, grid.append(places), centre


def _rectangle(source, projection):
    """x, y of the centre, length, width and bearing of the length side of a registry fugitive area."""
    from parksteward.modelling.inputs import _registry_area

    row = _registry_area(source, source.code, "", 1.0, projection, [])
    return row["x_m"], row["y_m"], row["length_m"], row["width_m"], row["bearing_deg"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=int, default=8760, help="hours of the year to run (default: all)")
    parser.add_argument("--tasks", type=int, default=None, help="tasks (default: one per core)")
    parser.add_argument("--check-hours", type=int, default=12, help="hours checked against the plain evaluation")
    parser.add_argument("--fugitive-areas", action="store_true", help="add the park's fugitive areas (1 g/s each)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    stacks, fugitives, receptors, centre = demo_park_inputs()
    if not args.fugitive_areas:
        fugitives = fugitive.Fugitives()
    met = synthetic_year(latitude=centre.y, longitude=centre.x)
    if args.hours < len(met):
        met = met.select(np.arange(args.hours))
    print(f"inputs: {len(stacks)} stacks, {len(fugitives)} fugitive areas, {len(receptors.x_m):,} receptors, {len(met):,} hours "
          f"({int(met.calm.sum())} calm), prepared in {time.perf_counter() - t0:.1f} s; {os.cpu_count()} cores")

    engine.run(stacks, met.select(np.arange(2)), receptors, tasks=1)  # compile (or load) the numba loops
    start = time.perf_counter()
    cpu0 = time.process_time()
    result = engine.run(stacks, met, receptors, tasks=args.tasks, fugitives=fugitives)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    nominal = (len(stacks) + len(fugitives)) * len(receptors.x_m) * len(met)
    print(f"run             {wall:.1f} s wall, {cpu:.1f} s CPU for {len(met):,} hours "
          "(target <= 60 s for the 8,760 hours of the stacks)")
    print(f"throughput      {nominal / wall / 1e6:.1f} M source-receptor-hours/s "
          f"({nominal:.3g} in all; {result.element_hours:.3g} downwind pairs evaluated)")
    print(f"peak memory     {peak_mb:.0f} MB (process max RSS)")
    print(f"highest 1-h     {result.max_1h_ug_m3.max():.2f} ug/m3 per 1 g/s per source; "
          f"highest annual mean {result.annual_mean_ug_m3.max():.3f} ug/m3")

    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(np.flatnonzero(~met.calm), size=min(args.check_hours, int((~met.calm).sum())),
                                replace=False))
    worst = worst_tail = 0.0
    for hour in sample:
        _, plain = next(engine.hourly(stacks, met, receptors, fugitives=fugitives, hours=[hour]))
        one = met.select(np.array([hour]))
        fast = engine.run(stacks, one, receptors, tasks=1, fugitives=fugitives).max_1h_ug_m3
        nonzero = plain > 0
        if np.any(fast[~nonzero] != 0):
            worst = np.inf
        # Values below 1e-12 of the hour's highest are physically nil; there the area integrals'
        # error-function tails (differences of nearly equal numbers) differ by more rounding.
        meaningful = plain >= FLOOR * plain.max()
        relative = np.abs(fast - plain) / np.where(nonzero, plain, 1.0)
        worst = max(worst, float(np.max(relative[meaningful], initial=0.0)))
        worst_tail = max(worst_tail, float(np.max(relative[nonzero & ~meaningful], initial=0.0)))
    print(f"fast vs plain   largest relative difference {worst:.2e} over {len(sample)} hours (target <= 1e-9), "
          f"where the value is >= {FLOOR:g} of the hour's highest; below that {worst_tail:.1e}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
