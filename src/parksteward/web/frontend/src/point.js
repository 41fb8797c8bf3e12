// A monitoring point's panel: its latest values with units and flags, updated live while open.
import * as api from "./api.js";
import { element } from "./dom.js";
import { currentLanguage, t } from "./i18n.js";

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

// Extra sections other parts of the console add below the values (the chart, the enterprise link).
export const pointSections = [];

function valuesTable(ctx, point, latest) {
  const rows = valueRows(ctx, point, latest);
  return rows.length ? element("table", { class: "values" }, ...rows) : element("p", {}, t("noData"));
}

export async function showPoint(ctx, point) {
  const latest = await api.get(`/points/${point.id}/latest`).catch(() => null);
  const values = element("div", { class: "point-values" }, valuesTable(ctx, point, latest));
  const state = ctx.pointState(point.code);
  const panel = element("div", { class: "panel", "data-point": point.code },
    element("p", { class: "muted" }, `${t("code")} ${point.code} · ${t("kind")} ${point.kind}`),
    element("p", { class: "muted" }, `${t("status")}: `, element("span", { "data-testid": "point-status" },
      t(state.alarm ? `level.${state.alarm}` : `status.${state.status || "waiting"}`))),
    element("h4", {}, t("latest")), values);
  for (const section of pointSections) {
    const node = section(ctx, point, latest);
    if (node) panel.append(node);
  }
  const closeLive = ctx.onReading((reading) => {
    if (reading.code === point.code) values.replaceChildren(valuesTable(ctx, point, latest));
  });
  ctx.drawer.show(point.name, panel, { key: `point:${point.code}`, onClose: closeLive });
}
