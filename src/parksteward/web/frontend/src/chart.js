// A point's time-series chart in its panel: one factor over a chosen span, as raw values or the
// platform's minute / hour / day roll-ups, with the limit that applies at the point drawn as a
// line. Values beyond the limit are drawn red; values whose flag is not N (or a roll-up judged
// invalid) are marked with their flag. While the raw values are shown, live values are appended.
import * as api from "./api.js";
import { element, formatAxisTime, formatNumber, formatTime } from "./dom.js";
import { addWords, currentLanguage, t } from "./i18n.js";
import { pointSections } from "./point.js";

// ECharts is fetched when the first chart opens, not with the map: the console's first paint
// does not wait for half a megabyte it may not need (esbuild splits it into a chunk of its own).
let echartsReady = null;
function loadEcharts() {
  echartsReady ??= import("./echarts-setup.js").then((module) => module.echarts);
  return echartsReady;
}

addWords({
  "zh-CN": {
    "chart.title": "趋势图", "chart.factor": "因子", "chart.raw": "实时", "chart.minute": "分钟",
    "chart.hour": "小时", "chart.day": "日", "chart.6h": "6小时", "chart.24h": "24小时", "chart.7d": "7天",
    "chart.30d": "30天", "chart.exceed": "超限值", "chart.flagged": "非N标记/无效", "chart.noLimit": "无适用限值",
    "chart.limit": "限值", "chart.values": "个数据", "chart.noFactors": "该点位未配置监测因子",
    "chart.loadFailed": "数据加载失败", "chart.invalid": "无效", "chart.live": "实时追加",
    "chart.truncated": "数据过多，仅显示最早的部分，请缩短时间范围",
  },
  en: {
    "chart.title": "Trend", "chart.factor": "Factor", "chart.raw": "Raw", "chart.minute": "Minute",
    "chart.hour": "Hour", "chart.day": "Day", "chart.6h": "6 h", "chart.24h": "24 h", "chart.7d": "7 d",
    "chart.30d": "30 d", "chart.exceed": "Beyond limit", "chart.flagged": "Flag not N / invalid",
    "chart.noLimit": "No limit applies", "chart.limit": "Limit", "chart.values": "values",
    "chart.noFactors": "No factors configured at this point", "chart.loadFailed": "Could not load the data",
    "chart.invalid": "invalid", "chart.live": "live", "chart.truncated": "Too many values: the earliest are shown, "
      + "choose a shorter span",
  },
});

// The tooltip: the park's time, then each series' value (and a value's flag where it is marked).
function tooltipText(params) {
  const list = Array.isArray(params) ? params : [params];
  const rows = list.map((p) => `${p.marker}${p.seriesName} ${formatNumber(p.value[1], 4)}${p.value[2] ? ` (${p.value[2]})` : ""}`);
  return [formatTime(new Date(list[0].value[0])), ...rows].join("<br>");
}

export const INTERVALS = ["raw", "minute", "hour", "day"];
export const RANGES = { "6h": 6 * 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 };
const MAX_POINTS = 100_000; // the series endpoint's cap (ingest/service.py)
// Minute, hourly and daily values are re-read: the live stream carries raw values only, and a
// logger back online uploads its stored hours after what is current. A chart just opened, or
// whose last re-read found the count changed (a backlog arriving), is re-read soon; one that
// stays the same, every half minute.
const PERIOD_REFRESH_MS = 30_000;
const PERIOD_FOLLOW_MS = 5_000;
const LIMIT_COLOR = "#d7191c";

// Which averaging time of a limit fits the values shown: an instantaneous or 1-h limit for raw
// and minute values, the 1-h limit for hours, the 24-h (daily) limit for days.
const AVERAGING_FOR = {
  raw: ["-", "1h", "daily_mean", "24h"],
  minute: ["-", "1h", "daily_mean", "24h"],
  hour: ["1h", "-", "daily_mean", "24h"],
  day: ["24h", "daily_mean", "-", "1h"],
};
// Limits that bound the measured value itself (not an emission rate or a removal efficiency).
const VALUE_QUANTITIES = new Set(["concentration", "ph", "sound_level"]);

export function pickLimit(limits, factor, interval) {
  const candidates = limits.filter((limit) => limit.factor === factor && VALUE_QUANTITIES.has(limit.quantity)
    && limit.direction !== "none" && limit.value !== null);
  const order = AVERAGING_FOR[interval];
  const rank = (limit) => {
    const at = order.indexOf(limit.averaging);
    return (at < 0 ? order.length : at) * 3 + (limit.period === "night" ? 2 : limit.period === "day" ? 1 : 0);
  };
  return candidates.sort((a, b) => rank(a) - rank(b))[0] || null;
}

// A limit in the series' unit: µg/m³ and mg/m³ convert; other differing units leave it undrawn.
const SCALE = { "µg/m³": 1e-3, "mg/m³": 1 };
export function limitInUnit(limit, unit) {
  if (!limit) return null;
  let factor = 1;
  if (unit && limit.unit !== unit) {
    if (!(limit.unit in SCALE && unit in SCALE)) return null;
    factor = SCALE[limit.unit] / SCALE[unit];
  }
  return { ...limit, value: limit.value * factor, value_max: limit.value_max === null ? null : limit.value_max * factor,
    shownUnit: unit || limit.unit };
}

