// The park in 2.5D: tanks and stacks raised to their recorded heights, shown when the map is
// tilted (the "3D" button). Their footprints are drawn here from the registry: a vertical tank's
// diameter from its capacity and shell height (V = π d² h / 4), a stack's from its inner
// diameter (the shell taken as half as wide again). Features without a height stay flat.
import { addWords, t } from "./i18n.js";
import { registerModule } from "./main.js";

addWords({ "zh-CN": { "extrude.tilt": "三维", "extrude.flat": "二维" }, en: { "extrude.tilt": "3D", "extrude.flat": "2D" } });

const METRES_PER_DEGREE = 111_320; // along a meridian, and along the equator [m/deg]
const SIDES = 20;

function circle([lon, lat], radius_m) {
  const ring = [];
  for (let k = 0; k <= SIDES; k += 1) {
    const angle = (2 * Math.PI * k) / SIDES;
    ring.push([lon + (radius_m * Math.cos(angle)) / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180)),
      lat + (radius_m * Math.sin(angle)) / METRES_PER_DEGREE]);
  }
  return { type: "Polygon", coordinates: [ring] };
}

// [footprint radius m, height m] of a feature, or null where the registry gives no height.
export function solid(properties) {
  const p = properties;
  if (p.feature_type === "risk_source" && p.tank_height_m > 0 && p.capacity_m3 > 0) {
    return [Math.sqrt(p.capacity_m3 / (Math.PI * p.tank_height_m)), p.tank_height_m];
  }
  if (p.feature_type === "emission_source" && p.stack_height_m > 0) {
    return [Math.max(1.0, 0.75 * (p.stack_inner_diameter_m || 1.0)), p.stack_height_m];
  }
  return null;
}

export function solids(collection) {
  const features = [];
  for (const feature of collection.features) {
    if (feature.geometry.type !== "Point") continue;
    const found = solid(feature.properties);
    if (!found) continue;
    features.push({ type: "Feature", geometry: circle(feature.geometry.coordinates, found[0]),
      properties: { feature_type: feature.properties.feature_type, height: found[1] } });
  }
  return { type: "FeatureCollection", features };
}

registerModule((ctx) => {
  const { map } = ctx;
  const add = () => {
    map.addSource("solids", { type: "geojson", data: solids(ctx.collection) });
    map.addLayer({
      id: "solids", type: "fill-extrusion", source: "solids", minzoom: 12, layout: { visibility: "none" },
      paint: {
        "fill-extrusion-color": ["match", ["get", "feature_type"], "risk_source", "#b9c4cc", "#9c6b5a"],
        "fill-extrusion-height": ["get", "height"], "fill-extrusion-opacity": 0.9,
      },
    });
  };
  // Made on the first tilt, not with the map: the console's first paint does not wait for the
  // worker to cut some 600 solids into tiles that may never be looked at.
  let tilted = false;
  const button = ctx.addNav(t("extrude.tilt"), () => {
    if (!map.getSource("solids")) add();
    tilted = !tilted;
    map.setLayoutProperty("solids", "visibility", tilted ? "visible" : "none");
    // Tanks are tens of metres across: close enough to see them as solids (about 2.4 m a pixel).
    map.easeTo({ pitch: tilted ? 55 : 0, bearing: tilted ? -20 : 0, zoom: tilted ? Math.max(map.getZoom(), 16) : map.getZoom(),
      duration: 800 });
    button.textContent = t(tilted ? "extrude.flat" : "extrude.tilt");
    button.classList.toggle("active", tilted);
  }, { "data-testid": "tilt" });
});


