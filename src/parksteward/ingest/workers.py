"""The HJ 212 TCP gateway in worker processes that commit what they receive.

One Python process holds one core (the GIL), and a gateway at full load spends most of its
time on the sockets and on decoding. So ``parksteward serve`` can run the gateway in ``N``
worker processes that share one listening socket. Each accepts its own connections, frames,
parses, authenticates and validates their frames (:class:`Decoder`), archives and stores them
in its own writer thread (:func:`~parksteward.ingest.pipeline.commit_decoded`), answers with
9014 once committed, and then sends the committed batch to the server process over a local
link. There the alarm stage, the roll-ups and the frame notary get it
(:meth:`~parksteward.ingest.pipeline.Pipeline.hand_on`), as they get what the server's own
writer (:class:`~parksteward.ingest.batcher.Batcher`: HTTP, MQTT, roll-up rows, the notary's
leaves) commits.

So an answer waits only for its own process (decoding, the commit) and the store, not for
the server's process, whose GIL the event loop, the notary and the alarm stage share. With one
writer in the server that took every worker's batches, benchmarks/ingest.py at 100,000
readings/s (60 s, this machine) answered PostgreSQL frames with p50 195 / p99 621 ms; with the
workers committing, 57 / 293 ms, at 175 % machine CPU instead of 190 %.

On SQLite the writers take turns through a :class:`~parksteward.ingest.writelock.WriteLock`,
taking what was decoded while they waited (so the wait makes a commit larger, not later); on
PostgreSQL they write concurrently.

The link is a Unix socket in a private temporary folder, carrying length-prefixed pickles
from worker to server: ``("ready", pid)``, then ``("committed", frame ids, raw frames,
reading sets, timing)`` per commit. Pickle is used because both ends are this program, and
nobody else can open the socket (folder mode 0700).

A worker exits when its link closes (the server stopped or died); a worker that dies loses
only unacknowledged frames, which devices resend.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import queue
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy.engine import make_url

from parksteward import runtime
from parksteward.db import make_engine
from parksteward.hj212.frame import DEFAULT_LENGTH_GUARD
from parksteward.ingest.batcher import ArrivalQueue, Batcher, cancel_and_wait, collect
from parksteward.ingest.devices import DeviceDirectory
from parksteward.ingest.pipeline import (
    CommittedBatch,
    Decoded,
    Decoder,
    Outcome,
    acknowledge,
    archive_row,
    commit_decoded,
)
from parksteward.ingest.tcp import TcpGateway
from parksteward.ingest.writelock import NO_LOCK, WriteLock

log = logging.getLogger(__name__)
_LENGTH = 4  # bytes of the big-endian length before each pickled message
# Frames decoded between two looks at the sockets (~100 µs each): a whole batch at once would
# hold every reply of this process back for its duration.
DECODE_CHUNK = 100
LINK_BUFFER = 32 << 20  # bytes of committed batches a worker holds for a busy server (~3 s at full load)


@dataclass(frozen=True)
class WorkerConfig:
    database_url: str
    link_path: str
    idle_timeout: float
    length_guard: int
    log_level: int
    write_lock: WriteLock | None  # SQLite: shared with the server's writer


# ------------------------------------------------------------------ the link
def send_message(writer: asyncio.StreamWriter, message: tuple) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(len(data).to_bytes(_LENGTH, "big") + data)


async def read_message(reader: asyncio.StreamReader) -> tuple | None:
    """The next message, or None at the end of the link."""
    try:
        size = int.from_bytes(await reader.readexactly(_LENGTH), "big")
        return pickle.loads(await reader.readexactly(size))
    except (asyncio.IncompleteReadError, ConnectionError):
        return None


# ------------------------------------------------------------------ server side
class GatewayWorkers:
    """Run the TCP gateway in ``count`` worker processes feeding ``batcher``'s writer."""

    def __init__(self, batcher: Batcher, database_url: str, host: str = "127.0.0.1", port: int = 9212,
                 count: int = 1, idle_timeout: float = 600.0, length_guard: int = DEFAULT_LENGTH_GUARD,
                 start_timeout: float = 120.0):
        if count < 1:
            raise ValueError(f"gateway workers must be at least 1, got {count}")
        self.batcher, self.database_url = batcher, database_url
        self.host, self.port, self.count = host, port, count
        self.idle_timeout, self.length_guard, self.start_timeout = idle_timeout, length_guard, start_timeout
        self._socket: socket.socket | None = None
        self._folder: str | None = None
        self._link_server: asyncio.AbstractServer | None = None
        self._links: dict[asyncio.Task, asyncio.StreamWriter] = {}
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._ready: asyncio.Queue[int] = asyncio.Queue()
        self._write_lock: WriteLock | None = None
        # Called with each worker commit's (wall s, writer thread CPU s, frames, s waiting for
        # the write lock); for benchmarks.
        self.on_commit_timing: Callable[[tuple[float, float, int, float]], None] | None = None

    async def start(self) -> None:
        self._socket = socket.create_server((self.host, self.port), backlog=4096)
        self.port = self._socket.getsockname()[1]
        self._folder = tempfile.mkdtemp(prefix="parksteward-gateway-")  # mode 0700
        link_path = os.path.join(self._folder, "writer.sock")
        self._link_server = await asyncio.start_unix_server(self._serve_link, link_path, limit=1 << 20)
        if make_url(self.database_url).get_backend_name() == "sqlite":
            # The workers write beside the server's own writer: one at a time, handed over at once.
            self._write_lock = WriteLock(os.path.join(self._folder, "write.lock"))
            self.batcher.pipeline.write_lock = self._write_lock
        config = WorkerConfig(self.database_url, link_path, self.idle_timeout, self.length_guard,
                              logging.getLogger("parksteward").getEffectiveLevel(), self._write_lock)
        context = multiprocessing.get_context("spawn")  # no forked copy of the server's threads and engine
        for number in range(self.count):
            process = context.Process(target=worker_main, args=(config, self._socket),
                                      name=f"parksteward-gateway-{number + 1}")  # ends when its link ends
            process.start()
            self._processes.append(process)
        try:
            for _ in range(self.count):
                await asyncio.wait_for(self._ready.get(), self.start_timeout)
        except TimeoutError:
            await self.stop()
            raise RuntimeError(f"the gateway worker processes did not start within {self.start_timeout:.0f} s") \
                from None
        log.info("HJ 212 gateway listening on %s:%d (%d worker processes)", self.host, self.port, self.count)

    async def stop(self) -> None:
        if self._link_server is not None:
            self._link_server.close()
        for writer in list(self._links.values()):
            writer.close()  # a worker stops when its link ends
        await asyncio.gather(*self._links, return_exceptions=True)
        await asyncio.to_thread(self._join)
        if self._write_lock is not None:  # the workers are gone: the server's writer is alone again
            self.batcher.pipeline.write_lock = NO_LOCK
            self._write_lock.close()
        if self._socket is not None:
            self._socket.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _join(self) -> None:
        for process in self._processes:
            process.join(10)
            if process.is_alive():
                log.warning("gateway worker %s did not stop; terminating it", process.name)
                process.terminate()
                process.join(5)

    @property
    def alive(self) -> int:
        return sum(1 for p in self._processes if p.is_alive())

    async def _serve_link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._links[task] = writer
        pipeline = self.batcher.pipeline
        try:
            while (message := await read_message(reader)) is not None:
                if message[0] == "committed":
                    _, frame_ids, raw, reading_sets, timing = message
                    # Cheap (queues and marks): here rather than behind the writer's own work.
                    pipeline.hand_on(CommittedBatch(reading_sets, list(zip(frame_ids, raw))))
                    if self.on_commit_timing is not None:
                        self.on_commit_timing(timing)
                elif message[0] == "ready":
                    log.debug("gateway worker %d ready", message[1])
                    self._ready.put_nowait(message[1])
                else:
                    log.error("gateway worker sent an unknown message %r; closing its link", message[0])
                    break
        except Exception:
            log.exception("the link to a gateway worker failed")
        finally:
            self._links.pop(task, None)
            writer.close()


