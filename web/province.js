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
 *   turn      the live briefing as shown: {briefing, kind ('none', 'waiting',
 *             'floor', 'off-agenda'), ahead, text, clock, elapsedMs, limitMs,
 *             speaker} (province-briefing.js)
 *   office    the office's own state as shown: {loaded, floor, floorText,
 *             clock, elapsedMs, microphone, micText, recording,
 *             recordingText, clips: [{id, url, reason}]} (province-office.js)
 *   takeover  null, or 'live-elsewhere' / 'taken-over' while the page offers
 *             to take the office over from another device
 *
 * Texts: web/texts-province.js and texts-common.js, in the language of the
 * masthead's switch.
 */

import { WhipSession } from './publish-session.js';
import { WhepSession } from './view-session.js';
import { LocalMedia, mediaAvailable } from './media-devices.js';
import { FiguresForm } from './figures-form.js';
import { storageGet, storageSet, storageRemove } from './local-storage.js';
import { fetchProvinces, addressWithProvince } from './province-list.js';
import { PAGE_TEXT, sessionErrorDescriber, stateText, sessionDetailText } from './session-texts.js';
import { ProvinceBriefing } from './province-briefing.js';
import { ProvinceOffice } from './province-office.js';
import { EventFeed } from './briefing-api.js';
import { startPageTexts } from './page-language.js';
import { text, currentLanguage } from './i18n.js';
import './texts-province.js';

// Module scripts run after parsing: the static texts can be filled now.
startPageTexts();

const PROVINCE_RETRY_MS = 5000;
const TOKEN_KEY_PREFIX = 'briefing.token.';
const LAST_PROVINCE_KEY = 'briefing.lastProvince';
const CAMERA_KEY = 'briefing.camera';
const MIC_KEY = 'briefing.microphone';

/* ---------------------------------------------------------------- texts */

const STATE_TEXT = {
  idle: () => text('province.state-idle'),
  live: () => text('province.state-live'),
};

/* The refusals that mean another device of the office publishes: the page
 * stops and offers to take over (docs/API.md, "One device at a time"). */
const TAKEOVER_ERRORS = {
  'office-live-elsewhere': 'live-elsewhere',
  'taken-over': 'taken-over',
};

function takeoverKind(err) {
  return err && (err.status === 409 || err.status === 410) ? TAKEOVER_ERRORS[err.error] || null : null;
}

function mediaErrorText(e) {
  switch (e && e.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return text('province.media-denied');
    case 'NotFoundError':
    case 'OverconstrainedError':
      return text('province.media-not-found');
    case 'NotReadableError':
    case 'AbortError':
      return text('province.media-busy');
    default:
      return text('province.media-failed', e && e.message);
  }
}

/* The message of a WhipSession error ({status, error, reason, cause}). */
const describeSessionError = sessionErrorDescriber({
  403: () => text('province.http-403'),
  406: () => text('province.http-406'),
}, (cause) => (cause && cause.name === 'InsecureContext'
  ? text('province.insecure')
  : mediaErrorText(cause)));

const TAKEOVER_TEXT = {
  'live-elsewhere': () => text('province.live-elsewhere'),
  'taken-over': () => text('province.taken-over'),
};

function describeError(e) {
  const kind = takeoverKind(e);
  return kind ? TAKEOVER_TEXT[kind]() : describeSessionError(e);
}

/* The session's error with its message in the current language: one
 * from the relay is described again after a change of language (a camera
 * error keeps the words it had, its cause is not kept). */
function inCurrentLanguage(err) {
  return err && err.status ? { ...err, message: describeError(err) } : err;
}

/* The code and the name in the page's language ("TH-50 Chiang Mai"). */
function provinceLabel(p) {
  const name = currentLanguage() === 'th' ? p.name_th : p.name_en;
  return name ? p.code + ' ' + name : p.code;
}

