// Ingest benchmark: join time (WHIP POST received -> first decoded frame,
// measured by the relay itself as join_ms) over sequential joins, then the
// relay's CPU, RSS and threads with N provinces publishing pre-encoded
// 640x360 15 fps VP8 + Opus. Prints JSON. Not a test: no pass/fail.
//
//   bench/ingest [--joins 20] [--levels 1,8,32,76] [--seconds 20]
import fs from 'node:fs';
import os from 'node:os';
import { procStat, percentile } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import { startRelay, getJson, waitFor, sleep, LOAD_GENERATOR_LIMITS } from '../tools/lib/relay.mjs';
import { startPublisher, devTokensFile, MEDIA_DIR } from '../tools/lib/publisher.mjs';

// CPU seconds that plain gst-launch-1.0 spends decoding the same media: the
// floor under the relay's decode cost. Each pipeline runs `runs` times and
// the cost of the same pipeline without the decoder (process start, file
// parsing) is subtracted.
function bareDecodeCostPerFrame(decodeTail, parseOnly, framesPerRun, runs = 10) {
  const cpu = (pipeline) => {
    const out = execFileSync('bash', ['-c',
      `for i in $(seq ${runs}); do gst-launch-1.0 -q ${pipeline} >/dev/null; done; times`],
      { encoding: 'utf8' });
    const lines = out.trim().split('\n');
    const [user, sys] = lines[lines.length - 1].split(/\s+/).map((t) => {
      const m = t.match(/(\d+)m([\d.]+)s/);
      return Number(m[1]) * 60 + Number(m[2]);
    });
    return user + sys;
  };
  const withDecode = cpu(`${parseOnly} ! ${decodeTail} ! fakesink sync=false`);
  const without = cpu(`${parseOnly} ! fakesink sync=false`);
  return Math.max(0, withDecode - without) / (runs * framesPerRun);
}

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const joins = Number(args.joins ?? 20);
const levels = (args.levels ?? '1,8,32,76').split(',').map(Number);
const seconds = Number(args.seconds ?? 20);

const relay = await startRelay({ extraConfig: { limits: LOAD_GENERATOR_LIMITS } });
const pid = relay.process.pid;
const roster = (await getJson(`${relay.url}api/v1/provinces`)).provinces.map((p) => p.code);
const tokensFile = devTokensFile(relay);
const result = {
  benchmark: 'ingest',
  date: new Date().toISOString(),
  cores: os.cpus().length,
  media: 'pre-encoded VP8 640x360 15 fps ~570 kbit/s + Opus 48 kHz stereo ~33 kbit/s, webrtcbin publishers',
  join: null,
  levels: [],
};

