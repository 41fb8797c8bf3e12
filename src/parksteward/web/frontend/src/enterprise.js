// The enterprise file (一企一档): everything the platform holds about one enterprise in one
// panel: its facts and contacts, emission sources, monitoring points with their devices, status
// and newest values, alarms, the HJ 941 risk grade with its working, risk sources with their
// chemical inventories, and its documents with their notarization receipts.
//
// Opened from a point's panel, by a click on the enterprise on the map, and (for an enterprise
// user) from the header. Every list comes from the API's own scoped endpoints, so what a user
// sees here is what the API lets that user read; an enterprise outside the user's view gets a
// message and nothing else.
import * as api from "./api.js";
import { element, formatNumber, formatTime } from "./dom.js";
import { addWords, currentLanguage, label, localName, t } from "./i18n.js";
import { registerModule } from "./main.js";
import { pointSections } from "./point.js";

addWords({
  "zh-CN": {
    "ent.file": "企业档案", "ent.mine": "本企业档案", "ent.notFound": "无法查看该企业档案：企业不存在，或不在您的权限范围内。",
    "ent.loadFailed": "企业档案加载失败", "ent.basics": "基本信息", "ent.creditCode": "统一社会信用代码",
    "ent.industry": "行业", "ent.size": "规模", "ent.pollutionClass": "排污许可管理类别", "ent.address": "地址",
    "ent.contacts": "联系人", "ent.sources": "排放源", "ent.points": "监测点位与设备", "ent.latest": "最新数据",
    "ent.alarms": "报警", "ent.openAlarms": "未解除报警", "ent.recentAlarms": "近期报警记录", "ent.riskGrade": "环境风险等级",
    "ent.riskSources": "风险源与化学品", "ent.documents": "文件与存证", "ent.none": "无",
    "ent.name": "名称", "ent.kind": "类型", "ent.details": "参数", "ent.devices": "设备", "ent.factors": "因子",
    "ent.point": "点位", "ent.factor": "因子", "ent.value": "数值", "ent.unit": "单位", "ent.flag": "标记", "ent.time": "时间",
    "ent.level": "级别", "ent.state": "状态", "ent.threshold": "阈值", "ent.lastAt": "最近",
    "ent.capacity": "容量", "ent.inventory": "物料清单", "ent.title": "标题", "ent.uploaded": "上传时间",
    "ent.leaf": "存证序号", "ent.file_": "文件", "ent.receipt": "回执", "ent.download": "下载",
    "ent.receiptNotYet": "回执暂不可用", "ent.notNotarized": "未存证", "ent.open": "查看",
    "ent.height": "高度", "ent.destination": "去向",
    "ent.gradeExplain": "Q 值由风险源的物料清单计算，大气环境敏感程度 E 由周边敏感目标人口得出（均取自登记数据）；"
      + "水环境敏感程度 E 和下列管控情况需现场评估后选择。未录入工艺单元，M 的工艺分按 0 计。",
    "ent.waterE": "水环境敏感程度 E", "ent.choose": "请选择", "ent.toxicMonitoring": "缺少厂界有毒有害气体泄漏监控预警",
    "ent.keyProcess": "套重点监管危险化工工艺", "ent.otherProcess": "套其他高温高压、易燃易爆工艺",
    "ent.within5km": "5 km 内", "ent.within500m": "500 m 内", "ent.people": "人",
    "ent.distance": "卫生/大气防护距离不满足", "ent.airIncident": "近3年发生过大气环境事件",
    "ent.military": "5 km 内有军事禁区/涉密区域", "ent.penalised": "近3年因违法排污受过处罚",
    "ent.compute": "计算风险等级", "ent.needWaterE": "请先选择水环境敏感程度 E", "ent.medium": "环境要素",
    "ent.matrix": "矩阵", "ent.grade": "等级", "ent.substance": "物质", "ent.ratio": "q/Qn",
    "ent.matched": "临界量依据", "ent.population5": "5 km 内人口", "ent.population05": "500 m 内人口",
    "ent.receptorsCounted": "计入的敏感目标", "ent.upgraded": "因近3年受处罚上调一级", "ent.unverified": "待核实的规则与数据",
    "ent.computedFrom": "依据登记数据及上述选择计算，未保存",
    "alarmState.active": "未确认", "alarmState.acknowledged": "已确认", "alarmState.cleared": "已解除",
    "doc.eia_report": "环境影响评价报告", "doc.eia_approval": "环评批复", "doc.acceptance_report": "竣工环境保护验收报告",
    "doc.discharge_permit": "排污许可证", "doc.emergency_plan": "突发环境事件应急预案", "doc.monitoring_report": "监测报告",
    "doc.inspection_report": "检查报告", "doc.other": "其他",
  },
  en: {
    "ent.file": "Enterprise file", "ent.mine": "Our file",
    "ent.notFound": "This enterprise file cannot be shown: the enterprise does not exist or is outside what you may see.",
    "ent.loadFailed": "The enterprise file could not be loaded", "ent.basics": "Facts", "ent.creditCode": "Credit code",
    "ent.industry": "Industry", "ent.size": "Size", "ent.pollutionClass": "Permit class", "ent.address": "Address",
    "ent.contacts": "Contacts", "ent.sources": "Emission sources", "ent.points": "Monitoring points and devices",
    "ent.latest": "Latest values", "ent.alarms": "Alarms", "ent.openAlarms": "Open alarms",
    "ent.recentAlarms": "Recent alarms", "ent.riskGrade": "Environmental risk grade",
    "ent.riskSources": "Risk sources and chemicals", "ent.documents": "Documents and receipts", "ent.none": "None",
    "ent.name": "Name", "ent.kind": "Kind", "ent.details": "Details", "ent.devices": "Devices", "ent.factors": "factors",
    "ent.point": "Point", "ent.factor": "Factor", "ent.value": "Value", "ent.unit": "Unit", "ent.flag": "Flag",
    "ent.time": "Time", "ent.level": "Level", "ent.state": "State", "ent.threshold": "Threshold", "ent.lastAt": "Last",
    "ent.capacity": "Capacity", "ent.inventory": "Inventory", "ent.title": "Title", "ent.uploaded": "Uploaded",
    "ent.leaf": "Log leaf", "ent.file_": "File", "ent.receipt": "Receipt", "ent.download": "Download",
    "ent.receiptNotYet": "Receipt not available yet", "ent.notNotarized": "not notarized", "ent.open": "Open",
    "ent.height": "height", "ent.destination": "to",
    "ent.gradeExplain": "Q comes from the risk sources' inventories and the air sensitivity E from the people at the "
      + "receptors around the site (both from the registry); the water sensitivity E and the controls below are "
      + "assessed on site. No process units are recorded: M's process points count as 0.",
    "ent.waterE": "Water sensitivity E", "ent.choose": "choose", "ent.toxicMonitoring": "No boundary toxic-gas leak monitoring",
    "ent.keyProcess": "key supervised hazardous process units", "ent.otherProcess": "other high-temperature, high-pressure or flammable process units",
    "ent.within5km": "within 5 km:", "ent.within500m": "within 500 m:", "ent.people": "people",
    "ent.distance": "Protective distance not met", "ent.airIncident": "Air incident in the past 3 years",
    "ent.military": "Military or secret zone within 5 km", "ent.penalised": "Penalised for illegal discharge in 3 years",
    "ent.compute": "Compute the grade", "ent.needWaterE": "Choose the water sensitivity E first", "ent.medium": "Medium",
    "ent.matrix": "Matrix", "ent.grade": "Grade", "ent.substance": "Substance", "ent.ratio": "q/Qn",
    "ent.matched": "Critical quantity from", "ent.population5": "People within 5 km",
    "ent.population05": "People within 500 m", "ent.receptorsCounted": "Receptors counted",
    "ent.upgraded": "Raised one level for a penalty within 3 years", "ent.unverified": "Rules and data to verify",
    "ent.computedFrom": "Computed from the registry and the choices above; not stored",
    "alarmState.active": "Active", "alarmState.acknowledged": "Acknowledged", "alarmState.cleared": "Cleared",
    "doc.eia_report": "EIA report", "doc.eia_approval": "EIA approval", "doc.acceptance_report": "Acceptance report",
    "doc.discharge_permit": "Discharge permit", "doc.emergency_plan": "Emergency plan",
    "doc.monitoring_report": "Monitoring report", "doc.inspection_report": "Inspection report", "doc.other": "Other",
  },
});

const GRADE_CLASS = { 重大: "level-red", 较大: "level-orange", 一般: "level-blue" };

function section(key, title, ...content) {
  return element("section", { class: "ent-section", "data-section": key }, element("h4", {}, title), ...content);
}

function table(headers, rows, attributes = {}) {
  if (!rows.length) return element("p", { class: "muted" }, t("ent.none"));
  return element("table", { class: "list ent-table", ...attributes },
    element("thead", {}, element("tr", {}, ...headers.map((h) => element("th", {}, h)))),
    element("tbody", {}, ...rows));
}

function cell(content, attributes = {}) {
  return element("td", attributes, content ?? "—");
}

function factorName(ctx, code) {
  const known = ctx.factors.get(code);
  return known ? (currentLanguage() === "en" ? known.name_en : known.name_zh) || code : code;
}

// Fetch with the login token and hand the answer to the browser as a file to save.
async function download(path, filename, transform = null) {
  const response = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${api.token()}` } });
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
    throw new Error(detail);
  }
  const blob = transform ? new Blob([JSON.stringify(await response.json(), null, 2)], { type: "application/json" })
    : await response.blob();
  const url = URL.createObjectURL(blob);
  const link = element("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function basics(ctx, enterprise) {
  const contacts = (enterprise.contacts || []).map((c) => element("div", { class: "ent-contact" },
    [c.name, c.role, c.phone, c.email].filter(Boolean).join(" · ")));
  const row = (key, value) => element("tr", {}, element("th", {}, t(key)), element("td", {}, value || "—"));
  return section("basics", t("ent.basics"), element("table", { class: "ent-facts" },
    row("ent.creditCode", enterprise.credit_code),
    row("ent.industry", label("industries", enterprise.industry)),
    row("ent.size", label("size_classes", enterprise.size_class)),
    row("ent.pollutionClass", label("pollution_classes", enterprise.pollution_class)),
    row("ent.address", enterprise.address),
    row("zone.of", ctx.zoneOf ? localName(ctx.zoneOf(enterprise.lon, enterprise.lat) || {}) : null),
    row("ent.contacts", contacts.length ? contacts : null)));
}

function sourceDetails(source) {
  if (source.kind === "stack") {
    return `${t("ent.height")} ${formatNumber(source.stack_height_m)} m · Ø ${formatNumber(source.stack_inner_diameter_m)} m`;
  }
  if (source.kind === "wastewater_outlet") {
    return `${t("ent.destination")} ${label("discharge_destinations", source.discharge_destination)}`
      + (source.receiving_water ? ` (${source.receiving_water})` : "");
  }
  return source.release_height_m !== null && source.release_height_m !== undefined
    ? `${t("ent.height")} ${formatNumber(source.release_height_m)} m` : "";
}

function sources(list) {
  return section("sources", t("ent.sources"), table([t("code"), t("ent.name"), t("ent.kind"), t("ent.details")],
    list.map((s) => element("tr", { "data-code": s.code }, cell(s.code), cell(s.name),
      cell(label("source_kinds", s.kind)), cell(sourceDetails(s))))));
}

function statusOf(ctx, point) {
  const state = ctx.pointState(point.code);
  const key = state.alarm ? `level.${state.alarm}` : `status.${state.status || "waiting"}`;
  return element("span", { class: state.alarm ? `level-chip level-${state.alarm}` : `ent-status ent-status-${state.status || "waiting"}` },
    t(key));
}

function points(ctx, list, devicesOf) {
  return section("points", t("ent.points"), table(
    [t("code"), t("ent.name"), t("ent.kind"), t("status"), t("ent.devices")],
    list.map((p) => element("tr", { "data-code": p.code },
      cell(ctx.pointByCode.has(p.code)
        ? element("button", { class: "link", onclick: () => ctx.showPoint(ctx.pointByCode.get(p.code)) }, p.code) : p.code),
      cell(p.name), cell(label("point_kinds", p.kind)), cell(statusOf(ctx, p)),
      cell((devicesOf.get(p.id) || []).map((d) => element("div", { class: "ent-device", "data-mn": d.mn },
        `${d.mn} · HJ 212-${d.protocol_version} · ${d.factor_codes.length} ${t("ent.factors")}`
        + (d.manufacturer ? ` · ${d.manufacturer}${d.model ? ` ${d.model}` : ""}` : ""))))))));
}

// The newest real-time (else period) value of each factor of each point: the point and the time
// of its newest values once, a factor's own time only where it is older.
function latestRows(ctx, list, latestOf) {
  const rows = [];
  for (const p of list) {
    const newest = new Map();
    for (const v of latestOf.get(p.id)?.data || []) {
      if (v.field !== "Rtd" && v.field !== "Avg") continue;
      const seen = newest.get(v.factor);
      if (!seen || Date.parse(v.t) > Date.parse(seen.t) || (v.t === seen.t && v.field === "Rtd")) newest.set(v.factor, v);
    }
    const values = [...newest.values()];
    const time = Math.max(...values.map((v) => Date.parse(v.t)));
    values.forEach((v, i) => {
      const head = i === 0 ? element("td", { rowspan: values.length, class: "ent-point-cell" },
        element("div", {}, p.code), element("div", { class: "muted" }, formatTime(new Date(time)))) : null;
      rows.push(element("tr", { "data-point": p.code, "data-factor": v.factor }, head, cell(factorName(ctx, v.factor)),
        cell(formatNumber(v.value, 4), { class: "number" }), cell(v.unit || ""),
        cell(v.flag || "", { class: `flag flag-${v.flag}` }),
        cell(Date.parse(v.t) < time ? formatTime(v.t) : "", { class: "muted" })));
    });
  }
  return section("latest", t("ent.latest"), table(
    [t("ent.point"), t("ent.factor"), t("ent.value"), t("ent.unit"), t("ent.flag"), ""], rows,
    { class: "ent-table ent-latest" }));
}

function alarmRows(ctx, alarms) {
  return alarms.map((a) => element("tr", { "data-alarm": a.id },
    cell(element("span", { class: `level-chip level-${a.level}` }, t(`level.${a.level}`))),
    cell(ctx.pointById.get(a.point_id)?.code || ""),
    cell(a.factor ? factorName(ctx, a.factor) : a.kind),
    cell(a.value === null ? "—" : `${formatNumber(a.value, 4)}${a.threshold !== null ? ` / ${formatNumber(a.threshold, 4)}` : ""} ${a.unit || ""}`),
    cell(t(`alarmState.${a.state}`)), cell(formatTime(a.last_at))));
}

function alarms(ctx, open, recent) {
  const headers = [t("ent.level"), t("ent.point"), t("ent.factor"), `${t("ent.value")} / ${t("ent.threshold")}`,
    t("ent.state"), t("ent.lastAt")];
  return section("alarms", t("ent.alarms"),
    element("p", { class: "muted" }, `${t("ent.openAlarms")}: ${open.count}`),
    table(headers, alarmRows(ctx, open.data), { "data-list": "open-alarms" }),
    element("p", { class: "muted" }, t("ent.recentAlarms")),
    table(headers, alarmRows(ctx, recent.data), { "data-list": "recent-alarms" }));
}

function capacity(r) {
  return [r.capacity_m3 ? `${formatNumber(r.capacity_m3, 4)} m³` : null, r.capacity_t ? `${formatNumber(r.capacity_t, 4)} t` : null]
    .filter(Boolean).join(" · ");
}

function riskSources(list) {
  return section("risk-sources", t("ent.riskSources"), table(
    [t("code"), t("ent.name"), t("ent.kind"), t("ent.capacity"), t("ent.inventory")],
    list.map((r) => element("tr", { "data-code": r.code }, cell(r.code), cell(r.name),
      cell(label("risk_source_kinds", r.kind)), cell(capacity(r)),
      cell((r.inventory || []).map((item) => element("div", { class: "ent-item" },
        `${item.substance}${item.cas ? ` (CAS ${item.cas})` : ""} · ${formatNumber(item.quantity_t, 4)} t`)))))));
}

// The grade's working as the API returns it: per medium Q, M, E and the matrix cell, the
// substances behind Q, the registry facts behind air E, and what the reference marks unverified.
// What E rests on: for air, the people the registry counts around the site (in the reader's
// language); for water, the assessor's own words.
function eBasis(m, registry) {
  const basis = m.medium === "air"
    ? `${t("ent.within5km")} ${registry.population_within_5km} ${t("ent.people")}, `
      + `${t("ent.within500m")} ${registry.population_within_500m} ${t("ent.people")}`
    : m.e.basis;
  return basis ? ` — ${basis}` : "";
}

function gradeWorking(answer) {
  const grade = answer.grade;
  const media = [grade.air, grade.water];
  const substances = grade.air.substances.length >= grade.water.substances.length ? grade.air.substances : grade.water.substances;
  return element("div", { class: "ent-grade", "data-testid": "risk-grade-result" },
    element("p", {}, element("span", { class: `level-chip ${GRADE_CLASS[grade.grade] || ""}`, "data-testid": "risk-grade" },
      currentLanguage() === "en" ? grade.grade_en : grade.grade), " ", element("code", {}, grade.notation)),
    grade.upgraded ? element("p", { class: "muted" }, t("ent.upgraded")) : null,
    table([t("ent.medium"), "Q", "M", "E", t("ent.matrix"), t("ent.grade")], media.map((m) => element("tr", { "data-medium": m.medium },
      cell(currentLanguage() === "en" ? m.medium : m.medium_zh),
      cell(`${formatNumber(m.q, 4)} (${m.q_level})`), cell(`${formatNumber(m.m.total, 3)} (${m.m.level})`),
      cell(`${m.e.e_class}${eBasis(m, answer.registry)}`),
      cell(m.matrix_cell ? `${m.matrix_cell.E}-${m.matrix_cell.Q}-${m.matrix_cell.M}` : "—"),
      cell(currentLanguage() === "en" ? m.grade_en : m.grade)))),
    table([t("ent.substance"), "CAS", "q [t]", "Qn [t]", t("ent.ratio"), t("ent.matched")], substances.map((s) => element("tr", {},
      cell(s.name), cell(s.cas), cell(formatNumber(s.quantity_t, 4), { class: "number" }),
      cell(formatNumber(s.critical_quantity_t, 4), { class: "number" }), cell(formatNumber(s.ratio, 4), { class: "number" }),
      cell(s.matched)))),
    element("p", { class: "muted" }, `${t("ent.population5")}: ${answer.registry.population_within_5km} · `
      + `${t("ent.population05")}: ${answer.registry.population_within_500m}`),
    answer.registry.receptors_counted.length
      ? element("p", { class: "muted" }, `${t("ent.receptorsCounted")}: ${answer.registry.receptors_counted.join("; ")}`) : null,
    grade.unverified.length ? element("details", { class: "muted" }, element("summary", {}, t("ent.unverified")),
      element("ul", {}, ...grade.unverified.map((u) => element("li", {}, u)))) : null,
    element("p", { class: "muted" }, t("ent.computedFrom")));
}

// HJ 941 needs what only an assessment on site can say (water sensitivity, controls): the form
// asks for it, the registry gives the rest.
function riskGrade(enterprise) {
  const result = element("div", { class: "ent-grade-result" });
  const water = element("select", { name: "water_sensitivity" }, element("option", { value: "" }, t("ent.choose")),
    ...["E1", "E2", "E3"].map((e) => element("option", { value: e }, e)));
  const flags = [["toxic_gas_monitoring_missing", "ent.toxicMonitoring"], ["protective_distance_not_met", "ent.distance"],
    ["air_incident_in_3_years", "ent.airIncident"], ["military_or_secret_zone_nearby", "ent.military"],
    ["penalised_in_3_years", "ent.penalised"]].map(([name, key]) => [name, element("input", { type: "checkbox", name }), key]);
  // Process units count towards M by their category (HJ 941-2018 §10.2): how many of each.
  const processes = [["key_hazardous", "ent.keyProcess"], ["other_high_risk", "ent.otherProcess"]].map(([category, key]) =>
    [category, element("input", { type: "number", name: category, min: 0, step: 1, value: 0, class: "ent-count" }), key]);
  const compute = async (event) => {
    event.preventDefault();
    if (!water.value) {
      result.replaceChildren(element("p", { class: "error" }, t("ent.needWaterE")));
      return;
    }
    const body = { water_sensitivity: water.value, process_units: [] };
    for (const [name, input] of flags) body[name] = input.checked;
    for (const [category, input, key] of processes) {
      const count = Math.max(0, Math.floor(Number(input.value) || 0));
      for (let i = 1; i <= count; i += 1) body.process_units.push({ name: `${t(key)} ${i}`, category });
    }
    result.replaceChildren(element("p", { class: "muted" }, t("loading")));
    try {
      result.replaceChildren(gradeWorking(await api.post(`/enterprises/${enterprise.id}/risk-grade`, body)));
    } catch (error) {
      result.replaceChildren(element("p", { class: "error" }, error.message));
    }
  };
  return section("risk-grade", t("ent.riskGrade"),
    element("p", { class: "muted" }, t("ent.gradeExplain")),
    element("form", { class: "ent-grade-form", onsubmit: compute },
      element("label", {}, `${t("ent.waterE")} `, water),
      ...processes.map(([, input, key]) => element("label", { class: "ent-check" }, input, ` ${t(key)}`)),
      ...flags.map(([, input, key]) => element("label", { class: "ent-check" }, input, t(key))),
      element("button", { type: "submit", class: "primary" }, t("ent.compute"))),
    result);
}

function documents(list) {
  const receiptCell = (d) => {
    if (d.ledger_index === null) return cell(t("ent.notNotarized"));
    const note = element("span", { class: "muted ent-note" });
    return cell(element("span", {}, element("button", {
      class: "link", "data-receipt": d.ledger_index,
      onclick: () => download(`/ledger/receipts/${d.ledger_index}`, `receipt-document-${d.id}-leaf-${d.ledger_index}.json`, true)
        .then(() => { note.textContent = ""; })
        .catch((error) => { note.textContent = ` ${t("ent.receiptNotYet")}: ${error.message}`; }),
    }, `${t("ent.receipt")} #${d.ledger_index}`), note));
  };
  return section("documents", t("ent.documents"), table(
    [t("ent.title"), t("ent.kind"), t("ent.uploaded"), "SHA-256", t("ent.receipt")],
    list.map((d) => element("tr", { "data-document": d.id, "data-leaf": d.ledger_index ?? "" },
      cell(element("button", { class: "link", title: d.filename,
                               onclick: () => download(`/documents/${d.id}/file`, d.filename) }, d.title)),
      cell(t(`doc.${d.kind}`)), cell(formatTime(d.uploaded_ms / 1000)),
      cell(element("code", { title: d.sha256 }, `${d.sha256.slice(0, 12)}…`)), receiptCell(d)))));
}

