"""Roll-ups in a process of their own, beside the writer.

Recomputing hours and days is Python work over many values; in the server process it would
hold the interpreter (the GIL) while the writer waits to commit the next batch, and every
such pause shows up as acknowledgement latency. With the gateway in worker processes the
server process mostly writes, so the roll-ups move out too: the writer's
:class:`~parksteward.ingest.rollup.RollupEngine` only collects the marks of committed batches
(cheap), and each :meth:`RollupProcess.run` hands them to the child, which computes them
and answers with the number of rows written.

Given ``write`` (the ingest writer's :meth:`~parksteward.ingest.batcher.Batcher.write`), the
child sends its rows back to be written by the ingest writer: on SQLite a second writing
connection makes the ingest writer wait for the lock and discard its page cache after each
of its commits (benchmarks/ingest.py --store sqlite --duration 60 --bare: acknowledgement
p99 259-279 ms -> 177 ms).
Without it, the child upserts them itself.

The child's messages during a run: ``("rows", rows)`` (answered ``("written", error)``), then
its answer: the number of rows written, or an error message.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading

from parksteward.ingest.rollup import RollupEngine
from parksteward.runtime import start_memory_trimmer

log = logging.getLogger(__name__)
ROLLUP_NICENESS = 10
WRITE_CHUNK = 500  # roll-up rows per transaction of the ingest writer


class RollupError(RuntimeError):
    """The roll-up process failed a run (its marks are kept there for the next one)."""


class RollupProcess:
    """:meth:`RollupEngine.run` of ``marks`` (the writer's engine), computed in a child process."""

    def __init__(self, marks: RollupEngine, database_url: str, write=None):
        self.marks, self.write = marks, write
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(database_url, child, write is not None),
                                        name="parksteward-rollups")
        self._process.start()
        child.close()
        self._lock = threading.Lock()  # one run at a time

    def run(self, force: bool = False) -> int:
        with self._lock:
            dirty = self.marks.take_dirty()
            try:
                self._conn.send((dirty, force))
                while isinstance(answer := self._conn.recv(), tuple):  # ("rows", rows) to write
                    self._conn.send(("written", self._write(answer[1])))
            except (BrokenPipeError, EOFError, ConnectionError) as exc:
                self.marks.add_dirty(dirty)  # kept for a run that can still happen in this process
                raise RollupError(f"the roll-up process is gone ({exc.__class__.__name__}); "
                                  f"{self.marks.pending()} periods wait") from None
        if isinstance(answer, str):
            raise RollupError(answer)
        return answer

    def _write(self, rows: list[tuple]) -> str | None:
        try:
            # In chunks, so that ingest batches queued meanwhile are committed in between.
            for start in range(0, len(rows), WRITE_CHUNK):
                chunk = rows[start:start + WRITE_CHUNK]
                self.write(lambda connection, chunk=chunk: self.marks.upsert_in(connection, chunk))
        except Exception as exc:  # the child keeps its marks and tries again next run
            return f"{exc.__class__.__name__}: {exc}"
        return None

    def close(self) -> None:
        self._conn.close()  # the child ends at the end of its pipe
        self._process.join(30)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)


def _serve(database_url: str, conn, remote_writes: bool) -> None:
    from parksteward.db import make_engine

    # Background work: when the cores are busy, the gateway and the writer go first (measured:
    # at 100,000 readings/s on two cores, roll-up bursts at normal priority tripled the p99
    # acknowledgement latency).
    if hasattr(os, "nice"):
        os.nice(ROLLUP_NICENESS)
    start_memory_trimmer()
    engine = make_engine(database_url)

    def write_remotely(rows: list[tuple]) -> None:
        conn.send(("rows", rows))
        _, error = conn.recv()
        if error is not None:
            raise RollupError(f"the ingest writer could not store {len(rows)} roll-up rows: {error}")

    rollups = RollupEngine(engine, write=write_remotely if remote_writes else None)
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
