/* briefing-relay: what the briefing pages say and compute alike: the words
 * for the states of a briefing, the roll call, the agenda and a turn's end
 * (from the catalogue, texts-common.js, in the page's language), an
 * office's name, a refused request, clock texts, the agenda place of an
 * office, a turn's running clock, and the program recording's timeline
 * (segments, chapters). No DOM access; no state. */

import { text, bothTexts, localized } from './i18n.js';
import './texts-common.js';

/* The catalogue keys of the relay's words (docs/API.md "Briefings"),
 * spelt out so that the catalogue test finds every key used. */
const BRIEFING_STATE_KEYS = {
  planned: 'briefing-state.planned',
  live: 'briefing-state.live',
  ended: 'briefing-state.ended',
  interrupted: 'briefing-state.interrupted',
};
const ATTENDANCE_KEYS = {
  present: 'attendance.present',
  late: 'attendance.late',
  absent: 'attendance.absent',
};
const AGENDA_STATUS_KEYS = {
  pending: 'agenda-status.pending',
  current: 'agenda-status.current',
  done: 'agenda-status.done',
  skipped: 'agenda-status.skipped',
};
/* Why a turn ended; lost and offline are the office's own state. */
const END_REASON_KEYS = {
  next: 'turn-end.next',
  'floor-passed': 'turn-end.floor-passed',
  'floor-taken-back': 'turn-end.floor-taken-back',
  ended: 'turn-end.ended',
  interrupted: 'turn-end.interrupted',
  lost: 'participant.lost',
  offline: 'participant.offline',
};

/* A word of the relay in the current language; an unknown one (a newer
 * relay) as the relay sent it. */
function wordOf(keys, value) {
  return Object.hasOwn(keys, value) ? text(keys[value]) : String(value ?? '');
}

export const briefingStateText = (state) => wordOf(BRIEFING_STATE_KEYS, state);
export const attendanceText = (status) => wordOf(ATTENDANCE_KEYS, status);
export const agendaStatusText = (status) => wordOf(AGENDA_STATUS_KEYS, status);
export const endReasonText = (reason) => wordOf(END_REASON_KEYS, reason);

/* "ไทย / English" forms of the same words, for the pages that still show
 * both languages at once (ops.html until its conversion, issue 13): taken
 * from the catalogue, so that both kinds of page say the same. */
function bilingual(keys) {
  return Object.freeze(Object.fromEntries(
    Object.entries(keys).map(([value, key]) => [value, bothTexts(key).join(' / ')])));
}
export const BRIEFING_STATE_TEXT = bilingual(BRIEFING_STATE_KEYS);
export const AGENDA_STATUS_TEXT = bilingual(AGENDA_STATUS_KEYS);

/* What went wrong with a request of the API (an ApiError, or a fetch that
 * threw), in the page's language: the relay's own reason is English for
 * the log, so the page says it by status. */
export function requestErrorText(e) {
  const status = e && typeof e.status === 'number' ? e.status : 0;
  if (!status) {
    return text('session.network');
  }
  if (status === 401 || status === 403) {
    return text('request.token-refused');
  }
  if (status === 404) {
    return text('request.not-found');
  }
  if (status === 429) {
    return text('session.http-429');
  }
  return text(status >= 500 ? 'session.http-5xx' : 'session.http-other', status);
}

