/* briefing-relay: the operations room's figures table. One row per roster
 * province (grouped by region, roster order), one column per schema field
 * (GET /api/v1/figures/schema), the day's latest version of each province
 * from GET /api/v1/figures?date= (viewer token: chair, minister or viewer),
 * a total row per region and the national total, the provinces still
 * missing required figures highlighted and listed. Live: each "figures"
 * event on /api/v1/events updates its row at once, then the day is
 * re-read for the totals (at most one request in flight). CSV: the same
 * day from /api/v1/figures.csv, fetched with the token.
 *
 * Every text in the page's language (texts-figures.js); a change of
 * language redraws the table from what it shows.
 *
 * Test hook: window.briefingFigures.state() -> {date, loaded, reporting,
 * missing: [codes], rows: {code: {version, values}}, totals, events}. */

import { storageGet, storageSet } from './local-storage.js';
import {
  regionName, unitText, fieldLabel, provinceName, formatValue, formatTotal,
} from './figures-format.js';
import { requestErrorText } from './briefing-format.js';
import { text, formatDate, localized } from './i18n.js';
import { DateField } from './date-field.js';
import { startPageTexts } from './page-language.js';
import './texts-figures.js';

// Module scripts run after parsing: the static texts can be filled now.
startPageTexts();

const TOKEN_KEY = 'briefing.chair-token';
const REFRESH_DELAY_MS = 150;
const RECONNECT_MS = 2000;

const els = {
  form: document.getElementById('token-form'),
  token: document.getElementById('token'),
  date: document.getElementById('date'),
  csv: document.getElementById('csv'),
  state: document.getElementById('state'),
  stateText: document.getElementById('state-text'),
  summary: document.getElementById('summary'),
  error: document.getElementById('error'),
  missingCount: document.getElementById('missing-count'),
  missingList: document.getElementById('missing-list'),
  head: document.getElementById('figures-head'),
  body: document.getElementById('figures-body'),
  foot: document.getElementById('figures-foot'),
};

let schema = null;        // {fields: [...]}
let roster = [];          // [{code, name_th, name_en, region}] in display order
const rows = new Map();   // code -> {tr, cells: Map(name -> td), version, time}
const totalRows = new Map(); // region or 'national' -> {tr, cells, reporting}
let shown = null;         // the last summary rendered
let loaded = false;
const liveVersions = new Map(); // code -> version seen in an event for the shown date
let eventsSeen = 0;
let wsOpen = false;
let refreshTimer = null;
let inFlight = false;
let again = false;
let stateText = () => '';  // the state line, as a function of the language
const day = new DateField(els.date);

/* A locale-independent YYYY-MM-DD of today in Bangkok (the relay's day). */
function bangkokToday() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Bangkok', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

/* The error line: words () => its text ('' with null). The relay's own
 * reason is English, for the log: the console has it. */
let errorText = () => '';
function showError(words, detail) {
  errorText = words || (() => '');
  els.error.textContent = errorText();
  if (detail) console.warn('briefing-relay:', detail);
}

/* The state line; words: () => its text, called again at a change of
 * language. */
function setState(state, words) {
  stateText = words;
  els.state.dataset.state = state;
  els.stateText.textContent = words();
}

function headers() {
  return { Authorization: 'Bearer ' + els.token.value.trim() };
}

function apiUrl(path) {
  return new URL(path, document.baseURI);
}

function csvUrl() {
  return apiUrl('api/v1/figures.csv?date=' + encodeURIComponent(day.iso));
}

/* ------------------------------------------------------------ the table */

function cell(tag, text, className) {
  const c = document.createElement(tag);
  if (text !== undefined) c.textContent = text;
  if (className) c.className = className;
  return c;
}

function buildHead() {
  const tr = document.createElement('tr');
  tr.append(cell('th', text('figures.col-province'), 'col-province'));
  for (const f of schema.fields) {
    const th = cell('th');
    th.dataset.field = f.name;
    th.append(cell('span', fieldLabel(f), 'label'));
    if (f.unit) th.append(document.createElement('br'), cell('span', `(${unitText(f.unit)})`, 'unit'));
    if (f.required) {
      th.classList.add('required');
      th.title = text('figures.required');
    }
    tr.append(th);
  }
  tr.append(cell('th', text('figures.col-version')), cell('th', text('figures.col-received')));
  for (const th of tr.children) th.scope = 'col';
  els.head.replaceChildren(tr);
}

