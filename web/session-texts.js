/* briefing-relay: what a page that runs a WHIP or WHEP session
 * (province.js, watch.js) says about it, in the current language, so that
 * the pages say the same thing the same way. No DOM access. */

import { text } from './i18n.js';
import './texts-common.js';

/* The session states and errors are in texts-common.js; these helpers
 * pick the right entry. */
const SESSION_STATES = new Set(['connecting', 'reconnecting', 'error']);
const HTTP_STATUSES = new Set([400, 401, 404, 413, 415, 429]);
const SESSION_ERRORS = {
  webrtc: 'session.webrtc',
  network: 'session.network',
  answer: 'session.answer',
  timeout: 'session.timeout',
  disconnected: 'session.disconnected',
  failed: 'session.failed',
  'dtls-closed': 'session.relay-closed',
  'dtls-failed': 'session.relay-closed',
};

/* The page texts both session pages use, as functions so that each call
 * reads the current language. */
export const PAGE_TEXT = Object.freeze({
  chooseProvince: () => text('session.choose-province'),
  unknownProvince: (code) => text('session.unknown-province', code),
  provinceListFailed: (message) => text('session.province-list-failed', message),
  tokenForgotten: () => text('session.token-cleared'),
  noLocation: () => text('session.no-location'),
});

/* The describeError option of a session ({status, error, reason, cause} =>
 * message): pageHttpText adds the page's own texts by status, mediaText
 * (cause => text) describes a camera or microphone failure. */
export function sessionErrorDescriber(pageHttpText, mediaText) {
  return (e) => {
    if (e.status) {
      if (pageHttpText[e.status]) {
        const t = pageHttpText[e.status];
        return typeof t === 'function' ? t() : t;
      }
      if (HTTP_STATUSES.has(e.status)) {
        return text('session.http-' + e.status);
      }
      return text(e.status >= 500 ? 'session.http-5xx' : 'session.http-other', e.status);
    }
    if (e.error === 'media' && mediaText) {
      return mediaText(e.cause);
    }
    if (e.error === 'input') {
      return e.cause === 'province' || e.cause === 'token'
        ? text('session.input-' + e.cause) : String(e.cause);
    }
    return SESSION_ERRORS[e.error] ? text(SESSION_ERRORS[e.error]) : String(e.error);
  };
}

/* The state line: the state's text (pageTexts: the page's own states), and
 * in 'error' what went wrong. */
export function stateText(pageTexts, state, lastError) {
  const own = pageTexts[state];
  const t = own ? (typeof own === 'function' ? own() : own)
    : SESSION_STATES.has(state) ? text('session.' + state) : state;
  return state === 'error' && lastError ? t + ' — ' + lastError.message : t;
}

/* The detail line under the state for the 'statechange' infos every session
 * sends ('' for the others, which the page words itself). */
export function sessionDetailText(info) {
  switch (info.kind) {
    case 'retry': {
      const err = info.error;
      const s = Math.round(info.delayMs / 1000);
      return err.message + (err.reason ? ' (' + err.reason + ')' : '') +
        ' — ' + text('session.retrying', s);
    }
    case 'interrupted':
      return text('session.interrupted');
    case 'failed': {
      const err = info.error;
      return err.status
        ? 'HTTP ' + err.status + (err.reason ? ': ' + err.reason : (err.error ? ': ' + err.error : ''))
        : (err.reason || '');
    }
    case 'stopping':
      return info.closing ? text('session.closing') : '';
    default:
      return '';
  }
}
