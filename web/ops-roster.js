/* briefing-relay: the operations room's roster (ops.html): the central room
 * and the 76 offices, one compact row each (the name column always in
 * view, then state, level, floor and microphone), grouped by region in the
 * mosaic's order, or sorted missing first, by name or by code; filtered by
 * state and searched by Thai or English name or code. Each live office has
 * a network-quality dot (network-quality.js). A click on a row, or its
 * "give floor" button, asks the page for the floor (the page confirms an
 * office that is not live). Runs on the page's main thread; owns its rows
 * and the last status of each participant. */

import { text, formatNumber, formatTime } from './i18n.js';
import { QualityTracker } from './network-quality.js';
import { officeText, regionText, stateText } from './ops-format.js';
import './texts-ops.js';

/* Which states each filter keeps. */
const FILTERS = {
  all: () => true,
  live: (s) => s === 'live',
  missing: (s) => s !== 'live',
  lost: (s) => s === 'lost',
  offline: (s) => s === 'offline',
};

/* "Missing first": who is worst off at the top. */
const MISSING_RANK = { lost: 0, offline: 1, connecting: 2, live: 3 };

/* The search key of a code: "TH-50" is found as "th50", "th-50" or "50". */
const normalize = (s) => String(s || '').toLowerCase().replace(/[\s-]+/g, '');

function el(tag, className) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