function makeRow(kind, key, label) {
  const tr = document.createElement('tr');
  tr.className = kind;
  tr.dataset[kind === 'province' ? 'code' : 'total'] = key;
  const name = cell('th', label(), 'col-province');
  name.scope = 'row';
  tr.append(name);
  const cells = new Map();
  for (const f of schema.fields) {
    const td = cell('td', '', `t-${f.type}`);
    td.dataset.field = f.name;
    cells.set(f.name, td);
    tr.append(td);
  }
  const version = cell('td', '', 'col-version');
  const time = cell('td', '', 'col-time');
  tr.append(version, time);
  /* label: () => the row's name, drawn again at a change of language;
   * shown: what the row shows, to draw it again. */
  return { tr, name, label, cells, version, time, shown: null };
}

function buildBody() {
  const byRegion = new Map();
  for (const p of roster) {
    if (!byRegion.has(p.region)) byRegion.set(p.region, []);
    byRegion.get(p.region).push(p);
  }
  rows.clear();
  totalRows.clear();
  const frag = document.createDocumentFragment();
  for (const [region, members] of byRegion) {
    for (const p of members) {
      const row = makeRow('province', p.code, () => provinceName(p));
      row.tr.dataset.region = region;
      rows.set(p.code, row);
      frag.append(row.tr);
    }
    const total = makeRow('region-total', region, () => text('total.region', regionName(region)));
    totalRows.set(region, total);
    frag.append(total.tr);
  }
  els.body.replaceChildren(frag);
  const national = makeRow('national-total', 'national', () => text('total.national'));
  totalRows.set('national', national);
  els.foot.replaceChildren(national.tr);
}

const CHANNEL_KEYS = { https: 'figures.channel-https', 'data-channel': 'figures.channel-data-channel' };

function fillProvince(row, entry, missingFields, reported) {
  row.shown = [entry, missingFields, reported];
  /* Figures the office confirmed despite a plausibility warning: marked,
   * the warning in the cell's title (the relay words it in both
   * languages). */
  const warned = new Map();
  for (const w of entry?.warnings || []) {
    const name = w.field?.startsWith('values.') ? w.field.slice(7) : null;
    if (name) warned.set(name, [...(warned.get(name) || []), `⚠ ${localized(w.reason_th, w.reason)}`]);
  }
  for (const f of schema.fields) {
    const td = row.cells.get(f.name);
    const v = entry ? entry.values?.[f.name] : undefined;
    td.textContent = formatValue(f, v);
    if (warned.has(f.name)) td.title = warned.get(f.name).join('\n');
    else if (f.type === 'text' && v) td.title = v;
    else td.removeAttribute('title');
    if (f.type === 'enum') td.dataset.value = v ?? '';
    td.classList.toggle('cell-missing', reported && missingFields.includes(f.name));
    td.classList.toggle('cell-warned', warned.has(f.name));
  }
  row.tr.dataset.warnings = (entry?.warnings || []).map((w) => w.code).join(' ');
  row.version.textContent = entry ? String(entry.version) : '';
  row.time.textContent = entry && entry.time ? timeFormat.format(new Date(entry.time)) : '';
  row.time.title = entry && Object.hasOwn(CHANNEL_KEYS, entry.channel) ? text(CHANNEL_KEYS[entry.channel]) : '';
  row.tr.classList.toggle('row-missing', !reported);
  row.tr.classList.toggle('row-incomplete', reported && missingFields.length > 0);
  row.tr.dataset.version = entry ? String(entry.version) : '';
}

function fillTotal(row, total) {
  row.shown = [total];
  for (const f of schema.fields) {
    row.cells.get(f.name).textContent = total ? formatTotal(f, total.values?.[f.name]) : '';
  }
  row.version.textContent = total ? `${total.reporting}` : '0';
  row.version.title = text('figures.reporting');
  row.tr.dataset.reporting = total ? String(total.reporting) : '0';
}

