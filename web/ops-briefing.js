/* briefing-relay: the operations room's briefing panel (ops.html): start
 * (title, optional turn limit) or prepare, and end the briefing; the roll
 * call live from the attendance events ("74/76 present, 2 late", the
 * absent named); the agenda with `next` and its editing (ops-agenda.js);
 * the current turn's running time against its limit. The state comes from
 * GET /api/v1/briefings/live (or the day's planned briefing) and is kept up
 * to date by the events; any gap in the events re-reads it. Texts from the
 * catalogue (texts-ops.js), drawn again when the language changes. */

import { ApiError, BRIEFING_EVENTS } from './briefing-api.js';
import { AgendaEditor } from './ops-agenda.js';
import { fetchProvinces } from './province-list.js';
import { TurnClock, bangkokTime, bangkokToday } from './briefing-format.js';
import { text, formatDate } from './i18n.js';
import { officeText } from './ops-format.js';
import './texts-ops.js';

const TICK_MS = 250;

export class OpsBriefing {
  #api;
  #els;
  #agenda;
  #briefing = null;       // the detail as last read, updated by events
  #attendance = new Map(); // office -> {status, here, name: {office, name_th, name_en}}
  #clock = null;          // TurnClock of the open turn
  #endedTurns = new Set(); // ids of turns an event said had ended
  #loading = null;
  #again = false;

