/* briefing-relay: the chair's conference controls from the operations room
 * (ops.html): the floor, the mutes and the layout through
 * /api/v1/conference (docs/API.md, "Conference control"), with each refusal
 * shown in the page's words; and giving the floor to an office that is not
 * live only once the operator confirms it in a dialog (nobody would see or
 * hear it). Runs on the page's main thread; owns the confirmation dialog
 * while it is open. */

import { text } from './i18n.js';
import { officeText, stateText } from './ops-format.js';
import './texts-ops.js';

/* States in which the floor is worth a question first. */
const ASK_FIRST = new Set(['offline', 'lost']);

export class ConferenceControl {
  #base;
  #token;
  #error;
  #dialog;
  #dialogText;
  #participant;
  #applied;

  /* token(): the chair's token; error: the element for refusals; dialog:
   * the confirmation <dialog> (a form method="dialog" whose buttons'
   * values are "confirm" and "cancel"), dialogText: its message element;
   * participant(code): the roster's latest status of an office;
   * applied(conference): the relay's answer, the new state. */
  constructor({ baseUrl, token, error, dialog, dialogText, participant, applied }) {
    this.#base = baseUrl;
    this.#token = token;
    this.#error = error;
    this.#dialog = dialog;
    this.#dialogText = dialogText;
    this.#participant = participant;
    this.#applied = applied;
  }

  showError(message) {
    this.#error.textContent = message;
  }

  /* One change; resolves to the new conference, or null when refused (the
   * page says why). */
  async send(method, path, body) {
    this.#error.textContent = '';
    let res;
    try {
      res = await fetch(new URL('api/v1/conference' + path, this.#base), {
        method,
        headers: { Authorization: 'Bearer ' + this.#token(), 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      this.showError(text('ops.control-failed', text('ops.unreachable')));
      return null;
    }
    if (!res.ok) {
      let reason = 'HTTP ' + res.status;
      try {
        reason = (await res.json()).reason || reason;
      } catch (e) {
        /* not JSON */
      }
      const why = res.status === 401 || res.status === 403 ? text('ops.chair-only') : reason;
      this.showError(text('ops.control-failed', why));
      return null;
    }
    const conference = await res.json();
    this.#applied(conference);
    return conference;
  }

  /* The floor to office, asking first when it is offline or lost. */
  async giveFloor(office) {
    const p = this.#participant(office);
    if (p && ASK_FIRST.has(p.state) && !(await this.#confirm(p))) {
      return null;
    }
    return this.send('PUT', '/floor', { province: office });
  }

  takeBack() {
    return this.send('DELETE', '/floor');
  }

  setMuted(participant, muted) {
    return this.send('PUT', '/participants/' + encodeURIComponent(participant), { muted });
  }

  setLayout(layout) {
    return this.send('PUT', '/layout', { layout });
  }

  #confirm(p) {
    const dialog = this.#dialog;
    this.#dialogText.textContent = text('ops.confirm-body', officeText(p), stateText(p.state));
    dialog.dataset.office = p.code;
    dialog.returnValue = '';
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
      dialog.showModal();
    });
  }

  /* For the test hook: the office the dialog asks about, or null. */
  asking() {
    return this.#dialog.open ? this.#dialog.dataset.office : null;
  }
}
