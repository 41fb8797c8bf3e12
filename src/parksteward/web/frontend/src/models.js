// Models on the map: a release drill's threat zones (泄漏演练) and a dispersion run's concentration
// contours (大气扩散), started from the console and drawn over the park.
//
// A drill is one synchronous request of a few seconds (POST /drills): the panel shows the time
// passing, then the zones of the given weather and of HJ 169's worst case, the receptors reached
// and the alarm the drill raised. A dispersion run is a background job: the panel polls its
// progress and draws its filled contour bands when it is done. Who may start either follows the
// API: drills are for DRILL_ROLES (parksteward/alarms/drill.py); a dispersion run may be started
// by every role the API lets in, an enterprise modelling only its own stacks. Everyone sees the
// past drills and runs they may read.
import * as api from "./api.js";
import { element, formatTime } from "./dom.js";
import { addWords, alarmText, localName, t } from "./i18n.js";
import { registerModule } from "./main.js";

const DRILL_ROLES = ["admin", "steward", "command"]; // parksteward.alarms.drill.DRILL_ROLES
const CHLORINE_CAS = "7782-50-5";
const STABILITY_CLASSES = ["A", "B", "C", "D", "E", "F"];
const POLLUTANTS = ["SO2", "NO2", "NOx", "PM10", "PM2.5", "CO", "TSP"];
const STATISTICS = ["max_1h", "max_24h", "annual"];
const RUN_POLL_MS = 500;
// A log-spaced default: one set of levels shows every statistic (an annual mean is some tens of
// times below the highest hour); an empty field asks the API for fractions of the GB 3095 limit.
const DEFAULT_LEVELS = "1, 2, 5, 10, 20, 50, 100, 200, 500";

export const ENDPOINT_COLORS = { endpoint_1: "#c0141b", endpoint_2: "#f08a00" };
const BAND_COLORS = ["#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02", "#993404", "#662506", "#3d1603"];
const PARTS = ["given", "worst_case"];
// Our layers go under the risk sources, receptors and monitoring points, so those stay visible and clickable.
const UNDER = "risk_source-fill";
const DRILL_LAYERS = ["models-drill-fill", "models-drill-line-given", "models-drill-line-worst", "models-drill-receptors",
  "models-drill-source"];
const RUN_LAYERS = ["models-run-fill", "models-run-line", "models-run-max"];
const SOURCES = ["models-drill-zones", "models-drill-receptors", "models-drill-source", "models-run-contours",
  "models-run-max"];

