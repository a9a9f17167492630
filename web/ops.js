/* briefing-relay: the operations room's console. Plays /whep/mosaic (with
 * the conference audio, minus the room itself: the chair's token makes the
 * relay treat this viewer as the central room), can publish the room's
 * camera to /whip/central, lists every participant with its state and
 * RFC 6464 audio level, and drives the floor, the mutes and the layout
 * through /api/v1/conference. Live updates come from the events WebSocket;
 * levels are polled. The briefing panel (start/end, roll call, agenda,
 * the turn's clock) is ops-briefing.js. */

import { WhepSession } from './view-session.js';
import { WhipSession } from './publish-session.js';
import { storageGet, storageSet } from './local-storage.js';
import { BriefingApi, EventFeed } from './briefing-api.js';
import { OpsBriefing } from './ops-briefing.js';
import { startPageTexts } from './page-language.js';
import './ops-phone-link.js'; // the chair's "link for a phone" ([data-phone-link])

// Module scripts run after parsing: the static texts can be filled now.
startPageTexts();

const TOKEN_KEY = 'briefing.chair-token';
const LEVEL_POLL_MS = 1000;

const els = {
  form: document.getElementById('token-form'),
  token: document.getElementById('token'),
  connect: document.getElementById('connect'),
  disconnect: document.getElementById('disconnect'),
  publish: document.getElementById('publish'),
  video: document.getElementById('mosaic'),
  state: document.getElementById('state'),
  stateText: document.getElementById('state-text'),
  info: document.getElementById('mosaic-info'),
  roster: document.getElementById('roster'),
  counts: document.getElementById('counts'),
  error: document.getElementById('control-error'),
  takeFloor: document.getElementById('take-floor'),
};

let conference = { floor: null, layout: 'mosaic', unmuted: ['central'] };
let speaker = null;
const rows = new Map();

const viewer = new WhepSession({
  baseUrl: document.baseURI,
  credentials: () => ({ province: 'mosaic', token: els.token.value.trim() }),
});
viewer.addEventListener('statechange', (ev) => {
  els.state.dataset.state = ev.detail.state;
  const err = ev.detail.info && ev.detail.info.error;
  els.stateText.textContent = ev.detail.state + (err ? ' — ' + err.message : '');
  els.connect.disabled = viewer.active;
  els.disconnect.disabled = !viewer.active;
  els.publish.disabled = !viewer.active;
});
viewer.addEventListener('stream', (ev) => { els.video.srcObject = ev.detail; });
viewer.addEventListener('accepted', (ev) => storageSet(TOKEN_KEY, ev.detail.token));

let publisher = null;
function togglePublish() {
  if (publisher && publisher.active) {
    publisher.stop();
    els.publish.textContent = 'ส่งภาพห้องประชุม / Send our camera';
    return;
  }
  publisher = new WhipSession({
    baseUrl: document.baseURI,
    getStream: () => navigator.mediaDevices.getUserMedia({
      audio: true, video: { width: 1280, height: 720, frameRate: 15 },
    }),
    credentials: () => ({ province: 'central', token: els.token.value.trim() }),
  });
  publisher.start();
  els.publish.textContent = 'หยุดส่งภาพ / Stop our camera';
}

function headers() {
  return { Authorization: 'Bearer ' + els.token.value.trim(), 'Content-Type': 'application/json' };
}

