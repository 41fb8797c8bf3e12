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
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Coroutine

try:
    import uvloop
except ImportError:  # Windows, or installed without it
    uvloop = None

GC_THRESHOLDS = (10_000, 50, 50)


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
    """``asyncio.run(main)`` the server's way: on uvloop when available, with the collector tuned."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    if uvloop is not None:
        return uvloop.run(main)
    return asyncio.run(main)
