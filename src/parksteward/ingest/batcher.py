"""Group work from many connections into batches for one writer thread.

Transports ``submit`` an :class:`Arrival` and get a future of its :class:`Outcome`; gateway
worker processes ``submit_decoded`` a batch they decoded and get a future that resolves when
it is committed. A single writer task takes up to ``max_batch`` frames (or what came within
``max_wait`` seconds), runs the synchronous :meth:`Pipeline.run` in a worker thread, and
resolves the futures. One writer keeps SQLite happy and lets PostgreSQL take large batches;
the bounded queue pushes back on transports when the store falls behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Connection

from parksteward.ingest.pipeline import Arrival, Decoded, Outcome, Pipeline

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The store refused a batch: nothing in it is acknowledged (devices resend)."""


class WriterStopped(StoreError):
    """The writer has stopped: a job handed to :meth:`Batcher.write` did not run."""


class ArrivalQueue:
    """What transports see of a batcher: ``submit`` an :class:`Arrival`, get a future of its
    :class:`Outcome`. :class:`Batcher` commits in this process; a gateway worker's
    :class:`~parksteward.ingest.workers.RemoteBatcher` has the server's writer commit."""

    def __init__(self, max_batch: int, max_wait: float, max_queue: int):
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._queue: asyncio.Queue[tuple[Arrival | Decoded, asyncio.Future]] = asyncio.Queue(max_queue)

    def submit_nowait(self, arrival: Arrival) -> asyncio.Future:
        """As :meth:`submit`, or raise :class:`asyncio.QueueFull` when the queue is full."""
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((arrival, future))
        return future

    async def submit(self, arrival: Arrival) -> asyncio.Future:
        """Queue one arrival; the future resolves to its :class:`Outcome` once committed."""
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((arrival, future))
        return future


@dataclass(frozen=True)
class WriterJob:
    """Writes of another part of the platform (e.g. roll-up rows) done by the one writer:
    ``work(connection)`` runs in the writer thread, in a transaction of its own."""

    work: Callable[[Connection], object]


