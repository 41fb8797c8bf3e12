"""Dispersion runs as background jobs of the API process.

A run is stored when it is asked for (state ``queued``), then one background thread runs the
queued runs one after another, so that an annual run does not compete with itself for the
cores. Progress (hours done) is kept in memory while a run is going and stored when it ends;
runs that a restart interrupted are queued again when the next process starts.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from parksteward.access.actor import SYSTEM
from parksteward.accounts.service import active_user, actor_of
from parksteward.db.base import utcnow
from parksteward.dispersion.errors import DispersionInputError
from parksteward.errors import ParkStewardError
from parksteward.modelling import report
from parksteward.modelling.scenario import parse_scenario
from parksteward.modelling.service import run_scenario
from parksteward.modelling.tables import DispersionRun

log = logging.getLogger(__name__)


class RunQueue:
    """Runs stored dispersion runs in one background thread."""

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispersion-run")
        self._progress: dict[int, int] = {}
        self._lock = threading.Lock()

    def resume(self) -> None:
        """Queue again the runs a previous process left unfinished."""
        with self.sessions() as session:
            ids = session.scalars(select(DispersionRun.id).where(DispersionRun.state.in_(("queued", "running")))
                                  .order_by(DispersionRun.id)).all()
        for run_id in ids:
            self.submit(run_id)

    def submit(self, run_id: int):
        return self._executor.submit(self._execute, run_id)

    def hours_done(self, run_id: int) -> int | None:
        with self._lock:
            return self._progress.get(run_id)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ one run
    def _advance(self, run_id: int, hours: int) -> None:
        with self._lock:
            self._progress[run_id] = self._progress.get(run_id, 0) + hours

    def _execute(self, run_id: int) -> None:
        with self.sessions() as session:
            run = session.get(DispersionRun, run_id)
            if run is None or run.state in ("done", "failed"):
                return
            user = active_user(session, run.created_by) if run.created_by is not None else None
            actor = actor_of(user) if user is not None else SYSTEM
            run.state, run.started_at, run.hours_done, run.error = "running", utcnow(), 0, None
            session.commit()
            with self._lock:
                self._progress[run_id] = 0

            def sized(inputs):
                run.hours_total = len(inputs.met)
                self._advance(run_id, int(inputs.met.calm.sum()))

            try:
                scenario = parse_scenario(run.scenario)
                outcome = run_scenario(session, scenario, park_id=run.park_id, actor=actor, on_inputs=sized,
                                       progress=lambda hours: self._advance(run_id, hours))
                run.summary = outcome.summary
                run.contours = report.contours(outcome.inputs, outcome.result)
                run.receptors_csv = report.receptor_csv(outcome.inputs, outcome.result)
                if len(outcome.result.series_receptors):
                    run.hourly_csv = report.hourly_csv(outcome.inputs, outcome.result)
                run.state, run.hours_done = "done", run.hours_total
            except (ParkStewardError, DispersionInputError) as exc:
                session.rollback()
                run.state, run.error = "failed", str(exc)
            except Exception as exc:  # a bug must fail the run, not the server
                log.exception("dispersion run %s failed", run_id)
                session.rollback()
                run.state, run.error = "failed", f"internal error: {exc.__class__.__name__}: {exc}"
            run.finished_at = utcnow()
            session.commit()
            with self._lock:
                self._progress.pop(run_id, None)