try {
  // Joins, one after another, each on a fresh province and session.
  const joinMs = [];
  for (let i = 0; i < joins; i++) {
    const code = roster[i % roster.length];
    const pub = startPublisher(relay, [code], { tokensFile, deleteOnExit: true, nice: 10 });
    const s = await waitFor(async () => {
      const st = await getJson(`${relay.url}api/v1/provinces/${code}`, { token: relay.viewerToken });
      return st.join_ms != null ? st : null;
    }, { timeoutMs: 20000, intervalMs: 50, describe: `${code} first frame` });
    joinMs.push(s.join_ms);
    await pub.stop();
    await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/${code}`)).state === 'offline',
      { timeoutMs: 10000, describe: `${code} offline` });
  }
  const sorted = [...joinMs].sort((a, b) => a - b);
  result.join = { n: joinMs.length, p50_ms: percentile(sorted, 50), p95_ms: percentile(sorted, 95),
    min_ms: sorted[0], max_ms: sorted[sorted.length - 1], samples_ms: joinMs };

  const vp8PerFrame = bareDecodeCostPerFrame('vp8dec threads=1',
    `filesrc location=${MEDIA_DIR}/vp8-640x360.ivf ! ivfparse`, 150);
  const opusPerFrame = bareDecodeCostPerFrame('opusdec',
    `filesrc location=${MEDIA_DIR}/opus-48k.ogg ! oggdemux ! opusparse`, 500);
  result.bare_decode = { vp8_ms_per_frame: +(vp8PerFrame * 1000).toFixed(3),
    opus_ms_per_frame: +(opusPerFrame * 1000).toFixed(3) };

  await sleep(2000);
  const idle = procStat(pid);
  result.idle = { rss_mib: +(idle.rssKib / 1024).toFixed(1), threads: idle.threads,
    transport_threads: idle.transportThreads };

  for (const n of levels) {
    const codes = roster.slice(0, n);
    const pub = startPublisher(relay, codes, { tokensFile, joinIntervalMs: 20, deleteOnExit: true, nice: 10 });
    const joinStart = Date.now();
    let allLiveAfterS = null;
    try {
      await waitFor(async () => {
        const list = (await getJson(`${relay.url}api/v1/provinces`, { token: relay.viewerToken })).provinces;
        return list.filter((p) => p.state === 'live' && p.video && p.video.frames_decoded > 0).length === n;
      }, { timeoutMs: 120000, intervalMs: 500, describe: `${n} live` });
      allLiveAfterS = +((Date.now() - joinStart) / 1000).toFixed(1);
    } catch (e) {
      // Measure what did come up, and say so.
      console.error(`bench: ${e.message}; publisher stderr: ${pub.stderr().slice(-400)}`);
    }
    await sleep(5000); // past the join burst
    const a = procStat(pid);
    const pubA = procStat(pub.child.pid);
    const listA = (await getJson(`${relay.url}api/v1/provinces`, { token: relay.viewerToken })).provinces;
    const framesA = listA.reduce((s, p) => s + (p.video ? p.video.frames_decoded : 0), 0);
    const audioFramesA = listA.reduce((s, p) => s + (p.audio ? p.audio.frames_decoded : 0), 0);
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const b = procStat(pid);
    const pubB = procStat(pub.child.pid);
    const list = (await getJson(`${relay.url}api/v1/provinces`, { token: relay.viewerToken })).provinces;
    const elapsed = (Date.now() - t0) / 1000;
    const framesB = list.reduce((s, p) => s + (p.video ? p.video.frames_decoded : 0), 0);
    const live = list.filter((p) => p.state === 'live').length;
    const kbps = list.filter((p) => p.video).map((p) => p.video.bitrate_kbps);
    const audioFrames = list.reduce((s, p) => s + (p.audio ? p.audio.frames_decoded : 0), 0);
    // Bare decode of the frames the relay decoded in the same interval.
    const bareCores = ((framesB - framesA) * vp8PerFrame
      + (audioFrames - audioFramesA) * opusPerFrame) / elapsed;
    result.levels.push({
      provinces: n,
      live,
      all_live_after_s: allLiveAfterS,
      relay_cores: +((b.cpu - a.cpu) / elapsed).toFixed(3),
      bare_decode_cores: +bareCores.toFixed(3),
      ratio_to_bare_decode: +(((b.cpu - a.cpu) / elapsed) / Math.max(bareCores, 1e-6)).toFixed(2),
      relay_rss_mib: +(b.rssKib / 1024).toFixed(1),
      rss_per_province_mib: +(((b.rssKib - idle.rssKib) / 1024) / n).toFixed(2),
      relay_threads: b.threads,
      transport_threads: b.transportThreads,
      decoded_fps_per_province: +((framesB - framesA) / elapsed / n).toFixed(2),
      mean_video_kbps: Math.round(kbps.reduce((s, v) => s + v, 0) / Math.max(1, kbps.length)),
      publisher_cores: +((pubB.cpu - pubA.cpu) / elapsed).toFixed(3),
    });
    await pub.stop();
    await waitFor(async () => (await getJson(`${relay.url}api/v1/health`)).provinces.offline === roster.length,
      { timeoutMs: 30000, describe: 'all offline' });
    await sleep(2000);
  }
} finally {
  await relay.stop();
}
console.log(JSON.stringify(result, null, 2));
