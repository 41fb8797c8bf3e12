// The overview (总览): the numbers a park director asks for every morning, for one local day of
// the park — alarms raised and open, data completeness, exceedances of the hourly limits, the
// enterprises that emitted most, and the points offline now. Everything comes from one call,
// GET /parks/{id}/overview (scoped by the server: an enterprise user sees its own enterprise),
// refreshed every minute while the panel is open. Bars are plain DOM: no chart library needed.
import * as api from "./api.js";
import { element, formatNumber, formatTime } from "./dom.js";
import { addWords, currentLanguage, label, t } from "./i18n.js";
import { registerModule } from "./main.js";
import { LEVEL_COLORS } from "./map.js";

const REFRESH_MS = 60_000;
const LEVELS = ["red", "orange", "yellow", "blue"]; // most severe first

addWords({
  "zh-CN": {
    "overview.nav": "总览", "overview.title": "园区总览", "overview.date": "日期", "overview.updated": "更新于",
    "overview.failed": "总览数据加载失败",
    "overview.raised": "当日告警", "overview.open": "未解除告警", "overview.validShare": "数据有效率",
    "overview.exceedances": "小时均值超标", "overview.offline": "离线点位", "overview.reporting": "正在上报",
    "overview.alarms": "告警", "overview.alarmsRaised": "当日产生（按最高等级）", "overview.alarmsOpen": "当前未解除（按当前等级）",
    "overview.drills": "应急演练 {n} 次（不计入告警）", "overview.byKind": "按类型",
    "overview.completeness": "数据完整率",
    "overview.completenessNote": "{hours} 个已结束的小时：应有小时值 {expected} 个，收到 {received} 个，有效 {valid} 个",
    "overview.noHours": "今日尚无已结束的小时", "overview.nothingExpected": "尚无应报的完整小时（当日新登记的设备从其首个完整小时或首条数据起计）", "overview.received": "收到", "overview.valid": "有效",
    "overview.exceedanceNote": "有效小时均值（有折算值时用折算值）超过点位限值",
    "overview.noExceedance": "无超标", "overview.point": "点位", "overview.factor": "因子", "overview.hour": "时段",
    "overview.value": "小时均值", "overview.limit": "限值", "overview.ratio": "倍数", "overview.corrected": "折算",
    "overview.emitters": "排放量排名",
    "overview.emittersNote": "烟气有效小时的排放量（浓度 × 流量 × 1 小时，HJ 212-2017 附录 D.2）；无效小时未补遗，为实测下限",
    "overview.noEmitters": "无可计算排放量的有效小时数据（需烟气流量 a00000 与浓度）",
    "overview.total": "合计", "overview.hours": "{n} 小时",
    "overview.devices": "设备状态", "overview.reportingNote": "{n} / {total} 个点位在 15 分钟内有数据",
    "overview.noOffline": "无离线点位", "overview.lastHeard": "最后数据",
    "overview.kind.threshold": "阈值", "overview.kind.exceedance": "超标", "overview.kind.rate_of_change": "快速变化",
    "overview.kind.interruption": "数据中断", "overview.kind.invalid_data": "数据无效", "overview.kind.flat_line": "数据恒值",
  },
  en: {
    "overview.nav": "Overview", "overview.title": "Park overview", "overview.date": "Date", "overview.updated": "Updated",
    "overview.failed": "The overview could not be loaded",
    "overview.raised": "Alarms on the day", "overview.open": "Open alarms", "overview.validShare": "Valid data",
    "overview.exceedances": "Hourly exceedances", "overview.offline": "Points offline", "overview.reporting": "Reporting now",
    "overview.alarms": "Alarms", "overview.alarmsRaised": "Raised on the day (highest level)",
    "overview.alarmsOpen": "Open now (current level)", "overview.drills": "{n} drill(s), not counted as alarms",
    "overview.byKind": "By kind",
    "overview.completeness": "Data completeness",
    "overview.completenessNote": "{hours} hours over: {expected} hourly values expected, {received} received, {valid} valid",
    "overview.noHours": "No hour of the day is over yet",
    "overview.nothingExpected": "no full hour expected yet (a device registered on the day counts from its first full hour or first data)", "overview.received": "received", "overview.valid": "valid",
    "overview.exceedanceNote": "Valid hourly means (O2-corrected where available) above the point's limit",
    "overview.noExceedance": "No exceedance", "overview.point": "Point", "overview.factor": "Factor",
    "overview.hour": "Hour", "overview.value": "Hourly mean", "overview.limit": "Limit", "overview.ratio": "× limit",
    "overview.corrected": "corrected",
    "overview.emitters": "Top emitters",
    "overview.emittersNote": "Mass emitted in valid flue-gas hours (concentration × flow × 1 h, HJ 212-2017 Annex D.2); invalid hours are not substituted: a lower bound",
    "overview.noEmitters": "No valid hours to compute a mass from (needs flue-gas flow a00000 and a concentration)",
    "overview.total": "total", "overview.hours": "{n} h",
    "overview.devices": "Devices", "overview.reportingNote": "{n} of {total} points sent data in the last 15 min",
    "overview.noOffline": "No point offline", "overview.lastHeard": "Last data",
    "overview.kind.threshold": "threshold", "overview.kind.exceedance": "exceedance",
    "overview.kind.rate_of_change": "rate of change", "overview.kind.interruption": "interruption",
    "overview.kind.invalid_data": "invalid data", "overview.kind.flat_line": "flat line",
  },
});

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

