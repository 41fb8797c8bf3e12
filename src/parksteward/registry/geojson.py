"""A whole park as one GeoJSON file (RFC 7946, WGS84 lon/lat), out and back in.

The file moves a park between databases (a consultant's laptop, the park's server, a QGIS
session), so it carries no database ids: enterprises are referenced by their unified social
credit code, emission and risk sources by (credit code, outlet code), monitoring points by
their unique code, and the park is implicit because a file holds exactly one. Every feature
says what it is in ``properties.feature_type`` and carries every field of that object's
``XCreate`` schema except ids and the fields its geometry already gives. Devices (数采仪)
travel nested in their monitoring point; for roles that may import (registry writers) they
carry the stored password hash, so devices in the field keep logging in after a move.

An import builds a new park through the registry services' ``add`` (the same checks as the
API) in one transaction: either the whole file goes in or nothing does, and an error names
the feature (``("features", i, field)``) and says what it is and why it failed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.crud import CrudService
from parksteward.errors import Conflict, FieldError, InvalidInput
from parksteward.registry import service as svc
from parksteward.registry.geometry import (
    POINT_OR_POLYGON_TYPES,
    POLYGON_TYPES,
    parse_geometry,
)
from parksteward.registry.tables import (
    Device,
    EmissionSource,
    Enterprise,
    FunctionalZone,
    MonitoringPoint,
    Park,
    RiskSource,
    SensitiveReceptor,
    WeatherStation,
)

FORMAT = "parksteward-park"
VERSION = 1

# Import order: an object is created after everything it references.
FEATURE_TYPES = (
    "park",
    "functional_zone",
    "enterprise",
    "emission_source",
    "risk_source",
    "monitoring_point",
    "weather_station",
    "sensitive_receptor",
)
SERVICES: dict[str, CrudService] = {
    "park": svc.parks,
    "functional_zone": svc.functional_zones,
    "enterprise": svc.enterprises,
    "emission_source": svc.emission_sources,
    "risk_source": svc.risk_sources,
    "monitoring_point": svc.monitoring_points,
    "weather_station": svc.weather_stations,
    "sensitive_receptor": svc.sensitive_receptors,
}
# Properties that stand for a database id in the file.
REFERENCES = {
    "emission_source": ("enterprise_credit_code",),
    "risk_source": ("enterprise_credit_code",),
    "monitoring_point": ("enterprise_credit_code", "source_code", "risk_source_code"),
    "weather_station": ("point_code",),
}
# Database ids differ between databases; the file never carries them.
ID_FIELDS = frozenset({"id", "park_id", "enterprise_id", "source_id", "risk_source_id", "point_id"})
# The property of the file that stands for an id field a service complains about.
REFERENCE_OF = {
    "enterprise_id": "enterprise_credit_code",
    "source_id": "source_code",
    "risk_source_id": "risk_source_code",
    "point_id": "point_code",
}
POINT_FIELDS = ("lon", "lat")
DEVICE_FIELDS = ("mn", "protocol_version", "factor_codes", "checksum_policy", "manufacturer", "model")

# An encoded argon2 hash as pwdlib / argon2-cffi write it: variant, version, cost, salt, digest.
ARGON2_HASH = re.compile(
    r"^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$"
)
PASSWORD_HASH_MAX_LENGTH = 200  # Device.password_hash is String(200)


# ================================================================ export
# What a map needs of each feature: what it draws, labels and links to the API's objects. The
# console asks for this view (?view=map): a third of the export's size for the demo park.
MAP_PROPERTIES = frozenset({
    "feature_type", "code", "name", "name_en", "kind", "credit_code", "enterprise_credit_code", "source_code",
    "risk_source_code", "point_code", "capacity_m3", "tank_height_m", "safe_level_m", "stack_height_m",
    "stack_inner_diameter_m",
    "population", "area", "release_height_m", "label",
})


def map_view(collection: dict) -> dict:
    """``collection`` (an export with ``labels``) with only :data:`MAP_PROPERTIES`, and each device
    as its factor codes."""
    features = []
    for feature in collection["features"]:
        properties = {k: v for k, v in feature["properties"].items() if k in MAP_PROPERTIES and v is not None}
        if "devices" in feature["properties"]:
            properties["devices"] = [{"factor_codes": d.get("factor_codes", [])} for d in feature["properties"]["devices"]]
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": properties})
    return {**collection, "features": features}


def export_park(session: Session, actor: Actor, park_id: int, *, labels: bool = False) -> dict:
    """The park and everything in it that ``actor`` may read, as a GeoJSON FeatureCollection.

    Parameters
    ----------
    session
        An open session.
    actor
        Whose view to export; an enterprise user gets the park-level objects and its own
        enterprise's objects only.
    park_id
        The park to export.
    labels
        Give zones and receptors ``label``: [lon, lat], the point on them where a map names them
        (stored with them). Not part of the file format: an import refuses it.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...], "parksteward": {"format",
        "version"}}``, JSON-serialisable, features in import order. A weather station whose
        monitoring point the actor may not read is exported without ``point_code``.

    References
    ----------
    RFC 7946 (GeoJSON), §3.3 FeatureCollection and §6.1 foreign members.
    """
    park = svc.parks.get(session, actor, park_id)
    zone_rows = _rows(session, svc.functional_zones, actor, FunctionalZone.park_id == park.id)
    enterprise_rows = _rows(session, svc.enterprises, actor, Enterprise.park_id == park.id)
    enterprise_ids = select(Enterprise.id).where(Enterprise.park_id == park.id)
    source_rows = _rows(session, svc.emission_sources, actor, EmissionSource.enterprise_id.in_(enterprise_ids))
    risk_rows = _rows(session, svc.risk_sources, actor, RiskSource.enterprise_id.in_(enterprise_ids))
    point_rows = _rows(session, svc.monitoring_points, actor, MonitoringPoint.park_id == park.id)
    point_ids = select(MonitoringPoint.id).where(MonitoringPoint.park_id == park.id)
    device_rows = _rows(session, svc.devices, actor, Device.point_id.in_(point_ids))
    station_rows = _rows(session, svc.weather_stations, actor, WeatherStation.park_id == park.id)
    receptor_rows = _rows(session, svc.sensitive_receptors, actor, SensitiveReceptor.park_id == park.id)

    credit_code = {e.id: e.credit_code for e in enterprise_rows}
    source_code = {r.id: r.code for r in source_rows}
    risk_code = {r.id: r.code for r in risk_rows}
    point_code = {p.id: p.code for p in point_rows}
    devices_of: dict[int, list] = {}
    for device in device_rows:
        devices_of.setdefault(device.point_id, []).append(device)

    features = [_feature(park.boundary, _properties("park", park))]
    def label(row) -> dict:
        return {"label": [row.lon, row.lat]} if labels else {}

    for z in zone_rows:
        features.append(_feature(z.geometry, {**_properties("functional_zone", z), **label(z)}))
    for e in enterprise_rows:
        features.append(_feature(_point(e), _properties("enterprise", e)))
    for r in source_rows:
        geometry = r.area if r.kind == "fugitive_area" else _point(r)
        props = _properties("emission_source", r, skip=_carried("emission_source", r.kind))
        features.append(_feature(geometry, {**props, "enterprise_credit_code": credit_code[r.enterprise_id]}))
    for r in risk_rows:
        props = _properties("risk_source", r)
        features.append(_feature(_point(r), {**props, "enterprise_credit_code": credit_code[r.enterprise_id]}))
    for p in point_rows:
        props = _properties("monitoring_point", p)
        props["enterprise_credit_code"] = credit_code[p.enterprise_id] if p.enterprise_id is not None else None
        # A point's sources belong to the point's own enterprise (MonitoringPointService.check).
        props["source_code"] = source_code[p.source_id] if p.source_id is not None else None
        props["risk_source_code"] = risk_code[p.risk_source_id] if p.risk_source_id is not None else None
        props["devices"] = [_device(d, actor.writes_registry) for d in devices_of.get(p.id, [])]
        features.append(_feature(_point(p), props))
    for w in station_rows:
        props = _properties("weather_station", w)
        props["point_code"] = point_code.get(w.point_id)  # None when unset or outside the actor's view
        features.append(_feature(_point(w), props))
    for r in receptor_rows:
        features.append(_feature(r.geometry, {**_properties("sensitive_receptor", r), **label(r)}))
    return {
        "type": "FeatureCollection",
        "features": features,
        "parksteward": {"format": FORMAT, "version": VERSION},
    }


def _rows(session: Session, service: CrudService, actor: Actor, *where) -> list:
    """All rows the actor may read, through the service's own scoped statement, oldest first."""
    stmt = service.query(actor, "read").where(*where).order_by(service.model.id)
    return list(session.scalars(stmt))


