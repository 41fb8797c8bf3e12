"""The park console is served by the platform itself: its page, and the assets built from npm packages."""

import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from parksteward.config import Settings
from parksteward.web import console


def _app(assets, **settings) -> TestClient:
    app = FastAPI()
    console.mount_console(app, Settings(**settings), assets)
    return TestClient(app)


def test_the_page_loads_its_assets_from_this_server_only(tmp_path):
    (tmp_path / "app.js").write_text("console.log('map')")
    (tmp_path / "app.css").write_text("body{}")
    client = _app(tmp_path)
    page = client.get("/console")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    urls = [url for url in re.findall(r'(?:src|href)="([^"]+)"', page.text) if not url.startswith("data:")]
    assert sorted(url.split("?")[0] for url in urls) == ["/console/assets/app.css", "/console/assets/app.js"]
    assert all(client.get(url).status_code == 200 for url in urls)
    assert client.get("/console/assets/app.js").text == "console.log('map')"
    assert "https://" not in page.text and "http://" not in page.text  # no CDN: parks run on isolated networks


def test_a_configured_tile_url_reaches_the_page(tmp_path):
    (tmp_path / "app.js").write_text("")
    (tmp_path / "app.css").write_text("")
    page = _app(tmp_path, console_tile_url="https://tiles.park.example/{z}/{x}/{y}.png").get("/console")
    assert '"tileUrl": "https://tiles.park.example/{z}/{x}/{y}.png"' in page.text


def test_an_unbuilt_console_says_how_to_build_it(tmp_path):
    page = _app(tmp_path / "nothing-here").get("/console")
    assert page.status_code == 503 and "make console" in page.text


@pytest.mark.skipif(not console.built(), reason="the console is not built here (make console needs Node.js and npm)")
def test_the_built_bundle_carries_maplibre_and_the_console():
    bundle = (console.ASSETS / "app.js").read_text()
    assert "maplibregl" in bundle or "maplibre" in bundle.lower()
    assert "monitoring_point-circle" in bundle  # the console's own layers
    assert ".maplibregl-map" in (console.ASSETS / "app.css").read_text()  # MapLibre's stylesheet


def test_assets_are_cached_as_immutable_and_the_page_is_not(tmp_path):
    (tmp_path / "app.js").write_text("")
    (tmp_path / "app.css").write_text("")
    client = _app(tmp_path)
    assert client.get("/console/assets/app.js").headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in client.get("/console").headers.get("cache-control", "")  # names the new build


def test_the_page_hands_the_console_the_registrys_labels(tmp_path):
    (tmp_path / "app.js").write_text("")
    (tmp_path / "app.css").write_text("")
    page = _app(tmp_path).get("/console").text
    handed = json.loads(re.search(r"window\.PARKSTEWARD = (\{.*\});</script>", page).group(1))
    # registry/choices.py: POINT_KINDS["stack_cems"], RECEPTOR_KINDS["school"]
    assert handed["vocabularies"]["point_kinds"]["stack_cems"] == {"zh-CN": "烟气在线监测", "en": "stack CEMS"}
    assert handed["vocabularies"]["receptor_kinds"]["school"] == {"zh-CN": "学校", "en": "school"}


@pytest.mark.skipif(not console.built(), reason="the console is not built here (make console needs Node.js and npm)")
def test_echarts_comes_in_a_chunk_of_its_own_not_with_the_map():
    chunks = list((console.ASSETS / "chunks").glob("echarts-setup-*.js"))
    assert len(chunks) == 1 and "echarts" in chunks[0].read_text().lower()
    bundle = (console.ASSETS / "app.js").read_text()
    assert f"chunks/{chunks[0].name}" in bundle  # imported when the first chart opens
    assert len(bundle) < 1.5e6 and chunks[0].stat().st_size > 2e5
