// The park as a map: the park's own GeoJSON is the base map (parks run on isolated networks,
// so no tiles are fetched); an optional raster tile URL can be laid under it.
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import maplibregl from "maplibre-gl";
import { element } from "./dom.js";
import { t } from "./i18n.js";

// Layer groups the user can toggle: [key, feature_type, MapLibre layers of it]
export const COLORS = {
  park: "#2f6f4f", functional_zone: "#9a8f5a", enterprise: "#5b6b8c", emission_source: "#5a5a5a", monitoring_point: "#1f78b4",
  sensitive_receptor: "#d4a017", risk_source: "#8c564b", weather_station: "#7d3c98",
};

// A functional zone is tinted by its kind, faintly: it is the ground the rest stands on.
export const ZONE_COLORS = {
  chemical_production: "#d8b48c", storage_logistics: "#9dbfe0", utilities: "#b9a6dc", public_services: "#f0c4a8",
  green_buffer: "#86c37e", reserve: "#d6d6cf", other: "#cfcfcf",
};

// A monitoring point's colour is its live status (feature state): an open alarm's level first,
// then offline (nothing heard for longer than the park allows), values with a flag other than N
// (not valid data), values all flagged N, or nothing heard yet.
export const LEVEL_COLORS = { blue: "#2f6fd6", yellow: "#e6b800", orange: "#f07c00", red: "#d7191c" };
export const STATUS_COLORS = { normal: "#2e9e4f", invalid: "#8c8c8c", offline: "#3b3b3b", waiting: "#9ec5e8" };
export const LEGEND = [
  ["level.red", LEVEL_COLORS.red], ["level.orange", LEVEL_COLORS.orange], ["level.yellow", LEVEL_COLORS.yellow],
  ["level.blue", LEVEL_COLORS.blue], ["status.normal", STATUS_COLORS.normal], ["status.invalid", STATUS_COLORS.invalid],
  ["status.offline", STATUS_COLORS.offline], ["status.waiting", STATUS_COLORS.waiting],
];
const POINT_COLOR = ["match", ["coalesce", ["feature-state", "alarm"], ["feature-state", "status"], "waiting"],
  ...Object.entries(LEVEL_COLORS).flat(), ...Object.entries(STATUS_COLORS).flat(), STATUS_COLORS.waiting];
const POINT_RADIUS = ["match", ["coalesce", ["feature-state", "alarm"], "none"], "red", 9, "orange", 8, "yellow", 7, "blue", 6, 5];

// A risk source with a level gauge fills with its tank's fill (feature state "fill", % of the
// safe level, from the gauge's x01002) from white to deep blue; its ring takes the gauge's
// alarm level when it has one.
const RISK_PAINT = {
  "circle-color": ["interpolate", ["linear"], ["coalesce", ["feature-state", "fill"], 0],
    0, "#ffffff", 50, "#9ecae1", 100, "#08306b"],
  "circle-radius": ["case", ["!=", ["feature-state", "fill"], null], 6, 4],
  "circle-stroke-color": ["match", ["coalesce", ["feature-state", "alarm"], "none"],
    ...Object.entries(LEVEL_COLORS).flat(), COLORS.risk_source],
  "circle-stroke-width": ["case", ["!=", ["feature-state", "alarm"], null], 3, 2],
};

// Polygons are outlined by their line layers, so the fill layers leave out MapLibre's own
// antialiased outline ("fill-antialias"): it would draw every edge a second time, with a
// shader program of its own to compile before the first paint.
function layersOf(type, color) {
  const only = (geometry) => ["all", ["==", ["get", "feature_type"], type], ["==", ["geometry-type"], geometry]];
  if (type === "functional_zone") {
    return [
      { id: `${type}-fill`, type: "fill", source: "park", filter: only("Polygon"),
        paint: { "fill-color": ["match", ["get", "kind"], ...Object.entries(ZONE_COLORS).flat(), ZONE_COLORS.other],
                 "fill-opacity": 0.45, "fill-antialias": false } },
      { id: `${type}-line`, type: "line", source: "park", filter: only("Polygon"),
        paint: { "line-color": "#7d7352", "line-width": 1, "line-dasharray": [3, 2] } },
    ];
  }
  return [
    { id: `${type}-fill`, type: "fill", source: "park", filter: only("Polygon"),
      paint: { "fill-color": color, "fill-opacity": type === "park" ? 0.06 : 0.25, "fill-antialias": false } },
    { id: `${type}-line`, type: "line", source: "park", filter: only("Polygon"),
      paint: { "line-color": color, "line-width": type === "park" ? 2.5 : 1 } },
    { id: `${type}-circle`, type: "circle", source: "park", filter: only("Point"),
      // Monitoring points are solid discs in their status colour; every other point feature is a
      // ring in its layer's colour, so that a filled colour on the map always means a status.
      paint: type === "monitoring_point"
        ? { "circle-color": POINT_COLOR, "circle-radius": POINT_RADIUS, "circle-stroke-color": "#fff",
            "circle-stroke-width": 1 }
        : type === "risk_source" ? RISK_PAINT
        : { "circle-color": "#fff", "circle-radius": 4, "circle-stroke-color": color, "circle-stroke-width": 2 } },
  ];
}