# ------------------------------------------------------------------ worker side
class WorkerWriter(ArrivalQueue):
    """A worker's stand-in for :class:`~parksteward.ingest.batcher.Batcher`: the same
    ``submit``; batches are decoded and committed here, and then handed to the server.

    A task gathers arrivals (up to ``max_batch``, or what came within ``max_wait``) and
    decodes them; a writer thread takes its turn at the store (the write lock) and only then
    takes everything decoded so far, so that time spent waiting for the other writers makes
    the next commit larger, not later. Back in the event loop, the frames are answered and the
    committed batch goes to the server. At most ``max_decoded`` decoded batches wait for the
    writer; beyond that, decoding waits, the arrival queue fills and connections stop reading.
    """

    def __init__(self, decoder: Decoder, engine, link: asyncio.StreamWriter, write_lock=NO_LOCK,
                 max_batch: int = 1000, max_wait: float = 0.005, max_queue: int = 10_000, max_decoded: int = 4):
        super().__init__(max_batch, max_wait, max_queue)
        self.decoder, self.engine, self.link, self.write_lock = decoder, engine, link, write_lock
        self._decoded: queue.SimpleQueue[_Decoding | None] = queue.SimpleQueue()  # to the writer thread
        self._room = asyncio.Semaphore(max_decoded)
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._write, args=(loop,), name="gateway-writer", daemon=True)
        self._thread.start()
        self._task = asyncio.create_task(self._decode_batches(), name="gateway-worker-decoder")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._decoded.put(None)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        while not self._decoded.empty():  # decoded, never committed: not answered either
            if (left := self._decoded.get_nowait()) is not None:
                self._settle([left], "the gateway is stopping")

    async def _decode_batches(self) -> None:
        while True:
            batch = await collect(self._queue, self.max_batch, self.max_wait)
            arrivals = [arrival for arrival, _ in batch]
            outcomes, decoded = [], Decoded()
            for start in range(0, len(arrivals), DECODE_CHUNK):
                part_outcomes, part = self.decoder.decode(arrivals[start:start + DECODE_CHUNK])
                outcomes += part_outcomes
                decoded.verdicts += part.verdicts
                decoded.reading_sets += part.reading_sets
                await asyncio.sleep(0)  # answers and reads get through between chunks
            decoded.archive = [archive_row(arrival) for arrival in arrivals]
            await self.link.drain()  # a server far behind holds the worker back (LINK_BUFFER)
            await self._room.acquire()
            self._decoded.put(_Decoding([future for _, future in batch], outcomes, decoded))

    def _write(self, loop: asyncio.AbstractEventLoop) -> None:
        """The writer thread: commit what was decoded, one turn at the store at a time."""
        while (first := self._decoded.get()) is not None:
            waiting, error, result = [first], None, None
            start, cpu, waited = time.perf_counter(), time.thread_time(), getattr(self.write_lock, "waited_s", 0.0)
            try:
                with self.write_lock:
                    while True:  # what was decoded while this writer waited for its turn goes too
                        try:
                            more = self._decoded.get_nowait()
                        except queue.Empty:
                            break
                        if more is None:
                            self._decoded.put(None)  # stop after this commit
                            break
                        waiting.append(more)
                    frame_ids, rows = commit_decoded(self.engine, [w.decoded for w in waiting])
                timing = (time.perf_counter() - start, time.thread_time() - cpu, len(frame_ids),
                          getattr(self.write_lock, "waited_s", 0.0) - waited)
                result = (frame_ids, rows, timing)
            except Exception as exc:  # nothing is acknowledged: devices resend
                log.exception("a gateway worker's batch of %d frames failed", sum(len(w.decoded) for w in waiting))
                error = f"{exc.__class__.__name__}: {exc}"
            try:
                loop.call_soon_threadsafe(self._committed, waiting, error, result)
            except RuntimeError:  # the loop has closed: nobody is left to answer
                return

    def _committed(self, waiting: list[_Decoding], error: str | None, result: tuple | None) -> None:
        """In the event loop: answer the frames (or fail them), and tell the server."""
        for _ in waiting:
            self._room.release()
        self._settle(waiting, error)
        if error is None and not self.link.is_closing():
            frame_ids, rows, timing = result
            raw = [row[3] for w in waiting for row in w.decoded.archive]  # ARCHIVE_COLUMNS: bytes last
            send_message(self.link, ("committed", frame_ids, raw, rows, timing))

    @staticmethod
    def _settle(waiting: list[_Decoding], error: str | None) -> None:
        """Answer the frames of committed batches (``error`` None), or fail them."""
        for entry in waiting:
            outcomes = entry.outcomes
            if error is None:
                acknowledge(outcomes)
            else:
                outcomes = [Outcome(False, kind="store_error", message=error) for _ in outcomes]
            for future, outcome in zip(entry.futures, outcomes):
                if not future.done():
                    future.set_result(outcome)


