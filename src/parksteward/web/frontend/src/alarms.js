// The alarm panel (告警): a header button whose badge counts the open alarms in the colour of
// the worst, the list of open alarms by level, the notification log, and one alarm's detail
// with its plan's advice, its history and acknowledge / clear.
//
// Everything stays live through the alarm stream (GET /alarms/stream, `event: alarm`): each
// event carries the alarm as it now stands, so the list, the badge and the map's point colours
// are updated from it without asking the API again. Orange and red alarms that are raised or
// rise in level get a sound (made by the Web Audio API: nothing is fetched) and a flash.
import * as api from "./api.js";
import { element, formatNumber, formatTime } from "./dom.js";
import { addWords, alarmText, currentLanguage, localName, t } from "./i18n.js";
import { registerModule } from "./main.js";

const LEVELS = ["red", "orange", "yellow", "blue"]; // most severe first
const RANK = { blue: 0, yellow: 1, orange: 2, red: 3 };
const STATE_RANK = { active: 0, acknowledged: 1, cleared: 2 };
// Who may acknowledge and clear: ACTING_ROLES in alarms/service.py (an enterprise user its own
// alarms, which are the only ones it is shown).
const ACTING_ROLES = ["admin", "steward", "command", "enterprise"];
const CUED_LEVELS = ["orange", "red"];
const CUED_EVENTS = ["raised", "level_up", "escalated"]; // newly raised, or risen in level
const OPEN_PAGE = 1000; // the API's largest page of alarms
const FLASH_MS = 4000;
const CUE_GAP_MS = 1500; // a burst of warnings sounds once, not once per alarm

