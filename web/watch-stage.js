/* briefing-relay: the picture of watch.html (the stage): what it shows
 * (a light card before anything is watched, amber while waiting for media,
 * the video once frames come, the error), its full-screen button, and the
 * switch to the next or previous live office by a swipe on the picture or
 * the arrow keys. It touches only the stage's own elements; the page says
 * what to show. Runs on the page's main thread; holds no state of the
 * session. */

import { text } from './i18n.js';

/* A swipe: this far sideways, and more sideways than up or down. */
const SWIPE_MIN_PX = 50;

export class WatchStage extends EventTarget {
  #els;
  #start = null; /* {x, y, id} of the pointer that went down on the picture */

  /* els: {stage, video, message, office, fullscreen}. Dispatches 'step'
   * with detail {delta: +1 | -1}: the next or the previous live office. */
  constructor(els) {
    super();
    this.#els = els;
    els.fullscreen.addEventListener('click', () => this.toggleFullscreen());
    document.addEventListener('fullscreenchange', () => this.renderFullscreen());
    els.stage.addEventListener('pointerdown', (ev) => this.#down(ev));
    els.stage.addEventListener('pointerup', (ev) => this.#up(ev));
    els.stage.addEventListener('pointercancel', () => { this.#start = null; });
    els.stage.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
        ev.preventDefault();
        this.#step(ev.key === 'ArrowRight' ? 1 : -1);
      }
    });
    /* A double tap on the picture is full screen, as in a phone's player. */
    els.stage.addEventListener('dblclick', (ev) => {
      if (!ev.target.closest('button')) {
        this.toggleFullscreen();
      }
    });
    this.renderFullscreen();
  }

  /* kind: 'idle' | 'waiting' | 'playing' | 'error'; message: what the card
   * says (nothing while playing). */
  show(kind, message) {
    this.#els.stage.dataset.media = kind;
    const m = kind === 'playing' ? '' : message || '';
    if (this.#els.message.textContent !== m) {
      this.#els.message.textContent = m;
    }
  }

  setOffice(label) {
    if (this.#els.office.textContent !== label) {
      this.#els.office.textContent = label;
    }
  }

  get fullscreen() {
    return document.fullscreenElement === this.#els.stage;
  }

  async toggleFullscreen() {
    const { stage, video } = this.#els;
    try {
      if (this.fullscreen) {
        await document.exitFullscreen();
      } else if (stage.requestFullscreen) {
        await stage.requestFullscreen({ navigationUI: 'hide' });
        /* A phone held upright shows a 16:9 picture sideways-small: turn
         * it where the browser allows (Android); elsewhere nothing. */
        if (screen.orientation && screen.orientation.lock) {
          screen.orientation.lock('landscape').catch(() => null);
        }
      } else if (video.webkitEnterFullscreen) {
        /* iPhone Safari: only the video element itself goes full screen. */
        video.webkitEnterFullscreen();
      }
    } catch (e) {
      /* refused (no user gesture, an iframe without allowfullscreen) */
    }
    this.renderFullscreen();
  }

  renderFullscreen() {
    const on = this.fullscreen;
    const label = text(on ? 'watch.exit-fullscreen' : 'watch.fullscreen');
    this.#els.fullscreen.textContent = label;
    this.#els.fullscreen.setAttribute('aria-pressed', on ? 'true' : 'false');
  }

  #down(ev) {
    if (ev.target.closest('button') || (ev.pointerType === 'mouse' && ev.button !== 0)) {
      return;
    }
    this.#start = { x: ev.clientX, y: ev.clientY, id: ev.pointerId };
  }

  #up(ev) {
    const start = this.#start;
    this.#start = null;
    if (!start || start.id !== ev.pointerId) {
      return;
    }
    const dx = ev.clientX - start.x;
    const dy = ev.clientY - start.y;
    if (Math.abs(dx) >= SWIPE_MIN_PX && Math.abs(dx) > 2 * Math.abs(dy)) {
      /* Swiping left brings the next office in, as pages turn. */
      this.#step(dx < 0 ? 1 : -1);
    }
  }

  #step(delta) {
    this.dispatchEvent(new CustomEvent('step', { detail: { delta: delta } }));
  }
}
