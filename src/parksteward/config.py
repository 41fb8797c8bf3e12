"""Settings from the environment (``PARKSTEWARD_*``), declared once.

Every setting a user can change lives here with its description; the CLI options only
override these fields. Nothing else in the package reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///parksteward.db"


class Settings(BaseSettings):
    """ParkSteward settings; each field is read from ``PARKSTEWARD_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="PARKSTEWARD_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the store: sqlite:///path.db (embedded default, WAL mode) "
        "or postgresql+psycopg://user@host:5432/dbname.",
    )
    secret_key: str | None = Field(
        None,
        description="Key that signs login tokens (HS256). When unset, a random key is made per "
        "process, so tokens do not survive a restart; set it in production.",
    )
    token_minutes: int = Field(12 * 60, ge=1, description="Lifetime of a login token [min].")
    host: str = Field("127.0.0.1", description="Address `parksteward serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="HTTP port of the API and console.")
    console_tile_url: str | None = Field(
        None, description="Raster tiles under the console's map, e.g. a park's own tile server "
        "(`https://tiles.example/{z}/{x}/{y}.png`); unset, the park's GeoJSON is the whole base map.")
    gateway_host: str = Field("127.0.0.1", description="Address the HJ 212 TCP gateway binds to.")
    gateway_port: int = Field(9212, ge=0, le=65535, description="TCP port of the HJ 212 gateway (0: any free port).")
    gateway_workers: int | None = Field(
        None, ge=0, le=64,
        description="Worker processes that run the TCP gateway (sockets, framing, decoding) beside the one "
        "writer in the server process; 0 runs it in the server process. Unset: one per core (at most 4) "
        "on a machine with two or more cores, else 0.",
    )
    gateway_idle_timeout_s: float = Field(600.0, gt=0, description="Close a logger connection silent this long [s].")
    mqtt_host: str | None = Field(None, description="MQTT broker to subscribe to for frames and JSON readings "
                                  "(unset: no MQTT adapter).")
    mqtt_port: int = Field(1883, ge=1, le=65535, description="MQTT broker port.")
    mqtt_prefix: str = Field("parksteward", description="Topic prefix: <prefix>/hj212/<MN>, <prefix>/readings/<MN>.")
    mqtt_username: str | None = Field(None, description="MQTT user name, if the broker asks for one.")
    mqtt_password: str | None = Field(None, description="MQTT password.")
    data_dir: Path = Field(
        Path("data"),
        description="Folder `parksteward demo` keeps its demo database in.",
    )
    demo_seed: int = Field(20261128, description="Seed of the deterministic demo park.")
    document_dir: Path = Field(Path("data/documents"), description="Folder uploaded documents are kept in "
                               "(content-addressed by SHA-256).")
    ledger_origin: str = Field("envlog.parksteward.local/park", description="Origin (name) of the park's "
                               "notarization log, as its checkpoints and receipts carry it; the log key's name.")
    ledger_key_file: Path | None = Field(None, description="The log's signer key (PRIVATE+KEY text, mode 0600). "
                                         "Unset: <data_dir>/ledger/log.key, made on first use.")
    ledger_trust_file: Path | None = Field(None, description="Trust policy: the log key, required cosigners (the "
                                           "regulator), optional ones and how many are needed. Unset: a checkpoint "
                                           "is final with the log's signature alone.")
    ledger_witnesses: str | None = Field(None, description="Witnesses to send checkpoints to: comma-separated "
                                         "name=url pairs, each name a cosigner of the trust file.")
    ledger_demo_witnesses: bool = Field(False, description="Serve two demo witnesses (a regulator and an auditor) "
                                        "beside the API and require their cosignatures (`parksteward demo`).")
    ledger_checkpoint_entries: int = Field(1000, ge=1, description="Sign a checkpoint after this many new entries...")
    ledger_checkpoint_seconds: float = Field(10.0, gt=0, description="... or this long after the last one [s].")
    ledger_notarize_frames: bool = Field(True, description="Notarize every archived HJ 212 frame (one leaf per "
                                         "committed batch, with the batch's own Merkle tree; a background thread).")
    ledger_audit_hours: float = Field(24.0, ge=0, description="Run the forensic audit this often in `serve` "
                                      "(0: on demand only) [h].")
    standards_dir: Path | None = Field(None, description="Further standards editions (*.yaml in the shipped "
                                       "format: a provincial standard, a newer edition), loaded beside the "
                                       "shipped library; `parksteward standards check` validates them first.")
    alarms_enabled: bool = Field(True, description="Judge committed readings against the alarm rules.")
    alarm_sweep_seconds: float = Field(5.0, gt=0, description="How often data interruptions, hourly exceedances "
                                       "and escalations are checked [s].")
    smtp_host: str | None = Field(None, description="SMTP server for warning e-mails (unset: e-mail deliveries are "
                                  "recorded as skipped).")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port.")
    smtp_sender: str = Field("parksteward@localhost", description="From address of warning e-mails.")
    smtp_username: str | None = Field(None, description="SMTP user name, if the server asks for one.")
    smtp_password: str | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    webhook_timeout_s: float = Field(5.0, gt=0, description="Time allowed for one webhook delivery attempt [s].")
    notify_max_attempts: int = Field(8, ge=1, description="Attempts per webhook or e-mail delivery before it is "
                                     "marked failed (back-off 1, 2, 4, ... s, at most 5 min).")

    @property
    def gateway_worker_count(self) -> int:
        if self.gateway_workers is not None:
            return self.gateway_workers
        cores = os.cpu_count() or 1
        return min(4, cores) if cores >= 2 else 0