addWords({
  "zh-CN": {
    "models.nav": "模型", "models.title": "模型与演练", "models.drill": "泄漏演练", "models.dispersion": "大气扩散",
    "models.clear": "清除模型图层", "models.riskSource": "风险源", "models.chemical": "物质",
    "models.rate": "泄漏速率 [kg/s]", "models.duration": "持续时间 [s]", "models.weather": "气象条件",
    "models.weatherStation": "气象站当前气象", "models.weatherGiven": "指定气象",
    "models.windSpeed": "风速 [m/s]", "models.windFrom": "风向（来向）[°]", "models.stability": "稳定度", "models.toward": "吹向",
    "models.startDrill": "开始演练", "models.running": "计算中…", "models.seconds": "秒",
    "models.given": "当前气象", "models.worst_case": "最不利气象（HJ 169）", "models.both": "两者",
    "models.onlyWorst": "气象站无风速风向数据：按 HJ 169 最不利气象计算（F 类，1.5 m/s，吹向最近的敏感目标）。",
    "models.endpoint_1": "毒性终点浓度-1", "models.endpoint_2": "毒性终点浓度-2",
    "models.reach": "最远距离", "models.truncated": "（已截断于模型范围）",
    "models.reached": "受影响的敏感目标", "models.noneReached": "无敏感目标达到毒性终点浓度-2。",
    "models.receptor": "敏感目标", "models.arrival": "到达时间 [min]", "models.peak": "峰值 [mg/m³]",
    "models.exceeds": "超过", "models.alarm": "演练预警", "models.advice": "处置建议", "models.noAdvice": "无预案建议",
    "models.openAlarm": "在预警面板中查看", "models.pastDrills": "历次演练", "models.noDrills": "尚无演练",
    "models.readOnly": "当前角色只能查看历次结果。", "models.source": "泄漏源",
    "models.pollutant": "污染物", "models.sources": "排放源", "models.allStacks": "园区全部排气筒",
    "models.emission": "每个排气筒排放速率 [g/s]", "models.hours": "气象时长 [h]", "models.grid": "网格",
    "models.levels": "等值线浓度 [μg/m³]（留空：按标准限值比例）", "models.name": "名称",
    "models.startRun": "开始计算", "models.progress": "进度", "models.pastRuns": "历次扩散计算",
    "models.noRuns": "尚无计算", "models.open": "打开", "models.statistic": "统计量",
    "models.max_1h": "最大小时浓度", "models.max_24h": "最大日均浓度", "models.annual": "平均浓度",
    "models.max_annual": "最大平均浓度", "models.max_percentile_daily": "日均浓度百分位数最大值",
    "models.where": "位置", "models.limit": "标准限值", "models.fractionOfLimit": "占标率",
    "models.noContours": "该统计量没有达到所设浓度的区域。", "models.pmax": "最大占标率 Pmax",
    "models.grade": "评价等级", "models.hoursAbove": "超标小时数", "models.failed": "计算失败",
    "models.state.queued": "排队中", "models.state.running": "计算中", "models.state.done": "完成",
    "models.state.failed": "失败", "models.stacks": "排气筒数", "models.receptors": "受体数",
    "models.level": "级别", "models.time": "时间",
  },
  en: {
    "models.nav": "Models", "models.title": "Models and drills", "models.drill": "Release drill",
    "models.dispersion": "Dispersion", "models.clear": "Clear model layers", "models.riskSource": "Risk source",
    "models.chemical": "Chemical", "models.rate": "Release rate [kg/s]", "models.duration": "Duration [s]",
    "models.weather": "Weather", "models.weatherStation": "Weather station, now", "models.weatherGiven": "Given weather",
    "models.windSpeed": "Wind speed [m/s]", "models.windFrom": "Wind from [°]", "models.stability": "Stability", "models.toward": "Towards",
    "models.startDrill": "Start drill", "models.running": "Running…", "models.seconds": "s",
    "models.given": "Given weather", "models.worst_case": "Worst case (HJ 169)", "models.both": "Both",
    "models.onlyWorst": "The weather station has no wind: HJ 169's worst case only (F, 1.5 m/s, towards the nearest receptor).",
    "models.endpoint_1": "Toxic endpoint 1", "models.endpoint_2": "Toxic endpoint 2",
    "models.reach": "reach", "models.truncated": " (cut at the model's range)",
    "models.reached": "Receptors reached", "models.noneReached": "No receptor reaches toxic endpoint 2.",
    "models.receptor": "Receptor", "models.arrival": "Arrival [min]", "models.peak": "Peak [mg/m³]",
    "models.exceeds": "Exceeds", "models.alarm": "Drill alarm", "models.advice": "Advice", "models.noAdvice": "No plan advice",
    "models.openAlarm": "Open in the alarms panel", "models.pastDrills": "Past drills", "models.noDrills": "No drills yet",
    "models.readOnly": "This role may look at past results only.", "models.source": "Release source",
    "models.pollutant": "Pollutant", "models.sources": "Sources", "models.allStacks": "Every stack of the park",
    "models.emission": "Rate per stack [g/s]", "models.hours": "Weather hours [h]", "models.grid": "Grid",
    "models.levels": "Contour levels [μg/m³] (empty: fractions of the limit)", "models.name": "Name",
    "models.startRun": "Start run", "models.progress": "Progress", "models.pastRuns": "Past dispersion runs",
    "models.noRuns": "No runs yet", "models.open": "Open", "models.statistic": "Statistic",
    "models.max_1h": "Highest hourly", "models.max_24h": "Highest daily mean", "models.annual": "Mean",
    "models.max_annual": "Highest mean", "models.max_percentile_daily": "Highest percentile daily mean",
    "models.where": "Where", "models.limit": "Limit", "models.fractionOfLimit": "of limit",
    "models.noContours": "No area reaches the levels set for this statistic.", "models.pmax": "Pmax",
    "models.grade": "Assessment grade", "models.hoursAbove": "Hours above limit", "models.failed": "Run failed",
    "models.state.queued": "Queued", "models.state.running": "Running", "models.state.done": "Done",
    "models.state.failed": "Failed", "models.stacks": "Stacks", "models.receptors": "Receptors",
    "models.level": "Level", "models.time": "Time",
  },
});

// A number to `digits` significant digits, written plainly (270, 10000, 0.058).
export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return "—";
  return String(Number(Number(value).toPrecision(digits)));
}

function field(label, input) {
  return element("label", { class: "models-field" }, element("span", {}, label), input);
}

function numberInput(name, value, attributes = {}) {
  return element("input", { type: "number", name, value: String(value), step: "any", ...attributes });
}

function select(name, options, value) {
  const node = element("select", { name },
    ...options.map(([optionValue, label]) => element("option", { value: optionValue }, label)));
  if (value !== undefined) node.value = value;
  return node;
}

function table(head, rows, attributes = {}) {
  return element("table", { class: "list models-table", ...attributes },
    element("tr", {}, ...head.map((h) => element("th", {}, h))), ...rows);
}

// Every [lon, lat] of a GeoJSON geometry (or of a list of them), for fitting the map.
function extend(box, coordinates) {
  if (typeof coordinates[0] === "number") {
    box[0] = Math.min(box[0], coordinates[0]); box[1] = Math.min(box[1], coordinates[1]);
    box[2] = Math.max(box[2], coordinates[0]); box[3] = Math.max(box[3], coordinates[1]);
  } else coordinates.forEach((c) => extend(box, c));
  return box;
}

function fit(map, geometries) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const geometry of geometries) if (geometry) extend(box, geometry.coordinates);
  if (!Number.isFinite(box[0])) return;
  map.fitBounds([[box[0], box[1]], [box[2], box[3]]], { padding: 60, maxZoom: 15, duration: 0 });
}