function render(summary) {
  const latest = new Map((summary.provinces || []).map((p) => [p.code, p]));
  const missing = new Map((summary.missing || []).map((m) => [m.code, m]));
  for (const [code, row] of rows) {
    const p = latest.get(code);
    const live = liveVersions.get(code);
    if (live && (!p || p.version < live)) continue; // an event newer than this read: keep it
    const m = missing.get(code);
    const entry = p ? {
      version: p.version, values: p.values, time: p.received_at, channel: p.channel, warnings: p.warnings,
    } : null;
    fillProvince(row, entry, m ? m.fields || [] : [], Boolean(p) || (m ? m.reported : false));
  }
  for (const [key, row] of totalRows) {
    fillTotal(row, key === 'national' ? summary.totals?.national : summary.totals?.regions?.[key]);
  }
  shown = summary;
  renderMissing(summary);
}

/* The list of provinces missing figures, and the summary line. */
function renderMissing(summary) {
  const missing = new Map((summary.missing || []).map((m) => [m.code, m]));
  els.missingCount.textContent = String(missing.size);
  const items = [];
  for (const p of roster) {
    const m = missing.get(p.code);
    if (!m) continue;
    const li = cell('li', provinceName(p));
    li.dataset.code = p.code;
    li.title = m.reported ? text('figures.lacks', fieldNames(m.fields)) : text('figures.not-reported');
    if (m.reported) li.className = 'incomplete';
    items.push(li);
  }
  els.missingList.replaceChildren(...items);
  const reporting = summary.totals?.national?.reporting ?? (summary.provinces || []).length;
  els.summary.textContent = text('figures.summary-line', formatDate(summary.date), reporting, roster.length,
    roster.length - missing.size);
}

/* The schema's labels of fields named by the relay. */
function fieldNames(names) {
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  return (names || []).map((n) => (byName.has(n) ? fieldLabel(byName.get(n)) : n)).join(', ');
}

/* A change of language: everything drawn here again, from what it shows. */
function redraw() {
  els.stateText.textContent = stateText();
  els.error.textContent = errorText();
  if (!schema) return;
  buildHead();
  for (const row of [...rows.values(), ...totalRows.values()]) {
    row.name.textContent = row.label();
    if (row.shown) {
      if (row.tr.dataset.code) fillProvince(row, ...row.shown);
      else fillTotal(row, ...row.shown);
    }
  }
  if (shown) {
    renderMissing(shown);
  }
}

/* An accepted submission, before the day is re-read: its row at once. */
function applyEvent(e) {
  const row = rows.get(e.province);
  if (!row || !schema) return;
  const known = liveVersions.get(e.province) || 0;
  if (e.version < known) return;
  liveVersions.set(e.province, e.version);
  const required = schema.fields.filter((f) => f.required && (e.values?.[f.name] ?? null) === null)
    .map((f) => f.name);
  fillProvince(row, {
    version: e.version, values: e.values, time: e.time, channel: e.channel, warnings: e.warnings,
  }, required, true);
  row.tr.classList.remove('flash');
  void row.tr.offsetWidth; // restart the highlight animation
  row.tr.classList.add('flash');
}

/* ------------------------------------------------------------- loading */

async function loadRoster() {
  const [s, p] = await Promise.all([
    fetch(apiUrl('api/v1/figures/schema'), { cache: 'no-store' }),
    fetch(apiUrl('api/v1/provinces'), { cache: 'no-store' }),
  ]);
  if (!s.ok || !p.ok) throw new Error(`HTTP ${s.ok ? p.status : s.status}`);
  schema = await s.json();
  const list = (await p.json()).provinces || [];
  /* Regions in the order the roster first names them, roster order within. */
  const order = [];
  for (const q of list) if (!order.includes(q.region)) order.push(q.region);
  roster = order.flatMap((r) => list.filter((q) => q.region === r));
  buildHead();
  buildBody();
}

