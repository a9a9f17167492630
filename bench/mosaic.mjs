// Mosaic benchmark: N provinces publish pre-encoded 640x360 15 fps VP8 +
// Opus; one viewer watches /whep/mosaic (1920x1080, encoded once) and M
// provinces watch /whep/program. Measured in the same run:
//   * the relay's CPU, RSS and threads with the publishers alone, then with
//     the viewers;
//   * the mosaic's output frame rate (relay side and as the viewer decodes it);
//   * the mosaic latency inside the relay (decoded frame in -> encoded RTP
//     out, GET /api/v1/outputs) and the fan-out latency per packet (encoder
//     out -> SRTP out, GET /api/v1/viewers);
//   * a bare gst-launch-1.0 pipeline doing only the same decode + compose +
//     encode from files, paced to real time, and the ratio relay/bare.
// Load clients run at nice 10; program viewers do not decode and come in
// batches of 19 per process, so the 2 cores go to the relay as far as
// possible. The mosaic viewer decodes (its frame rate is measured).
//
//   bench/mosaic [--provinces 76] [--program-viewers 76] [--seconds 15]
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startRelay, getJson, request, waitFor, sleep, LOAD_GENERATOR_LIMITS } from '../tools/lib/relay.mjs';
import { startPublisher, devTokensFile, MEDIA_DIR } from '../tools/lib/publisher.mjs';
import { startViewer } from '../tools/lib/viewer.mjs';
import { procStat, percentile } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const nProvinces = Number(args.provinces ?? 76);
const nProgram = Number(args['program-viewers'] ?? 76);
const seconds = Number(args.seconds ?? 15);
const CHAIR = 'chair-token-for-the-benchmark';
const WALL = 'wall-token-for-the-benchmark';

async function cpuOver(pid, s) {
  const a = procStat(pid);
  const t0 = Date.now();
  await sleep(s * 1000);
  const b = procStat(pid);
  return { cores: (b.cpu - a.cpu) / ((Date.now() - t0) / 1000), rssKib: b.rssKib, threads: b.threads };
}

/* The same work without the relay: N VP8 files decoded, scaled to their
 * tiles, composed at 1920x1080 and encoded with the same x264 settings,
 * paced by a synchronised sink. CPU of gst-launch over `s` seconds. */
