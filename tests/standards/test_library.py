"""The standards library (parksteward.standards.library): data files, values, queries, editions.

Expected values are typed here from the reference standards.md (section named in each comment),
never computed by the library; tolerances are explicit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from parksteward.standards import library as lib
from parksteward.standards.errors import (
    AmbiguousLimitError,
    NoLimitError,
    StandardsDataError,
    StandardsQueryError,
)

ON = dt.date(2025, 1, 1)  # every shipped edition is in force on this day
DATA_FILES = sorted(lib.DATA_DIR.glob("*.yaml"))


def value(*args, **kwargs) -> float:
    return lib.limit_for(*args, on=ON, **kwargs).value


# --- every data file loads, every entry carries provenance ----------------------------------


def test_the_ten_expected_files_are_there():
    names = {f.name for f in DATA_FILES}
    assert names == {
        "gb_3095-2012.yaml", "gb_16297-1996.yaml", "gb_37822-2019.yaml", "gb_31571-2015.yaml",
        "gb_8978-1996.yaml", "gb_18918-2002.yaml", "gb_3838-2002.yaml", "gb_12348-2008.yaml",
        "hj_169-2018.yaml", "hj_941-2018.yaml",
    }


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_file_loads_and_every_raw_entry_states_source_and_verified(path: Path):
    edition = lib.load_edition(path)
    assert edition.limits
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for i, entry in enumerate(raw["entries"]):
        assert isinstance(entry.get("source"), str) and entry["source"].startswith("standards.md §"), (path.name, i)
        assert isinstance(entry.get("verified"), bool), (path.name, i)
    for limit in edition.limits:
        assert limit.standard == edition.standard and limit.version == edition.version
        assert limit.title_zh and limit.effective_source


def test_library_loads_all_editions():
    library = lib.load_library()
    assert set(library.standards()) == {
        "GB 12348", "GB 16297", "GB 18918", "GB 31571", "GB 3095", "GB 3838", "GB 37822", "GB 8978",
        "HJ 169", "HJ 941",
    }


# --- verified flags as the reference marks them ------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "verified"),
    [
        ("GB 3095", True),  # §1 checked
        ("GB 16297", True),  # §2 checked
        ("GB 37822", True),  # §3 values checked (clause numbers verify)
        ("GB 31571", False),  # §4 verify every number
        ("GB 8978", True),  # §5.1 checked
        ("GB 18918", False),  # §5.2 verify
        ("GB 3838", True),  # §6 checked
        ("GB 12348", True),  # §7 checked
        ("HJ 941", False),  # §8 organic waste liquid: verify
    ],
)
def test_verified_flag_per_standard(standard, verified):
    rows = lib.limits(standard=standard, on=ON)
    assert rows and {r.verified for r in rows} == {verified}


def test_hj169_verified_per_row():
    rows = lib.limits(standard="HJ 169", on=ON)
    unverified = {r.pollutant for r in rows if not r.verified}
    # §8: phosgene and oils are "verify", as are the Table B.2 GHS defaults; every other row "checked".
    assert unverified == {"phosgene", "oils", "unlisted substance"}


def test_edition_effective_dates_not_in_the_reference_are_unverified():
    assert lib.edition_in_force("GB 37822", ON).effective_verified is True  # §3 gives 2019-07-01
    for code in ("GB 3095", "GB 16297", "GB 8978", "GB 3838", "GB 12348", "GB 18918", "GB 31571", "HJ 169"):
        assert lib.edition_in_force(code, ON).effective_verified is False


# --- values against the reference ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pollutant", "averaging", "zone", "expected", "unit"),
    [
        ("SO2", "1h", 2, 500, "µg/m³"),  # §1 SO2 class 2 1 h
        ("SO2", "24h", 1, 50, "µg/m³"),  # §1 SO2 class 1 24 h
        ("NO2", "annual", 2, 40, "µg/m³"),  # §1
        ("CO", "1h", 2, 10, "mg/m³"),  # §1, the only mg/m³ item
        ("O3", "8h_daily_max", 1, 100, "µg/m³"),  # §1
        ("PM2.5", "24h", 2, 75, "µg/m³"),  # §1
        ("PM10", "annual", 2, 70, "µg/m³"),  # §1
        ("TSP", "24h", 1, 120, "µg/m³"),  # §1
        ("NOx", "1h", 2, 250, "µg/m³"),  # §1
        ("Pb", "quarterly", 2, 1, "µg/m³"),  # §1
        ("BaP", "24h", 2, 0.0025, "µg/m³"),  # §1
    ],
)
def test_gb3095(pollutant, averaging, zone, expected, unit):
    limit = lib.limit_for(pollutant, standard="GB 3095", averaging=averaging, zone=zone, on=ON)
    assert limit.value == pytest.approx(expected, rel=1e-12)
    assert limit.unit == unit and limit.direction == "le" and limit.medium == "ambient_air"


def test_gb3095_matches_the_dispersion_table():
    # Consistency with parksteward.dispersion.statistics.GB3095_LIMITS (same numbers, codes, tables).
    from parksteward.dispersion.statistics import GB3095_LIMITS

    assert len(GB3095_LIMITS) == len(lib.limits(standard="GB 3095", on=ON)) == 46
    for old in GB3095_LIMITS:
        averaging = "8h_daily_max" if old.averaging == "8h" else old.averaging
        new = lib.limit_for(old.hj212_code, standard="GB 3095", averaging=averaging, zone=old.zone_class, on=ON)
        factor = 1000.0 if new.unit == "mg/m³" else 1.0
        assert new.value * factor == pytest.approx(old.value_ug_m3, rel=1e-12)
        assert (new.pollutant, new.table_ref, new.reference_state) == (
            old.pollutant, old.source.split(" ", 2)[2], old.reference_state
        )


@pytest.mark.parametrize(
    ("kwargs", "expected", "unit"),
    [
        # §2 Table 2: stack concentrations
        (dict(pollutant="SO2", medium="stack", quantity="concentration", scope="others"), 550, "mg/m³"),
        (dict(pollutant="NOx", medium="stack", quantity="concentration",
              scope="HNO3, fertiliser and explosives production"), 1400, "mg/m³"),
        (dict(pollutant="methanol", medium="stack", quantity="concentration"), 190, "mg/m³"),
        (dict(pollutant="HCN", medium="stack", quantity="concentration"), 1.9, "mg/m³"),
        # §2: emission rates, grade 2 / 3, at 15 m (25 m for Cl2)
        (dict(pollutant="benzene", medium="stack", quantity="emission_rate", zone=2), 0.50, "kg/h"),
        (dict(pollutant="NMHC", medium="stack", quantity="emission_rate", zone=3), 16, "kg/h"),
        (dict(pollutant="Cl2", medium="stack", quantity="emission_rate", zone=2), 0.52, "kg/h"),
        # §2: fugitive monitoring limits
        (dict(pollutant="fluoride", medium="fugitive_boundary"), 20, "µg/m³"),
        (dict(pollutant="phenols", medium="fugitive_boundary"), 0.080, "mg/m³"),
        (dict(pollutant="HCN", medium="fugitive_boundary"), 0.024, "mg/m³"),
        (dict(pollutant="NMHC", medium="fugitive_boundary"), 4.0, "mg/m³"),
    ],
)
def test_gb16297(kwargs, expected, unit):
    limit = lib.limit_for(standard="GB 16297", on=ON, **kwargs)
    assert limit.value == pytest.approx(expected, rel=1e-12) and limit.unit == unit
    assert limit.table_ref == "Table 2" and limit.applies_to == "new" and limit.since == dt.date(1997, 1, 1)


def test_gb16297_rates_carry_their_stack_height():
    # §2: Cl2 and HCN rates are tabulated at 25 m, the others at 15 m.
    rates = lib.limits(standard="GB 16297", quantity="emission_rate", on=ON)
    assert len(rates) == 34  # 17 pollutants x 2 grades
    assert {r.pollutant for r in rates if r.stack_height_m == 25} == {"Cl2", "HCN"}
    assert {r.stack_height_m for r in rates} == {15, 25}


@pytest.mark.parametrize(
    ("averaging", "zone", "expected"),
    [("1h", "general", 10), ("1h", "special", 6), ("single", "general", 30), ("single", "special", 20)],  # §3
)
def test_gb37822_in_plant_nmhc(averaging, zone, expected):
    limit = lib.limit_for("NMHC", medium="in_plant", averaging=averaging, zone=zone, applies_to="new", on=ON)
    assert limit.value == expected and limit.unit == "mg/m³"


@pytest.mark.parametrize(
    ("kwargs", "expected", "unit"),
    [
        (dict(pollutant="NOx", medium="stack", zone="special"), 100, "mg/m³"),  # §4 process heaters, special
        (dict(pollutant="SO2", medium="stack", zone="general"), 100, "mg/m³"),  # §4 process heaters
        (dict(pollutant="NMHC", quantity="removal_efficiency", zone="general"), 95, "%"),  # §4 >= 95 %
        (dict(pollutant="toluene", medium="stack"), 15, "mg/m³"),  # §4 Table 6
        (dict(pollutant="benzene", medium="fugitive_boundary"), 0.4, "mg/m³"),  # §4 Table 7
        (dict(pollutant="COD", medium="wastewater", zone="general"), 60, "mg/L"),  # §4 Table 1
        (dict(pollutant="COD", medium="wastewater", zone="special"), 50, "mg/L"),  # §4 Table 2
        (dict(pollutant="sulfide", medium="wastewater", zone="special"), 0.5, "mg/L"),  # §4 Table 2
        (dict(pollutant="NH3-N", medium="wastewater", zone="general"), 8.0, "mg/L"),  # §4 Table 1
    ],
)
def test_gb31571(kwargs, expected, unit):
    limit = lib.limit_for(standard="GB 31571", on=ON, **kwargs)
    assert limit.value == pytest.approx(expected, rel=1e-12) and limit.unit == unit
    assert limit.verified is False


def test_gb31571_removal_efficiency_is_a_lower_bound():
    limit = lib.limit_for("NMHC", standard="GB 31571", quantity="removal_efficiency", zone="special", on=ON)
    assert (limit.direction, limit.value) == ("ge", 97)  # §4 special >= 97 %


@pytest.mark.parametrize(
    ("pollutant", "zone", "scope", "expected"),
    [
        ("COD", 1, "other dischargers", 100),  # §5.1 Table 4
        ("COD", 3, "other dischargers", 500),
        ("COD", 2, "petrochemical (incl. refining)", 120),
        ("NH3-N", 2, "API pharmaceuticals, dyes, petrochemical", 50),
        ("NH3-N", 2, "other dischargers", 25),
        ("SS", 3, "other dischargers", 400),
        ("BOD5", 1, "other dischargers", 20),
    ],
)
def test_gb8978_table4(pollutant, zone, scope, expected):
    limit = lib.limit_for(pollutant, standard="GB 8978", zone=zone, scope=scope, applies_to="new", on=ON)
    assert limit.value == expected and limit.unit == "mg/L" and limit.table_ref == "Table 4"


def test_gb8978_single_scope_items_and_dashes():
    assert value("petroleum", standard="GB 8978", zone=3) == 20  # §5.1
    assert value("phosphate (as P)", standard="GB 8978", zone=2) == 1.0  # §5.1
    dash = lib.limit_for("phosphate (as P)", standard="GB 8978", zone=3, on=ON)  # "—"
    assert dash.direction == "none" and dash.value is None


@pytest.mark.parametrize(("pollutant", "expected"), [("Hg", 0.05), ("Cd", 0.1), ("total Cr", 1.5), ("Cr(VI)", 0.5),
                                                     ("As", 0.5), ("Pb", 1.0), ("Ni", 1.0)])
def test_gb8978_class1_pollutants_at_the_workshop_outlet(pollutant, expected):
    limit = lib.limit_for(pollutant, standard="GB 8978", on=ON)  # §5.1 Table 1, any grade
    assert limit.value == expected and limit.zone_or_class is None and "workshop" in limit.condition


def test_gb8978_table2_for_existing_units():
    # §5.1: pre-1998 units, petrochemical COD 100 / 150 / 500 (Table 2).
    limit = lib.limit_for("COD", standard="GB 8978", zone=1, applies_to="existing", on=ON)
    assert (limit.table_ref, limit.value) == ("Table 2", 100)


def test_gb18918():
    assert value("COD", standard="GB 18918", zone="1A") == 50  # §5.2
    cold = lib.limits("NH3-N", standard="GB 18918", zone="1B", on=ON)
    assert sorted(r.value for r in cold) == [8, 15]  # §5.2: 8 (15 at <= 12 °C)
    assert value("TP", standard="GB 18918", zone="1A", applies_to="new") == 0.5  # built from 2006
    assert value("TP", standard="GB 18918", zone="1A", applies_to="existing") == 1  # built before 2006
    assert lib.limit_for("TN", standard="GB 18918", zone="2", on=ON).direction == "none"  # "—"
    assert {r.averaging for r in lib.limits(standard="GB 18918", on=ON)} == {"daily_mean"}


@pytest.mark.parametrize(
    ("pollutant", "zone", "scope", "direction", "expected"),
    [
        ("COD", "III", None, "le", 20),  # §6
        ("NH3-N", "II", None, "le", 0.5),
        ("CODMn", "IV", None, "le", 10),
        ("DO", "I", None, "ge", 7.5),  # DO is a lower bound
        ("DO", "V", None, "ge", 2),
        ("TP", "III", "lakes and reservoirs", "le", 0.05),
        ("TP", "III", "rivers", "le", 0.2),
        ("volatile phenol", "V", None, "le", 0.1),
        ("petroleum", "IV", None, "le", 0.5),
    ],
)
def test_gb3838(pollutant, zone, scope, direction, expected):
    limit = lib.limit_for(pollutant, standard="GB 3838", zone=zone, scope=scope, on=ON)
    assert (limit.direction, limit.value) == (direction, pytest.approx(expected, rel=1e-12))


def test_gb3838_ph_is_a_range():
    limit = lib.limit_for("pH", standard="GB 3838", zone="III", on=ON)  # §6: 6–9 for all classes
    assert (limit.direction, limit.value, limit.value_max, limit.unit) == ("range", 6, 9, "-")


@pytest.mark.parametrize(("zone", "period", "expected"), [(0, "day", 50), (0, "night", 40), (2, "day", 60),
                                                          (3, "night", 55), (4, "day", 70), (4, "night", 55)])
def test_gb12348(zone, period, expected):
    limit = lib.limit_for(standard="GB 12348", zone=zone, period=period, on=ON)  # §7
    assert limit.value == expected and limit.unit == "dB(A)"


@pytest.mark.parametrize(
    ("substance", "q_t"),
    [("chlorine", 1), ("hydrogen cyanide", 1), ("benzene", 10), ("formaldehyde", 0.5), ("ammonia", 5),
     ("hydrogen chloride", 2.5), ("hydrochloric acid", 7.5), ("ammonium nitrate", 50), ("phosgene", 0.25),
     ("oils", 2500)],
)
def test_hj169_critical_quantities(substance, q_t):
    limit = lib.limit_for(substance, medium="critical_quantity", on=ON)  # §8 Table B.1
    assert limit.value == q_t and limit.unit == "t" and limit.direction == "none"


@pytest.mark.parametrize(
    ("pollutant", "zone", "expected"),
    [("ammonia", "endpoint_1", 770), ("ammonia", "endpoint_2", 110), ("7782-50-5", "endpoint_2", 5.8),
     ("hydrogen cyanide", "endpoint_1", 17), ("hydrogen cyanide", "endpoint_2", 7.8),
     ("sulfur dioxide", "endpoint_2", 2), ("methane", "endpoint_1", 260000), ("mercury", "endpoint_1", 8.9)],
)
def test_hj169_toxic_endpoints(pollutant, zone, expected):
    limit = lib.limit_for(pollutant, medium="toxic_endpoint", zone=zone, on=ON)  # §8 Table H.1
    assert limit.value == pytest.approx(expected, rel=1e-12) and limit.unit == "mg/m³" and limit.averaging == "1h"


def test_hj169_table_b2_default():
    # §8: unlisted substance, acute toxicity category 1 -> 5 t (verify).
    limit = lib.limit_for("unlisted substance", medium="critical_quantity", zone="acute_toxicity_1", on=ON)
    assert (limit.value, limit.verified) == (5, False)


def test_pollutant_matches_name_chinese_name_code_and_cas():
    by_name = lib.limit_for("chlorine", medium="critical_quantity", on=ON)
    assert lib.limit_for("氯气", medium="critical_quantity", on=ON) == by_name
    assert lib.limit_for("7782-50-5", medium="critical_quantity", on=ON) == by_name
    assert lib.limit_for("a21026", standard="GB 3095", averaging="1h", zone=2, on=ON).pollutant == "SO2"


# --- query errors -----------------------------------------------------------------------------


def test_unknown_filter_values_name_the_parameter():
    with pytest.raises(StandardsQueryError, match="medium: unknown value 'air'.*ambient_air"):
        lib.limits(medium="air")
    with pytest.raises(StandardsQueryError, match="averaging: unknown value '8h'"):
        lib.limits(averaging="8h")
    with pytest.raises(StandardsQueryError, match="standard: 'GB 9999' is not in the library"):
        lib.limits(standard="GB 9999")
    with pytest.raises(StandardsQueryError, match="standard: edition GB 3095-1996 is not in the library"):
        lib.limits(standard="GB 3095-1996")
    with pytest.raises(StandardsQueryError, match="standard: 'not a code'"):
        lib.limits(standard="not a code")
    with pytest.raises(StandardsQueryError, match="pollutant: 'unobtainium'"):
        lib.limits(pollutant="unobtainium")
    with pytest.raises(StandardsQueryError, match="zone: 'VI' is not a zone of GB 3838"):
        lib.limits(standard="GB 3838", zone="VI")


def test_limit_for_no_match_lists_what_exists():
    with pytest.raises(NoLimitError, match="no limit in force on 2025-01-01.*GB 3095.*SO2 1h zone 2"):
        lib.limit_for("SO2", standard="GB 3095", averaging="8h_daily_max", on=ON)


def test_limit_for_ambiguous_names_the_differing_fields():
    with pytest.raises(AmbiguousLimitError, match=r"4 limits .* differ in quantity, zone_or_class, scope"):
        lib.limit_for("SO2", medium="stack", standard="GB 16297", on=ON)


def test_standard_code_is_normalised():
    assert lib.parse_standard("gb3095-2012") == ("GB 3095", 2012)
    assert lib.parse_standard(" HJ  169 ") == ("HJ 169", None)
    assert lib.limits(standard="GB 3095-2012", on=ON) == lib.limits(standard="GB 3095", on=ON)


# --- editions by date -------------------------------------------------------------------------


def test_no_edition_in_force_before_it_starts():
    # GB 3095-2012 is in force from 2016-01-01 (the date the library holds).
    assert lib.limits(standard="GB 3095", on=dt.date(2015, 12, 31)) == []
    with pytest.raises(NoLimitError, match="no edition of GB 3095 is in force on 2015-12-31"):
        lib.limit_for("SO2", standard="GB 3095", averaging="1h", zone=2, on=dt.date(2015, 12, 31))
    assert lib.limit_for("SO2", standard="GB 3095", averaging="1h", zone=2, on=dt.date(2016, 1, 1)).value == 500


def test_gb37822_binds_existing_enterprises_a_year_later():
    # §3: new enterprises from 2019-07-01, existing ones from 2020-07-01.
    before = dt.date(2020, 6, 30)
    assert lib.limits("NMHC", medium="in_plant", applies_to="existing", on=before) == []
    assert len(lib.limits("NMHC", medium="in_plant", applies_to="new", on=before)) == 4
    assert len(lib.limits("NMHC", medium="in_plant", applies_to="existing", on=dt.date(2020, 7, 1))) == 4
    assert lib.limits("NMHC", medium="in_plant", on=dt.date(2019, 6, 30)) == []


def _edition_yaml(version: int, start: str, so2: float, end: str | None = None) -> str:
    return f"""