function removeLayers(map, layers) {
  for (const id of layers) if (map.getLayer(id)) map.removeLayer(id);
}

function setData(map, id, data) {
  const source = map.getSource(id);
  if (source) source.setData(data);
  else map.addSource(id, { type: "geojson", data });
}

function under(map) {
  return map.getLayer(UNDER) ? UNDER : undefined;
}

// ------------------------------------------------------------------------------------------
// Release drill

// Local flat-Earth offsets [m] from a to b: good to well under 1 % over a park's 10 km.
function offsetM(a, b) {
  const R = 6371000;
  const east = ((b.lon - a.lon) * Math.PI / 180) * R * Math.cos((a.lat * Math.PI) / 180);
  const north = ((b.lat - a.lat) * Math.PI / 180) * R;
  return [east, north];
}

function distanceM(a, b) {
  return Math.hypot(...offsetM(a, b));
}

// The direction the wind must come FROM [deg, clockwise from north] to carry a cloud from a to b.
export function windFromTowards(a, b) {
  const [east, north] = offsetM(a, b);
  const toward = (Math.atan2(east, north) * 180) / Math.PI;
  return (toward + 180 + 360) % 360;
}

// The drill's zones as one collection, each feature marked with the weather it belongs to.
export function drillZones(release) {
  const features = [];
  for (const part of PARTS) {
    for (const feature of release[part]?.geojson?.features || []) {
      if (feature.geometry) features.push({ ...feature, properties: { ...feature.properties, part } });
    }
  }
  return { type: "FeatureCollection", features };
}

function drawDrill(ctx, release, reached, receptorsByName) {
  const { map } = ctx;
  removeLayers(map, DRILL_LAYERS);
  const zones = drillZones(release);
  // One ring per receptor, in the colour of the worse endpoint it meets in either weather.
  const worst = new Map();
  for (const r of reached) if (r.exceeds_endpoint_1 || !worst.has(r.name)) worst.set(r.name, r.exceeds_endpoint_1);
  const marks = [...worst].map(([name, endpoint1]) => {
    const receptor = receptorsByName.get(name);
    return receptor && { type: "Feature", geometry: { type: "Point", coordinates: [receptor.lon, receptor.lat] },
      properties: { name, endpoint: endpoint1 ? "endpoint_1" : "endpoint_2" } };
  }).filter(Boolean);
  const source = { type: "Feature", geometry: { type: "Point", coordinates: [release.source.lon, release.source.lat] },
    properties: { where: release.source.where } };
  setData(map, "models-drill-zones", zones);
  setData(map, "models-drill-receptors", { type: "FeatureCollection", features: marks });
  setData(map, "models-drill-source", { type: "FeatureCollection", features: [source] });
  const color = ["match", ["get", "endpoint"], "endpoint_1", ENDPOINT_COLORS.endpoint_1, ENDPOINT_COLORS.endpoint_2];
  const before = under(map);
  // Endpoint 2 (the larger zone) first, endpoint 1 over it.
  map.addLayer({ id: "models-drill-fill", type: "fill", source: "models-drill-zones",
    layout: { "fill-sort-key": ["match", ["get", "endpoint"], "endpoint_1", 2, 1] },
    paint: { "fill-color": color, "fill-opacity": ["match", ["get", "part"], "given", 0.38, 0.14] } }, before);
  map.addLayer({ id: "models-drill-line-given", type: "line", source: "models-drill-zones",
    filter: ["==", ["get", "part"], "given"], paint: { "line-color": color, "line-width": 2 } }, before);
  map.addLayer({ id: "models-drill-line-worst", type: "line", source: "models-drill-zones",
    filter: ["==", ["get", "part"], "worst_case"],
    paint: { "line-color": color, "line-width": 2, "line-dasharray": [3, 2] } }, before);
  map.addLayer({ id: "models-drill-receptors", type: "circle", source: "models-drill-receptors",
    paint: { "circle-radius": 13, "circle-opacity": 0, "circle-stroke-width": 3.5, "circle-stroke-color": color } });
  map.addLayer({ id: "models-drill-source", type: "circle", source: "models-drill-source",
    paint: { "circle-radius": 7, "circle-color": "#111", "circle-stroke-color": "#fff", "circle-stroke-width": 2.5 } });
  fit(map, [...zones.features.map((f) => f.geometry), source.geometry, ...marks.map((m) => m.geometry)]);
}

// Which weather's zones are shown: the given, the worst case, or both.
function showDrillPart(map, part) {
  const filter = part === "both" ? null : ["==", ["get", "part"], part];
  if (map.getLayer("models-drill-fill")) map.setFilter("models-drill-fill", filter);
  for (const [layer, own] of [["models-drill-line-given", "given"], ["models-drill-line-worst", "worst_case"]]) {
    if (map.getLayer(layer)) map.setLayoutProperty(layer, "visibility", part === "both" || part === own ? "visible" : "none");
  }
}

function endpointName(endpoint) {
  return t(`models.${endpoint}`);
}

