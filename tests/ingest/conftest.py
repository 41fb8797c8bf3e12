import pytest

from tests.api.conftest import app, client, login, world  # noqa: F401  (the API fixtures, reused)
from tests.hj212 import implementations


@pytest.fixture(params=implementations.IMPLEMENTATIONS)
def implementation(request, monkeypatch):
    """For modules that decode frames: run each test on the C fast path and on pure Python."""
    return implementations.use(request.param, monkeypatch)
