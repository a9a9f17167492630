/* briefing-relay: signing watch.html in once (docs/API.md, "Sign-in"):
 * the "Sign in on this device" button (the typed token exchanged for the
 * session cookie), a one-time link's code taken from the address, who is
 * signed in and until when, and signing out. Touches only its own
 * elements (the token field's block, the signed-in box, the message); the
 * page asks it who is signed in and hears 'change' when that changes.
 * Runs on the page's main thread; holds the session the relay described
 * (the cookie itself no script can read). */

import { text, formatDateTime } from './i18n.js';
import { readSession, signInWithToken, signInWithCode, signOut, signinCodeOf } from './signin-api.js';

function roleName(role) {
  return ['chair', 'minister', 'viewer'].includes(role) ? text('watch.role-' + role) : String(role);
}

/* Why a sign-in was refused, in words (a function: worded when shown). */
function refusal(r, { link }) {
  switch (r.error) {
    case 'signin-link-used':
      return () => text('watch.link-used');
    case 'signin-link-expired':
      return () => text('watch.link-expired');
    default:
      break;
  }
  if (r.status === 401) {
    return () => text(link ? 'watch.link-invalid' : 'session.http-401');
  }
  if (r.status === 403 && !link) {
    return () => text('watch.signin-office-token');
  }
  if (r.status === 0) {
    return () => text('watch.signin-network');
  }
  if (r.status === 429) {
    return () => text('session.http-429');
  }
  return () => text('watch.signin-failed', r.status);
}

export class WatchSignin extends EventTarget {
  #base;
  #els;
  #hooks;
  #session = null;  /* {name, role, via, expires_at, ...} or null */
  #message = null;  /* {kind, text: () => string} or null */

  /* els: {tokenBlock, token, signIn, signedIn, signedInText, signOut,
   * message}; hooks: {tokenExchanged() (the cookie replaces the token:
   * forget it), beforeSignOut() (async: end what the cookie made)}.
   * Dispatches 'change' (detail: the session or null) when the page is
   * signed in or out. */
  constructor(baseUrl, els, hooks) {
    super();
    this.#base = baseUrl;
    this.#els = els;
    this.#hooks = hooks;
    els.signIn.addEventListener('click', () => this.signInWithToken());
    els.signOut.addEventListener('click', () => this.signOut());
  }

  get session() {
    return this.#session;
  }

  /* At load: a link's code in the address, else whatever the cookie says. */
  start(hash) {
    const code = signinCodeOf(hash);
    if (code) {
      this.#signInWithLink(code);
    } else {
      this.refresh();
    }
  }

  render() {
    const s = this.#session;
    const els = this.#els;
    els.tokenBlock.hidden = Boolean(s);
    els.signedIn.hidden = !s;
    els.signedInText.textContent = s ? text('watch.signed-in', roleName(s.role), formatDateTime(s.expires_at)) : '';
    els.message.dataset.kind = this.#message ? this.#message.kind : '';
    els.message.textContent = this.#message ? this.#message.text() : '';
  }

  #say(kind, textNow) {
    this.#message = textNow ? { kind: kind, text: textNow } : null;
    this.render();
  }

  #set(session) {
    const changed = Boolean(session) !== Boolean(this.#session);
    this.#session = session;
    this.render();
    if (changed) {
      this.dispatchEvent(new CustomEvent('change', { detail: session }));
    }
  }

  async signInWithToken() {
    const token = this.#els.token.value.trim();
    if (!token) {
      this.#say('error', () => text('watch.signin-token-needed'));
      this.#els.token.focus();
      return;
    }
    this.#say('', () => text('watch.signing-in'));
    const r = await signInWithToken(this.#base, token);
    if (!r.ok) {
      this.#say('error', refusal(r, { link: false }));
      return;
    }
    /* The cookie replaces the token: nothing of it stays in the page. */
    this.#els.token.value = '';
    this.#hooks.tokenExchanged();
    this.#say('ok', null);
    this.#set(r.session);
  }

  /* The code is taken out of the address first, so that a reload, a
   * bookmark or the history never holds it. */
  async #signInWithLink(code) {
    const url = new URL(window.location.href);
    url.hash = '';
    window.history.replaceState(null, '', url);
    this.#say('', () => text('watch.signing-in'));
    const r = await signInWithCode(this.#base, code);
    if (r.ok) {
      this.#say('ok', () => text('watch.link-signed-in'));
      this.#set(r.session);
      return;
    }
    this.#say('error', refusal(r, { link: true }));
    this.refresh();
  }

  /* What the cookie signs in now (the relay may have ended the session:
   * signed out elsewhere, expired, restarted). */
  async refresh() {
    const was = Boolean(this.#session);
    const r = await readSession(this.#base);
    this.#set(r.ok ? r.session : null);
    if (was && !this.#session) {
      this.#say('error', () => text('watch.error-401-signed-in'));
    }
  }

  async signOut() {
    await this.#hooks.beforeSignOut();
    await signOut(this.#base);
    this.#say('ok', () => text('watch.signed-out'));
    this.#set(null);
  }
}
