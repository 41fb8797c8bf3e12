"""Run the server's coroutines on uvloop where it is installed, else on asyncio's own loop.

The gateway spends much of its time in the event loop itself (a read, a parse, a write per
frame); uvloop (libuv, written in Cython) runs the same asyncio code with a cheaper loop.
It does not exist on Windows, where asyncio's loop is used.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine

try:
    import uvloop
except ImportError:  # Windows, or installed without it
    uvloop = None


def run(main: Coroutine):
    """``asyncio.run(main)``, on uvloop when available."""
    if uvloop is not None:
        return uvloop.run(main)
    return asyncio.run(main)


def name() -> str:
    return "uvloop" if uvloop is not None else "asyncio"
