/* briefing-relay: province publisher page.
 *
 * Publishes camera + microphone to the relay with WHIP (RFC 9725). This module
 * is the page: element lookups, texts, localStorage, the province list, and the
 * wiring of publish-session.js (publishing, no DOM) and media-devices.js (camera
 * and microphone, no DOM) to the elements.
 *
 * Read-only test hook: window.briefing = {state, location, lastError, pc, stats,
 * figures} (figures: the FiguresForm, see figures-form.js).
 *   state     'idle' | 'connecting' | 'live' | 'reconnecting' | 'error'
 *   location  absolute URL of the WHIP session resource, or null
 *   lastError null or {status, error, reason, message} (status 0 = no HTTP)
 *   pc        the current RTCPeerConnection or null
 *   stats     last send statistics snapshot or null
 */

import { WhipSession } from './publish-session.js';
import { WhepSession } from './view-session.js';
import { LocalMedia, mediaAvailable } from './media-devices.js';
import { FiguresForm } from './figures-form.js';

const PROVINCE_RETRY_MS = 5000;
const TOKEN_KEY_PREFIX = 'briefing.token.';
const LAST_PROVINCE_KEY = 'briefing.lastProvince';
const CAMERA_KEY = 'briefing.camera';
const MIC_KEY = 'briefing.microphone';

/* ---------------------------------------------------------------- texts */

const STATE_TEXT = {
  idle: 'ยังไม่ได้เชื่อมต่อ / Idle',
  connecting: 'กำลังเชื่อมต่อ… / Connecting…',
  live: 'กำลังส่งสด / Live',
  reconnecting: 'กำลังเชื่อมต่อใหม่… / Reconnecting…',
  error: 'ผิดพลาด / Error',
};

const HTTP_ERROR_TEXT = {
  400: 'ข้อเสนอ SDP ไม่ถูกต้อง / Malformed offer',
  401: 'โทเค็นไม่ถูกต้อง / Wrong token',
  403: 'โทเค็นนี้เป็นของจังหวัดอื่น / Token belongs to another province',
  404: 'ไม่พบจังหวัดนี้ในระบบ / Unknown province',
  406: 'เซิร์ฟเวอร์รับสื่อรูปแบบนี้ไม่ได้ / Relay cannot accept this media',
  413: 'ข้อเสนอ SDP ใหญ่เกินไป / Offer too large',
  415: 'ชนิดข้อมูลไม่ถูกต้อง / Unsupported content type',
};

/* Messages of the errors WhipSession reports without an HTTP status. */
const SESSION_ERROR_TEXT = {
  webrtc: 'สร้างการเชื่อมต่อ WebRTC ไม่สำเร็จ / Could not create the WebRTC offer',
  network: 'ติดต่อเซิร์ฟเวอร์ไม่ได้ / Cannot reach the relay',
  answer: 'คำตอบ SDP จากเซิร์ฟเวอร์ใช้ไม่ได้ / The relay answer was rejected',
  timeout: 'เชื่อมต่อสื่อไม่สำเร็จภายในเวลา / Media connection timed out',
  disconnected: 'การเชื่อมต่อขาดหาย / Connection lost',
  failed: 'การเชื่อมต่อล้มเหลว / Connection failed',
  'dtls-closed': 'เซิร์ฟเวอร์ปิดการเชื่อมต่อ / The relay closed the connection',
  'dtls-failed': 'เซิร์ฟเวอร์ปิดการเชื่อมต่อ / The relay closed the connection',
};

const INPUT_ERROR_TEXT = {
  province: 'กรุณาเลือกจังหวัด / Please choose a province',
  token: 'กรุณากรอกโทเค็น / Please enter the token',
};

function mediaErrorText(e) {
  switch (e && e.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'ไม่ได้รับอนุญาตให้ใช้กล้อง/ไมโครโฟน / Camera or microphone permission denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'ไม่พบกล้องหรือไมโครโฟน / No camera or microphone found';
    case 'NotReadableError':
    case 'AbortError':
      return 'กล้องหรือไมโครโฟนถูกใช้งานโดยโปรแกรมอื่น / Camera or microphone is busy';
    default:
      return 'เปิดกล้อง/ไมโครโฟนไม่สำเร็จ / Could not open camera or microphone' +
        (e && e.message ? ' (' + e.message + ')' : '');
  }
}

function httpErrorMessage(status) {
  if (HTTP_ERROR_TEXT[status]) {
    return HTTP_ERROR_TEXT[status];
  }
  if (status >= 500) {
    return 'เซิร์ฟเวอร์ขัดข้อง / Relay error (HTTP ' + status + ')';
  }
  return 'คำขอถูกปฏิเสธ / Request rejected (HTTP ' + status + ')';
}