async function loadFile(ctx, enterprise) {
  const id = enterprise.id;
  const [sourceList, pointList, riskList, openAlarms, recentAlarms, documentList] = await Promise.all([
    api.get(`/sources?enterprise_id=${id}&limit=10000`), api.get(`/points?enterprise_id=${id}&limit=10000`),
    api.get(`/risk-sources?enterprise_id=${id}&limit=10000`), api.get(`/alarms?enterprise_id=${id}&open=true&limit=100`),
    api.get(`/alarms?enterprise_id=${id}&limit=20`), api.get(`/documents?enterprise_id=${id}&limit=500`),
  ]);
  const perPoint = (path) => Promise.all(pointList.data.map((p) => api.get(path(p)).then((answer) => [p.id, answer])
    .catch(() => [p.id, null])));
  const [devices, latest] = await Promise.all([
    perPoint((p) => `/devices?point_id=${p.id}&limit=1000`), perPoint((p) => `/points/${p.id}/latest`)]);
  const devicesOf = new Map(devices.map(([pointId, answer]) => [pointId, answer?.data || []]));
  const latestOf = new Map(latest);
  return [
    basics(ctx, enterprise), sources(sourceList.data), points(ctx, pointList.data, devicesOf),
    latestRows(ctx, pointList.data, latestOf), alarms(ctx, openAlarms, recentAlarms), riskGrade(enterprise),
    riskSources(riskList.data), documents(documentList.data),
  ];
}

