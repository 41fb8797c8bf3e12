"""The HJ 212 TCP gateway (asyncio): data loggers connect as clients and upload frames.

Per connection: bytes go through a :class:`~parksteward.hj212.stream.FrameSplitter`, every
chunk (frame or discarded bytes) goes to the pipeline via the batcher, and replies (9014)
are written back in order once the batch is committed. A connection whose device is unknown
or whose password is wrong is refused (logged, archived) and closed; an idle connection is
closed after ``idle_timeout`` seconds. Nothing a client sends can crash the server.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time

from parksteward.hj212.frame import DEFAULT_LENGTH_GUARD
from parksteward.hj212.stream import FrameSplitter
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.pipeline import Arrival, Outcome

log = logging.getLogger(__name__)
REFUSALS = frozenset({"unknown_device", "wrong_password"})


class TcpGateway:
    def __init__(self, batcher: Batcher, host: str = "127.0.0.1", port: int = 9212, idle_timeout: float = 600.0,
                 length_guard: int = DEFAULT_LENGTH_GUARD, sock: socket.socket | None = None):
        # ``batcher``: anything with Batcher.submit (a gateway worker passes its RemoteBatcher);
        # ``sock``: a listening socket to accept on instead of host:port (shared by workers).
        self.batcher = batcher
        self.sock = sock
        self.host, self.port = (sock.getsockname()[:2] if sock is not None else (host, port))
        self.idle_timeout = idle_timeout
        self.length_guard = length_guard
        self._server: asyncio.AbstractServer | None = None
        self._open: dict[asyncio.Task, asyncio.StreamWriter] = {}

    @property
    def connections(self) -> int:
        return len(self._open)

    async def start(self) -> None:
        if self.sock is not None:
            self._server = await asyncio.start_server(self._serve, sock=self.sock, limit=1 << 16)
        else:
            self._server = await asyncio.start_server(self._serve, self.host, self.port, limit=1 << 16, backlog=4096)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("HJ 212 gateway listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._open.values()):
                writer.close()
            await asyncio.gather(*self._open, return_exceptions=True)
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if peername else None
        splitter = FrameSplitter(self.length_guard)
        pending: set[asyncio.Future] = set()  # answered futures leave at once: no Outcome outlives its reply
        task = asyncio.current_task()
        self._open[task] = writer
        refused = asyncio.Event()

        def answer(future: asyncio.Future) -> None:
            pending.discard(future)
            outcome: Outcome = future.result()
            if outcome.reply is not None and not writer.is_closing():
                writer.write(outcome.reply)
            if not outcome.ok:
                log.warning("refused from %s: %s: %s", peer, outcome.kind, outcome.message)
                if outcome.kind in REFUSALS and not refused.is_set():
                    refused.set()
                    writer.close()  # ends the pending read; the device is not ours to hear

        try:
            while not refused.is_set():
                try:
                    data = await asyncio.wait_for(reader.read(1 << 16), self.idle_timeout)
                except TimeoutError:
                    log.info("closing idle connection from %s", peer)
                    break
                chunks = splitter.feed(data) if data else splitter.flush()
                now_ms = int(time.time() * 1000)
                for chunk in chunks:
                    future = await self.batcher.submit(Arrival(chunk.raw, "tcp", peer, now_ms, chunk.error))
                    future.add_done_callback(answer)
                    pending.add(future)
                if not data:
                    break
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            if not writer.is_closing():
                await writer.drain()
        except (ConnectionError, OSError) as exc:
            log.info("connection from %s ended: %s", peer, exc)
        except Exception:  # never let one connection take the server down
            log.exception("unexpected error on the connection from %s", peer)
        finally:
            self._open.pop(task, None)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass
