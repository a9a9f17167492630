/* briefing-relay: the province's figures form.
 *
 * Built from GET /api/v1/figures/schema (Thai and English labels, types,
 * limits, plausibility rules). Checked in the page first; sent as
 * {"type":"figures",...} on the WebRTC data channel labelled "report" when it
 * is open, otherwise with POST /api/v1/reports and the province's token. The
 * relay's answer is shown: the version on success, each error next to its
 * field.
 *
 * Implausible figures (figures-plausibility.js) are marked beside their
 * fields as the office types, with a "Confirm figures" box. The relay
 * refuses them until they come confirmed (needs_confirmation, its warnings
 * then shown instead); a submission with the box ticked carries
 * "confirm_warnings": the codes of the warnings shown.
 *
 * One language at a time (texts-province.js): labels, units and the
 * schema's words in the page's language, written again when it changes;
 * the day is typed as the page writes dates (date-field.js). The relay's
 * own English reason of a refusal is shown in English, and in Thai its
 * reason_th when it gives one, else the page's words (the reason goes to
 * the console). Runs on the page's main thread; owns the form's fields.
 *
 * Test hook: form.lastReply = {via: 'datachannel'|'https', reply};
 * form.warnings = the warnings shown ([{code, field, reason, reason_th}]).
 */

import { checkPlausibility } from './figures-plausibility.js';
import { fieldLabel, unitText, formatValue } from './figures-format.js';
import { DateField } from './date-field.js';
import { text, localized, formatDate, parseDisplayDate } from './i18n.js';
import './texts-province.js';

const VIA_KEYS = {
  datachannel: 'province.figures-via-datachannel',
  https: 'province.figures-via-https',
};

const CHANNEL_REPLY_TIMEOUT_MS = 10000;

/* A locale-independent YYYY-MM-DD of today in Bangkok (the relay's day). */
function bangkokToday() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

