/* briefing-relay: the viewer page of the chair and the minister, also on a
 * phone (390x844): the picture first, the live offices under it to switch
 * with a tap or a swipe, full screen, and signing in once.
 *
 * Watches one office (or the mosaic) through the relay with WHEP (POST
 * /whep/province/<code>: the office's own encoded media, no transcoding).
 * The credential is either a viewer's token typed here (sent as a bearer
 * token and remembered in localStorage, as before), or a sign-in session:
 * the typed token exchanged once for a cookie ("Sign in on this device"),
 * or the one-time link the chair made for a phone (#signin=<code>). Signed
 * in, the page sends no token at all. The list of offices and their states
 * come from the status API every 5 s, and at once from the events stream
 * when the page has a credential.
 *
 * This module is the page: element lookups, texts, localStorage, and the
 * wiring of view-session.js (viewing, no DOM), watch-stage.js (the
 * picture), watch-signin.js (signing in) and the events feed.
 *
 * Read-only test hook: window.briefingWatch = {state, location, lastError,
 * pc, stats, media, signedIn, live}.
 *   state     'idle' | 'connecting' | 'watching' | 'reconnecting' | 'error'
 *   location  absolute URL of the WHEP session resource, or null
 *   lastError null or {status, error, reason, message} (status 0 = no HTTP)
 *   pc        the current RTCPeerConnection or null
 *   stats     last receive statistics snapshot or null
 *   media     what the picture shows: 'idle' | 'waiting' | 'playing' | 'error'
 *   signedIn  the sign-in session ({name, role, via, expires_at}) or null
 *   live      the codes the live list offers, in order ('mosaic' first)
 */

import { WhepSession } from './view-session.js';
import { EventFeed } from './briefing-api.js';
import { storageGet, storageSet, storageRemove } from './local-storage.js';
import { fetchProvinces, addressWithProvince } from './province-list.js';
import { PAGE_TEXT, sessionErrorDescriber, stateText, sessionDetailText } from './session-texts.js';
import { startPageTexts } from './page-language.js';
import { text, currentLanguage } from './i18n.js';
import { WatchStage } from './watch-stage.js';
import { WatchSignin } from './watch-signin.js';
import './texts-watch.js';

// Module scripts run after parsing: the static texts can be filled now.
startPageTexts();

const PROVINCE_REFRESH_MS = 5000;
const TOKEN_KEY = 'briefing.viewerToken';
const LAST_PROVINCE_KEY = 'briefing.watch.lastProvince';
const PARTICIPANT_STATES = new Set(['live', 'connecting', 'lost', 'offline']);

/* ------------------------------------------------------------- elements */

