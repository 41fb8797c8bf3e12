"""The gateway's view of registered devices: MN -> device, with cached password checks.

Argon2 verification costs milliseconds; a data logger sends its password in every frame,
so a verified (MN, PW) pair is remembered until the device changes (``refresh``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from parksteward.db import make_sessionmaker
from parksteward.registry.service import DEVICE_PASSWORDS
from parksteward.registry.tables import Device, MonitoringPoint, Park


@dataclass(frozen=True)
class KnownDevice:
    id: int
    mn: str
    password_hash: str
    checksum_policy: str
    protocol_version: str
    point_id: int
    timezone: ZoneInfo


class DeviceDirectory:
    # An unknown MN triggers a reload at most this often [s], so devices registered through
    # the API are heard without a restart and a flood of strangers costs no more than this.
    RELOAD_INTERVAL = 5.0
    # Devices are reloaded at least this often [s], so that a deleted or changed device (its
    # password, its checksum policy) is seen by every gateway process without a restart.
    MAX_AGE = 60.0

    def __init__(self, engine: Engine):
        self._sessions = make_sessionmaker(engine)
        self._loaded_at: float | None = None  # loaded on first use
        self._lock = threading.Lock()
        self._by_mn: dict[str, KnownDevice] = {}
        self._verified: set[tuple[str, str]] = set()

    def refresh(self) -> None:
        """Reload devices from the store (after devices are added or changed)."""
        self._loaded_at = time.monotonic()
        with self._sessions() as session:
            rows = session.execute(
                select(Device, MonitoringPoint.id, Park.timezone)
                .join(MonitoringPoint, Device.point_id == MonitoringPoint.id)
                .join(Park, MonitoringPoint.park_id == Park.id)
            ).all()
        zones: dict[str, ZoneInfo] = {}
        by_mn = {
            device.mn: KnownDevice(device.id, device.mn, device.password_hash, device.checksum_policy,
                                   device.protocol_version, point_id, zones.setdefault(tz, ZoneInfo(tz)))
            for device, point_id, tz in rows
        }
        with self._lock:
            old = self._by_mn
            # A verified password stays verified only while the device's hash is unchanged.
            self._verified = {(mn, pw) for mn, pw in self._verified
                              if mn in by_mn and mn in old and by_mn[mn].password_hash == old[mn].password_hash}
            self._by_mn = by_mn

    def get(self, mn: str | None) -> KnownDevice | None:
        if mn is None:
            return None
        age = None if self._loaded_at is None else time.monotonic() - self._loaded_at
        if age is not None and age > self.MAX_AGE:
            self.refresh()
            age = 0.0
        device = self._by_mn.get(mn)
        if device is None and (age is None or age > self.RELOAD_INTERVAL):
            self.refresh()
            device = self._by_mn.get(mn)
        return device

    def authenticate(self, mn: str | None, password: str | None) -> KnownDevice | None:
        """The device with this MN if ``password`` is its password; None otherwise."""
        device = self.get(mn)
        if device is None or password is None:
            return None
        key = (device.mn, password)
        if key in self._verified:
            return device
        if not DEVICE_PASSWORDS.verify(password, device.password_hash):
            return None
        with self._lock:
            self._verified.add(key)
        return device
