"""The enterprise file (一企一档) in the console (Playwright driving Debian's Chromium): it lists
exactly the sources, points, devices and risk sources the test stored for the enterprise, the
risk grade's working from those inventories, and the enterprise's documents with receipts that
verify; an enterprise user cannot open another enterprise's file."""

import hashlib
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from parksteward.access.actor import SYSTEM
from parksteward.hj212 import build_frame
from parksteward.registry import service
from parksteward.registry.tables import Device, Enterprise, MonitoringPoint
from tests.factories import CREDIT_B, PASSWORD
from tests.web.browser import log_in, rendered_points, shot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _token(base: str, username: str) -> dict:
    answer = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _upload(base: str, headers: dict, title: str, kind: str, content: bytes) -> dict:
    answer = httpx.post(f"{base}/api/v1/documents", headers=headers, data={"kind": kind, "title": title},
                        files={"file": ("permit.pdf", content, "application/pdf")})
    assert answer.status_code == 201, answer.text
    return answer.json()


def _click_at(page, lon: float, lat: float) -> None:
    rendered_points(page)
    x, y = page.evaluate(f"(() => {{ const p = window.parkMap.project([{lon}, {lat}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def _codes(page, section: str) -> list[str]:
    return page.eval_on_selector_all(f"[data-section={section}] tbody tr", "rows => rows.map(r => r.dataset.code)")


@pytest.fixture
def stored(server):
    """Enterprise A gets a wastewater outlet and a methanol warehouse beside the world's stack and chlorine
    tank; A and B each upload a document; a final checkpoint then covers both."""
    base, app, world = server
    with app.state.sessionmaker() as session:
        service.emission_sources.create(session, SYSTEM, {
            "enterprise_id": world.enterprise["a"], "code": "DW001", "name": "废水总排口", "kind": "wastewater_outlet",
            "lon": 118.791, "lat": 32.246, "discharge_destination": "indirect"})
        service.risk_sources.create(session, SYSTEM, {
            "enterprise_id": world.enterprise["a"], "code": "WH-01", "name": "甲类仓库", "kind": "warehouse",
            "lon": 118.792, "lat": 32.256, "capacity_t": 80.0,
            "inventory": [{"substance": "甲醇 methanol", "cas": "67-56-1", "quantity_t": 50.0}]})
        mn_a = session.get(Device, world.device["a"]).mn
    now = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d%H%M%S")
    frame = build_frame(st="31", cn="2011", mn=mn_a, pw="123456", qn=f"{now}000",
                        cp=[("DataTime", now), ("a21026-Rtd", "33.3"), ("a21026-Flag", "N")])
    sent = httpx.post(f"{base}/api/v1/ingest/frames", content=frame.decode().strip(),
                      headers={**_token(base, "admin"), "Content-Type": "text/plain"})
    assert sent.status_code == 200 and sent.json()["data"][0]["ok"], sent.text
    permit = "排污许可证正文 A".encode()
    document_a = _upload(base, _token(base, "ent_a"), "排污许可证（2026）", "discharge_permit", permit)
    document_b = _upload(base, _token(base, "ent_b"), "企业B 环评报告", "eia_report", "B 的报告".encode())
    app.state.ledger.checkpointer.checkpoint()
    return {"document_a": document_a, "document_b": document_b, "permit_sha256": hashlib.sha256(permit).hexdigest(),
            "mn_a": mn_a}


def test_the_file_of_enterprise_a_lists_what_was_stored_and_its_receipts_verify(browser, server, stored):
    base, app, world = server
    with app.state.sessionmaker() as session:
        point = session.get(MonitoringPoint, world.point["a"])
        code, lon, lat = point.code, point.lon, point.lat
    page = log_in(browser, base, "admin")
    _click_at(page, lon, lat)  # the point's panel, then its link to the file
    page.click(f".panel[data-point='{code}'] [data-testid=open-enterprise]")
    page.wait_for_selector(f".ent-file[data-enterprise='{world.enterprise['a']}'] [data-section=documents]",
                           timeout=10_000)
    assert page.inner_text("#drawer h2") == "企业档案 · 企业A"
    facts = page.inner_text("[data-section=basics]")
    assert "91350100M000100Y43" in facts and "精细化工" in facts and "张三" in facts and "13800000000" in facts

    assert sorted(_codes(page, "sources")) == ["DA001", "DW001"]
    assert _codes(page, "points") == [code]
    assert page.eval_on_selector_all("[data-section=points] [data-mn]", "d => d.map(x => x.dataset.mn)") == [stored["mn_a"]]
    assert sorted(_codes(page, "risk-sources")) == ["T-301", "WH-01"]
    inventories = page.inner_text("[data-section=risk-sources]")
    assert "氯 chlorine (CAS 7782-50-5) · 120 t" in inventories and "甲醇 methanol (CAS 67-56-1) · 50 t" in inventories
    latest = page.eval_on_selector_all("[data-section=latest] tbody tr",
                                       "rows => rows.map(r => [r.dataset.point, r.dataset.factor, r.innerText])")
    assert [(p, f) for p, f, _ in latest] == [(code, "a21026")] and "二氧化硫\t33.3\tmg/m³\tN" in latest[0][2]
    assert "未解除报警: 0" in page.inner_text("[data-section=alarms]")

    # Documents: only A's, each with its leaf in the log.
    rows = page.eval_on_selector_all("[data-section=documents] tbody tr",
                                     "rows => rows.map(r => [Number(r.dataset.document), r.dataset.leaf])")
    assert rows == [[stored["document_a"]["id"], str(stored["document_a"]["ledger_index"])]]
    with page.expect_download() as download:
        page.click(f"[data-section=documents] [data-receipt='{stored['document_a']['ledger_index']}']")
    receipt = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert receipt["leaf_index"] == stored["document_a"]["ledger_index"]
    assert receipt["record"]["content"]["sha256"] == stored["permit_sha256"]  # hashlib over the bytes sent
    verdict = httpx.post(f"{base}/api/v1/ledger/verify", json=receipt, headers=_token(base, "regulator")).json()
    assert verdict["ok"], verdict

    # The risk grade: Q from the two inventories, by hand from HJ 169-2018 Table B.1 critical quantities
    # (chlorine 1 t, methanol 10 t): 120 / 1 + 50 / 10 = 125 -> Q3 (Q >= 100). Air E from the 12 000
    # people of the one receptor within 5 km: E2 (HJ 941-2018, 10 000 to 50 000 people).
    page.click("[data-section=risk-grade] button[type=submit]")
    assert page.inner_text("[data-section=risk-grade] .error") == "请先选择水环境敏感程度 E"
    page.select_option("[data-section=risk-grade] select[name=water_sensitivity]", "E3")
    # M (HJ 941-2018 §10.2): three key supervised hazardous process units at 10 points each, capped
    # at 30, plus 25 for missing toxic-gas monitoring at the boundary (air only): air 55 -> M3
    # (45 <= M < 60), water 30 -> M2 (25 <= M < 45).
    page.fill("[data-section=risk-grade] input[name=key_hazardous]", "3")
    page.check("[data-section=risk-grade] input[name=toxic_gas_monitoring_missing]")
    page.click("[data-section=risk-grade] button[type=submit]")
    page.wait_for_selector("[data-testid=risk-grade-result]", timeout=10_000)
    air = page.eval_on_selector("[data-testid=risk-grade-result] tr[data-medium=air]",
                                "r => [...r.cells].map(c => c.innerText)")
    assert air[1] == "125 (Q3)" and air[2] == "55 (M3)"
    assert air[3].startswith("E2") and "5 km 内 12000 人" in air[3]
    water = page.eval_on_selector("[data-testid=risk-grade-result] tr[data-medium=water]",
                                  "r => [...r.cells].map(c => c.innerText)")
    assert water[2] == "30 (M2)" and water[3] == "E3"
    page.locator("[data-section=risk-grade]").scroll_into_view_if_needed()
    shot(page, "enterprise-file")
    page.close()


def test_a_click_on_an_enterprise_on_the_map_opens_its_file(browser, server):
    base, app, world = server
    with app.state.sessionmaker() as session:
        enterprise = session.get(Enterprise, world.enterprise["b"])
        lon, lat = enterprise.lon, enterprise.lat
    page = log_in(browser, base, "steward")
    _click_at(page, lon, lat)
    page.wait_for_selector(f".ent-file[data-enterprise='{world.enterprise['b']}'] [data-section=sources]",
                           timeout=10_000)
    assert page.inner_text("#drawer h2") == "企业档案 · 企业B"
    assert CREDIT_B in page.inner_text("[data-section=basics]")
    shot(page, "enterprise-file-top")
    page.close()


def test_an_enterprise_user_cannot_open_another_enterprises_file(browser, server, stored):
    base, _, world = server
    page = log_in(browser, base, "ent_a")
    rendered_points(page)
    # Its own file from the header.
    page.click("[data-testid=nav-enterprise]")
    page.wait_for_selector(f".ent-file[data-enterprise='{world.enterprise['a']}'] [data-section=documents]",
                           timeout=10_000)
    # B's file, asked for directly: a message, and nothing of B.
    page.evaluate(f"window.consoleContext.showEnterprise({world.enterprise['b']})")
    refused = page.locator("[data-testid=enterprise-refused]")
    refused.wait_for(timeout=10_000)
    assert "无法查看该企业档案" in refused.inner_text()
    drawer = page.inner_text("#drawer")
    assert "企业B" not in drawer and CREDIT_B not in drawer and stored["document_b"]["title"] not in drawer
    assert page.locator("#drawer .ent-section").count() == 0
    shot(page, "enterprise-file-refused")
    page.close()
