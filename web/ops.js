/* briefing-relay: the operations room's console (ops.html), the page's
 * entry module: it joins the parts and keeps the relay's state they show.
 * Plays /whep/mosaic (with the conference audio, minus the room itself:
 * the chair's token makes the relay treat this viewer as the central room)
 * and can publish the room's camera to /whip/central. The parts:
 *   ops-roster.js    every participant: state, level, quality, floor, mic
 *   ops-speaking.js  the fixed "Speaking: <office> (m:ss)" bar
 *   ops-mosaic.js    a click on the picture -> the office's tile; fullscreen
 *   ops-control.js   /api/v1/conference, with the offline-floor question
 *   ops-shortcuts.js keyboard shortcuts and their help
 *   ops-briefing.js  the briefing panel (roll call, agenda, turn clock)
 *   relay-watch.js   the relay out of reach: the banner; back: read it all
 * Live changes come from the events WebSocket; states and levels are polled
 * once a second. Every text comes from the catalogue (texts-ops.js). */

import { WhepSession } from './view-session.js';
import { WhipSession } from './publish-session.js';
import { storageGet, storageSet } from './local-storage.js';
import { BriefingApi, EventFeed } from './briefing-api.js';
import { OpsBriefing } from './ops-briefing.js';
import { startPageTexts } from './page-language.js';
import { text, formatTime } from './i18n.js';
import { stateText, sessionErrorDescriber, sessionDetailText } from './session-texts.js';
import { Roster } from './ops-roster.js';
import { SpeakingBanner } from './ops-speaking.js';
import { MosaicView } from './ops-mosaic.js';
import { ConferenceControl } from './ops-control.js';
import { installShortcuts } from './ops-shortcuts.js';
import { RelayWatch } from './relay-watch.js';
import { officeText } from './ops-format.js';
import './texts-ops.js';
import './ops-phone-link.js'; // the chair's "link for a phone" ([data-phone-link])

// Module scripts run after parsing: the static texts can be filled now.
startPageTexts();

const TOKEN_KEY = 'briefing.chair-token';
const POLL_MS = 1000;
const FETCH_TIMEOUT_MS = 5000;
const BACK_NOTICE_MS = 8000;

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
  error: document.getElementById('control-error'),
  takeFloor: document.getElementById('take-floor'),
  relayDown: document.getElementById('relay-down'),
};

const token = () => els.token.value.trim();
let conference = { floor: null, layout: 'mosaic', spotlight: null, unmuted: ['central'] };
let speaker = null;
let outputs = null;

/* ------------------------------------------------------------- the parts */

const roster = new Roster({
  tbody: document.getElementById('roster'),
  counts: document.getElementById('counts'),
  shown: document.getElementById('roster-shown'),
  filter: document.getElementById('roster-filter'),
  sort: document.getElementById('roster-sort'),
  search: document.getElementById('roster-search'),
}, {
  onFloor: (code) => control.giveFloor(code),
  onMute: (code, muted) => control.setMuted(code, muted),
});

const control = new ConferenceControl({
  baseUrl: document.baseURI,
  token,
  error: els.error,
  dialog: document.getElementById('floor-confirm'),
  dialogText: document.getElementById('floor-confirm-text'),
  participant: (code) => roster.participant(code),
  applied: applyConference,
});

const briefing = new OpsBriefing(new BriefingApi(document.baseURI, token));

const speaking = new SpeakingBanner({
  bar: document.getElementById('speaking'),
  office: document.getElementById('speaking-office'),
  clock: document.getElementById('speaking-clock'),
  note: document.getElementById('speaking-note'),
}, {
  names: (code) => roster.participant(code),
  turn: () => briefing.state().turn,
});

const mosaic = new MosaicView({
  frame: document.getElementById('mosaic-frame'),
  video: els.video,
  fullscreenButton: document.getElementById('fullscreen'),
  onTile: (id) => (id === 'central' ? null : control.giveFloor(id)),
  onError: (message) => control.showError(message),
});

/* ------------------------------------------------------ the mosaic viewer */