function newId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export class FiguresForm {
  #form; #fieldsBox; #status; #date; #day; #submit; #confirmBox; #confirm;
  #statusText = null; // () => the status line in the current language
  #errorTexts = new Map(); // field name ('date' too) -> () => its error in the current language
  #schema = null;
  #inputs = new Map(); // name -> {field, input, error, warning}
  #getChannel; #getCredentials; #baseUrl;
  #pending = []; // replies awaited on the channel, in order
  #channelSeen = new WeakSet();
  lastReply = null;
  warnings = [];

  constructor({ form, baseUrl, getChannel, getCredentials }) {
    this.#form = form;
    this.#fieldsBox = form.querySelector('.figures-fields');
    this.#status = form.querySelector('.figures-status');
    this.#date = form.querySelector('input[name="date"]');
    this.#submit = form.querySelector('button[type="submit"]');
    this.#confirmBox = form.querySelector('.figures-confirm');
    this.#confirm = form.querySelector('input[name="confirm_warnings"]');
    this.#baseUrl = baseUrl;
    this.#getChannel = getChannel;
    this.#getCredentials = getCredentials;
    this.#day = new DateField(this.#date, bangkokToday());
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    window.addEventListener('languagechange', () => this.#rewrite());
  }

  /* Everything the form wrote, again in the current language. */
  #rewrite() {
    for (const { field: f, label, input } of this.#inputs.values()) {
      label.textContent = this.#labelText(f);
      if (f.type === 'enum') {
        for (const o of input.options) {
          if (o.value) o.textContent = formatValue(f, o.value);
        }
      }
    }
    this.#showWarnings(this.warnings);
    for (const [name, textOf] of this.#errorTexts) this.#showError(name, textOf);
    if (this.#statusText) this.#status.textContent = this.#statusText();
  }

  #labelText(f) {
    const unit = unitText(f.unit);
    return fieldLabel(f) + (unit ? ` (${unit})` : '') + (f.required ? ' *' : '');
  }

  async load() {
    try {
      const res = await fetch(new URL('api/v1/figures/schema', this.#baseUrl));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.#schema = await res.json();
    } catch {
      this.#setStatus('error', () => text('province.figures-no-schema'));
      return;
    }
    this.#fieldsBox.replaceChildren(...this.#schema.fields.map((f) => this.#buildField(f)));
    /* Warned as the office types, before anything is sent; a confirmation
     * is for the figures as they were when it was given. */
    const edited = () => {
      this.#confirm.checked = false;
      this.#showWarnings(this.#localWarnings());
    };
    this.#fieldsBox.addEventListener('input', edited);
    this.#fieldsBox.addEventListener('change', edited);
    this.#submit.disabled = false;
  }

  #buildField(f) {
    const row = document.createElement('div');
    row.className = 'field';
    const id = `fig-${f.name}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = this.#labelText(f);
    let input;
    if (f.type === 'enum') {
      input = document.createElement('select');
      input.append(new Option('—', ''));
      for (const v of f.values || []) input.append(new Option(formatValue(f, v), v));
    } else if (f.type === 'text') {
      input = document.createElement('textarea');
      input.rows = 2;
      if (f.max_length) input.maxLength = f.max_length;
    } else {
      input = document.createElement('input');
      input.type = 'number';
      input.step = f.type === 'integer' ? '1' : 'any';
      if (f.min !== undefined) input.min = String(f.min);
      if (f.max !== undefined) input.max = String(f.max);
    }
    input.id = id;
    input.name = f.name;
    const error = document.createElement('p');
    error.className = 'field-error';
    error.id = `${id}-error`;
    error.setAttribute('aria-live', 'polite');
    const warning = document.createElement('p');
    warning.className = 'field-warning';
    warning.id = `${id}-warning`;
    warning.setAttribute('aria-live', 'polite');
    input.setAttribute('aria-describedby', `${error.id} ${warning.id}`);
    row.append(label, input, error, warning);
    this.#inputs.set(f.name, { field: f, label, input, error, warning });
    return row;
  }

  /* The values as typed, numbers only where they are numbers: what the
   * plausibility rules can judge already. */
  #typedValues() {
    const values = {};
    for (const { field: f, input } of this.#inputs.values()) {
      const raw = input.value.trim();
      if (raw === '' || f.type === 'enum' || f.type === 'text') continue;
      const n = Number(raw);
      if (Number.isFinite(n)) values[f.name] = n;
    }
    return values;
  }

  #localWarnings() {
    return checkPlausibility(this.#schema, this.#typedValues()).warnings;
  }

  /* Each warning beside its field (one not beside any in the status); the
   * confirmation box while there are some. What was confirmed is what was
   * shown: other warnings untick it. Returns the texts beside no field. */
  #showWarnings(warnings) {
    const codes = (list) => list.map((w) => w.code).sort().join(' ');
    if (codes(warnings) !== codes(this.warnings)) this.#confirm.checked = false;
    this.warnings = warnings;
    const byField = new Map();
    for (const w of warnings) {
      const name = w.field && w.field.startsWith('values.') ? w.field.slice(7) : null;
      const key = this.#inputs.has(name) ? name : null;
      if (!byField.has(key)) byField.set(key, []);
      byField.get(key).push('⚠ ' + localized(w.reason_th, w.reason));
    }
    for (const [name, { warning }] of this.#inputs) {
      warning.textContent = (byField.get(name) || []).join('\n');
    }
    this.#confirmBox.hidden = warnings.length === 0;
    return byField.get(null) || [];
  }

  /* Client-side checks; returns the values or null (errors shown). */
  #collect() {
    let ok = true;
    const values = {};
    this.#clearErrors();
    for (const { field: f, input } of this.#inputs.values()) {
      const raw = input.value.trim();
      let msg = null;
      if (raw === '') {
        if (f.required) msg = () => text('province.figures-required');
      } else if (f.type === 'enum' || f.type === 'text') {
        if (f.max_length && [...raw].length > f.max_length) {
          msg = () => text('province.figures-length', f.max_length);
        } else {
          values[f.name] = raw;
        }
      } else {
        const n = Number(raw);
        if (!Number.isFinite(n)) msg = () => text('province.figures-number');
        else if (f.type === 'integer' && !Number.isInteger(n)) msg = () => text('province.figures-integer');
        else if (f.min !== undefined && n < f.min) msg = () => text('province.figures-min', f.min);
        else if (f.max !== undefined && n > f.max) msg = () => text('province.figures-max', f.max);
        else values[f.name] = n;
      }
      if (msg) {
        ok = false;
        this.#showError(f.name, msg);
      }
    }
    if (!ok) return null;
    /* A rule of severity "error" refuses as a bound does: no use sending. */
    for (const err of checkPlausibility(this.#schema, values).errors) {
      ok = false;
      this.#showError(err.field.slice('values.'.length), () => localized(err.reason_th, err.reason));
    }
    return ok ? values : null;
  }

  #clearErrors() {
    this.#errorTexts.clear();
    this.#form.querySelector('.figures-date-error').textContent = '';
    for (const { input, error } of this.#inputs.values()) {
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    }
  }

  /* textOf: () => the error in the current language. */
  #showError(name, textOf) {
    if (name === 'date') {
      this.#errorTexts.set(name, textOf);
      this.#form.querySelector('.figures-date-error').textContent = textOf();
      return true;
    }
    const entry = this.#inputs.get(name);
    if (!entry) return false;
    this.#errorTexts.set(name, textOf);
    entry.error.textContent = textOf();
    entry.input.setAttribute('aria-invalid', 'true');
    return true;
  }

  /* textOf: () => the status in the current language. */
  #setStatus(kind, textOf) {
    this.#status.dataset.kind = kind;
    this.#statusText = textOf;
    this.#status.textContent = textOf();
  }

  async submit() {
    if (!this.#schema) return;
    const values = this.#collect();
    const date = parseDisplayDate(this.#date.value);
    if (!date) {
      this.#showError('date', () => text('date.invalid'));
    }
    if (!values || !date) {
      this.#setStatus('error', () => text('province.figures-fix'));
      return;
    }
    this.#day.iso = date;
    const confirmed = this.warnings.length > 0 && this.#confirm.checked;
    const message = JSON.stringify({
      type: 'figures', id: newId(), date, values,
      ...(confirmed ? { confirm_warnings: this.warnings.map((w) => w.code) } : {}),
    });
    this.#submit.disabled = true;
    this.#setStatus('busy', () => text('province.figures-sending'));
    try {
      const channel = this.#getChannel();
      let result;
      if (channel && channel.readyState === 'open') {
        result = { via: 'datachannel', reply: await this.#sendOnChannel(channel, message) };
      } else {
        result = { via: 'https', reply: await this.#post(message) };
      }
      this.lastReply = result;
      this.#showReply(result);
    } catch (e) {
      this.#setStatus('error', () => text(e.message === 'token' ? 'province.figures-token' : 'province.figures-network'));
    } finally {
      this.#submit.disabled = false;
    }
  }

  /* Replies on the channel come back in the order messages were sent. */
  #sendOnChannel(channel, message) {
    if (!this.#channelSeen.has(channel)) {
      this.#channelSeen.add(channel);
      channel.addEventListener('message', (ev) => {
        const waiter = this.#pending.shift();
        if (!waiter) return;
        clearTimeout(waiter.timer);
        try {
          waiter.resolve(JSON.parse(ev.data));
        } catch (e) {
          waiter.reject(e);
        }
      });
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      waiter.timer = setTimeout(() => {
        this.#pending = this.#pending.filter((w) => w !== waiter);
        reject(new Error('timeout'));
      }, CHANNEL_REPLY_TIMEOUT_MS);
      this.#pending.push(waiter);
      channel.send(message);
    });
  }

  async #post(message) {
    const { token } = this.#getCredentials();
    if (!token) throw new Error('token');
    const res = await fetch(new URL('api/v1/reports', this.#baseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: message,
    });
    const body = await res.json().catch(() => null);
    if (body && typeof body.ok === 'boolean') return body;
    /* 401/403/413 come as {"error","reason"}. */
    return { ok: false, errors: [{ field: null, reason: body?.reason || `HTTP ${res.status}` }] };
  }

  #showReply({ via, reply }) {
    const how = () => text(VIA_KEYS[via]);
    if (reply.ok) {
      const stored = reply.warnings || [];
      this.#showWarnings(stored);
      this.#setStatus('ok', stored.length
        ? () => text('province.figures-saved-warned', reply.version, stored.length, how())
        : () => text('province.figures-saved', reply.version, how()));
      return;
    }
    /* The relay's warnings replace the page's own: it decides. */
    const general = reply.warnings ? this.#showWarnings(reply.warnings) : [];
    if (reply.needs_confirmation) {
      this.#setStatus('warn', () => [text('province.figures-confirm-first'), ...general].join(' — '));
      this.#confirm.focus();
      return;
    }
    const unplaced = [];
    for (const err of reply.errors || []) {
      const name = err.field && err.field.startsWith('values.') ? err.field.slice(7) : err.field;
      if (!err.reason_th) {
        /* The relay's reason is English, for logs: the console has it. */
        console.info('figures refused:', err.field, err.reason);
      }
      const textOf = name === 'date'
        ? () => text('province.figures-refused-date', formatDate(this.#day.iso), err.reason)
        : () => (err.reason_th ? localized(err.reason_th, err.reason)
          : text('province.figures-refused-field', err.reason));
      if (!name || !this.#showError(name, textOf)) unplaced.push(textOf);
    }
    this.#setStatus('error', () => [text('province.figures-refused'), ...general,
      ...unplaced.map((t) => t())].join(' — '));
  }
}
