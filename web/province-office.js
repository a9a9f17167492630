/* briefing-relay: what the province page tells the office about itself
 * (province.html): "you have the floor" with how long it has held it (its
 * turn's clock, with the turn's limit, while a briefing turn is open), that
 * the chair muted it or that the room hears it, that the briefing is being
 * recorded, and its own spoken-status clips. Read with the office's own
 * token from GET /api/v1/office (docs/API.md, "The office's own view") and
 * read again on the events that change it (the page's events WebSocket).
 * Runs on the page's main thread; owns the notice elements and the clips
 * list; texts from texts-province.js. */

import { BriefingApi, ApiError } from './briefing-api.js';
import { text, formatDate, formatDuration, formatTime } from './i18n.js';
import './texts-province.js';

const TICK_MS = 250;
const RETRY_MS = 5000;

/* Events after which the view may have changed; those about an office
 * count only when they are about this one. */
const CONFERENCE_EVENTS = new Set(['floor', 'briefing-started', 'briefing-ended']);
const OWN_EVENTS = new Set(['clip', 'takeover', 'province-state']);

export class ProvinceOffice {
  #api;
  #office;              // () => the page's office code
  #briefing;            // the ProvinceBriefing, for the open turn's clock
  #els;
  #view = null;         // GET /api/v1/office, or null
  #floorClock = null;   // {heldMs, at}: the floor's age as read, and when
  #clipItems = new Map(); // clip id -> {li, label, audio, clip}
  #loading = false;
  #again = false;

  /* credentials: () => ({province, token}); feed: the page's EventFeed;
   * briefing: the page's ProvinceBriefing. */
  constructor(credentials, feed, briefing) {
    this.#office = () => credentials().province;
    this.#api = new BriefingApi(document.baseURI, () => credentials().token);
    this.#briefing = briefing;
    this.#els = {
      floor: document.getElementById('floor-notice'),
      clock: document.getElementById('floor-clock'),
      mic: document.getElementById('mic-notice'),
      recording: document.getElementById('recording-notice'),
      clipsOf: document.getElementById('clips-of'),
      clipsNone: document.getElementById('clips-none'),
      clips: document.getElementById('clips-list'),
    };
    feed.addEventListener('open', () => this.load());
    feed.addEventListener('event', (ev) => this.#onEvent(ev.detail));
    window.addEventListener('languagechange', () => this.#render());
    window.setInterval(() => this.#renderClock(), TICK_MS);
    this.#render();
  }

  /* Reads the view again (the office, its token or its state changed). */
  async load() {
    if (this.#loading) {
      this.#again = true;
      return;
    }
    this.#loading = true;
    try {
      this.#apply(this.#office() ? await this.#api.request('GET', 'api/v1/office') : null);
    } catch (e) {
      /* No token or a wrong one: nothing to tell until the office publishes.
       * The relay out of reach: try again. */
      if (!(e instanceof ApiError)) {
        window.setTimeout(() => this.load(), RETRY_MS);
      }
      this.#apply(null);
    } finally {
      this.#loading = false;
      if (this.#again) {
        this.#again = false;
        this.load();
      }
    }
  }

  #onEvent(e) {
    const office = this.#office();
    const about = e.type === 'mute' ? e.participant : e.province;
    if (CONFERENCE_EVENTS.has(e.type) || ((OWN_EVENTS.has(e.type) || e.type === 'mute') &&
        about === office)) {
      this.load();
    }
  }

  #apply(view) {
    /* A view of another office (the picker changed during the read) is
     * not this page's. */
    this.#view = view && view.office === this.#office() ? view : null;
    const floor = this.#view && this.#view.floor;
    this.#floorClock = floor && typeof floor.held_ms === 'number'
      ? { heldMs: floor.held_ms, at: performance.now() } : null;
    this.#render();
  }

  #hasFloor() {
    return Boolean(this.#view && this.#view.has_floor);
  }