async function control(method, path, body) {
  els.error.textContent = '';
  const res = await fetch(new URL('api/v1/conference' + path, document.baseURI), {
    method, headers: headers(), body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    let reason = 'HTTP ' + res.status;
    try { reason = (await res.json()).reason || reason; } catch (e) { /* not JSON */ }
    els.error.textContent = reason;
    return;
  }
  applyConference(await res.json());
}

function applyConference(c) {
  if (c && typeof c === 'object') {
    conference = { floor: c.floor || null, layout: c.layout || 'mosaic', unmuted: c.unmuted || [] };
  }
  for (const [id, row] of rows) {
    const muted = !conference.unmuted.includes(id);
    row.mute.textContent = muted ? 'เปิด / Unmute' : 'ปิด / Mute';
    row.mute.dataset.muted = String(muted);
    row.tr.classList.toggle('floor', conference.floor === id);
    if (row.floor) {
      row.floor.disabled = conference.floor === id;
    }
  }
  for (const b of document.querySelectorAll('[data-layout]')) {
    b.setAttribute('aria-pressed', String(b.dataset.layout === conference.layout));
  }
}

function addRow(p) {
  const tr = document.createElement('tr');
  tr.dataset.id = p.code;
  const name = document.createElement('td');
  name.textContent = p.code === 'central' ? p.name_th + ' / ' + p.name_en
    : p.code + ' ' + p.name_th + ' / ' + p.name_en;
  const state = document.createElement('td');
  const level = document.createElement('td');
  const meter = document.createElement('span');
  meter.className = 'meter';
  const bar = document.createElement('span');
  meter.appendChild(bar);
  level.appendChild(meter);
  const floorCell = document.createElement('td');
  let floor = null;
  if (p.code !== 'central') {
    floor = document.createElement('button');
    floor.type = 'button';
    floor.className = 'secondary';
    floor.textContent = 'ให้พูด / Give floor';
    floor.addEventListener('click', () => control('PUT', '/floor', { province: p.code }));
    floorCell.appendChild(floor);
  }
  const muteCell = document.createElement('td');
  const mute = document.createElement('button');
  mute.type = 'button';
  mute.className = 'secondary';
  mute.addEventListener('click', () => control('PUT', '/participants/' + p.code,
    { muted: mute.dataset.muted !== 'true' }));
  muteCell.appendChild(mute);
  tr.append(name, state, level, floorCell, muteCell);
  els.roster.appendChild(tr);
  rows.set(p.code, { tr, state, bar, floor, mute });
}

function renderParticipant(p) {
  if (!rows.has(p.code)) {
    addRow(p);
  }
  const row = rows.get(p.code);
  row.tr.dataset.state = p.state;
  row.state.textContent = p.state;
  /* RFC 6464: 0 dBov loudest, -127 silence; show -60..0. */
  const dbov = p.audio && typeof p.audio.level_dbov === 'number' && p.state === 'live'
    ? p.audio.level_dbov : -127;
  row.bar.style.width = Math.max(0, Math.min(100, (dbov + 60) / 60 * 100)) + '%';
  row.tr.classList.toggle('speaking', speaker === p.code);
}

/* A status document, with the chair's token when the page has one: the
 * relay shows sessions, counters and its own figures to the viewer roles
 * only (docs/API.md, "Status"). A token it does not know (one being typed)
 * is refused with 401: the roster then shows the public state meanwhile. */
async function fetchStatus(path) {
  const url = new URL(path, document.baseURI);
  const token = els.token.value.trim();
  if (token) {
    const res = await fetch(url, { cache: 'no-store', headers: { Authorization: 'Bearer ' + token } });
    if (res.status !== 401) {
      return res;
    }
  }
  return fetch(url, { cache: 'no-store' });
}

async function pollParticipants() {
  try {
    const res = await fetchStatus('api/v1/provinces');
    if (res.ok) {
      const body = await res.json();
      if (body.central) {
        renderParticipant(body.central);
      }
      const counts = { live: 0, lost: 0, offline: 0, connecting: 0 };
      for (const p of body.provinces || []) {
        renderParticipant(p);
        counts[p.state] = (counts[p.state] || 0) + 1;
      }
      els.counts.textContent = `live ${counts.live} · lost ${counts.lost} · offline ${counts.offline}`;
      applyConference();
    }
    const out = await fetchStatus('api/v1/outputs');
    if (out.ok) {
      const o = await out.json();
      els.info.textContent = `${o.mosaic.width}×${o.mosaic.height} ${o.mosaic.codec} ` +
        `${o.mosaic.fps} fps · program: ${o.program.source} · ` +
        `in the mix: ${(o.audio.members || []).join(', ')}`;
    }
  } catch (e) {
    /* The relay restarting: keep the last picture and try again. */
  } finally {
    window.setTimeout(pollParticipants, LEVEL_POLL_MS);
  }
}

async function loadConference() {
  const res = await fetch(new URL('api/v1/conference', document.baseURI), { headers: headers() });
  if (res.ok) {
    applyConference(await res.json());
  }
}

const briefing = new OpsBriefing(new BriefingApi(document.baseURI, () => els.token.value.trim()));

const feed = new EventFeed(document.baseURI, () => els.token.value.trim());
feed.addEventListener('open', (ev) => {
  if (!ev.detail.complete) {
    /* First connection, or events lost while away: read the state again. */
    loadConference();
    if (els.token.value.trim()) {
      briefing.load();
    }
  }
});
feed.addEventListener('event', (ev) => {
  const e = ev.detail;
  if (e.type === 'floor' || e.type === 'mute' || e.type === 'layout') {
    loadConference();
  } else if (e.type === 'active-speaker') {
    speaker = e.participant;
    for (const [id, row] of rows) {
      row.tr.classList.toggle('speaking', id === speaker);
    }
  } else {
    briefing.onEvent(e);
  }
});

els.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  viewer.start();
  loadConference();
  briefing.load();
  feed.reconnect();
});
els.disconnect.addEventListener('click', () => viewer.stop());
els.publish.addEventListener('click', togglePublish);
els.takeFloor.addEventListener('click', () => control('DELETE', '/floor'));
for (const b of document.querySelectorAll('[data-layout]')) {
  b.addEventListener('click', () => control('PUT', '/layout', { layout: b.dataset.layout }));
}

/* For tests and the console. */
window.briefingOps = {
  viewer: () => ({ state: viewer.state, active: viewer.active }),
  conference: () => ({ ...conference, speaker }),
  briefing: () => briefing.state(),
};

// The token typed once and remembered in this browser: never from the
// URL, which the relay refuses when it carries one (docs/API.md). A wall
// display opens ops.html?autostart=1 once its token is remembered.
els.token.value = storageGet(TOKEN_KEY) || '';
pollParticipants();
briefing.loadOffices();
feed.start();
if (els.token.value && new URLSearchParams(window.location.search).has('autostart')) {
  viewer.start();
  loadConference();
}
