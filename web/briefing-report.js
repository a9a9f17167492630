/* briefing-relay: the printable report of one briefing
 * (briefing-report.html?id=N): its facts, the roll call, the turns with
 * their durations, and the figures of every office as reported by the
 * briefing's end with the regional and national totals (the detail's
 * `figures`, as GET /api/v1/figures adds them up). A token of the chair,
 * the minister or a viewer (remembered by the other operations pages).
 * Either side may read it: it is in the language chosen with the switch
 * (texts-report.js), drawn again at a change; dates dd/mm/yyyy (พ.ศ. in
 * Thai), times in Bangkok.
 *
 * Test hook: window.briefingReport.state(). */

import { BriefingApi } from './briefing-api.js';
import {
  briefingStateText, attendanceText, endReasonText, requestErrorText, bangkokTime, clockText, officeName,
} from './briefing-format.js';
import {
  regionName, fieldLabel, unitText, formatValue, formatTotal, groupByRegion,
} from './figures-format.js';
import { storageGet, storageSet } from './local-storage.js';
import { text, formatDate } from './i18n.js';
import { startPageTexts } from './page-language.js';
import './texts-report.js';

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
let schema = null;
let errorText = () => '';  // the error line, as a function of the language

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
  document.title = text('report.page-title', d.title, formatDate(d.date));
  const facts = [
    ['date', text('report.date'), formatDate(d.date)],
    ['state', text('report.state'), briefingStateText(d.state)],
    ['time', text('report.time'), text('report.time-span', bangkokTime(d.started_at),
      d.ended_at ? bangkokTime(d.ended_at) : '…')],
    ['length', text('report.length'), clockText((d.duration_s || 0) * 1000)],
    ['attended', text('report.attended'),
      text('report.attended-counts', (c.present || 0) + (c.late || 0), c.expected, c.late, c.absent)],
    ['turns', text('report.turn-count'), String((d.turns || []).length)],
  ];
  els.facts.replaceChildren(...facts.flatMap(([key, k, v]) => {
    const dd = el('dd', v);
    dd.dataset.fact = key;
    return [el('dt', k), dd];
  }));
  els.attendanceCounts.textContent = `${(c.present || 0) + (c.late || 0)}/${c.expected}`;
}

function renderAttendance(d) {
  els.attendance.replaceChildren(...(d.attendance || []).map((a) => {
    const tr = row([officeName(a), regionName(a.region),
      attendanceText(a.status), a.first_joined_at ? bangkokTime(a.first_joined_at) : '–',
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
    const note = [t.overtime ? text('turn.overtime') : '',
      t.end_reason ? endReasonText(t.end_reason) : ''].filter(Boolean).join(' · ');
    const tr = row([num(String(i + 1)), officeName(t), bangkokTime(t.started_at),
      t.ended_at ? bangkokTime(t.ended_at) : '…', num(clockText(t.duration_ms)),
      num(t.time_limit_s ? clockText(t.time_limit_s * 1000) : '–'), note]);
    tr.dataset.office = t.office;
    tr.classList.toggle('overtime', Boolean(t.overtime));
    return tr;
  }));
  const sum = el('td', text('report.total'));
  sum.colSpan = 4;
  els.turnsFoot.replaceChildren(row([sum, num(clockText(total)), el('td'), el('td')]));
}

/* Every roster office (the roll call's order, grouped by region) with its
 * figures, a total row per region and the national total. */
function renderFigures(d) {
  const fields = (schema.fields || []).filter((f) => f.type !== 'text');
  const head = row([el('th', text('report.col-office'))]);
  for (const f of fields) {
    const th = el('th');
    th.append(el('span', fieldLabel(f)));
    if (f.unit) th.append(el('br'), el('span', `(${unitText(f.unit)})`, 'unit'));
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
      const tr = row([el('th', officeName(a))], p ? 'province' : 'province missing');
      for (const f of fields) tr.append(num(p ? formatValue(f, p.values?.[f.name]) : ''));
      tr.dataset.office = a.office;
      out.push(tr);
    }
    out.push(totalRow(text('total.region', regionName(region)), totals.regions?.[region], fields,
      'region-total', region));
  }
  els.figures.replaceChildren(...out);
  els.figuresFoot.replaceChildren(totalRow(text('total.national'), totals.national, fields,
    'national-total', 'national'));
}

/* The whole report, from the briefing and the schema read. */
function render() {
  renderFacts(loaded);
  renderAttendance(loaded);
  renderTurns(loaded);
  renderFigures(loaded);
}

/* words: () => the error's text, called again at a change of language;
 * null clears it. The relay's own reason (English) goes to the console. */
function showError(words, detail) {
  errorText = words || (() => '');
  els.error.textContent = errorText();
  if (detail) console.warn('briefing-relay:', detail);
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
  showError(null);
  if (!id) {
    showError(() => text('report.no-id'));
    return;
  }
  if (!els.token.value.trim()) {
    showError(() => text('session.input-token'));
    els.token.focus();
    return;
  }
  try {
    const [d, s] = await Promise.all([api.detail(id), api.schema()]);
    storageSet(TOKEN_KEY, els.token.value.trim());
    loaded = d;
    schema = s;
    render();
    els.print.disabled = false;
  } catch (e) {
    showError(() => requestErrorText(e), e.message);
  }
}

/* A change of language: the report again, in the new one. */
window.addEventListener('languagechange', () => {
  els.error.textContent = errorText();
  if (loaded) render();
});

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