/* The detail line under the state, from a 'statechange' info. */
function stateDetailText(info) {
  switch (info.kind) {
    case 'attempt':
      return info.attempt > 1 ? text('province.attempt', info.attempt) : '';
    case 'live':
      return info.province ? text('province.publishing-as', info.province) : '';
    case 'failed':
      /* Told in the state line and the takeover offer. */
      return takeoverKind(info.error) ? '' : sessionDetailText(info);
    default:
      return sessionDetailText(info);
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
  takeoverBox: document.getElementById('takeover-box'),
  takeOver: document.getElementById('take-over'),
  programState: document.getElementById('program-state'),
};

/* -------------------------------------------------------------- storage */

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

/* One events WebSocket with the office's token for both views below. */
const officeCredentials = () => ({ province: els.province.value, token: els.token.value.trim() });
const feed = new EventFeed(document.baseURI, () => officeCredentials().token);
/* The live briefing: this office's place in the agenda. */
const briefing = new ProvinceBriefing(officeCredentials, feed);
/* The office's own state: floor, microphone, recording, clips. */
const office = new ProvinceOffice(officeCredentials, feed, briefing);

const hook = Object.freeze(Object.create(null, {
  state: { get: () => session.state, enumerable: true },
  location: { get: () => session.location, enumerable: true },
  lastError: { get: () => session.lastError, enumerable: true },
  pc: { get: () => session.pc, enumerable: true },
  stats: { get: () => session.stats, enumerable: true },
  figures: { get: () => figures, enumerable: true },
  turn: { get: () => briefing.state(), enumerable: true },
  office: { get: () => office.state(), enumerable: true },
  takeover: { get: () => (session.state === 'error' ? takeoverKind(session.lastError) : null), enumerable: true },
}));
Object.defineProperty(window, 'briefing', {
  value: hook, writable: false, configurable: false, enumerable: true,
});

/* ------------------------------------------------------------ rendering */

let lastInfo = {};

function renderState(state, info) {
  lastInfo = info || {};
  els.state.dataset.state = state;
  els.stateText.textContent = stateText(STATE_TEXT, state, inCurrentLanguage(session.lastError));
  els.stateDetail.textContent = stateDetailText(lastInfo);
  /* Another device publishes as this office: stop there, and let the
   * user decide to take over (never by itself: that is how two devices
   * took the office from each other forever). */
  const offer = state === 'error' && Boolean(takeoverKind(session.lastError));
  const shown = offer && els.takeoverBox.hidden;
  els.takeoverBox.hidden = !offer;
  updateControls();
  if (shown) {
    /* Publish sits below the preview on a phone: bring the offer (and
     * the state line above it) into view. */
    els.takeoverBox.scrollIntoView({ block: 'center' });
    els.takeOver.focus({ preventScroll: true });
  }
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
program.addEventListener('stream', (ev) => { programVideo.srcObject = ev.detail; });
const PROGRAM_STATE_TEXT = {
  idle: () => text('province.program-waiting'),
  watching: () => text('province.program-watching'),
};

function renderProgramState() {
  const err = program.state === 'error' || program.state === 'reconnecting' ? program.lastError : null;
  els.programState.textContent = stateText(PROGRAM_STATE_TEXT, program.state, null) +
    (err ? ' — ' + err.message : '');
}
program.addEventListener('statechange', renderProgramState);

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
  briefing.load();
  office.load();
});
session.addEventListener('notice', (ev) => {
  const n = ev.detail;
  if (n.kind === 'no-location') {
    els.stateDetail.textContent = PAGE_TEXT.noLocation();
  } else if (n.kind === 'stopped') {
    els.stateDetail.textContent = text(n.released ? 'province.stopped' : 'province.stopped-unreleased');
  }
});

/* options.takeover: take the office over from another device. */
function publish(options = {}) {
  const missing = session.start(options);
  if (missing) {
    els[missing].focus();
  }
}

/* ------------------------------------------------------------ provinces */

function provinceFromUrl() {
  const p = new URLSearchParams(window.location.search).get('province');
  return p ? p.trim().toUpperCase() : '';
}

function fillProvinces(list, selected) {
  const select = els.province;
  select.textContent = '';
  select.add(new Option(PAGE_TEXT.chooseProvince(), ''));
  for (const p of list) {
    select.add(new Option(provinceLabel(p), p.code));
  }
  if (selected && !list.some((p) => p.code === selected)) {
    select.add(new Option(PAGE_TEXT.unknownProvince(selected), selected));
  }
  select.value = selected || '';
}

let provinceList = null; // as the relay gave it, to name them again in another language

async function loadProvinces() {
  const initial = els.province.value || provinceFromUrl() ||
    storageGet(LAST_PROVINCE_KEY) || '';
  try {
    const list = await fetchProvinces(document.baseURI);
    provinceList = list;
    /* The user may have picked something meanwhile: keep it. */
    fillProvinces(list, els.province.value || initial);
  } catch (e) {
    if (session.state === 'idle') {
      els.stateDetail.textContent = PAGE_TEXT.provinceListFailed(e.message);
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
  window.history.replaceState(null, '', addressWithProvince(window.location.href, code));
  credentialsChanged();
}

/* The office or its token changed: the event stream, then both views. */
function credentialsChanged() {
  feed.reconnect();
  briefing.load();
  office.load();
}

/* -------------------------------------------------------------- devices */

function fillDeviceSelect(select, devices, currentId, fallbackPrefix) {
  const keep = currentId || select.value;
  select.textContent = '';
  if (devices.length === 0) {
    select.add(new Option(text('province.no-device'), ''));
    return;
  }
  devices.forEach((d, i) => {
    select.add(new Option(d.label || text('province.device-n', fallbackPrefix, i + 1), d.deviceId));
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
  fillDeviceSelect(els.camera, found.cameras, found.cameraId, text('province.camera'));
  fillDeviceSelect(els.microphone, found.microphones, found.microphoneId,
    text('province.microphone'));
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
    els.stateDetail.textContent = PAGE_TEXT.tokenForgotten();
  });
  els.showToken.addEventListener('change', () => {
    els.token.type = els.showToken.checked ? 'text' : 'password';
  });
  els.takeOver.addEventListener('click', () => publish({ takeover: true }));
  els.camera.addEventListener('change', () => switchDevice('video'));
  els.microphone.addEventListener('change', () => switchDevice('audio'));

  window.addEventListener('pagehide', () => {
    session.releaseOnUnload();
  });

  renderState(session.state);
  renderProgramState();
  window.addEventListener('languagechange', () => {
    renderState(session.state, lastInfo);
    renderProgramState();
    if (provinceList) {
      fillProvinces(provinceList, els.province.value);
    }
    refreshDevices().catch(() => null);
  });
  loadProvinces();
  els.token.addEventListener('change', credentialsChanged);
  feed.start();
  briefing.load();
  office.load();

  if (!mediaAvailable()) {
    els.stateDetail.textContent = text('province.camera-unavailable');
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