addWords({
  "zh-CN": {
    "alarms.nav": "告警", "alarms.title": "告警列表", "alarms.tab.list": "当前告警", "alarms.tab.log": "通知记录",
    "alarms.all": "全部", "alarms.none": "当前无未解除告警", "alarms.noneAtLevel": "该等级无未解除告警",
    "alarms.first": "首次", "alarms.last": "最近", "alarms.lastAt": "最近", "alarms.colon": "：", "alarms.listSep": "；", "alarms.times": "次", "alarms.alarm": "告警",
    "alarms.shownOf": "显示最新的 {shown} 条，共 {total} 条",
    "alarms.state.active": "未确认", "alarms.state.acknowledged": "已确认", "alarms.state.cleared": "已解除",
    "alarms.kind": "类型", "alarms.factor": "监测因子", "alarms.value": "当前值", "alarms.threshold": "阈值",
    "alarms.peak": "峰值", "alarms.count": "次数", "alarms.escalations": "超时升级",
    "alarms.point": "点位", "alarms.enterprise": "企业", "alarms.parkOwned": "园区",
    "alarms.advice": "处置建议", "alarms.roles": "责任岗位", "alarms.resources": "应急资源", "alarms.disposal": "后期处置",
    "alarms.noAdvice": "未关联应急预案情景",
    "alarms.actions": "处置", "alarms.comment": "处置说明", "alarms.commentHint": "填写处置情况（可选）",
    "alarms.acknowledge": "确认告警", "alarms.clear": "解除告警", "alarms.readOnly": "当前角色只能查看告警，不能确认或解除。",
    "alarms.history": "处置记录", "alarms.at": "时间", "alarms.event": "事件", "alarms.level": "等级",
    "alarms.actor": "操作人", "alarms.system": "系统",
    "alarms.deliveries": "通知记录", "alarms.channel": "渠道", "alarms.recipient": "接收方", "alarms.status": "状态",
    "alarms.attempts": "尝试次数", "alarms.noDeliveries": "暂无通知记录",
    "alarms.kind.threshold": "阈值", "alarms.kind.exceedance": "超标", "alarms.kind.rate_of_change": "快速变化",
    "alarms.kind.interruption": "数据中断", "alarms.kind.invalid_data": "数据无效", "alarms.kind.flat_line": "数据恒值",
    "alarms.kind.drill": "应急演练",
    "alarms.event.raised": "产生", "alarms.event.level_up": "等级上升", "alarms.event.level_down": "等级下降",
    "alarms.event.escalated": "超时升级", "alarms.event.acknowledged": "确认", "alarms.event.cleared": "解除",
    "alarms.channel.sse": "控制台推送", "alarms.liveStream": "在线控制台", "alarms.channel.webhook": "Webhook", "alarms.channel.email": "邮件",
    "alarms.delivery.pending": "待发送", "alarms.delivery.delivered": "已送达", "alarms.delivery.failed": "失败",
    "alarms.delivery.skipped": "已跳过",
    "alarms.group.enterprise": "企业", "alarms.group.command": "指挥中心", "alarms.group.steward": "环保管家",
    "alarms.group.regulator": "生态环境局", "alarms.group.hospital": "医院",
  },
  en: {
    "alarms.nav": "Alarms", "alarms.title": "Alarms", "alarms.tab.list": "Open alarms", "alarms.tab.log": "Notification log",
    "alarms.all": "All", "alarms.none": "No open alarms", "alarms.noneAtLevel": "No open alarms at this level",
    "alarms.first": "First", "alarms.last": "last", "alarms.lastAt": "Last", "alarms.colon": ": ", "alarms.listSep": "; ", "alarms.times": "times", "alarms.alarm": "Alarm",
    "alarms.shownOf": "Showing the newest {shown} of {total}",
    "alarms.state.active": "Active", "alarms.state.acknowledged": "Acknowledged", "alarms.state.cleared": "Cleared",
    "alarms.kind": "Kind", "alarms.factor": "Factor", "alarms.value": "Value", "alarms.threshold": "Threshold",
    "alarms.peak": "Peak", "alarms.count": "Count", "alarms.escalations": "Escalations",
    "alarms.point": "Point", "alarms.enterprise": "Enterprise", "alarms.parkOwned": "Park",
    "alarms.advice": "Advice", "alarms.roles": "Roles", "alarms.resources": "Resources", "alarms.disposal": "Aftercare",
    "alarms.noAdvice": "No emergency plan scenario linked",
    "alarms.actions": "Response", "alarms.comment": "Comment", "alarms.commentHint": "What was done (optional)",
    "alarms.acknowledge": "Acknowledge", "alarms.clear": "Clear", "alarms.readOnly": "This role may read alarms but not acknowledge or clear them.",
    "alarms.history": "History", "alarms.at": "Time", "alarms.event": "Event", "alarms.level": "Level",
    "alarms.actor": "By", "alarms.system": "system",
    "alarms.deliveries": "Notification log", "alarms.channel": "Channel", "alarms.recipient": "Recipient",
    "alarms.status": "Status", "alarms.attempts": "Attempts", "alarms.noDeliveries": "No notifications yet",
    "alarms.kind.threshold": "Threshold", "alarms.kind.exceedance": "Exceedance", "alarms.kind.rate_of_change": "Rising fast",
    "alarms.kind.interruption": "Data interruption", "alarms.kind.invalid_data": "Invalid data",
    "alarms.kind.flat_line": "Flat line", "alarms.kind.drill": "Drill",
    "alarms.event.raised": "Raised", "alarms.event.level_up": "Level up", "alarms.event.level_down": "Level down",
    "alarms.event.escalated": "Escalated", "alarms.event.acknowledged": "Acknowledged", "alarms.event.cleared": "Cleared",
    "alarms.channel.sse": "Console", "alarms.liveStream": "consoles online", "alarms.channel.webhook": "Webhook", "alarms.channel.email": "E-mail",
    "alarms.delivery.pending": "Pending", "alarms.delivery.delivered": "Delivered", "alarms.delivery.failed": "Failed",
    "alarms.delivery.skipped": "Skipped",
    "alarms.group.enterprise": "Enterprise", "alarms.group.command": "Command centre", "alarms.group.steward": "Steward team",
    "alarms.group.regulator": "Regulator", "alarms.group.hospital": "Hospital",
  },
});

// ------------------------------------------------------------------ the sound cue
// Browsers let a page make sound only after a user gesture: the AudioContext is made (or
// resumed) on the first click or key press — the login click, usually — and kept.
let audio = null;

function unlockAudio() {
  if (audio?.state === "running") return;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audio = audio || new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
}
document.addEventListener("pointerdown", unlockAudio, true);
document.addEventListener("keydown", unlockAudio, true);

// Red: three high tones; orange: two lower ones (a rising alarm is told by ear before it is read).
const TONES = { red: [988, 784, 988], orange: [659, 523] };
const TONE_S = 0.2;

