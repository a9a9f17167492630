/* briefing-relay: single-province viewer page for the chair and the minister.
 *
 * Watches one province through the relay with WHEP (POST /whep/province/<code>;
 * the relay forwards the province's own encoded media, no transcoding). This
 * module is the page: element lookups, texts, localStorage, the province list
 * with live states (refreshed every 5 s), the video element, and the wiring of
 * view-session.js (viewing, no DOM) to the elements.
 *
 * Read-only test hook: window.briefingWatch = {state, location, lastError, pc, stats}.
 *   state     'idle' | 'connecting' | 'watching' | 'reconnecting' | 'error'
 *   location  absolute URL of the WHEP session resource, or null
 *   lastError null or {status, error, reason, message} (status 0 = no HTTP)
 *   pc        the current RTCPeerConnection or null
 *   stats     last receive statistics snapshot or null
 */

import { WhepSession } from './view-session.js';
import { storageGet, storageSet, storageRemove } from './local-storage.js';
import { fetchProvinces, addressWithProvince } from './province-list.js';
import { PAGE_TEXT, sessionErrorDescriber, stateText, sessionDetailText } from './session-texts.js';
import { startPageTexts } from './page-language.js';

// Module scripts run after parsing: the static texts can be filled now.
startPageTexts();

const PROVINCE_REFRESH_MS = 5000;
const TOKEN_KEY = 'briefing.viewerToken';
const LAST_PROVINCE_KEY = 'briefing.watch.lastProvince';

/* ---------------------------------------------------------------- texts */

const STATE_TEXT = {
  idle: 'ยังไม่ได้ดู / Idle',
  watching: 'กำลังรับชม / Watching',
};

/* The province's own state in the status API (docs/DESIGN.md, Liveness). */
const PROVINCE_STATE_TEXT = {
  live: 'สด / live',
  connecting: 'กำลังเชื่อมต่อ / connecting',
  lost: 'สัญญาณหาย / lost',
  offline: 'ออฟไลน์ / offline',
};

/* The message of a WhepSession error ({status, error, reason, cause}). */
const describeError = sessionErrorDescriber({
  403: 'บัญชีนี้ดูได้เฉพาะภาพรวม / This account may only watch the mosaic',
  406: 'เบราว์เซอร์นี้รับสื่อของจังหวัดนี้ไม่ได้ / This browser cannot receive this province\'s media',
});

/* ------------------------------------------------------------- elements */

const els = {
  form: document.getElementById('watch-form'),
  province: document.getElementById('province'),
  provinceState: document.getElementById('province-state'),
  token: document.getElementById('token'),
  showToken: document.getElementById('show-token'),
  forgetToken: document.getElementById('forget-token'),
  watch: document.getElementById('watch'),
  stop: document.getElementById('stop'),
  video: document.getElementById('video'),
  unmute: document.getElementById('unmute'),
  state: document.getElementById('state'),
  stateText: document.getElementById('state-text'),
  stateDetail: document.getElementById('state-detail'),
  statResolution: document.getElementById('stat-resolution'),
  statFps: document.getElementById('stat-fps'),
  statBitrate: document.getElementById('stat-bitrate'),
  statCodec: document.getElementById('stat-codec'),
  statAudio: document.getElementById('stat-audio'),
  statLost: document.getElementById('stat-lost'),
};

/* code -> the province's last status-API entry */
const provinces = new Map();

/* ------------------------------------------------------------- session */

const session = new WhepSession({
  baseUrl: document.baseURI,
  credentials: () => ({ province: els.province.value, token: els.token.value.trim() }),
  describeError: describeError,
});

const hook = Object.freeze(Object.create(null, {
  state: { get: () => session.state, enumerable: true },
  location: { get: () => session.location, enumerable: true },
  lastError: { get: () => session.lastError, enumerable: true },
  pc: { get: () => session.pc, enumerable: true },
  stats: { get: () => session.stats, enumerable: true },
}));
Object.defineProperty(window, 'briefingWatch', {
  value: hook, writable: false, configurable: false, enumerable: true,
});

/* ------------------------------------------------------------ rendering */

function provinceLabel(code) {
  const p = provinces.get(code);
  return p ? [p.code, p.name_th, p.name_en].filter(Boolean).join(' ') : code;
}