// A measured amount to four significant digits, without exponents (130000, 25.56, 43.2).
function amount(value) {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString("zh-CN", { maximumSignificantDigits: 4 });
}

function percent(share) {
  return share === null || share === undefined ? "—" : `${(share * 100).toFixed(1)}%`;
}

function factorName(ctx, code) {
  const factor = ctx.factors.get(code);
  return factor ? (currentLanguage() === "en" ? factor.name_en : factor.name_zh) || code : code;
}

// The hour an exceedance stands for, in the park's own time ("08:00–09:00").
function hourLabel(ctx, iso) {
  const options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: ctx.park.timezone || "Asia/Shanghai" };
  const start = new Date(iso);
  const end = new Date(start.getTime() + 3_600_000);
  const format = (d) => d.toLocaleTimeString("zh-CN", options);
  return `${format(start)}–${format(end)}`;
}

function card(key, value, detail, level) {
  return element("div", { class: `ov-card${level ? ` level-${level}` : ""}`, "data-testid": `overview-${key}` },
    element("div", { class: "ov-card-value", "data-testid": `overview-${key}-value` }, String(value)),
    element("div", { class: "ov-card-label" }, t(`overview.${key}`)),
    detail ? element("div", { class: "ov-card-detail" }, detail) : null);
}

// One horizontal bar: a label, a bar of `value / max` width, the number.
function bar(text, value, max, { color, shown = value, attributes = {}, onclick } = {}) {
  const width = max > 0 ? Math.max(0, Math.min(100, (100 * value) / max)) : 0;
  return element(onclick ? "button" : "div", { class: "ov-bar", onclick, ...attributes },
    element("span", { class: "ov-bar-label" }, text),
    element("span", { class: "ov-bar-track" },
      element("span", { class: "ov-bar-fill", style: `width: ${width}%; ${color ? `background: ${color}` : ""}` })),
    element("span", { class: "ov-bar-number number" }, String(shown)));
}

function section(key, ...children) {
  return element("section", { class: "ov-section", "data-testid": `overview-section-${key}` },
    element("h4", {}, t(`overview.${key}`)), ...children);
}

function levelBars(counts, group) {
  const max = Math.max(1, ...LEVELS.map((level) => counts.by_level[level] || 0));
  return LEVELS.map((level) => bar(t(`level.${level}`), counts.by_level[level] || 0, max,
    { color: LEVEL_COLORS[level], attributes: { "data-testid": `overview-${group}-${level}` } }));
}

function kindChips(counts) {
  return element("div", { class: "ov-chips" }, Object.entries(counts.by_kind).map(([kind, n]) =>
    element("span", { class: "ov-chip", "data-kind": kind }, `${t(`overview.kind.${kind}`)} ${n}`)));
}

// Open a point's panel, then fly to it: the panel narrows the drawer and so widens the map,
// which must have its new size before the flight, or the flight ends off-centre.
async function goTo(ctx, pointId) {
  const point = ctx.pointById.get(pointId);
  if (!point) return;
  await ctx.showPoint(point);
  ctx.map.resize();
  ctx.map.flyTo({ center: [point.lon, point.lat], zoom: Math.max(ctx.map.getZoom(), 15) });
}

function alarmsSection(answer) {
  const { raised_today: raised, open_now: open, drills_today: drills } = answer.alarms;
  return section("alarms",
    element("div", { class: "ov-columns" },
      element("div", {}, element("p", { class: "muted" }, t("overview.alarmsRaised")), levelBars(raised, "raised"),
        kindChips(raised)),
      element("div", {}, element("p", { class: "muted" }, t("overview.alarmsOpen")), levelBars(open, "open"),
        kindChips(open))),
    drills ? element("p", { class: "muted" }, fill(t("overview.drills"), { n: drills })) : null);
}

function completenessSection(answer) {
  const { complete_hours: hours, overall, by_kind: byKind } = answer.completeness;
  if (!hours || !overall.expected) return section("completeness", element("p", { class: "muted" }, t("overview.noHours")));
  // Kinds with no hour expected yet (devices registered today that have not reported a full
  // hour) get one line, not two empty bars.
  const waiting = byKind.filter((kind) => !kind.expected).map((kind) => label("point_kinds", kind.kind));
  const rows = byKind.filter((kind) => kind.expected).map((kind) => element("div", { class: "ov-kind", "data-kind": kind.kind },
    bar(`${label("point_kinds", kind.kind)} · ${t("overview.valid")}`, kind.valid, kind.expected,
      { shown: percent(kind.valid_share), color: "#2e9e4f" }),
    bar(t("overview.received"), kind.received, kind.expected, { shown: percent(kind.received_share), color: "#9ec5e8" })));
  return section("completeness",
    element("p", { class: "muted", "data-testid": "overview-completeness-note" },
      fill(t("overview.completenessNote"), { hours, ...overall })), ...rows,
    waiting.length ? element("p", { class: "muted" }, `${waiting.join("、")}：${t("overview.nothingExpected")}`) : null);
}

function exceedanceSection(ctx, answer) {
  const { data } = answer.exceedances;
  if (!data.length) return section("exceedances", element("p", { class: "muted" }, t("overview.noExceedance")));
  const head = element("tr", {}, ...["point", "factor", "hour", "value", "limit", "ratio"].map((key) =>
    element("th", {}, t(`overview.${key}`))));
  const rows = data.map((e) => element("tr", {
    class: "ov-click", "data-testid": "overview-exceedance", "data-point": e.point_code, onclick: () => goTo(ctx, e.point_id),
  },
  element("td", {}, e.point_name), element("td", {}, factorName(ctx, e.factor)), element("td", { class: "ov-nowrap" }, hourLabel(ctx, e.t)),
  element("td", { class: "number" }, `${amount(e.value)}${e.corrected ? ` (${t("overview.corrected")})` : ""}`),
  element("td", { class: "number ov-nowrap" }, `${amount(e.limit)} ${e.unit}`),
  element("td", { class: "number ov-ratio" }, formatNumber(e.ratio, 3))));
  return section("exceedances", element("p", { class: "muted" }, t("overview.exceedanceNote")),
    element("table", { class: "list ov-table" }, head, ...rows));
}