export async function showEnterprise(ctx, enterpriseId) {
  const key = `enterprise:${enterpriseId}`;
  const body = element("div", { class: "panel ent-file", "data-enterprise": enterpriseId },
    element("p", { class: "muted" }, t("loading")));
  ctx.drawer.show(t("ent.file"), body, { key });
  let enterprise;
  try {
    enterprise = await api.get(`/enterprises/${enterpriseId}`);
  } catch (error) {
    if (ctx.drawer.key !== key) return;
    body.replaceChildren(element("p", { class: "error", role: "alert", "data-testid": "enterprise-refused" },
      /HTTP 40[34]/.test(error.message) ? t("ent.notFound") : `${t("ent.loadFailed")}: ${error.message}`));
    return;
  }
  if (ctx.drawer.key !== key) return;
  ctx.drawer.show(`${t("ent.file")} · ${enterprise.name}`, body, { key });
  try {
    const parts = await loadFile(ctx, enterprise);
    if (ctx.drawer.key !== key) return;
    body.replaceChildren(...parts);
  } catch (error) {
    if (ctx.drawer.key === key) {
      body.replaceChildren(element("p", { class: "error", role: "alert" }, `${t("ent.loadFailed")}: ${error.message}`));
    }
  }
}

// The link in a point's panel, where the point belongs to an enterprise.
pointSections.push((ctx, point) => {
  if (point.enterprise_id === null || point.enterprise_id === undefined) return null;
  return element("p", { class: "ent-link" }, element("button", {
    class: "secondary", "data-testid": "open-enterprise", onclick: () => ctx.showEnterprise(point.enterprise_id),
  }, `${t("ent.file")} →`));
});

