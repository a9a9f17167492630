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
 * Test hook: window.briefingFigures.state() -> {date, loaded, reporting,
 * missing: [codes], rows: {code: {version, values}}, totals, events}. */

import { storageGet, storageSet } from './local-storage.js';
import { REGIONS, formatValue, formatTotal } from './figures-format.js';
import { startPageTexts } from './page-language.js';

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

/* A locale-independent YYYY-MM-DD of today in Bangkok (the relay's day). */
function bangkokToday() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Bangkok', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

function setState(state, text) {
  els.state.dataset.state = state;
  els.stateText.textContent = text;
}

function headers() {
  return { Authorization: 'Bearer ' + els.token.value.trim() };
}

function apiUrl(path) {
  return new URL(path, document.baseURI);
}

function csvUrl() {
  return apiUrl('api/v1/figures.csv?date=' + encodeURIComponent(els.date.value));
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
  tr.append(cell('th', 'จังหวัด / Province', 'col-province'));
  for (const f of schema.fields) {
    const th = cell('th');
    th.dataset.field = f.name;
    th.scope = 'col';
    th.append(cell('span', f.label_th, 'label-th'), document.createElement('br'),
      cell('span', f.label_en, 'label-en'));
    if (f.unit) th.append(document.createElement('br'), cell('span', `(${f.unit})`, 'unit'));
    if (f.required) {
      th.classList.add('required');
      th.title = 'ต้องรายงาน / Required';
    }
    tr.append(th);
  }
  tr.append(cell('th', 'ฉบับ / Version'), cell('th', 'เวลารับ / Received'));
  for (const th of tr.children) th.scope = 'col';
  els.head.replaceChildren(tr);
}

function makeRow(kind, key, label) {
  const tr = document.createElement('tr');
  tr.className = kind;
  tr.dataset[kind === 'province' ? 'code' : 'total'] = key;
  const name = cell('th', label, 'col-province');
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
  return { tr, cells, version, time };
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
      const row = makeRow('province', p.code, `${p.code} ${p.name_th} / ${p.name_en}`);
      row.tr.dataset.region = region;
      rows.set(p.code, row);
      frag.append(row.tr);
    }
    const total = makeRow('region-total', region, `รวม${REGIONS[region] || region}`);
    totalRows.set(region, total);
    frag.append(total.tr);
  }
  els.body.replaceChildren(frag);
  const national = makeRow('national-total', 'national', 'รวมทั้งประเทศ / National');
  totalRows.set('national', national);
  els.foot.replaceChildren(national.tr);
}

function fillProvince(row, entry, missingFields, reported) {
  /* Figures the office confirmed despite a plausibility warning: marked,
   * the warning in the cell's title. */
  const warned = new Map();
  for (const w of entry?.warnings || []) {
    const name = w.field?.startsWith('values.') ? w.field.slice(7) : null;
    if (name) warned.set(name, [...(warned.get(name) || []), `⚠ ${w.reason_th} / ${w.reason}`]);
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
  row.time.title = entry && entry.channel ? entry.channel : '';
  row.tr.classList.toggle('row-missing', !reported);
  row.tr.classList.toggle('row-incomplete', reported && missingFields.length > 0);
  row.tr.dataset.version = entry ? String(entry.version) : '';
}

function fillTotal(row, total) {
  for (const f of schema.fields) {
    row.cells.get(f.name).textContent = total ? formatTotal(f, total.values?.[f.name]) : '';
  }
  row.version.textContent = total ? `${total.reporting}` : '0';
  row.version.title = 'จังหวัดที่รายงาน / Provinces reporting';
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
  els.missingCount.textContent = String(missing.size);
  const items = [];
  for (const p of roster) {
    const m = missing.get(p.code);
    if (!m) continue;
    const li = cell('li', `${p.code} ${p.name_th}`);
    li.dataset.code = p.code;
    li.title = (m.reported ? 'ขาด / lacks: ' : 'ยังไม่รายงาน / not reported: ') + (m.fields || []).join(', ');
    if (m.reported) li.className = 'incomplete';
    items.push(li);
  }
  els.missingList.replaceChildren(...items);
  const reporting = summary.totals?.national?.reporting ?? latest.size;
  els.summary.textContent =
    `${summary.date}: รายงานแล้ว ${reporting}/${roster.length} จังหวัด, ครบ ${roster.length - missing.size} · ` +
    `${reporting} of ${roster.length} provinces reporting, ${roster.length - missing.size} complete`;
  shown = summary;
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
    setState('error', 'กรุณากรอกโทเค็น / Enter the chair token');
    return;
  }
  inFlight = true;
  const date = els.date.value;
  try {
    if (!schema) await loadRoster();
    const res = await fetch(apiUrl('api/v1/figures?date=' + encodeURIComponent(date)),
      { headers: headers(), cache: 'no-store' });
    let body = null;
    try { body = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) {
      const reason = body?.reason || `HTTP ${res.status}`;
      els.error.textContent = res.status === 401 || res.status === 403
        ? `โทเค็นใช้ไม่ได้ / Token refused: ${reason}` : reason;
      setState('error', 'โหลดไม่ได้ / Not loaded');
      return;
    }
    if (date !== els.date.value) return; // the day changed meanwhile
    els.error.textContent = '';
    storageSet(TOKEN_KEY, els.token.value.trim());
    render(body);
    loaded = true;
    setState(wsOpen ? 'live' : 'reconnecting',
      (wsOpen ? 'สด / Live' : 'กำลังเชื่อมต่อใหม่ / Reconnecting') +
      ` — ${timeFormat.format(new Date())}`);
  } catch (e) {
    els.error.textContent = `ติดต่อไม่ได้ / Unreachable: ${e.message}`;
    setState('error', 'โหลดไม่ได้ / Not loaded');
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
    } else if (e.type === 'figures' && e.date === els.date.value) {
      eventsSeen++;
      if (loaded) applyEvent(e);
      scheduleRefresh();
    }
  };
  ws.onclose = () => {
    wsOpen = false;
    if (loaded) setState('reconnecting', 'กำลังเชื่อมต่อใหม่ / Reconnecting');
    window.setTimeout(listenEvents, RECONNECT_MS);
  };
}

/* ---------------------------------------------------------------- CSV */

async function downloadCsv(ev) {
  ev.preventDefault();
  try {
    const res = await fetch(csvUrl(), { headers: headers(), cache: 'no-store' });
    if (!res.ok) {
      els.error.textContent = `CSV: HTTP ${res.status}`;
      return;
    }
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `figures-${els.date.value}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (e) {
    els.error.textContent = `CSV: ${e.message}`;
  }
}

/* --------------------------------------------------------------- start */

const params = new URLSearchParams(window.location.search);
// Typed once and remembered: a token never travels in a URL (docs/API.md).
els.token.value = storageGet(TOKEN_KEY) || '';
els.date.value = params.get('date') || bangkokToday();
els.csv.href = csvUrl().href;
els.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  changeDate();
});
els.date.addEventListener('change', changeDate);
els.csv.addEventListener('click', downloadCsv);

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
      date: els.date.value,
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
else setState('idle', 'กรุณากรอกโทเค็น / Enter the chair token');
