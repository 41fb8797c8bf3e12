"""Export and import of a whole park over HTTP."""


def test_export_then_import_over_http(client, world, login):
    headers = login("admin")
    exported = client.get(f"/api/v1/parks/{world.park}/geojson", headers=headers)
    assert exported.status_code == 200
    collection = exported.json()
    before = client.get(f"/api/v1/parks/{world.park}/stats", headers=headers).json()
    assert client.delete(f"/api/v1/parks/{world.park}", headers=headers).status_code == 204
    assert client.get("/api/v1/enterprises", headers=headers).json()["count"] == 0  # the cascade took them
    imported = client.post("/api/v1/parks/import", json=collection, headers=headers)
    assert imported.status_code == 201, imported.text
    after = client.get(f"/api/v1/parks/{imported.json()['id']}/stats", headers=headers).json()
    assert {k: v for k, v in after.items() if k != "park_id"} == {k: v for k, v in before.items() if k != "park_id"}


def test_a_failing_import_names_the_feature_and_imports_nothing(client, world, login):
    headers = login("admin")
    collection = client.get(f"/api/v1/parks/{world.park}/geojson", headers=headers).json()
    assert client.delete(f"/api/v1/parks/{world.park}", headers=headers).status_code == 204
    index = next(i for i, f in enumerate(collection["features"]) if f["properties"]["feature_type"] == "emission_source")
    collection["features"][index]["properties"]["stack_height_m"] = -1
    response = client.post("/api/v1/parks/import", json=collection, headers=headers)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["features", index, "stack_height_m"]
    assert client.get("/api/v1/parks", headers=headers).json()["count"] == 0