const describeError = sessionErrorDescriber({}, null);
const viewer = new WhepSession({
  baseUrl: document.baseURI,
  credentials: () => ({ province: 'mosaic', token: token() }),
  describeError,
});
let viewerInfo = {};
const VIEWER_TEXTS = { idle: () => text('ops.state-idle'), watching: () => text('ops.state-watching') };
function renderViewer() {
  const err = viewer.lastError ? { ...viewer.lastError, message: describeError(viewer.lastError) } : null;
  const detail = viewer.state === 'error' ? '' : sessionDetailText(
    viewerInfo.kind === 'retry' ? { ...viewerInfo, error: err || viewerInfo.error } : viewerInfo);
  els.state.dataset.state = viewer.state;
  els.stateText.textContent = stateText(VIEWER_TEXTS, viewer.state, err) + (detail ? ' — ' + detail : '');
  els.connect.disabled = viewer.active;
  els.disconnect.disabled = !viewer.active;
  els.publish.disabled = !viewer.active;
}
viewer.addEventListener('statechange', (ev) => {
  viewerInfo = ev.detail.info || {};
  renderViewer();
});
viewer.addEventListener('stream', (ev) => { els.video.srcObject = ev.detail; });
viewer.addEventListener('accepted', (ev) => storageSet(TOKEN_KEY, ev.detail.token));

let publisher = null;
function renderPublish() {
  els.publish.textContent = text(publisher && publisher.active ? 'ops.unpublish' : 'ops.publish');
}
function togglePublish() {
  if (publisher && publisher.active) {
    publisher.stop();
  } else {
    publisher = new WhipSession({
      baseUrl: document.baseURI,
      getStream: () => navigator.mediaDevices.getUserMedia({
        audio: true, video: { width: 1280, height: 720, frameRate: 15 },
      }),
      credentials: () => ({ province: 'central', token: token() }),
      describeError,
    });
    publisher.addEventListener('statechange', renderPublish);
    publisher.start();
  }
  renderPublish();
}

/* ------------------------------------------------------ the relay's state */

function applyConference(c) {
  if (c && typeof c === 'object') {
    conference = {
      floor: c.floor || null, layout: c.layout || 'mosaic', spotlight: c.spotlight || null,
      unmuted: c.unmuted || [],
    };
  }
  roster.applyConference(conference);
  // How long the holder has held the floor, when the relay says (its
  // conference document; events carry no duration).
  speaking.setConference({ ...conference, floor_held_ms: c && c.floor_held_ms });
  for (const b of document.querySelectorAll('[data-layout]')) {
    b.setAttribute('aria-pressed', String(b.dataset.layout === conference.layout));
  }
}

function setSpeaker(id) {
  speaker = id || null;
  roster.setSpeaker(speaker);
  speaking.setSpeaker(speaker);
}

/* A status document, with the chair's token when the page has one: the
 * relay shows sessions and counters (the quality dots need them) to the
 * viewer roles only (docs/API.md, "Status"). A token it does not know (one
 * being typed) is refused with 401: the public state meanwhile. */
async function fetchStatus(path) {
  const url = new URL(path, document.baseURI);
  // A relay that stops answering must not stop the polling.
  const options = { cache: 'no-store', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) };
  if (token()) {
    const res = await fetch(url, { ...options, headers: { Authorization: 'Bearer ' + token() } });
    if (res.status !== 401) {
      return res;
    }
  }
  return fetch(url, options);
}

function renderOutputs() {
  if (!outputs) {
    els.info.textContent = '';
    return;
  }
  const m = outputs.mosaic;
  const source = outputs.program.source;
  els.info.textContent = text('ops.mosaic-info', {
    width: m.width, height: m.height, codec: m.codec, fps: m.fps,
    program: officeText(roster.participant(source) || { code: source }),
    members: (outputs.audio.members || []).length,
  });
}

async function readOutputs() {
  const res = await fetchStatus('api/v1/outputs');
  if (res.ok) {
    outputs = await res.json();
    mosaic.setLayout(outputs.mosaic);
    roster.setOrder(mosaic.order());
    if ('active_speaker' in outputs && !feed.open) {
      setSpeaker(outputs.active_speaker);
    }
    renderOutputs();
  }
}

async function readParticipants() {
  const res = await fetchStatus('api/v1/provinces');
  if (res.ok) {
    roster.update(await res.json(), performance.now());
    speaking.render();
  }
}

async function poll() {
  try {
    await readParticipants();
    await readOutputs();
  } catch (e) {
    /* Out of reach: relay-watch.js says so; the next poll tries again. */
  } finally {
    window.setTimeout(poll, POLL_MS);
  }
}

