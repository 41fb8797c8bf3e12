"""The ``parksteward`` command: from nothing to a served park in one command.

Every command takes ``--db`` (a SQLAlchemy URL or a path to a SQLite file); without it the
store is ``PARKSTEWARD_DATABASE_URL`` or ``./parksteward.db``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from parksteward.config import Settings

app = typer.Typer(help="ParkSteward: environmental management of an industrial park.", no_args_is_help=True)
park_app = typer.Typer(help="Export, import and count a park's registry.", no_args_is_help=True)
user_app = typer.Typer(help="Manage login users.", no_args_is_help=True)
hj212_app = typer.Typer(help="HJ 212 protocol tools.", no_args_is_help=True)
app.add_typer(park_app, name="park")
app.add_typer(user_app, name="user")
app.add_typer(hj212_app, name="hj212")
disperse_app = typer.Typer(help="Air dispersion: the ISC3/SCREEN3 Gaussian plume.", no_args_is_help=True)
app.add_typer(disperse_app, name="disperse")

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    Optional[str],
    typer.Option("--db", help="Store: SQLAlchemy URL (sqlite:///x.db, postgresql+psycopg://...) or a SQLite file path."),
]


def database_url(db: str | None) -> str:
    """``--db`` as a URL: a bare path means a SQLite file."""
    if db is None:
        return Settings().database_url
    return db if "://" in db else f"sqlite:///{db}"


def _fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


def _open(db: str | None, migrate: bool = True):
    from parksteward.bootstrap import prepare_database
    from parksteward.db import make_engine, make_sessionmaker

    url = database_url(db)
    try:
        engine = make_engine(url)
        if migrate:
            prepare_database(engine)
    except Exception as exc:  # unreachable server, bad URL: say which, do not dump a traceback
        _fail(f"cannot open the store {url!r}: {exc}")
    return engine, make_sessionmaker(engine)


def _run_service(call):
    from parksteward.errors import ParkStewardError

    try:
        return call()
    except ParkStewardError as exc:
        _fail(str(exc))


def _the_park_id(session, park_id: int | None) -> int:
    from sqlalchemy import select

    from parksteward.registry.tables import Park

    if park_id is not None:
        return park_id
    ids = session.scalars(select(Park.id).order_by(Park.id)).all()
    if not ids:
        _fail("the store holds no park yet: run `parksteward init --demo` or `parksteward park import FILE`")
    if len(ids) > 1:
        _fail(f"the store holds {len(ids)} parks (ids {ids}): choose one with --park-id")
    return ids[0]


@app.command()
def init(
    db: DbOption = None,
    demo: Annotated[bool, typer.Option("--demo", help="Also build the demo park and its demo users.")] = False,
    seed: Annotated[Optional[int], typer.Option(help="Seed of the demo park.")] = None,
):
    """Create or upgrade the store; with --demo, build the demo chemical park."""
    engine, sessions = _open(db)
    console.print(f"store ready: [bold]{engine.url.render_as_string(hide_password=True)}[/]")
    if demo:
        _build_demo(sessions, seed if seed is not None else Settings().demo_seed)


def _build_demo(sessions, seed: int) -> None:
    from sqlalchemy import select

    from parksteward.registry.tables import Park
    from parksteward.sim.demo_park import build_demo_park, create_demo_users

    with sessions() as session:
        from parksteward.alarms.setup import prepare_park

        park = session.scalars(select(Park).order_by(Park.id)).first()
        if park is not None:
            console.print("the store already holds a park; the demo park was not built again")
        else:
            with console.status("building the demo park ..."):
                park = build_demo_park(session, seed=seed)
                create_demo_users(session)
            console.print(f"demo park built: [bold]{park.name}[/] (seed {seed})")
        ready = prepare_park(session, park)  # keeps what the park already has
        console.print(f"warnings ready: {ready['rules']} rules, {ready['scenarios']} plan scenarios, "
                      f"{ready['limits_assigned']} limits newly assigned")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[Optional[str], typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="HTTP port (default 8000).")] = None,
    gateway_port: Annotated[Optional[int], typer.Option(help="HJ 212 TCP gateway port (default 9212).")] = None,
    no_gateway: Annotated[bool, typer.Option("--no-gateway", help="Serve the API only.")] = False,
    gateway_workers: Annotated[Optional[int], typer.Option(
        help="Processes running the TCP gateway beside the writer (0: none, all in one process; "
             "default: one per core, at most 4; 0 on one core).")] = None,
):
    """Serve the API (/api/v1, docs at /docs), the landing page (/) and the HJ 212 TCP gateway."""
    _serve(db, host, port, gateway_port, no_gateway, gateway_workers=gateway_workers)


def _serve(db, host, port, gateway_port, no_gateway: bool, simulate: bool = False,
           gateway_workers: int | None = None, data_dir: Path | None = None) -> None:
    import logging

    from parksteward import runtime
    from parksteward.server import serve as run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    engine, _ = _open(db)
    updates = {"database_url": database_url(db)}
    updates.update({k: v for k, v in (("host", host), ("port", port), ("gateway_port", gateway_port),
                                      ("gateway_workers", gateway_workers)) if v is not None})
    if data_dir is not None:  # the demo keeps everything in its folder: store, documents, keys, its witnesses
        updates.update(data_dir=data_dir, document_dir=data_dir / "documents", ledger_demo_witnesses=True)
    settings = settings.model_copy(update=updates)
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"ParkSteward on [bold]{base}/[/]  (API docs: {base}/docs)")
    if not no_gateway:
        workers = settings.gateway_worker_count
        console.print(f"HJ 212 gateway on [bold]tcp://{settings.gateway_host}:{settings.gateway_port}[/]"
                      + (f" ({workers} worker process{'es' if workers > 1 else ''})" if workers else ""))
    extra = [_demo_simulator(settings)] if simulate and not no_gateway else []
    try:
        runtime.run(run(settings, engine, gateway=not no_gateway, extra_tasks=extra))
    except KeyboardInterrupt:
        pass


def _demo_simulator(settings: Settings):
    """The demo park's devices against the demo's own gateway: the last hours replayed fast, then live."""
    import time

    from parksteward.sim.simulator import (
        DEMO_HOURLY_HISTORY_S,
        DEMO_REALTIME_WINDOW_S,
        DEMO_REPLAY_S,
        DEMO_SPEED,
        SimulatorConfig,
        run_simulator_process,
    )

    def start(gateway):
        config = SimulatorConfig(
            host=_connect_host(gateway.host), port=gateway.port, speed=DEMO_SPEED, start=time.time() - DEMO_REPLAY_S,
            seed=settings.demo_seed, realtime_window_s=DEMO_REALTIME_WINDOW_S,
            hourly_history_s=DEMO_HOURLY_HISTORY_S,
        )
        return run_simulator_process(settings.database_url, config)  # not in the server's event loop

    console.print(f"device simulator: the day before as hourly values, the last {DEMO_REPLAY_S / 3600:g} h of the "
                  "demo park's data replayed, then live")
    return start


def _connect_host(host: str) -> str:
    """Where a local client reaches a server bound to ``host`` (a wildcard address means this machine)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