export const GROUPS = [
  ["park", "park"], ["zones", "functional_zone"], ["enterprises", "enterprise"], ["sources", "emission_source"],
  ["risks", "risk_source"], ["receptors", "sensitive_receptor"], ["weather", "weather_station"],
  ["points", "monitoring_point"],
];

// A feature's id on the map, for its live state: a monitoring point's code (unique in the park);
// other features' codes repeat between enterprises (every tank farm has a T-101), so they are
// qualified by type and enterprise.
export function featureId(p) {
  if (p.feature_type === "monitoring_point") return p.code;
  return `${p.feature_type}:${p.enterprise_credit_code || p.credit_code || ""}:${p.code || p.name}`;
}

export function bounds(collection) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === "number") {
      box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
    } else c.forEach(visit);
  };
  collection.features.forEach((f) => visit(f.geometry.coordinates));
  return [[box[0], box[1]], [box[2], box[3]]];
}

// What the map's layers and clicks read of a feature. The rest (names, registry facts, a
// point's devices) stays with the console's copy of the collection: every property given to
// the map is copied into each tile the feature falls in, by the map's worker, before the
// first paint.
const DRAWN_PROPERTIES = ["feature_type", "fid", "code", "kind", "credit_code"];

function drawn(collection) {
  return { type: "FeatureCollection", features: collection.features.map((f) => ({
    type: "Feature", geometry: f.geometry,
    properties: Object.fromEntries(DRAWN_PROPERTIES.filter((k) => k in f.properties).map((k) => [k, f.properties[k]])),
  })) };
}

export function parkMap(container, collection, tileUrl) {
  // Feature ids from the point codes, so that the live stream can address a point's state.
  for (const feature of collection.features) feature.properties.fid = featureId(feature.properties);
  const sources = { park: { type: "geojson", data: drawn(collection), promoteId: "fid" } };
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#eef1ec" } }];
  if (tileUrl) {
    sources.tiles = { type: "raster", tiles: [tileUrl], tileSize: 256 };
    layers.push({ id: "tiles", type: "raster", source: "tiles" });
  }
  for (const [, type] of GROUPS) layers.push(...layersOf(type, COLORS[type]));
  const map = new maplibregl.Map({
    container, style: { version: 8, sources, layers }, bounds: bounds(collection),
    fitBoundsOptions: { padding: 40 }, attributionControl: false,
  });
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  return map;
}

export function setGroupVisible(map, type, visible) {
  for (const suffix of ["fill", "line", "circle"]) {
    if (map.getLayer(`${type}-${suffix}`)) map.setLayoutProperty(`${type}-${suffix}`, "visibility", visible ? "visible" : "none");
  }
  for (const node of map.getContainer().querySelectorAll(`.map-label[data-type="${type}"]`)) node.hidden = !visible;
  map.fire("moveend"); // names the hidden ones crowded out may have room now
}

// Names on the map. MapLibre draws text from glyph tiles that a park's isolated network does
// not serve, and the zones and receptors a map names are few: each name is an HTML marker at
// the feature's label point (a point on the feature, from the server), set in the page's fonts.
// Where two names would overlap, the first keeps its place and the later one is left out until
// the view leaves room for it (zones come first in the collection, then receptors).
export function addLabels(map, collection, nameOf) {
  const nodes = [];
  for (const feature of collection.features) {
    const p = feature.properties;
    if (!p.label) continue;
    const node = element("div", { class: `map-label map-label-${p.feature_type}`, "data-type": p.feature_type,
                                  "data-kind": p.kind, "data-fid": p.fid }, nameOf(p));
    // A place drawn as a point is named beside its ring, an area over its middle.
    const beside = feature.geometry.type === "Point";
    new maplibregl.Marker({ element: node, anchor: beside ? "left" : "center", offset: beside ? [7, 0] : [0, 0] })
      .setLngLat(p.label).addTo(map);
    nodes.push(node);
  }
  const declutter = () => {
    const placed = [];
    for (const node of nodes) {
      if (node.hidden) continue; // its layer is off
      node.classList.remove("map-label-crowded");
      const box = node.getBoundingClientRect();
      if (placed.some((b) => box.left < b.right && b.left < box.right && box.top < b.bottom && b.top < box.bottom)) {
        node.classList.add("map-label-crowded");
      } else placed.push(box);
    }
  };
  map.on("moveend", declutter);
  map.on("load", declutter);
  return declutter;
}

// The park's functional zone that holds a place, or null.
export function zoneAt(collection, lon, lat) {
  return collection.features.find((f) => f.properties.feature_type === "functional_zone"
    && booleanPointInPolygon([lon, lat], f.geometry)) || null;
}

export { maplibregl, t };

export function pointStatus(values) {
  const flags = Object.values(values).map((entry) => entry[1]);
  return flags.length && flags.every((flag) => flag === "N") ? "normal" : "invalid";
}
