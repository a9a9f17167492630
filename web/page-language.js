/* briefing-relay: applies the current language (i18n.js) to a page: fills
 * the elements that name their text with data-text* attributes, runs the
 * masthead's language switch, and tells the page when the language changes
 * ('languagechange' on window) so it re-renders what it drew itself. Runs
 * on the page's main thread. */

import { text, currentLanguage, setCurrentLanguage } from './i18n.js';
import './texts-common.js';

const ATTRIBUTE_TEXTS = [
  ['data-text-placeholder', 'placeholder'],
  ['data-text-title', 'title'],
  ['data-text-label', 'aria-label'],
];

/* Fills the static texts under root (the whole document by default). */
export function applyTexts(root = document) {
  if (root === document) {
    document.documentElement.lang = currentLanguage();
  }
  for (const el of root.querySelectorAll('[data-text]')) {
    el.textContent = text(el.dataset.text);
  }
  for (const [attr, target] of ATTRIBUTE_TEXTS) {
    for (const el of root.querySelectorAll('[' + attr + ']')) {
      el.setAttribute(target, text(el.getAttribute(attr)));
    }
  }
}

export function setLanguage(next) {
  if (!setCurrentLanguage(next)) {
    return;
  }
  applyTexts();
  window.dispatchEvent(new CustomEvent('languagechange', { detail: { language: next } }));
}

/* The masthead's switch: one button naming the other language in that
 * language ("English" on a Thai page, "ไทย" on an English one). Put an
 * element with data-language-switch in the page; this fills it. */
export function installLanguageSwitch(root = document) {
  for (const button of root.querySelectorAll('[data-language-switch]')) {
    const label = () => {
      button.textContent = text('language.other');
      button.lang = currentLanguage() === 'th' ? 'en' : 'th';
      button.title = text('language.switch-title');
    };
    label();
    button.addEventListener('click', () => setLanguage(currentLanguage() === 'th' ? 'en' : 'th'));
    window.addEventListener('languagechange', label);
  }
}

/* Fills the static texts and the switch once the DOM is there. */
export function startPageTexts() {
  applyTexts();
  installLanguageSwitch();
}
