/* briefing-relay: the pages' language (no DOM access, so that session
 * modules may use it; page-language.js applies it to a document). Every
 * user-visible string comes from
 * a catalogue (texts-*.js: each entry has a Thai and an English form, and a
 * test checks that none lacks one); a page shows one language at a time, the
 * one the user chose with the switch in its masthead (remembered in
 * localStorage, Thai by default, since the offices work in Thai).
 *
 * Static markup names its text with attributes, which page-language.js
 * fills:
 *   data-text="key"              the element's text
 *   data-text-placeholder="key"  its placeholder
 *   data-text-title="key"        its title (tooltip)
 *   data-text-label="key"        its aria-label
 *   data-language-neutral        text that reads the same in both
 *                                languages (a province code, "CSV"): no key
 * Dynamic text calls text(key, ...args). A change of language re-applies the
 * static texts and fires 'languagechange' on window, so a page re-renders
 * what it drew itself.
 *
 * Dates: dd/mm/yyyy in both languages, the year in the Buddhist era (พ.ศ.)
 * in Thai; the API and CSV keep ISO 8601. Runs on the page's main thread;
 * no state beyond the catalogue and the current language. */

import { storageGet, storageSet } from './local-storage.js';

export const LANGUAGES = Object.freeze(['th', 'en']);
const LANGUAGE_KEY = 'briefing.language';
const BUDDHIST_ERA_OFFSET = 543;

const catalogue = new Map();
let language = LANGUAGES.includes(storageGet(LANGUAGE_KEY)) ? storageGet(LANGUAGE_KEY) : 'th';

/* Adds a catalogue part: { key: { th, en } }, each form a string or a
 * function of the arguments. A key defined twice is a programming error. */
export function registerTexts(part) {
  for (const [key, entry] of Object.entries(part)) {
    if (catalogue.has(key)) {
      throw new Error('text defined twice: ' + key);
    }
    catalogue.set(key, entry);
  }
}

/* Every key and entry, for the completeness test. */
export function catalogueEntries() {
  return [...catalogue.entries()];
}

export function currentLanguage() {
  return language;
}

/* The text of a key in the current language. An unknown key shows as the
 * key itself in brackets, so a missing entry is visible, not blank. */
export function text(key, ...args) {
  const entry = catalogue.get(key);
  if (!entry) {
    return '[' + key + ']';
  }
  const form = entry[language] ?? entry.th;
  return typeof form === 'function' ? form(...args) : form;
}

/* Both forms of a key, for a place that must carry both (a document the
 * other side may read, such as an exported report's header). */
export function bothTexts(key, ...args) {
  const saved = language;
  try {
    return LANGUAGES.map((l) => { language = l; return text(key, ...args); });
  } finally {
    language = saved;
  }
}

/* Sets the language (remembered); false when it is not one we have or is
 * already the current one. The page's DOM part is page-language.js. */
export function setCurrentLanguage(next) {
  if (!LANGUAGES.includes(next) || next === language) {
    return false;
  }
  language = next;
  storageSet(LANGUAGE_KEY, next);
  return true;
}

function parseDate(value) {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const two = (n) => String(n).padStart(2, '0');

/* dd/mm/yyyy (พ.ศ. in Thai) in local time; '' for no or a bad date. A bare
 * ISO date ("2026-12-07") is that calendar day, not UTC midnight. */
export function formatDate(value) {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    return two(d) + '/' + two(m) + '/' + (language === 'th' ? y + BUDDHIST_ERA_OFFSET : y);
  }
  const d = parseDate(value);
  if (!d) {
    return '';
  }
  const year = d.getFullYear() + (language === 'th' ? BUDDHIST_ERA_OFFSET : 0);
  return two(d.getDate()) + '/' + two(d.getMonth() + 1) + '/' + year;
}

/* HH:MM (24-hour) local time, with :SS when seconds is set. */
export function formatTime(value, seconds = false) {
  const d = parseDate(value);
  if (!d) {
    return '';
  }
  return two(d.getHours()) + ':' + two(d.getMinutes()) + (seconds ? ':' + two(d.getSeconds()) : '');
}

/* The inverse of formatDate for what a user types: d/m/yyyy (also with
 * '-' or '.', and an ISO "yyyy-mm-dd" pasted in) -> "YYYY-MM-DD", or null
 * when it is not a calendar day. A year from 2400 is taken as พ.ศ.,
 * whatever the language: no day the relay serves is that far on, and an
 * office may type either era. */
export function parseDisplayDate(typed) {
  const s = String(typed ?? '').trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  let [y, mo, d] = m ? [m[1], m[2], m[3]].map(Number) : [0, 0, 0];
  if (!m) {
    m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
    if (!m) {
      return null;
    }
    [d, mo, y] = [m[1], m[2], m[3]].map(Number);
  }
  if (y >= 2400) {
    y -= BUDDHIST_ERA_OFFSET;
  }
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    return null;
  }
  return String(y).padStart(4, '0') + '-' + two(mo) + '-' + two(d);
}

export function formatDateTime(value) {
  const date = formatDate(value);
  return date ? date + ' ' + formatTime(value) : '';
}

/* A duration as m:ss (h:mm:ss past an hour), for turn clocks. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? h + ':' + two(m) + ':' + two(s) : m + ':' + two(s);
}

/* Of a name or label that comes as data in both languages (a province's
 * name_th and name_en from the roster, a figure's label_th and label_en
 * from the schema), the one of the current language; the other when that
 * one is missing. */
export function localized(thai, english) {
  return (language === 'en' ? english || thai : thai || english) ?? '';
}

/* Thousands separators, the same in both languages (Thai uses Arabic
 * digits and commas in official figures). */
export function formatNumber(n) {
  return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : String(n ?? '');
}
