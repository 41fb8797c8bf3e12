"""`parksteward disperse point`: the SCREEN3-style single-stack command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from parksteward.cli import app

runner = CliRunner()
# dispersion-methods §4: no-rise stack, h_s = 50 m, Q = 100 g/s, rural D, u10 = 5 m/s
EXAMPLE = ["disperse", "point", "--q", "100", "--hs", "50", "--d", "0.01", "--vs", "0.01", "--ts", "293", "--ta", "293"]


def test_json_output_reproduces_the_worked_example():
    result = runner.invoke(app, [*EXAMPLE, "--stability", "D", "--u10", "5", "--x", "2000,1000", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    first, second = report["results"]
    assert [first["x_m"], second["x_m"]] == [2000.0, 1000.0]  # in the order given
    assert second["c_ugm3"] == pytest.approx(680.6, rel=2e-4)  # §4: C = 680.6 ug/m3
    assert second["us_ms"] == pytest.approx(6.365, abs=1e-3)  # §4: u_s = 5 (50/10)^0.15
    assert second["sigma_y_m"] == pytest.approx(68.13, abs=0.01)  # §4
    assert second["sigma_z_m"] == pytest.approx(32.09, abs=0.01)  # §4
    assert second["zi_m"] == pytest.approx(1600.0)  # §4: 320 u10
    assert second["stability"] == "D" and second["u10_ms"] == 5.0
    assert set(first) == {"x_m", "c_ugm3", "he_m", "sigma_y_m", "sigma_z_m", "us_ms", "zi_m", "stability", "u10_ms"}
    top = report["max"]
    assert 1000.0 <= top["x_m"] <= 2000.0 and top["c_ugm3"] >= second["c_ugm3"]
    assert top["stability"] == "D" and top["u10_ms"] == 5.0


def test_full_meteorology_names_the_controlling_case():
    result = runner.invoke(app, [*EXAMPLE, "--stability", "full", "--x", "1000", "--json"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)["results"][0]
    # Worst case over the screening set is at least the §4 D / 5 m/s value and names its class and wind.
    assert row["c_ugm3"] > 680.6
    assert row["stability"] in "ABCDEF" and row["u10_ms"] in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 8.0, 10.0,
                                                                15.0, 20.0)


@pytest.mark.parametrize(("args", "named"), [
    (["--stability", "D", "--x", "1000"], "u10"),
    (["--stability", "G", "--u10", "5", "--x", "1000"], "stability"),
    (["--stability", "D", "--u10", "5", "--x", "a,b"], "--x"),
])
def test_bad_input_is_named(args, named):
    result = runner.invoke(app, [*EXAMPLE, *args])
    assert result.exit_code == 1
    assert named in result.output


def test_non_physical_stack_is_named():
    args = ["disperse", "point", "--q", "100", "--hs", "-50", "--d", "1", "--vs", "10", "--ts", "400", "--ta", "293",
            "--stability", "D", "--u10", "5", "--x", "1000"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "stack_height_m" in result.output
