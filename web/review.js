/* briefing-relay: the review console (review.html). Briefings by date
 * (GET /api/v1/briefings?from=&to=); one chosen plays its program
 * recording (review-player.js: its files as one timeline) with the
 * chapters, one per turn (a click seeks to the turn), the figures of the
 * office whose turn plays beside the player, the roll call, the turn's own
 * recording and clip, and the exports: the chapter as MP4 (the signed
 * export link with start and duration), the report CSV and the printable
 * page. A live briefing is read again every few seconds and at each of its
 * turn events, so its earlier part can be reviewed while it goes on. A
 * token of the chair, the minister or a viewer. Every text in the page's
 * language (texts-review.js); a change of language draws the page again
 * from the documents it holds, the player untouched.
 *
 * Test hook: window.briefingReview = {state(), seek(ms), select(id)}. */

import { BriefingApi, EventFeed } from './briefing-api.js';
import {
  briefingStateText, requestErrorText, bangkokTime, bangkokToday, clockText, programSegments, turnAt,
  turnSpan,
} from './briefing-format.js';
import { SegmentPlayer } from './review-player.js';
import {
  renderList, renderChapters, markChapter, renderFigures, renderAttendance,
} from './review-panels.js';
import { storageGet, storageSet } from './local-storage.js';
import { text, formatDate } from './i18n.js';
import { DateField } from './date-field.js';
import { startPageTexts } from './page-language.js';
import './texts-review.js';

// Module scripts run after parsing: the static texts can be filled now.
startPageTexts();

const TOKEN_KEY = 'briefing.chair-token';
const LIVE_REFRESH_MS = 10000;
const EVENT_REFRESH_DELAY_MS = 800;

const els = {
  form: document.getElementById('review-form'),
  token: document.getElementById('token'),
  from: document.getElementById('from'),
  to: document.getElementById('to'),
  state: document.getElementById('state'),
  stateText: document.getElementById('state-text'),
  error: document.getElementById('error'),
  rows: document.getElementById('briefing-rows'),
  heading: document.getElementById('player-heading'),
  info: document.getElementById('briefing-info'),
  video: document.getElementById('player'),
  playerState: document.getElementById('player-state'),
  figures: document.getElementById('turn-figures'),
  figuresHeading: document.getElementById('figures-heading'),
  exportChapter: document.getElementById('export-chapter'),
  exportCsv: document.getElementById('export-csv'),
  printReport: document.getElementById('print-report'),
  chapters: document.getElementById('chapters'),
  attendance: document.getElementById('attendance-body'),
  attendanceCounts: document.getElementById('attendance-counts'),
};

