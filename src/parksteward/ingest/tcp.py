"""The HJ 212 TCP gateway (asyncio): data loggers connect as clients and upload frames.

Per connection: bytes go through a :class:`~parksteward.hj212.stream.FrameSplitter`, every
chunk (frame or discarded bytes) goes to the pipeline via the batcher, and replies (9014)
are written back once their batch is committed. A connection whose device is unknown or
whose password is wrong is refused (logged, archived) and closed; an idle connection is
closed after ``idle_timeout`` seconds. Nothing a client sends can crash the server.

Connections are :class:`asyncio.Protocol` objects rather than stream readers: a logger
sends one short frame at a time, and a coroutine resumed per read cost more than decoding
the frame. When the batcher's queue is full, the connection stops reading until there is
room again (back-pressure reaches the device through TCP).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import deque

from parksteward.hj212.frame import DEFAULT_LENGTH_GUARD
from parksteward.hj212.stream import FrameSplitter
from parksteward.ingest.batcher import ArrivalQueue
from parksteward.ingest.pipeline import Arrival, Outcome

log = logging.getLogger(__name__)
REFUSALS = frozenset({"unknown_device", "wrong_password"})


class TcpGateway:
    def __init__(self, batcher: ArrivalQueue, host: str = "127.0.0.1", port: int = 9212, idle_timeout: float = 600.0,
                 length_guard: int = DEFAULT_LENGTH_GUARD, sock: socket.socket | None = None):
        # ``batcher``: a Batcher, or in a gateway worker its RemoteBatcher; ``sock``: a
        # listening socket to accept on instead of host:port.
        self.batcher = batcher
        self.sock = sock
        self.host, self.port = (sock.getsockname()[:2] if sock is not None else (host, port))
        self.idle_timeout = idle_timeout
        self.length_guard = length_guard
        self._server: asyncio.AbstractServer | None = None
        self._open: set[LoggerConnection] = set()

    @property
    def connections(self) -> int:
        return len(self._open)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.sock is not None:
            self._server = await loop.create_server(self._connection, sock=self.sock)
        else:
            self._server = await loop.create_server(self._connection, self.host, self.port, backlog=4096)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("HJ 212 gateway listening on %s:%d", self.host, self.port)

    def _connection(self) -> LoggerConnection:
        return LoggerConnection(self)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        closed = [connection.closed for connection in self._open]
        for connection in list(self._open):
            connection.close()
        await asyncio.gather(*closed, return_exceptions=True)
        await self._server.wait_closed()


class LoggerConnection(asyncio.Protocol):
    """One data logger's connection."""

    def __init__(self, gateway: TcpGateway):
        self.gateway, self.batcher = gateway, gateway.batcher
        self.loop = asyncio.get_running_loop()
        self.splitter = FrameSplitter(gateway.length_guard)
        self.transport: asyncio.Transport | None = None
        self.peer: str | None = None
        self.pending: set[asyncio.Future] = set()  # answered futures leave at once
        self.waiting: deque[Arrival] = deque()  # arrivals held back while the batcher is full
        self.refused = self.at_eof = False
        self.last_data = self.loop.time()
        self.idle_timer: asyncio.TimerHandle | None = None
        self.closed = self.loop.create_future()

    # ------------------------------------------------------------ transport events
    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        peername = transport.get_extra_info("peername")
        self.peer = f"{peername[0]}:{peername[1]}" if peername else None
        self.gateway._open.add(self)
        self.idle_timer = self.loop.call_later(self.gateway.idle_timeout, self._check_idle)

    def data_received(self, data: bytes) -> None:
        self.last_data = self.loop.time()
        try:
            self._submit(self.splitter.feed(data))
        except Exception:  # never let one connection take the server down
            log.exception("unexpected error on the connection from %s", self.peer)
            self.close()

    def eof_received(self) -> bool:
        self.at_eof = True
        self._submit(self.splitter.flush())
        self._close_when_answered()
        return True  # keep the socket open to send the remaining answers

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            log.info("connection from %s ended: %s", self.peer, exc)
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        self.gateway._open.discard(self)
        self.waiting.clear()
        if not self.closed.done():
            self.closed.set_result(None)

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # ------------------------------------------------------------ frames in, answers out
    def _submit(self, chunks) -> None:
        now_ms = int(time.time() * 1000)
        for chunk in chunks:
            arrival = Arrival(chunk.raw, "tcp", self.peer, now_ms, chunk.error)
            if self.waiting:
                self.waiting.append(arrival)
                continue
            try:
                future = self.batcher.submit_nowait(arrival)
            except asyncio.QueueFull:
                self.waiting.append(arrival)
                self.transport.pause_reading()
                self.loop.create_task(self._submit_waiting())
                continue
            self._track(future)

    async def _submit_waiting(self) -> None:
        """Hand the held-back arrivals over as the batcher makes room, then read again."""
        while self.waiting and not self.transport.is_closing():
            self._track(await self.batcher.submit(self.waiting.popleft()))
        if not self.transport.is_closing() and not self.at_eof:
            self.transport.resume_reading()

    def _track(self, future: asyncio.Future) -> None:
        self.pending.add(future)
        future.add_done_callback(self._answer)

    def _answer(self, future: asyncio.Future) -> None:
        self.pending.discard(future)
        outcome: Outcome = future.result()
        if outcome.reply is not None and not self.transport.is_closing():
            self.transport.write(outcome.reply)
        if not outcome.ok:
            log.warning("refused from %s: %s: %s", self.peer, outcome.kind, outcome.message)
            if outcome.kind in REFUSALS and not self.refused:
                self.refused = True  # the device is not ours to hear
                self.close()
        if self.at_eof:
            self._close_when_answered()

    def _close_when_answered(self) -> None:
        if not self.pending and not self.waiting:
            self.close()

    def _check_idle(self) -> None:
        silent = self.loop.time() - self.last_data
        if silent >= self.gateway.idle_timeout:
            log.info("closing idle connection from %s", self.peer)
            self.close()
        else:
            self.idle_timer = self.loop.call_later(self.gateway.idle_timeout - silent, self._check_idle)