function drillLegend(release) {
  const rows = [];
  for (const part of PARTS) {
    const assessed = release[part];
    if (!assessed) continue;
    const w = assessed.weather;
    rows.push(element("div", { class: "models-legend-head" },
      element("span", { class: `models-line models-line-${part}` }), `${t(`models.${part}`)}: ${w.stability} ${t("models.stability")}, `
        + `${formatNumber(w.wind_speed_m_s)} m/s, ${formatNumber(w.wind_from_deg)}°`));
    for (const zone of assessed.zones) {
      rows.push(element("div", { class: "legend-row models-zone", "data-part": part, "data-endpoint": zone.endpoint },
        element("span", { class: `models-box models-box-${part}`, style: `--zone: ${ENDPOINT_COLORS[zone.endpoint]}` }),
        `${endpointName(zone.endpoint)} ${formatNumber(zone.threshold_mg_m3)} mg/m³ · ${t("models.reach")} `
          + `${formatNumber(zone.downwind_distance_m, 4)} m${zone.truncated ? t("models.truncated") : ""}`));
    }
  }
  return element("div", { class: "models-legend", "data-testid": "drill-legend" }, ...rows);
}

function reachedTable(reached) {
  if (!reached.length) return element("p", { class: "muted", "data-testid": "drill-reached" }, t("models.noneReached"));
  return table([t("models.receptor"), t("models.weather"), t("models.arrival"), t("models.peak"), t("models.exceeds")],
    reached.map((r) => {
      const endpoint = r.exceeds_endpoint_1 ? "endpoint_1" : "endpoint_2";
      return element("tr", { "data-receptor": r.name, "data-weather": r.weather, "data-endpoint": endpoint },
        element("td", {}, r.name), element("td", {}, t(`models.${r.weather}`)),
        element("td", { class: "number" }, formatNumber(r.arrival_time_s / 60, 3)),
        element("td", { class: "number" }, formatNumber(r.peak_mg_m3)),
        element("td", {}, element("span", { class: "models-chip", style: `--zone: ${ENDPOINT_COLORS[endpoint]}` },
          endpointName(endpoint))));
    }), { "data-testid": "drill-reached" });
}

async function alarmBox(ctx, alarmId) {
  const box = element("div", { class: "models-alarm", "data-testid": "drill-alarm", "data-alarm-id": alarmId });
  try {
    const detail = await api.get(`/alarms/${alarmId}`);
    const alarm = detail.alarm;
    box.append(element("h4", {}, `${t("models.alarm")} #${alarm.id} `,
      element("span", { class: `level-chip level-${alarm.level}` }, t(`level.${alarm.level}`))),
    element("p", { class: "muted" }, alarmText(alarm)),
    element("p", {}, element("strong", {}, `${t("models.advice")}: `), alarm.advice || t("models.noAdvice")));
    // The alarms panel, where one is loaded, shows the alarm with its history and deliveries.
    if (typeof ctx.showAlarm === "function") {
      box.append(element("button", { class: "link", onclick: () => ctx.showAlarm(alarm.id) }, t("models.openAlarm")));
    }
  } catch (error) {
    box.append(element("p", { class: "error" }, String(error.message)));
  }
  return box;
}

function drillSection(ctx, shared) {
  const canStart = DRILL_ROLES.includes(ctx.me.role);
  const result = element("div", { class: "models-result", "data-testid": "drill-result" });
  const past = element("div", { class: "models-past", "data-testid": "drill-past" });
  const section = element("section", { class: "models-section", "data-testid": "drill-section" });

  async function showResult(release, reached, alarmId) {
    const receptorsByName = await shared.receptors();
    drawDrill(ctx, release, reached, receptorsByName);
    const onlyWorst = !release.worst_case && release.given.weather.label !== "given";
    const views = release.worst_case ? ["both", "given", "worst_case"] : [];
    const toggle = element("div", { class: "models-toggle", "data-testid": "drill-view" }, ...views.map((view) =>
      element("label", {}, element("input", { type: "radio", name: "drill-view", value: view, checked: view === "both",
        onchange: () => showDrillPart(ctx.map, view) }), t(`models.${view}`))));
    result.replaceChildren(...[
      element("h4", {}, `${release.chemical.name_zh} ${release.chemical.name} · ${release.release.rate_kg_s} kg/s × `
        + `${release.release.duration_s} s`),
      element("p", { class: "muted" }, `${t("models.source")}: ${release.source.where}`),
      onlyWorst ? element("p", { class: "muted" }, t("models.onlyWorst")) : null,
      toggle, drillLegend(release),
      element("h4", {}, t("models.reached")), reachedTable(reached),
      alarmId ? await alarmBox(ctx, alarmId) : null].filter(Boolean));
    result.scrollIntoView({ block: "start" });
  }

  async function loadPast() {
    const answer = await api.get("/alarms?kind=drill&limit=20");
    past.replaceChildren(element("h4", {}, t("models.pastDrills")), answer.data.length
      ? table([t("models.time"), t("models.level"), ""], answer.data.map((a) => element("tr", { "data-alarm-id": a.id },
        element("td", {}, formatTime(a.first_at)),
        element("td", {}, element("span", { class: `level-chip level-${a.level}` }, t(`level.${a.level}`))),
        element("td", {}, element("button", { class: "link", onclick: async () => {
          const detail = await api.get(`/alarms/${a.id}`);
          await showResult(detail.details.release, detail.details.reached || [], a.id);
        } }, t("models.open"))))))
      : element("p", { class: "muted" }, t("models.noDrills")));
  }

  section.append(element("h3", {}, t("models.drill")));
  if (canStart) section.append(drillForm(ctx, shared, showResult, loadPast));
  else section.append(element("p", { class: "muted" }, t("models.readOnly")));
  section.append(result, past);
  loadPast().catch((error) => past.replaceChildren(element("p", { class: "error" }, String(error.message))));
  return section;
}

