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

// Times are shown on the park's wall clock (its IANA time zone, set when the park is known),
// whatever the time zone of the browser: a regulator's office or a wall screen elsewhere reads
// the same 22:00 as the night shift does.
let timeZone;

export function useTimeZone(zone) {
  timeZone = zone || undefined;
}

function locale() {
  return currentLanguage() === "en" ? "en-GB" : "zh-CN";
}

// A time as the park's staff read it: the park's wall-clock time, to the second.
export function formatTime(value) {
  if (value === null || value === undefined) return "—";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return date.toLocaleString(locale(), { hour12: false, timeZone });
}

// A chart axis label: the park's HH:mm, with the date at midnight [ms since the epoch].
export function formatAxisTime(ms) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const clock = `${parts.hour === "24" ? "00" : parts.hour}:${parts.minute}`;
  return clock === "00:00" ? `${parts.month}-${parts.day}` : clock;
}

export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  // Significant digits without exponents or trailing zeros: 270, 12, 0.0012, 10000.
  return new Intl.NumberFormat("en-US", { maximumSignificantDigits: digits, useGrouping: false }).format(value);
}
