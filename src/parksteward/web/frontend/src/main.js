// The park console: log in, then the park's map with its layers; a click on a monitoring
// point shows its latest values.
import "maplibre-gl/dist/maplibre-gl.css";
import "./console.css";
import * as api from "./api.js";
import { COLORS, GROUPS, maplibregl, parkMap, pointStatus, setGroupVisible } from "./map.js";
import { currentLanguage, t } from "./i18n.js";

const root = document.getElementById("app");

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
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
  const username = element("input", { name: "username", autocomplete: "username", required: "" });
  const password = element("input", { name: "password", type: "password", autocomplete: "current-password", required: "" });
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

// The newest values each point sent while the console was open (from the live stream), and
// the factor catalogue that names them.
const live = new Map();
const factors = new Map();

function valueRows(point, latest) {
  const name = (v) => (currentLanguage() === "en" ? v.name_en : v.name_zh) || v.factor;
  const rows = new Map((latest?.data || []).filter((v) => v.field === "Rtd" || v.field === "Avg")
    .map((v) => [v.factor, [name(v), v.value, v.unit || "", v.flag || ""]]));
  const heard = live.get(point.code);
  if (heard) {
    for (const [factor, [value, flag]] of Object.entries(heard.values)) {
      const known = factors.get(factor);
      const [label, , unit] = rows.get(factor) || [known ? name(known) : factor, null, known?.unit || ""];
      rows.set(factor, [label, value, unit, flag]);
    }
  }
  return [...rows.entries()].map(([factor, [name, value, unit, flag]]) => element("tr", { "data-factor": factor },
    element("td", {}, name), element("td", { class: "number" }, String(value ?? "—")),
    element("td", {}, unit), element("td", {}, flag)));
}

function pointPanel(point, latest) {
  const rows = valueRows(point, latest);
  return element("div", { class: "panel", "data-point": point.code },
    element("h3", {}, point.name),
    element("p", {}, `${t("code")} ${point.code} · ${t("kind")} ${point.kind}`),
    element("h4", {}, t("latest")),
    rows.length ? element("table", {}, ...rows) : element("p", {}, t("noData")));
}

async function start() {
  root.replaceChildren(element("p", { class: "loading" }, t("loading")));
  const me = await api.get("/auth/me");
  const parks = (await api.get("/parks")).data;
  const park = parks[0];
  const [collection, points, catalogue] = await Promise.all([
    api.get(`/parks/${park.id}/geojson`), api.get(`/points?park_id=${park.id}&limit=10000`), api.get("/factors"),
  ]);
  for (const factor of catalogue.data) factors.set(factor.code, factor);
  const pointByCode = new Map(points.data.map((p) => [p.code, p]));
  const mapNode = element("div", { id: "map" });
  const toggles = GROUPS.map(([key, type]) => element("label", {},
    element("input", { type: "checkbox", checked: "", "data-layer": type,
                       onchange: (e) => setGroupVisible(map, type, e.target.checked) }),
    element("span", { class: "swatch", style: `background: ${COLORS[type]}` }), t(key)));
  const header = element("header", {},
    element("strong", {}, currentLanguage() === "en" && park.name_en ? park.name_en : park.name),
    element("span", { class: "count", "data-testid": "point-count" }, `${points.count} ${t("pointsShown")}`),
    element("span", { class: "user" }, me.username), languageSwitch(),
    element("button", { class: "link", onclick: () => { api.logout(); location.reload(); } }, t("logout")));
  root.replaceChildren(header, element("aside", {}, element("h2", {}, t("layers")), ...toggles), mapNode);
  const map = parkMap(mapNode, collection, window.PARKSTEWARD?.tileUrl);
  window.parkMap = map; // for the browser tests and the curious
  let open = null; // the point whose panel is open: { point, latest, popup }
  map.on("click", "monitoring_point-circle", async (event) => {
    const feature = event.features[0];
    const point = pointByCode.get(feature.properties.code);
    if (!point) return;
    const latest = await api.get(`/points/${point.id}/latest`).catch(() => null);
    const popup = new maplibregl.Popup({ maxWidth: "360px" }).setLngLat(event.lngLat)
      .setDOMContent(pointPanel(point, latest)).addTo(map);
    open = { point, latest, popup };
    popup.on("close", () => { if (open?.popup === popup) open = null; });
  });
  // Live values: the point's colour and, when its panel is open, its values, without a reload.
  const stream = new EventSource(`/api/v1/live/readings?access_token=${encodeURIComponent(api.token())}`);
  stream.addEventListener("reading", (message) => {
    const reading = JSON.parse(message.data);
    live.set(reading.code, reading);
    map.setFeatureState({ source: "park", id: reading.code }, { status: pointStatus(reading.values), t: reading.t });
    if (open && open.point.code === reading.code) open.popup.setDOMContent(pointPanel(open.point, open.latest));
  });
  window.liveStream = stream;
  map.on("mouseenter", "monitoring_point-circle", () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "monitoring_point-circle", () => { map.getCanvas().style.cursor = ""; });
}

document.documentElement.lang = currentLanguage();
document.title = t("title");
if (api.token()) start(); else loginView();
