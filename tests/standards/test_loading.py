"""Loading further editions beside the shipped library, and checking edition files first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parksteward.cli import app
from parksteward.standards.errors import StandardsDataError
from parksteward.standards.library import DATA_DIR, library_with

SHIPPED = Path(DATA_DIR) / "gb_12348-2008.yaml"


def newer_edition(folder: Path, night_zone_3: str = "50") -> Path:
    """A (made-up) 2025 edition of GB 12348 in force from 2026, with zone 3 at night tightened to 50 dB(A)."""
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace("version: 2008", "version: 2025").replace("effective_from: 2008-10-01",
                                                                  "effective_from: 2026-01-01")
    text = text.replace('{zone_or_class: "3", period: night, value: 55,',
                        f'{{zone_or_class: "3", period: night, value: {night_zone_3},')
    path = folder / "gb_12348-2025.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_newer_edition_loaded_beside_the_shipped_ones_takes_over_from_its_date(tmp_path):
    newer_edition(tmp_path)
    library = library_with(tmp_path)
    assert library.edition_in_force("GB 12348", dt.date(2025, 6, 1)).code == "GB 12348-2008"
    assert library.edition_in_force("GB 12348", dt.date(2026, 6, 1)).code == "GB 12348-2025"
    (night,) = library.limits(standard="GB 12348", zone="3", period="night", on=dt.date(2026, 6, 1))
    assert night.value == 50.0
    (before,) = library.limits(standard="GB 12348", zone="3", period="night", on=dt.date(2025, 6, 1))
    assert before.value == 55.0


def test_a_bad_file_is_refused_naming_the_file_and_the_field(tmp_path):
    newer_edition(tmp_path, night_zone_3='"loud"')
    with pytest.raises(StandardsDataError, match="gb_12348-2025.yaml.*value"):
        library_with(tmp_path)
    result = CliRunner().invoke(app, ["standards", "check", str(tmp_path), str(SHIPPED)])
    output = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 1
    assert "✗ gb_12348-2025.yaml, entries[7] (None), field 'value'" in output
    assert "✓" in output and "GB 12348-2008, 10 limits" in output


def test_a_second_copy_of_a_shipped_edition_is_refused(tmp_path):
    (tmp_path / "copy.yaml").write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(StandardsDataError, match="already loaded"):
        library_with(tmp_path)


PROVINCIAL = """\
standard: "DB32/ 4041"
version: 2021
title_zh: 大气污染物综合排放标准
title_en: Integrated emission standard of air pollutants (Jiangsu)
effective_from: 2021-08-01
effective_source: "as recalled for this test; verify"
effective_verified: false
defaults:
  medium: stack
  quantity: concentration
  table_ref: Table 1
  direction: le
  unit: mg/m³
entries:
  - {pollutant: NMHC, name_zh: 非甲烷总烃, hj212_code: a24088, value: 60, source: "test data", verified: false}
"""


def test_a_provincial_standard_loads_under_its_db_code(tmp_path):
    (tmp_path / "db32_4041-2021.yaml").write_text(PROVINCIAL, encoding="utf-8")
    library = library_with(tmp_path)
    (nmhc,) = library.limits(standard="DB32/4041", pollutant="a24088", on=dt.date(2026, 1, 1))
    assert (nmhc.code, nmhc.value, nmhc.verified) == ("DB32/ 4041-2021", 60.0, False)
    assert library.edition_in_force("DB32 4041", dt.date(2026, 1, 1)).code == "DB32/ 4041-2021"
