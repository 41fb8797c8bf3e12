"""The HJ 212 TCP gateway in worker processes, with one writer in the server process.

One Python process holds one core (the GIL), and a gateway at full load spends most of its
time on the sockets and on decoding, not in the store. So ``parksteward serve`` can run the
gateway in ``N`` worker processes that share one listening socket: each accepts its own
connections, frames, parses, authenticates and validates them (:class:`Decoder`), and sends
the :class:`Decoded` batch to the server process over a local link. There the one writer
(:class:`~parksteward.ingest.batcher.Batcher`) commits it beside whatever HTTP and MQTT
brought, hands it to the alarm stage and the roll-ups, and answers; only then does the
worker send its 9014 replies. SQLite keeps its single writer; the alarm stage and roll-ups
see every committed reading in one place.

The link is a Unix socket in a private temporary folder, carrying length-prefixed pickles:
worker -> server ``("ready", pid)`` and ``("batch", id, Decoded)``; server -> worker
``("done", id, error)`` with ``error`` None once committed. Pickle is used because both ends
are this program, and nobody else can open the socket (folder mode 0700).

A worker exits when its link closes (the server stopped or died); a worker that dies loses
only unacknowledged frames, which devices resend.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import shutil
import socket
import tempfile
from dataclasses import dataclass
from itertools import count

from parksteward import runtime
from parksteward.db import make_engine
from parksteward.hj212.frame import DEFAULT_LENGTH_GUARD
from parksteward.ingest.batcher import ArrivalQueue, Batcher, cancel_and_wait, collect
from parksteward.ingest.devices import DeviceDirectory
from parksteward.ingest.pipeline import Decoded, Decoder, Outcome, acknowledge, archive_row
from parksteward.ingest.tcp import TcpGateway

log = logging.getLogger(__name__)
_LENGTH = 4  # bytes of the big-endian length before each pickled message
# Frames decoded between two looks at the sockets (~100 µs each): a whole batch at once would
# hold every reply of this process back for its duration.
DECODE_CHUNK = 100


@dataclass(frozen=True)
class WorkerConfig:
    database_url: str
    link_path: str
    idle_timeout: float
    length_guard: int
    log_level: int


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

    async def start(self) -> None:
        self._socket = socket.create_server((self.host, self.port), backlog=4096)
        self.port = self._socket.getsockname()[1]
        self._folder = tempfile.mkdtemp(prefix="parksteward-gateway-")  # mode 0700
        link_path = os.path.join(self._folder, "writer.sock")
        self._link_server = await asyncio.start_unix_server(self._serve_link, link_path, limit=1 << 20)
        config = WorkerConfig(self.database_url, link_path, self.idle_timeout, self.length_guard,
                              logging.getLogger("parksteward").getEffectiveLevel())
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

        def answer(batch_id: int, future: asyncio.Future) -> None:
            error = None if future.exception() is None else str(future.exception())
            if not writer.is_closing():
                send_message(writer, ("done", batch_id, error))

        try:
            while (message := await read_message(reader)) is not None:
                if message[0] == "batch":
                    _, batch_id, decoded = message
                    future = await self.batcher.submit_decoded(decoded)
                    future.add_done_callback(lambda f, b=batch_id: answer(b, f))
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
class RemoteBatcher(ArrivalQueue):
    """A worker's stand-in for :class:`~parksteward.ingest.batcher.Batcher`: the same
    ``submit``, but batches are decoded here and committed by the server's writer."""

    def __init__(self, decoder: Decoder, writer: asyncio.StreamWriter, max_batch: int = 1000,
                 max_wait: float = 0.005, max_queue: int = 10_000, max_in_flight: int = 4):
        super().__init__(max_batch, max_wait, max_queue)
        self.decoder, self.writer = decoder, writer
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight: dict[int, tuple[list, list[Outcome]]] = {}
        self._ids = count()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="gateway-worker-batcher")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self.fail_all("the gateway is stopping")

    async def _run(self) -> None:
        while True:
            batch = await collect(self._queue, self.max_batch, self.max_wait)
            await self._slots.acquire()
            arrivals = [arrival for arrival, _ in batch]
            outcomes, decoded = [], Decoded()
            for start in range(0, len(arrivals), DECODE_CHUNK):
                part_outcomes, part = self.decoder.decode(arrivals[start:start + DECODE_CHUNK])
                outcomes += part_outcomes
                decoded.verdicts += part.verdicts
                decoded.reading_sets += part.reading_sets
                await asyncio.sleep(0)  # answers and reads get through between chunks
            decoded.archive = [archive_row(arrival) for arrival in arrivals]
            batch_id = next(self._ids)
            self._in_flight[batch_id] = ([future for _, future in batch], outcomes)
            send_message(self.writer, ("batch", batch_id, decoded))
            await self.writer.drain()

    def done(self, batch_id: int, error: str | None) -> None:
        """The writer's answer for one batch: acknowledge its frames, or fail them."""
        futures, outcomes = self._in_flight.pop(batch_id)
        self._slots.release()
        if error is None:
            acknowledge(outcomes)
        else:
            outcomes = [Outcome(False, kind="store_error", message=error) for _ in outcomes]
        for future, outcome in zip(futures, outcomes):
            if not future.done():
                future.set_result(outcome)

    def fail_all(self, reason: str) -> None:
        for batch_id in list(self._in_flight):
            self.done(batch_id, reason)


def worker_main(config: WorkerConfig, listening: socket.socket) -> None:
    """Entry point of a gateway worker process."""
    runtime.run_child(_work(config, listening), config.log_level)


async def _work(config: WorkerConfig, listening: socket.socket) -> None:
    engine = make_engine(config.database_url)
    reader, writer = await asyncio.open_unix_connection(config.link_path, limit=1 << 20)
    batcher = RemoteBatcher(Decoder(DeviceDirectory(engine)), writer)
    gateway = TcpGateway(batcher, idle_timeout=config.idle_timeout, length_guard=config.length_guard,
                         sock=listening)
    await batcher.start()
    await gateway.start()
    send_message(writer, ("ready", os.getpid()))
    try:
        while (message := await read_message(reader)) is not None:
            _, batch_id, error = message
            batcher.done(batch_id, error)
    finally:
        batcher.fail_all("the link to the writer ended")
        await gateway.stop()
        await batcher.stop()
        writer.close()
        engine.dispose()