async function refresh() {
  if (refreshTimer) {
    clearTimeout(refreshTimer);
    refreshTimer = null;
  }
  if (inFlight) {
    again = true;
    return;
  }
  if (!els.token.value.trim()) {
    setState('error', () => text('session.input-token'));
    return;
  }
  if (!day.iso) day.iso = bangkokToday();
  inFlight = true;
  const date = day.iso;
  try {
    if (!schema) await loadRoster();
    const res = await fetch(apiUrl('api/v1/figures?date=' + encodeURIComponent(date)),
      { headers: headers(), cache: 'no-store' });
    let body = null;
    try { body = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) {
      showError(() => requestErrorText({ status: res.status }), body?.reason);
      setState('error', () => text('request.failed'));
      return;
    }
    if (date !== day.iso) return; // the day changed meanwhile
    showError(null);
    storageSet(TOKEN_KEY, els.token.value.trim());
    render(body);
    loaded = true;
    const time = timeFormat.format(new Date());
    setState(wsOpen ? 'live' : 'reconnecting',
      wsOpen ? () => text('figures.live', time) : () => text('session.reconnecting'));
  } catch (e) {
    showError(() => requestErrorText(e), e.message);
    setState('error', () => text('request.failed'));
  } finally {
    inFlight = false;
    if (again) {
      again = false;
      scheduleRefresh();
    }
  }
}

function scheduleRefresh(delay = REFRESH_DELAY_MS) {
  if (!refreshTimer) refreshTimer = window.setTimeout(refresh, delay);
}

function changeDate() {
  liveVersions.clear();
  els.csv.href = csvUrl().href;
  refresh();
}

/* -------------------------------------------------------------- events */

function listenEvents() {
  const url = apiUrl('api/v1/events');
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = els.token.value.trim();
  if (!token) {
    // The relay sends nothing without a token: wait for one.
    window.setTimeout(listenEvents, RECONNECT_MS);
    return;
  }
  const ws = new WebSocket(url);
  // A browser cannot set a WebSocket's headers: the token is the first message.
  ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
  ws.onmessage = (ev) => {
    let e;
    try { e = JSON.parse(ev.data); } catch (err) { return; }
    if (e.type === 'hello') {
      wsOpen = true;
      if (els.token.value.trim()) refresh(); // anything missed while away
    } else if (e.type === 'figures' && e.date === day.iso) {
      eventsSeen++;
      if (loaded) applyEvent(e);
      scheduleRefresh();
    }
  };
  ws.onclose = () => {
    wsOpen = false;
    if (loaded) setState('reconnecting', () => text('session.reconnecting'));
    window.setTimeout(listenEvents, RECONNECT_MS);
  };
}

/* ---------------------------------------------------------------- CSV */

async function downloadCsv(ev) {
  ev.preventDefault();
  try {
    const res = await fetch(csvUrl(), { headers: headers(), cache: 'no-store' });
    if (!res.ok) {
      showError(() => text('figures.csv-failed', requestErrorText({ status: res.status })));
      return;
    }
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `figures-${day.iso}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (e) {
    showError(() => text('figures.csv-failed', requestErrorText(e)), e.message);
  }
}

/* --------------------------------------------------------------- start */

const params = new URLSearchParams(window.location.search);
// Typed once and remembered: a token never travels in a URL (docs/API.md).
els.token.value = storageGet(TOKEN_KEY) || '';
day.iso = params.get('date') || bangkokToday();
els.csv.href = csvUrl().href;
els.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (day.check()) changeDate();
});
day.addEventListener('change', changeDate);
els.csv.addEventListener('click', downloadCsv);
window.addEventListener('languagechange', redraw);

window.briefingFigures = {
  state() {
    const out = {};
    for (const [code, row] of rows) {
      if (row.tr.dataset.version) {
        const values = {};
        for (const [name, td] of row.cells) values[name] = td.textContent;
        out[code] = { version: Number(row.tr.dataset.version), values };
      }
    }
    return {
      date: day.iso,
      loaded,
      live: wsOpen,
      reporting: shown?.totals?.national?.reporting ?? 0,
      missing: (shown?.missing || []).map((m) => m.code),
      totals: shown?.totals ?? null,
      rows: out,
      events: eventsSeen,
    };
  },
  refresh,
};

listenEvents();
if (els.token.value) refresh();
else setState('idle', () => text('session.input-token'));
