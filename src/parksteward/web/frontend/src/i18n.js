// The console's words in Chinese (the default) and English. Each part of the console adds its
// own words with addWords(); a missing translation shows up as the key itself.
export const WORDS = { "zh-CN": {}, en: {} };

export function addWords(words) {
  for (const [language, table] of Object.entries(words)) Object.assign(WORDS[language], table);
}

addWords({
  "zh-CN": {
    title: "园区环境管理控制台", login: "登录", username: "用户名", password: "密码",
    loginFailed: "用户名或密码错误", logout: "退出", language: "English",
    layers: "图层", park: "园区边界", enterprises: "企业", sources: "排放源", points: "监测点位",
    receptors: "敏感目标", risks: "风险源", weather: "气象站",
    kind: "类型", code: "编码", latest: "最新数据", noData: "暂无数据", loading: "加载中…",
    pointsShown: "个监测点位", close: "关闭", status: "状态",
    "status.normal": "正常", "status.invalid": "无效数据", "status.offline": "离线", "status.waiting": "等待数据",
    "level.blue": "蓝色预警", "level.yellow": "黄色预警", "level.orange": "橙色预警", "level.red": "红色预警",
  },
  en: {
    title: "Park environmental console", login: "Log in", username: "Username", password: "Password",
    loginFailed: "Wrong username or password", logout: "Log out", language: "中文",
    layers: "Layers", park: "Park boundary", enterprises: "Enterprises", sources: "Emission sources",
    points: "Monitoring points", receptors: "Sensitive receptors", risks: "Risk sources", weather: "Weather stations",
    kind: "Kind", code: "Code", latest: "Latest values", noData: "No data yet", loading: "Loading…",
    pointsShown: "monitoring points", close: "Close", status: "Status",
    "status.normal": "Normal", "status.invalid": "Invalid data", "status.offline": "Offline", "status.waiting": "Waiting for data",
    "level.blue": "Blue warning", "level.yellow": "Yellow warning", "level.orange": "Orange warning", "level.red": "Red warning",
  },
});

export function currentLanguage() {
  return localStorage.getItem("parksteward.lang") || "zh-CN";
}

export function t(key) {
  return (WORDS[currentLanguage()] || WORDS["zh-CN"])[key] ?? key;
}

// A name in the current language where the record has one in English (name / name_en).
export function localName(record, zh = "name", en = "name_en") {
  return (currentLanguage() === "en" && record[en]) || record[zh];
}

// A registry vocabulary's label (point kinds, industries, receptor kinds ...), as the server
// handed them to the page: `label("point_kinds", "stack_cems")` -> 烟气在线监测.
export function label(vocabulary, key) {
  const entry = window.PARKSTEWARD?.vocabularies?.[vocabulary]?.[key];
  return entry ? entry[currentLanguage()] || entry["zh-CN"] : key;
}

// An alarm's text: Chinese as stored (what SMS and e-mail carried), English where the platform wrote it too.
export function alarmText(alarm) {
  return (currentLanguage() === "en" && alarm.message_en) || alarm.message;
}