/* 102000 -> "1:42"; an hour or more -> "1:02:03". */
export function clockText(ms) {
  const total = Math.max(0, Math.floor((ms || 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const timeOfDay = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Bangkok', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

/* An ISO time as HH:MM:SS in Bangkok ('' for null). */
export function bangkokTime(iso) {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? timeOfDay.format(new Date(t)) : '';
}

/* A locale-independent YYYY-MM-DD of today in Bangkok (the relay's day). */
export function bangkokToday(offsetDays = 0) {
  return new Date(Date.now() + 7 * 3600 * 1000 + offsetDays * 86400000).toISOString().slice(0, 10);
}

/* "TH-50 เชียงใหม่ / Chiang Mai", both names, for the pages that still
 * show both languages at once (until their conversion, issue 13);
 * officeName is the one-language form. The title for a free item. */
export function officeLabel(o) {
  if (!o) {
    return '';
  }
  if (!o.office) {
    return o.title || '';
  }
  const names = [o.name_th, o.name_en].filter(Boolean).join(' / ');
  return names ? `${o.office} ${names}` : o.office;
}

/* "TH-50 เชียงใหม่" in Thai, "TH-50 Chiang Mai" in English, for an office
 * (the roster's names come in both languages); the title for a free item
 * (the chair's words, as typed). */
export function officeName(o) {
  if (!o) {
    return '';
  }
  if (!o.office) {
    return o.title || '';
  }
  const name = localized(o.name_th, o.name_en);
  return name ? `${o.office} ${name}` : o.office;
}

/* How many pending agenda items come before `office`'s next pending item
 * and will be called: free items and offices that are here (absent ones
 * will be skipped). -1 when the office has no pending item. `here`
 * (optional Map office -> bool) overrides the items' own flags with
 * fresher attendance. */
export function agendaAhead(agenda, office, here) {
  let ahead = 0;
  for (const item of agenda || []) {
    if (item.status !== 'pending') {
      continue;
    }
    if (item.kind === 'office' && item.office === office) {
      return ahead;
    }
    const present = item.kind !== 'office' ||
      (here && here.has(item.office) ? here.get(item.office) : Boolean(item.here));
    if (present) {
      ahead++;
    }
  }
  return -1;
}

/* A turn's clock, free of the difference between this computer's clock and
 * the relay's: its duration as the relay reported it plus the time since
 * that report. */
export class TurnClock {
  constructor(turn, receivedAt) {
    this.turn = turn;
    this.baseMs = turn.duration_ms || 0;
    this.receivedAt = receivedAt;
  }

  elapsedMs(now) {
    return this.turn.ended_at ? this.baseMs : this.baseMs + Math.max(0, now - this.receivedAt);
  }

  limitMs() {
    return this.turn.time_limit_s ? this.turn.time_limit_s * 1000 : 0;
  }

  overtime(now) {
    const limit = this.limitMs();
    return Boolean(this.turn.overtime) || (limit > 0 && this.elapsedMs(now) > limit);
  }

  /* "1:42 / 3:00", "3:12 / 3:00 (+0:12)" or "1:42" without a limit. */
  text(now) {
    const elapsed = this.elapsedMs(now);
    const limit = this.limitMs();
    if (!limit) {
      return clockText(elapsed);
    }
    const over = elapsed > limit ? ` (+${clockText(elapsed - limit)})` : '';
    return `${clockText(elapsed)} / ${clockText(limit)}${over}`;
  }
}

/* ------------------------------------------------ the program recording */

/* The program recording's files in order, each with where it starts on the
 * chapters' timeline (ms; 0 = the start of the first file, docs/API.md
 * chapters.vtt) and its duration. */
export function programSegments(recordings) {
  const files = (recordings || []).filter((r) => r.kind === 'program' && r.url)
    .sort((a, b) => a.segment - b.segment || Date.parse(a.started_at) - Date.parse(b.started_at));
  if (!files.length) {
    return [];
  }
  const zero = Date.parse(files[0].started_at);
  return files.map((r) => ({
    id: r.id,
    url: r.url,
    state: r.state,
    startMs: Date.parse(r.started_at) - zero,
    durationMs: r.duration_ms || 0,
    recording: r,
  }));
}

/* Where a turn starts and ends on that timeline (ms), from the first file's
 * start time. */
export function turnSpan(turn, segments) {
  if (!segments.length) {
    return null;
  }
  const zero = Date.parse(segments[0].recording.started_at);
  const start = Date.parse(turn.started_at) - zero;
  const end = turn.ended_at ? Date.parse(turn.ended_at) - zero : start + (turn.duration_ms || 0);
  return { startMs: Math.max(0, start), endMs: Math.max(start, end) };
}

/* The index of the file that holds timeline time t (ms): the last one that
 * starts at or before it. */
export function segmentIndexAt(segments, t) {
  let found = 0;
  for (let i = 0; i < segments.length; i++) {
    if (segments[i].startMs <= t) {
      found = i;
    }
  }
  return found;
}

/* The turn playing at timeline time t (ms), or null. */
export function turnAt(turns, segments, t) {
  let best = null;
  for (const turn of turns || []) {
    const span = turnSpan(turn, segments);
    if (span && span.startMs <= t && t < span.endMs) {
      best = turn;
    }
  }
  return best;
}