@app.command()
def demo(
    data_dir: Annotated[Optional[Path], typer.Option(help="Folder of the demo store (default ./data).")] = None,
    host: Annotated[Optional[str], typer.Option(help="Address to bind.")] = None,
    port: Annotated[Optional[int], typer.Option(help="HTTP port.")] = None,
    gateway_port: Annotated[Optional[int], typer.Option(help="HJ 212 TCP gateway port (default 9212).")] = None,
    simulate_devices: Annotated[bool, typer.Option(
        "--simulate/--no-simulate",
        help="Run the demo park's devices against the gateway (the last hours replayed, then live).")] = True,
    gateway_workers: Annotated[Optional[int], typer.Option(
        help="Processes running the TCP gateway beside the writer (0: none, all in one process; "
             "default: one per core, at most 4; 0 on one core).")] = None,
):
    """Build the demo park in a data folder if it is not there yet, then serve it with live device data."""
    from parksteward.sim.demo_park import DEMO_USERS

    settings = Settings()
    folder = data_dir or settings.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{(folder / 'demo.db').resolve()}"
    _, sessions = _open(db)
    _build_demo(sessions, settings.demo_seed)
    table = Table(title="demo logins")
    for column in ("username", "password", "role"):
        table.add_column(column)
    for username, (password, role) in DEMO_USERS.items():
        table.add_row(username, password, role)
    console.print(table)
    _serve(db, host, port, gateway_port, no_gateway=False, simulate=simulate_devices, gateway_workers=gateway_workers,
           data_dir=folder)