function drillForm(ctx, shared, showResult, loadPast) {
  const source = element("select", { name: "risk_source_id", "data-testid": "drill-source" });
  const chemical = element("select", { name: "chemical", "data-testid": "drill-chemical" });
  const rate = numberInput("rate_kg_s", 1, { min: "0", "data-testid": "drill-rate" });
  const duration = numberInput("duration_s", 600, { min: "0", "data-testid": "drill-duration" });
  const speed = numberInput("wind_speed_m_s", 2, { min: "1" });
  const from = numberInput("wind_from_deg", 0, { min: "0", max: "360" });
  const stability = select("stability", STABILITY_CLASSES.map((c) => [c, c]), "D");
  // A drill is often run to see a cloud reach a village: pick one and the wind blows from the source towards it.
  const toward = element("select", { name: "toward", "data-testid": "drill-toward", onchange: () => {
    const chosen = sources.find((s) => String(s.id) === source.value);
    const receptor = receptorList.find((r) => String(r.id) === toward.value);
    if (chosen && receptor) from.value = String(Math.round(windFromTowards(chosen, receptor)) % 360);
  } });
  const given = element("fieldset", { class: "models-weather", disabled: true },
    field(t("models.windSpeed"), speed), field(t("models.windFrom"), from), field(t("models.stability"), stability),
    field(t("models.toward"), toward));
  let receptorList = [];
  function showTargets() {
    const chosen = sources.find((s) => String(s.id) === source.value);
    if (!chosen) return;
    const byDistance = receptorList.map((r) => [distanceM(chosen, r), r]).sort((a, b) => a[0] - b[0]);
    toward.replaceChildren(element("option", { value: "" }, "—"), ...byDistance.map(([d, r]) =>
      element("option", { value: r.id }, `${r.name} ${formatNumber(d / 1000, 2)} km`)));
  }
  const weatherChoice = (value, label, checked) => element("label", {},
    element("input", { type: "radio", name: "weather", value, checked, "data-testid": `drill-weather-${value}`,
      onchange: () => { given.disabled = value !== "given"; } }), label);
  // Usable once the park's risk sources are in the list: a drill needs one chosen.
  const start = element("button", { type: "submit", class: "primary", "data-testid": "drill-start", disabled: true },
    t("models.startDrill"));
  const progress = element("span", { class: "models-progress", "data-testid": "drill-progress", hidden: true });
  const message = element("p", { class: "error", role: "alert" });
  let sources = [];

  function showChemicals() {
    const chosen = sources.find((s) => String(s.id) === source.value);
    const items = chosen?.inventory || [];
    chemical.replaceChildren(...items.map((item) => element("option", { value: item.cas || item.substance },
      `${item.substance}${item.cas ? ` (${item.cas})` : ""}`)));
  }
  source.addEventListener("change", () => { showChemicals(); showTargets(); });
  shared.receptors().then((byName) => { receptorList = [...byName.values()]; showTargets(); });

  Promise.all([api.get("/risk-sources?limit=10000"), shared.enterprises()]).then(([answer, enterprises]) => {
    sources = answer.data;
    source.replaceChildren(...sources.map((s) => {
      const inventory = (s.inventory || []).map((i) => `${i.substance} ${formatNumber(i.quantity_t)} t`).join(", ");
      return element("option", { value: s.id },
        `${enterprises.get(s.enterprise_id) || ""} ${s.code} ${s.name}${inventory ? ` — ${inventory}` : ""}`);
    }));
    // The API's default: the park's first chlorine tank.
    const chlorine = sources.find((s) => (s.inventory || []).some((i) => i.cas === CHLORINE_CAS));
    if (chlorine) source.value = String(chlorine.id);
    showChemicals();
    showTargets();
    start.disabled = !sources.length;
  }).catch((error) => { message.textContent = String(error.message); });

  const form = element("form", { class: "models-form", "data-testid": "drill-form", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    const body = { risk_source_id: Number(source.value), chemical: chemical.value || null,
      rate_kg_s: Number(rate.value), duration_s: Number(duration.value) };
    if (!given.disabled) {
      body.weather = { wind_speed_m_s: Number(speed.value), wind_from_deg: Number(from.value), stability: stability.value };
    }
    start.disabled = true;
    progress.hidden = false;
    const began = performance.now();
    const tick = () => { progress.textContent = `${t("models.running")} ${((performance.now() - began) / 1000).toFixed(1)} ${t("models.seconds")}`; };
    tick();
    const timer = setInterval(tick, 100);
    try {
      const answer = await api.post("/drills", body);
      await showResult(answer.release, answer.reached, answer.alarm_id);
      loadPast();
    } catch (error) {
      message.textContent = String(error.message);
    } finally {
      clearInterval(timer);
      start.disabled = false;
      progress.hidden = true;
    }
  } },
  field(t("models.riskSource"), source), field(t("models.chemical"), chemical),
  element("div", { class: "models-row" }, field(t("models.rate"), rate), field(t("models.duration"), duration)),
  element("div", { class: "models-toggle" }, element("span", {}, `${t("models.weather")}: `),
    weatherChoice("station", t("models.weatherStation"), true), weatherChoice("given", t("models.weatherGiven"), false)),
  given, element("div", { class: "models-row" }, start, progress), message);
  return form;
}

