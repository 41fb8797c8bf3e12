// The park's functional zones (功能分区): a legend of the kinds the park has, and a click on a
// zone's open ground answers what a director asks of it: what it is for, how large, how many
// enterprises and monitoring points stand in it, and how many of those points are in alarm now.
import * as api from "./api.js";
import { element, formatNumber } from "./dom.js";
import { addWords, label, localName, t } from "./i18n.js";
import { ZONE_COLORS, maplibregl, zoneAt } from "./map.js";
import { registerModule } from "./main.js";

addWords({
  "zh-CN": {
    zones: "功能分区", "zone.area": "面积", "zone.enterprises": "入驻企业", "zone.points": "监测点位",
    "zone.alarmed": "预警中点位", "zone.of": "所在功能分区", ha: "公顷",
  },
  en: {
    zones: "Functional zones", "zone.area": "Area", "zone.enterprises": "Enterprises", "zone.points": "Monitoring points",
    "zone.alarmed": "Points in alarm", "zone.of": "Functional zone", ha: "ha",
  },
});

const ZONE = "functional_zone";

registerModule((ctx) => {
  const zones = ctx.collection.features.filter((f) => f.properties.feature_type === ZONE);
  if (!zones.length) return;
  const kinds = [...new Set(zones.map((f) => f.properties.kind))];
  ctx.aside.append(element("h2", {}, t("zones")), ...kinds.map((kind) => element("div", { class: "legend-row" },
    element("span", { class: "swatch square", style: `background: ${ZONE_COLORS[kind] || ZONE_COLORS.other}` }),
    label("zone_kinds", kind))));

  // Which zone each enterprise and monitoring point stands in, once: the map's features do not move.
  // (with the zone's own properties: the map's copy of a feature carries no names)
  const members = new Map(zones.map((z) => [z.properties.code, { zone: z.properties, enterprises: 0, points: [] }]));
  for (const f of ctx.collection.features) {
    const type = f.properties.feature_type;
    if ((type !== "enterprise" && type !== "monitoring_point") || f.geometry.type !== "Point") continue;
    const zone = zoneAt(ctx.collection, ...f.geometry.coordinates);
    if (!zone) continue;
    const entry = members.get(zone.properties.code);
    if (type === "enterprise") entry.enterprises += 1;
    else entry.points.push(f.properties.code);
  }
  ctx.zoneOf = (lon, lat) => zoneAt(ctx.collection, lon, lat)?.properties ?? null;

  let areas = null; // code -> ha, from the registry (the map view carries no areas)
  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: "280px", className: "zone-popup" });
  ctx.map.on("click", `${ZONE}-fill`, async (event) => {
    // Only the open ground: a click on anything drawn over the zone is that thing's.
    const above = ctx.map.queryRenderedFeatures(event.point)
      .filter((f) => f.properties.feature_type !== ZONE && f.properties.feature_type !== "park");
    if (above.length) return;
    const entry = members.get(event.features[0].properties.code);
    const { zone } = entry;
    const alarmed = entry.points.filter((code) => ctx.pointState(code).alarm).length;
    const row = (key, value) => element("tr", {}, element("th", {}, t(key)), element("td", { class: "number" }, value));
    const area = element("td", { class: "number" }, "…");
    popup.setLngLat(event.lngLat).setDOMContent(element("div", { "data-zone": zone.code },
      element("h3", {}, localName(zone)),
      element("p", { class: "muted" }, `${zone.code} · ${label("zone_kinds", zone.kind)}`),
      element("table", {}, element("tr", {}, element("th", {}, t("zone.area")), area),
        row("zone.enterprises", formatNumber(entry.enterprises)), row("zone.points", formatNumber(entry.points.length)),
        row("zone.alarmed", formatNumber(alarmed))))).addTo(ctx.map);
    areas ??= api.get(`/zones?park_id=${ctx.park.id}&limit=1000`)
      .then((answer) => new Map(answer.data.map((z) => [z.code, z.area_ha])));
    const ha = (await areas).get(zone.code);
    area.textContent = ha === undefined ? "—" : `${formatNumber(Math.round(ha), 6)} ${t("ha")}`;
  });
});
