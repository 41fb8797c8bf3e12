"""Tables of ingested data: the raw-frame archive, readings, and platform roll-ups.

Times are integer epoch seconds (UTC) in ``*_t`` columns: compact, fast to insert, and
period arithmetic (``t - t % 3600``) is the same on SQLite and PostgreSQL. The API turns
them into ISO 8601.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from parksteward.access.scope import Ownership
from parksteward.db.base import Base

# Intervals of stored values: what the device sent (by CN) and what the platform rolls up.
INTERVALS = ("raw", "minute", "hour", "day")
INTERVAL_OF_CN = {"2011": "raw", "2051": "minute", "2061": "hour", "2031": "day"}
PERIOD_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class RawFrame(Base):
    """Every frame (or discarded stretch of bytes) as it arrived, before parsing."""

    __tablename__ = "raw_frame"
    __ownership__ = Ownership.OPERATORS_ONLY

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    received_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    transport: Mapped[str] = mapped_column(String(8))
    peer: Mapped[str | None] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)


class FrameVerdict(Base):
    """What became of an archived frame: the device it came from and, if refused, why.

    ``frame_id`` (a ``raw_frame`` id) and ``device_id`` have no foreign-key constraints, for
    the reason :class:`Reading` has none (a trigger per inserted row; here a fifth of an
    ingest commit on PostgreSQL). The writer keeps both true per batch
    (:mod:`parksteward.ingest.store`), and triggers (migration 0010) do what ON DELETE did:
    a deleted device leaves its verdicts with no device, a deleted frame takes its verdict.

    ``device_id`` has no index (migration 0011): its entries would change one page per device
    in every ingest commit, and only a device's deletion looks verdicts up by device.
    """

    __tablename__ = "frame_verdict"
    __ownership__ = Ownership.VIA_DEVICE

    frame_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    device_id: Mapped[int | None] = mapped_column(Integer)
    mn: Mapped[str | None] = mapped_column(String(32))
    cn: Mapped[str | None] = mapped_column(String(8))
    ok: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(String(500))
    readings: Mapped[int] = mapped_column(Integer, default=0)


class ReadingSet(Base):
    """The readings of one device, interval and DataTime: what the store holds of readings.

    ``data`` is a JSON object ``{"factor,field": [value, flag]}`` (a third element is the code
    as sent where it differs from the stored factor code; jsonb on PostgreSQL). One row per
    frame, not per reading: a tenth of the primary-key entries to search and insert, far fewer
    leaf splits (migration 0012). Read readings through :class:`Reading`, the view that
    unfolds these rows.

    The primary key is the idempotency key of the reference (hj212.md §10) with factor and
    field inside ``data``: a set that meets a stored one is merged into it, the stored
    readings winning (:mod:`parksteward.ingest.store`), so a resent frame changes nothing.
    The key's order (device, interval, t) serves the reads that must stay fast on a year of
    data: a time range of one device at one interval (series, roll-ups, latest).

    ``device_id`` has no foreign-key constraint: PostgreSQL checks one with a trigger per
    inserted row (measured on per-reading rows: 6.4 -> 2.4 µs per row without). The writer
    stores only sets whose device exists, and a trigger deletes a device's sets with the
    device (migration 0012), as ON DELETE CASCADE did. On SQLite the table is WITHOUT ROWID:
    the rows live in the primary-key B-tree itself.
    """

    __tablename__ = "reading_set"
    __table_args__ = {"sqlite_with_rowid": False}
    __ownership__ = Ownership.VIA_DEVICE

    device_id: Mapped[int] = mapped_column(primary_key=True)
    interval: Mapped[str] = mapped_column(String(8), primary_key=True)
    t: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    received_ms: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[str] = mapped_column(Text().with_variant(JSONB(), "postgresql"))


class Reading(Base):
    """One value of one factor as a device sent it (a reading = one factor value): a row of the
    ``reading`` view, which unfolds :class:`ReadingSet` rows (read-only).

    ``interval`` is 'raw' (2011), 'minute' (2051), 'hour' (2061) or 'day' (2031); ``t`` is
    DataTime in UTC (the period start for minute/hour/day data); ``received_ms`` is when the
    set's first frame arrived.
    """

    __tablename__ = "reading"
    __table_args__ = {"info": {"view": True}}
    __ownership__ = Ownership.VIA_DEVICE

    device_id: Mapped[int] = mapped_column(primary_key=True)
    interval: Mapped[str] = mapped_column(String(8), primary_key=True)
    t: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    factor: Mapped[str] = mapped_column(String(16), primary_key=True)
    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(String(4))
    code: Mapped[str] = mapped_column(String(16))
    received_ms: Mapped[int] = mapped_column(BigInteger)


class Rollup(Base):
    """A platform-computed period value with its validity (HJ 75/76-style rules).

    ``valid`` is False (flag 'D') when too few valid values made the period; the mean is then
    kept for inspection but must not be used for judgement. ``corrected`` is the 折算 value
    at the point's reference O2; ``rate_g_s`` the emission rate (concentration x flow).
    """

    __tablename__ = "rollup"
    __ownership__ = Ownership.VIA_DEVICE

    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), primary_key=True)
    interval: Mapped[str] = mapped_column(String(8), primary_key=True)
    t: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    factor: Mapped[str] = mapped_column(String(16), primary_key=True)
    n_valid: Mapped[int] = mapped_column(SmallInteger)
    n_total: Mapped[int] = mapped_column(SmallInteger)
    mean: Mapped[float | None] = mapped_column(Float)
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)
    valid: Mapped[bool] = mapped_column(Boolean)
    flag: Mapped[str] = mapped_column(String(4))
    corrected: Mapped[float | None] = mapped_column(Float)
    rate_g_s: Mapped[float | None] = mapped_column(Float)