@app.command()
def simulate(
    db: DbOption = None,
    host: Annotated[Optional[str], typer.Option(help="Gateway address (default: the gateway_host setting).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Gateway TCP port (default: the gateway_port setting, 9212).")] = None,
    speed: Annotated[float, typer.Option(min=0.001, help="Simulated seconds per real second while the "
                                          "simulated clock is behind the wall clock.")] = 1.0,
    duration: Annotated[Optional[float], typer.Option(min=0.0, help="Stop after this many seconds "
                                                      "(default: run until interrupted).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Demo seed the device passwords derive from "
                                                "(default: the demo_seed setting).")] = None,
    replay_hours: Annotated[Optional[float], typer.Option(
        min=0.0, help="Start the simulated clock this many hours back (default: duration x (speed - 1) "
        "when faster than real time, else now).")] = None,
    realtime_window: Annotated[Optional[float], typer.Option(
        min=0.0, help="While catching up, skip real-time (2011) values older than this many seconds; "
        "minute and hourly data are still sent (default: send all).")] = None,
):
    """Connect one HJ 212 client per device in the store and upload real frames to a gateway.

    Above --speed 1 the simulated clock starts in the past and runs faster until it meets the wall clock.
    It never runs ahead of the wall clock.
    """
    import logging
    import time

    from parksteward import runtime
    from parksteward.sim.simulator import Simulator, SimulatorConfig, default_start, load_devices

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    engine, _ = _open(db)
    seed = settings.demo_seed if seed is None else seed
    specs = load_devices(engine, seed)
    if not specs:
        _fail("the store holds no devices: run `parksteward init --demo` first")
    config = SimulatorConfig(
        host=host or settings.gateway_host, port=port or settings.gateway_port, speed=speed, duration_s=duration,
        start=default_start(time.time(), speed, duration, None if replay_hours is None else replay_hours * 3600),
        seed=seed, realtime_window_s=realtime_window, report_every_s=30.0,
    )
    simulator = Simulator(specs, config)
    try:
        stats = runtime.run(simulator.run())
    except KeyboardInterrupt:
        stats = simulator.stats
    console.print(f"simulated {stats.summary()}")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, steward, enterprise, regulator or command.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    enterprise_id: Annotated[Optional[int], typer.Option(help="Required for the enterprise role.")] = None,
    full_name: Annotated[Optional[str], typer.Option()] = None,
    db: DbOption = None,
):
    """Add a login user."""
    from parksteward.access.actor import SYSTEM
    from parksteward.accounts.service import create_user

    _, sessions = _open(db)
    with sessions() as session:
        user = _run_service(lambda: create_user(session, SYSTEM, {
            "username": username, "password": password, "role": role,
            "enterprise_id": enterprise_id, "full_name": full_name,
        }))
        console.print(f"user [bold]{user.username}[/] ({user.role}) added with id {user.id}")