/* The message of a WhipSession error ({status, error, reason, cause}). */
function describeError(e) {
  if (e.status) {
    return httpErrorMessage(e.status);
  }
  if (e.error === 'media') {
    return e.cause && e.cause.name === 'InsecureContext'
      ? 'ต้องเปิดหน้านี้ผ่าน HTTPS / This page must be opened over HTTPS'
      : mediaErrorText(e.cause);
  }
  if (e.error === 'input') {
    return INPUT_ERROR_TEXT[e.cause] || String(e.cause);
  }
  return SESSION_ERROR_TEXT[e.error] || String(e.error);
}

/* The detail line under the state, from a 'statechange' info. */
function stateDetailText(info) {
  switch (info.kind) {
    case 'attempt':
      return info.attempt > 1 ? 'ครั้งที่ / attempt ' + info.attempt : '';
    case 'retry': {
      const err = info.error;
      const s = Math.round(info.delayMs / 1000);
      return err.message + (err.reason ? ' (' + err.reason + ')' : '') +
        ' — ลองใหม่ใน ' + s + ' วินาที / retrying in ' + s + ' s';
    }
    case 'interrupted':
      return 'การเชื่อมต่อขาดหาย / Connection interrupted';
    case 'live':
      return info.province ? 'ส่งภาพเป็น / Publishing as ' + info.province : '';
    case 'failed': {
      const err = info.error;
      return err.status
        ? 'HTTP ' + err.status + (err.reason ? ': ' + err.reason : (err.error ? ': ' + err.error : ''))
        : (err.reason || '');
    }
    case 'stopping':
      return info.closing ? 'กำลังปิดการเชื่อมต่อ… / Closing the session…' : '';
    default:
      return '';
  }
}

/* ------------------------------------------------------------- elements */

const els = {
  form: document.getElementById('publish-form'),
  province: document.getElementById('province'),
  token: document.getElementById('token'),
  showToken: document.getElementById('show-token'),
  forgetToken: document.getElementById('forget-token'),
  camera: document.getElementById('camera'),
  microphone: document.getElementById('microphone'),
  publish: document.getElementById('publish'),
  stop: document.getElementById('stop'),
  preview: document.getElementById('preview'),
  state: document.getElementById('state'),
  stateText: document.getElementById('state-text'),
  stateDetail: document.getElementById('state-detail'),
  statBitrate: document.getElementById('stat-bitrate'),
  statResolution: document.getElementById('stat-resolution'),
  statFps: document.getElementById('stat-fps'),
  statCodec: document.getElementById('stat-codec'),
  statAudio: document.getElementById('stat-audio'),
  statRtt: document.getElementById('stat-rtt'),
};

/* -------------------------------------------------------------- storage */

