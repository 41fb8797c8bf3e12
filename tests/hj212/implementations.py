"""Run a test on the compiled fast path or on pure Python (see parksteward.hj212.accel)."""

from __future__ import annotations

import pytest

from parksteward.hj212 import accel

IMPLEMENTATIONS = ["c", "python"]


def use(implementation: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Switch to ``implementation`` for one test; skip 'c' where the extension is not built."""
    if implementation == "python":
        monkeypatch.setattr(accel, "speedups", None)
        monkeypatch.setenv(accel.PURE_PYTHON_ENV, "1")  # for any process the test starts
    elif accel.speedups is None:
        pytest.skip("the C extension is not built, or PARKSTEWARD_PURE_PYTHON is set")
    return implementation
