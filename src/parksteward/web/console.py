"""Serve the park console: one HTML page and the assets ``make console`` built from ``frontend/``.

The assets (MapLibre GL and the console's own code, bundled by esbuild) are served from this
server: nothing loads from a CDN, because parks run on isolated networks. Where they were not
built (no Node.js on the machine), ``/console`` says how to build them instead of a broken page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from parksteward.config import Settings
from parksteward.registry import choices

ASSETS = Path(__file__).parent / "static" / "console"
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def built(assets: Path = ASSETS) -> bool:
    return (assets / "app.js").is_file() and (assets / "app.css").is_file()


class ImmutableAssets(StaticFiles):
    """Built assets, cached by browsers for a year: their addresses change with each build (the
    page asks for app.js?v=<build time>; esbuild names chunks by their content's hash)."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def mount_console(app: FastAPI, settings: Settings, assets: Path = ASSETS) -> None:
    """``/console`` (the page) and ``/console/assets/`` (its built files) on ``app``."""
    app.mount("/console/assets", ImmutableAssets(directory=assets, check_dir=False), name="console-assets")

    @app.get("/console", response_class=HTMLResponse, include_in_schema=False)
    def console(request: Request):
        if not built(assets):
            return TEMPLATES.TemplateResponse(request, "console_unbuilt.html", status_code=503)
        version = int((assets / "app.js").stat().st_mtime)  # a new build is fetched, not a cached one
        return TEMPLATES.TemplateResponse(request, "console.html", {
            "tile_url": settings.console_tile_url, "version": version, "vocabularies": VOCABULARIES})


# The registry's controlled vocabularies with their Chinese and English labels, handed to the
# console in the page, so that its labels come from the one place the API validates against.
VOCABULARIES = {
    name.lower(): {key: {"zh-CN": zh, "en": en} for key, (zh, en) in getattr(choices, name).items()}
    for name in ("INDUSTRIES", "SIZE_CLASSES", "POLLUTION_CLASSES", "SOURCE_KINDS", "DISCHARGE_DESTINATIONS",
                 "POINT_KINDS", "RECEPTOR_KINDS", "RISK_SOURCE_KINDS", "ZONE_KINDS")
}
