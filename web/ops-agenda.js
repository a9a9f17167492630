/* briefing-relay: the operations room's agenda list (ops.html): every item
 * with its status, the office's presence and its time limit; the pending
 * items can be removed and moved, and offices or free items added. Each
 * edit sends the whole new list of pending items (PUT .../agenda replaces
 * them; the items done, skipped or current stay where they are), so what
 * the list shows is always what the relay answered. Texts from the
 * catalogue (texts-ops.js), drawn again when the language changes. */

import { clockText } from './briefing-format.js';
import { text } from './i18n.js';
import { officeText } from './ops-format.js';
import './texts-ops.js';

const AGENDA_STATUSES = new Set(['pending', 'current', 'done', 'skipped']);

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function smallButton(text, label, onClick) {
  const b = el('button', text, 'secondary tiny');
  b.type = 'button';
  b.setAttribute('aria-label', label);
  b.title = label;
  b.addEventListener('click', onClick);
  return b;
}

/* The request item for an agenda item: its own limit only when it differs
 * from the briefing's (the agenda lists the limit that applies). */
function requestItem(item, turnLimit) {
  const out = item.kind === 'office' ? { office: item.office } : { title: item.title };
  const limit = item.time_limit_s || 0;
  if (limit !== (turnLimit || 0)) {
    out.time_limit_s = limit;
  }
  return out;
}

export class AgendaEditor {
  #list;
  #form;
  #office;
  #title;
  #limit;
  #save;             // async (items) => void: PUT the pending items
  #briefing = null;  // {agenda, turn_limit_s, state}
  #here = new Map(); // office -> present now (fresher than the agenda's flags)
  #offices = [];     // what the "add" picker offers

  constructor({ list, form, office, title, limit, save }) {
    this.#list = list;
    this.#form = form;
    this.#office = office;
    this.#title = title;
    this.#limit = limit;
    this.#save = save;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#add();
    });
    window.addEventListener('languagechange', () => {
      this.setOffices(this.#offices);
      this.render(this.#briefing);
    });
  }

  /* The offices the "add" picker offers: [{code, name_th, name_en}]. */
  setOffices(offices) {
    this.#offices = offices;
    const keep = this.#office.value;
    this.#office.textContent = '';
    this.#office.add(new Option(text('ops.agenda-office-none'), ''));
    for (const p of offices) {
      this.#office.add(new Option(officeText(p), p.code));
    }
    this.#office.value = keep;
  }

  setPresence(office, here) {
    this.#here.set(office, here);
    const li = this.#list.querySelector(`li[data-office="${CSS.escape(office)}"][data-status="pending"]`);
    if (li) {
      li.dataset.here = String(here);
    }
  }

  /* briefing: {agenda, turn_limit_s, state} or null (none). */
  render(briefing) {
    this.#briefing = briefing;
    const editable = Boolean(briefing) && (briefing.state === 'live' || briefing.state === 'planned');
    for (const c of this.#form.elements) {
      c.disabled = !editable;
    }
    if (!briefing) {
      this.#list.replaceChildren();
      return;
    }
    const items = briefing.agenda || [];
    const pending = items.filter((i) => i.status === 'pending');
    const rows = items.map((item) => {
      const li = el('li');
      li.dataset.position = String(item.position);
      li.dataset.status = item.status;
      li.dataset.kind = item.kind;
      if (item.kind === 'office') {
        li.dataset.office = item.office;
        const here = this.#here.has(item.office) ? this.#here.get(item.office) : item.here;
        li.dataset.here = String(Boolean(here));
      }
      li.append(el('span', item.kind === 'office' ? officeText(item) : item.title || '', 'agenda-name'));
      if (item.kind === 'office') {
        li.append(el('span', text('ops.agenda-not-here'), 'agenda-not-here'));
      }
      li.append(el('span', AGENDA_STATUSES.has(item.status) ? text('ops.agenda-status.' + item.status)
        : item.status, 'agenda-status'));
      if (item.time_limit_s) {
        li.append(el('span', clockText(item.time_limit_s * 1000), 'agenda-limit'));
      }
      if (item.status === 'pending' && editable) {
        const at = pending.indexOf(item);
        const tools = el('span', null, 'agenda-tools');
        const up = smallButton('▲', text('ops.agenda-up'), () => this.#move(at, -1));
        const down = smallButton('▼', text('ops.agenda-down'), () => this.#move(at, 1));
        up.disabled = at === 0;
        down.disabled = at === pending.length - 1;
        tools.append(up, down, smallButton('✕', text('ops.agenda-remove'), () => this.#remove(at)));
        li.append(tools);
      }
      return li;
    });
    this.#list.replaceChildren(...rows);
  }

  #pending() {
    const b = this.#briefing;
    return (b ? b.agenda || [] : []).filter((i) => i.status === 'pending')
      .map((i) => requestItem(i, b.turn_limit_s));
  }

  #move(at, by) {
    const items = this.#pending();
    const to = at + by;
    if (to < 0 || to >= items.length) return;
    [items[at], items[to]] = [items[to], items[at]];
    this.#save(items);
  }

  #remove(at) {
    const items = this.#pending();
    items.splice(at, 1);
    this.#save(items);
  }

  #add() {
    const office = this.#office.value;
    const title = this.#title.value.trim();
    if (!office && !title) {
      this.#office.focus();
      return;
    }
    const item = office ? { office } : { title };
    const minutes = parseFloat(this.#limit.value);
    if (Number.isFinite(minutes) && minutes >= 0) {
      item.time_limit_s = Math.round(minutes * 60);
    }
    const items = this.#pending();
    items.push(item);
    /* Clear only what was added: a refusal leaves the form for a fix. */
    Promise.resolve(this.#save(items)).then((ok) => {
      if (ok) {
        this.#office.value = '';
        this.#title.value = '';
      }
    });
  }
}
