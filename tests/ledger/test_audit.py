"""Forensics: readings and documents notarized through the platform, then altered, deleted, inserted
or replaced behind its back; the audit finds each, names whose and when, and shows the original."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from parksteward.access.actor import SYSTEM
from parksteward.config import Settings
from parksteward.documents import service as documents
from parksteward.hj212 import build_frame
from parksteward.ingest.notary import ReadingsNotary, ref_of
from parksteward.ingest.pipeline import Arrival, CommittedBatch, Pipeline
from parksteward.ledger.audit import audit
from parksteward.ledger.store import LogStore
from parksteward.registry.tables import Device
from tests.factories import build_world


def _hourly(mn: str, hour: int, so2: str) -> bytes:
    cp = [("DataTime", f"202503150{hour}0000"), ("a21026-Avg", so2), ("a21026-Flag", "N"),
          ("a19001-Avg", "9.4"), ("a19001-Flag", "N")]
    return build_frame(st="31", cn="2061", mn=mn, pw="123456", qn=f"2025031510000{hour}123", flag=5, cp=cp)


@pytest.fixture
def notarized(engine, session_factory, tmp_path):
    """Three hourly frames of device A stored and notarized, and one document uploaded."""
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "data", document_dir=tmp_path / "docs")
    with session_factory() as session:
        world = build_world(session)
        session.commit()
        mn = session.get(Device, world.device["a"]).mn
    log = LogStore(engine, settings.ledger_origin)
    notary = ReadingsNotary(engine, log)
    batches: list[CommittedBatch] = []
    pipeline = Pipeline(engine, on_commit=batches.append)
    for hour, so2 in ((7, "24.8"), (8, "25.1"), (9, "26.0")):
        [outcome] = pipeline.process([Arrival(_hourly(mn, hour, so2), peer="127.0.0.1:5000")])
        assert outcome.ok
    assert notary.notarize(batches) == 3
    with session_factory() as session:
        document = documents.upload(session, SYSTEM, log, settings.document_dir, io.BytesIO("环评报告全文".encode()),
                                    filename="eia.pdf", kind="eia_report", title="乙烯项目环评报告",
                                    enterprise_id=world.enterprise["a"])
    return settings, world, mn, document


def test_a_clean_store_audits_clean(engine, notarized):
    settings, *_ = notarized
    report = audit(engine, settings)
    assert report.clean and report.checked == 4


def test_altered_deleted_and_inserted_readings_are_found_with_the_original(engine, notarized):
    settings, world, mn, _ = notarized
    first = audit(engine, settings)
    assert first.clean
    device = world.device["a"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE reading SET value = 12.0 WHERE device_id = :d AND factor = 'a21026' "
                          "AND t = (SELECT MIN(t) FROM reading WHERE device_id = :d)"), {"d": device})
        t_max = conn.execute(text("SELECT MAX(t) FROM reading WHERE device_id = :d"), {"d": device}).scalar()
        conn.execute(text("DELETE FROM reading WHERE device_id = :d AND t = :t"), {"d": device, "t": t_max})
        conn.execute(text("INSERT INTO reading (device_id, interval, t, factor, field, value, flag, code, "
                          "received_ms) VALUES (:d, 'hour', :t, 'a21026', 'Avg', 3.0, 'N', 'a21026', 0)"),
                     {"d": device, "t": t_max + 3600})
    report = audit(engine, settings)
    assert not report.clean
    by_change = {f.change: f for f in report.findings}
    assert sorted(by_change) == ["altered", "deleted", "inserted"]
    altered = by_change["altered"]
    assert altered.kind == "readings" and altered.submitter == f"mn:{mn}"
    assert altered.changed_after_ms == first.finished_ms and altered.changed_before_ms == report.started_ms
    assert ["a21026", "Avg", "12", "N"] in altered.current["values"]
    assert ["a21026", "Avg", "24.8", "N"] in altered.original["values"]  # from the raw-frame archive
    assert "a21026-Avg=24.8" in altered.original["frame"]
    assert by_change["deleted"].ref == ref_of(device, "hour", t_max)
    assert by_change["inserted"].ref == ref_of(device, "hour", t_max + 3600)


def test_a_document_replaced_on_disk_or_edited_is_found(engine, notarized):
    settings, _, _, document = notarized
    path = documents.file_path(settings.document_dir, document.sha256)
    path.write_bytes("篡改后的报告".encode())
    report = audit(engine, settings)
    [finding] = report.findings
    assert finding.change == "altered" and finding.ref == f"document:{document.id}"
    assert "file on disk has SHA-256" in finding.detail and finding.submitter == "system"
    path.write_bytes("环评报告全文".encode())  # restored
    assert audit(engine, settings).clean
    with engine.begin() as conn:
        conn.execute(text("UPDATE document SET title = '另一个报告' WHERE id = :i"), {"i": document.id})
    [finding] = audit(engine, settings).findings
    assert finding.change == "altered" and finding.current["title"] == "另一个报告"
