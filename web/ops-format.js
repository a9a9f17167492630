/* briefing-relay: how the operations room names things, in the current
 * language (i18n.js): an office (its code and its name in that language,
 * "TH-50 Chiang Mai" in English), a region, a participant's state. No DOM
 * access; runs on the page's main thread and keeps no state. */

import { text, currentLanguage } from './i18n.js';
import './texts-common.js';
import './texts-ops.js';

const KNOWN_REGIONS = new Set(['central', 'east', 'north', 'northeast', 'south', 'west']);
const STATES = new Set(['live', 'connecting', 'lost', 'offline']);

/* The name of a participant in the current language: {name_th, name_en}
 * of the status API or the briefing documents. */
export function localName(p) {
  if (!p) {
    return '';
  }
  return (currentLanguage() === 'en' ? p.name_en || p.name_th : p.name_th || p.name_en) || '';
}

/* The code and the name ("TH-50 Chiang Mai"); the central room by its name
 * only. p: {code or office, name_th, name_en}; a bare code when the names
 * are unknown. */
export function officeText(p) {
  if (!p) {
    return '';
  }
  const code = p.code || p.office || '';
  if (code === 'central') {
    return text('ops.central-room');
  }
  const name = localName(p);
  return name ? code + ' ' + name : code;
}

export function regionText(region) {
  return KNOWN_REGIONS.has(region) ? text('ops.region.' + region) : text('ops.region.other', region || '?');
}

export function stateText(state) {
  return STATES.has(state) ? text('participant.' + state) : String(state || '');
}