export function beyond(value, limit) {
  if (value === null || value === undefined || !limit) return false;
  if (limit.direction === "ge") return value < limit.value;
  if (limit.direction === "range") return value < limit.value || value > limit.value_max;
  return value > limit.value;
}

function limitLabel(limit) {
  const value = limit.direction === "range" ? `${formatNumber(limit.value, 4)}–${formatNumber(limit.value_max, 4)}`
    : `${limit.direction === "ge" ? "≥" : "≤"} ${formatNumber(limit.value, 4)}`;
  return `${limit.standard}${limit.table_ref ? ` ${limit.table_ref}` : ""} ${value} ${limit.shownUnit}`;
}

function factorName(ctx, code) {
  const known = ctx.factors.get(code);
  if (!known) return code;
  return (currentLanguage() === "en" ? known.name_en : known.name_zh) || code;
}

// The point's factors: those its devices are configured for, then any others it has sent.
function pointFactors(ctx, point, latest) {
  const feature = ctx.collection.features.find((f) => f.properties.feature_type === "monitoring_point"
    && f.properties.code === point.code);
  const codes = (feature?.properties.devices || []).flatMap((device) => device.factor_codes || []);
  for (const value of latest?.data || []) codes.push(value.factor);
  return [...new Set(codes)];
}

function isMarked(entry) {
  return (entry.flag && entry.flag !== "N") || entry.valid === false;
}

// x rounded (up or down) to half a power of ten below it: 54 -> 55, 12 -> 10, 0.37 -> 0.35.
function nice(x, round) {
  if (!x) return 0;
  const step = 10 ** Math.floor(Math.log10(Math.abs(x))) / 2;
  return Number((round(x / step) * step).toPrecision(12));
}

// The chart's option for a series and its limit (null: none applies or its unit differs).
function chartOption(name, series, limit) {
  const values = series.data.map((d) => [Date.parse(d.t), d.value]);
  const exceed = series.data.filter((d) => beyond(d.value, limit)).map((d) => [Date.parse(d.t), d.value]);
  const marked = series.data.filter(isMarked).map((d) => [Date.parse(d.t), d.value, d.flag || t("chart.invalid")]);
  const lines = limit ? [{ yAxis: limit.value, name: limitLabel(limit) }] : [];
  if (limit?.direction === "range") lines.push({ yAxis: limit.value_max, name: limitLabel(limit) });
  const around = (pick, round) => (extent) => (limit ? round(pick(extent, limit)) : undefined);
  return {
    animation: false,
    grid: { left: 52, right: 18, top: 34, bottom: 28 },
    legend: { top: 0, right: 0, itemWidth: 14, textStyle: { fontSize: 11 }, data: [name, t("chart.exceed"), t("chart.flagged")] },
    tooltip: { trigger: "axis", formatter: tooltipText },
    xAxis: { type: "time", axisLabel: { hideOverlap: true, fontSize: 11, formatter: (ms) => formatAxisTime(ms) } },
    yAxis: {
      // from zero, so that the distance to the limit reads true; the limit line stays in view
      // even where every value is far below it
      type: "value", name: series.unit || "", nameTextStyle: { fontSize: 11, align: "left" },
      axisLabel: { fontSize: 11 },
      max: around((e, l) => Math.max(e.max, (l.value_max ?? l.value) * 1.08), (x) => nice(x, Math.ceil)),
    },
    series: [
      { id: "values", name, type: "line", data: values, showSymbol: values.length <= 150, symbolSize: 4,
        sampling: values.length > 2000 ? "lttb" : undefined, connectNulls: false, lineStyle: { width: 1.5 },
        color: "#1f78b4",
        markLine: { silent: true, symbol: "none", data: lines, lineStyle: { color: LIMIT_COLOR, type: "dashed", width: 1.5 },
                    label: { formatter: (p) => p.name, position: "insideEndTop", color: LIMIT_COLOR, fontSize: 11 } } },
      { id: "exceed", name: t("chart.exceed"), type: "scatter", data: exceed, symbolSize: 7, color: LIMIT_COLOR, z: 3 },
      { id: "flagged", name: t("chart.flagged"), type: "scatter", data: marked, symbol: "triangle", symbolSize: 9,
        color: "#8c8c8c", z: 4, label: { show: marked.length <= 60, formatter: (p) => p.value[2], position: "top",
                                          fontSize: 10, color: "#5f6d66" } },
    ],
  };
}

function buttonGroup(name, keys, selected, onpick) {
  const group = element("div", { class: "chart-group", role: "group", "data-control": name });
  const select = (key) => {
    for (const button of group.children) button.classList.toggle("active", button.dataset.value === key);
  };
  for (const key of keys) {
    group.append(element("button", { type: "button", "data-value": key, onclick: () => { select(key); onpick(key); } },
      t(`chart.${key}`)));
  }
  select(selected);
  return group;
}

