"""The command line, end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from parksteward.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_init_demo_then_stats(database_url, tmp_path):
    result = invoke("init", "--demo", "--db", database_url)
    assert result.exit_code == 0, result.output
    assert "warnings ready: 10 rules" in result.output  # the demo park comes with its rules and plan
    result = invoke("park", "stats", "--json", "--db", database_url)
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)  # exactly one JSON object, nothing else
    assert stats["enterprises"] == 82
    assert stats["monitoring_points"] >= 500
    assert stats["residential_areas"] == 3
    assert stats["water_source_zones"] == 2
    assert stats["devices"] >= stats["monitoring_points"]
    assert stats["stacks"] > 0 and stats["risk_sources"] > 0
    # A second init --demo leaves the park as it is.
    assert "not built again" in invoke("init", "--demo", "--db", database_url).output

    exported = tmp_path / "park.geojson"
    assert invoke("park", "export", str(exported), "--db", database_url).exit_code == 0
    collection = json.loads(exported.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"

    fresh = f"sqlite:///{tmp_path / 'copy.db'}"
    result = invoke("park", "import", str(exported), "--db", fresh)
    assert result.exit_code == 0, result.output
    copied = json.loads(invoke("park", "stats", "--json", "--db", fresh).output)
    assert {k: v for k, v in copied.items() if k != "park_id"} == {k: v for k, v in stats.items() if k != "park_id"}


def test_user_add_and_its_errors(tmp_path):
    db = str(tmp_path / "users.db")  # a bare path means a SQLite file
    result = invoke("user", "add", "wang", "--role", "steward", "--password", "long enough pw", "--db", db)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["user", "add", "wang", "--role", "steward", "--password", "long enough pw", "--db", db])
    assert result.exit_code == 1 and "username" in result.output and "taken" in result.output
    result = runner.invoke(app, ["user", "add", "li", "--role", "emperor", "--password", "long enough pw", "--db", db])
    assert result.exit_code == 1 and "unknown role 'emperor'" in result.output


def test_stats_on_an_empty_store_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["park", "stats", "--json", "--db", str(tmp_path / "empty.db")])
    assert result.exit_code == 1 and "parksteward init --demo" in result.output


def test_unreachable_store_is_a_clear_error():
    result = runner.invoke(app, ["park", "stats", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"])
    assert result.exit_code == 1 and "cannot open the store" in result.output


def test_import_of_a_broken_file_imports_nothing(tmp_path):
    db = str(tmp_path / "broken.db")
    path = tmp_path / "broken.geojson"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["park", "import", str(path), "--db", db])
    assert result.exit_code == 1 and "cannot read" in result.output
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature"}]}), encoding="utf-8")
    result = runner.invoke(app, ["park", "import", str(path), "--db", db])
    assert result.exit_code == 1 and "features" in result.output
    assert "holds no park" in runner.invoke(app, ["park", "stats", "--db", db]).output
