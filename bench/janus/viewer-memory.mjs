// Memory per subscriber of ours and the size of each viewer's
// retransmission cache, as quoted in docs/PERFORMANCE.md ("RSS per
// subscriber"): 8 provinces, 4 viewers each on /whep/province/<code>; the
// relay's RSS difference per viewer and the viewers' cache slots
// (GET /api/v1/viewers) after 5, 10 and 20 s.
//   node bench/janus/viewer-memory.mjs
import fs from 'node:fs';
import path from 'node:path';
import { startRelay, getJson, request, waitFor, sleep, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { startPublisher, devTokensFile } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';
const MIN = 'minister-token-for-viewer-memory';
const relay = await startRelay({ extraConfig: { 'viewer minister': { role: 'minister', token: MIN } } });
const codes = fs.readFileSync(path.join(REPO_ROOT, 'config', 'provinces.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]).slice(0, 8);
const pub = startPublisher(relay, codes, { tokensFile: devTokensFile(relay), joinIntervalMs: 20, deleteOnExit: true, nice: 10 });
await waitFor(async () => (await getJson(`${relay.url}api/v1/health`)).provinces.live >= 8, { timeoutMs: 60000 });
const rss = () => Number(fs.readFileSync(`/proc/${relay.process.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
await sleep(3000);
const r0 = rss();
const vs = codes.map((c) => startViewer(`${relay.url}whep/province/${c}`, MIN, { count: 4, noDecode: true, nice: 10 }));
for (const t of [5, 10, 20]) {
  await sleep(t === 5 ? 5000 : (t === 10 ? 5000 : 10000));
  const v = (await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MIN}` } })).json.viewers;
  const slots = {}; for (const x of v) slots[x.retransmission_cache_slots] = (slots[x.retransmission_cache_slots] ?? 0) + 1;
  console.log(t, 's: viewers', v.length, 'slots', JSON.stringify(slots), 'rss/sub KiB', Math.round((rss() - r0) / 32));
}
await Promise.all(vs.map((v) => v.finish().catch(() => {})));
await pub.stop(); await relay.stop();
