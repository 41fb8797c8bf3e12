"""Every HJ 212 test runs twice: with the compiled fast path and with pure Python.

The C extension (``parksteward.hj212._speedups``) must give the results of the pure-Python
reference, so the same expectations hold on both paths. Where the extension is not built
(or ``PARKSTEWARD_PURE_PYTHON`` is set) the compiled variant is skipped with a message.
"""

from __future__ import annotations

import pytest

from tests.hj212 import implementations


@pytest.fixture(autouse=True, params=implementations.IMPLEMENTATIONS)
def implementation(request, monkeypatch):
    """The decoder implementation under test: 'c' (fast path where it applies) or 'python'."""
    return implementations.use(request.param, monkeypatch)
