/* briefing-relay: localStorage for the pages' tokens and choices. Storage
 * can be refused (private mode, quota, a browser setting): then the page
 * works, it only forgets. */

export function storageGet(key) {
  try {
    return localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

export function storageSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch (e) {
    /* not remembered */
  }
}

export function storageRemove(key) {
  try {
    localStorage.removeItem(key);
  } catch (e) {
    /* nothing to forget */
  }
}
