// The park console: log in, then the park's map with its layers and live point colours; the
// header's buttons open the panels (alarms, overview, models) in the drawer on the right.
//
// Every part of the console is a module that receives the console's context (`ctx`): the
// user, the park, the map, the points by code and id, the factor catalogue, the live values,
// and the drawer. A module adds its header button with ctx.addNav() and its words with addWords().
import "maplibre-gl/dist/maplibre-gl.css";
import "./console.css";
import * as api from "./api.js";
import { element, useTimeZone } from "./dom.js";
import { COLORS, GROUPS, LEGEND, addLabels, featureId, maplibregl, parkMap, pointStatus, setGroupVisible } from "./map.js";
import { currentLanguage, localName, t } from "./i18n.js";
import { showPoint } from "./point.js";

const root = document.getElementById("app");
const STATUS_REFRESH_MS = 15_000;
const TANK_FILL = "x01002"; // a tank gauge's fill, % of the safe level (a ParkSteward factor code, not HJ 212's)
const modules = []; // (ctx) => void, each called once the map is up

export function registerModule(mount) {
  modules.push(mount);
}

function languageSwitch() {
  return element("button", {
    class: "link", "data-testid": "language",
    onclick: () => {
      localStorage.setItem("parksteward.lang", currentLanguage() === "zh-CN" ? "en" : "zh-CN");
      location.reload();
    },
  }, t("language"));
}

function loginView() {
  const message = element("p", { class: "error", role: "alert" });
  const username = element("input", { name: "username", autocomplete: "username", required: true });
  const password = element("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = element("form", {
    class: "login",
    onsubmit: async (event) => {
      event.preventDefault();
      if (await api.login(username.value, password.value)) start();
      else message.textContent = t("loginFailed");
    },
  },
  element("h1", {}, t("title")),
  element("label", {}, t("username"), username),
  element("label", {}, t("password"), password),
  element("button", { type: "submit" }, t("login")), message, languageSwitch());
  root.replaceChildren(form);
}

// The drawer on the right: one panel at a time, with a title and a close button.
function makeDrawer(onResize) {
  const title = element("h2", {});
  const body = element("div", { class: "drawer-body" });
  const node = element("section", { id: "drawer", hidden: true },
    element("div", { class: "drawer-head" }, title,
      element("button", { class: "close", "aria-label": t("close"), onclick: () => drawer.close() }, "×")), body);
  let current = null; // { key, onClose }
  const drawer = {
    node,
    get key() { return current?.key ?? null; },
    show(heading, content, { key = null, onClose = null } = {}) {
      if (current?.onClose) current.onClose();
      current = { key, onClose };
      title.textContent = heading;
      body.replaceChildren(content);
      node.hidden = false;
      node.dataset.key = key || "";
      root.classList.add("with-drawer");
      onResize();
    },
    close() {
      if (current?.onClose) current.onClose();
      current = null;
      node.hidden = true;
      node.dataset.key = "";
      root.classList.remove("with-drawer");
      onResize();
    },
  };
  return drawer;
}

