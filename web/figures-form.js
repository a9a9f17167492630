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
 * fields as the office types, in Thai and English, with a "ยืนยันตัวเลข /
 * Confirm figures" box. The relay refuses them until they come confirmed
 * (needs_confirmation, its warnings then shown instead); a submission with
 * the box ticked carries "confirm_warnings": the codes of the warnings shown.
 *
 * Test hook: form.lastReply = {via: 'datachannel'|'https', reply};
 * form.warnings = the warnings shown ([{code, field, reason, reason_th}]).
 */

import { checkPlausibility } from './figures-plausibility.js';

const TEXT = {
  saved: (v, via) => `บันทึกแล้ว (ฉบับที่ ${v}) / Saved (version ${v}) — ${via}`,
  sending: 'กำลังส่ง… / Sending…',
  fix: 'กรุณาแก้ไขช่องที่มีข้อผิดพลาด / Please correct the marked fields',
  required: 'ต้องกรอก / Required',
  number: 'ต้องเป็นตัวเลข / Must be a number',
  integer: 'ต้องเป็นจำนวนเต็ม / Must be a whole number',
  min: (m) => `ต้องไม่น้อยกว่า ${m} / At least ${m}`,
  max: (m) => `ต้องไม่เกิน ${m} / At most ${m}`,
  length: (m) => `ยาวได้ไม่เกิน ${m} ตัวอักษร / At most ${m} characters`,
  noSchema: 'โหลดแบบฟอร์มไม่ได้ / Could not load the form',
  network: 'ส่งไม่สำเร็จ ลองอีกครั้ง / Not sent, please try again',
  token: 'กรุณากรอกโทเค็นด้านบน / Enter the token above',
  refused: 'ไม่ได้บันทึก / Not saved',
  savedWarned: (v, n, via) => `บันทึกแล้ว (ฉบับที่ ${v}) พร้อมคำเตือนที่ยืนยัน ${n} รายการ / `
    + `Saved (version ${v}) with ${n} confirmed warning${n === 1 ? '' : 's'} — ${via}`,
  confirmFirst: 'ตัวเลขบางช่องผิดปกติ: ตรวจสอบ แล้วติ๊ก "ยืนยันตัวเลข" และกดส่งอีกครั้ง / '
    + 'Some figures look unusual: check them, tick "Confirm figures" and submit again',
  warning: (w) => `⚠ ${w.reason_th} / ${w.reason}`,
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
  #form; #fieldsBox; #status; #date; #submit; #confirmBox; #confirm;
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
    this.#date.value = bangkokToday();
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
  }

  async load() {
    try {
      const res = await fetch(new URL('api/v1/figures/schema', this.#baseUrl));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.#schema = await res.json();
    } catch {
      this.#setStatus('error', TEXT.noSchema);
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
    label.textContent = `${f.label_th} / ${f.label_en}${f.unit ? ` (${f.unit})` : ''}${f.required ? ' *' : ''}`;
    let input;
    if (f.type === 'enum') {
      input = document.createElement('select');
      input.append(new Option('—', ''));
      for (const v of f.values || []) input.append(new Option(v, v));
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
    this.#inputs.set(f.name, { field: f, input, error, warning });
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
      byField.get(key).push(TEXT.warning(w));
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
    for (const { field: f, input, error } of this.#inputs.values()) {
      error.textContent = '';
      input.removeAttribute('aria-invalid');
      const raw = input.value.trim();
      let msg = null;
      if (raw === '') {
        if (f.required) msg = TEXT.required;
      } else if (f.type === 'enum' || f.type === 'text') {
        if (f.max_length && [...raw].length > f.max_length) msg = TEXT.length(f.max_length);
        else values[f.name] = raw;
      } else {
        const n = Number(raw);
        if (!Number.isFinite(n)) msg = TEXT.number;
        else if (f.type === 'integer' && !Number.isInteger(n)) msg = TEXT.integer;
        else if (f.min !== undefined && n < f.min) msg = TEXT.min(f.min);
        else if (f.max !== undefined && n > f.max) msg = TEXT.max(f.max);
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
      this.#showError(err.field.slice('values.'.length), `${err.reason_th} / ${err.reason}`);
    }
    return ok ? values : null;
  }

  #showError(name, text) {
    const entry = this.#inputs.get(name);
    if (!entry) return false;
    entry.error.textContent = text;
    entry.input.setAttribute('aria-invalid', 'true');
    return true;
  }

  #setStatus(kind, text) {
    this.#status.dataset.kind = kind;
    this.#status.textContent = text;
  }

  async submit() {
    if (!this.#schema) return;
    const values = this.#collect();
    if (!values) {
      this.#setStatus('error', TEXT.fix);
      return;
    }
    const confirmed = this.warnings.length > 0 && this.#confirm.checked;
    const message = JSON.stringify({
      type: 'figures', id: newId(), date: this.#date.value, values,
      ...(confirmed ? { confirm_warnings: this.warnings.map((w) => w.code) } : {}),
    });
    this.#submit.disabled = true;
    this.#setStatus('busy', TEXT.sending);
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
      this.#setStatus('error', e.message === 'token' ? TEXT.token : TEXT.network);
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
    const how = via === 'datachannel' ? 'data channel' : 'HTTPS';
    if (reply.ok) {
      const stored = reply.warnings || [];
      this.#showWarnings(stored);
      this.#setStatus('ok', stored.length ? TEXT.savedWarned(reply.version, stored.length, how)
        : TEXT.saved(reply.version, how));
      return;
    }
    /* The relay's warnings replace the page's own: it decides. */
    const general = reply.warnings ? this.#showWarnings(reply.warnings) : [];
    if (reply.needs_confirmation) {
      this.#setStatus('warn', [TEXT.confirmFirst, ...general].join(' — '));
      this.#confirm.focus();
      return;
    }
    for (const err of reply.errors || []) {
      const name = err.field && err.field.startsWith('values.') ? err.field.slice(7) : err.field;
      const reason = err.reason_th ? `${err.reason_th} / ${err.reason}` : err.reason;
      if (name === 'date') {
        this.#form.querySelector('.figures-date-error').textContent = reason;
      } else if (!name || !this.#showError(name, reason)) {
        general.push(err.field ? `${err.field}: ${reason}` : reason);
      }
    }
    this.#setStatus('error', [TEXT.refused, ...general].join(' — '));
  }
}