  constructor(api) {
    this.#api = api;
    this.#els = {
      form: document.getElementById('briefing-form'),
      title: document.getElementById('briefing-title'),
      limit: document.getElementById('briefing-limit'),
      deadline: document.getElementById('briefing-deadline'),
      start: document.getElementById('briefing-start'),
      plan: document.getElementById('briefing-plan'),
      end: document.getElementById('briefing-end'),
      next: document.getElementById('agenda-next'),
      status: document.getElementById('briefing-status'),
      error: document.getElementById('briefing-error'),
      summary: document.getElementById('attendance-summary'),
      absent: document.getElementById('attendance-absent'),
      away: document.getElementById('attendance-away'),
      turnOffice: document.getElementById('turn-office'),
      turnClock: document.getElementById('turn-clock'),
    };
    this.#agenda = new AgendaEditor({
      list: document.getElementById('agenda-list'),
      form: document.getElementById('agenda-add'),
      office: document.getElementById('agenda-office'),
      title: document.getElementById('agenda-item'),
      limit: document.getElementById('agenda-limit'),
      save: (items) => this.#call(() => this.#api.setAgenda(this.#briefing.id, items)),
    });
    this.#els.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#start(false);
    });
    this.#els.plan.addEventListener('click', () => this.#start(true));
    this.#els.end.addEventListener('click', () => {
      if (this.#briefing) this.#call(() => this.#api.act(this.#briefing.id, 'end'));
    });
    this.#els.next.addEventListener('click', () => {
      if (this.#briefing) this.#call(() => this.#api.act(this.#briefing.id, 'next'));
    });
    window.setInterval(() => this.#renderClock(), TICK_MS);
    window.addEventListener('languagechange', () => this.#render());
    this.#render();
  }

  /* Reads the live briefing (or today's planned one) again. */
  load() {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = this.#read().finally(() => {
      this.#loading = null;
      if (this.#again) {
        this.#again = false;
        this.load();
      }
    });
    return this.#loading;
  }

  async loadOffices() {
    try {
      this.#agenda.setOffices(await fetchProvinces(document.baseURI));
    } catch (e) {
      window.setTimeout(() => this.loadOffices(), 5000);
    }
  }

  async #read() {
    try {
      let b = await this.#api.live();
      if (!b) {
        const today = await this.#api.list(bangkokToday(), bangkokToday(), 20);
        const planned = today.find((x) => x.state === 'planned');
        b = planned ? await this.#api.detail(planned.id) : null;
      }
      this.#els.error.textContent = '';
      this.#apply(b);
    } catch (e) {
      this.#showError(e);
    }
  }

  /* A chair action: its answer is the briefing as it now is. */
  async #call(fn) {
    this.#els.error.textContent = '';
    try {
      this.#apply(await fn());
      return true;
    } catch (e) {
      this.#showError(e);
      if (e instanceof ApiError && (e.status === 404 || e.status === 409)) {
        this.load(); // the briefing changed under us
      }
      return false;
    }
  }

  #start(plan) {
    const limitMin = parseFloat(this.#els.limit.value);
    const deadlineMin = parseFloat(this.#els.deadline.value);
    const b = this.#briefing;
    if (b && b.state === 'planned' && !plan) {
      return this.#call(() => this.#api.act(b.id, 'start'));
    }
    return this.#call(() => this.#api.create({
      title: this.#els.title.value.trim() || undefined,
      turn_limit_s: Number.isFinite(limitMin) && limitMin >= 0 ? Math.round(limitMin * 60) : undefined,
      roll_call_deadline_s: Number.isFinite(deadlineMin) && deadlineMin >= 0
        ? Math.round(deadlineMin * 60) : undefined,
      plan: plan || undefined,
    }));
  }

  #showError(e) {
    const status = e instanceof ApiError ? e.status : 0;
    const reason = e.message || String(e);
    if (status === 401 || status === 403) {
      this.#els.error.textContent = text('ops.chair-only');
      return;
    }
    const why = status === 409 ? text('ops.not-now') : status === 0 ? text('ops.unreachable') : '';
    this.#els.error.textContent = why ? why + ' (' + reason + ')' : reason;
  }

  /* ------------------------------------------------------------ events */

  onEvent(e) {
    if (!BRIEFING_EVENTS.has(e.type)) {
      return;
    }
    const b = this.#briefing;
    const mine = b && (e.briefing === b.id || (e.briefing && e.briefing.id === b.id));
    switch (e.type) {
      case 'attendance':
        if (!mine) break;
        this.#attendance.set(e.office, { ...(this.#attendance.get(e.office) || {}),
          status: e.status, here: e.here });
        b.counts = e.counts || b.counts;
        this.#agenda.setPresence(e.office, e.here);
        this.#renderAttendance();
        break;
      case 'agenda':
        if (!mine) break;
        b.agenda = e.agenda;
        b.current_position = e.current_position >= 0 ? e.current_position : null;
        this.#render();
        break;
      case 'turn-started':
        if (!mine) break;
        this.#clock = new TurnClock({ ...e.turn, briefing: b.id }, performance.now());
        this.#renderTurn();
        break;
      case 'turn-ended':
        this.#endedTurns.add(e.turn.id);
        if (mine && this.#clock && this.#clock.turn.id === e.turn.id) {
          this.#clock = null;
          this.#renderTurn();
        }
        break;
      case 'turn-overtime':
        if (mine && this.#clock && this.#clock.turn.id === e.turn.id) {
          this.#clock.turn.overtime = true;
        }
        break;
      default:
        /* started, ended, planned, recording: read the whole state again. */
        if (e.type !== 'recording') this.load();
    }
  }

  /* ---------------------------------------------------------- rendering */

  #apply(b) {
    this.#briefing = b && (b.state === 'live' || b.state === 'planned') ? b : null;
    this.#attendance.clear();
    for (const a of (this.#briefing && this.#briefing.attendance) || []) {
      this.#attendance.set(a.office, { status: a.status, here: a.here, name: a });
    }
    this.#clock = this.#openTurn(this.#briefing);
    this.#render();
  }

  /* The open turn's clock. A read can cross the turn events on the way
   * (the relay opens a turn just after the floor changes): a turn an event
   * already ended is over, and a turn an event started that the read does
   * not show ended is still open. */
  #openTurn(b) {
    if (!b) {
      return null;
    }
    const t = b.current_turn;
    if (t && !this.#endedTurns.has(t.id)) {
      return new TurnClock({ ...t, briefing: b.id }, performance.now());
    }
    const c = this.#clock;
    if (c && c.turn.briefing === b.id && !this.#endedTurns.has(c.turn.id)) {
      const known = (b.turns || []).find((x) => x.id === c.turn.id);
      if (!known || !known.ended_at) {
        return c;
      }
    }
    return null;
  }

  #render() {
    const b = this.#briefing;
    const live = Boolean(b) && b.state === 'live';
    const planned = Boolean(b) && b.state === 'planned';
    const els = this.#els;
    els.start.disabled = live;
    els.plan.disabled = Boolean(b);
    els.end.disabled = !live;
    els.next.disabled = !live;
    els.title.disabled = live || planned;
    els.limit.disabled = live || planned;
    els.deadline.disabled = live || planned;
    els.start.textContent = text(planned ? 'ops.briefing-start-planned' : 'ops.briefing-start');
    if (b) {
      els.title.value = b.title;
      els.limit.value = b.turn_limit_s ? String(b.turn_limit_s / 60) : '';
      els.deadline.value = String(b.roll_call_deadline_s / 60);
      const state = ['planned', 'live', 'ended', 'interrupted'].includes(b.state)
        ? text('ops.briefing-state.' + b.state) : b.state;
      els.status.textContent = `${b.title} — ${state} ${formatDate(b.date)}` +
        (b.started_at ? ` ${bangkokTime(b.started_at)}` : '');
    } else {
      els.status.textContent = text('ops.briefing-none');
    }
    els.status.dataset.state = b ? b.state : 'none';
    this.#agenda.render(b);
    this.#renderAttendance();
    this.#renderTurn();
  }

  #renderAttendance() {
    const b = this.#briefing;
    const els = this.#els;
    if (!b || b.state !== 'live') {
      els.summary.textContent = '';
      els.absent.textContent = '';
      els.away.textContent = '';
      return;
    }
    const c = b.counts || {};
    const came = (c.present || 0) + (c.late || 0);
    els.summary.textContent = text('ops.attendance-summary', came, c.expected, c.late, c.absent);
    els.summary.dataset.present = String(came);
    els.summary.dataset.late = String(c.late);
    const absent = [];
    const away = [];
    for (const [office, a] of this.#attendance) {
      const label = officeText(a.name || { office });
      if (a.status === 'absent') absent.push(label);
      else if (!a.here) away.push(label);
    }
    els.absent.textContent = absent.length ? text('ops.absent', absent.join(', ')) : '';
    els.away.textContent = away.length ? text('ops.left', away.join(', ')) : '';
  }

  #renderTurn() {
    const b = this.#briefing;
    const els = this.#els;
    const item = b && b.current_position !== null && b.current_position !== undefined
      ? (b.agenda || [])[b.current_position] : null;
    if (this.#clock) {
      els.turnOffice.textContent = officeText(this.#clock.turn);
      els.turnOffice.dataset.office = this.#clock.turn.office;
    } else if (item && item.kind === 'item') {
      els.turnOffice.textContent = text('ops.turn-item', item.title);
      delete els.turnOffice.dataset.office;
    } else {
      els.turnOffice.textContent = b && b.state === 'live' ? text('ops.nobody') : '';
      delete els.turnOffice.dataset.office;
    }
    this.#renderClock();
  }

  #renderClock() {
    const now = performance.now();
    const els = this.#els;
    els.turnClock.textContent = this.#clock ? this.#clock.text(now) : '';
    els.turnClock.classList.toggle('overtime', Boolean(this.#clock && this.#clock.overtime(now)));
  }

  /* For the test hook. */
  state() {
    const b = this.#briefing;
    const now = performance.now();
    return {
      id: b ? b.id : null,
      state: b ? b.state : null,
      title: b ? b.title : null,
      counts: b ? b.counts : null,
      absent: [...this.#attendance].filter(([, a]) => a.status === 'absent').map(([o]) => o),
      agenda: b ? (b.agenda || []).map((i) => ({ office: i.office || null, title: i.title || null,
        status: i.status })) : [],
      turn: this.#clock ? { office: this.#clock.turn.office, elapsedMs: this.#clock.elapsedMs(now),
        limitMs: this.#clock.limitMs(), overtime: this.#clock.overtime(now) } : null,
      summary: this.#els.summary.textContent,
      error: this.#els.error.textContent,
    };
  }
}
