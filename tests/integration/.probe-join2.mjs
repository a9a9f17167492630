import { startRelay, waitFor, sleep } from './lib/relay.mjs';
import { startPublisher } from './lib/publisher.mjs';
import { chromium } from 'playwright-core';
const relay = await startRelay({ provinces: { 'TH-50': 'chiang-mai-token-x' }, args: ['--debug'],
  extraConfig: { 'viewer minister': { role: 'minister', token: 'minister-token-x' } } });
const pub = startPublisher(relay, ['TH-50']);
await sleep(1500);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
for (const gum of [false, true]) {
  const ctx = await b.newContext();
  const p = await ctx.newPage();
  await p.goto(relay.url + 'watch.html?province=TH-50');
  if (gum) await p.evaluate(() => navigator.mediaDevices.getUserMedia({ audio: true }));
  await p.fill('#token', 'minister-token-x');
  for (let i = 0; i < 2; i++) {
    const t0 = Date.now();
    await p.click('#watch');
    await waitFor(async () => (await p.evaluate(() => window.briefingWatch.state)) === 'watching', { timeoutMs: 10000, intervalMs: 20 });
    const cands = await p.evaluate(() => window.briefingWatch.pc.localDescription.sdp.split('\r\n').filter((l) => l.startsWith('a=candidate')).map((l) => l.split(' ').slice(4, 8).join(' ')));
    console.log(`getUserMedia=${gum} click->watching ${Date.now() - t0} ms; local candidates: ${JSON.stringify(cands)}`);
    await p.click('#stop');
    await sleep(500);
  }
  await ctx.close();
}
await b.close(); await pub.stop(); await relay.stop();
console.log(relay.logTail(200).split('\n').filter(l => /minister|viewer|ICE|skipped/.test(l)).join('\n'));
relay.cleanup();
