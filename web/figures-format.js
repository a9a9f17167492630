/* briefing-relay: how the figures read on the operations room's pages
 * (figures.html, review.html, briefing-report.html), in the page's
 * language: the regions' names, a field's label and unit, the overall
 * status words, and the numbers formatted alike. No DOM access; no state. */

import { text, localized } from './i18n.js';
import './texts-common.js';

/* The catalogue keys, spelt out so that the catalogue test finds each. */
const REGION_KEYS = {
  central: 'region.central',
  east: 'region.east',
  northeast: 'region.northeast',
  north: 'region.north',
  west: 'region.west',
  south: 'region.south',
};

const STATUS_KEYS = {
  normal: 'overall-status.normal',
  watch: 'overall-status.watch',
  urgent: 'overall-status.urgent',
};

/* The schema's units (config/relay.ini, `unit` of a [figure]) are English
 * words for what is counted; Thai counts complaints in เรื่อง and accidents
 * in ราย, so the map goes by what is counted, not word for word. A unit
 * the catalogue does not know (a site's own) shows as configured. */
const UNIT_KEYS = {
  persons: 'unit.persons',
  establishments: 'unit.establishments',
  complaints: 'unit.cases',
  cases: 'unit.incidents',
  '%': 'unit.percent',
};

export function regionName(region) {
  return Object.hasOwn(REGION_KEYS, region) ? text(REGION_KEYS[region]) : String(region ?? '');
}

export function unitText(unit) {
  if (!unit) return '';
  return Object.hasOwn(UNIT_KEYS, unit) ? text(UNIT_KEYS[unit]) : unit;
}

/* A schema field's label in the current language (the schema has both). */
export function fieldLabel(field) {
  return localized(field.label_th, field.label_en) || field.name;
}

/* A province of the roster as "TH-50 เชียงใหม่" / "TH-50 Chiang Mai". */
export function provinceName(p) {
  const name = localized(p.name_th, p.name_en);
  return name ? `${p.code} ${name}` : p.code;
}

function statusText(field, v) {
  return field.name === 'overall_status' && Object.hasOwn(STATUS_KEYS, v) ? text(STATUS_KEYS[v]) : String(v);
}

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/* One province's value of a schema field ('' when not given). */
export function formatValue(field, v) {
  if (v === undefined || v === null) return '';
  switch (field.type) {
    case 'integer': return typeof v === 'number' ? intFormat.format(v) : String(v);
    case 'decimal':
    case 'percent': return typeof v === 'number' ? decFormat.format(v) : String(v);
    case 'enum': return statusText(field, v);
    default: return String(v);
  }
}

/* A total of a field (sum, average, or the count per enum value). */
export function formatTotal(field, v) {
  if (v === undefined || v === null) return field.type === 'text' ? '' : '–';
  if (field.type === 'enum' && typeof v === 'object') {
    return Object.entries(v).map(([k, n]) => `${statusText(field, k)} ${n}`).join(' · ');
  }
  return formatValue(field, v);
}

/* Regions in the order the list first names them, the list's order within. */
export function groupByRegion(list) {
  const groups = new Map();
  for (const p of list) {
    if (!groups.has(p.region)) groups.set(p.region, []);
    groups.get(p.region).push(p);
  }
  return groups;
}