function emitterSection(ctx, answer, state) {
  const factors = answer.top_emitters;
  if (!factors.length) return section("emitters", element("p", { class: "muted" }, t("overview.noEmitters")));
  if (!factors.some((f) => f.factor === state.factor)) state.factor = factors[0].factor;
  const body = element("div", {});
  const tabs = element("div", { class: "ov-tabs" });
  const draw = () => {
    const chosen = factors.find((f) => f.factor === state.factor);
    const max = Math.max(...chosen.data.map((e) => e.mass_kg), 0);
    tabs.replaceChildren(...factors.map((f) => element("button", {
      class: `ov-tab${f.factor === state.factor ? " active" : ""}`, "data-factor": f.factor,
      onclick: () => { state.factor = f.factor; draw(); },
    }, factorName(ctx, f.factor))));
    body.replaceChildren(
      element("p", { class: "muted" }, `${t("overview.total")} ${amount(chosen.total_kg)} kg`),
      ...chosen.data.map((e) => bar(`${e.enterprise_name} · ${fill(t("overview.hours"), { n: e.hours })}`, e.mass_kg, max,
        { shown: `${amount(e.mass_kg)} kg`, color: "#a0522d",
          attributes: { "data-testid": "overview-emitter", "data-enterprise": e.enterprise_id } })));
  };
  draw();
  return section("emitters", element("p", { class: "muted" }, t("overview.emittersNote")), tabs, body);
}

function devicesSection(ctx, answer) {
  const { devices } = answer;
  const offline = devices.offline.map((p) => element("button", {
    class: "ov-offline", "data-testid": "overview-offline-point", "data-point": p.code, onclick: () => goTo(ctx, p.point_id),
  }, element("span", {}, `${p.name}`), element("span", { class: "muted" }, `${p.code} · ${label("point_kinds", p.kind)}`),
  element("span", { class: "muted" }, `${t("overview.lastHeard")} ${formatTime(p.last_received)}`)));
  return section("devices",
    element("p", { class: "muted" }, fill(t("overview.reportingNote"), { n: devices.reporting, total: devices.points })),
    element("div", { class: "ov-chips" }, Object.entries(devices.by_status).map(([status, n]) =>
      element("span", { class: "ov-chip", "data-status": status }, `${t(`status.${status}`)} ${n}`))),
    offline.length ? element("div", { class: "ov-offline-list" }, offline)
      : element("p", { class: "muted" }, t("overview.noOffline")));
}

function render(ctx, answer, state) {
  const { alarms, completeness, exceedances, devices } = answer;
  const worst = LEVELS.find((level) => alarms.open_now.by_level[level]);
  const cards = element("div", { class: "ov-cards" },
    card("raised", alarms.raised_today.total),
    card("open", alarms.open_now.total, null, worst),
    card("validShare", percent(completeness.overall.valid_share),
      `${t("overview.received")} ${percent(completeness.overall.received_share)}`),
    card("exceedances", exceedances.count),
    card("offline", devices.offline.length),
    card("reporting", devices.reporting, `/ ${devices.points}`));
  return [cards, alarmsSection(answer), completenessSection(answer), exceedanceSection(ctx, answer),
    emitterSection(ctx, answer, state), devicesSection(ctx, answer)];
}

function openOverview(ctx) {
  const state = { date: null, factor: null, timer: null };
  const dateInput = element("input", { type: "date", "data-testid": "overview-date",
    onchange: () => { state.date = dateInput.value || null; load(); } });
  const updated = element("span", { class: "muted", "data-testid": "overview-updated" });
  const body = element("div", { class: "ov-body" });
  const panel = element("div", { class: "ov-panel", "data-testid": "overview-panel" },
    element("div", { class: "ov-head" }, element("label", {}, `${t("overview.date")} `, dateInput), updated), body);

  async function load() {
    const query = state.date ? `?date=${state.date}` : "";
    try {
      const answer = await api.get(`/parks/${ctx.park.id}/overview${query}`);
      if (!state.date) dateInput.max = answer.date;
      dateInput.value = answer.date;
      updated.textContent = `${t("overview.updated")} ${formatTime(answer.generated_at)}`;
      body.replaceChildren(...render(ctx, answer, state));
      panel.dataset.date = answer.date;
      panel.dataset.loaded = answer.generated_at;
    } catch (error) {
      body.replaceChildren(element("p", { class: "error" }, `${t("overview.failed")}: ${error.message}`));
    }
  }

  ctx.drawer.show(t("overview.title"), panel, { key: "overview", onClose: () => clearInterval(state.timer) });
  load();
  state.timer = setInterval(load, REFRESH_MS);
}

registerModule((ctx) => {
  ctx.addNav(t("overview.nav"), () => openOverview(ctx), { "data-testid": "overview-nav" });
});