def _carried(feature_type: str, kind: str | None = None) -> tuple[str, ...]:
    """The create-schema fields a feature's geometry gives (so they are not properties)."""
    if feature_type == "park":
        return ("boundary",)
    if feature_type in ("sensitive_receptor", "functional_zone"):
        return ("geometry",)
    if feature_type == "emission_source" and kind == "fugitive_area":
        # The area is the geometry; lon/lat stay properties (a chosen point of the area).
        return ("area",)
    return POINT_FIELDS


def _properties(feature_type: str, obj: Any, skip: tuple[str, ...] | None = None) -> dict:
    skip = _carried(feature_type) if skip is None else skip
    props: dict[str, Any] = {"feature_type": feature_type}
    for name in SERVICES[feature_type].create_schema.model_fields:
        if name not in ID_FIELDS and name not in skip:
            props[name] = _json_copy(getattr(obj, name))  # JSON columns: do not alias ORM state
    return props


def _device(device, with_hash: bool) -> dict:
    values = {name: _json_copy(getattr(device, name)) for name in DEVICE_FIELDS}
    if with_hash:
        # Only roles that may import (write the registry) get the hashes: the device
        # hash is deliberately light, so it is not handed to every reader.
        values["password_hash"] = device.password_hash
    return values


def _point(obj) -> dict:
    return {"type": "Point", "coordinates": [obj.lon, obj.lat]}


