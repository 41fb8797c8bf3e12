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


def test_the_map_view_keeps_what_a_map_draws_and_no_contacts_or_device_credentials(client, world, login):
    headers = login("steward")
    full = client.get(f"/api/v1/parks/{world.park}/geojson", headers=headers).json()
    slim = client.get(f"/api/v1/parks/{world.park}/geojson?view=map", headers=headers)
    assert slim.status_code == 200
    slim = slim.json()
    assert [f["geometry"] for f in slim["features"]] == [f["geometry"] for f in full["features"]]
    by_type = {}
    for feature in slim["features"]:
        by_type.setdefault(feature["properties"]["feature_type"], []).append(feature["properties"])
    [enterprise_a, _] = by_type["enterprise"]
    assert enterprise_a["name"] == "企业A" and enterprise_a["credit_code"] == "91350100M000100Y43"
    assert "contacts" not in enterprise_a  # names and phone numbers stay in the enterprise file
    cems = next(p for p in by_type["monitoring_point"] if p["code"] == "P-a-CEMS")
    assert cems["devices"] == [{"factor_codes": ["a21026", "a21002", "a34013", "a19001"]}]  # no MN, no password
    tank = next(p for p in by_type["risk_source"] if p["enterprise_credit_code"] == "91350100M000100Y43")
    assert (tank["code"], tank["tank_height_m"], tank["safe_level_m"]) == ("T-301", 8.0, 6.4)
    assert "inventory" not in tank
    assert client.get(f"/api/v1/parks/{world.park}/geojson?view=tiles", headers=headers).status_code == 422


def test_the_map_view_of_an_enterprise_user_holds_only_its_own_enterprise(client, world, login):
    slim = client.get(f"/api/v1/parks/{world.park}/geojson?view=map", headers=login("ent_a")).json()
    owners = {f["properties"].get("enterprise_credit_code") for f in slim["features"]} - {None}
    assert owners == {"91350100M000100Y43"}
    assert "914403001922038216" not in str(slim)  # enterprise B's credit code, nowhere


def _names(collection: dict, feature_type: str) -> dict[str, str]:
    return {f["properties"]["code"]: f["properties"]["name"] for f in collection["features"]
            if f["properties"]["feature_type"] == feature_type}


def test_the_export_follows_every_change_of_the_registry(client, world, login):
    """Exports are served from stored bytes while the registry stays the same: an edit, an
    addition and a deletion each show in the next export."""
    headers = login("admin")
    url = f"/api/v1/parks/{world.park}/geojson?view=map"
    assert _names(client.get(url, headers=headers).json(), "monitoring_point")["P-a-CEMS"] != "改名的烟囱"
    edited = client.patch(f"/api/v1/points/{world.point['a']}", json={"name": "改名的烟囱"}, headers=headers)
    assert edited.status_code == 200, edited.text
    assert _names(client.get(url, headers=headers).json(), "monitoring_point")["P-a-CEMS"] == "改名的烟囱"

    receptor = client.post("/api/v1/receptors", headers=headers, json={
        "park_id": world.park, "name": "新建小学", "kind": "school",
        "geometry": {"type": "Point", "coordinates": [119.31, 26.08]}})
    assert receptor.status_code == 201, receptor.text
    receptors = [f["properties"]["name"] for f in client.get(url, headers=headers).json()["features"]
                 if f["properties"]["feature_type"] == "sensitive_receptor"]
    assert "新建小学" in receptors
    assert client.delete(f"/api/v1/receptors/{receptor.json()['id']}", headers=headers).status_code == 204
    receptors = [f["properties"]["name"] for f in client.get(url, headers=headers).json()["features"]
                 if f["properties"]["feature_type"] == "sensitive_receptor"]
    assert "新建小学" not in receptors


def test_an_unchanged_export_is_not_sent_again(client, world, login):
    """ETag and If-None-Match (RFC 9110 §13.1.2): 304 while the registry stays the same, the new
    export after an edit; another user's scope has an ETag of its own."""
    admin = login("admin")
    url = f"/api/v1/parks/{world.park}/geojson?view=map"
    first = client.get(url, headers=admin)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get(url, headers={**admin, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, headers={**admin, "If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(f"/api/v1/parks/{world.park}/geojson", headers={**admin, "If-None-Match": etag}).status_code == 200

    enterprise = client.get(url, headers={**login("ent_a"), "If-None-Match": etag})
    assert enterprise.status_code == 200 and enterprise.headers["etag"] != etag
    assert "914403001922038216" not in enterprise.text  # enterprise B's credit code: not in A's export

    assert client.patch(f"/api/v1/enterprises/{world.enterprise['a']}", json={"name": "企业A（改）"},
                        headers=admin).status_code == 200
    changed = client.get(url, headers={**admin, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "企业A（改）" in changed.text
