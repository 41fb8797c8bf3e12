// A monitoring point's panel: its latest values with units and flags, updated live while open.
import * as api from "./api.js";
import { element } from "./dom.js";
import { currentLanguage, label, t } from "./i18n.js";

function factorName(record) {
  return (currentLanguage() === "en" ? record.name_en : record.name_zh) || record.factor || record.code;
}

function valueRows(ctx, point, latest) {
  const rows = new Map((latest?.data || []).filter((v) => v.field === "Rtd" || v.field === "Avg")
    .map((v) => [v.factor, [factorName(v), v.value, v.unit || "", v.flag || ""]]));
  const heard = ctx.live.get(point.code);
  if (heard) {
    for (const [factor, [value, flag]] of Object.entries(heard.values)) {
      const known = ctx.factors.get(factor);
      const [label, , unit] = rows.get(factor) || [known ? factorName(known) : factor, null, known?.unit || ""];
      rows.set(factor, [label, value, unit, flag]);
    }
  }
  return [...rows.entries()].map(([factor, [name, value, unit, flag]]) => element("tr", { "data-factor": factor },
    element("td", {}, name), element("td", { class: "number" }, String(value ?? "—")),
    element("td", {}, unit), element("td", { class: `flag flag-${flag}` }, flag)));
}

// Extra sections other parts of the console add below the values (the chart, the enterprise link):
// section(ctx, point, latest, onClose) returns a node or null; onClose(fn) registers a clean-up.
export const pointSections = [];

function valuesTable(ctx, point, latest) {
  const rows = valueRows(ctx, point, latest);
  return rows.length ? element("table", { class: "values" }, ...rows) : element("p", {}, t("noData"));
}

export async function showPoint(ctx, point) {
  const latest = await api.get(`/points/${point.id}/latest`).catch(() => null);
  const values = element("div", { class: "point-values" }, valuesTable(ctx, point, latest));
  const statusText = () => {
    const state = ctx.pointState(point.code);
    return t(state.alarm ? `level.${state.alarm}` : `status.${state.status || "waiting"}`);
  };
  const status = element("span", { "data-testid": "point-status" }, statusText());
  const panel = element("div", { class: "panel", "data-point": point.code },
    element("p", { class: "muted" }, `${t("code")} ${point.code} · ${t("kind")} ${label("point_kinds", point.kind)}`),
    element("p", { class: "muted" }, `${t("status")}: `, status),
    element("h4", {}, t("latest")), values);
  const cleanups = []; // a section's own clean-up (a chart to dispose, a listener) when the panel closes
  for (const section of pointSections) {
    const node = section(ctx, point, latest, (cleanup) => cleanups.push(cleanup));
    if (node) panel.append(node);
  }
  const closeLive = ctx.onReading((reading) => {
    if (reading.code !== point.code) return;
    values.replaceChildren(valuesTable(ctx, point, latest));
    status.textContent = statusText();
  });
  const onClose = () => {
    closeLive();
    for (const cleanup of cleanups) cleanup();
  };
  ctx.drawer.show(point.name, panel, { key: `point:${point.code}`, onClose });
}