const els = {
  form: document.getElementById('watch-form'),
  province: document.getElementById('province'),
  provinceState: document.getElementById('province-state'),
  tokenBlock: document.getElementById('token-block'),
  token: document.getElementById('token'),
  showToken: document.getElementById('show-token'),
  forgetToken: document.getElementById('forget-token'),
  signIn: document.getElementById('sign-in'),
  signedIn: document.getElementById('signed-in'),
  signedInText: document.getElementById('signed-in-text'),
  signOut: document.getElementById('sign-out'),
  signinMessage: document.getElementById('signin-message'),
  watch: document.getElementById('watch'),
  stop: document.getElementById('stop'),
  stage: document.getElementById('stage'),
  video: document.getElementById('video'),
  stageMessage: document.getElementById('stage-message'),
  stageOffice: document.getElementById('stage-office'),
  fullscreen: document.getElementById('fullscreen'),
  unmute: document.getElementById('unmute'),
  liveOffices: document.getElementById('live-offices'),
  liveCount: document.getElementById('live-count'),
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

/* code -> the office's last status-API entry (states also from events) */
const provinces = new Map();
/* The last 'statechange' info, to word the detail again in another language. */
let lastInfo = {};

/* The minister may also watch the mosaic of every office. */
const MOSAIC = 'mosaic';

/* ------------------------------------------------------------- session */

const signin = new WatchSignin(document.baseURI, {
  tokenBlock: els.tokenBlock,
  token: els.token,
  signIn: els.signIn,
  signedIn: els.signedIn,
  signedInText: els.signedInText,
  signOut: els.signOut,
  message: els.signinMessage,
}, {
  tokenExchanged: () => storageRemove(TOKEN_KEY),
  /* A session made with the cookie is ended while the cookie works. */
  beforeSignOut: async () => {
    if (session.active) {
      await session.stop();
    }
  },
});
const signedIn = () => signin.session;

/* The message of a WhepSession error ({status, error, reason, cause}). */
const describeError = sessionErrorDescriber({
  401: () => text(signedIn() ? 'watch.error-401-signed-in' : 'session.http-401'),
  403: () => text('watch.error-403'),
  406: () => text('watch.error-406'),
});

const session = new WhepSession({
  baseUrl: document.baseURI,
  credentials: () => ({
    province: els.province.value,
    token: signedIn() ? '' : els.token.value.trim(),
    signedIn: Boolean(signedIn()),
  }),
  describeError: describeError,
});

const stage = new WatchStage({
  stage: els.stage,
  video: els.video,
  message: els.stageMessage,
  office: els.stageOffice,
  fullscreen: els.fullscreen,
});

/* The events stream: office states at once rather than at the next poll.
 * With a token only once the relay accepted it (a wrong one must not be
 * sent again every few seconds), or with the sign-in cookie. */
let feedToken = '';
const feed = new EventFeed(document.baseURI, () => (signedIn() ? '' : feedToken),
  { signedIn: () => Boolean(signedIn()) });

function liveCodes() {
  const codes = [MOSAIC];
  for (const p of provinces.values()) {
    if (p.code !== MOSAIC && p.state === 'live') {
      codes.push(p.code);
    }
  }
  return codes;
}

const hook = Object.freeze(Object.create(null, {
  state: { get: () => session.state, enumerable: true },
  location: { get: () => session.location, enumerable: true },
  lastError: { get: () => session.lastError, enumerable: true },
  pc: { get: () => session.pc, enumerable: true },
  stats: { get: () => session.stats, enumerable: true },
  media: { get: () => els.stage.dataset.media, enumerable: true },
  signedIn: { get: () => signedIn(), enumerable: true },
  live: { get: () => liveCodes(), enumerable: true },
}));
Object.defineProperty(window, 'briefingWatch', {
  value: hook, writable: false, configurable: false, enumerable: true,
});

/* ---------------------------------------------------------------- texts */

const PAGE_STATES = {
  idle: () => text('watch.state-idle'),
  watching: () => text('watch.state-watching'),
};

function participantState(state) {
  return PARTICIPANT_STATES.has(state) ? text('participant.' + state) : String(state || '');
}

/* An office as the page names it: code and name in the page's language. */
function officeLabel(code) {
  if (code === MOSAIC) {
    return text('watch.mosaic-name');
  }
  const p = provinces.get(code);
  if (!p) {
    return code;
  }
  const name = currentLanguage() === 'th' ? p.name_th || p.name_en : p.name_en || p.name_th;
  return [p.code, name].filter(Boolean).join(' ');
}

/* ------------------------------------------------------------ rendering */

/* An error of the session worded in the page's language now (its message
 * was worded when it happened, perhaps in the other language). */
function worded(err) {
  return err ? { ...err, message: describeError({
    status: err.status, error: err.error, reason: err.reason, cause: err.reason,
  }) } : null;
}

/* While watching: a picture, or why there is none yet. */
function watchingDetail() {
  const code = session.province;
  const stats = session.stats;
  if (stats && stats.receiving) {
    return text('watch.detail-watching', officeLabel(code));
  }
  const p = provinces.get(code);
  if (p && p.state && p.state !== 'live') {
    return text('watch.detail-not-sending', participantState(p.state));
  }
  return text('watch.detail-waiting');
}

/* The detail line under the state, from a 'statechange' info. */
function stateDetailText(info) {
  switch (info.kind) {
    case 'attempt':
      return text('watch.detail-attempt', info.attempt, officeLabel(info.province));
    case 'switching':
      return text('watch.detail-switching', officeLabel(info.province));
    case 'watching':
      return watchingDetail();
    case 'retry':
      return sessionDetailText({ ...info, error: worded(info.error) });
    default:
      return sessionDetailText(info);
  }
}

function setDetail(value) {
  /* aria-live: announce changes only */
  if (els.stateDetail.textContent !== value) {
    els.stateDetail.textContent = value;
  }
}

/* The picture: idle card, amber while waiting for media, the video, or
 * the error. */
function renderStage() {
  renderStageKind();
  /* The state line is amber too while the picture waits. */
  els.state.dataset.media = els.stage.dataset.media;
}

function renderStageKind() {
  const state = session.state;
  const code = session.active || state === 'error' ? session.province : els.province.value;
  stage.setOffice(code ? officeLabel(code) : '');
  if (state === 'error') {
    stage.show('error', session.lastError ? worded(session.lastError).message : text('watch.stage-error'));
  } else if (!session.active) {
    stage.show('idle', text('watch.stage-idle'));
  } else if (state === 'watching' && session.stats && session.stats.receiving) {
    stage.show('playing');
  } else {
    const p = provinces.get(code);
    const notSending = code !== MOSAIC && p && p.state && p.state !== 'live';
    stage.show('waiting', text(notSending ? 'watch.stage-not-sending' : 'watch.stage-waiting',
      officeLabel(code)));
  }
}

function renderState(state, info) {
  if (info) {
    lastInfo = info;
  }
  els.state.dataset.state = state;
  els.stateText.textContent = stateText(PAGE_STATES, state, worded(session.lastError));
  setDetail(stateDetailText(lastInfo));
  updateControls();
  /* The pressed chip follows the session at once (a switch starts a new
   * one), not at the next refresh of the live list. */
  renderLiveOffices();
  renderStage();
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
  renderStage();
}

function renderUnmute() {
  const muted = els.video.muted;
  els.unmute.textContent = text(muted ? 'watch.unmute' : 'watch.mute');
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
  if (ev.detail.state === 'error' && session.lastError && session.lastError.status === 401 && signedIn()) {
    /* The cookie's session ended (signed out elsewhere, expired, a relay
     * restart): say so and offer the sign-in again. */
    signin.refresh();
  }
});
session.addEventListener('stats', (ev) => {
  renderStats(ev.detail);
});
session.addEventListener('stream', (ev) => {
  showStream(ev.detail);
});
session.addEventListener('accepted', (ev) => {
  /* The relay accepted the token: remember it (signed in, there is none). */
  if (ev.detail.token) {
    storageSet(TOKEN_KEY, ev.detail.token);
    if (feedToken !== ev.detail.token) {
      feedToken = ev.detail.token;
      feed.reconnect();
    }
  }
  storageSet(LAST_PROVINCE_KEY, ev.detail.province);
});
session.addEventListener('notice', (ev) => {
  const n = ev.detail;
  if (n.kind === 'no-location') {
    setDetail(PAGE_TEXT.noLocation());
  } else if (n.kind === 'stopped') {
    setDetail(text(n.released ? 'watch.stopped' : 'watch.stopped-unreleased'));
  }
});

