"""How the server's processes run: uvloop where installed, and a garbage collector tuned for ingest.

* The gateway spends much of its time in the event loop itself (a read, a parse, a write per
  frame); uvloop (libuv, written in Cython) runs the same asyncio code with a cheaper loop.
  It does not exist on Windows, where asyncio's loop is used.
* Ingest makes tens of thousands of short-lived tuples a second. They are freed by reference
  counting, yet each 700 allocations wake the cyclic collector, whose older generations then
  walk every long-lived object (the app, the device directory, the batches in flight): 10 % of
  a decode measured here. So what exists at start-up is frozen out of collection
  (``gc.freeze``) and the collector runs every 10,000 allocations instead. Not less often:
  a collection holds the GIL for as long as it takes to walk the young objects, and the
  server's writer and event loop wait for it (at 50,000: 11 ms on average, up to 42 ms, in
  benchmarks/ingest.py at 100,000 readings/s; at 10,000 up to 12 ms, and acknowledgement
  p99 167 -> 141 ms over 60 s on SQLite).
* Memory freed by the store's page caches and the batches goes back to the system: glibc's
  allocator keeps freed chunks in its heap for reuse and returns only the free top of it, so
  under ingest the free space between live chunks grew the server's heap by ~40 MB in three
  minutes while the memory in use stayed flat (benchmarks/ingest.py, mallinfo2: heap 165 ->
  201 MB, in use 79 -> 81 MB). :func:`start_memory_trimmer` has ``malloc_trim`` give those
  free pages back every 30 s (3-17 ms a call there, outside the GIL).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import threading
from collections.abc import Coroutine

try:
    import uvloop
except ImportError:  # Windows, or installed without it
    uvloop = None

GC_THRESHOLDS = (10_000, 50, 50)
TRIM_EVERY_S = 30.0
log = logging.getLogger(__name__)


def run_child(main: Coroutine, log_level: int) -> None:
    """:func:`run` as the entry of one of the server's child processes (a gateway worker, the
    demo's device simulator): its log lines name the process, and Ctrl-C, which reaches the
    whole process group, is left to the server, which stops its children itself."""
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s")
    try:
        run(main)
    except KeyboardInterrupt:
        pass


def run(main: Coroutine):
    """``asyncio.run(main)`` the server's way: on uvloop when available, with the collector
    tuned and free heap memory returned to the system."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    start_memory_trimmer()
    if uvloop is not None:
        return uvloop.run(main)
    return asyncio.run(main)


def malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None  # a CDLL call releases the GIL
    except (OSError, AttributeError):
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_trimmer: threading.Thread | None = None


def start_memory_trimmer(every_s: float = TRIM_EVERY_S) -> threading.Thread | None:
    """Return free heap pages to the system every ``every_s`` seconds, in a daemon thread (one
    per process; None where there is no ``malloc_trim``)."""
    global _trimmer
    trim = malloc_trim()
    if trim is None:
        return None
    if _trimmer is None or not _trimmer.is_alive():
        def loop() -> None:
            stop = threading.Event()  # never set: the thread ends with the process
            while not stop.wait(every_s):
                trim(0)

        _trimmer = threading.Thread(target=loop, name="memory-trimmer", daemon=True)
        _trimmer.start()
    return _trimmer
