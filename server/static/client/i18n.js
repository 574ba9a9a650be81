// Every string the web client shows, in French (the default) and English, and the formats of
// dates, amounts and durations in the page's language. The server's messages come in the
// language of the request; when the member switches language, the client's own text for the
// same error code replaces them (see forms.js).
import { STRINGS } from "./strings.js";

export const LANGUAGES = Object.keys(STRINGS);
const STORAGE_KEY = "lang";

// Only the language choice is kept in storage; the session lives in an HttpOnly cookie.
function savedLanguage() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function browserLanguage() {
  const wanted = (navigator.languages ?? [navigator.language]).map((tag) => tag.slice(0, 2));
  return wanted.find((lang) => LANGUAGES.includes(lang)) ?? "fr";
}

let current = LANGUAGES.includes(savedLanguage()) ? savedLanguage() : browserLanguage();

export function language() {
  return current;
}

/** The language the switch offers (the one not in use). */
export function otherLanguage() {
  return LANGUAGES.find((lang) => lang !== current);
}

export function setLanguage(lang) {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Storage refused (private mode): the choice lasts until the page is reloaded.
  }
}

/** Whether the dictionary has `key`, to fall back on a server's message when it does not. */
export function has(key) {
  return key in STRINGS[current];
}

/**
 * The string for `key` in the current language, with `{name}` placeholders filled. A value
 * that is an object picks its form by the plural rules: {one: "...", other: "..."} with the
 * number in `params.count`. A list (paragraphs of a page) comes back as it is.
 */
export function t(key, params = {}) {
  let text = STRINGS[current][key] ?? STRINGS.fr[key] ?? key;
  if (Array.isArray(text)) return text; // paragraphs, shown as they are
  if (typeof text === "object") {
    const form = new Intl.PluralRules(locale()).select(Number(params.count ?? 0));
    text = text[form] ?? text.other;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? `{${name}}`));
}

/** A value from the API (an enum) in words, or the value itself when the dictionary lacks it. */
export function label(prefix, value) {
  const key = `${prefix}.${value}`;
  return key in STRINGS[current] ? STRINGS[current][key] : value;
}

export function locale() {
  return current === "fr" ? "fr-CA" : "en-CA";
}

/** Dates from the API (YYYY-MM-DD) in the current language, without time-zone shifts. */
export function formatDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.toLocaleDateString(locale(), { dateStyle: "long", timeZone: "UTC" });
}

/** An instant from the API (ISO 8601 with offset), in the member's own time zone. */
export function formatDateTime(isoInstant) {
  return new Date(isoInstant).toLocaleString(locale(), {
    dateStyle: "long",
    timeStyle: "short",
  });
}

export function formatMoney(cents) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency: "CAD" }).format(
    cents / 100,
  );
}

/** "dans 1 seconde", "dans 15 minutes", "in 1 hour": a wait as a member reads it. */
export function inWords(seconds) {
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: "always" });
  if (seconds >= 3600) return format.format(Math.ceil(seconds / 3600), "hour");
  if (seconds >= 60) return format.format(Math.ceil(seconds / 60), "minute");
  return format.format(Math.max(1, Math.ceil(seconds)), "second");
}

/** The month names, for the month list of date fields. */
export function monthNames() {
  const format = new Intl.DateTimeFormat(locale(), { month: "long", timeZone: "UTC" });
  return Array.from({ length: 12 }, (_, index) => format.format(new Date(Date.UTC(2000, index, 1))));
}

/** Fills every element marked `data-t="key"` (text) or `data-t-aria-label="key"`. */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-t]")) {
    element.textContent = t(element.dataset.t);
  }
  for (const element of root.querySelectorAll("[data-t-aria-label]")) {
    element.setAttribute("aria-label", t(element.dataset.tAriaLabel));
  }
  for (const element of root.querySelectorAll("[data-lang-switch]")) {
    element.lang = otherLanguage(); // its label is in the language it offers
  }
  if (root === document) {
    document.documentElement.lang = current;
  }
}
