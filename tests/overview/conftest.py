from tests.api.conftest import app, client, login, world  # noqa: F401  (the API fixtures, reused)
