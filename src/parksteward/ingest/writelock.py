"""One SQLite writer at a time across the server's processes, handed over without sleeping.

The ingest writers (the server's :class:`~parksteward.ingest.batcher.Batcher` and each
gateway worker's own, see :mod:`parksteward.ingest.workers`) write the same SQLite file.
SQLite lets one of them write at a time, and a connection that finds the file locked sleeps
in its busy handler in steps of 1, 2, 5, 10, ... up to 100 ms before it looks again: under a
steady load, a commit would wait several milliseconds after the lock was free. Here a writer
waits for the previous one in ``flock(2)``, which the kernel wakes the moment it is released,
and which is released by itself if a process dies holding it.

PostgreSQL needs none of this (:data:`NO_LOCK`): its writers go concurrently, row locks
sort out the rare set that two of them write at once.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import nullcontext

NO_LOCK = nullcontext()


class WriteLock:
    """An exclusive lock on ``path`` (created if missing) shared by every process that opens
    it, and by the threads of this one.

    ``flock`` excludes open file descriptions, not threads: threads of one process sharing
    the descriptor also take a thread lock first.
    """

    def __init__(self, path: str):
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.waited_s = 0.0  # in all, for the lock to be free (for figures)

    def __enter__(self) -> WriteLock:
        start = time.perf_counter()
        self._threads.acquire()
        try:
            if self._fd is not None:  # once closed, the other processes are gone
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # releases the GIL while it waits
        except BaseException:
            self._threads.release()
            raise
        self.waited_s += time.perf_counter() - start
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        """Close the file; from then on the lock excludes only this process's threads (the
        server closes its lock once its gateway workers have ended)."""
        with self._threads:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __getstate__(self) -> dict:  # handed to a worker process: it opens the file itself
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])
