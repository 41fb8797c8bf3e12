"""Shared by the console's browser tests (Playwright driving Debian's Chromium): the browser, a
live server on a small world, logging in, the map's drawn points, screenshots.

Skipped with a message where no browser is found; under CI (CI=true) a missing browser is a
failure, as .ci/run installs one. Screenshots of the views go to artifacts/console/.
"""

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from parksteward.api import create_app
from parksteward.config import Settings
from parksteward.db import make_engine, make_sessionmaker
from parksteward.web import console
from tests.factories import PASSWORD, build_world
from tests.serving import free_port, wait_until_answering

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "console"
CHROMIUM = os.environ.get("PARKSTEWARD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if CHROMIUM is None:
        return "no Chromium found (Debian: apt-get install chromium; or set PARKSTEWARD_CHROMIUM)"
    if not console.built():
        return "the console is not built (make console needs Node.js and npm)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--use-gl=swiftshader",
                                                                             "--enable-unsafe-swiftshader"])
        yield browser
        browser.close()


@pytest.fixture
def server(database_url, tmp_path):
    app = create_app(Settings(database_url=database_url, secret_key="test-secret-of-at-least-32-bytes-length",
                              data_dir=tmp_path / "data", document_dir=tmp_path / "documents"))
    with app.state.sessionmaker() as session:
        world = build_world(session)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", app, world
    server.should_exit = True
    thread.join(10)
    app.state.engine.dispose()


@dataclass
class Served:
    base: str  # the console's and the API's address
    gateway_port: int  # the HJ 212 TCP gateway's
    sessions: object  # a sessionmaker on the same store, for the test's own reads
    world: object


@pytest.fixture
def served(database_url, tmp_path):
    """The whole server as `parksteward serve` runs it, in a process of its own: the API, the HJ 212
    TCP gateway, the alarm stage and the roll-ups, on a small world."""
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        world = build_world(session)
    port, gateway_port = free_port(), free_port()
    env = {**os.environ, "PARKSTEWARD_SECRET_KEY": "test-secret-of-at-least-32-bytes-length",
           "PARKSTEWARD_DATA_DIR": str(tmp_path / "data"), "PARKSTEWARD_DOCUMENT_DIR": str(tmp_path / "documents")}
    process = subprocess.Popen(
        [sys.executable, "-m", "parksteward.cli", "serve", "--db", database_url, "--port", str(port),
         "--gateway-port", str(gateway_port), "--gateway-workers", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(process, f"{base}/api/v1/health", 60)
    yield Served(base, gateway_port, sessions, world)
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
    engine.dispose()


def log_in(browser, base: str, username: str, password: str = PASSWORD):
    page = browser.new_page(viewport={"width": 1400, "height": 860})
    page.goto(f"{base}/console")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def rendered_points(page) -> set[str]:
    page.wait_for_function("window.parkMap && window.parkMap.loaded() && window.parkMap.isStyleLoaded()",
                           timeout=30_000)
    page.wait_for_timeout(300)  # the last frame drawn
    codes = page.evaluate("window.parkMap.queryRenderedFeatures({layers: ['monitoring_point-circle']})"
                          ".map(f => f.properties.code)")
    return set(codes)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