/* While watching: a picture, or why there is none yet. */
function watchingDetail() {
  const code = session.province;
  const stats = session.stats;
  if (stats && stats.receiving) {
    return 'กำลังดู / Watching ' + provinceLabel(code);
  }
  const p = provinces.get(code);
  if (p && p.state && p.state !== 'live') {
    return 'จังหวัดนี้ยังไม่ได้ส่งภาพ (' + (PROVINCE_STATE_TEXT[p.state] || p.state) +
      ') — ภาพจะขึ้นเองเมื่อเริ่มส่ง / The province is not sending; the picture appears when it does';
  }
  return 'รอภาพ… / Waiting for the picture…';
}

/* The detail line under the state, from a 'statechange' info. */
function stateDetailText(info) {
  switch (info.kind) {
    case 'attempt':
      return (info.attempt > 1 ? 'ครั้งที่ / attempt ' + info.attempt + ' — ' : '') +
        provinceLabel(info.province);
    case 'switching':
      return 'เปลี่ยนเป็น / Switching to ' + provinceLabel(info.province);
    case 'watching':
      return watchingDetail();
    default:
      return sessionDetailText(info);
  }
}

function setDetail(text) {
  /* aria-live: announce changes only */
  if (els.stateDetail.textContent !== text) {
    els.stateDetail.textContent = text;
  }
}

function renderState(state, info) {
  els.state.dataset.state = state;
  els.stateText.textContent = stateText(STATE_TEXT, state, session.lastError);
  setDetail(stateDetailText(info || {}));
  updateControls();
}

function updateControls() {
  const busy = session.active;
  els.watch.disabled = busy;
  els.stop.disabled = !busy;
  els.token.disabled = busy;
}

function renderStats(snap) {
  const num = (v, digits) => (v === null || v === undefined ? '–' : v.toFixed(digits));
  els.statResolution.textContent = snap && snap.width ? snap.width + ' × ' + snap.height : '–';
  els.statFps.textContent = snap ? num(snap.fps, 0) : '–';
  els.statBitrate.textContent = snap ? num(snap.bitrateKbps, 0) : '–';
  els.statCodec.textContent = (snap && snap.codec) || '–';
  els.statAudio.textContent = snap ? num(snap.audioKbps, 0) : '–';
  els.statLost.textContent = snap ? String(snap.packetsLost) : '–';
  if (session.state === 'watching') {
    setDetail(watchingDetail());
  }
}

function renderUnmute() {
  const muted = els.video.muted;
  els.unmute.textContent = muted ? 'เปิดเสียง / Unmute' : 'ปิดเสียง / Mute';
  els.unmute.setAttribute('aria-pressed', muted ? 'false' : 'true');
}

function showStream(stream) {
  els.video.srcObject = stream;
  if (stream) {
    els.video.play().catch(() => null);
  }
}

session.addEventListener('statechange', (ev) => {
  renderState(ev.detail.state, ev.detail.info);
});
session.addEventListener('stats', (ev) => {
  renderStats(ev.detail);
});
session.addEventListener('stream', (ev) => {
  showStream(ev.detail);
});
session.addEventListener('accepted', (ev) => {
  /* The relay accepted the token: remember it. */
  storageSet(TOKEN_KEY, ev.detail.token);
  storageSet(LAST_PROVINCE_KEY, ev.detail.province);
});
session.addEventListener('notice', (ev) => {
  const n = ev.detail;
  if (n.kind === 'no-location') {
    setDetail(PAGE_TEXT.noLocation());
  } else if (n.kind === 'stopped') {
    setDetail(n.released
      ? 'หยุดดูแล้ว / Stopped'
      : 'หยุดดูแล้ว (เซิร์ฟเวอร์จะปิดเองเมื่อหมดเวลา) / Stopped (the relay will time the session out)');
  }
});

function watch() {
  const missing = session.start();
  if (missing) {
    els[missing].focus();
  }
}

/* ------------------------------------------------------------ provinces */

/* The minister may also watch the mosaic of every office. */
const MOSAIC_ENTRY = Object.freeze({
  code: 'mosaic', name_th: 'ภาพรวมทุกจังหวัด', name_en: 'Mosaic of all offices', state: 'live',
});

function provinceFromUrl() {
  const p = new URLSearchParams(window.location.search).get('province');
  if (p && p.trim().toLowerCase() === 'mosaic') {
    return 'mosaic';
  }
  return p ? p.trim().toUpperCase() : '';
}

function optionText(p) {
  const state = PROVINCE_STATE_TEXT[p.state] || p.state;
  if (p.code === MOSAIC_ENTRY.code) {
    return p.name_th + ' / ' + p.name_en;
  }
  return [p.code, p.name_th, p.name_en].filter(Boolean).join(' ') +
    (state ? ' — ' + state : '');
}