function playTones(level) {
  if (!audio || audio.state !== "running") return false;
  const start = audio.currentTime + 0.02;
  TONES[level].forEach((hz, i) => {
    const at = start + i * TONE_S;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "triangle";
    oscillator.frequency.value = hz;
    // A short attack and decay: a tone switched on and off abruptly clicks.
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.35, at + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + TONE_S * 0.9);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + TONE_S);
  });
  return true;
}

// ------------------------------------------------------------------ helpers
const LIST_REFRESH_MS = 60_000;
const byWorst = (a, b) => RANK[b.level] - RANK[a.level] || Date.parse(b.last_at) - Date.parse(a.last_at) || b.id - a.id;

function levelChip(level) {
  return element("span", { class: `level-chip level-${level}`, "data-level": level }, t(`level.${level}`));
}

function stateChip(state) {
  return element("span", { class: `alarms-state alarms-state-${state}`, "data-state": state }, t(`alarms.state.${state}`));
}

// An alarm as a live event or a detail carries it (alarm_payload: the alarm, its point,
// enterprise and scenario), in the shape of the list's rows.
function fromPayload(payload) {
  return {
    ...payload.alarm,
    point_id: payload.point?.id ?? null, point: payload.point || null,
    enterprise_id: payload.enterprise?.id ?? null, enterprise: payload.enterprise || null,
    scenario_id: payload.scenario?.id ?? null,
  };
}

function factorLabel(ctx, code) {
  const factor = code && ctx.factors.get(code);
  if (!factor) return code || "—";
  return `${(currentLanguage() === "en" ? factor.name_en : factor.name_zh) || code} (${code})`;
}

function withUnit(value, unit) {
  return value === null || value === undefined ? "—" : `${formatNumber(value, 4)}${unit ? ` ${unit}` : ""}`;
}

function table(headings, rows, attributes = {}) {
  return element("table", { class: "list alarms-table", ...attributes },
    element("tr", {}, ...headings.map((heading) => element("th", {}, heading))), ...rows);
}

function deliveryRows(deliveries, openAlarm) {
  return deliveries.map((d) => element("tr", { "data-delivery": d.id, "data-alarm": d.alarm_id },
    element("td", {}, formatTime(d.created_at)),
    openAlarm ? element("td", {}, element("button", { class: "link", onclick: () => openAlarm(d.alarm_id) }, `#${d.alarm_id}`)) : null,
    element("td", { "data-field": "channel" }, t(`alarms.channel.${d.channel}`)),
    element("td", { "data-field": "address", title: d.address },
      d.channel === "sse" ? t("alarms.liveStream") : d.address,
      d.group ? element("div", { class: "muted", "data-field": "group" }, t(`alarms.group.${d.group}`)) : null),
    element("td", { "data-field": "status", class: `alarms-delivery-${d.status}`, title: d.last_error || "" },
      t(`alarms.delivery.${d.status}`)),
    element("td", { "data-field": "attempts", class: "number" }, String(d.attempts))));
}

function deliveriesTable(deliveries, openAlarm = null) {
  if (!deliveries.length) return element("p", { class: "muted" }, t("alarms.noDeliveries"));
  const headings = [t("alarms.at"), openAlarm ? t("alarms.alarm") : null, t("alarms.channel"), t("alarms.recipient"),
    t("alarms.status"), t("alarms.attempts")].filter(Boolean);
  return table(headings, deliveryRows(deliveries, openAlarm), { "data-testid": "alarm-deliveries" });
}