function smallButton(onClick) {
  const b = el('button', 'secondary tiny');
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export class Roster {
  #els;
  #onFloor;
  #onMute;
  #rows = new Map();      // code -> {tr, name, dot, state, bar, floor, mute}
  #people = new Map();    // code -> the participant's latest status
  #quality = new Map();   // code -> {level, lossPercent, rttMs}
  #tracker = new QualityTracker();
  #order = [];            // codes in the mosaic's order
  #regionRows = new Map(); // region -> its header row
  #noMatch = null;        // the row saying nothing matches
  #conference = { floor: null, unmuted: ['central'] };
  #speaker = null;
  #shownKey = '';
  #shown = [];

  /* els: {tbody, counts, shown, filter, sort, search}; onFloor(code) and
   * onMute(code, muted) carry out a row's buttons. */
  constructor(els, { onFloor, onMute }) {
    this.#els = els;
    this.#onFloor = onFloor;
    this.#onMute = onMute;
    for (const control of [els.filter, els.sort]) {
      control.addEventListener('change', () => this.render());
    }
    els.search.addEventListener('input', () => this.render());
    window.addEventListener('languagechange', () => {
      for (const code of this.#rows.keys()) {
        this.#renderRow(code);
      }
      this.#shownKey = '';
      this.render();
    });
  }

  /* GET /api/v1/provinces (with the chair's token: the counters the
   * quality dot needs); now: a monotonic time in ms. */
  update(status, now) {
    const list = [...(status.central ? [status.central] : []), ...(status.provinces || [])];
    for (const p of list) {
      if (!p || typeof p.code !== 'string') continue;
      this.#people.set(p.code, p);
      this.#quality.set(p.code, this.#tracker.sample(p, now));
      if (!this.#rows.has(p.code)) {
        this.#addRow(p.code);
      }
      this.#renderRow(p.code);
    }
    this.render();
  }

  /* The mosaic's tile order (ops-mosaic.js): the roster's order too. */
  setOrder(ids) {
    if (ids.length && ids.join() !== this.#order.join()) {
      /* Hidden tiles are left out of a layout: keep what is known. */
      const known = new Set(ids);
      this.#order = [...ids, ...this.#order.filter((id) => !known.has(id))];
      this.render();
    }
  }

  applyConference(c) {
    this.#conference = { floor: c.floor || null, unmuted: c.unmuted || [] };
    for (const code of this.#rows.keys()) {
      this.#renderRow(code);
    }
  }

  setSpeaker(id) {
    this.#speaker = id;
    for (const [code, row] of this.#rows) {
      row.tr.classList.toggle('speaking', code === id);
    }
  }

  /* A participant's latest status (names, region, state), or null. */
  participant(code) {
    return this.#people.get(code) || null;
  }

  #addRow(code) {
    const tr = el('tr');
    tr.dataset.id = code;
    const nameCell = el('td', 'name');
    const dot = el('span', 'quality-dot');
    const name = el('span', 'office-name');
    nameCell.append(dot, name);
    const state = el('td', 'state');
    const level = el('td', 'level');
    const meter = el('span', 'meter');
    const bar = el('span');
    meter.appendChild(bar);
    level.appendChild(meter);
    const floorCell = el('td', 'floor-cell');
    let floor = null;
    if (code !== 'central') {
      floor = smallButton(() => this.#onFloor(code));
      floorCell.appendChild(floor);
      tr.classList.add('clickable');
      tr.addEventListener('click', (ev) => {
        if (!ev.target.closest('button')) {
          this.#onFloor(code);
        }
      });
    }
    const muteCell = el('td', 'mic-cell');
    const mute = smallButton(() => this.#onMute(code, mute.dataset.muted !== 'true'));
    muteCell.appendChild(mute);
    tr.append(nameCell, state, level, floorCell, muteCell);
    this.#rows.set(code, { tr, name, dot, state, bar, floor, mute });
  }

  #renderRow(code) {
    const row = this.#rows.get(code);
    const p = this.#people.get(code) || { code, state: 'offline' };
    const label = officeText(p);
    row.tr.dataset.state = p.state;
    row.name.textContent = label;
    row.name.title = label;
    row.state.textContent = stateText(p.state);
    /* Another device of the office took over from the one that was live
     * (docs/API.md, "One device at a time"): two devices in one office. */
    const takeovers = p.takeover && p.takeover.count > 0 ? p.takeover.count : 0;
    row.tr.dataset.takeovers = String(takeovers);
    if (takeovers) {
      const mark = el('span', 'takeover-mark');
      mark.textContent = text('ops.takeover-mark', takeovers);
      mark.title = text('ops.takeover-title', takeovers, formatTime(p.takeover.last_at));
      mark.setAttribute('aria-label', mark.title);
      row.state.append(' ', mark);
    }
    /* RFC 6464: 0 dBov loudest, -127 silence; the meter shows -60..0. */
    const dbov = p.audio && typeof p.audio.level_dbov === 'number' && p.state === 'live'
      ? p.audio.level_dbov : -127;
    row.bar.style.width = Math.max(0, Math.min(100, (dbov + 60) / 60 * 100)) + '%';
    const q = this.#quality.get(code) || { level: 'none', lossPercent: null, rttMs: null };
    row.dot.dataset.quality = q.level;
    row.dot.title = text('ops.quality.' + q.level) +
      (q.lossPercent !== null ? ' (' + text('ops.quality-detail', formatNumber(q.lossPercent), q.rttMs) + ')' : '');
    row.dot.setAttribute('aria-label', row.dot.title);
    row.dot.setAttribute('role', 'img');
    const holds = this.#conference.floor === code;
    const muted = !this.#conference.unmuted.includes(code);
    row.tr.classList.toggle('floor', holds);
    row.tr.classList.toggle('speaking', this.#speaker === code);
    row.tr.dataset.muted = String(muted);
    row.mute.textContent = text(muted ? 'mic.unmute' : 'mic.mute');
    row.mute.dataset.muted = String(muted);
    if (row.floor) {
      row.floor.disabled = holds;
      row.floor.textContent = text(holds ? 'ops.has-floor' : 'ops.give-floor');
      row.floor.title = text('ops.give-floor-title', label);
    }
  }

  #compare(sort) {
    const index = new Map(this.#order.map((id, i) => [id, i]));
    const at = (code) => (index.has(code) ? index.get(code) : 1e6);
    const mosaic = (a, b) => at(a.code) - at(b.code) || a.code.localeCompare(b.code);
    switch (sort) {
      case 'missing':
        return (a, b) => (MISSING_RANK[a.state] ?? 3) - (MISSING_RANK[b.state] ?? 3) || mosaic(a, b);
      case 'name':
        return (a, b) => officeText({ ...a, code: '' }).localeCompare(officeText({ ...b, code: '' }), 'th');
      case 'code':
        return (a, b) => a.code.localeCompare(b.code);
      default:
        return mosaic;
    }
  }

  #matches(p, query) {
    if (!query) {
      return true;
    }
    const q = query.trim().toLowerCase();
    return normalize(p.code).includes(normalize(q)) || String(p.name_th || '').includes(q) ||
      String(p.name_en || '').toLowerCase().includes(q) ||
      (p.code === 'central' && text('ops.central-room').toLowerCase().includes(q));
  }

  /* Puts the rows that pass the filter and the search in order (with the
   * region headings when in the mosaic's order), moving the rows only when
   * that order changed: a row under the pointer is not rebuilt every
   * second. */
  render() {
    const filter = FILTERS[this.#els.filter.value] || FILTERS.all;
    const sort = this.#els.sort.value;
    const query = this.#els.search.value;
    const all = [...this.#people.values()];
    const shown = all.filter((p) => filter(p.state) && this.#matches(p, query)).sort(this.#compare(sort));
    const central = shown.filter((p) => p.code === 'central');
    const offices = shown.filter((p) => p.code !== 'central');
    const grouped = sort === 'mosaic' || !sort;
    const nodes = central.map((p) => this.#rows.get(p.code).tr);
    let region = null;
    for (const p of offices) {
      if (grouped && p.region !== region) {
        region = p.region;
        nodes.push(this.#regionRow(region));
      }
      nodes.push(this.#rows.get(p.code).tr);
    }
    if (!shown.length && all.length) {
      nodes.push(this.#emptyRow());
    }
    this.#renderRegions(all);
    const key = nodes.map((n) => n.dataset.id || n.dataset.region || '-').join();
    if (key !== this.#shownKey) {
      this.#shownKey = key;
      this.#els.tbody.replaceChildren(...nodes);
    }
    this.#shown = shown.map((p) => p.code);
    const provinces = all.filter((p) => p.code !== 'central');
    const counts = { live: 0, lost: 0, offline: 0, connecting: 0 };
    for (const p of provinces) {
      counts[p.state] = (counts[p.state] || 0) + 1;
    }
    this.#els.counts.textContent = text('ops.counts', counts);
    const shownOffices = offices.length;
    this.#els.shown.textContent = shownOffices === provinces.length ? ''
      : text('ops.shown', shownOffices, provinces.length);
  }

  #regionRow(region) {
    if (!this.#regionRows.has(region)) {
      const tr = el('tr', 'region-head');
      tr.dataset.region = region;
      const th = el('th');
      th.colSpan = 5;
      th.scope = 'colgroup';
      tr.appendChild(th);
      this.#regionRows.set(region, tr);
    }
    return this.#regionRows.get(region);
  }

  #renderRegions(all) {
    for (const [region, tr] of this.#regionRows) {
      const members = all.filter((p) => p.region === region && p.code !== 'central');
      const live = members.filter((p) => p.state === 'live').length;
      tr.firstChild.textContent = text('ops.region-head', regionText(region), live, members.length);
    }
  }

  #emptyRow() {
    if (!this.#noMatch) {
      this.#noMatch = el('tr', 'no-match');
      this.#noMatch.dataset.region = '';
      const td = el('td');
      td.colSpan = 5;
      this.#noMatch.appendChild(td);
    }
    this.#noMatch.firstChild.textContent = text('ops.no-match');
    return this.#noMatch;
  }

  /* For the test hook: the codes shown, in order, and each one's dot. */
  state() {
    return {
      shown: [...this.#shown],
      quality: Object.fromEntries([...this.#quality].map(([code, q]) => [code, q])),
      order: [...this.#order],
    };
  }
}