const api = new BriefingApi(document.baseURI, () => els.token.value.trim());
const resolve = (u) => new URL(u.replace(/^\//, ''), document.baseURI).href;

let list = [];
let selected = null;      // id
let detail = null;        // its detail as last read
let segments = [];
let chapterItems = new Map();
let shownTurn = null;     // the turn whose figures show
let schema = null;
let liveTimer = null;
let eventTimer = null;
let detailReads = 0;
let stateText = () => '';   // the state line, as a function of the language
let errorText = () => '';   // the error line, likewise
const from = new DateField(els.from);
const to = new DateField(els.to);

const player = new SegmentPlayer(els.video, {
  resolve,
  /* Links expired or a growing file ran out: read the briefing again. */
  onStale: async () => {
    const d = await readDetail();
    return d ? segments : null;
  },
});
player.addEventListener('position', (ev) => showPosition(ev.detail));

/* words: () => the text, called again at a change of language. */
function setState(state, words) {
  stateText = words;
  els.state.dataset.state = state;
  els.stateText.textContent = words();
}

/* What failed (whatKey: the catalogue's name of what was being read) and
 * why; null clears it. The relay's own reason is English, for the log:
 * the console has it. */
function showError(e, whatKey) {
  errorText = e ? () => text('review.failed', text(whatKey), requestErrorText(e)) : () => '';
  els.error.textContent = errorText();
  if (e) console.warn('briefing-relay:', e.message);
}

/* ------------------------------------------------------------ the list */

async function loadList() {
  if (!els.token.value.trim()) {
    setState('error', () => text('session.input-token'));
    return;
  }
  try {
    list = await api.list(from.iso, to.iso, 200);
    storageSet(TOKEN_KEY, els.token.value.trim());
    showError(null);
    renderList(els.rows, list, selected, select);
    const count = list.length;
    setState('live', () => text('review.count', count));
  } catch (e) {
    showError(e, 'review.what-list');
    setState('error', () => text('request.failed'));
  }
}

/* ------------------------------------------------------- one briefing */

async function select(id) {
  if (selected !== id) {
    selected = id;
    detail = null;
    segments = [];
    shownTurn = null;
    player.reset();
    const url = new URL(window.location.href);
    url.searchParams.set('id', String(id));
    window.history.replaceState(null, '', url);
  }
  for (const tr of els.rows.children) {
    tr.classList.toggle('selected', tr.dataset.id === String(id));
  }
  if (!schema) {
    api.schema().then((s) => {
      schema = s;
      renderFigures(els.figures, els.figuresHeading, shownTurn, schema);
    }).catch(() => null);
  }
  await readDetail();
}

/* Reads the chosen briefing again: fresh links, the turns so far. */
async function readDetail() {
  const id = selected;
  if (!id) {
    return null;
  }
  try {
    const d = await api.detail(id);
    detailReads++;
    if (id !== selected) {
      return null;
    }
    showError(null);
    applyDetail(d);
    return d;
  } catch (e) {
    showError(e, 'review.what-briefing');
    return null;
  }
}

function applyDetail(d) {
  detail = d;
  segments = programSegments(d.recordings);
  const live = d.state === 'live';
  renderDetail();
  player.setSegments(segments, { live });
  els.exportCsv.disabled = false;
  els.printReport.href = `briefing-report.html?id=${encodeURIComponent(d.id)}`;
  els.printReport.removeAttribute('aria-disabled');
  /* The turn showing may have new figures or files: render it again. */
  const again = shownTurn && (d.turns || []).find((t) => t.id === shownTurn.id);
  shownTurn = null;
  showPosition(player.position(), again || null);
  scheduleLiveRefresh(live);
}

/* The chosen briefing's texts: its heading, the line under it, the
 * chapters and the roll call. */
function renderDetail() {
  const d = detail;
  els.heading.textContent = `${formatDate(d.date)} — ${d.title}`;
  const c = d.counts || {};
  els.info.textContent = [
    briefingStateText(d.state),
    `${bangkokTime(d.started_at)}–${d.ended_at ? bangkokTime(d.ended_at) : '…'}`,
    clockText((d.duration_s || 0) * 1000),
    text('review.turns', (d.turns || []).length),
    ...(segments.length ? [] : [text('review.no-recording')]),
  ].join(' · ');
  els.attendanceCounts.textContent = text('review.attendance-counts', (c.present || 0) + (c.late || 0),
    c.expected, c.late, c.absent);
  chapterItems = renderChapters(els.chapters, d.turns, segments, seekTurn);
  markChapter(chapterItems, shownTurn ? shownTurn.id : null);
  renderAttendance(els.attendance, d.attendance);
}

/* A change of language: what the page drew, again. */
function redraw() {
  els.stateText.textContent = stateText();
  els.error.textContent = errorText();
  renderList(els.rows, list, selected, select);
  if (!detail) {
    els.heading.textContent = text('review.choose');
    renderFigures(els.figures, els.figuresHeading, null, schema);
    return;
  }
  renderDetail();
  renderFigures(els.figures, els.figuresHeading, shownTurn, schema);
  showPlayerState(player.position());
}

function scheduleLiveRefresh(live) {
  clearTimeout(liveTimer);
  liveTimer = live ? window.setTimeout(readDetail, LIVE_REFRESH_MS) : null;
}

function seekTurn(turn, span) {
  if (!span) {
    return;
  }
  player.seek(span.startMs, { play: true });
  showPosition(span.startMs, turn);
}

/* What plays at timeline ms: its chapter, its office's figures, the
 * export of that chapter. `turn` forces the chapter (a click). */
function showPosition(ms, turn) {
  if (!detail) {
    return;
  }
  const t = turn || turnAt(detail.turns, segments, ms);
  showPlayerState(ms);
  if (!t && shownTurn) {
    return; // between turns: keep the last office's figures in view
  }
  if (t && shownTurn && t.id === shownTurn.id) {
    return;
  }
  shownTurn = t;
  markChapter(chapterItems, t ? t.id : null);
  renderFigures(els.figures, els.figuresHeading, t, schema);
  const span = t ? turnSpan(t, segments) : null;
  if (span && detail.export_url) {
    const start = (span.startMs / 1000).toFixed(3);
    const duration = Math.max(1, (span.endMs - span.startMs) / 1000).toFixed(3);
    els.exportChapter.href = resolve(`${detail.export_url}&start=${start}&duration=${duration}`);
    els.exportChapter.removeAttribute('aria-disabled');
  } else {
    els.exportChapter.removeAttribute('href');
    els.exportChapter.setAttribute('aria-disabled', 'true');
  }
}

function showPlayerState(ms) {
  els.playerState.textContent = segments.length
    ? text('review.position', clockText(ms), player.index + 1, segments.length) : '';
}

async function downloadCsv() {
  if (!detail) {
    return;
  }
  try {
    const blob = await api.blob(`api/v1/briefings/${detail.id}/report.csv`);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `briefing-${detail.date}-${detail.id}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (e) {
    showError(e, 'review.what-csv');
  }
}

/* ------------------------------------------------------------- events */

const feed = new EventFeed(document.baseURI, () => els.token.value.trim());
feed.addEventListener('event', (ev) => {
  const e = ev.detail;
  if (e.type === 'briefing-started' || e.type === 'briefing-ended') {
    if (els.token.value.trim()) loadList();
  }
  const id = typeof e.briefing === 'object' && e.briefing ? e.briefing.id : e.briefing;
  if (selected && id === selected && /^(turn-|recording|briefing-ended)/.test(e.type)) {
    clearTimeout(eventTimer);
    eventTimer = window.setTimeout(readDetail, EVENT_REFRESH_DELAY_MS);
  }
});

/* --------------------------------------------------------------- start */

const params = new URLSearchParams(window.location.search);
// Typed once and remembered: a token never travels in a URL (docs/API.md).
els.token.value = storageGet(TOKEN_KEY) || '';
from.iso = params.get('from') || bangkokToday(-7);
to.iso = params.get('to') || bangkokToday();
els.heading.textContent = text('review.choose');
renderFigures(els.figures, els.figuresHeading, null, null);
els.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (!from.check() || !to.check()) return;
  loadList();
  if (selected) readDetail();
  feed.reconnect();
});
els.exportCsv.addEventListener('click', downloadCsv);
window.addEventListener('languagechange', redraw);
els.exportChapter.addEventListener('click', (ev) => {
  if (!els.exportChapter.hasAttribute('href')) ev.preventDefault();
});

window.briefingReview = {
  state() {
    const v = els.video;
    const figures = {};
    for (const dd of els.figures.querySelectorAll('dd[data-field]')) {
      figures[dd.dataset.field] = dd.textContent;
    }
    return {
      list: list.map((b) => b.id),
      selected,
      briefingState: detail ? detail.state : null,
      detailReads,
      segments: segments.length,
      segmentIndex: player.index,
      position: player.position(),
      currentTime: v.currentTime,
      readyState: v.readyState,
      settled: player.settled,
      paused: v.paused,
      videoWidth: v.videoWidth,
      error: v.error ? v.error.code : null,
      chapters: [...chapterItems.keys()],
      chapter: shownTurn ? shownTurn.id : null,
      figuresOffice: els.figures.dataset.office || null,
      figures,
      exportHref: els.exportChapter.getAttribute('href'),
      player: { ...player.stats },
      pageError: els.error.textContent,
    };
  },
  seek: (ms) => player.seek(ms, { play: true }),
  select: (id) => select(id),
};

feed.start();
if (els.token.value) {
  loadList();
  const id = Number(params.get('id'));
  if (id > 0) select(id);
} else {
  setState('idle', () => text('session.input-token'));
}