def _feature(geometry: dict, properties: dict) -> dict:
    return {"type": "Feature", "geometry": _json_copy(geometry), "properties": properties}


def _json_copy(value: Any) -> Any:
    """A copy of a JSON value's containers (its strings, numbers and None are immutable).

    What ``copy.deepcopy`` gives for JSON, at a fraction of its cost: no memo of objects
    seen, which a tree parsed from JSON cannot contain twice.
    """
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):  # a tuple set in this session is a JSON array too
        return [_json_copy(item) for item in value]
    return value


# ================================================================ import
@dataclass
class _Feature:
    index: int
    feature_type: str
    geometry: dict
    properties: dict

    @property
    def label(self) -> str:
        """How an error names the feature: its type, then its code and name where it has them."""
        props = self.properties
        parts = [self.feature_type]
        code = props.get("code") or props.get("credit_code")
        if isinstance(code, str) and code:
            parts.append(code)
        if isinstance(props.get("name"), str) and props["name"]:
            parts.append(repr(props["name"]))
        return " ".join(parts)


def import_park(session: Session, actor: Actor, collection: dict) -> Park:
    """Create a new park and everything in it from a file written by :func:`export_park`.

    Parameters
    ----------
    session
        An open session without pending changes of the caller's; it is committed once on
        success and rolled back on any failure.
    actor
        Who imports; must be a role that writes the registry.
    collection
        A GeoJSON FeatureCollection with one ``park`` feature.

    Returns
    -------
    Park
        The new park.

    Raises
    ------
    InvalidInput
        The file is malformed or an object fails the registry's checks; each error's loc is
        ``("features", i, field, ...)`` and its message names the feature type and code/name.
        Nothing has been written.
    PermissionDenied
        The actor may not write the registry. Nothing has been written.
    """
    # Default deny: a role that may not create parks learns nothing about the file (403 before 422).
    svc.parks.query(actor, "write")
    try:
        features = _check_structure(collection)
        park = _Importer(session, actor).run(features)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return park