@park_app.command("stats")
def park_stats(
    db: DbOption = None,
    park_id: Annotated[Optional[int], typer.Option(help="Park id (default: the only park).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
):
    """Count the park's enterprises, points, devices, receptors, risk sources, stacks ..."""
    from parksteward.access.actor import SYSTEM
    from parksteward.registry.service import parks

    _, sessions = _open(db)
    with sessions() as session:
        stats = _run_service(lambda: parks.stats(session, SYSTEM, _the_park_id(session, park_id)))
    if as_json:
        typer.echo(json.dumps(stats))
        return
    table = Table(title=f"park {stats['park_id']}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in stats.items():
        table.add_row(key, str(value))
    console.print(table)


@park_app.command("export")
def park_export(
    file: Annotated[Path, typer.Argument(help="GeoJSON file to write.")],
    db: DbOption = None,
    park_id: Annotated[Optional[int], typer.Option(help="Park id (default: the only park).")] = None,
):
    """Write the whole park as one GeoJSON FeatureCollection."""
    from parksteward.access.actor import SYSTEM
    from parksteward.registry.geojson import export_park

    _, sessions = _open(db)
    with sessions() as session:
        collection = _run_service(lambda: export_park(session, SYSTEM, _the_park_id(session, park_id)))
    file.write_text(json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"{len(collection['features'])} features written to {file}")


@park_app.command("import")
def park_import(
    file: Annotated[Path, typer.Argument(help="GeoJSON file made by `park export` (or by hand).")],
    db: DbOption = None,
):
    """Import a whole park from GeoJSON, all or nothing."""
    from parksteward.access.actor import SYSTEM
    from parksteward.registry.geojson import import_park

    try:
        collection = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"cannot read {file} as JSON: {exc}")
    _, sessions = _open(db)
    with sessions() as session:
        park = _run_service(lambda: import_park(session, SYSTEM, collection))
        console.print(f"park [bold]{park.name}[/] imported with id {park.id}")


@hj212_app.command("decode")
def hj212_decode(
    file: Annotated[Optional[Path], typer.Argument(help="Frames, one per line (default: standard input).")] = None,
    lenient: Annotated[bool, typer.Option("--lenient", help="Accept Modbus-CRC variants and odd tails, with a warning.")] = False,
):
    """Decode HJ 212 frames, one per line, into one JSON object per frame. Exits 0 however many are bad."""
    import sys

    from parksteward.hj212.describe import describe, line_to_frame

    stream = file.open("rb") if file is not None else sys.stdin.buffer
    try:
        for line in stream:
            if not line.strip():
                continue
            report = describe(line_to_frame(line), policy="lenient" if lenient else "strict")
            typer.echo(json.dumps(report, ensure_ascii=False))
    finally:
        if file is not None:
            stream.close()


# The notarization log's commands live with the log (parksteward/ledger/cli.py).
from parksteward.ledger.cli import ledger_app, verify, witness_app  # noqa: E402

app.add_typer(ledger_app, name="ledger")
app.add_typer(witness_app, name="witness")
app.command("verify")(verify)

from parksteward.release.cli import release  # noqa: E402

app.command("release")(release)

from parksteward.alarms.cli import alarms_app, drill, standards_app  # noqa: E402

app.add_typer(alarms_app, name="alarms")
app.add_typer(standards_app, name="standards")
app.command("drill")(drill)




@disperse_app.command("point")
def disperse_point(
    q: Annotated[float, typer.Option("--q", help="Emission rate [g/s].")],
    hs: Annotated[float, typer.Option("--hs", help="Stack height [m].")],
    d: Annotated[float, typer.Option("--d", help="Stack inner diameter [m].")],
    vs: Annotated[float, typer.Option("--vs", help="Exit velocity [m/s].")],
    ts: Annotated[float, typer.Option("--ts", help="Exit temperature [K].")],
    ta: Annotated[float, typer.Option("--ta", help="Ambient temperature [K].")],
    x: Annotated[str, typer.Option("--x", help="Downwind distances [m], comma-separated, e.g. 100,200,500.")],
    stability: Annotated[str, typer.Option("--stability", help="A-F, or 'full' for SCREEN3 full meteorology.")],
    land: Annotated[str, typer.Option("--land", help="rural or urban.")] = "rural",
    zr: Annotated[float, typer.Option("--zr", help="Receptor (flagpole) height [m].")] = 0.0,
    u10: Annotated[Optional[float], typer.Option("--u10", help="10 m wind [m/s] (needed unless --stability full).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
):
    """1-h concentrations downwind of one stack, as SCREEN3 computes them (flat terrain, no building downwash)."""
    import json

    from parksteward.dispersion.errors import DispersionInputError
    from parksteward.dispersion.point_report import point_report

    try:
        distances = [float(part) for part in x.split(",") if part.strip()]
    except ValueError:
        _fail(f"--x: expected comma-separated distances in metres, got {x!r}")
    try:
        report = point_report(q=q, hs=hs, d=d, vs=vs, ts=ts, ta=ta, x=distances, stability=stability, land=land,
                              zr=zr, u10=u10)
    except (DispersionInputError, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table("x (m)", "C (ug/m3)", "class", "u10 (m/s)", "us (m/s)", "he (m)", "sigma_y (m)", "sigma_z (m)",
                  "zi (m)", title=f"1-h concentration for {q:g} g/s ({land})")
    for row in report["results"]:
        table.add_row(f"{row['x_m']:g}", f"{row['c_ugm3']:.5g}", row["stability"], f"{row['u10_ms']:g}",
                      f"{row['us_ms']:.3g}", f"{row['he_m']:.4g}", f"{row['sigma_y_m']:.4g}",
                      f"{row['sigma_z_m']:.4g}", f"{row['zi_m']:.5g}")
    console.print(table)
    top = report["max"]
    console.print(f"maximum {top['c_ugm3']:.5g} ug/m3 at {top['x_m']:.0f} m (class {top['stability']}, "
                  f"u10 {top['u10_ms']:g} m/s, he {top['he_m']:.4g} m)")


@disperse_app.command("run")
def disperse_run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario (YAML): sources, meteorology, receptors, outputs.")],
    db: DbOption = None,
    park_id: Annotated[Optional[int], typer.Option(help="The park to model, when the store holds several.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: beside the scenario, named after it).")]
    = None,
    scheduler: Annotated[Optional[str], typer.Option(help="A dask.distributed scheduler address to run on.")] = None,
    scheduler_timeout: Annotated[float, typer.Option(help="Seconds to wait for the scheduler.")] = 10.0,
    tasks: Annotated[Optional[int], typer.Option(help="Tasks the hours are split into (default: one per core).")]
    = None,
):
    """Run a dispersion scenario; write statistics (JSON), receptor values (CSV) and contours (GeoJSON)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from parksteward.errors import ParkStewardError
    from parksteward.modelling.scenario import load_scenario
    from parksteward.modelling.service import run_scenario, write_outputs

    engine, sessions = _open(db)
    client = None
    if scheduler is not None:
        from distributed import Client

        try:
            client = Client(scheduler, timeout=f"{scheduler_timeout}s")
        except OSError as exc:
            _fail(f"cannot reach the dask scheduler at {scheduler}: {exc}")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("hours"),
               TimeRemainingColumn())
    try:
        scenario = _run_service(lambda: load_scenario(scenario_file))
        with Progress(*columns, console=console, transient=False) as bar, sessions() as session:
            task = bar.add_task(f"{scenario.name}", total=None)

            def sized(inputs):
                bar.update(task, total=len(inputs.met))
                bar.update(task, advance=int(inputs.met.calm.sum()))

            outcome = run_scenario(session, scenario, base_dir=scenario_file.parent, park_id=park_id, client=client,
                                   tasks=tasks, on_inputs=sized,
                                   progress=None if client else (lambda n: bar.update(task, advance=n)))
            bar.update(task, completed=len(outcome.inputs.met))
    except ParkStewardError as exc:
        _fail(str(exc))
    finally:
        if client is not None:
            client.close()
    folder = out or scenario_file.parent / scenario_file.stem
    paths = write_outputs(outcome, folder)
    summary = outcome.summary
    top = summary["max_1h"]
    console.print(f"highest 1-h {top['value_ug_m3']:.4g} ug/m3 at {top['receptor']} ({top['hour_utc']}); "
                  f"highest annual mean {summary['max_annual']['value_ug_m3']:.4g} ug/m3")
    for note in summary["notes"]:
        console.print(f"note: {note}")
    for what, path in paths.items():
        console.print(f"{what}: {path}")


if __name__ == "__main__":
    app()