class Batcher(ArrivalQueue):
    """The one writer: commits what is queued, up to ``max_batch`` frames at a time.

    When the writer falls behind, it takes everything queued meanwhile in one commit (group
    commit) rather than 400 frames at a time: a commit's cost grows with the pages it dirties
    (one per device), not with its readings, so a larger batch costs less per reading and the
    backlog drains instead of queueing up commit after commit. SQLite writer CPU per 1,000
    readings from 1,000 devices: 7.1 ms in batches of 400 frames, 6.6 ms of 800, 6.4 ms of
    1,600; in benchmarks/ingest.py (100,000 readings/s) the writer's batches grew from ~850
    to ~1,000-1,400 frames and the backlog behind it went: on PostgreSQL acknowledgement p50
    4.8 s -> 0.24 s. Unhurried, a batch is what came within ``max_wait``.
    """

    def __init__(self, pipeline: Pipeline, max_batch: int = 2000, max_wait: float = 0.02, max_queue: int = 10_000):
        super().__init__(max_batch, max_wait, max_queue)
        self.pipeline = pipeline
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = False

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="ingest-writer")

    async def stop(self) -> None:
        self._stopped = True
        await cancel_and_wait(self._task)
        self._executor.shutdown(wait=True)
        while not self._queue.empty():  # a job's caller must not wait for a writer that is gone
            item, future = self._queue.get_nowait()
            if isinstance(item, WriterJob) and not future.done():
                future.set_exception(WriterStopped("the ingest writer stopped"))

    async def submit_decoded(self, decoded: Decoded) -> asyncio.Future:
        """Queue a batch a worker decoded; the future resolves to None once committed, or
        raises :class:`StoreError`."""
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((decoded, future))
        return future

    async def submit_job(self, job: WriterJob) -> asyncio.Future:
        """Queue writes for the writer thread; the future resolves to ``job.work``'s result
        once committed, or raises what it raised (then nothing of it is committed)."""
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((job, future))
        return future

    def write(self, work: Callable[[Connection], object], timeout: float = 300.0):
        """From another thread: run ``work(connection)`` in the writer thread and commit; returns
        its result. On SQLite, a second writer's transactions make the ingest writer wait for
        the lock (its busy wait sleeps in steps of up to 100 ms) and throw away its page cache
        (SQLite does so whenever another connection has committed); through here they do neither."""
        async def submit_and_wait():
            return await (await self.submit_job(WriterJob(work)))

        if self._stopped or self._loop is None:
            raise WriterStopped("the ingest writer is not running")
        return asyncio.run_coroutine_threadsafe(submit_and_wait(), self._loop).result(timeout)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._commit(loop, await collect(self._queue, self.max_batch, self._wait, size=_frames))

    def _wait(self, first: tuple[Arrival | Decoded | WriterJob, asyncio.Future]) -> float:
        # A worker's batch was gathered over the worker's own wait: it goes with whatever
        # else is queued now, not after a second wait (while this commit runs, the next
        # batches queue up and go together in the next).
        return self.max_wait if isinstance(first[0], Arrival) else 0.0

    async def _commit(self, loop, batch: list[tuple[Arrival | Decoded | WriterJob, asyncio.Future]]) -> None:
        jobs = [(item, future) for item, future in batch if isinstance(item, WriterJob)]
        if jobs:
            batch = [entry for entry in batch if not isinstance(entry[0], WriterJob)]
            settled = await loop.run_in_executor(self._executor, self._run_jobs, [job for job, _ in jobs])
            for (_, future), (result, error) in zip(jobs, settled):
                if future.done():
                    continue
                if error is None:
                    future.set_result(result)
                else:
                    future.set_exception(error)
            if not batch:
                return
        arrivals = [item for item, _ in batch if isinstance(item, Arrival)]
        decoded = [item for item, _ in batch if not isinstance(item, Arrival)]
        try:
            outcomes = iter(await loop.run_in_executor(self._executor, self.pipeline.run, arrivals, decoded))
        except Exception as exc:  # the store failed: nobody is acknowledged, devices will resend
            log.exception("ingest batch of %d frames failed", sum(_frames(entry) for entry in batch))
            error = f"{exc.__class__.__name__}: {exc}"
            for item, future in batch:
                if future.done():
                    continue
                if isinstance(item, Arrival):
                    future.set_result(Outcome(False, kind="store_error", message=error))
                else:
                    future.set_exception(StoreError(error))
            return
        for item, future in batch:
            result = next(outcomes) if isinstance(item, Arrival) else None
            if not future.done():
                future.set_result(result)


    def _run_jobs(self, jobs: list[WriterJob]) -> list[tuple[object, Exception | None]]:
        """In the writer thread: each job in its own transaction; (result, error) for each."""
        settled = []
        for job in jobs:
            try:
                with self.pipeline.begin() as connection:
                    settled.append((job.work(connection), None))
            except Exception as exc:
                settled.append((None, exc))
        return settled


def _frames(item: tuple[Arrival | Decoded | WriterJob, asyncio.Future]) -> int:
    if isinstance(item[0], WriterJob):
        return 0
    return 1 if isinstance(item[0], Arrival) else len(item[0])


async def collect(queue: asyncio.Queue, max_size: int, max_wait, size=lambda item: 1,
                  first_timeout: float | None = None) -> list:
    """Items from ``queue``: wait for the first (at most ``first_timeout`` seconds, else return
    []), then take what comes within ``max_wait`` seconds until their ``size`` adds up to
    ``max_size``. ``max_wait`` may be a function of the first item."""
    loop = asyncio.get_running_loop()
    try:
        first = await asyncio.wait_for(queue.get(), first_timeout)
    except TimeoutError:
        return []
    batch, total = [first], size(first)
    deadline = loop.time() + (max_wait(first) if callable(max_wait) else max_wait)
    while total < max_size:
        try:
            item = queue.get_nowait()
        except asyncio.QueueEmpty:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                item = await asyncio.wait_for(queue.get(), remaining)
            except TimeoutError:
                break
        batch.append(item)
        total += size(item)
    return batch


async def cancel_and_wait(task: asyncio.Task | None) -> None:
    """Cancel a background task and wait until it has stopped."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