function storageGet(key) {
  try {
    return window.localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

function storageSet(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch (e) {
    /* private mode / quota: not fatal */
  }
}

function storageRemove(key) {
  try {
    window.localStorage.removeItem(key);
  } catch (e) {
    /* ignore */
  }
}

function tokenKey(code) {
  return TOKEN_KEY_PREFIX + code;
}

/* ------------------------------------------------- media and publishing */

const media = new LocalMedia({
  deviceIds: () => ({
    video: els.camera.value || storageGet(CAMERA_KEY) || '',
    audio: els.microphone.value || storageGet(MIC_KEY) || '',
  }),
  onOpen: async (stream) => {
    els.preview.srcObject = stream;
    await refreshDevices();
  },
});

const session = new WhipSession({
  baseUrl: document.baseURI,
  getStream: () => media.ensure(),
  credentials: () => ({ province: els.province.value, token: els.token.value.trim() }),
  describeError: describeError,
});

const figures = new FiguresForm({
  form: document.getElementById('figures-form'),
  baseUrl: document.baseURI,
  getChannel: () => session.reportChannel,
  getCredentials: () => ({ province: els.province.value, token: els.token.value.trim() }),
});
figures.load();

const hook = Object.freeze(Object.create(null, {
  state: { get: () => session.state, enumerable: true },
  location: { get: () => session.location, enumerable: true },
  lastError: { get: () => session.lastError, enumerable: true },
  pc: { get: () => session.pc, enumerable: true },
  stats: { get: () => session.stats, enumerable: true },
  figures: { get: () => figures, enumerable: true },
}));
Object.defineProperty(window, 'briefing', {
  value: hook, writable: false, configurable: false, enumerable: true,
});

/* ------------------------------------------------------------ rendering */

function renderState(state, info) {
  els.state.dataset.state = state;
  let text = STATE_TEXT[state] || state;
  if (state === 'error' && session.lastError) {
    text += ' — ' + session.lastError.message;
  }
  els.stateText.textContent = text;
  els.stateDetail.textContent = stateDetailText(info || {});
  updateControls();
}

function updateControls() {
  const busy = session.active;
  els.publish.disabled = busy;
  els.stop.disabled = !busy;
  els.province.disabled = busy;
  els.token.disabled = busy;
}

function renderStats(snap) {
  if (!snap) {
    els.statBitrate.textContent = '–';
    els.statResolution.textContent = '–';
    els.statFps.textContent = '–';
    els.statCodec.textContent = '–';
    els.statAudio.textContent = '–';
    els.statRtt.textContent = '–';
    return;
  }
  els.statBitrate.textContent = snap.bitrateKbps === null ? '–' : Math.round(snap.bitrateKbps);
  els.statResolution.textContent = snap.width ? snap.width + ' × ' + snap.height : '–';
  els.statFps.textContent = snap.fps === null ? '–' : snap.fps.toFixed(0);
  els.statCodec.textContent = snap.codec || '–';
  els.statAudio.textContent = snap.audioKbps === null ? '–' : Math.round(snap.audioKbps);
  els.statRtt.textContent = snap.rttMs === null ? '–' : Math.round(snap.rttMs);
}

/* What the operations centre sends back (its camera, or the floor
 * holder's, and the conference audio without this office's own voice):
 * watched while this office publishes, with the same token. */
const program = new WhepSession({
  baseUrl: document.baseURI,
  credentials: () => ({ province: 'program', token: els.token.value.trim() }),
});
const programVideo = document.getElementById('program');
const programState = document.getElementById('program-state');
program.addEventListener('stream', (ev) => { programVideo.srcObject = ev.detail; });
program.addEventListener('statechange', (ev) => {
  const err = ev.detail.info && ev.detail.info.error;
  programState.textContent = ev.detail.state + (err ? ' — ' + err.message : '');
});

session.addEventListener('statechange', (ev) => {
  renderState(ev.detail.state, ev.detail.info);
  if (ev.detail.state === 'live' && !program.active) {
    program.start();
  } else if (ev.detail.state === 'idle' && program.active) {
    program.stop();
  }
});
session.addEventListener('stats', (ev) => {
  renderStats(ev.detail);
});
session.addEventListener('accepted', (ev) => {
  /* The relay accepted the token: remember it for this province. */
  storageSet(tokenKey(ev.detail.province), ev.detail.token);
  storageSet(LAST_PROVINCE_KEY, ev.detail.province);
});
session.addEventListener('notice', (ev) => {
  const n = ev.detail;
  if (n.kind === 'no-location') {
    els.stateDetail.textContent =
      'เซิร์ฟเวอร์ไม่ส่ง Location / Relay sent no Location header';
  } else if (n.kind === 'stopped') {
    els.stateDetail.textContent = n.released
      ? 'หยุดส่งแล้ว / Stopped'
      : 'หยุดส่งแล้ว (เซิร์ฟเวอร์จะปิดเองเมื่อหมดเวลา) / Stopped (the relay will time the session out)';
  }
});

function publish() {
  if (session.active) {
    return;
  }
  const missing = session.start();
  if (missing === 'province') {
    els.province.focus();
  } else if (missing === 'token') {
    els.token.focus();
  }
}

/* ------------------------------------------------------------ provinces */

function provinceFromUrl() {
  const p = new URLSearchParams(window.location.search).get('province');
  return p ? p.trim().toUpperCase() : '';
}

function addOption(select, value, text) {
  const opt = document.createElement('option');
  opt.value = value;
  opt.textContent = text;
  select.appendChild(opt);
  return opt;
}

function fillProvinces(list, selected) {
  const select = els.province;
  select.textContent = '';
  addOption(select, '', 'เลือกจังหวัด / Choose province');
  let found = false;
  for (const p of list) {
    if (!p || typeof p.code !== 'string') {
      continue;
    }
    const label = [p.code, p.name_th, p.name_en].filter(Boolean).join(' ');
    addOption(select, p.code, label);
    if (p.code === selected) {
      found = true;
    }
  }
  if (selected && !found) {
    addOption(select, selected, selected + ' (ไม่รู้จัก / unknown)');
  }
  select.value = selected || '';
}

async function loadProvinces() {
  const initial = els.province.value || provinceFromUrl() ||
    storageGet(LAST_PROVINCE_KEY) || '';
  try {
    const res = await fetch(new URL('api/v1/provinces', document.baseURI), {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
    if (!res.ok) {
      throw new Error('HTTP ' + res.status);
    }
    const body = await res.json();
    const list = Array.isArray(body.provinces) ? body.provinces.slice() : [];
    list.sort((a, b) => String(a.code).localeCompare(String(b.code)));
    /* The user may have picked something meanwhile: keep it. */
    fillProvinces(list, els.province.value || initial);
  } catch (e) {
    if (session.state === 'idle') {
      els.stateDetail.textContent =
        'โหลดรายชื่อจังหวัดไม่สำเร็จ / Could not load the province list (' +
        e.message + ')';
    }
    window.setTimeout(loadProvinces, PROVINCE_RETRY_MS);
  }
}

function onProvinceChange() {
  const code = els.province.value;
  els.token.value = code ? (storageGet(tokenKey(code)) || '') : '';
  if (code) {
    storageSet(LAST_PROVINCE_KEY, code);
  }
  const url = new URL(window.location.href);
  if (code) {
    url.searchParams.set('province', code);
  } else {
    url.searchParams.delete('province');
  }
  window.history.replaceState(null, '', url);
}

/* -------------------------------------------------------------- devices */

function fillDeviceSelect(select, devices, currentId, fallbackPrefix) {
  const keep = currentId || select.value;
  select.textContent = '';
  if (devices.length === 0) {
    addOption(select, '', 'ไม่พบอุปกรณ์ / No device');
    return;
  }
  devices.forEach((d, i) => {
    addOption(select, d.deviceId, d.label || (fallbackPrefix + ' ' + (i + 1)));
  });
  if (keep && devices.some((d) => d.deviceId === keep)) {
    select.value = keep;
  }
}

async function refreshDevices() {
  const found = await media.enumerate();
  if (!found) {
    return;
  }
  fillDeviceSelect(els.camera, found.cameras, found.cameraId, 'กล้อง / Camera');
  fillDeviceSelect(els.microphone, found.microphones, found.microphoneId,
    'ไมโครโฟน / Microphone');
}

/* Swap one kind of track (camera or microphone), also on a live session. */
async function switchDevice(kind) {
  const select = kind === 'video' ? els.camera : els.microphone;
  storageSet(kind === 'video' ? CAMERA_KEY : MIC_KEY, select.value);
  if (!mediaAvailable()) {
    return;
  }
  if (!media.stream) {
    media.ensure().catch((e) => {
      els.stateDetail.textContent = mediaErrorText(e);
    });
    return;
  }
  try {
    const track = await media.switchDevice(kind, select.value);
    if (!track) {
      return;
    }
    if (kind === 'video') {
      els.preview.srcObject = media.stream;
    }
    await session.replaceTrack(kind, track);
  } catch (e) {
    els.stateDetail.textContent = mediaErrorText(e);
  }
}

/* ----------------------------------------------------------------- init */

function init() {
  const fromUrl = provinceFromUrl() || storageGet(LAST_PROVINCE_KEY) || '';
  if (fromUrl) {
    /* Usable before the list arrives (and if it never does). */
    fillProvinces([], fromUrl);
    els.province.options[els.province.selectedIndex].textContent = fromUrl;
    els.token.value = storageGet(tokenKey(fromUrl)) || '';
  }

  els.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    publish();
  });
  els.stop.addEventListener('click', () => {
    session.stop();
  });
  els.province.addEventListener('change', onProvinceChange);
  els.forgetToken.addEventListener('click', () => {
    const code = els.province.value;
    if (code) {
      storageRemove(tokenKey(code));
    }
    els.token.value = '';
    if (!session.active) {
      els.token.focus();
    }
    els.stateDetail.textContent = 'ลืมโทเค็นแล้ว / Token forgotten';
  });
  els.showToken.addEventListener('change', () => {
    els.token.type = els.showToken.checked ? 'text' : 'password';
  });
  els.camera.addEventListener('change', () => switchDevice('video'));
  els.microphone.addEventListener('change', () => switchDevice('audio'));

  window.addEventListener('pagehide', () => {
    session.releaseOnUnload();
  });

  renderState(session.state);
  loadProvinces();

  if (!mediaAvailable()) {
    els.stateDetail.textContent =
      'เบราว์เซอร์ไม่อนุญาตกล้อง: ต้องเปิดผ่าน HTTPS / Camera unavailable: open this page over HTTPS';
    return;
  }
  media.onDeviceChange(() => {
    refreshDevices().catch(() => null);
  });
  media.ensure().catch((e) => {
    if (session.state === 'idle') {
      els.stateDetail.textContent = mediaErrorText(e);
    }
  });
}

init();