  /* {text, elapsedMs, overtime} of the floor clock: the briefing turn's
   * (with its limit) while one is open, else the floor's own age. */
  #clock(now) {
    const turn = this.#briefing.ownTurnClock();
    if (turn) {
      return { text: turn.text(now), elapsedMs: turn.elapsedMs(now), overtime: turn.overtime(now) };
    }
    if (!this.#floorClock) {
      return { text: '', elapsedMs: null, overtime: false };
    }
    const elapsed = this.#floorClock.heldMs + Math.max(0, now - this.#floorClock.at);
    return { text: formatDuration(elapsed), elapsedMs: elapsed, overtime: false };
  }

  #micText() {
    const v = this.#view;
    if (!v) {
      return '';
    }
    if (v.microphone === 'muted-by-chair') {
      return text('province.mic-muted-by-chair');
    }
    return v.microphone === 'open' && !v.has_floor ? text('province.mic-open') : '';
  }

  #recordingText() {
    const r = this.#view && this.#view.recording;
    if (!r || !r.active) {
      return '';
    }
    return r.office_turns ? text('province.recording-turns') : text('province.recording');
  }

  #render() {
    const els = this.#els;
    els.floor.hidden = !this.#hasFloor();
    const mic = this.#micText();
    els.mic.hidden = !mic;
    els.mic.textContent = mic;
    els.mic.dataset.microphone = this.#view ? this.#view.microphone : '';
    const recording = this.#recordingText();
    els.recording.hidden = !recording;
    els.recording.textContent = recording;
    this.#renderClips();
    this.#renderClock();
  }

  #renderClock() {
    const c = this.#hasFloor() ? this.#clock(performance.now()) : null;
    this.#els.clock.textContent = c ? c.text : '';
    this.#els.clock.classList.toggle('overtime', Boolean(c && c.overtime));
  }

  #clipsOfText() {
    const v = this.#view;
    if (!v || !v.clips_of) {
      return '';
    }
    return v.briefing ? text('province.clips-of-briefing', v.briefing.title)
      : text('province.clips-of-day', formatDate(v.clips_of.date));
  }

  /* The list keeps each clip's <audio> while the clip stays listed, so a
   * re-read or a change of language does not stop one that plays. */
  #renderClips() {
    const els = this.#els;
    const clips = (this.#view && this.#view.clips) || [];
    const listed = new Set(clips.map((c) => c.id));
    for (const [id, item] of this.#clipItems) {
      if (!listed.has(id)) {
        item.li.remove();
        this.#clipItems.delete(id);
      }
    }
    for (const clip of clips) {
      let item = this.#clipItems.get(clip.id);
      if (!item) {
        const li = document.createElement('li');
        li.dataset.clip = String(clip.id);
        const label = document.createElement('span');
        const audio = document.createElement('audio');
        audio.controls = true;
        audio.preload = 'none';
        li.append(label, audio);
        item = { li, label, audio, clip };
        this.#clipItems.set(clip.id, item);
      }
      /* A fresh link (they expire), unless this one is being listened to. */
      if (item.audio.paused && item.audio.currentTime === 0 && item.audio.getAttribute('src') !== clip.url) {
        item.audio.src = clip.url;
      }
      item.clip = clip;
      item.label.textContent = text('province.clip-line', formatTime(clip.start, true),
        formatDuration(clip.duration_ms));
      item.audio.title = text('province.clip-play');
      els.clips.append(item.li); // in the view's order (oldest first)
    }
    els.clipsNone.hidden = clips.length > 0 || !this.#view;
    els.clipsOf.textContent = this.#clipsOfText();
  }

  /* For the test hook. */
  state() {
    const now = performance.now();
    const floor = this.#hasFloor();
    const c = floor ? this.#clock(now) : null;
    return {
      loaded: Boolean(this.#view),
      floor,
      floorText: floor ? text('province.floor') : '',
      clock: c ? c.text : '',
      elapsedMs: c ? c.elapsedMs : null,
      microphone: this.#view ? this.#view.microphone : null,
      micText: this.#micText(),
      recording: Boolean(this.#view && this.#view.recording && this.#view.recording.active),
      recordingText: this.#recordingText(),
      clips: [...this.#clipItems.values()].map((i) => ({ id: i.clip.id, url: i.clip.url, reason: i.clip.reason })),
    };
  }
}