registerModule((ctx) => {
  ctx.showEnterprise = (enterpriseId) => showEnterprise(ctx, enterpriseId);
  if (ctx.me.role === "enterprise" && ctx.me.enterprise_id) {
    ctx.addNav(t("ent.mine"), () => ctx.showEnterprise(ctx.me.enterprise_id), { "data-testid": "nav-enterprise" });
  }
  // The map's enterprise features carry their credit code, not the id: the park's list maps one to the other.
  let byCreditCode = null;
  const open = async (event) => {
    // A click on a point, source or risk source drawn over the enterprise opens that, not the file.
    const above = ctx.map.queryRenderedFeatures(event.point).filter((f) => f.properties.feature_type !== "enterprise"
      && f.properties.feature_type !== "park");
    if (above.some((f) => f.layer.type === "circle")) return;
    const code = event.features[0].properties.credit_code;
    byCreditCode ??= api.get(`/enterprises?park_id=${ctx.park.id}&limit=10000`)
      .then((answer) => new Map(answer.data.map((e) => [e.credit_code, e.id])));
    const id = (await byCreditCode).get(code);
    if (id !== undefined) ctx.showEnterprise(id);
  };
  for (const layer of ["enterprise-fill", "enterprise-circle"]) {
    ctx.map.on("click", layer, open);
    ctx.map.on("mouseenter", layer, () => { ctx.map.getCanvas().style.cursor = "pointer"; });
    ctx.map.on("mouseleave", layer, () => { ctx.map.getCanvas().style.cursor = ""; });
  }
});