// ------------------------------------------------------------------------------------------
// Dispersion run

function bandColor(index, count) {
  const step = count <= 1 ? 0 : Math.round((index * (BAND_COLORS.length - 1)) / (count - 1));
  return BAND_COLORS[step];
}

// The levels of one statistic, lowest first, each with its colour.
// The colours follow the levels the run asked for (where it named them), so a level keeps its colour
// whichever statistic is shown.
export function bands(contours, statistic, asked = null) {
  const levels = [...new Set(contours.features.filter((f) => f.properties.statistic === statistic)
    .map((f) => f.properties.level_ug_m3))].sort((a, b) => a - b);
  const scale = asked?.length ? [...asked].sort((a, b) => a - b) : levels;
  return levels.map((level, i) => ({ level,
    color: scale.includes(level) ? bandColor(scale.indexOf(level), scale.length) : bandColor(i, levels.length),
    fraction: contours.features.find((f) => f.properties.level_ug_m3 === level)?.properties.fraction_of_limit }));
}

function drawRun(ctx, contours, statistic, summary, asked) {
  const { map } = ctx;
  removeLayers(map, RUN_LAYERS);
  setData(map, "models-run-contours", contours);
  const levels = bands(contours, statistic, asked);
  const color = levels.length
    ? ["match", ["get", "level_ug_m3"], ...levels.flatMap((b) => [b.level, b.color]), "#999"] : "#999";
  const only = ["==", ["get", "statistic"], statistic];
  const before = under(map);
  // Each feature is the area at or above its level: drawn lowest first, the higher ones over it, they make bands.
  map.addLayer({ id: "models-run-fill", type: "fill", source: "models-run-contours", filter: only,
    layout: { "fill-sort-key": ["get", "level_ug_m3"] }, paint: { "fill-color": color, "fill-opacity": 0.35 } }, before);
  map.addLayer({ id: "models-run-line", type: "line", source: "models-run-contours", filter: only,
    paint: { "line-color": "#7a3b0c", "line-width": 0.6 } }, before);
  const top = summary?.[statistic === "annual" ? "max_annual" : statistic];
  setData(map, "models-run-max", { type: "FeatureCollection", features: top
    ? [{ type: "Feature", geometry: { type: "Point", coordinates: [top.lon, top.lat] }, properties: {} }] : [] });
  map.addLayer({ id: "models-run-max", type: "circle", source: "models-run-max",
    paint: { "circle-radius": 6, "circle-color": "#fff", "circle-stroke-color": "#7a0c0c", "circle-stroke-width": 3 } });
  const shown = contours.features.filter((f) => f.properties.statistic === statistic).map((f) => f.geometry);
  fit(map, shown.length ? shown : contours.features.map((f) => f.geometry));
  return levels;
}

function runLegend(levels, limit) {
  if (!levels.length) return element("p", { class: "muted", "data-testid": "run-legend" }, t("models.noContours"));
  return element("div", { class: "models-legend", "data-testid": "run-legend" }, ...levels.slice().reverse().map((b) =>
    element("div", { class: "legend-row", "data-level": b.level },
      element("span", { class: "models-box", style: `--zone: ${b.color}` }),
      `≥ ${formatNumber(b.level)} μg/m³${b.fraction !== undefined ? ` (${formatNumber(b.fraction * 100)} % ${t("models.fractionOfLimit")})` : ""}`)),
  limit ? element("p", { class: "muted" }, `${t("models.limit")}: ${formatNumber(limit.value_ug_m3)} μg/m³ (${limit.source})`) : null);
}

// A concentration as a table shows it: below 0.01 μg/m³ is nothing a monitor could tell from zero.
function concentration(value) {
  return value !== null && value !== undefined && value < 0.01 ? "<0.01" : formatNumber(value);
}