/* Watch, keeping the picture in view: a phone's keyboard (the token
 * field) or a scrolled form must not leave it off the screen. */
function watch() {
  if (document.activeElement && document.activeElement.blur &&
      document.activeElement.tagName === 'INPUT') {
    document.activeElement.blur();
  }
  const missing = session.start();
  if (missing) {
    els[missing].focus();
    return;
  }
  els.stage.scrollIntoView({ block: 'nearest' });
}

/* ---------------------------------------------------------- live offices */

let liveSignature = '';

/* The live offices as buttons, the one being watched pressed. Rebuilt only
 * when something it shows changed: a tap must not land on a button being
 * replaced. */
function renderLiveOffices() {
  const codes = liveCodes();
  const current = session.active ? session.province : els.province.value;
  const signature = [currentLanguage(), current, ...codes.map((c) => c + '=' + officeLabel(c))].join('|');
  els.liveCount.textContent = text('watch.live-count', codes.length - 1);
  if (signature === liveSignature) {
    return;
  }
  liveSignature = signature;
  els.liveOffices.textContent = '';
  for (const code of codes) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'live-chip';
    button.dataset.code = code;
    button.setAttribute('aria-pressed', code === current ? 'true' : 'false');
    if (code === MOSAIC) {
      button.textContent = text('watch.mosaic-short');
    } else {
      const p = provinces.get(code);
      const name = currentLanguage() === 'th' ? p.name_th || p.name_en : p.name_en || p.name_th;
      button.textContent = name || code;
      const small = document.createElement('span');
      small.className = 'chip-code';
      small.textContent = code;
      button.append(small);
    }
    li.append(button);
    els.liveOffices.append(li);
  }
  if (codes.length === 1) {
    const li = document.createElement('li');
    li.className = 'live-empty';
    li.textContent = text('watch.live-none');
    els.liveOffices.append(li);
  }
}

/* Watch `code`: switching when watching, starting otherwise. */
function chooseOffice(code) {
  if (![...els.province.options].some((o) => o.value === code)) {
    els.province.add(new Option(officeLabel(code), code));
  }
  els.province.value = code;
  onProvinceChange();
  if (!session.active) {
    watch();
  }
  els.stage.scrollIntoView({ block: 'nearest' });
}

/* A swipe or an arrow key: the next or previous live office. */
function stepOffice(delta) {
  const codes = liveCodes();
  const current = session.active ? session.province : els.province.value;
  const at = codes.indexOf(current);
  const next = at < 0 ? (delta > 0 ? 0 : codes.length - 1)
    : (at + delta + codes.length) % codes.length;
  if (codes[next] && codes[next] !== current) {
    chooseOffice(codes[next]);
  }
}

