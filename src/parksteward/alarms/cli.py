"""``parksteward alarms …``, ``parksteward drill`` and ``parksteward standards limits``."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

alarms_app = typer.Typer(help="Graded warnings: set a park up, list alarms.", no_args_is_help=True)
standards_app = typer.Typer(help="The standards library: limits in force.", no_args_is_help=True)
console = Console()

DbOption = Annotated[Optional[str], typer.Option("--db", help="Store URL or SQLite file path.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _sessions(db):
    from parksteward.cli import _open

    return _open(db)[1]


@alarms_app.command("setup")
def setup(db: DbOption = None, park_id: Annotated[Optional[int], typer.Option(help="Park (default: the only one)")] = None):
    """Assign default limits, and seed the default rules, plan scenarios and park recipients."""
    from parksteward.alarms.setup import prepare_park
    from parksteward.cli import _the_park_id
    from parksteward.registry.tables import Park

    with _sessions(db)() as session:
        park = session.get(Park, _the_park_id(session, park_id))
        ready = prepare_park(session, park)
    console.print(f"{park.name}: {ready['rules']} rules, {ready['scenarios']} scenarios, "
                  f"{ready['limits_assigned']} limits newly assigned")


@alarms_app.command("list")
def list_alarms(db: DbOption = None, open_only: Annotated[bool, typer.Option("--open", help="Open alarms only")] = False,
                limit: int = 50, as_json: JsonOption = False):
    """Alarms, newest first."""
    from parksteward.access.actor import SYSTEM
    from parksteward.alarms.service import list_alarms as query

    with _sessions(db)() as session:
        result = query(session, SYSTEM, open_only=open_only, limit=limit)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, default=str, indent=1))
        return
    table = Table("id", "level", "state", "kind", "count", "last", "message")
    for a in result["data"]:
        table.add_row(str(a["id"]), a["label"], a["state"], a["kind"], str(a["count"]), a["last_at"][:19],
                      a["message"])
    console.print(table)
    console.print(f"open by level: {result['open_by_level']}")


def drill(
    db: DbOption = None,
    risk_source_id: Annotated[Optional[int], typer.Option(help="Default: the park's first chlorine tank")] = None,
    chemical: Annotated[Optional[str], typer.Option(help="Default: the source's inventory")] = None,
    rate: Annotated[float, typer.Option(help="Release rate [kg/s]")] = 1.0,
    duration: Annotated[float, typer.Option(help="Release duration [s]")] = 600.0,
    as_json: JsonOption = False,
):
    """Start a release drill: threat zones, receptors reached, and a warning sent to the plan's recipients."""
    from parksteward.access.actor import SYSTEM
    from parksteward.alarms.drill import DrillRequest, start_drill
    from parksteward.cli import _run_service

    with _sessions(db)() as session:
        result = _run_service(lambda: start_drill(session, SYSTEM, DrillRequest(
            risk_source_id=risk_source_id, chemical=chemical, rate_kg_s=rate, duration_s=duration)))
    if as_json:
        print(json.dumps(result, ensure_ascii=False, default=str))
        return
    console.print(f"alarm {result['alarm_id']}: {result['level']}, {result['deliveries']} deliveries queued "
                  "(a running server sends them)")
    for r in result["reached"]:
        console.print(f"  {r['name']}: {r['weather']} weather, arrives after {r['arrival_time_s'] / 60:.1f} min, "
                      f"peak {r['peak_mg_m3']:.3g} mg/m3{' (above endpoint-1)' if r['exceeds_endpoint_1'] else ''}")


@standards_app.command("limits")
def limits(
    pollutant: Annotated[Optional[str], typer.Option(help="Key, Chinese name, HJ 212 code or CAS")] = None,
    medium: Optional[str] = None, standard: Optional[str] = None, averaging: Optional[str] = None,
    zone: Optional[str] = None, quantity: Optional[str] = None, as_json: JsonOption = False,
):
    """Limits in force today, with their source and whether they are verified."""
    from parksteward.cli import _fail
    from parksteward.standards.errors import StandardsQueryError
    from parksteward.standards.library import default_library

    try:
        rows = default_library().limits(pollutant, medium, standard, averaging, zone, quantity=quantity)
    except StandardsQueryError as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False))
        return
    for row in rows:
        console.print(f"{row.describe()}  [{row.status}]")
    console.print(f"{len(rows)} limit(s)")


@standards_app.command("check")
def check(paths: Annotated[list[str], typer.Argument(help="Edition files (*.yaml) or folders of them")]):
    """Validate standards edition files before loading them (PARKSTEWARD_STANDARDS_DIR); names the bad field."""
    from pathlib import Path

    from parksteward.standards.errors import StandardsDataError
    from parksteward.standards.library import load_edition

    files = [f for p in map(Path, paths) for f in (sorted(p.glob("*.yaml")) if p.is_dir() else [p])]
    failed = 0
    for file in files:
        try:
            edition = load_edition(file)
        except StandardsDataError as exc:
            failed += 1
            console.print(f"[red]✗[/] {exc}")
            continue
        unverified = sum(1 for lim in edition.limits if not lim.verified)
        console.print(f"[green]✓[/] {file}: {edition.code}, {len(edition.limits)} limits ({unverified} to verify)")
    if failed:
        raise typer.Exit(1)


@standards_app.command("editions")
def editions():
    """The editions loaded (shipped, and PARKSTEWARD_STANDARDS_DIR's) with the dates they apply from."""
    from parksteward.standards.library import default_library

    for edition in default_library().editions:
        console.print(f"{edition.code}  {edition.title_zh}  from {edition.effective_from}  ({len(edition.limits)} limits)")
