"""HJ 941-2018 grade of an enterprise from the registry, checked by hand."""

from __future__ import annotations


def test_enterprise_a_is_graded_from_its_inventory_and_neighbours(client, world, login):
    # Enterprise A (118.79 E, 32.25 N) keeps 120 t of chlorine in T-301; chlorine's critical
    # quantity is 1 t (HJ 169 B.1), so Q = 120 -> Q3 (Q >= 100). The one sensitive receptor,
    # 长芦社区 (12,000 people) at 118.84 E, 32.25 N, is 0.05 deg x cos(32.25 deg) x 111.3 km = 4.71 km
    # away: within 5 km, not within 500 m -> air E2 (10,000-50,000). Air M: one chlorination unit
    # (10) + no boundary toxic-gas monitoring (25) = 35 -> M2 (25 <= M < 45). Matrix E2-Q3-M2: 重大.
    # Water: M = 10 + 10 (one control item) = 20 -> M1; E3, Q3, M1: 较大. The enterprise: the higher, 重大.
    steward = login("steward")
    answer = client.post(f"/api/v1/enterprises/{world.enterprise['a']}/risk-grade", headers=steward, json={
        "process_units": [{"name": "氯化装置", "category": "key_hazardous", "process": "chlorination"}],
        "toxic_gas_monitoring_missing": True,
        "water_controls": [{"item": "accident_water_collection", "points": 10}],
        "water_sensitivity": "E3"})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["registry"]["population_within_5km"] == 12000 and report["registry"]["population_within_500m"] == 0
    grade = report["grade"]
    text = str(grade)
    assert grade["grade"] == "重大", text
    assert "Q3" in text and "M2" in text and "E2" in text
    assert report["registry"]["substances"] == [{"substance": "氯 chlorine", "cas": "7782-50-5", "quantity_t": 120.0}]


def test_bad_grading_input_is_named(client, world, login):
    steward = login("steward")
    answer = client.post(f"/api/v1/enterprises/{world.enterprise['a']}/risk-grade", headers=steward, json={
        "process_units": [{"name": "x", "category": "dangerous"}], "water_sensitivity": "E9"})
    assert answer.status_code == 422
    fields = {tuple(e["loc"][-2:]) for e in answer.json()["detail"]}
    assert ("body", "water_sensitivity") in fields or any("water_sensitivity" in e["loc"] for e in answer.json()["detail"])