function statisticsTable(summary) {
  const rows = ["max_1h", "max_24h", "max_annual", "max_percentile_daily"].filter((key) => summary[key]).map((key) => {
    const s = summary[key];
    const when = s.hour_utc ? formatTime(s.hour_utc) : s.date || "";
    return element("tr", { "data-statistic": key }, element("td", {}, t(`models.${key}`)),
      element("td", { class: "number" }, formatNumber(s.value_ug_m3)),
      element("td", {}, `${s.receptor} (${s.lon.toFixed(4)}, ${s.lat.toFixed(4)}) ${when}`));
  });
  const out = [table([t("models.statistic"), "μg/m³", t("models.where")], rows, { "data-testid": "run-statistics" })];
  const facts = [`${t("models.stacks")}: ${summary.stacks}`, `${t("models.receptors")}: ${summary.receptors}`,
    `${t("models.hours")}: ${summary.hours}`];
  if (summary.screening) {
    facts.push(`${t("models.pmax")}: ${formatNumber(summary.screening.pmax_pct)} %`,
      `${t("models.grade")}: ${summary.screening.grade}`);
  }
  out.push(element("p", { class: "muted" }, facts.join(" · ")));
  if (summary.sensitive_receptors?.length) {
    out.push(table([t("models.receptor"), `${t("models.max_1h")} μg/m³`, `${t("models.max_24h")} μg/m³`,
      `${t("models.annual")} μg/m³`, t("models.hoursAbove")], summary.sensitive_receptors.map((r) =>
      element("tr", { "data-receptor": r.receptor }, element("td", {}, r.receptor),
        element("td", { class: "number" }, concentration(r.max_1h_ug_m3)),
        element("td", { class: "number" }, concentration(r.max_24h_ug_m3)),
        element("td", { class: "number" }, concentration(r.annual_ug_m3)),
        element("td", { class: "number" }, r.hours_above_1h_limit ?? "—"))), { "data-testid": "run-receptors" }));
  }
  return out;
}

function dispersionSection(ctx, shared) {
  const result = element("div", { class: "models-result", "data-testid": "run-result" });
  const past = element("div", { class: "models-past", "data-testid": "run-past" });
  const bar = element("progress", { max: "1", value: "0", "data-testid": "run-progress-bar" });
  const barText = element("span", { "data-testid": "run-progress" });
  const progress = element("div", { class: "models-progress", "data-testid": "run-progress-box", hidden: true }, bar, barText);
  const section = element("section", { class: "models-section", "data-testid": "dispersion-section" },
    element("h3", {}, t("models.dispersion")));
  let polling = null; // the run being followed

  function showProgress(run) {
    progress.hidden = false;
    bar.value = run.progress;
    barText.textContent = `${t(`models.state.${run.state}`)} ${run.hours_done}/${run.hours_total} h `
      + `(${Math.round(run.progress * 100)} %)`;
    progress.dataset.state = run.state;
  }

  async function showRun(run) {
    showProgress(run);
    if (run.state === "failed") {
      result.replaceChildren(element("p", { class: "error" }, `${t("models.failed")}: ${run.error}`));
      return;
    }
    const contours = await api.get(`/dispersion/runs/${run.id}/contours`);
    const summary = run.summary || {};
    const choice = select("statistic", STATISTICS.filter((s) => contours.features.some((f) => f.properties.statistic === s)
      || s === "max_1h").map((s) => [s, t(`models.${s === "annual" ? "annual" : s}`)]), "max_1h");
    choice.setAttribute("data-testid", "run-statistic");
    const legend = element("div", {});
    const limitOf = (statistic) => summary.limits?.[{ max_1h: "1h", max_24h: "24h", annual: "annual" }[statistic]];
    const redraw = () => legend.replaceChildren(runLegend(
      drawRun(ctx, contours, choice.value, summary, run.scenario?.outputs?.contour_levels_ug_m3), limitOf(choice.value)));
    choice.addEventListener("change", redraw);
    redraw();
    result.dataset.runId = run.id;
    result.replaceChildren(element("h4", {}, `#${run.id} ${run.name} · ${summary.pollutant || ""}`),
      field(t("models.statistic"), choice), legend, ...statisticsTable(summary));
    result.scrollIntoView({ block: "start" });
  }

  async function follow(runId) {
    polling = runId;
    for (;;) {
      const run = await api.get(`/dispersion/runs/${runId}`);
      if (polling !== runId) return; // another run was opened meanwhile
      if (run.state === "done" || run.state === "failed") {
        await showRun(run);
        loadPast();
        return;
      }
      showProgress(run);
      await new Promise((resolve) => setTimeout(resolve, RUN_POLL_MS));
    }
  }

  async function loadPast() {
    const answer = await api.get("/dispersion/runs?limit=20");
    past.replaceChildren(element("h4", {}, t("models.pastRuns")), answer.data.length
      ? table(["#", t("models.name"), t("models.progress"), t("models.time"), ""], answer.data.map((run) =>
        element("tr", { "data-run-id": run.id }, element("td", {}, String(run.id)), element("td", {}, run.name),
          element("td", {}, `${t(`models.state.${run.state}`)} ${Math.round(run.progress * 100)} %`),
          element("td", {}, formatTime(run.created_at)),
          element("td", {}, element("button", { class: "link", onclick: () => {
            result.replaceChildren();
            follow(run.id);
          } }, t("models.open"))))))
      : element("p", { class: "muted" }, t("models.noRuns")));
  }

  section.append(runForm(ctx, shared, follow, result), progress, result, past);
  loadPast().catch((error) => past.replaceChildren(element("p", { class: "error" }, String(error.message))));
  return section;
}

