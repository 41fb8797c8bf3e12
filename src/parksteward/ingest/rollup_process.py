"""Roll-ups in a process of their own, beside the writer.

Recomputing hours and days is Python work over many values; in the server process it would
hold the interpreter (the GIL) while the writer waits to commit the next batch, and every
such pause shows up as acknowledgement latency. With the gateway in worker processes the
server process mostly writes, so the roll-ups move out too: the writer's
:class:`~parksteward.ingest.rollup.RollupEngine` only collects the marks of committed batches
(cheap), and each :meth:`RollupProcess.run` hands them to the child, which computes and
upserts them with its own connection and answers with the number of rows written.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading

from parksteward.ingest.rollup import RollupEngine

log = logging.getLogger(__name__)
ROLLUP_NICENESS = 10


class RollupError(RuntimeError):
    """The roll-up process failed a run (its marks are kept there for the next one)."""


class RollupProcess:
    """:meth:`RollupEngine.run` of ``marks`` (the writer's engine), computed in a child process."""

    def __init__(self, marks: RollupEngine, database_url: str):
        self.marks = marks
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(database_url, child), name="parksteward-rollups")
        self._process.start()
        child.close()
        self._lock = threading.Lock()  # one run at a time

    def run(self, force: bool = False) -> int:
        with self._lock:
            dirty = self.marks.take_dirty()
            try:
                self._conn.send((dirty, force))
                answer = self._conn.recv()
            except (BrokenPipeError, EOFError, ConnectionError) as exc:
                self.marks.add_dirty(dirty)  # kept for a run that can still happen in this process
                raise RollupError(f"the roll-up process is gone ({exc.__class__.__name__}); "
                                  f"{self.marks.pending()} periods wait") from None
        if isinstance(answer, str):
            raise RollupError(answer)
        return answer

    def close(self) -> None:
        self._conn.close()  # the child ends at the end of its pipe
        self._process.join(30)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)


def _serve(database_url: str, conn) -> None:
    from parksteward.db import make_engine

    # Background work: when the cores are busy, the gateway and the writer go first (measured:
    # at 100,000 readings/s on two cores, roll-up bursts at normal priority tripled the p99
    # acknowledgement latency).
    if hasattr(os, "nice"):
        os.nice(ROLLUP_NICENESS)
    engine = make_engine(database_url)
    rollups = RollupEngine(engine)
    while True:
        try:
            dirty, force = conn.recv()
        except (EOFError, KeyboardInterrupt):
            break
        rollups.add_dirty(dirty)
        try:
            conn.send(rollups.run(force))
        except Exception as exc:  # reported to the server, which logs it; marks kept for the next run
            conn.send(f"{exc.__class__.__name__}: {exc}")
    engine.dispose()
