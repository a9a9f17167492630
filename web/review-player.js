/* briefing-relay: plays a briefing's program recording, which is a list of
 * files (segments), in one <video> as one timeline: the chapters' timeline
 * (0 = the start of the first file, docs/API.md chapters.vtt). It seeks
 * across files, goes on to the next file at the end of one, and recovers
 * from a failed load: the file links are signed and expire, and a file
 * still being written ends where it was when it was fetched. In both cases
 * it asks for fresh links (onStale), then resumes at the same place.
 *
 *   const player = new SegmentPlayer(video, { onStale: async () => newSegments });
 *   player.setSegments(programSegments(detail.recordings), { live: true });
 *   player.seek(ms, { play: true });
 *   player.position();    // ms on the timeline
 *
 * Uses only the <video> element it is given. */

import { segmentIndexAt } from './briefing-format.js';

/* A failed load is retried with fresh links at most this many times in a
 * row (a load that plays resets the count). */
const MAX_RETRIES = 4;
const RETRY_DELAY_MS = 1500;
/* Within this of the end of what was fetched of a growing file, fetch it
 * again rather than stop. */
const GROWING_SLACK_S = 1.0;
const LIVE_EDGE_WAIT_MS = 2000;

export class SegmentPlayer extends EventTarget {
  #video;
  #onStale;
  #resolve;
  #segments = [];
  #live = false;
  #index = -1;       // the file loaded, or -1
  #pending = null;   // {localS, play} to apply once the file's metadata is in
  #retries = 0;
  #recovering = false;
  stats = { loads: 0, errors: 0, recoveries: 0, segmentChanges: 0 };

  /* onStale: async () => the segments with fresh links (programSegments),
   * or null when they cannot be had. resolve: the URL of a link. */
  constructor(video, { onStale, resolve }) {
    super();
    this.#video = video;
    this.#onStale = onStale;
    this.#resolve = resolve || ((u) => u);
    video.addEventListener('loadedmetadata', () => this.#applyPending());
    video.addEventListener('ended', () => this.#onEnded());
    video.addEventListener('error', () => this.#onError());
    video.addEventListener('playing', () => {
      this.#retries = 0;
    });
    video.addEventListener('timeupdate', () => this.#emit('position', this.position()));
  }

  get segments() {
    return this.#segments;
  }

  get index() {
    return this.#index;
  }

  /* Whether the last seek or load is done and a picture is there. */
  get settled() {
    const v = this.#video;
    return !this.#pending && !v.seeking && v.readyState >= 2;
  }

  /* Another briefing: nothing loaded. */
  reset() {
    this.#segments = [];
    this.#index = -1;
    this.#pending = null;
    this.#retries = 0;
    this.#video.removeAttribute('src');
    this.#video.load();
  }

  /* New links (a refresh of the briefing): the file playing keeps playing
   * from the link it has; the new ones serve later loads. */
  setSegments(segments, { live = false } = {}) {
    const first = this.#segments.length === 0;
    this.#segments = segments;
    this.#live = live;
    if (first && segments.length) {
      this.#load(0, 0, false);
    }
  }

  /* ms on the timeline. */
  position() {
    const seg = this.#segments[this.#index];
    if (!seg) {
      return 0;
    }
    const pending = this.#pending;
    const local = pending ? pending.localS : this.#video.currentTime;
    return seg.startMs + local * 1000;
  }

  /* Timeline ms -> the file that holds it and the time in it. */
  seek(ms, { play = false } = {}) {
    if (!this.#segments.length) {
      return;
    }
    const t = Math.max(0, ms);
    const index = segmentIndexAt(this.#segments, t);
    const localS = (t - this.#segments[index].startMs) / 1000;
    const v = this.#video;
    const growing = this.#segments[index].state === 'recording';
    const loaded = index === this.#index && v.readyState >= 1 && !v.error;
    /* A file still being written may have grown past what this load knows. */
    if (loaded && !(growing && localS > v.duration - GROWING_SLACK_S)) {
      v.currentTime = localS;
      if (play) {
        v.play().catch(() => null);
      }
      this.#emit('position', this.position());
      return;
    }
    this.#load(index, localS, play);
  }

  #load(index, localS, play) {
    const seg = this.#segments[index];
    if (index !== this.#index) {
      this.stats.segmentChanges++;
    }
    this.#index = index;
    this.#pending = { localS, play };
    this.stats.loads++;
    this.#video.src = this.#resolve(seg.url);
    this.#video.load();
    this.#emit('segment', { index, id: seg.id });
  }

  #applyPending() {
    const p = this.#pending;
    if (!p) {
      return;
    }
    this.#pending = null;
    const v = this.#video;
    if (p.localS > 0) {
      v.currentTime = Math.min(p.localS, Number.isFinite(v.duration) ? v.duration : p.localS);
    }
    if (p.play) {
      v.play().catch(() => null);
    }
    this.#emit('position', this.position());
  }

  #onEnded() {
    if (this.#index + 1 < this.#segments.length) {
      this.#load(this.#index + 1, 0, true);
      return;
    }
    if (this.#live) {
      /* The last file is still being written: fetch what came since (not
       * at once: at the live edge nothing may have come yet). */
      this.#recover(true, LIVE_EDGE_WAIT_MS);
    }
  }

  #onError() {
    this.stats.errors++;
    this.#emit('error', { code: this.#video.error ? this.#video.error.code : 0 });
    this.#recover(!this.#video.paused || Boolean(this.#pending && this.#pending.play),
      this.#retries > 0 ? RETRY_DELAY_MS : 0);
  }

  /* Fresh links, then the same place again. */
  async #recover(play, delayMs) {
    if (this.#recovering || this.#retries >= MAX_RETRIES) {
      return;
    }
    this.#recovering = true;
    this.#retries++;
    const at = this.position();
    try {
      await new Promise((r) => setTimeout(r, delayMs));
      const fresh = await this.#onStale();
      if (fresh && fresh.length) {
        this.#segments = fresh;
        this.stats.recoveries++;
        const index = segmentIndexAt(fresh, at);
        this.#load(index, (at - fresh[index].startMs) / 1000, play);
      }
    } finally {
      this.#recovering = false;
    }
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
