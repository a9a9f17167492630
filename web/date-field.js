/* briefing-relay: a day typed in a page as its language writes dates
 * (dd/mm/yyyy, the year พ.ศ. in Thai), for the pages that choose a day
 * (figures.html, review.html). A native <input type="date"> shows the
 * browser's own format (month first in an English browser), not the
 * page's, so the field is a text input that holds the ISO day the API
 * wants and writes it again when the language changes.
 *
 *   const day = new DateField(input, '2026-12-07');
 *   day.iso;                                  // "2026-12-07"
 *   day.addEventListener('change', ...);      // a new valid day typed
 *
 * Runs on the page's main thread; touches only its own input. */

import { formatDate, parseDisplayDate, text } from './i18n.js';
import './texts-common.js';

export class DateField extends EventTarget {
  #input;
  #iso;

  constructor(input, iso = '') {
    super();
    this.#input = input;
    this.#iso = iso;
    input.autocomplete = 'off';
    input.spellcheck = false;
    input.addEventListener('change', () => this.#read());
    /* Typing a fixed day clears the complaint at once. */
    input.addEventListener('input', () => {
      if (parseDisplayDate(input.value)) input.setCustomValidity('');
    });
    window.addEventListener('languagechange', () => this.#show());
    this.#show();
  }

  /* The day as YYYY-MM-DD ('' for none). */
  get iso() {
    return this.#iso;
  }

  set iso(value) {
    this.#iso = value || '';
    this.#show();
  }

  /* True when what is typed is a day (or nothing, for an optional one);
   * otherwise the input says what is wrong. */
  check() {
    const typed = this.#input.value.trim();
    if (typed && !parseDisplayDate(typed)) {
      this.#input.setCustomValidity(text('date.invalid'));
      this.#input.reportValidity();
      return false;
    }
    return true;
  }

  #show() {
    this.#input.value = this.#iso ? formatDate(this.#iso) : '';
    this.#input.setCustomValidity('');
  }

  #read() {
    const typed = this.#input.value.trim();
    const iso = typed ? parseDisplayDate(typed) : '';
    if (iso === null) {
      this.check();
      return;
    }
    this.#input.setCustomValidity('');
    const changed = iso !== this.#iso;
    this.#iso = iso;
    this.#show();
    if (changed) {
      this.dispatchEvent(new Event('change'));
    }
  }
}