def _check_structure(collection: Any) -> list[_Feature]:
    """The features, or InvalidInput listing every structural problem of the file."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise InvalidInput.single("type", "expected a GeoJSON FeatureCollection (RFC 7946 §3.3)")
    errors: list[FieldError] = []
    meta = collection.get("parksteward")
    if meta is not None:
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            errors.append(FieldError(("parksteward", "format"), f"expected format {FORMAT!r}"))
        elif meta.get("version") != VERSION:
            errors.append(
                FieldError(
                    ("parksteward", "version"), f"version {meta.get('version')!r} is not supported, expected {VERSION}"
                )
            )
    crs = collection.get("crs")
    if crs is not None and "CRS84" not in str(crs) and "4326" not in str(crs):
        errors.append(FieldError(("crs",), f"coordinates must be WGS84 lon/lat (RFC 7946 §4), not {crs!r}"))
    raw_features = collection.get("features")
    if not isinstance(raw_features, list):
        raise InvalidInput(errors + [FieldError(("features",), "expected a list of GeoJSON Features")])

    features: list[_Feature] = []
    park_index: int | None = None
    for i, raw in enumerate(raw_features):
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            errors.append(FieldError(("features", i, "type"), f"feature {i}: expected a GeoJSON Feature"))
            continue
        props = raw.get("properties")
        if not isinstance(props, dict):
            errors.append(FieldError(("features", i, "properties"), f"feature {i}: expected a properties object"))
            continue
        feature_type = props.get("feature_type")
        if feature_type not in FEATURE_TYPES:
            what = "has no feature_type" if feature_type is None else f"has unknown feature_type {feature_type!r}"
            errors.append(
                FieldError(("features", i, "feature_type"), f"feature {i} {what}, expected one of {list(FEATURE_TYPES)}")
            )
            continue
        feature = _Feature(i, feature_type, raw.get("geometry"), props)
        if feature_type == "park":
            if park_index is not None:
                errors.append(
                    FieldError(
                        ("features", i, "feature_type"),
                        f"{feature.label}: a file holds one park, and feature {park_index} is already the park",
                    )
                )
                continue
            park_index = i
        try:
            parse_geometry(feature.geometry, _geometry_types(feature))
        except ValueError as exc:
            errors.append(FieldError(("features", i, "geometry"), f"{feature.label}: {exc}"))
            continue
        features.append(feature)
    if park_index is None:
        errors.append(FieldError(("features",), "no feature with feature_type 'park': a file holds exactly one park"))
    if errors:
        raise InvalidInput(errors)
    return features


def _geometry_types(feature: _Feature) -> tuple[str, ...]:
    if feature.feature_type in ("park", "functional_zone"):
        return POLYGON_TYPES
    if feature.feature_type == "sensitive_receptor":
        return POINT_OR_POLYGON_TYPES
    if feature.feature_type == "emission_source":
        kind = feature.properties.get("kind")
        if kind == "fugitive_area":
            return POLYGON_TYPES
        if kind in ("stack", "wastewater_outlet"):
            return ("Point",)
        return POINT_OR_POLYGON_TYPES  # the schema names the unknown kind
    return ("Point",)


class _Importer:
    """One import: creates the objects in dependency order and remembers them by their file keys."""

    def __init__(self, session: Session, actor: Actor):
        self.session = session
        self.actor = actor
        self.park: Park | None = None
        self.enterprises: dict[str, Any] = {}  # credit code -> Enterprise
        self.sources: dict[tuple[str, str], Any] = {}  # (credit code, code) -> EmissionSource
        self.risk_sources: dict[tuple[str, str], Any] = {}
        self.points: dict[str, Any] = {}  # code -> MonitoringPoint

    def run(self, features: list[_Feature]) -> Park:
        for feature_type in FEATURE_TYPES:
            for feature in features:
                if feature.feature_type == feature_type:
                    with _errors_of(feature):
                        getattr(self, f"_add_{feature_type}")(feature)
        return self.park

    # ------------------------------------------------------------ one method per feature type
    def _add_park(self, f: _Feature) -> None:
        self.park = self._add(f, {"boundary": f.geometry})

    def _add_functional_zone(self, f: _Feature) -> None:
        self._add(f, {"geometry": f.geometry, "park_id": self.park.id})

    def _add_enterprise(self, f: _Feature) -> None:
        enterprise = self._add(f, {**_lonlat(f), "park_id": self.park.id})
        self.enterprises[enterprise.credit_code] = enterprise

    def _add_emission_source(self, f: _Feature) -> None:
        credit = self._credit_code(f, required=True)
        carried = {"area": f.geometry} if f.geometry["type"] != "Point" else _lonlat(f)
        source = self._add(f, {**carried, "enterprise_id": self.enterprises[credit].id})
        self.sources[credit, source.code] = source

    def _add_risk_source(self, f: _Feature) -> None:
        credit = self._credit_code(f, required=True)
        risk = self._add(f, {**_lonlat(f), "enterprise_id": self.enterprises[credit].id})
        self.risk_sources[credit, risk.code] = risk

    def _add_monitoring_point(self, f: _Feature) -> None:
        credit = self._credit_code(f, required=False)
        ids = {
            "park_id": self.park.id,
            "enterprise_id": self.enterprises[credit].id if credit else None,
            "source_id": self._source_ref(f, credit, "source_code", self.sources, "emission source"),
            "risk_source_id": self._source_ref(f, credit, "risk_source_code", self.risk_sources, "risk source"),
        }
        devices = f.properties.get("devices") or []
        if not isinstance(devices, list):
            raise InvalidInput.single("devices", "expected a list of devices")
        point = self._add(f, {**_lonlat(f), **ids}, extra=("devices",))
        self.points[point.code] = point
        for j, device in enumerate(devices):
            self._add_device(f, point, j, device)

    def _add_device(self, f: _Feature, point, j: int, raw: Any) -> None:
        def fail(field: str | None, msg: str) -> InvalidInput:
            mn = raw.get("mn") if isinstance(raw, dict) else None
            loc = ("devices", j) + ((field,) if field else ())
            return InvalidInput([FieldError(loc, f"device {mn or j}: {msg}")])

        if not isinstance(raw, dict):
            raise fail(None, "expected a device object")
        values = dict(raw)
        ids = sorted(set(values) & ID_FIELDS)
        if ids:
            raise fail(ids[0], "database ids are not portable; a device belongs to the point it is nested in")
        password = values.pop("password", None)
        password_hash = values.pop("password_hash", None)
        if password is not None and password_hash is not None:
            raise fail("password_hash", "give either password (clear) or password_hash, not both")
        if password is None and password_hash is None:
            raise fail("password", "a device needs its password (clear) or its password_hash (as exported)")
        if password_hash is not None and not (
            isinstance(password_hash, str)
            and len(password_hash) <= PASSWORD_HASH_MAX_LENGTH
            and ARGON2_HASH.match(password_hash)
        ):
            raise fail("password_hash", "expected an argon2 hash as exported ('$argon2id$v=19$m=...')")
        # A hash is stored as-is: the device is created with a random throw-away password whose
        # hash is replaced before anything is committed.
        values["password"] = password if password is not None else secrets.token_urlsafe(24)
        values["point_id"] = point.id
        try:
            data = svc.devices.validate(values)
            device = svc.devices.add(self.session, self.actor, data)
        except InvalidInput as exc:
            mn = values.get("mn")
            raise InvalidInput([FieldError(("devices", j) + e.loc, f"device {mn}: {e.msg}") for e in exc.errors]) from None
        except Conflict as exc:
            raise fail(exc.field if exc.field in DEVICE_FIELDS else None, exc.message) from None
        if password_hash is not None:
            device.password_hash = password_hash
            svc.devices.flush(self.session, device)

    def _add_weather_station(self, f: _Feature) -> None:
        code = f.properties.get("point_code")
        point_id = None
        if code is not None:
            if not isinstance(code, str) or code not in self.points:
                raise InvalidInput.single("point_code", f"no monitoring_point with code {code!r} in this file")
            point_id = self.points[code].id
        self._add(f, {**_lonlat(f), "park_id": self.park.id, "point_id": point_id})

    def _add_sensitive_receptor(self, f: _Feature) -> None:
        self._add(f, {"geometry": f.geometry, "park_id": self.park.id})

    # ------------------------------------------------------------ helpers
    def _add(self, f: _Feature, given: dict, extra: tuple[str, ...] = ()) -> Any:
        """Validate the feature's properties plus ``given`` (geometry fields, ids) and add the object."""
        service = SERVICES[f.feature_type]
        props = {k: v for k, v in f.properties.items() if k != "feature_type" and k not in extra}
        for name in REFERENCES.get(f.feature_type, ()):
            props.pop(name, None)
        problems = []
        for name in props:
            if name in ID_FIELDS:
                problems.append(
                    FieldError((name,), "database ids are not portable between databases; reference by "
                               "enterprise_credit_code, source_code, risk_source_code or point_code")
                )
            elif name in given:
                problems.append(FieldError((name,), "is given by the feature's geometry, not by a property"))
            elif name not in service.create_schema.model_fields:
                known = [n for n in service.create_schema.model_fields if n not in ID_FIELDS and n not in given]
                known += list(REFERENCES.get(f.feature_type, ())) + list(extra)
                problems.append(
                    FieldError((name,), f"unknown property {name!r}; {f.feature_type} properties are {known}")
                )
        if problems:
            raise InvalidInput(problems)
        data = service.validate({**props, **given})
        return service.add(self.session, self.actor, data)

    def _credit_code(self, f: _Feature, *, required: bool) -> str | None:
        value = f.properties.get("enterprise_credit_code")
        if value is None:
            if required:
                raise InvalidInput.single("enterprise_credit_code", f"a {f.feature_type} needs its enterprise's credit code")
            return None
        code = value.strip().upper() if isinstance(value, str) else None
        if code not in self.enterprises:
            raise InvalidInput.single("enterprise_credit_code", f"no enterprise with credit code {value!r} in this file")
        return code

    def _source_ref(self, f: _Feature, credit: str | None, field: str, known: dict, label: str) -> int | None:
        code = f.properties.get(field)
        if code is None:
            return None
        if credit is None:
            raise InvalidInput.single(field, f"a {label} belongs to an enterprise: give the point's enterprise_credit_code")
        if not isinstance(code, str) or (credit, code) not in known:
            raise InvalidInput.single(field, f"no {label} {code!r} of enterprise {credit} in this file")
        return known[credit, code].id


