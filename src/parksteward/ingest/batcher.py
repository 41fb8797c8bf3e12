"""Group arrivals from many connections into batches for one writer thread.

Transports ``submit`` an :class:`Arrival` and get a future of its :class:`Outcome`; a single
writer task takes up to ``max_batch`` arrivals (or what came within ``max_wait`` seconds),
runs the synchronous pipeline in a worker thread, and resolves the futures. One writer keeps
SQLite happy and lets PostgreSQL take large batches; the bounded queue pushes back on
transports when the store falls behind.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from parksteward.ingest.pipeline import Arrival, Outcome, Pipeline

log = logging.getLogger(__name__)


class Batcher:
    def __init__(self, pipeline: Pipeline, max_batch: int = 1000, max_wait: float = 0.02, max_queue: int = 10_000,
                 periodic=None, period_s: float = 5.0):
        self.pipeline = pipeline
        # Work for the writer thread between batches, at most every period_s (e.g. roll-ups),
        # so that one thread writes and SQLite never sees two writers.
        self.periodic = periodic
        self.period_s = period_s
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._queue: asyncio.Queue[tuple[Arrival, asyncio.Future]] = asyncio.Queue(max_queue)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="ingest-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._executor.shutdown(wait=True)

    async def submit(self, arrival: Arrival) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((arrival, future))
        return future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last_periodic = loop.time()
        while True:
            if self.periodic is not None and loop.time() - last_periodic >= self.period_s:
                last_periodic = loop.time()
                try:
                    await loop.run_in_executor(self._executor, self.periodic)
                except Exception:
                    log.exception("periodic ingest work failed")
            try:
                first = await asyncio.wait_for(self._queue.get(), self.period_s)
            except TimeoutError:
                continue
            batch = [first]
            deadline = loop.time() + self.max_wait
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                    continue
                except asyncio.QueueEmpty:
                    pass
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            arrivals = [arrival for arrival, _ in batch]
            try:
                outcomes = await loop.run_in_executor(self._executor, self.pipeline.process, arrivals)
            except Exception as exc:  # the store failed: nobody is acknowledged, devices will resend
                log.exception("ingest batch of %d arrivals failed", len(arrivals))
                outcomes = [Outcome(False, kind="store_error", message=f"{exc.__class__.__name__}: {exc}")
                            for _ in arrivals]
            for (_, future), outcome in zip(batch, outcomes):
                if not future.done():
                    future.set_result(outcome)