standard: GB 99999
version: {version}
title_zh: 测试标准
title_en: Test standard
effective_from: {start}
{f"effective_to: {end}" if end else ""}
effective_source: test
effective_verified: false
zones: {{"2": class 2}}
entries:
  - {{medium: ambient_air, quantity: concentration, table_ref: Table 1, pollutant: SO2, averaging: 1h,
      zone_or_class: "2", direction: le, value: {so2}, unit: µg/m³, source: test, verified: false}}
"""


@pytest.fixture
def two_editions(tmp_path):
    (tmp_path / "old.yaml").write_text(_edition_yaml(2000, "2001-01-01", 700), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(_edition_yaml(2020, "2021-07-01", 400), encoding="utf-8")
    return lib.load_library(tmp_path)


def test_newer_edition_supersedes_older_from_its_effective_date(two_editions):
    def so2(on):
        return two_editions.limit_for("SO2", standard="GB 99999", on=on)

    assert (so2(dt.date(2010, 5, 5)).version, so2(dt.date(2010, 5, 5)).value) == (2000, 700)
    assert so2(dt.date(2021, 6, 30)).value == 700  # the day before the new edition
    assert (so2(dt.date(2021, 7, 1)).version, so2(dt.date(2021, 7, 1)).value) == (2020, 400)
    assert two_editions.edition_in_force("GB 99999", dt.date(2030, 1, 1)).version == 2020
    # An explicit old edition yields nothing once superseded.
    assert two_editions.limits(standard="GB 99999-2000", on=dt.date(2022, 1, 1)) == []
    with pytest.raises(StandardsQueryError, match="no edition of GB 99999 is in force on 2000-12-31"):
        two_editions.edition_in_force("GB 99999", dt.date(2000, 12, 31))


def test_effective_to_ends_an_edition(tmp_path):
    (tmp_path / "a.yaml").write_text(_edition_yaml(2000, "2001-01-01", 700, end="2005-01-01"), encoding="utf-8")
    library = lib.load_library(tmp_path)
    assert library.limit_for("SO2", on=dt.date(2004, 12, 31)).value == 700
    assert library.limits("SO2", on=dt.date(2005, 1, 1)) == []


def test_two_editions_starting_the_same_day_are_rejected(tmp_path):
    (tmp_path / "a.yaml").write_text(_edition_yaml(2000, "2001-01-01", 700), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(_edition_yaml(2001, "2001-01-01", 600), encoding="utf-8")
    with pytest.raises(StandardsDataError, match="starts on 2001-01-01"):
        lib.load_library(tmp_path)


# --- validation errors name file, entry and field ---------------------------------------------


def _bad(tmp_path, entry: str, header_extra: str = "") -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(f"""
standard: GB 99999
version: 2000
title_zh: 测试标准
title_en: Test standard
effective_from: 2001-01-01
effective_source: test
effective_verified: false
zones: {{"2": class 2}}
{header_extra}
entries:
  - {{medium: ambient_air, quantity: concentration, table_ref: Table 1, pollutant: SO2, averaging: 1h,
      zone_or_class: "2", direction: le, value: 500, unit: µg/m³, source: test, verified: true}}
  - {entry}