/* ------------------------------------------------------------ provinces */

function provinceFromUrl() {
  const p = new URLSearchParams(window.location.search).get('province');
  if (p && p.trim().toLowerCase() === MOSAIC) {
    return MOSAIC;
  }
  return p ? p.trim().toUpperCase() : '';
}

function optionText(p) {
  if (p.code === MOSAIC) {
    return text('watch.mosaic-name');
  }
  const state = participantState(p.state);
  return officeLabel(p.code) + (state ? ' — ' + state : '');
}

/* The state of the chosen office, next to the picker. */
function renderProvinceState() {
  const p = provinces.get(els.province.value);
  const badge = els.provinceState;
  if (!p) {
    badge.dataset.state = 'unknown';
    badge.textContent = els.province.value ? text('watch.unknown') : '–';
    return;
  }
  let value = participantState(p.state);
  if (p.state === 'live' && p.video && p.video.width) {
    value += ' · ' + p.video.width + '×' + p.video.height +
      (typeof p.video.fps === 'number' && p.video.fps > 0
        ? ' ' + p.video.fps.toFixed(0) + ' ' + text('watch.unit-fps') : '') +
      (p.video.codec ? ' ' + p.video.codec : '');
  }
  badge.dataset.state = p.state;
  badge.textContent = value;
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
      const label = optionText(p);
      if (opt.textContent !== label) {
        opt.textContent = label;
      }
    });
    select.options[0].textContent = PAGE_TEXT.chooseProvince();
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

/* Everything drawn from the offices' states. */
function renderOffices() {
  fillProvinces([...provinces.values()], els.province.value);
  renderLiveOffices();
  renderStage();
  if (session.state === 'watching') {
    setDetail(watchingDetail());
  }
}

async function loadProvinces() {
  const selected = els.province.value || provinceFromUrl() || storageGet(LAST_PROVINCE_KEY) || '';
  try {
    const list = [{ code: MOSAIC, state: 'live' }, ...await fetchProvinces(document.baseURI)];
    provinces.clear();
    for (const p of list) {
      provinces.set(p.code, p);
    }
    /* The user may have picked something meanwhile: keep it. */
    fillProvinces(list, els.province.value || selected);
    renderLiveOffices();
    renderStage();
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
  renderLiveOffices();
  renderStage();
}

feed.addEventListener('event', (ev) => {
  const e = ev.detail;
  if (e.type !== 'province-state' || !provinces.has(e.province)) {
    return;
  }
  const p = provinces.get(e.province);
  if (p.state !== e.state) {
    provinces.set(e.province, { ...p, state: e.state });
    renderOffices();
  }
});
feed.addEventListener('close', (ev) => {
  /* A token the stream refuses is not sent again until another is accepted. */
  if (ev.detail.refused && !signedIn()) {
    feedToken = '';
  }
});

/* ----------------------------------------------------------------- init */

function renderAll() {
  renderState(session.state);
  renderStats(session.stats);
  renderUnmute();
  stage.renderFullscreen();
  if (provinces.size) {
    renderOffices();
  } else {
    els.province.options[0].textContent = els.province.options.length > 1
      ? PAGE_TEXT.chooseProvince() : text('watch.loading');
  }
  signin.render();
  renderLiveOffices();
}

function init() {
  const initial = provinceFromUrl() || storageGet(LAST_PROVINCE_KEY) || '';
  els.province.options[0].textContent = text('watch.loading');
  if (initial) {
    /* Usable before the list arrives (and if it never does). */
    fillProvinces([], initial);
    els.province.options[els.province.selectedIndex].textContent = initial;
  }
  els.token.value = storageGet(TOKEN_KEY) || '';
  feedToken = els.token.value;
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
    feedToken = '';
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
  els.liveOffices.addEventListener('click', (ev) => {
    const button = ev.target.closest('button[data-code]');
    if (button) {
      chooseOffice(button.dataset.code);
    }
  });
  stage.addEventListener('step', (ev) => stepOffice(ev.detail.delta));
  /* Signed in or out: the events stream goes with the new credential. */
  signin.addEventListener('change', () => feed.reconnect());
  window.addEventListener('languagechange', () => {
    liveSignature = '';
    renderAll();
  });
  window.addEventListener('pagehide', () => {
    session.releaseOnUnload();
  });

  renderAll();
  loadProvinces();
  feed.start();
  signin.start(window.location.hash);
}

init();