class _Decoding(NamedTuple):
    """A decoded batch on its way to the writer thread."""

    futures: list[asyncio.Future]
    outcomes: list[Outcome]
    decoded: Decoded


def worker_main(config: WorkerConfig, listening: socket.socket) -> None:
    """Entry point of a gateway worker process."""
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(processName)s %(name)s: "
                        "%(message)s")
    try:
        runtime.run(_work(config, listening))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the server stops us
        pass


async def _work(config: WorkerConfig, listening: socket.socket) -> None:
    engine = make_engine(config.database_url)
    reader, link = await asyncio.open_unix_connection(config.link_path, limit=1 << 20)
    # Committed batches wait here while the server is busy, rather than hold up the next commit.
    link.transport.set_write_buffer_limits(high=LINK_BUFFER)
    batcher = WorkerWriter(Decoder(DeviceDirectory(engine)), engine, link, config.write_lock or NO_LOCK)
    gateway = TcpGateway(batcher, idle_timeout=config.idle_timeout, length_guard=config.length_guard,
                         sock=listening)
    await batcher.start()
    await gateway.start()
    send_message(link, ("ready", os.getpid()))
    try:
        await read_message(reader)  # the server sends nothing: this returns when the link ends
    finally:
        await gateway.stop()
        await batcher.stop()
        link.close()
        engine.dispose()
        if config.write_lock is not None:
            config.write_lock.close()
