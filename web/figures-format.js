/* briefing-relay: how the figures read on the operations room's pages
 * (figures.html, review.html, briefing-report.html): the regions' names,
 * the overall status words, and the numbers formatted alike. No DOM
 * access. */

export const REGIONS = Object.freeze({
  central: 'ภาคกลาง / Central',
  east: 'ภาคตะวันออก / East',
  northeast: 'ภาคตะวันออกเฉียงเหนือ / Northeast',
  north: 'ภาคเหนือ / North',
  west: 'ภาคตะวันตก / West',
  south: 'ภาคใต้ / South',
});

export const STATUS_TEXT = Object.freeze({
  normal: 'ปกติ / normal', watch: 'เฝ้าระวัง / watch', urgent: 'เร่งด่วน / urgent',
});

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/* One province's value of a schema field ('' when not given). */
export function formatValue(field, v) {
  if (v === undefined || v === null) return '';
  switch (field.type) {
    case 'integer': return typeof v === 'number' ? intFormat.format(v) : String(v);
    case 'decimal':
    case 'percent': return typeof v === 'number' ? decFormat.format(v) : String(v);
    case 'enum': return STATUS_TEXT[v] && field.name === 'overall_status' ? STATUS_TEXT[v] : String(v);
    default: return String(v);
  }
}

/* A total of a field (sum, average, or the count per enum value). */
export function formatTotal(field, v) {
  if (v === undefined || v === null) return field.type === 'text' ? '' : '–';
  if (field.type === 'enum' && typeof v === 'object') {
    return Object.entries(v).map(([k, n]) => `${k} ${n}`).join(' · ');
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
