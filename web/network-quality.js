/* briefing-relay: an office's network quality from what the status API
 * already gives a viewer's token (docs/API.md, "Status"): its round-trip
 * time (`rtt_ms`, null while the sender does not answer the relay's XR
 * RRTR) and its packet counters, which are cumulative. Loss is what went
 * missing on the way over the last few seconds: video packets the relay had
 * to ask for again (`nacked_packets`, repaired or not) and audio packets
 * never received, against the packets expected. No DOM access; the page
 * calls sample() with each status document it polls (once a second).
 *
 *   good: loss under 2 % and RTT under 150 ms (or unknown)
 *   fair: loss under 10 % and RTT under 400 ms
 *   poor: anything worse
 *   unknown: live, but not enough packets seen yet to tell
 *   none: not live (nothing to measure)
 */

export const QUALITY_LIMITS = Object.freeze({
  goodLossPercent: 2, fairLossPercent: 10, goodRttMs: 150, fairRttMs: 400,
});

/* Compare against a sample at least this old (and drop older ones). */
const WINDOW_MS = 4000;
/* Fewer packets expected than this over the window tells nothing. */
const MIN_EXPECTED = 30;

function counters(p) {
  const v = p.video || {};
  const a = p.audio || {};
  const n = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return {
    session: p.session || null,
    videoReceived: n(v.packets_received),
    videoLost: n(v.packets_lost),
    videoNacked: n(v.nacked_packets),
    audioReceived: n(a.packets_received),
    audioLost: n(a.packets_lost),
  };
}

/* Loss in percent between two counter samples, or null when too few
 * packets were expected in between. */
function lossBetween(old, now) {
  const d = (k) => Math.max(0, now[k] - old[k]);
  const videoExpected = d('videoReceived') + d('videoLost');
  const audioExpected = d('audioReceived') + d('audioLost');
  if (videoExpected + audioExpected < MIN_EXPECTED) {
    return null;
  }
  const video = videoExpected > 0 ? Math.min(1, d('videoNacked') / videoExpected) : 0;
  const audio = audioExpected > 0 ? d('audioLost') / audioExpected : 0;
  return Math.max(video, audio) * 100;
}

export function qualityLevel(lossPercent, rttMs) {
  const rtt = typeof rttMs === 'number' ? rttMs : 0;
  if (lossPercent < QUALITY_LIMITS.goodLossPercent && rtt < QUALITY_LIMITS.goodRttMs) {
    return 'good';
  }
  if (lossPercent < QUALITY_LIMITS.fairLossPercent && rtt < QUALITY_LIMITS.fairRttMs) {
    return 'fair';
  }
  return 'poor';
}

export class QualityTracker {
  #history = new Map(); // code -> [{at, c}] oldest first, one session's

  /* One participant's status (p) at time now (ms): {level, lossPercent,
   * rttMs}; lossPercent rounded to one decimal, null when not known. */
  sample(p, now) {
    const rttMs = typeof p.rtt_ms === 'number' ? p.rtt_ms : null;
    if (p.state !== 'live') {
      this.#history.delete(p.code);
      return { level: 'none', lossPercent: null, rttMs: null };
    }
    const c = counters(p);
    let h = this.#history.get(p.code);
    if (!h || h[h.length - 1].c.session !== c.session) {
      h = []; // a new session starts its counters at zero
      this.#history.set(p.code, h);
    }
    h.push({ at: now, c });
    while (h.length > 2 && now - h[1].at >= WINDOW_MS) {
      h.shift();
    }
    const loss = h.length > 1 ? lossBetween(h[0].c, c) : null;
    if (loss === null) {
      return { level: 'unknown', lossPercent: null, rttMs };
    }
    return { level: qualityLevel(loss, rttMs), lossPercent: Math.round(loss * 10) / 10, rttMs };
  }
}