async function start() {
  // The map's web worker starts now, while the park's data is fetched: it has the whole map
  // library to compile before it can cut the first tile.
  maplibregl.prewarm();
  root.replaceChildren(element("p", { class: "loading" }, t("loading")));
  const [me, parks] = await Promise.all([api.get("/auth/me"), api.get("/parks")]);
  const park = parks.data[0];
  useTimeZone(park.timezone);
  const [collection, points, catalogue] = await Promise.all([
    api.get(`/parks/${park.id}/geojson?view=map`), api.get(`/points?park_id=${park.id}&limit=10000`),
    api.get("/factors"),
  ]);
  const nav = element("nav", {});
  let map = null;
  // The map's canvas follows its box when the drawer opens or closes beside it.
  const drawer = makeDrawer(() => requestAnimationFrame(() => map?.resize()));
  const mapNode = element("div", { id: "map" });
  const toggles = GROUPS.map(([key, type]) => element("label", {},
    element("input", { type: "checkbox", checked: true, "data-layer": type,
                       onchange: (e) => setGroupVisible(map, type, e.target.checked) }),
    element("span", { class: "swatch", style: `background: ${COLORS[type]}` }), t(key)));
  const legend = LEGEND.map(([key, color]) => element("div", { class: "legend-row" },
    element("span", { class: "swatch", style: `background: ${color}` }), t(key)));
  const header = element("header", {},
    element("strong", {}, localName(park)),
    element("span", { class: "count", "data-testid": "point-count" }, `${points.count} ${t("pointsShown")}`),
    nav,
    element("span", { class: "user" }, me.username), languageSwitch(),
    element("button", { class: "link", onclick: () => { api.logout(); location.reload(); } }, t("logout")));
  const aside = element("aside", {}, element("h2", {}, t("layers")), ...toggles,
    element("h2", {}, t("points")), ...legend);
  root.replaceChildren(header, aside, mapNode, drawer.node);
  map = parkMap(mapNode, collection, window.PARKSTEWARD?.tileUrl);
  window.parkMap = map; // for the browser tests and the curious
  addLabels(map, collection, (p) => localName(p));

  // Live states (status, alarm level, tank fill) are kept here until the first of the park's
  // tiles is ready: each one set before then would only redraw the still empty map (tens of
  // ms a frame where the GPU is software) while the map's worker is cutting the features into
  // tiles. They are then set together, and the frame that shows the points shows their colours.
  let pending = new Map(); // feature id -> state
  const stateOf = (id) => (pending ? pending.get(id) : map.getFeatureState({ source: "park", id })) || {};
  // Only what changes is set: every state set redraws the map, and most live readings leave a
  // point's colour as it was (some 20 readings a second on the demo park).
  const setState = (id, state) => {
    const current = stateOf(id);
    const changed = Object.entries(state).filter(([key, value]) => current[key] !== value);
    if (!changed.length) return;
    if (pending) pending.set(id, { ...current, ...Object.fromEntries(changed) });
    else map.setFeatureState({ source: "park", id }, Object.fromEntries(changed));
  };
  const flush = (event) => {
    if (!pending || (event.type === "sourcedata" && (event.sourceId !== "park" || !event.tile))) return;
    map.off("sourcedata", flush);
    const states = pending;
    pending = null;
    for (const [id, state] of states) map.setFeatureState({ source: "park", id }, state);
  };
  map.on("sourcedata", flush);
  map.once("load", flush); // a view with no tile of the park in it
  const readingListeners = new Set();
  const ctx = {
    me, park, map, drawer, collection,
    aside, // the left column: layers and legends; a module may add its own legend
    points: points.data,
    pointByCode: new Map(points.data.map((p) => [p.code, p])),
    pointById: new Map(points.data.map((p) => [p.id, p])),
    factors: new Map(catalogue.data.map((f) => [f.code, f])),
    live: new Map(), // point code -> the newest reading event heard while the console is open
    addNav(label, onclick, attributes = {}) {
      const button = element("button", { class: "nav", onclick, ...attributes }, label);
      nav.append(button);
      return button;
    },
    onReading(listener) {
      readingListeners.add(listener);
      return () => readingListeners.delete(listener);
    },
    pointState(code) {
      return stateOf(code);
    },
    setPointState(code, state) {
      if (ctx.pointByCode.has(code)) setState(code, state);
    },
    showPoint(point) { return showPoint(ctx, point); },
  };
  window.consoleContext = ctx;

  map.on("click", "monitoring_point-circle", (event) => {
    const point = ctx.pointByCode.get(event.features[0].properties.code);
    if (point) ctx.showPoint(point);
  });
  map.on("mouseenter", "monitoring_point-circle", () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "monitoring_point-circle", () => { map.getCanvas().style.cursor = ""; });

  // Tanks with a level gauge: the gauge's point code -> the risk source's feature id on the map.
  const gauges = new Map(collection.features.filter((f) => f.properties.feature_type === "monitoring_point"
    && f.properties.risk_source_code).map((f) => [f.properties.code, featureId({
    feature_type: "risk_source", enterprise_credit_code: f.properties.enterprise_credit_code,
    code: f.properties.risk_source_code })]));
  const riskToGauge = new Map([...gauges].map(([code, fid]) => [fid, code]));
  const showTank = (code, values, alarm) => {
    const fid = gauges.get(code);
    if (!fid) return;
    const state = {};
    if (values?.[TANK_FILL]) state.fill = Math.max(0, Math.min(100, values[TANK_FILL][0]));
    if (alarm !== undefined) state.alarm = alarm;
    setState(fid, state);
  };
  ctx.tankGauge = (riskFid) => riskToGauge.get(riskFid);
  ctx.showTank = showTank; // the alarms part passes a gauge's alarm level on
  // A click on a tank with a gauge opens the gauge's panel: its level, its chart, its alarms.
  map.on("click", "risk_source-circle", (event) => {
    const point = ctx.pointByCode.get(riskToGauge.get(event.features[0].properties.fid));
    if (point) ctx.showPoint(point);
  });

  // Where each point stands when the console opens (newest data, offline, open alarms), and
  // again every 15 s: going offline is the absence of messages, which no stream announces, and
  // minute and hourly values (a COD analyser's, a noise meter's) are not on the live stream.
  // One indexed statement for the whole park (GET /live/status, p95 34 ms on the demo park).
  const refreshStatus = () => api.get(`/live/status?park_id=${park.id}&factor=${TANK_FILL}`).then((answer) => {
    for (const entry of answer.data) {
      ctx.setPointState(entry.code, { status: entry.status, alarm: entry.alarm_level });
      showTank(entry.code, entry.values, entry.alarm_level);
    }
  }).catch((error) => console.warn("point status:", error));
  refreshStatus();
  setInterval(refreshStatus, STATUS_REFRESH_MS);
  const stream = new EventSource(`/api/v1/live/readings?access_token=${encodeURIComponent(api.token())}`);
  stream.addEventListener("reading", (message) => {
    const reading = JSON.parse(message.data);
    ctx.live.set(reading.code, reading);
    ctx.setPointState(reading.code, { status: pointStatus(reading.values) });
    showTank(reading.code, reading.values);
    for (const listener of readingListeners) listener(reading);
  });
  window.liveStream = stream;
  for (const mount of modules) mount(ctx);
}

export function boot() {
  document.documentElement.lang = currentLanguage();
  document.title = t("title");
  if (api.token()) start(); else loginView();
}
