/* briefing-relay: the province page's view of the live briefing
 * (province.html): "your turn in N" while the office waits on the agenda
 * (N: the pending items before it that will be called, free items and
 * offices that are here), and who speaks now. While the office speaks, its
 * turn's clock ("1:42 / 3:00") is what ownTurnClock() gives the office
 * notice (province-office.js), which shows the floor. Read with the
 * office's own token from GET /api/v1/briefings/live (an office sees the
 * public part) and kept up to date by the page's events WebSocket. Runs on
 * the page's main thread; texts from texts-province.js. */

import { BriefingApi, ApiError, BRIEFING_EVENTS } from './briefing-api.js';
import { TurnClock, agendaAhead } from './briefing-format.js';
import { text, currentLanguage } from './i18n.js';
import './texts-province.js';

/* The code and the name in the page's language ("TH-50 Chiang Mai"). */
function officeName(o) {
  const name = currentLanguage() === 'th' ? o.name_th : o.name_en;
  return name ? o.office + ' ' + name : o.office;
}

export class ProvinceBriefing {
  #api;
  #office;                 // () => the page's office code
  #feed;
  #briefing = null;        // the live briefing (public part), or null
  #here = new Map();       // office -> present now, from the attendance events
  #speaker = null;         // the open turn: {turn, clock}
  #endedTurns = new Set();
  #els;
  #loading = false;
  #again = false;

  /* credentials: () => ({province, token}); feed: the page's EventFeed
   * (briefing-api.js), started by the page. */
  constructor(credentials, feed) {
    this.#office = () => credentials().province;
    this.#api = new BriefingApi(document.baseURI, () => credentials().token);
    this.#els = {
      panel: document.getElementById('briefing-panel'),
      title: document.getElementById('briefing-title'),
      turn: document.getElementById('briefing-turn'),
      speaker: document.getElementById('briefing-speaker'),
    };
    this.#feed = feed;
    this.#feed.addEventListener('open', (ev) => {
      if (!ev.detail.complete) this.load();
    });
    this.#feed.addEventListener('event', (ev) => this.#onEvent(ev.detail));
    window.addEventListener('languagechange', () => this.#render());
    this.#render();
  }

  /* Reads the live briefing again (the office or its token changed, or
   * events were missed). */
  async load() {
    if (this.#loading) {
      this.#again = true;
      return;
    }
    if (!this.#office()) {
      this.#apply(null);
      return;
    }
    this.#loading = true;
    try {
      this.#apply(await this.#api.live());
    } catch (e) {
      /* No or a wrong token: nothing to show until the office publishes. */
      if (!(e instanceof ApiError)) {
        window.setTimeout(() => this.load(), 5000);
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

  #apply(b) {
    this.#briefing = b && b.state === 'live' ? b : null;
    this.#here.clear();
    for (const item of (this.#briefing && this.#briefing.agenda) || []) {
      if (item.kind === 'office') this.#here.set(item.office, Boolean(item.here));
    }
    /* A read can cross the turn events on the way (the relay opens a turn
     * just after the floor changes): a turn an event ended is over, one an
     * event started and did not end is still open. */
    const t = this.#briefing && this.#briefing.current_turn;
    const sp = this.#speaker;
    if (!this.#briefing) {
      this.#speaker = null;
    } else if (t && !this.#endedTurns.has(t.id)) {
      this.#speaker = { turn: t, briefing: this.#briefing.id, clock: new TurnClock(t, performance.now()) };
    } else if (!(sp && sp.briefing === this.#briefing.id && !this.#endedTurns.has(sp.turn.id))) {
      this.#speaker = null;
    }
    this.#render();
  }

  #onEvent(e) {
    if (!BRIEFING_EVENTS.has(e.type)) {
      return;
    }
    const b = this.#briefing;
    const mine = b && e.briefing === b.id;
    switch (e.type) {
      case 'attendance':
        if (mine) {
          this.#here.set(e.office, e.here);
          this.#render();
        }
        break;
      case 'agenda':
        if (mine) {
          b.agenda = e.agenda;
          this.#render();
        }
        break;
      case 'turn-started':
        if (mine) {
          this.#speaker = { turn: e.turn, briefing: b.id, clock: new TurnClock(e.turn, performance.now()) };
          this.#render();
        }
        break;
      case 'turn-ended':
        this.#endedTurns.add(e.turn.id);
        if (this.#speaker && this.#speaker.turn.id === e.turn.id) {
          this.#speaker = null;
          this.#render();
        }
        break;
      case 'turn-overtime':
        if (this.#speaker && this.#speaker.turn.id === e.turn.id) {
          this.#speaker.turn.overtime = true;
        }
        break;
      case 'recording':
        break;
      default:
        this.load(); // started, ended
    }
  }

  /* What the office is told: {kind: 'none'|'floor'|'waiting'|'off-agenda', ahead}. */
  #status() {
    const b = this.#briefing;
    const office = this.#office();
    if (!b || !office) {
      return { kind: 'none', ahead: null };
    }
    if (this.#speaker && this.#speaker.turn.office === office) {
      return { kind: 'floor', ahead: null };
    }
    const ahead = agendaAhead(b.agenda, office, this.#here);
    return ahead >= 0 ? { kind: 'waiting', ahead } : { kind: 'off-agenda', ahead: null };
  }

  /* The clock of this office's own turn while it speaks, or null. */
  ownTurnClock() {
    return this.#status().kind === 'floor' ? this.#speaker.clock : null;
  }

  /* What the turn line says ('' while the office speaks: the floor notice
   * says it, with the clock). */
  #turnText(s) {
    switch (s.kind) {
      case 'floor':
        return text('province.floor');
      case 'waiting':
        return s.ahead === 0 ? text('province.turn-next') : text('province.turn-in', s.ahead);
      case 'off-agenda':
        return text('province.off-agenda');
      default:
        return '';
    }
  }

  #render() {
    const els = this.#els;
    const b = this.#briefing;
    const s = this.#status();
    els.panel.hidden = s.kind === 'none';
    els.panel.dataset.kind = s.kind;
    els.title.textContent = b ? b.title : '';
    els.turn.textContent = s.kind === 'floor' ? '' : this.#turnText(s);
    els.turn.dataset.ahead = s.ahead === null ? '' : String(s.ahead);
    const other = this.#speaker && s.kind !== 'floor' ? this.#speaker.turn : null;
    els.speaker.textContent = other ? text('province.speaking-now', officeName(other)) : '';
  }

  /* For the test hook. */
  state() {
    const s = this.#status();
    const now = performance.now();
    const floor = s.kind === 'floor' ? this.#speaker.clock : null;
    return {
      briefing: this.#briefing ? this.#briefing.id : null,
      kind: s.kind,
      ahead: s.ahead,
      text: this.#turnText(s),
      clock: floor ? floor.text(now) : '',
      elapsedMs: floor ? floor.elapsedMs(now) : null,
      limitMs: floor ? floor.limitMs() : null,
      speaker: this.#speaker ? this.#speaker.turn.office : null,
    };
  }
}
