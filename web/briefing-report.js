/* briefing-relay: the printable report of one briefing
 * (briefing-report.html?id=N): its facts, the roll call, the turns with
 * their durations, and the figures of every office as reported by the
 * briefing's end with the regional and national totals (the detail's
 * `figures`, as GET /api/v1/figures adds them up). A token of the chair,
 * the minister or a viewer (remembered by the other operations pages).
 *
 * Test hook: window.briefingReport.state(). */

import { BriefingApi, ApiError } from './briefing-api.js';
import {
  BRIEFING_STATE_TEXT, ATTENDANCE_TEXT, END_REASON_TEXT, bangkokTime, clockText, officeLabel,
} from './briefing-format.js';
import { REGIONS, formatValue, formatTotal, groupByRegion } from './figures-format.js';
import { storageGet, storageSet } from './local-storage.js';
import { startPageTexts } from './page-language.js';

// Module scripts run after parsing: the static texts can be filled now.
startPageTexts();

const TOKEN_KEY = 'briefing.chair-token';

const els = {
  form: document.getElementById('token-form'),
  token: document.getElementById('token'),
  print: document.getElementById('print'),
  error: document.getElementById('error'),
  title: document.getElementById('report-title'),
  facts: document.getElementById('report-facts'),
  attendanceCounts: document.getElementById('attendance-counts'),
  attendance: document.getElementById('attendance-body'),
  turns: document.getElementById('turns-body'),
  turnsFoot: document.getElementById('turns-foot'),
  figuresHead: document.getElementById('figures-head'),
  figures: document.getElementById('figures-body'),
  figuresFoot: document.getElementById('figures-foot'),
};

const params = new URLSearchParams(window.location.search);
const id = params.get('id');
const api = new BriefingApi(document.baseURI, () => els.token.value.trim());
let loaded = null;

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function row(cells, className) {
  const tr = el('tr', null, className);
  for (const c of cells) {
    tr.append(c instanceof Node ? c : el('td', c));
  }
  return tr;
}

function num(text) {
  return el('td', text, 'num');
}

/* ------------------------------------------------------------ sections */

function renderFacts(d) {
  const c = d.counts || {};
  els.title.textContent = d.title;
  document.title = `${d.title} ${d.date} — รายงาน / report`;
  const facts = [
    ['วันที่ / Date', d.date],
    ['สถานะ / State', BRIEFING_STATE_TEXT[d.state] || d.state],
    ['เวลา / Time', `${bangkokTime(d.started_at)} – ${d.ended_at ? bangkokTime(d.ended_at) : '…'} (เวลาไทย / Bangkok)`],
    ['ความยาว / Length', clockText((d.duration_s || 0) * 1000)],
    ['เข้าร่วม / Attended', `${(c.present || 0) + (c.late || 0)}/${c.expected} ` +
      `(มาสาย / late ${c.late}, ขาด / absent ${c.absent})`],
    ['ผู้พูด / Turns', String((d.turns || []).length)],
  ];
  els.facts.replaceChildren(...facts.flatMap(([k, v]) => [el('dt', k), el('dd', v)]));
  els.attendanceCounts.textContent = `${(c.present || 0) + (c.late || 0)}/${c.expected}`;
}

function renderAttendance(d) {
  els.attendance.replaceChildren(...(d.attendance || []).map((a) => {
    const tr = row([officeLabel(a), REGIONS[a.region] || a.region || '',
      ATTENDANCE_TEXT[a.status] || a.status, a.first_joined_at ? bangkokTime(a.first_joined_at) : '–',
      num(((a.present_s || 0) / 60).toFixed(1))]);
    tr.dataset.office = a.office;
    tr.dataset.status = a.status;
    return tr;
  }));
}

