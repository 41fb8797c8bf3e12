import pytest
from fastapi.testclient import TestClient

from parksteward.api import create_app
from parksteward.config import Settings
from tests.factories import PASSWORD, build_world


@pytest.fixture
def app(database_url, tmp_path):
    return create_app(Settings(database_url=database_url, secret_key="test-secret-of-at-least-32-bytes-length",
                               data_dir=tmp_path / "data", document_dir=tmp_path / "documents"))


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def world(app):
    with app.state.sessionmaker() as session:
        return build_world(session)


@pytest.fixture
def login(client):
    tokens: dict[str, dict] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.text
            tokens[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return tokens[username]

    return headers
