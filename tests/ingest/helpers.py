"""Small helpers shared by the ingest tests."""

from __future__ import annotations

import threading


def traced_write(write, threads: list[str]):
    """``write`` (e.g. Batcher.write), also noting the name of the thread each job runs in."""

    def traced(work):
        def job(connection):
            threads.append(threading.current_thread().name)
            return work(connection)
        return write(job)

    return traced
