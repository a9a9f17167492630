/* briefing-relay: the plausibility of a province's figures, evaluated in the
 * page as the office types, from GET /api/v1/figures/schema: each field's
 * soft bounds (warn_min, warn_max) and the rules across fields (their terms,
 * as the relay parsed them). The same codes and texts as the relay's
 * (relay/figures/figures-plausibility.c), which decides in the end: this is
 * the early word, the relay's reply the last. No DOM. The reasons come in
 * both languages, as the relay's do (reason, reason_th), from the
 * catalogue (texts-province.js).
 */

import { bothTexts } from './i18n.js';
import './texts-province.js';

/* A figure as the relay writes it: whole numbers plain, others with at most
 * ten significant digits. */
function formatNumber(v) {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(10)));
}

function withUnit(v, unit) {
  return unit ? `${formatNumber(v)} ${unit}` : formatNumber(v);
}

function boundWarnings(field, v) {
  const out = [];
  const value = withUnit(v, field.unit);
  if (field.warn_min !== undefined && v < field.warn_min) {
    const [th, en] = bothTexts('province.plausibility-low', value, withUnit(field.warn_min, field.unit));
    out.push({ code: `${field.name}.warn-min`, field: `values.${field.name}`, reason: en, reason_th: th });
  }
  if (field.warn_max !== undefined && v > field.warn_max) {
    const [th, en] = bothTexts('province.plausibility-high', value, withUnit(field.warn_max, field.unit));
    out.push({ code: `${field.name}.warn-max`, field: `values.${field.name}`, reason: en, reason_th: th });
  }
  return out;
}

/* The sum of a side, or null when one of its figures was not given. */
function sideSum(terms, values) {
  let sum = 0;
  for (const t of terms) {
    if (t.field === undefined) {
      sum += t.factor;
    } else if (typeof values[t.field] === 'number') {
      sum += t.factor * values[t.field];
    } else {
      return null;
    }
  }
  return sum;
}

const HOLDS = {
  '<=': (d) => d <= 0,
  '<': (d) => d < 0,
  '>=': (d) => d >= 0,
  '>': (d) => d > 0,
  '==': (d) => d === 0,
  '!=': (d) => d !== 0,
};

/* null: holds or not checked; else {left, right}. */
function broken(rule, values) {
  const left = sideSum(rule.left, values);
  const right = sideSum(rule.right, values);
  if (left === null || right === null) return null;
  let diff = left - right;
  /* As the relay: decimals added up are equal within their last digits. */
  if (Math.abs(diff) <= 1e-9 * Math.max(1, Math.abs(left), Math.abs(right))) diff = 0;
  const holds = HOLDS[rule.op];
  return holds && holds(diff) ? null : { left, right };
}

/* {warnings, errors}, each [{code, field: 'values.<name>', reason, reason_th}],
 * for `values` (numbers where the office gave valid ones). */
export function checkPlausibility(schema, values) {
  const warnings = [];
  const errors = [];
  for (const f of schema.fields) {
    if (typeof values[f.name] === 'number') warnings.push(...boundWarnings(f, values[f.name]));
  }
  for (const rule of schema.rules || []) {
    const b = broken(rule, values);
    if (!b) continue;
    const relation = b.left > b.right ? '>' : b.left < b.right ? '<' : '=';
    const how = ` (${formatNumber(b.left)} ${relation} ${formatNumber(b.right)})`;
    (rule.severity === 'error' ? errors : warnings).push({
      code: rule.name,
      field: `values.${rule.field}`,
      reason: rule.message_en + how,
      reason_th: rule.message_th + how,
    });
  }
  return { warnings, errors };
}
