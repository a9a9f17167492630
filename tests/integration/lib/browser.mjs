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

/* Console lines and page errors, for a failing assertion's message. */
export function collectDiagnostics(page) {
  const lines = [];
  page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
  return () => lines.slice(-40).join('\n');
}