function renderTurns(d) {
  let total = 0;
  els.turns.replaceChildren(...(d.turns || []).map((t, i) => {
    total += t.duration_ms || 0;
    const note = [t.overtime ? 'เกินเวลา / overtime' : '',
      t.end_reason ? END_REASON_TEXT[t.end_reason] || t.end_reason : ''].filter(Boolean).join(' · ');
    const tr = row([num(String(i + 1)), officeLabel(t), bangkokTime(t.started_at),
      t.ended_at ? bangkokTime(t.ended_at) : '…', num(clockText(t.duration_ms)),
      num(t.time_limit_s ? clockText(t.time_limit_s * 1000) : '–'), note]);
    tr.dataset.office = t.office;
    tr.classList.toggle('overtime', Boolean(t.overtime));
    return tr;
  }));
  const sum = el('td', 'รวม / Total');
  sum.colSpan = 4;
  els.turnsFoot.replaceChildren(row([sum, num(clockText(total)), el('td'), el('td')]));
}

/* Every roster office (the roll call's order, grouped by region) with its
 * figures, a total row per region and the national total. */
function renderFigures(d, schema) {
  const fields = (schema.fields || []).filter((f) => f.type !== 'text');
  const head = row([el('th', 'จังหวัด / Office')]);
  for (const f of fields) {
    const th = el('th');
    th.append(el('span', f.label_th), el('br'), el('span', f.label_en, 'label-en'));
    th.dataset.field = f.name;
    head.append(th);
  }
  els.figuresHead.replaceChildren(head);
  const summary = d.figures || {};
  const byCode = new Map((summary.provinces || []).map((p) => [p.code, p]));
  const totals = summary.totals || {};
  const out = [];
  for (const [region, offices] of groupByRegion(d.attendance || [])) {
    for (const a of offices) {
      const p = byCode.get(a.office);
      const tr = row([el('th', officeLabel(a))], p ? 'province' : 'province missing');
      for (const f of fields) tr.append(num(p ? formatValue(f, p.values?.[f.name]) : ''));
      tr.dataset.office = a.office;
      out.push(tr);
    }
    out.push(totalRow(`รวม${REGIONS[region] || region}`, totals.regions?.[region], fields, 'region-total',
      region));
  }
  els.figures.replaceChildren(...out);
  els.figuresFoot.replaceChildren(totalRow('รวมทั้งประเทศ / National', totals.national, fields,
    'national-total', 'national'));
}

function totalRow(label, total, fields, className, key) {
  const tr = row([el('th', `${label} (${total ? total.reporting : 0})`)], className);
  for (const f of fields) {
    const td = num(total ? formatTotal(f, total.values?.[f.name]) : '–');
    td.dataset.field = f.name;
    tr.append(td);
  }
  tr.dataset.total = key;
  return tr;
}

/* ---------------------------------------------------------------- load */

async function load() {
  els.error.textContent = '';
  if (!id) {
    els.error.textContent = 'ต้องระบุ ?id= / The address needs ?id=<briefing>';
    return;
  }
  if (!els.token.value.trim()) {
    els.error.textContent = 'กรุณากรอกโทเค็น / Enter a token';
    els.token.focus();
    return;
  }
  try {
    const [d, schema] = await Promise.all([api.detail(id), api.schema()]);
    storageSet(TOKEN_KEY, els.token.value.trim());
    renderFacts(d);
    renderAttendance(d);
    renderTurns(d);
    renderFigures(d, schema);
    loaded = d;
    els.print.disabled = false;
  } catch (e) {
    els.error.textContent = e instanceof ApiError && (e.status === 401 || e.status === 403)
      ? `โทเค็นใช้ไม่ได้ / Token refused (${e.message})` : e.message;
  }
}

// Typed once and remembered: a token never travels in a URL (docs/API.md).
els.token.value = storageGet(TOKEN_KEY) || '';
els.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  load();
});
els.print.addEventListener('click', () => window.print());

window.briefingReport = {
  state: () => {
    const national = {};
    for (const td of els.figuresFoot.querySelectorAll('td[data-field]')) {
      national[td.dataset.field] = td.textContent;
    }
    return {
      loaded: Boolean(loaded),
      id: loaded ? loaded.id : null,
      attendance: els.attendance.children.length,
      turns: [...els.turns.children].map((tr) => tr.dataset.office),
      figures: els.figures.querySelectorAll('tr.province:not(.missing)').length,
      national,
      error: els.error.textContent,
    };
  },
};

if (els.token.value) {
  load();
}
