// Scale benchmark: the relay's CPU, RSS and threads and the mosaic's output
// frame rate as the number of live provinces grows, with the mosaic on (it
// always is: every live office is decoded and composed) and one mosaic
// viewer (whep-view --no-decode). Shows where a machine saturates: the
// mosaic falling below its 15 fps, the relay reaching the machine's cores.
//
// Levels up to the roster's 76 run on one relay with the built-in roster
// (9x9 mosaic grid); levels above run on a second relay with a temporary
// roster of extra offices: Bangkok's area offices TH-10-1 .. TH-10-99
// (Bangkok has no office in the built-in roster), so up to 175 offices.
// The grid grows with the roster (12x12 for 128).
// At each level the chair gives the floor to one live province, so the
// conference mix decodes and mixes it and its spoken-status clip is being
// recorded (relay/clips) while the level is measured. A recording of the
// whole briefing does not exist in the relay yet, so it is not part of the
// load.
//
// Publishers and the viewer run at nice 10 (2-core machine: the load
// generator must not take the CPU the relay is measured on). Provinces are
// added level by level (publisher processes of at most 32 provinces each).
// A level whose offices do not all go live within 60 s is still measured,
// but the run then exits 1 (after printing its JSON, with not_all_live
// saying which levels): its figures are not those of the load it names.
//
//   bench/scale [--levels 1,8,16,32,64,76,101,128] [--seconds 10] [--settle 3]
//   node bench/scale.mjs --plot bench/results/scale-X.json docs/img   (charts)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startRelay, getJson, request, waitFor, sleep, REPO_ROOT, LOAD_GENERATOR_LIMITS } from '../tools/lib/relay.mjs';
import { startPublisher, devTokensFile } from '../tools/lib/publisher.mjs';
import { startViewer } from '../tools/lib/viewer.mjs';
import { procStat } from './lib.mjs';

const argv = process.argv.slice(2);

// --------------------------------------------------------------- charts ---
if (argv[0] === '--plot') {
  const [, jsonPath, outDir = 'docs/img'] = argv;
  plot(JSON.parse(fs.readFileSync(jsonPath, 'utf8')), outDir);
  process.exit(0);
}