// ------------------------------------------------------------------ the panel
function mountAlarms(ctx) {
  const open = new Map(); // alarm id -> the open alarm (not cleared) as last heard
  const enterprises = new Map(); // enterprise id -> name
  const flashing = new Map(); // alarm id -> until (ms)
  const cues = []; // the cues given, for the curious and the browser tests
  window.alarmCues = cues;
  let serverCounts = { blue: 0, yellow: 0, orange: 0, red: 0 };
  let total = 0; // open alarms the API counts; more than `open` holds when the list was cut at OPEN_PAGE
  let buffered = null; // events heard while the list loads, applied after it
  let lastCue = { at: 0, level: null };
  const view = { tab: "list", level: null };
  let detail = null; // { id, render(payload) } of the alarm shown in the drawer

  const mayAct = ACTING_ROLES.includes(ctx.me.role);
  const complete = () => total <= open.size;

  // -------------------------------------------------- the badge
  const badge = element("span", { class: "badge alarms-badge", "data-testid": "alarms-badge" }, "0");
  const nav = ctx.addNav([t("alarms.nav"), badge], () => {
    if (ctx.drawer.key === "alarms") ctx.drawer.close(); else showList();
  }, { "data-testid": "alarms-nav" });

  function counts() {
    if (!complete()) return serverCounts;
    const byLevel = { blue: 0, yellow: 0, orange: 0, red: 0 };
    for (const alarm of open.values()) byLevel[alarm.level] += 1;
    return byLevel;
  }

  function renderBadge() {
    const byLevel = counts();
    const worst = LEVELS.find((level) => byLevel[level] > 0) || null;
    badge.textContent = String(LEVELS.reduce((sum, level) => sum + byLevel[level], 0));
    for (const level of LEVELS) badge.classList.toggle(`level-${level}`, level === worst); // keeps a flash going
    badge.dataset.level = worst || "";
  }

  function flash(node) {
    node.classList.remove("alarms-flash");
    void node.offsetWidth; // restart the animation
    node.classList.add("alarms-flash");
  }

  // -------------------------------------------------- names
  function pointOf(alarm) {
    return ctx.pointById.get(alarm.point_id) || alarm.point || null;
  }

  function enterpriseName(alarm) {
    if (alarm.enterprise_id === null || alarm.enterprise_id === undefined) return t("alarms.parkOwned");
    return enterprises.get(alarm.enterprise_id) || alarm.enterprise?.name || `#${alarm.enterprise_id}`;
  }

  function place(alarm) {
    const point = pointOf(alarm);
    return `${point ? `${point.name} (${point.code})` : "—"} · ${enterpriseName(alarm)}`;
  }

  // -------------------------------------------------- the list
  function row(alarm) {
    const node = element("li", {
      class: `alarms-row level-${alarm.level}`, "data-alarm": alarm.id, "data-level": alarm.level,
      "data-state": alarm.state, tabindex: 0,
      onclick: () => openAlarm(alarm.id),
      onkeydown: (event) => { if (event.key === "Enter") openAlarm(alarm.id); },
    },
    element("div", { class: "alarms-row-head" }, levelChip(alarm.level), stateChip(alarm.state),
      element("span", { class: "alarms-kind" }, t(`alarms.kind.${alarm.kind}`))),
    element("div", { class: "alarms-message" }, alarmText(alarm)),
    element("div", { class: "muted alarms-place" }, place(alarm)),
    element("div", { class: "muted alarms-times" },
      `${t("alarms.first")} ${formatTime(alarm.first_at)} · ${t("alarms.last")} ${formatTime(alarm.last_at)}`
      + (alarm.count > 1 ? ` · ${alarm.count} ${t("alarms.times")}` : "")));
    if ((flashing.get(alarm.id) || 0) > Date.now()) node.classList.add("alarms-flash");
    return node;
  }

  function listBody() {
    const byLevel = counts();
    const filters = element("div", { class: "alarms-filter", role: "group" },
      [null, ...LEVELS].map((level) => element("button", {
        class: `alarms-filter-button${level ? ` level-${level}` : ""}`, "data-level": level || "all",
        "aria-pressed": String(view.level === level),
        onclick: () => { view.level = level; renderDrawer(); },
      }, level ? t(`level.${level}`) : t("alarms.all"),
      element("span", { class: "alarms-filter-count" },
        String(level ? byLevel[level] : LEVELS.reduce((sum, l) => sum + byLevel[l], 0))))));
    const shown = [...open.values()].filter((a) => !view.level || a.level === view.level).sort(byWorst);
    const list = shown.length
      ? element("ul", { class: "alarms-list", "data-testid": "alarm-list" }, shown.map(row))
      : element("p", { class: "muted", "data-testid": "alarm-list" }, t(view.level ? "alarms.noneAtLevel" : "alarms.none"));
    const cut = complete() ? null : element("p", { class: "muted" },
      t("alarms.shownOf").replace("{shown}", open.size).replace("{total}", total));
    return [filters, list, cut].filter(Boolean);
  }

  const logBody = element("div", { class: "alarms-log" });
  async function loadLog() {
    try {
      const answer = await api.get("/alarm-deliveries?limit=200");
      logBody.replaceChildren(deliveriesTable(answer.data, openAlarm));
    } catch (error) {
      logBody.replaceChildren(element("p", { class: "error", role: "alert" }, error.message));
    }
  }

  function tabs() {
    return element("div", { class: "alarms-tabs", role: "tablist" },
      ["list", "log"].map((tab) => element("button", {
        role: "tab", "data-tab": tab, "aria-selected": String(view.tab === tab),
        onclick: () => { view.tab = tab; renderDrawer(); if (tab === "log") loadLog(); },
      }, t(`alarms.tab.${tab}`))));
  }

  const panel = element("div", { class: "alarms-panel", "data-testid": "alarm-panel" });
  function renderDrawer() {
    panel.replaceChildren(tabs(), ...(view.tab === "list" ? listBody() : [logBody]));
  }

  function showList() {
    renderDrawer();
    if (view.tab === "log") loadLog();
    ctx.drawer.show(t("alarms.title"), panel, { key: "alarms", onClose: () => nav.classList.remove("active") });
    nav.classList.add("active");
  }

  // Redraw at most every 200 ms: a burst of events redraws once.
  let redraw = null;
  function scheduleRender() {
    renderBadge();
    if (redraw) return;
    redraw = setTimeout(() => {
      redraw = null;
      if (ctx.drawer.key === "alarms" && view.tab === "list") renderDrawer();
    }, 200);
  }

  let logReload = null;
  function scheduleLogReload() {
    if (logReload || ctx.drawer.key !== "alarms" || view.tab !== "log") return;
    logReload = setTimeout(() => { logReload = null; loadLog(); }, 1000); // deliveries are sent just after
  }

  // -------------------------------------------------- the map
  // A point's colour follows its worst open alarm other than a data interruption (the map says
  // offline for that), as /live/status reports it when the console opens.
  async function syncPoint(pointId) {
    const point = ctx.pointById.get(pointId);
    if (!point) return;
    let alarms = [...open.values()].filter((a) => a.point_id === pointId);
    if (!complete()) alarms = (await api.get(`/alarms?open=true&point_id=${pointId}&limit=${OPEN_PAGE}`)).data;
    const worst = alarms.filter((a) => a.kind !== "interruption")
      .reduce((level, a) => (level === null || RANK[a.level] > RANK[level] ? a.level : level), null);
    ctx.setPointState(point.code, { alarm: worst });
    ctx.showTank?.(point.code, null, worst); // a tank gauge's alarm rings its tank too
  }

  // -------------------------------------------------- live events
  function remember(alarm) {
    const before = open.get(alarm.id);
    if (alarm.state === "cleared") {
      open.delete(alarm.id);
      if (before) total -= 1;
      return;
    }
    if (!before) total += 1;
    // Events come in order, but a list loaded meanwhile may be newer than an event held back:
    // an alarm's state only moves forward (active, acknowledged, cleared).
    if (before && STATE_RANK[before.state] > STATE_RANK[alarm.state]) {
      alarm = { ...alarm, state: before.state, acknowledged_at: before.acknowledged_at,
                acknowledged_by: before.acknowledged_by };
    }
    open.set(alarm.id, { ...before, ...alarm });
  }

  function cue(alarm) {
    flashing.set(alarm.id, Date.now() + FLASH_MS);
    setTimeout(() => { if ((flashing.get(alarm.id) || 0) <= Date.now()) flashing.delete(alarm.id); }, FLASH_MS + 50);
    flash(badge);
    const now = Date.now();
    if (now - lastCue.at < CUE_GAP_MS && RANK[alarm.level] <= RANK[lastCue.level]) return;
    lastCue = { at: now, level: alarm.level };
    cues.push({ alarm: alarm.id, level: alarm.level, sound: playTones(alarm.level), at: now });
  }

  let countsReload = null;
  function onEvent(payload) {
    if (buffered) { buffered.push(payload); return; }
    const alarm = fromPayload(payload);
    if (alarm.enterprise) enterprises.set(alarm.enterprise.id, alarm.enterprise.name);
    remember(alarm);
    if (alarm.point_id !== null) syncPoint(alarm.point_id).catch((error) => console.warn("alarm colour:", error));
    if (CUED_EVENTS.includes(payload.event) && CUED_LEVELS.includes(alarm.level)) cue(alarm);
    if (!complete() && !countsReload) {
      countsReload = setTimeout(async () => {
        countsReload = null;
        const answer = await api.get("/alarms?open=true&limit=1").catch(() => null);
        if (answer) { serverCounts = answer.open_by_level; total = answer.count; renderBadge(); }
      }, 1000);
    }
    scheduleRender();
    scheduleLogReload();
    if (detail?.id === alarm.id) detail.reload();
  }

  async function load() {
    buffered = buffered || [];
    try {
      const answer = await api.get(`/alarms?open=true&limit=${OPEN_PAGE}`);
      open.clear();
      for (const alarm of answer.data) open.set(alarm.id, alarm);
      serverCounts = answer.open_by_level;
      total = answer.count;
    } catch (error) {
      console.warn("alarms:", error);
    }
    const held = buffered;
    buffered = null;
    held.forEach(onEvent);
    scheduleRender();
  }

  api.get(`/enterprises?park_id=${ctx.park.id}&limit=10000`).then((answer) => {
    for (const e of answer.data) enterprises.set(e.id, localName(e));
    scheduleRender();
  }).catch((error) => console.warn("enterprise names:", error));

  const stream = new EventSource(`/api/v1/alarms/stream?access_token=${encodeURIComponent(api.token())}`);
  let connected = false;
  stream.addEventListener("open", () => {
    if (connected) load(); // back after a break: what happened meanwhile is in the list
    connected = true;
  });
  stream.addEventListener("alarm", (message) => onEvent(JSON.parse(message.data)));
  window.alarmStream = stream;
  load();
  // A sighting that repeats at the same level is no event (there is nothing new to notify), so
  // no stream message brings its count and newest value: the open list is read again each minute.
  window.alarmsRefresh = load;
  setInterval(() => { if (connected) load().then(() => detail?.reload()); }, LIST_REFRESH_MS);

  // -------------------------------------------------- one alarm
  function showPointOf(point) {
    const full = ctx.pointById.get(point.id);
    if (!full) return;
    ctx.map.flyTo({ center: [full.lon, full.lat], zoom: Math.max(ctx.map.getZoom(), 15) });
    ctx.showPoint(full);
  }

  function adviceSection(payload) {
    const scenario = payload.scenario;
    const section = element("section", { class: "alarms-advice", "data-testid": "alarm-advice" },
      element("h4", {}, t("alarms.advice")));
    if (!scenario) {
      section.append(element("p", {}, payload.alarm.advice || t("alarms.noAdvice")));
      return section;
    }
    section.append(element("p", { class: "alarms-scenario" }, scenario.name));
    if (scenario.steps.length) section.append(element("ol", {}, scenario.steps.map((step) => element("li", {}, step))));
    else if (payload.alarm.advice) section.append(element("p", {}, payload.alarm.advice));
    const facts = [["alarms.roles", scenario.roles], ["alarms.resources", scenario.resources]]
      .filter(([, list]) => list?.length)
      .map(([key, list]) => element("p", { class: "muted" }, `${t(key)}${t("alarms.colon")}${list.join(t("alarms.listSep"))}`));
    section.append(...facts);
    if (scenario.disposal) section.append(element("p", { class: "muted" }, `${t("alarms.disposal")}${t("alarms.colon")}${scenario.disposal}`));
    return section;
  }

  function facts(payload) {
    const a = payload.alarm;
    const point = payload.point;
    const rows = [
      ["alarms.kind", t(`alarms.kind.${a.kind}`)],
      ["alarms.factor", factorLabel(ctx, a.factor)],
      ["alarms.value", withUnit(a.value, a.unit)],
      ["alarms.threshold", withUnit(a.threshold, a.kind === "threshold" ? a.unit : null)],
      ["alarms.peak", withUnit(a.peak_value, a.unit)],
      ["alarms.count", String(a.count)],
      ["alarms.first", formatTime(a.first_at)],
      ["alarms.lastAt", formatTime(a.last_at)],
      a.escalations ? ["alarms.escalations", String(a.escalations)] : null,
      ["alarms.enterprise", payload.enterprise?.name || t("alarms.parkOwned")],
    ].filter(Boolean);
    return element("table", { class: "values alarms-facts" },
      point ? element("tr", {}, element("th", {}, t("alarms.point")), element("td", {},
        element("button", { class: "link alarms-point-link", "data-testid": "alarm-point", onclick: () => showPointOf(point) },
          `${point.name} (${point.code})`))) : null,
      rows.map(([key, value]) => element("tr", { "data-fact": key.slice(7) }, element("th", {}, t(key)), element("td", {}, value))));
  }

  function history(payload) {
    return table([t("alarms.at"), t("alarms.event"), t("alarms.level"), t("alarms.actor"), t("alarms.comment")],
      payload.history.map((e) => element("tr", { "data-event": e.kind },
        element("td", {}, formatTime(e.at)), element("td", {}, t(`alarms.event.${e.kind}`)),
        element("td", {}, e.level ? levelChip(e.level) : "—"),
        element("td", { "data-field": "actor" }, e.actor === "system" ? t("alarms.system") : e.actor || "—"),
        element("td", { "data-field": "comment" }, e.comment || ""))), { "data-testid": "alarm-history" });
  }

  async function openAlarm(id) {
    const info = element("div", { class: "alarms-info" }, element("p", { class: "muted" }, t("loading")));
    const comment = element("textarea", { name: "comment", rows: 2, maxlength: 2000, placeholder: t("alarms.commentHint") });
    const problem = element("p", { class: "error", role: "alert", "data-testid": "alarm-error" });
    const acknowledge = element("button", { class: "primary", "data-action": "acknowledge", disabled: true,
                                            onclick: () => act("acknowledge") }, t("alarms.acknowledge"));
    const clear = element("button", { class: "secondary", "data-action": "clear", disabled: true,
                                      onclick: () => act("clear") }, t("alarms.clear"));
    const actions = mayAct
      ? element("section", { class: "alarms-actions" }, element("h4", {}, t("alarms.actions")),
        element("label", {}, t("alarms.comment"), comment), element("div", { class: "alarms-buttons" }, acknowledge, clear),
        problem)
      : element("p", { class: "muted" }, t("alarms.readOnly"));
    const deliveries = element("section", {});
    const node = element("div", { class: "panel alarms-detail", "data-alarm": id }, info, actions, deliveries);
    let current = null;

    function render(payload) {
      current = payload;
      const a = payload.alarm;
      node.dataset.state = a.state;
      node.dataset.level = a.level;
      info.replaceChildren(
        element("div", { class: "alarms-row-head" }, levelChip(a.level), stateChip(a.state)),
        element("h3", { class: "alarms-message" }, alarmText(a)),
        facts(payload), adviceSection(payload),
      );
      // Follow the lifecycle's own rule (alarms/lifecycle.py): one acknowledgement per alarm;
      // clearing until it is cleared.
      acknowledge.disabled = Boolean(a.acknowledged_at);
      clear.disabled = a.state === "cleared";
      deliveries.replaceChildren(element("h4", {}, t("alarms.history")), history(payload),
        element("h4", {}, t("alarms.deliveries")), deliveriesTable(payload.deliveries));
    }

    async function reload() {
      try {
        render(await api.get(`/alarms/${id}`));
      } catch (error) {
        info.replaceChildren(element("p", { class: "error", role: "alert" }, error.message));
      }
    }

    async function act(action) {
      acknowledge.disabled = clear.disabled = true;
      problem.textContent = "";
      try {
        const text = comment.value.trim();
        const payload = await api.post(`/alarms/${id}/${action}`, { comment: text || null });
        comment.value = "";
        render(payload);
        remember(fromPayload(payload));
        if (payload.point) syncPoint(payload.point.id).catch(() => {});
        scheduleRender();
      } catch (error) {
        problem.textContent = error.message;
        if (current) render(current);
      }
    }

    const shown = { id, reload };
    ctx.drawer.show(`${t("alarms.alarm")} #${id}`, node, {
      key: `alarm:${id}`, onClose: () => { if (detail === shown) detail = null; },
    });
    detail = shown; // after show(): it runs the previous panel's onClose
    await reload();
  }
}

registerModule(mountAlarms);
