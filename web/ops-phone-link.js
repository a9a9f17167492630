/* briefing-relay: the chair's "link for a phone" on ops.html. A button
 * (put an element with data-phone-link in the page) opens a dialog that
 * asks the relay for a one-time sign-in link (POST /api/v1/session/links,
 * docs/API.md "Sign-in") and shows it as a QR code to scan and as a link
 * to send, with the minutes it has left. The link signs one phone in once,
 * as the minister (or a mosaic viewer), never as the chair.
 *
 * The chair's credential is the page's: the token typed in #token (or the
 * one the page remembers), else the page's sign-in cookie. Builds its own
 * elements; runs on the page's main thread; holds the dialog and its
 * countdown timer. */

import { text, formatDuration } from './i18n.js';
import { storageGet } from './local-storage.js';
import './texts-ops-phone-link.js';

const CHAIR_TOKEN_KEY = 'briefing.chair-token';
const TIMEOUT_MS = 10000;

function chairToken() {
  const input = document.getElementById('token');
  return (input && input.value.trim()) || storageGet(CHAIR_TOKEN_KEY) || '';
}

/* An element with its text from the catalogue (re-read on a change of
 * language by relabel()). */
function make(tag, props = {}, key = null) {
  const el = document.createElement(tag);
  Object.assign(el, props);
  if (key) {
    el.dataset.phoneText = key;
    el.textContent = text(key);
  }
  return el;
}

class PhoneLink {
  #root;
  #els = {};
  #timer = null;
  #expiresAt = 0;     /* Date.now() when the link shown expires */
  #status = null;     /* () => text, or null */

  constructor(root) {
    this.#root = root;
    const e = this.#els;
    e.open = make('button', { type: 'button', className: 'secondary phone-link-open' }, 'phone-link.open');
    e.open.title = text('phone-link.open-title');
    e.dialog = make('dialog', { className: 'phone-link-dialog' });
    e.dialog.setAttribute('aria-labelledby', 'phone-link-heading');
    const heading = make('h2', { id: 'phone-link-heading' }, 'phone-link.heading');
    const explain = make('p', { className: 'phone-link-explain' }, 'phone-link.explain');
    const roleRow = make('p', { className: 'phone-link-role' });
    const roleLabel = make('label', { htmlFor: 'phone-link-role' }, 'phone-link.role');
    e.role = make('select', { id: 'phone-link-role' });
    e.role.append(make('option', { value: 'minister' }, 'phone-link.role-minister'),
      make('option', { value: 'viewer' }, 'phone-link.role-viewer'));
    e.make = make('button', { type: 'button', className: 'secondary' }, 'phone-link.make');
    roleRow.append(roleLabel, ' ', e.role, ' ', e.make);
    e.qr = make('img', { className: 'phone-link-qr', hidden: true });
    e.qr.alt = text('phone-link.qr-alt');
    e.url = make('a', { className: 'phone-link-url', target: '_blank', rel: 'noopener noreferrer' });
    e.copy = make('button', { type: 'button', className: 'secondary', hidden: true }, 'phone-link.copy');
    const urlRow = make('p', { className: 'phone-link-address' });
    urlRow.append(e.url, ' ', e.copy);
    e.status = make('p', { className: 'phone-link-status' });
    e.status.setAttribute('role', 'status');
    e.close = make('button', { type: 'button', className: 'primary' }, 'phone-link.close');
    e.dialog.append(heading, explain, roleRow, e.qr, urlRow, e.status, e.close);
    root.append(e.open, e.dialog);

    e.open.addEventListener('click', () => {
      e.dialog.showModal();
      this.makeLink();
    });
    e.make.addEventListener('click', () => this.makeLink());
    e.close.addEventListener('click', () => e.dialog.close());
    e.dialog.addEventListener('close', () => this.#stopTimer());
    e.copy.addEventListener('click', () => this.#copy());
    window.addEventListener('languagechange', () => this.relabel());
  }

  relabel() {
    for (const el of this.#root.querySelectorAll('[data-phone-text]')) {
      el.textContent = text(el.dataset.phoneText);
    }
    this.#els.open.title = text('phone-link.open-title');
    this.#els.qr.alt = text('phone-link.qr-alt');
    this.#renderStatus();
  }

  #setStatus(kind, textNow) {
    this.#status = textNow;
    this.#els.status.dataset.kind = kind;
    this.#renderStatus();
  }

  #renderStatus() {
    this.#els.status.textContent = this.#status ? this.#status() : '';
  }

  #stopTimer() {
    clearInterval(this.#timer);
    this.#timer = null;
  }

  /* The link's minutes left, each second; at the end it is marked spent. */
  #tick() {
    const left = this.#expiresAt - Date.now();
    if (left <= 0) {
      this.#stopTimer();
      this.#els.qr.classList.add('expired');
      this.#setStatus('error', () => text('phone-link.expired'));
      return;
    }
    this.#setStatus('ok', () => text('phone-link.expires-in', formatDuration(this.#expiresAt - Date.now())));
  }

  async makeLink() {
    const e = this.#els;
    this.#stopTimer();
    e.make.disabled = true;
    this.#setStatus('', () => text('phone-link.making'));
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    const token = chairToken();
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    let res = null;
    let body = null;
    try {
      res = await fetch(new URL('api/v1/session/links', document.baseURI), {
        method: 'POST',
        headers: headers,
        body: JSON.stringify({ role: e.role.value }),
        cache: 'no-store',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      body = await res.json().catch(() => null);
    } catch (err) {
      res = null;
    }
    e.make.disabled = false;
    if (!res || res.status !== 201 || !body) {
      this.#showRefusal(res ? res.status : 0);
      return;
    }
    e.qr.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(body.qr_svg);
    e.qr.hidden = false;
    e.qr.classList.remove('expired');
    e.url.href = body.url;
    e.url.textContent = body.url;
    e.copy.hidden = false;
    this.#expiresAt = Date.now() + body.expires_in_s * 1000;
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), 1000);
  }

  #showRefusal(status) {
    const e = this.#els;
    e.qr.hidden = true;
    e.url.removeAttribute('href');
    e.url.textContent = '';
    e.copy.hidden = true;
    const key = status === 0 ? 'phone-link.network'
      : status === 401 ? 'phone-link.need-chair'
        : status === 403 ? 'phone-link.chair-only'
          : status === 429 ? 'phone-link.too-many' : null;
    this.#setStatus('error', key ? () => text(key) : () => text('phone-link.failed', status));
  }

  async #copy() {
    const url = this.#els.url.href;
    try {
      await navigator.clipboard.writeText(url);
      this.#els.copy.textContent = text('phone-link.copied');
    } catch (err) {
      /* No clipboard (plain HTTP on another host): select it to copy by hand. */
      const range = document.createRange();
      range.selectNodeContents(this.#els.url);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }
}

for (const root of document.querySelectorAll('[data-phone-link]')) {
  new PhoneLink(root);
}
