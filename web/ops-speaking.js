/* briefing-relay: the operations room's fixed "Speaking: <office> (m:ss)"
 * bar (ops.html), always in view: who holds the floor, for how long, whether
 * the chair muted it, and whom the room hears when that is another office
 * (the active speaker). The time is the briefing's turn when one is live
 * (the relay's own duration, free of this computer's clock); otherwise how
 * long the relay says the holder has held it (floor_held_ms of the
 * conference document, counted on from when the page read it), or the time
 * since this page saw the floor change (an event). Runs on the page's main
 * thread. */

import { text, formatDuration } from './i18n.js';
import { officeText } from './ops-format.js';
import './texts-ops.js';

const TICK_MS = 250;

export class SpeakingBanner {
  #els;
  #names;                 // code -> {code, name_th, name_en} or null
  #turn;                  // () => {office, elapsedMs} of the briefing's open turn, or null
  #floor = null;
  #muted = false;
  #speaker = null;
  #since = null;          // {office, at}: when this page saw the floor go to office

  /* els: {bar, office, clock, note}; names(code): what the roster knows of
   * a participant; turn(): the open turn of the live briefing. */
  constructor(els, { names, turn }) {
    this.#els = els;
    this.#names = names;
    this.#turn = turn;
    window.setInterval(() => this.#renderClock(), TICK_MS);
    window.addEventListener('languagechange', () => this.render());
    this.render();
  }

  /* A floor event: the floor went to office (null: taken back) now. */
  floorChanged(office, now) {
    this.#since = office ? { office, at: now } : null;
  }

  /* The relay's state was read again from scratch (a reconnection): what
   * this page saw before may belong to another relay process. */
  forgetTimes() {
    this.#since = null;
  }

  setConference(c, now = performance.now()) {
    this.#floor = c.floor || null;
    this.#muted = Boolean(this.#floor) && !(c.unmuted || []).includes(this.#floor);
    if (this.#since && this.#since.office !== this.#floor) {
      this.#since = null;
    }
    if (this.#floor && !this.#since && Number.isFinite(c.floor_held_ms)) {
      this.#since = { office: this.#floor, at: now - c.floor_held_ms };
    }
    this.render();
  }

  setSpeaker(id) {
    this.#speaker = id || null;
    this.render();
  }

  #label(code) {
    return officeText(this.#names(code) || { code });
  }

  render() {
    const els = this.#els;
    els.bar.dataset.floor = this.#floor || '';
    els.bar.dataset.muted = String(this.#muted);
    if (this.#floor) {
      els.office.textContent = this.#label(this.#floor);
      els.office.dataset.office = this.#floor;
    } else {
      els.office.textContent = text('ops.nobody');
      delete els.office.dataset.office;
    }
    const notes = [];
    if (this.#muted) {
      notes.push(text('ops.holder-muted'));
    }
    if (this.#speaker && this.#speaker !== this.#floor) {
      notes.push(text('ops.heard', this.#label(this.#speaker)));
    }
    els.note.textContent = notes.join(' · ');
    this.#renderClock();
  }

  /* The floor holder's time in ms, or null when not known. */
  elapsedMs(now = performance.now()) {
    if (!this.#floor) {
      return null;
    }
    const turn = this.#turn();
    if (turn && turn.office === this.#floor) {
      return turn.elapsedMs;
    }
    return this.#since && this.#since.office === this.#floor ? now - this.#since.at : null;
  }

  #renderClock() {
    const ms = this.elapsedMs();
    this.#els.clock.textContent = ms === null ? '' : '(' + formatDuration(ms) + ')';
  }

  /* For the test hook. */
  state() {
    return {
      floor: this.#floor,
      muted: this.#muted,
      office: this.#els.office.textContent,
      clock: this.#els.clock.textContent,
      note: this.#els.note.textContent,
    };
  }
}
