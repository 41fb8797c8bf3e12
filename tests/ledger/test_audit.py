"""Forensics: frames and documents notarized through the platform, then readings altered, deleted
or inserted, archived frames changed and documents replaced behind its back; the audit finds
each, names whose and when, and shows what the device sent."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from parksteward.access.actor import SYSTEM
from parksteward.config import Settings
from parksteward.documents import service as documents
from parksteward.hj212 import build_frame
from parksteward.ingest.notary import FrameNotary, readings_ref
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
    """Three hourly frames of device A (two batches) and a refused frame stored and notarized, one document."""
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "data", document_dir=tmp_path / "docs")
    with session_factory() as session:
        world = build_world(session)
        session.commit()
        mn = session.get(Device, world.device["a"]).mn
    log = LogStore(engine, settings.ledger_origin)
    notary = FrameNotary(log)
    batches: list[CommittedBatch] = []
    pipeline = Pipeline(engine, on_commit=batches.append)
    outcomes = pipeline.process([Arrival(_hourly(mn, 7, "24.8")), Arrival(_hourly(mn, 8, "25.1")),
                                 Arrival(_hourly(mn, 9, "26.0").replace(b"123456", b"654321"))])  # wrong password
    outcomes += pipeline.process([Arrival(_hourly(mn, 9, "26.0"))])
    assert [o.ok for o in outcomes] == [True, True, False, True]
    assert [len(b.frames) for b in batches] == [3, 1]
    assert notary.notarize(batches) == 2 and notary.frames == 4
    with session_factory() as session:
        document = documents.upload(session, SYSTEM, log, settings.document_dir, io.BytesIO("环评报告全文".encode()),
                                    filename="eia.pdf", kind="eia_report", title="乙烯项目环评报告",
                                    enterprise_id=world.enterprise["a"])
    return settings, world, mn, document


def test_a_clean_store_audits_clean(engine, notarized):
    settings, *_ = notarized
    report = audit(engine, settings)
    assert report.clean, report.findings
    assert report.checked == 3  # two batches of frames, one document


def test_altered_deleted_and_inserted_readings_are_found_with_what_was_sent(engine, notarized):
    settings, world, mn, _ = notarized
    first = audit(engine, settings)
    assert first.clean
    device = world.device["a"]
    # Tampering behind the platform's back, in the stored reading sets (the reading view unfolds them).
    set_value = {"sqlite": "json_set(data, '$.\"a21026,Avg\"[0]', 12.0)",
                 "postgresql": "jsonb_set(data, '{\"a21026,Avg\",0}', '12.0')"}[engine.dialect.name]
    inserted = {"sqlite": "json_object('a21026,Avg', json_array(3.0, 'N'))",
                "postgresql": "jsonb_build_object('a21026,Avg', jsonb_build_array(3.0, 'N'))"}[engine.dialect.name]
    with engine.begin() as conn:
        t_min, t_max = conn.execute(text("SELECT MIN(t), MAX(t) FROM reading WHERE device_id = :d"),
                                    {"d": device}).one()
        conn.execute(text(f"UPDATE reading_set SET data = {set_value} WHERE device_id = :d AND t = :t"),
                     {"d": device, "t": t_min})
        conn.execute(text("DELETE FROM reading_set WHERE device_id = :d AND t = :t"), {"d": device, "t": t_max})
        conn.execute(text(f"INSERT INTO reading_set (device_id, interval, t, received_ms, data) "
                          f"VALUES (:d, 'hour', :t, 0, {inserted})"), {"d": device, "t": t_max + 3600})
    report = audit(engine, settings)
    by_change = {f.change: f for f in report.findings}
    assert sorted(by_change) == ["altered", "deleted", "inserted"], report.findings
    altered = by_change["altered"]
    assert altered.kind == "frames" and altered.ref == readings_ref(device, "hour", t_min)
    assert altered.submitter == f"mn:{mn}" and altered.leaf_index == 0
    assert altered.changed_after_ms == first.finished_ms and altered.changed_before_ms == report.started_ms
    assert altered.original["a21026-Avg"] == {"value": 24.8, "flag": "N"}  # what the device sent
    assert altered.current["a21026-Avg"] == {"value": 12.0, "flag": "N"}
    assert "a21026-Avg sent 24.8 (N), stored 12.0 (N)" in altered.detail
    assert by_change["deleted"].ref == readings_ref(device, "hour", t_max) and by_change["deleted"].leaf_index == 1
    assert by_change["inserted"].ref == readings_ref(device, "hour", t_max + 3600)


def test_a_changed_or_removed_archived_frame_is_found(engine, notarized):
    settings, *_ = notarized
    with engine.begin() as conn:
        raw = conn.execute(text("SELECT raw FROM raw_frame WHERE id = 2")).scalar()
        conn.execute(text("UPDATE raw_frame SET raw = :r WHERE id = 2"), {"r": bytes(raw).replace(b"25.1", b"21.5")})
    findings = audit(engine, settings).findings
    # the batch no longer matches its root; and the readings of the changed frame (whose checksum
    # fails now) are accounted for by no valid notarized frame
    assert [(f.change, f.kind, f.leaf_index) for f in findings] == [("altered", "frames", 0),
                                                                    ("inserted", "frames", None)]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM raw_frame WHERE id = 4"))
    findings = audit(engine, settings).findings  # batch 1 held frame 4 only: the whole batch is gone
    assert {(f.change, f.leaf_index) for f in findings} == {("altered", 0), ("deleted", 1), ("inserted", None)}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM raw_frame WHERE id = 1"))
    gone = [f for f in audit(engine, settings).findings if f.leaf_index == 0]
    assert gone and "frame(s) 1 gone from the archive" in gone[0].detail


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