async function bareCores(n, s, tile) {
  const file = path.join(MEDIA_DIR, 'vp8-640x360.ivf');
  const cols = Math.ceil(Math.sqrt(n + 1));
  const cellW = Math.floor(1920 / cols);
  const cellH = Math.floor(1080 / cols);
  let comp = 'compositor name=comp background=black';
  let branches = '';
  for (let i = 0; i < n; i++) {
    const slot = i + 1; // slot 0 is the central room's
    comp += ` sink_${i}::xpos=${(slot % cols) * cellW} sink_${i}::ypos=${Math.floor(slot / cols) * cellH}`;
    branches += ` filesrc location=${file} ! ivfparse ! vp8dec threads=1 ! videoscale method=bilinear` +
      ` ! video/x-raw,width=${tile.w},height=${tile.h} ! queue max-size-buffers=2 ! comp.sink_${i}`;
  }
  const desc = `${comp} ! video/x-raw,width=1920,height=1080,framerate=15/1` +
    ' ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=3000 key-int-max=30 threads=2' +
    ' ! video/x-h264,profile=constrained-baseline ! rtph264pay mtu=1200 ! fakesink sync=true' + branches;
  const child = spawn('gst-launch-1.0', ['-q', ...desc.split(/\s+/).filter(Boolean)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  await sleep(2000);
  if (child.exitCode !== null) throw new Error(`bare pipeline exited: ${stderr}`);
  // The clip lasts 10 s: measure inside it.
  const window = Math.min(s, 7);
  const r = await cpuOver(child.pid, window);
  child.kill('SIGKILL');
  return { cores: r.cores, seconds: window };
}

const relay = await startRelay({
  extraConfig: {
    limits: LOAD_GENERATOR_LIMITS,
    'viewer chair': { role: 'chair', token: CHAIR },
    'viewer wall': { role: 'viewer', token: WALL },
  },
});
const pid = relay.process.pid;
const roster = (await getJson(`${relay.url}api/v1/provinces`)).provinces.map((p) => p.code);
const tokens = devTokensFile(relay);
const result = {
  benchmark: 'mosaic', date: new Date().toISOString(), cores: os.cpus().length,
  provinces: nProvinces, program_viewers: nProgram, seconds,
};
const viewers = [];
let pub;
try {
  const idle = await cpuOver(pid, 5);
  result.relay_cores_idle = +idle.cores.toFixed(3);

  const codes = roster.slice(0, nProvinces);
  pub = startPublisher(relay, codes, { tokensFile: tokens, joinIntervalMs: 20, deleteOnExit: true, nice: 10 });
  await waitFor(async () => (await getJson(`${relay.url}api/v1/health`)).provinces.live === codes.length,
    { timeoutMs: 90000, intervalMs: 500, describe: `${codes.length} live` });
  await sleep(3000);
  const alone = await cpuOver(pid, seconds);
  result.relay_cores_publishers_only = +alone.cores.toFixed(3);

  const mosaicViewer = startViewer(`${relay.url}whep/mosaic`, WALL, { nice: 10 });
  viewers.push(mosaicViewer);
  // Program viewers: batches of webrtcbin peers in a few processes (one
  // process per viewer would cost the 2 cores more than the relay does).
  // They hear the full mix: each mix is encoded once whoever listens.
  const batch = 19;
  for (let left = nProgram; left > 0; left -= batch) {
    viewers.push(startViewer(`${relay.url}whep/program`, WALL,
      { nice: 10, noDecode: true, count: Math.min(batch, left) }));
    await sleep(500);
  }
  const list = async () => (await request(`${relay.url}api/v1/viewers`,
    { headers: { Authorization: `Bearer ${CHAIR}` } })).json.viewers;
  const expected = 1 + nProgram;
  await waitFor(async () => (await list()).filter((v) => v.video_packets > 30).length === expected,
    { timeoutMs: 120000, intervalMs: 1000, describe: `${expected} viewers receiving` });
  await sleep(3000);
  const framesBefore = mosaicViewer.lastStats()?.video_frames ?? 0;
  const t0 = Date.now();
  const loaded = await cpuOver(pid, seconds);
  const viewerFps = ((mosaicViewer.lastStats()?.video_frames ?? 0) - framesBefore) / ((Date.now() - t0) / 1000);
  const outputs = await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken });
  const health = await getJson(`${relay.url}api/v1/health`);
  const vs = await list();
  const p50s = vs.map((v) => v.forward_p50_us).filter((x) => x !== null).sort((a, b) => a - b);
  const p99s = vs.map((v) => v.forward_p99_us).filter((x) => x !== null).sort((a, b) => a - b);
  Object.assign(result, {
    live: health.provinces.live,
    mosaic_viewer_frames: mosaicViewer.lastStats()?.video_frames ?? 0,
    load_average_during: os.loadavg().map((x) => +x.toFixed(2)),
    relay_cores_with_viewers: +loaded.cores.toFixed(3),
    rss_mib: +(loaded.rssKib / 1024).toFixed(1),
    threads: loaded.threads,
    mosaic_fps_relay: outputs.mosaic.fps,
    mosaic_fps_viewer: +viewerFps.toFixed(1),
    program_fps_relay: outputs.program.fps,
    mosaic_latency_in_relay_ms: { p50: outputs.mosaic.latency_p50_ms, p99: outputs.mosaic.latency_p99_ms },
    audio_mix_latency_ms: { p50: outputs.audio.latency_p50_ms, p99: outputs.audio.latency_p99_ms },
    fanout_latency_us: { p50_median: percentile(p50s, 50), p99_median: percentile(p99s, 50), p99_worst: p99s[p99s.length - 1] },
    viewers: vs.length,
    channel_dropped: vs.reduce((s, v) => s + v.channel_dropped, 0),
  });
} finally {
  await Promise.all(viewers.map((v) => v.finish().catch(() => {})));
  await pub?.stop();
  await relay.stop();
}
const tile = { w: 206, h: 114 };
const bare = await bareCores(nProvinces, seconds, tile);
result.bare_pipeline_cores = +bare.cores.toFixed(3);
result.bare_pipeline_seconds = bare.seconds;
result.ratio_relay_publishers_only_to_bare = +(result.relay_cores_publishers_only / bare.cores).toFixed(2);
result.ratio_relay_with_viewers_to_bare = +(result.relay_cores_with_viewers / bare.cores).toFixed(2);
console.log(JSON.stringify(result, null, 2));
