// Debian's Chromium driven by playwright-core, launched once per test file
// with the flags the briefing needs (fake camera and microphone, no prompts,
// autoplay). Nothing is skipped: a missing browser fails with a message.
import fs from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-background-networking',
  '--autoplay-policy=no-user-gesture-required',
];

let browserPromise = null;

/* extraArgs apply to the first launch of the file's browser (e.g. a fake
 * camera clip). */
export function getBrowser({ extraArgs = [] } = {}) {
  if (!browserPromise) {
    browserPromise = (async () => {
      if (!fs.existsSync(CHROMIUM)) {
        throw new Error(`Chromium not found at ${CHROMIUM}. Install it (apt-get install -y chromium) ` +
          'or set CHROMIUM_PATH. This test is not skipped without a browser.');
      }
      let playwright;
      try {
        playwright = await import('playwright-core');
      } catch (e) {
        throw new Error(`playwright-core is not installed (run "npm ci" in the repo root): ${e.message}`);
      }
      try {
        return await playwright.chromium.launch({
          executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs],
        });
      } catch (e) {
        throw new Error(`could not launch ${CHROMIUM}: ${e.message}`);
      }
    })();
  }
  return browserPromise;
}

export async function closeBrowser() {
  if (browserPromise) {
    const browser = await browserPromise.catch(() => null);
    browserPromise = null;
    await browser?.close();
  }
}

/**
 * The token the operations pages remember in the browser (web/local-storage.js),
 * as if typed there once: the pages take none from their URL, and the relay
 * refuses a URL that carries one. `target`: a page or a browser context.
 */
export function rememberToken(target, token, key = 'briefing.chair-token') {
  return target.addInitScript(([k, t]) => {
    try {
      localStorage.setItem(k, t);
    } catch {
      /* an opaque origin (about:blank) has no storage */
    }
  }, [key, token]);
}

/* Console lines and page errors, for a failing assertion's message. */
export function collectDiagnostics(page) {
  const lines = [];
  page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
  return () => lines.slice(-40).join('\n');
}

/**
 * Record every state the page shows in #<id>[data-state] from now on (in
 * window.stateLog): read back with statesSeen(), it tells whether the page
 * went anywhere (e.g. "connecting" again) after a state a test waited for.
 */
export function recordStates(page, id = 'state') {
  return page.evaluate((elId) => {
    window.stateLog = [];
    // Each record's old value is the state before that change, so the log
    // plus the current state is every state in order, even when several
    // changes land in one task.
    new MutationObserver((records) => window.stateLog.push(...records.map((r) => r.oldValue)))
      .observe(document.getElementById(elId),
        { attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
  }, id);
}

/** The states shown since recordStates() (the one shown then first), without repeats. */
export async function statesSeen(page, id = 'state') {
  const log = await page.evaluate((elId) =>
    [...window.stateLog, document.getElementById(elId).dataset.state], id);
  return log.filter((st, i, all) => i === 0 || st !== all[i - 1]);
}
