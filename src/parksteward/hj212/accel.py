"""Which implementation decodes: the compiled fast path or pure Python.

:mod:`parksteward.hj212._speedups` (C, built when a compiler was there at install time)
takes the common, well-formed case of the hot functions (frame check, Annex A checksum,
data-segment split, stream framing, reading rows) and declines everything else, which the
pure-Python code then handles; that code is the reference and gives identical results.

``PARKSTEWARD_PURE_PYTHON=1`` in the environment forces the pure-Python path (read at
import, inherited by gateway worker processes). Callers look up :data:`speedups` at call
time, so tests can switch it with ``monkeypatch.setattr(accel, "speedups", None)``.
"""

from __future__ import annotations

import os
from types import ModuleType

PURE_PYTHON_ENV = "PARKSTEWARD_PURE_PYTHON"


def _load() -> ModuleType | None:
    if os.environ.get(PURE_PYTHON_ENV, "").strip() not in ("", "0"):
        return None
    try:
        from parksteward.hj212 import _speedups
    except ImportError:  # installed without a compiler: the pure-Python path serves
        return None
    return _speedups


speedups: ModuleType | None = _load()


def active() -> str:
    """'c' when the compiled fast path is in use, else 'python' (for logs and benchmarks)."""
    return "c" if speedups is not None else "python"