""", encoding="utf-8")
    with pytest.raises(StandardsDataError) as info:
        lib.load_edition(path)
    return str(info.value)


BASE = "medium: ambient_air, quantity: concentration, table_ref: Table 1, pollutant: NO2, direction: le, unit: µg/m³"


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        (f"{{{BASE}, value: 200}}", "source", "required on every entry"),
        (f"{{{BASE}, value: 200, source: x}}", "verified", "required on every entry"),
        (f"{{{BASE}, value: high, source: x, verified: true}}", "value", "valid number"),
        (f"{{{BASE}, value: 200, zone_or_class: '3', source: x, verified: true}}", "zone_or_class", "not one of"),
        (f"{{{BASE}, value: 200, averaging: 2h, source: x, verified: true}}", "averaging", "Input should be"),
        (f"{{{BASE}, value: 200, cas: 7782-50-4, source: x, verified: true}}", "cas", "check digit"),
        (f"{{{BASE}, source: x, verified: true}}", "(entry)", "needs a value"),
        (f"{{{BASE}, value: 200, colour: red, source: x, verified: true}}", "colour", "Extra inputs"),
        (f"{{{BASE}, value: 200, standard: GB 1, source: x, verified: true}}", "standard", "file header"),
        (f"{{{BASE}, value: 200, industries: [steel], source: x, verified: true}}", "industries", "unknown industries"),
    ],
)
def test_bad_entries_are_reported_with_file_entry_and_field(tmp_path, entry, field, message):
    text = _bad(tmp_path, entry)
    assert text.startswith("bad.yaml, entries[1] (NO2), field " + repr(field)), text
    assert message in text


def test_duplicate_entries_are_rejected(tmp_path):
    dup = ("{medium: ambient_air, quantity: concentration, table_ref: Table 1, pollutant: SO2, averaging: 1h, "
           "zone_or_class: '2', direction: le, value: 400, unit: µg/m³, source: test, verified: true}")
    assert "duplicates entries[0]" in _bad(tmp_path, dup)


def test_provenance_may_not_come_from_defaults(tmp_path):
    text = _bad(tmp_path, f"{{{BASE}, value: 1, source: x, verified: true}}", header_extra="defaults: {verified: true}")
    assert "field 'defaults.verified'" in text


def test_a_header_error_names_the_field(tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text("standard: GB 99999\nversion: nineteen\n", encoding="utf-8")
    with pytest.raises(StandardsDataError, match="h.yaml, field 'version'"):
        lib.load_edition(path)
