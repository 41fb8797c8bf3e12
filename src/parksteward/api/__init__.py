"""The HTTP API: app factory, authentication and the wiring of the domain routers."""

from parksteward.api.app import create_app

__all__ = ["create_app"]