async function loadConference() {
  try {
    const res = await fetch(new URL('api/v1/conference', document.baseURI),
      { cache: 'no-store', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (res.ok) {
      applyConference(await res.json());
    }
  } catch (e) {
    /* out of reach: read again on reconnection */
  }
}

/* Everything the page shows from the relay, read again: after the relay
 * was out of reach it may be another process (a restart) whose state has
 * nothing to do with what the page last saw. */
function reloadAll() {
  speaking.forgetTimes();
  setSpeaker(null);
  loadConference();
  readParticipants().catch(() => null);
  readOutputs().catch(() => null);
  if (token()) {
    briefing.load();
  }
}

/* --------------------------------------------------- events and the relay */

const feed = new EventFeed(document.baseURI, token);
feed.addEventListener('open', (ev) => {
  if (!ev.detail.complete) {
    /* First connection, or events lost while away: read the state again. */
    loadConference();
    if (token()) {
      briefing.load();
    }
  }
});
feed.addEventListener('event', (ev) => {
  const e = ev.detail;
  if (e.type === 'floor') {
    speaking.floorChanged(e.province || null, performance.now());
    loadConference();
  } else if (e.type === 'mute' || e.type === 'layout') {
    loadConference();
    if (e.type === 'layout') {
      readOutputs().catch(() => null);
    }
  } else if (e.type === 'active-speaker') {
    setSpeaker(e.participant);
  } else if (e.type === 'takeover') {
    /* The office's row shows it (its status has the count). */
    readParticipants().catch(() => null);
  } else {
    briefing.onEvent(e);
  }
});

const watch = new RelayWatch(document.baseURI, feed);
let backTimer = null;
function renderRelayState() {
  clearTimeout(backTimer);
  const down = !watch.reachable;
  document.body.classList.toggle('relay-unreachable', down);
  els.relayDown.dataset.state = down ? 'down' : 'back';
  els.relayDown.textContent = down ? text('ops.relay-down', formatTime(watch.since, true)) : text('ops.relay-back');
}
watch.addEventListener('change', () => {
  renderRelayState();
  els.relayDown.hidden = false;
  if (watch.reachable) {
    backTimer = window.setTimeout(() => { els.relayDown.hidden = true; }, BACK_NOTICE_MS);
  }
});
watch.addEventListener('reconnected', reloadAll);

/* ------------------------------------------------------------ the controls */

function muteHolder() {
  if (!conference.floor) {
    control.showError(text('ops.nobody'));
    return;
  }
  control.setMuted(conference.floor, conference.unmuted.includes(conference.floor));
}

function nextOnAgenda() {
  const b = briefing.state();
  if (b.state !== 'live') {
    control.showError(text('ops.no-briefing-live'));
    return;
  }
  document.getElementById('agenda-next').click();
}

const shortcuts = installShortcuts({
  actions: {
    grid: () => control.setLayout('mosaic'),
    spotlight: () => control.setLayout('spotlight'),
    next: nextOnAgenda,
    takeBack: () => control.takeBack(),
    muteHolder,
    fullscreen: () => mosaic.toggleFullscreen().catch(() => control.showError(text('ops.fullscreen-refused'))),
  },
  help: document.getElementById('help'),
  openers: [document.getElementById('help-open')],
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
els.takeFloor.addEventListener('click', () => control.takeBack());
for (const b of document.querySelectorAll('[data-layout]')) {
  b.addEventListener('click', () => control.setLayout(b.dataset.layout));
}
window.addEventListener('languagechange', () => {
  renderViewer();
  renderPublish();
  renderOutputs();
  if (!els.relayDown.hidden) {
    renderRelayState();
  }
});

/* For tests and the console. */
window.briefingOps = {
  viewer: () => ({ state: viewer.state, active: viewer.active }),
  conference: () => ({ ...conference, speaker }),
  briefing: () => briefing.state(),
  roster: () => roster.state(),
  speaking: () => speaking.state(),
  relay: () => ({ reachable: watch.reachable, feedOpen: watch.feedOpen }),
  asking: () => control.asking(),
  fullscreen: () => mosaic.fullscreen,
  lastShortcut: () => shortcuts.lastAction(),
};

// The token typed once and remembered in this browser: never from the
// URL, which the relay refuses when it carries one (docs/API.md). A wall
// display opens ops.html?autostart=1 once its token is remembered.
els.token.value = storageGet(TOKEN_KEY) || '';
renderViewer();
renderPublish();
applyConference();
poll();
loadConference();
briefing.loadOffices();
feed.start();
watch.start();
if (els.token.value && new URLSearchParams(window.location.search).has('autostart')) {
  viewer.start();
}