function plot(result, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-plot-'));
  const dat = path.join(tmp, 'scale.dat');
  const rows = result.levels.map((l) => [l.provinces, l.relay_cores, l.machine_busy_cores ?? 0,
    l.mosaic_fps_relay ?? 0, l.mosaic_fps_viewer ?? 0, l.rss_mib, l.threads, l.ingest_fps_mean ?? 0,
    l.mosaic_latency_ms?.p50 ?? 'NaN', l.mosaic_latency_ms?.p99 ?? 'NaN'].join(' '));
  fs.writeFileSync(dat, `# provinces relay_cores machine_busy_cores mosaic_fps_relay mosaic_fps_viewer rss_mib threads ingest_fps_mean latency_p50_ms latency_p99_ms\n${rows.join('\n')}\n`);
  const cores = result.cores;
  const day = result.date.slice(0, 10);
  const maxN = Math.max(...result.levels.map((l) => l.provinces));
  const common = `set terminal pngcairo size 900,520 font "DejaVu Sans,11"
set grid
set key below
set xlabel "live provinces"
set xrange [0:${maxN + 4}]
set xtics (${result.levels.map((l) => l.provinces).join(',')})
`;
  const cpu = `${common}set output "${path.join(outDir, 'scale-cpu.png')}"
set title "Relay CPU vs live provinces (mosaic on, 1 mosaic viewer), ${cores}-core machine, ${day}"
set ylabel "cores"
set yrange [0:${cores + 0.3}]
plot "${dat}" using 1:2 with linespoints lw 2 pt 7 title "relay process", \\
     "${dat}" using 1:3 with linespoints lw 1 pt 6 dt 2 title "whole machine (relay + clients at nice 10)", \\
     ${cores} with lines lw 1 lc rgb "red" title "${cores} cores"
`;
  const fps = `${common}set output "${path.join(outDir, 'scale-fps.png')}"
set title "Mosaic output frame rate vs live provinces, ${cores}-core machine, ${day}"
set ylabel "frames per second"
set yrange [0:17]
plot "${dat}" using 1:4 with linespoints lw 2 pt 7 title "mosaic fps (relay, encoded)", \\
     "${dat}" using 1:5 with linespoints lw 1 pt 6 dt 2 title "mosaic fps (received by the viewer)", \\
     "${dat}" using 1:8 with linespoints lw 1 pt 4 dt 3 title "decoded fps per province (mean)", \\
     15 with lines lw 1 lc rgb "red" title "target 15 fps"
`;
  const latency = `${common}set output "${path.join(outDir, 'scale-latency.png')}"
set title "Mosaic latency inside the relay (frame in to encoded RTP out), ${cores}-core machine, ${day}"
set ylabel "ms"
set yrange [0:*]
plot "${dat}" using 1:9 with linespoints lw 2 pt 7 title "p50", \\
     "${dat}" using 1:10 with linespoints lw 1 pt 6 dt 2 title "p99"
`;
  const memory = `${common}set output "${path.join(outDir, 'scale-memory.png')}"
set title "Relay memory and threads vs live provinces, ${day}"
set ylabel "RSS (MiB)"
set y2label "threads"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
plot "${dat}" using 1:6 with linespoints lw 2 pt 7 title "RSS (MiB)", \\
     "${dat}" using 1:7 axes x1y2 with linespoints lw 1 pt 6 dt 2 title "threads (right axis)"
`;
  for (const [name, script] of [['cpu', cpu], ['fps', fps], ['latency', latency], ['memory', memory]]) {
    const f = path.join(tmp, `${name}.gp`);
    fs.writeFileSync(f, script);
    const r = spawnSync('gnuplot', [f], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`gnuplot failed on ${f} (install gnuplot-nox: scripts/setup)`);
    process.stderr.write(`wrote ${path.join(outDir, `scale-${name}.png`)}\n`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

// ------------------------------------------------------------ benchmark ---
const args = Object.fromEntries(argv.reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const levels = (args.levels ?? '1,8,16,32,64,76,101,128').split(',').map(Number).sort((a, b) => a - b);
const seconds = Number(args.seconds ?? 10);
const settle = Number(args.settle ?? 3);
const WALL = 'wall-token-for-the-scale-benchmark';
const CHAIR = 'chair-token-for-the-scale-benchmark';
const baseRosterCsv = fs.readFileSync(path.join(REPO_ROOT, 'config', 'provinces.csv'), 'utf8').trim().split('\n');
const baseCodes = baseRosterCsv.slice(1).map((l) => l.split(',')[0]);
// Area office numbers are one or two digits (relay/config/roster.c).
const MAX_ROSTER = baseCodes.length + 99;
if (baseCodes.includes('TH-10')) throw new Error('the extra offices are TH-10-N: the roster must not hold TH-10');
if (levels.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_ROSTER)) {
  console.error(`levels must be 1..${MAX_ROSTER}: the roster's ${baseCodes.length} offices and up to 99 ` +
    'extra area offices TH-10-1 .. TH-10-99 (relay/config/roster.c)');
  process.exit(2);
}

/* The roster's offices and Bangkok's area offices up to `total`. */
function extendedRoster(total, dir) {
  const extra = [];
  for (let i = 1; i <= total - baseCodes.length; i++)
    extra.push(`TH-10-${i},สำนักงานแรงงานกรุงเทพมหานครพื้นที่ ${i},Bangkok Labour Office Area ${i},central`);
  const file = path.join(dir, 'roster-scale.csv');
  fs.writeFileSync(file, `${[...baseRosterCsv, ...extra].join('\n')}\n`);
  return file;
}

/* Busy jiffies of the whole machine (all CPUs) from /proc/stat. */
function machineBusy() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  return f.slice(0, 8).reduce((a, b) => a + b, 0) - idle;
}
const childCpu = (pids) => pids.reduce((s, p) => {
  try { return s + procStat(p).cpu; } catch { return s; }
}, 0);

const result = {
  benchmark: 'scale', date: new Date().toISOString(), cores: os.cpus().length,
  cpu_model: os.cpus()[0]?.model, seconds_per_level: seconds, settle_s: settle,
  load: 'N provinces publishing pre-encoded 640x360 15 fps VP8 (~570 kbit/s) + Opus; mosaic 1920x1080 15 fps H.264 on; 1 mosaic viewer (no decode); clients at nice 10',
  recording: 'the floor holder\'s spoken-status clip (relay/clips) is recorded during each level; a whole-briefing recording does not exist in the relay yet',
  levels: [],
};

const groups = [
  { roster: null, levels: levels.filter((n) => n <= baseCodes.length) },
  { roster: Math.max(...levels), levels: levels.filter((n) => n > baseCodes.length) },
].filter((g) => g.levels.length);

const notLive = [];
for (const group of groups) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-roster-'));
  const extra = { limits: LOAD_GENERATOR_LIMITS, 'viewer wall': { role: 'viewer', token: WALL }, 'viewer chair': { role: 'chair', token: CHAIR } };
  if (group.roster) extra.relay = { roster: extendedRoster(group.roster, tmp) };
  const relay = await startRelay({ extraConfig: extra });
  const pid = relay.process.pid;
  const tokens = devTokensFile(relay);
  const roster = (await getJson(`${relay.url}api/v1/provinces`)).provinces.map((p) => p.code);
  const pubs = [];
  let viewer;
  try {
    viewer = startViewer(`${relay.url}whep/mosaic`, WALL, { nice: 10, noDecode: true });
    await viewer.waitEvent((e) => e.event === 'first-frame' && e.media === 'video', { timeoutMs: 30000, describe: 'mosaic viewer first frame' });
    const outputs0 = await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken });
    const grid = Math.round(1920 / outputs0.mosaic.tiles[0].width);
    let live = 0;
    const measure = async (n) => {
      const o0 = await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken });
      const f0 = viewer.lastStats()?.video_frames ?? 0;
      const clientPids = [viewer, ...pubs].map((c) => c.child?.pid ?? null).filter(Boolean);
      const a = procStat(pid);
      const m0 = machineBusy();
      const c0 = childCpu(clientPids);
      const t0 = Date.now();
      await sleep(seconds * 1000);
      const dt = (Date.now() - t0) / 1000;
      const b = procStat(pid);
      const m1 = machineBusy();
      const c1 = childCpu(clientPids);
      const o1 = await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken });
      const f1 = viewer.lastStats()?.video_frames ?? 0;
      const provs = (await getJson(`${relay.url}api/v1/provinces`, { token: relay.viewerToken })).provinces.filter((p) => p.state === 'live');
      const fpsIn = provs.map((p) => p.video?.fps ?? 0);
      const framesIn = provs.map((p) => p.video?.frames_decoded ?? 0);
      const relayCores = (b.cpu - a.cpu) / dt;
      const clientCores = (c1 - c0) / dt;
      const busy = (m1 - m0) / 100 / dt;
      return {
        provinces: n,
        live: provs.length,
        roster: roster.length,
        mosaic_grid: `${grid}x${grid}`,
        relay_cores: +relayCores.toFixed(3),
        machine_busy_cores: +busy.toFixed(3),
        client_cores: +clientCores.toFixed(3),
        // Everything else on the machine (other sessions' work, softirq):
        // should be near 0 for a clean run.
        other_cores: +Math.max(0, busy - relayCores - clientCores).toFixed(3),
        rss_mib: +(b.rssKib / 1024).toFixed(1),
        threads: b.threads,
        mosaic_fps_relay: +((o1.mosaic.frames - o0.mosaic.frames) / dt).toFixed(2),
        mosaic_fps_relay_reported: o1.mosaic.fps,
        mosaic_fps_viewer: +((f1 - f0) / dt).toFixed(2),
        mosaic_viewer_frames: f1,
        mosaic_latency_ms: { p50: o1.mosaic.latency_p50_ms, p99: o1.mosaic.latency_p99_ms },
        ingest_fps_mean: fpsIn.length ? +(fpsIn.reduce((s, x) => s + x, 0) / fpsIn.length).toFixed(2) : null,
        ingest_fps_min: fpsIn.length ? Math.min(...fpsIn) : null,
        frames_decoded_min: framesIn.length ? Math.min(...framesIn) : null,
        loadavg_1m: +os.loadavg()[0].toFixed(2),
      };
    };
    if (!group.roster) {
      const idle = await measure(0);
      result.idle = idle;
      process.stderr.write(`scale: idle (mosaic only) relay ${idle.relay_cores} cores, mosaic ${idle.mosaic_fps_relay} fps\n`);
    }
    for (const n of group.levels) {
      for (let from = live; from < n; from += 32) {
        const batch = roster.slice(from, Math.min(n, from + 32));
        pubs.push(startPublisher(relay, batch, { tokensFile: tokens, joinIntervalMs: 20, deleteOnExit: true, nice: 10 }));
        await sleep(batch.length * 20); // one join every 20 ms overall
      }
      live = n;
      const t0 = Date.now();
      let allLive = true;
      try {
        await waitFor(async () => (await getJson(`${relay.url}api/v1/health`)).provinces.live >= n,
          { timeoutMs: 60000, intervalMs: 500, describe: `${n} live` });
      } catch (e) {
        // Measured anyway (the level's figures say how far it got), but the
        // run fails at the end: a level whose offices never all went live
        // is not the load it claims to be.
        allLive = false;
        notLive.push(`${n} provinces: ${e.message}`);
        process.stderr.write(`scale: NOT ALL LIVE at ${n} provinces: ${e.message}\n`);
      }
      const joinS = (Date.now() - t0) / 1000;
      // A new floor holder at each level: a new clip starts recording.
      const floor = roster[n - 1];
      const given = await request(`${relay.url}api/v1/conference/floor`, {
        method: 'PUT', headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ province: floor }),
      });
      if (given.status !== 200) throw new Error(`giving the floor to ${floor}: ${given.status} ${given.text}`);
      await sleep(settle * 1000);
      const r = await measure(n);
      r.all_live_after_s = allLive ? +joinS.toFixed(1) : null;
      r.floor = floor;
      r.pacer_lag_events = pubs.reduce((s, p) => s + p.events.filter((e) => e.event === 'pacer-lag').length, 0);
      result.levels.push(r);
      process.stderr.write(`scale: ${n} provinces (live ${r.live}, grid ${r.mosaic_grid}): relay ${r.relay_cores} cores, ` +
        `machine ${r.machine_busy_cores}, mosaic ${r.mosaic_fps_relay} fps (viewer ${r.mosaic_fps_viewer}), ` +
        `ingest ${r.ingest_fps_mean} fps, RSS ${r.rss_mib} MiB, ${r.threads} threads\n`);
    }
  } finally {
    await viewer?.finish().catch(() => {});
    await Promise.all(pubs.map((p) => p.stop()));
    await relay.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// Where it saturates: the first level whose mosaic (or the decoding of the
// provinces) misses its 15 fps (below 14.5), whose relay uses 90 % of the
// machine's cores, or whose machine as a whole is 95 % busy.
const fpsMiss = result.levels.find((l) => l.mosaic_fps_relay < 14.5);
const ingestMiss = result.levels.find((l) => l.ingest_fps_mean !== null && l.ingest_fps_mean < 14.5);
const cpuFull = result.levels.find((l) => l.relay_cores >= 0.9 * result.cores);
const busyFull = result.levels.find((l) => l.machine_busy_cores >= 0.95 * result.cores);
result.saturation = {
  mosaic_below_14_5_fps_from: fpsMiss?.provinces ?? null,
  ingest_below_14_5_fps_from: ingestMiss?.provinces ?? null,
  relay_at_90pct_of_cores_from: cpuFull?.provinces ?? null,
  machine_busy_at_95pct_from: busyFull?.provinces ?? null,
};
result.not_all_live = notLive;
console.log(JSON.stringify(result, null, 2));
if (notLive.length) {
  process.stderr.write(`scale: FAILED: offices that never all went live (${notLive.join('; ')})\n`);
  process.exitCode = 1;
}