// Grid spacings [m] that make an n x n grid (centred on the park, as the API places it) cover the
// park and 1 km around it, rounded up to 10 m.
export function gridSpacings(collection, sizes = [21, 31, 41]) {
  const park = collection.features.find((f) => f.properties.feature_type === "park");
  const box = extend([Infinity, Infinity, -Infinity, -Infinity], park ? park.geometry.coordinates : [[0, 0]]);
  const corner = { lon: box[0], lat: box[1] };
  const width = distanceM(corner, { lon: box[2], lat: box[1] });
  const height = distanceM(corner, { lon: box[0], lat: box[3] });
  const side = Math.max(width, height) + 2000;
  return Object.fromEntries(sizes.map((n) => [n, Math.ceil(side / (n - 1) / 10) * 10]));
}

function runForm(ctx, shared, follow, result) {
  const name = element("input", { name: "name", value: t("models.dispersion") });
  const pollutant = select("pollutant", POLLUTANTS.map((p) => [p, p]), "SO2");
  const enterprise = element("select", { name: "enterprise", "data-testid": "run-sources" },
    element("option", { value: "" }, t("models.allStacks")));
  const emission = numberInput("emission_g_s", 1, { min: "0", "data-testid": "run-emission" });
  const hours = select("hours", [24, 72, 168].map((h) => [String(h), `${h}`]), "72");
  hours.setAttribute("data-testid", "run-hours");
  const spacing = gridSpacings(ctx.collection);
  const grid = select("grid", Object.entries(spacing).map(([n, m]) => [n, `${n} × ${n} · ${m} m`]), "21");
  grid.setAttribute("data-testid", "run-grid");
  const levels = element("input", { name: "levels", value: DEFAULT_LEVELS, "data-testid": "run-levels" });
  const start = element("button", { type: "submit", class: "primary", "data-testid": "run-start" }, t("models.startRun"));
  const message = element("p", { class: "error", role: "alert" });
  shared.enterpriseRows().then((rows) => {
    enterprise.append(...rows.map((e) => element("option", { value: e.credit_code }, localName(e))));
  }).catch((error) => { message.textContent = String(error.message); });

  return element("form", { class: "models-form", "data-testid": "run-form", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    const given = levels.value.split(/[,，\s]+/).filter(Boolean).map(Number);
    if (given.some((v) => !(v > 0))) {
      message.textContent = `${t("models.levels")}: ${levels.value}`;
      return;
    }
    const n = Number(grid.value);
    const scenario = {
      name: name.value || t("models.dispersion"), pollutant: pollutant.value,
      sources: { registry: true, emission_g_s: Number(emission.value),
        ...(enterprise.value ? { enterprises: [enterprise.value] } : {}) },
      meteorology: { synthetic_year: new Date().getFullYear() - 1, hours: Number(hours.value) },
      receptors: { grid: { nx: n, ny: n, spacing_m: spacing[n] }, sensitive: true },
      outputs: given.length ? { contour_levels_ug_m3: given } : {},
    };
    start.disabled = true;
    try {
      const run = await api.post("/dispersion/runs", { park_id: ctx.park.id, scenario });
      result.replaceChildren();
      await follow(run.id);
    } catch (error) {
      message.textContent = String(error.message);
    } finally {
      start.disabled = false;
    }
  } },
  field(t("models.name"), name),
  element("div", { class: "models-row" }, field(t("models.pollutant"), pollutant), field(t("models.emission"), emission)),
  field(t("models.sources"), enterprise),
  element("div", { class: "models-row" }, field(t("models.hours"), hours), field(t("models.grid"), grid)),
  field(t("models.levels"), levels), start, message);
}

// ------------------------------------------------------------------------------------------

export function clearModelLayers(map) {
  removeLayers(map, [...DRILL_LAYERS, ...RUN_LAYERS]);
  for (const id of SOURCES) if (map.getSource(id)) map.removeSource(id);
}

function once(load) {
  let promise = null;
  return () => { promise ??= load(); return promise; };
}

registerModule((ctx) => {
  // Looked up once per console: the enterprises' names and the park's receptors (to mark those a drill reaches).
  const enterpriseRows = once(() => api.get(`/enterprises?park_id=${ctx.park.id}&limit=10000`).then((a) => a.data));
  const shared = {
    enterpriseRows,
    enterprises: once(() => enterpriseRows().then((rows) => new Map(rows.map((e) => [e.id, localName(e)])))),
    receptors: once(() => api.get(`/receptors?park_id=${ctx.park.id}&limit=10000`)
      .then((a) => new Map(a.data.map((r) => [r.name, r])))),
  };
  let panel = null; // kept between openings, so a running drill or run is still followed when it is reopened
  const open = () => {
    if (ctx.drawer.key === "models") {
      ctx.drawer.close();
      return;
    }
    panel ??= element("div", { class: "models-panel", "data-testid": "models-panel" },
      element("button", { class: "secondary", "data-testid": "models-clear", onclick: () => clearModelLayers(ctx.map) },
        t("models.clear")),
      drillSection(ctx, shared), dispersionSection(ctx, shared));
    ctx.drawer.show(t("models.title"), panel, { key: "models" });
  };
  ctx.addNav(t("models.nav"), open, { "data-testid": "models-nav" });
});
