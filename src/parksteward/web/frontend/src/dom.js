// Small helpers for building the console's DOM without a framework.
import { currentLanguage } from "./i18n.js";

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return node;
}

// A time as the park's staff read it: local wall-clock time, to the second.
export function formatTime(value) {
  if (value === null || value === undefined) return "—";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return date.toLocaleString(currentLanguage() === "en" ? "en-GB" : "zh-CN", { hour12: false });
}

export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  // Significant digits without exponents or trailing zeros: 270, 12, 0.0012, 10000.
  return new Intl.NumberFormat("en-US", { maximumSignificantDigits: digits, useGrouping: false }).format(value);
}