def _lonlat(f: _Feature) -> dict:
    lon, lat = f.geometry["coordinates"][:2]  # a third (altitude) coordinate is ignored
    return {"lon": lon, "lat": lat}


@contextmanager
def _errors_of(feature: _Feature) -> Iterator[None]:
    """Re-raise the errors of one feature as InvalidInput at ("features", i, field) naming it."""
    carried = set(_carried(feature.feature_type, feature.properties.get("kind")))
    if feature.geometry["type"] != "Point":
        carried.discard("lon")
        carried.discard("lat")

    def relabel(errors: list[FieldError]) -> InvalidInput:
        out = []
        for e in errors:
            loc = tuple(e.loc)
            if loc and loc[0] in carried:  # e.g. 'lon' outside the park: the geometry is at fault
                loc = ("geometry",) + loc[1:]
            elif loc and loc[0] in REFERENCE_OF and loc[0] not in feature.properties:
                loc = (REFERENCE_OF[loc[0]],) + loc[1:]
            out.append(FieldError(("features", feature.index) + loc, f"{feature.label}: {e.msg}"))
        return InvalidInput(out)

    try:
        yield
    except InvalidInput as exc:
        raise relabel(exc.errors) from None
    except Conflict as exc:
        fields = SERVICES[feature.feature_type].create_schema.model_fields
        loc = (exc.field,) if exc.field in fields else ()
        raise relabel([FieldError(loc, exc.message)]) from None
    except DBAPIError as exc:  # e.g. a string longer than its column on PostgreSQL
        raise relabel([FieldError((), f"the database refused it: {exc.orig}")]) from None