/* The state of the chosen province, next to the picker. */
function renderProvinceState() {
  const p = provinces.get(els.province.value);
  const badge = els.provinceState;
  if (!p) {
    badge.dataset.state = 'unknown';
    badge.textContent = els.province.value ? 'ไม่ทราบ / unknown' : '–';
    return;
  }
  let text = PROVINCE_STATE_TEXT[p.state] || String(p.state);
  if (p.state === 'live' && p.video && p.video.width) {
    text += ' · ' + p.video.width + '×' + p.video.height +
      (typeof p.video.fps === 'number' && p.video.fps > 0 ? ' ' + p.video.fps.toFixed(0) + ' fps' : '') +
      (p.video.codec ? ' ' + p.video.codec : '');
  }
  badge.dataset.state = p.state;
  badge.textContent = text;
}

/* Rebuild the picker when the list of codes changed, else only relabel it
 * (an open drop-down must survive the 5 s refresh). */
function fillProvinces(list, selected) {
  const select = els.province;
  const codes = list.map((p) => p.code);
  const current = [...select.options].map((o) => o.value).filter(Boolean);
  const same = codes.length > 0 && codes.length === current.length &&
    codes.every((c, i) => c === current[i]);
  if (same) {
    list.forEach((p, i) => {
      const opt = select.options[i + 1];
      const text = optionText(p);
      if (opt.textContent !== text) {
        opt.textContent = text;
      }
    });
  } else {
    select.textContent = '';
    select.add(new Option(PAGE_TEXT.chooseProvince(), ''));
    for (const p of list) {
      select.add(new Option(optionText(p), p.code));
    }
    if (selected && !codes.includes(selected)) {
      select.add(new Option(PAGE_TEXT.unknownProvince(selected), selected));
    }
    select.value = selected || '';
  }
  renderProvinceState();
}

async function loadProvinces() {
  const selected = els.province.value || provinceFromUrl() || storageGet(LAST_PROVINCE_KEY) || '';
  try {
    const list = [MOSAIC_ENTRY, ...await fetchProvinces(document.baseURI)];
    provinces.clear();
    for (const p of list) {
      provinces.set(p.code, p);
    }
    /* The user may have picked something meanwhile: keep it. */
    fillProvinces(list, els.province.value || selected);
    if (session.state === 'watching') {
      setDetail(watchingDetail());
    }
  } catch (e) {
    if (session.state === 'idle') {
      setDetail(PAGE_TEXT.provinceListFailed(e.message));
    }
  } finally {
    window.setTimeout(loadProvinces, PROVINCE_REFRESH_MS);
  }
}

function onProvinceChange() {
  const code = els.province.value;
  if (code) {
    storageSet(LAST_PROVINCE_KEY, code);
  }
  window.history.replaceState(null, '', addressWithProvince(window.location.href, code));
  renderProvinceState();
  /* Watching: DELETE the old session, POST a new one. */
  if (session.active) {
    if (code) {
      session.switchProvince();
    } else {
      session.stop();
    }
  }
}

/* ----------------------------------------------------------------- init */

function init() {
  const initial = provinceFromUrl() || storageGet(LAST_PROVINCE_KEY) || '';
  if (initial) {
    /* Usable before the list arrives (and if it never does). */
    fillProvinces([], initial);
    els.province.options[els.province.selectedIndex].textContent = initial;
  }
  els.token.value = storageGet(TOKEN_KEY) || '';
  els.video.muted = true;

  els.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    watch();
  });
  els.stop.addEventListener('click', () => {
    session.stop();
  });
  els.province.addEventListener('change', onProvinceChange);
  els.forgetToken.addEventListener('click', () => {
    storageRemove(TOKEN_KEY);
    els.token.value = '';
    if (!session.active) {
      els.token.focus();
    }
    setDetail(PAGE_TEXT.tokenForgotten());
  });
  els.showToken.addEventListener('change', () => {
    els.token.type = els.showToken.checked ? 'text' : 'password';
  });
  els.unmute.addEventListener('click', () => {
    els.video.muted = !els.video.muted;
    if (els.video.srcObject) {
      els.video.play().catch(() => null);
    }
  });
  els.video.addEventListener('volumechange', renderUnmute);

  window.addEventListener('pagehide', () => {
    session.releaseOnUnload();
  });

  renderUnmute();
  renderState(session.state);
  renderStats(null);
  loadProvinces();
}

init();