function chartSection(ctx, point, latest, onClose) {
  const factors = pointFactors(ctx, point, latest);
  if (!factors.length) {
    return element("section", { class: "chart-section" }, element("h4", {}, t("chart.title")),
      element("p", { class: "muted" }, t("chart.noFactors")));
  }
  const state = { factor: factors[0], interval: "raw", range: "24h", series: null, limit: null, loaded: 0,
    view: null, following: false };
  const canvas = element("div", { class: "chart-canvas", "data-testid": "point-chart" });
  const caption = element("p", { class: "muted chart-caption", "data-testid": "chart-caption" });
  const factorSelect = element("select", { "data-control": "factor", onchange: (e) => { state.factor = e.target.value; load(); } },
    ...factors.map((code) => element("option", { value: code }, `${factorName(ctx, code)} (${code})`)));
  let chart = null;
  let limits = null; // the point's limits, read once per panel
  let closed = false;
  let refresh = null; // the next re-read of minute, hourly or daily values
  const rereadIn = (ms) => {
    clearTimeout(refresh);
    if (!closed) refresh = setTimeout(rereadPeriods, ms);
  };
  async function rereadPeriods() {
    if (state.interval !== "raw" && state.series && !document.hidden) await load();
    rereadIn(state.following ? PERIOD_FOLLOW_MS : PERIOD_REFRESH_MS);
  }

  const draw = () => {
    if (!chart || !state.series) return;
    chart.setOption(chartOption(factorName(ctx, state.factor), state.series, state.limit), { notMerge: true });
  };
  const describe = () => {
    const { series, limit } = state;
    const exceed = series.data.filter((d) => beyond(d.value, limit)).length;
    const parts = [`${series.count} ${t("chart.values")}`];
    parts.push(limit ? `${t("chart.limit")}: ${limitLabel(limit)}` : t("chart.noLimit"));
    if (exceed) parts.push(`${t("chart.exceed")} ${exceed}`);
    if (state.interval === "raw") parts.push(t("chart.live"));
    if (series.count >= MAX_POINTS) parts.push(t("chart.truncated"));
    caption.textContent = parts.join(" · ");
  };
  async function load() {
    const ticket = ++state.loaded; // a slower, older answer must not overwrite a newer one
    const end = new Date();
    const start = new Date(end.getTime() - RANGES[state.range] * 1000);
    const query = new URLSearchParams({ factor: state.factor, interval: state.interval,
      from: start.toISOString(), to: end.toISOString() });
    try {
      limits ??= (await api.get(`/points/${point.id}/limits`)).data;
      const series = await api.get(`/points/${point.id}/series?${query}`);
      if (ticket !== state.loaded || closed) return;
      const view = `${state.factor} ${state.interval} ${state.range}`;
      state.following = state.interval !== "raw" && (view !== state.view || series.count !== state.series?.count);
      if (view !== state.view) rereadIn(PERIOD_FOLLOW_MS);
      state.view = view;
      state.series = series;
      state.limit = limitInUnit(pickLimit(limits, state.factor, state.interval), series.unit);
      canvas.dataset.interval = state.interval;
      canvas.dataset.factor = state.factor;
      describe();
      draw();
      canvas.dataset.ready = String(ticket);
    } catch (error) {
      if (ticket === state.loaded) caption.textContent = `${t("chart.loadFailed")}: ${error.message}`;
    }
  }

  // The canvas has no size until the drawer shows the panel: start the chart then, and follow
  // the drawer's width afterwards.
  let starting = false;
  const resize = new ResizeObserver(() => {
    if (closed || canvas.clientWidth === 0) return;
    if (!chart) {
      if (starting) return;
      starting = true;
      loadEcharts().then((echarts) => {
        if (closed) return;
        chart = echarts.init(canvas, null, { renderer: "canvas" });
        window.pointChart = chart; // for the browser tests and the curious
        draw();
      });
    } else chart.resize();
  });
  resize.observe(canvas);

  const stopLive = ctx.onReading((reading) => {
    if (reading.code !== point.code || state.interval !== "raw" || !state.series) return;
    const entry = reading.values[state.factor];
    if (!entry) return;
    const at = new Date(reading.t * 1000).toISOString();
    const last = state.series.data.at(-1);
    if (last && Date.parse(last.t) >= Date.parse(at)) return;
    state.series.data.push({ t: at, value: entry[0], flag: entry[1], valid: entry[1] === "N", source: "device" });
    state.series.count += 1;
    describe();
    draw();
  });
  onClose(() => {
    closed = true;
    clearTimeout(refresh);
    stopLive();
    resize.disconnect();
    if (chart) {
      if (window.pointChart === chart) window.pointChart = null;
      chart.dispose();
      chart = null;
    }
  });

  load();
  return element("section", { class: "chart-section", "data-testid": "chart-section" },
    element("h4", {}, t("chart.title")),
    element("div", { class: "chart-controls" },
      element("label", {}, `${t("chart.factor")} `, factorSelect),
      buttonGroup("interval", INTERVALS, state.interval, (key) => { state.interval = key; load(); }),
      buttonGroup("range", Object.keys(RANGES), state.range, (key) => { state.range = key; load(); })),
    canvas, caption);
}

pointSections.push(chartSection);
