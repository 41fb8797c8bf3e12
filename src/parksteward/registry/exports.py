"""The park's GeoJSON export, kept as bytes until the registry changes.

Every console that opens draws the park from its export (``/parks/{id}/geojson?view=map``),
a few hundred kilobytes built from some two thousand registry rows; the registry itself
changes a few times a day. So the export is made once per registry version and actor scope
and served as stored bytes, with an ETag the browser revalidates (``304 Not Modified``).

The version is read from the database on every request (each registry table's row count and
newest ``updated_at``, one statement), not from this process's memory: another worker or the
CLI may have edited the registry.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.registry import geojson
from parksteward.registry.service import parks
from parksteward.registry.tables import Device

# Every table an export reads: its features' tables and the devices inside its points.
REGISTRY_TABLES = tuple(service.model for service in geojson.SERVICES.values()) + (Device,)
KEPT = 16  # exports kept: parks x scopes x views in use at once


def registry_version(session: Session) -> tuple:
    """Changes whenever a registry row is added, edited or deleted.

    Per table its row count (a deletion lowers it) and its newest ``updated_at`` (an edit or
    an addition raises it; every registry table has one, set on each ORM or Core update).
    """
    columns = []
    for table in REGISTRY_TABLES:
        columns += [select(func.count()).select_from(table).scalar_subquery(),
                    select(func.max(table.updated_at)).scalar_subquery()]
    return tuple(session.execute(select(*columns)).one())


class ParkExports:
    """The last :data:`KEPT` exports, each as JSON bytes under the registry version it was made from."""

    def __init__(self, kept: int = KEPT):
        self._kept = kept
        self._entries: OrderedDict[tuple, tuple[tuple, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, actor: Actor, park_id: int, view: str) -> tuple[bytes, str]:
        """(the export as JSON bytes, its ETag) for ``actor``'s view of the park: ``full`` or ``map``."""
        parks.get(session, actor, park_id)  # may this actor read the park at all: asked every time
        version = registry_version(session)
        # What an export holds depends on the actor's scope only: its role (which decides the
        # device hashes too) and its enterprise.
        key = (park_id, view, actor.role, actor.enterprise_id)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1], entry[2]
        collection = geojson.export_park(session, actor, park_id, labels=view == "map")
        if view == "map":
            collection = geojson.map_view(collection)
        # As Starlette's JSONResponse renders it.
        body = json.dumps(collection, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        etag = '"' + hashlib.sha256(repr((key, version)).encode() + body).hexdigest()[:32] + '"'
        with self._lock:
            self._entries[key] = (version, body, etag)
            self._entries.move_to_end(key)
            while len(self._entries) > self._kept:
                self._entries.popitem(last=False)
        return body, etag
