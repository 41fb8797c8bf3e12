"""The standards library: limit values of Chinese environmental standards, kept as versioned data.

Every number lives in ``data/*.yaml``, one file per edition of a standard (``gb_3095-2012.yaml``),
one entry per limit value, after the reference standards.md §0: standard and edition, table,
medium, pollutant (name, HJ 212 code, CAS), averaging, zone or class, period, scope, direction,
value and unit, effective date, and where the number comes from (``source``) with how sure we
are of it (``verified``: ``true`` where the reference marks it *checked* — it matches an
independent transcription — and ``false`` where it says *verify* or the number is recalled).
No limit is written in code.

Loading validates every entry with pydantic; a bad file raises :class:`StandardsDataError`
naming the file, the entry and the field. Queries (:func:`limits`, :func:`limit_for`) pick, for
each standard, the edition in force on the given day: a newer edition supersedes an older one
from its ``effective_from``. Within an edition an entry may start later than the edition
(GB 37822-2019 binds existing enterprises a year after new ones).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from parksteward.registry.choices import INDUSTRIES
from parksteward.standards.errors import (
    AmbiguousLimitError,
    NoLimitError,
    StandardsDataError,
    StandardsQueryError,
)

DATA_DIR = Path(__file__).with_name("data")

# Vocabularies (standards.md §0). Keep the concepts apart: an ambient limit is not an emission
# limit is not a boundary limit is not a toxic endpoint is not a critical quantity.
MEDIA = (
    "ambient_air",  # 环境空气 — GB 3095
    "stack",  # 有组织排放 — emission concentration / rate at a stack
    "fugitive_boundary",  # 无组织排放监控点 at or outside the enterprise boundary
    "in_plant",  # 厂区内 — GB 37822 Annex A, outside the production building
    "wastewater",  # 废水排放
    "surface_water",  # 地表水环境质量
    "noise",  # 厂界噪声
    "toxic_endpoint",  # 大气毒性终点浓度 (HJ 169 Annex H)
    "critical_quantity",  # 临界量 (HJ 169 Annex B / HJ 941 Annex A)
)
QUANTITIES = (
    "concentration",
    "emission_rate",
    "removal_efficiency",
    "sound_level",
    "ph",
    "critical_quantity",
    "toxic_endpoint",
)
AVERAGING = (
    "1h",  # 1-h mean
    "24h",  # 24-h mean
    "8h_daily_max",  # daily maximum 8-h mean (O3)
    "annual",
    "quarterly",
    "daily_mean",  # mean over a day of samples (GB 18918)
    "single",  # any single measurement (任何一次)
    "any_1h",  # any 1-h mean
    "max_on_site",  # critical quantities: the maximum quantity present at any time
)
DIRECTIONS = ("le", "ge", "range", "none")  # none: "—" (no limit) or a reference number, not a limit
APPLIES_TO = ("new", "existing", "all")
PERIODS = ("day", "night")
SCOPE_KINDS = ("all", "others", "specific")
UNITS = ("µg/m³", "mg/m³", "kg/h", "mg/L", "dB(A)", "t", "%", "-")

# National (GB, GB/T, HJ) and provincial (DB32/ 4041, DB32/T 3151: 地方标准) standard codes.
_STANDARD_RE = re.compile(r"^(GB/T|GB|HJ|DB\d{2}/T|DB\d{2}/?)\s*(\d+(?:\.\d+)?)(?:\s*-\s*(\d{4}))?$")
_HEADER_FIELDS = ("standard", "version", "title_zh", "title_en", "file", "entry")
_EFFECTIVE_FIELDS = ("effective_from", "effective_to", "effective_source", "effective_verified")
_PROVENANCE_FIELDS = ("source", "verified")


def _cas_check_digit_ok(cas: str) -> bool:
    """CAS registry number checksum: digits weighted 1, 2, 3 … from the right, sum mod 10."""
    body, check = cas.replace("-", "")[:-1], int(cas[-1])
    return sum(i * int(d) for i, d in enumerate(reversed(body), start=1)) % 10 == check


class Limit(BaseModel):
    """One limit value (or threshold) of one edition of one standard.

    The field names follow standards.md §0; units are carried as printed (``unit``) rather than
    converted, so a value reads exactly as the standard prints it.

    Attributes
    ----------
    standard, version : str, int
        ``"GB 3095"``, 2012 — code without year, and the edition's year.
    title_zh, title_en : str
        The standard's title.
    amendment : str or None
        The amendment (修改单) the entry reflects, e.g. ``"2018 修改单"``.
    table_ref, clause : str, str or None
        Where the number is printed.
    medium : str
        One of :data:`MEDIA`.
    quantity : str
        One of :data:`QUANTITIES` (a stack has concentration and emission-rate limits).
    pollutant, name_zh, hj212_code, cas : str, str or None, str or None, str or None
        Pollutant key (``"SO2"``, ``"COD"``, ``"ammonia"``), Chinese name, HJ 212-2017 factor
        code (join key to readings) and CAS number (HJ 169 substances).
    averaging : str or None
        One of :data:`AVERAGING`; ``None`` where the reference does not state it.
    zone_or_class : str or None
        Zone, class, grade or tier in the standard's own terms (GB 3095 ``"2"``, GB 3838
        ``"III"``, GB 8978 grade ``"1"``, GB 12348 ``"3"``, GB 18918 ``"1A"``, GB 31571
        ``"special"``, HJ 169 ``"endpoint_1"``); ``None`` = the same in every zone.
    period : str or None
        ``"day"`` / ``"night"`` (noise).
    scope, scope_kind, industries : str or None, str, tuple of str
        To whom the value applies as printed (``"other dischargers"``); ``"all"``, ``"others"``
        (the fallback row) or ``"specific"``; the registry industries a specific row names.
    applies_to, since : str, date or None
        ``"new"`` (built on or after ``since``), ``"existing"`` (built before ``since``), ``"all"``.
    condition : str or None
        Any further condition (``"stack >= 25 m"``, ``"water temperature <= 12 °C"``).
    direction, value, value_max, unit : str, float or None, float or None, str
        ``le``: value ≤ limit; ``ge``: value ≥ limit (dissolved oxygen, removal efficiency);
        ``range``: ``value`` ≤ x ≤ ``value_max`` (pH); ``none``: no limit ("—", ``value`` None)
        or a reference number that is not a compliance limit (toxic endpoints, critical quantities).
    reference_state, ref_o2_pct : str or None, float or None
        Conditions the value refers to; reference O₂ for 折算 [%].
    stack_height_m, min_stack_height_m : float or None
        Stack height an emission rate is tabulated for [m]; least stack height a limit requires [m].
    effective_from, effective_to : date, date or None
        When the value is in force (from the edition unless the entry says otherwise).
    effective_source, effective_verified : str, bool
        Where the effective date comes from and whether the reference checked it.
    source, verified, verified_by, verified_on : str, bool, str or None, date or None
        The reference section; ``True`` where standards.md says *checked*, ``False`` for *verify*
        or recalled numbers; who confirmed it against the official text, and when.
    note : str or None
    file, entry : str, int
        Data file and entry index the value was loaded from.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    standard: str = Field(pattern=r"^(GB/T|GB|HJ|DB\d{2}/T|DB\d{2}/) \d+(\.\d+)?$")
    version: int = Field(ge=1970, le=2100)
    title_zh: str
    title_en: str
    amendment: str | None = None
    table_ref: str = Field(min_length=1)
    clause: str | None = None
    medium: Literal[MEDIA]
    quantity: Literal[QUANTITIES]
    pollutant: str = Field(min_length=1)
    name_zh: str | None = None
    hj212_code: str | None = Field(default=None, pattern=r"^([a-z]\d{5}|L[A-Za-z0-9]+)$")
    cas: str | None = Field(default=None, pattern=r"^\d{2,7}-\d{2}-\d$")
    averaging: Literal[AVERAGING] | None = None
    zone_or_class: str | None = None
    period: Literal[PERIODS] | None = None
    scope: str | None = None
    scope_kind: Literal[SCOPE_KINDS] = "all"
    industries: tuple[str, ...] = ()
    applies_to: Literal[APPLIES_TO] = "all"
    since: _dt.date | None = None
    condition: str | None = None
    direction: Literal[DIRECTIONS]
    value: float | None = None
    value_max: float | None = None
    unit: Literal[UNITS]
    reference_state: str | None = None
    ref_o2_pct: float | None = Field(default=None, ge=0, lt=21)
    stack_height_m: float | None = Field(default=None, gt=0)
    min_stack_height_m: float | None = Field(default=None, gt=0)
    effective_from: _dt.date
    effective_to: _dt.date | None = None
    effective_source: str = Field(min_length=1)
    effective_verified: bool
    source: str = Field(min_length=1)
    verified: bool
    verified_by: str | None = None
    verified_on: _dt.date | None = None
    note: str | None = None
    file: str
    entry: int

    @field_validator("cas")
    @classmethod
    def _cas_checksum(cls, cas: str | None) -> str | None:
        if cas is not None and not _cas_check_digit_ok(cas):
            raise ValueError(f"CAS number {cas} fails its check digit")
        return cas

    @field_validator("industries")
    @classmethod
    def _known_industries(cls, industries: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [i for i in industries if i not in INDUSTRIES]
        if unknown:
            raise ValueError(f"unknown industries {unknown}; expected some of {', '.join(INDUSTRIES)}")
        return industries

    @model_validator(mode="after")
    def _consistent(self) -> Limit:
        d = self.direction
        if d in ("le", "ge") and self.value is None:
            raise ValueError(f"direction {d!r} needs a value")
        if d == "range" and (self.value is None or self.value_max is None or not self.value < self.value_max):
            raise ValueError("direction 'range' needs value < value_max")
        if d != "range" and self.value_max is not None:
            raise ValueError("value_max is only for direction 'range'")
        if (self.medium == "noise") != (self.period is not None):
            raise ValueError("noise limits, and only they, carry a period (day/night)")
        for medium in ("critical_quantity", "toxic_endpoint"):
            if (self.medium == medium) != (self.quantity == medium):
                raise ValueError(f"medium and quantity must both be {medium!r} or neither")
        if self.quantity == "emission_rate" and (self.medium != "stack" or self.stack_height_m is None):
            raise ValueError("an emission rate belongs to medium 'stack' and needs stack_height_m")
        if (self.applies_to == "all") != (self.since is None):
            raise ValueError("since (the construction date) is given exactly when applies_to is 'new' or 'existing'")
        if self.scope_kind == "specific" and not self.scope:
            raise ValueError("scope_kind 'specific' needs the scope as printed")
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        return self

    @property
    def code(self) -> str:
        """The edition, ``"GB 3095-2012"``."""
        return f"{self.standard}-{self.version}"

    @property
    def status(self) -> str:
        """The reference's own word: ``"checked"`` or ``"verify"`` (as in dispersion.statistics)."""
        return "checked" if self.verified else "verify"

    def in_force(self, on: _dt.date) -> bool:
        """Whether the entry's own dates cover ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def identity(self) -> tuple:
        """What makes a limit distinct within an edition (two entries may not share it)."""
        return (
            self.table_ref, self.medium, self.quantity, self.pollutant, self.averaging, self.zone_or_class,
            self.period, self.scope, self.applies_to, self.condition, self.stack_height_m, self.effective_from,
        )

    def describe(self) -> str:
        """One line: ``GB 3095-2012 Table 1 SO2 1h zone 2: <= 500 µg/m³``."""
        parts = [self.code, self.table_ref, self.medium, self.quantity, self.pollutant]
        parts += [
            f"{label}{val}"
            for label, val in (
                ("", self.averaging), ("zone ", self.zone_or_class), ("", self.period), ("scope: ", self.scope),
                ("", None if self.applies_to == "all" else self.applies_to), ("if ", self.condition),
                ("@", None if self.stack_height_m is None else f"{self.stack_height_m:g} m"),
            )
            if val is not None
        ]
        if self.direction == "range":
            bound = f"{self.value:g}–{self.value_max:g} {self.unit}"
        elif self.value is None:
            bound = "— (no limit)"
        else:
            bound = {"le": "<= ", "ge": ">= ", "none": ""}[self.direction] + f"{self.value:g} {self.unit}"
        return " ".join(parts) + ": " + bound

    def to_dict(self) -> dict:
        """JSON-ready fields."""
        return self.model_dump(mode="json")


class Amendment(BaseModel):
    """An amendment (修改单) recorded on an edition."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    effective_from: _dt.date
    summary: str
    source: str
    verified: bool


class Rule(BaseModel):
    """A rule printed with the limits (grade selection, height interpolation, corrections).

    Rules are documentation for the engines that apply them; they are not queried as limits.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    text: str
    source: str
    verified: bool


class _Header(BaseModel):
    model_config = ConfigDict(extra="forbid")

    standard: str = Field(pattern=r"^(GB/T|GB|HJ|DB\d{2}/T|DB\d{2}/) \d+(\.\d+)?$")
    version: int = Field(ge=1970, le=2100)
    title_zh: str
    title_en: str
    effective_from: _dt.date
    effective_to: _dt.date | None = None
    effective_source: str = Field(min_length=1)
    effective_verified: bool
    amendments: list[Amendment] = []
    zones: dict[str, str] = {}
    rules: list[Rule] = []
    defaults: dict = {}
    entries: list[dict] = Field(min_length=1)


@dataclass(frozen=True)
class Edition:
    """One edition of one standard, as loaded from one data file.

    Attributes
    ----------
    standard, version : str, int
    title_zh, title_en : str
    effective_from, effective_to : date, date or None
        The edition is in force from ``effective_from`` until a newer edition of the same
        standard starts (or ``effective_to``).
    effective_source, effective_verified : str, bool
    amendments : tuple of Amendment
    zones : dict
        Each zone / class / tier the edition's limits use, with what it means.
    rules : tuple of Rule
    limits : tuple of Limit
    file : str
    """

    standard: str
    version: int
    title_zh: str
    title_en: str
    effective_from: _dt.date
    effective_to: _dt.date | None
    effective_source: str
    effective_verified: bool
    amendments: tuple[Amendment, ...]
    zones: dict[str, str]
    rules: tuple[Rule, ...]
    limits: tuple[Limit, ...]
    file: str

    @property
    def code(self) -> str:
        return f"{self.standard}-{self.version}"


# ---------------------------------------------------------------------------------------------
# Loading


def _field_name(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(entry)"


def load_edition(path: Path | str) -> Edition:
    """Load and validate one data file.

    Parameters
    ----------
    path : path-like
        A ``*.yaml`` file in the layout of ``data/gb_3095-2012.yaml``.

    Returns
    -------
    Edition

    Raises
    ------
    StandardsDataError
        Naming the file, the entry (index and pollutant) and the field.
    """
    path = Path(path)
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise StandardsDataError(name, f"cannot be read as YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise StandardsDataError(name, "must be a mapping with standard, version, …, entries")
    try:
        header = _Header.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise StandardsDataError(name, err["msg"], field=_field_name(err["loc"])) from None

    for key in header.defaults:
        if key in _HEADER_FIELDS or key in _PROVENANCE_FIELDS or key in _EFFECTIVE_FIELDS:
            raise StandardsDataError(
                name, "may not be set in defaults; every entry states its own source and verified flag, "
                "and dates come from the header or the entry", field=f"defaults.{key}",
            )

    limits: list[Limit] = []
    seen: dict[tuple, int] = {}
    for i, entry in enumerate(header.entries):
        label = f"entries[{i}]" + (f" ({entry.get('pollutant')})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict):
            raise StandardsDataError(name, "must be a mapping", entry=label)
        for key in _HEADER_FIELDS:
            if key in entry:
                raise StandardsDataError(name, "comes from the file header, not the entry", entry=label, field=key)
        for key in _PROVENANCE_FIELDS:
            if key not in entry:
                raise StandardsDataError(name, "is required on every entry", entry=label, field=key)
        if "effective_from" in entry:
            for key in ("effective_source", "effective_verified"):
                if key not in entry:
                    raise StandardsDataError(
                        name, "is required when the entry sets its own effective_from", entry=label, field=key
                    )
        data = {
            "standard": header.standard, "version": header.version, "title_zh": header.title_zh,
            "title_en": header.title_en, "effective_from": header.effective_from,
            "effective_to": header.effective_to, "effective_source": header.effective_source,
            "effective_verified": header.effective_verified, "file": name, "entry": i,
            **header.defaults, **entry,
        }
        try:
            limit = Limit.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            given = f" (given {err['input']!r})" if err.get("loc") and not isinstance(err["input"], dict) else ""
            raise StandardsDataError(name, err["msg"] + given, entry=label, field=_field_name(err["loc"])) from None
        if limit.zone_or_class is not None and limit.zone_or_class not in header.zones:
            raise StandardsDataError(
                name, f"{limit.zone_or_class!r} is not one of the file's zones {sorted(header.zones)}",
                entry=label, field="zone_or_class",
            )
        if limit.effective_from < header.effective_from:
            raise StandardsDataError(name, "is before the edition's effective_from", entry=label, field="effective_from")
        if limit.identity() in seen:
            raise StandardsDataError(
                name, f"duplicates entries[{seen[limit.identity()]}] (same table, pollutant, averaging, zone, scope …)",
                entry=label,
            )
        seen[limit.identity()] = i
        limits.append(limit)

    return Edition(
        header.standard, header.version, header.title_zh, header.title_en, header.effective_from,
        header.effective_to, header.effective_source, header.effective_verified, tuple(header.amendments),
        dict(header.zones), tuple(header.rules), tuple(limits), name,
    )


def load_library(data_dir: Path | str = DATA_DIR) -> StandardsLibrary:
    """Load every ``*.yaml`` file of a directory into a :class:`StandardsLibrary`.

    Parameters
    ----------
    data_dir : path-like
        Defaults to the package's ``standards/data``.

    Raises
    ------
    StandardsDataError
        On the first invalid file, or two files for the same edition / starting the same day.
    """
    files = sorted(Path(data_dir).glob("*.yaml"))
    if not files:
        raise StandardsDataError(str(data_dir), "holds no *.yaml files")
    return StandardsLibrary([load_edition(f) for f in files])


@lru_cache(maxsize=1)
def default_library() -> StandardsLibrary:
    """The library shipped in ``standards/data``, plus the editions in ``PARKSTEWARD_STANDARDS_DIR``
    when it is set (a provincial standard, a newer edition); loaded once, immutable."""
    import os

    extra = os.environ.get("PARKSTEWARD_STANDARDS_DIR")
    return library_with(extra) if extra else load_library(DATA_DIR)


def library_with(extra_dir: Path | str) -> StandardsLibrary:
    """The shipped editions and those of ``extra_dir`` in one library.

    Raises
    ------
    StandardsDataError
        A file of ``extra_dir`` that does not validate, or an edition the shipped library already
        holds (a correction of a shipped edition is a change to the shipped file, not a second copy).
    """
    shipped = [load_edition(f) for f in sorted(Path(DATA_DIR).glob("*.yaml"))]
    extra = [load_edition(f) for f in sorted(Path(extra_dir).glob("*.yaml"))]
    if not extra:
        raise StandardsDataError(str(extra_dir), "holds no *.yaml files")
    return StandardsLibrary(shipped + extra)


# ---------------------------------------------------------------------------------------------
# Queries


def _as_date(on: _dt.date | None) -> _dt.date:
    if on is None:
        return _dt.date.today()
    if isinstance(on, _dt.datetime):
        return on.date()
    if isinstance(on, _dt.date):
        return on
    raise StandardsQueryError("on", f"must be a date (found {on!r})")


def parse_standard(text: str) -> tuple[str, int | None]:
    """``"GB 3095-2012"`` → ``("GB 3095", 2012)``; ``"gb3095"`` → ``("GB 3095", None)``."""
    match = _STANDARD_RE.match(" ".join(str(text).split()).upper())
    if not match:
        raise StandardsQueryError("standard", f"{text!r} is not a standard code like 'GB 3095' or 'GB 3095-2012'")
    prefix = match.group(1)
    if prefix.startswith("DB") and not prefix.endswith(("/", "/T")):
        prefix += "/"  # "DB32 4041" and "DB32/4041" are both DB32/ 4041
    code = f"{prefix} {match.group(2)}"
    return code, int(match.group(3)) if match.group(3) else None


def _check_choice(parameter: str, value, valid: Iterable) -> None:
    valid = tuple(valid)
    if value is not None and value not in valid:
        raise StandardsQueryError(parameter, f"unknown value {value!r}; expected one of {', '.join(valid)}")


def _pollutant_keys(limit: Limit) -> set[str]:
    keys = {limit.pollutant.casefold()}
    keys.update(k.casefold() for k in (limit.name_zh, limit.hj212_code, limit.cas) if k)
    return keys


class StandardsLibrary:
    """An immutable set of editions with the queries; :func:`load_library` builds one.

    The module-level :func:`limits`, :func:`limit_for`, :func:`edition_in_force` and
    :func:`editions` ask :func:`default_library`; tests build their own from a directory.
    """

    def __init__(self, editions: Sequence[Edition]):
        by_code: dict[tuple[str, int], Edition] = {}
        by_start: dict[tuple[str, _dt.date], Edition] = {}
        for edition in editions:
            key = (edition.standard, edition.version)
            if key in by_code:
                raise StandardsDataError(edition.file, f"{edition.code} is already loaded from {by_code[key].file}")
            start = (edition.standard, edition.effective_from)
            if start in by_start:
                raise StandardsDataError(
                    edition.file, f"starts on {edition.effective_from} like {by_start[start].file}; "
                    "editions of one standard must start on different days",
                )
            by_code[key] = edition
            by_start[start] = edition
        self.editions: tuple[Edition, ...] = tuple(
            sorted(editions, key=lambda e: (e.standard, e.effective_from))
        )

    # -- editions

    def standards(self) -> tuple[str, ...]:
        """Standard codes held, ``("GB 12348", "GB 16297", …)``."""
        return tuple(sorted({e.standard for e in self.editions}))

    def edition_in_force(self, standard: str, on: _dt.date | None = None) -> Edition:
        """The edition of ``standard`` in force on ``on`` (default today).

        The newest edition whose ``effective_from`` is on or before ``on`` supersedes every
        older one; ``effective_to``, where set, ends an edition without a successor.

        Raises
        ------
        StandardsQueryError
            Unknown standard, or no edition in force that day (naming the editions held).
        """
        code, _ = self._known_standard(standard)
        day = _as_date(on)
        candidates = [e for e in self.editions if e.standard == code and e.effective_from <= day]
        if candidates:
            newest = max(candidates, key=lambda e: e.effective_from)
            if newest.effective_to is None or day < newest.effective_to:
                return newest
        held = ", ".join(
            f"{e.code} from {e.effective_from}" + (f" to {e.effective_to}" if e.effective_to else "")
            for e in self.editions if e.standard == code
        )
        raise StandardsQueryError("on", f"no edition of {code} is in force on {day} (held: {held})")

    def _known_standard(self, standard: str) -> tuple[str, int | None]:
        code, version = parse_standard(standard)
        if code not in self.standards():
            raise StandardsQueryError(
                "standard", f"{standard!r} is not in the library; it holds {', '.join(self.standards())}"
            )
        if version is not None and not any(e.standard == code and e.version == version for e in self.editions):
            held = ", ".join(e.code for e in self.editions if e.standard == code)
            raise StandardsQueryError("standard", f"edition {code}-{version} is not in the library; it holds {held}")
        return code, version

    def _editions_in_force(self, day: _dt.date) -> list[Edition]:
        out = []
        for code in self.standards():
            try:
                out.append(self.edition_in_force(code, day))
            except StandardsQueryError:
                continue
        return out

    # -- limits

    def limits(
        self,
        pollutant: str | None = None,
        medium: str | None = None,
        standard: str | None = None,
        averaging: str | None = None,
        zone: str | int | None = None,
        on: _dt.date | None = None,
        *,
        period: str | None = None,
        applies_to: str | None = None,
        quantity: str | None = None,
        scope: str | None = None,
    ) -> list[Limit]:
        """Limits in force on ``on`` matching every filter given.

        Parameters
        ----------
        pollutant : str, optional
            Pollutant key (``"SO2"``), Chinese name (``"二氧化硫"``), HJ 212 code (``"a21026"``)
            or CAS number; case-insensitive.
        medium : str, optional
            One of :data:`MEDIA`.
        standard : str, optional
            ``"GB 3095"`` (the edition in force) or ``"GB 3095-2012"`` (that edition, which then
            yields limits only if it is the one in force on ``on``).
        averaging : str, optional
            One of :data:`AVERAGING`.
        zone : str or int, optional
            Zone / class / grade / tier (``2``, ``"III"``, ``"1A"``, ``"special"``); limits that
            are the same in every zone (``zone_or_class`` None) always match.
        on : date, optional
            Day of interest; default today.
        period : str, optional
            ``"day"`` or ``"night"``.
        applies_to : str, optional
            ``"new"`` or ``"existing"`` source; limits for ``"all"`` always match.
        quantity : str, optional
            One of :data:`QUANTITIES`.
        scope : str, optional
            Exact scope as printed (``"other dischargers"``).

        Returns
        -------
        list of Limit
            In data-file order; empty when nothing matches.

        Raises
        ------
        StandardsQueryError
            A filter value the library does not know at all (naming the valid ones).
        """
        day = _as_date(on)
        _check_choice("medium", medium, MEDIA)
        _check_choice("averaging", averaging, AVERAGING)
        _check_choice("period", period, PERIODS)
        _check_choice("applies_to", applies_to, ("new", "existing"))
        _check_choice("quantity", quantity, QUANTITIES)
        code = version = None
        if standard is not None:
            code, version = self._known_standard(standard)
        key = None
        if pollutant is not None:
            key = str(pollutant).strip().casefold()
            if not any(key in _pollutant_keys(lim) for e in self.editions for lim in e.limits):
                raise StandardsQueryError(
                    "pollutant", f"{pollutant!r} has no entry in the library (name, Chinese name, HJ 212 code or CAS)"
                )
        zone_key = None
        if zone is not None:
            zone_key = str(zone)
            known = {z for e in self.editions if code in (None, e.standard) for z in e.zones}
            if zone_key not in known:
                where = code or "the library"
                raise StandardsQueryError("zone", f"{zone!r} is not a zone of {where}; known: {', '.join(sorted(known))}")

        out = []
        for edition in self._editions_in_force(day):
            if code is not None and (edition.standard != code or version not in (None, edition.version)):
                continue
            for lim in edition.limits:
                if not lim.in_force(day):
                    continue
                if key is not None and key not in _pollutant_keys(lim):
                    continue
                if medium is not None and lim.medium != medium:
                    continue
                if averaging is not None and lim.averaging != averaging:
                    continue
                if zone_key is not None and lim.zone_or_class not in (None, zone_key):
                    continue
                if period is not None and lim.period != period:
                    continue
                if applies_to is not None and lim.applies_to not in ("all", applies_to):
                    continue
                if quantity is not None and lim.quantity != quantity:
                    continue
                if scope is not None and lim.scope != scope:
                    continue
                out.append(lim)
        return out

    def limit_for(
        self,
        pollutant: str | None = None,
        medium: str | None = None,
        standard: str | None = None,
        averaging: str | None = None,
        zone: str | int | None = None,
        on: _dt.date | None = None,
        *,
        period: str | None = None,
        applies_to: str | None = None,
        quantity: str | None = None,
        scope: str | None = None,
    ) -> Limit:
        """Exactly one limit for the filters of :meth:`limits`.

        Raises
        ------
        NoLimitError
            Nothing matches; the message lists what the library holds for the pollutant /
            standard instead.
        AmbiguousLimitError
            Several match; the message lists them and the fields in which they differ.
        """
        filters = dict(
            pollutant=pollutant, medium=medium, standard=standard, averaging=averaging, zone=zone, on=on,
            period=period, applies_to=applies_to, quantity=quantity, scope=scope,
        )
        found = self.limits(**filters)
        asked = ", ".join(f"{k}={v!r}" for k, v in filters.items() if v is not None and k != "on")
        day = _as_date(on)
        if len(found) == 1:
            return found[0]
        if not found:
            hint = ""
            if standard is not None:
                try:
                    self.edition_in_force(standard, day)
                except StandardsQueryError as exc:
                    hint = f"; {exc.message}"
            if not hint:
                near = self.limits(pollutant=pollutant, medium=medium, standard=standard, on=day)
                if near:
                    listed = "; ".join(lim.describe() for lim in near[:12])
                    more = f" (and {len(near) - 12} more)" if len(near) > 12 else ""
                    basis = ", ".join(
                        f"{k}={v!r}" for k, v in (("pollutant", pollutant), ("medium", medium), ("standard", standard))
                        if v is not None
                    )
                    hint = f"; in force for {basis or 'any pollutant'}: {listed}{more}"
            raise NoLimitError("limit", f"no limit in force on {day} for {asked or 'no filters'}{hint}")
        fields = (
            "standard", "version", "table_ref", "medium", "quantity", "pollutant", "averaging", "zone_or_class",
            "period", "scope", "applies_to", "condition", "stack_height_m",
        )
        differ = [f for f in fields if len({getattr(lim, f) for lim in found}) > 1]
        listed = "; ".join(lim.describe() for lim in found[:12])
        raise AmbiguousLimitError(
            "limit",
            f"{len(found)} limits in force on {day} match {asked or 'no filters'}; they differ in "
            f"{', '.join(differ) or 'nothing but their entry'} — narrow the query: {listed}",
        )


# ---------------------------------------------------------------------------------------------
# Module-level conveniences over the shipped library


def limits(
    pollutant: str | None = None,
    medium: str | None = None,
    standard: str | None = None,
    averaging: str | None = None,
    zone: str | int | None = None,
    on: _dt.date | None = None,
    *,
    period: str | None = None,
    applies_to: str | None = None,
    quantity: str | None = None,
    scope: str | None = None,
) -> list[Limit]:
    """:meth:`StandardsLibrary.limits` on the shipped library."""
    return default_library().limits(
        pollutant, medium, standard, averaging, zone, on,
        period=period, applies_to=applies_to, quantity=quantity, scope=scope,
    )


def limit_for(
    pollutant: str | None = None,
    medium: str | None = None,
    standard: str | None = None,
    averaging: str | None = None,
    zone: str | int | None = None,
    on: _dt.date | None = None,
    *,
    period: str | None = None,
    applies_to: str | None = None,
    quantity: str | None = None,
    scope: str | None = None,
) -> Limit:
    """:meth:`StandardsLibrary.limit_for` on the shipped library."""
    return default_library().limit_for(
        pollutant, medium, standard, averaging, zone, on,
        period=period, applies_to=applies_to, quantity=quantity, scope=scope,
    )


def edition_in_force(standard: str, on: _dt.date | None = None) -> Edition:
    """:meth:`StandardsLibrary.edition_in_force` on the shipped library."""
    return default_library().edition_in_force(standard, on)


def editions(standard: str | None = None) -> tuple[Edition, ...]:
    """Every edition held (of one standard, if given)."""
    lib = default_library()
    if standard is None:
        return lib.editions
    code, version = lib._known_standard(standard)
    return tuple(e for e in lib.editions if e.standard == code and version in (None, e.version))
