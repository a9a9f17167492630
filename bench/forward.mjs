// Forwarding benchmark (SFU path): N provinces publish pre-encoded VP8 +
// Opus; the relay's CPU is measured with N publishers alone, then with one
// /whep/province viewer per province, in the same run. Reports the CPU per
// forwarded stream and the relay's own per-packet forwarding latency
// (decrypted in -> encrypted out, from /api/v1/viewers). Prints JSON.
//
//   bench/forward [--levels 1,8,16,32] [--seconds 15]
import os from 'node:os';
import { startRelay, getJson, request, waitFor, sleep, LOAD_GENERATOR_LIMITS } from '../tools/lib/relay.mjs';
import { startPublisher, devTokensFile } from '../tools/lib/publisher.mjs';
import { startViewer } from '../tools/lib/viewer.mjs';
import { procStat } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const levels = (args.levels ?? '1,8,16,32').split(',').map(Number);
const seconds = Number(args.seconds ?? 15);
const MINISTER = 'minister-token-for-the-benchmark';

async function cpuOver(pid, s) {
  const a = procStat(pid);
  const t0 = Date.now();
  await sleep(s * 1000);
  const b = procStat(pid);
  return { cores: (b.cpu - a.cpu) / ((Date.now() - t0) / 1000), rssKib: b.rssKib, threads: b.threads };
}

const relay = await startRelay({ extraConfig: { limits: LOAD_GENERATOR_LIMITS, 'viewer minister': { role: 'minister', token: MINISTER } } });
const pid = relay.process.pid;
const roster = (await getJson(`${relay.url}api/v1/provinces`)).provinces.map((p) => p.code);
const result = { benchmark: 'forward', date: new Date().toISOString(), cores: os.cpus().length, levels: [] };
try {
  for (const n of levels) {
    const codes = roster.slice(0, n);
    const pub = startPublisher(relay, codes, { tokensFile: devTokensFile(relay), joinIntervalMs: 20, deleteOnExit: true, nice: 10 });
    await waitFor(async () => (await getJson(`${relay.url}api/v1/health`)).provinces.live === n,
      { timeoutMs: 60000, intervalMs: 500, describe: `${n} live` });
    await sleep(3000);
    const alone = await cpuOver(pid, seconds);

    const viewers = codes.map((code) => startViewer(`${relay.url}whep/province/${code}`, MINISTER, { nice: 10 }));
    const list = async () => (await request(`${relay.url}api/v1/viewers`,
      { headers: { Authorization: `Bearer ${MINISTER}` } })).json.viewers;
    await waitFor(async () => (await list()).filter((v) => v.video_packets > 50).length === n,
      { timeoutMs: 60000, intervalMs: 500, describe: `${n} viewers receiving` });
    await sleep(3000);
    const withViewers = await cpuOver(pid, seconds);
    const vs = await list();
    const live = (await getJson(`${relay.url}api/v1/health`)).provinces.live;
    const p50s = vs.map((v) => v.forward_p50_us).sort((a, b) => a - b);
    const p99s = vs.map((v) => v.forward_p99_us).sort((a, b) => a - b);
    result.levels.push({
      provinces: n,
      live,
      viewers: vs.length,
      video_packets_min: Math.min(...vs.map((v) => v.video_packets)),
      relay_cores_publishers_only: +alone.cores.toFixed(3),
      relay_cores_with_viewers: +withViewers.cores.toFixed(3),
      cores_per_forwarded_stream: +((withViewers.cores - alone.cores) / n).toFixed(4),
      rss_mib_with_viewers: +(withViewers.rssKib / 1024).toFixed(1),
      threads_with_viewers: withViewers.threads,
      forward_p50_us_median: p50s[Math.floor(p50s.length / 2)],
      forward_p99_us_worst: p99s[p99s.length - 1],
      forward_max_us_worst: Math.max(...vs.map((v) => v.forward_max_us)),
      channel_dropped: vs.reduce((s, v) => s + v.channel_dropped, 0),
      nacks_received: vs.reduce((s, v) => s + v.nacks_received, 0),
    });
    await Promise.all(viewers.map((v) => v.finish()));
    await pub.stop();
    await waitFor(async () => (await getJson(`${relay.url}api/v1/health`)).provinces.live === 0,
      { timeoutMs: 30000, describe: 'all offline' });
    await sleep(2000);
  }
} finally {
  await relay.stop();
}
console.log(JSON.stringify(result, null, 2));
