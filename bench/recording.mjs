// Recording benchmark (issue 11 §5), two parts in one run:
//
// 1. What recording costs: N offices publish (pre-encoded VP8 + Opus), the
//    chair gives the floor to one of them in the spotlight (the program shows
//    a moving picture), and the relay's CPU and disk writes are measured over
//    equal windows without a briefing, with a live briefing (recording the
//    program, the full mix and the speaking office's own streams), and
//    without again: off / on / off on the same relay, so the machine's drift
//    shows. Target: recording adds <= 0.05 cores (nothing is encoded again).
// 2. What review costs: a 1 h recording is made with the relay's own writer
//    (tools/make-recording, from a 1280x720 H.264 clip encoded once),
//    and Chromium opens review.html on it: time to the first frame (from
//    navigation) and the time of seeks across the hour (to a picture shown).
//
//   bench/recording [--offices 76] [--seconds 20] [--minutes 60] [--seeks 8]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request, waitFor, sleep, REPO_ROOT, LOAD_GENERATOR_LIMITS } from '../tools/lib/relay.mjs';
import { startPublisher, devTokensFile } from '../tools/lib/publisher.mjs';
import { getBrowser, closeBrowser, rememberToken } from '../tools/lib/browser.mjs';
import { procStat, threadGroupCpu, threadGroupCores, percentile } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const nOffices = Number(args.offices ?? 76);
const seconds = Number(args.seconds ?? 20);
const minutes = Number(args.minutes ?? 60);
const nSeeks = Number(args.seeks ?? 8);
const CHAIR = 'chair-token-for-the-recording-bench';

function ioWrites(pid) {
  const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(io.match(/write_bytes:\s+(\d+)/)[1]);
}

async function window(relay, s) {
  const pid = relay.process.pid;
  const a = procStat(pid);
  const ga = threadGroupCpu(pid);
  const wa = ioWrites(pid);
  const ra = (await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken })).recording?.bytes_written ?? 0;
  const t0 = Date.now();
  await sleep(s * 1000);
  const dt = (Date.now() - t0) / 1000;
  const b = procStat(pid);
  const groups = threadGroupCores(ga, threadGroupCpu(pid), dt);
  const rb = (await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken })).recording?.bytes_written ?? 0;
  return {
    cores: +((b.cpu - a.cpu) / dt).toFixed(3),
    recorder_thread_cores: +(groups.recorder ?? 0).toFixed(4),
    disk_write_mib_s: +((ioWrites(pid) - wa) / dt / 1048576).toFixed(3),
    recorded_mib_s: +((rb - ra) / dt / 1048576).toFixed(3),
    rss_mib: +(b.rssKib / 1024).toFixed(1),
  };
}

const chair = (relay, p, method = 'GET', body) => request(`${relay.url}${p}`, {
  method,
  headers: { Authorization: `Bearer ${CHAIR}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
  body: body ? JSON.stringify(body) : undefined,
});

async function costOfRecording(result) {
  const relay = await startRelay({ extraConfig: { limits: LOAD_GENERATOR_LIMITS, 'viewer chair': { role: 'chair', token: CHAIR } } });
  let pub;
  try {
    const roster = (await getJson(`${relay.url}api/v1/provinces`)).provinces.map((p) => p.code);
    const codes = roster.slice(0, nOffices);
    pub = startPublisher(relay, codes, { tokensFile: devTokensFile(relay), joinIntervalMs: 20, deleteOnExit: true, nice: 10 });
    await waitFor(async () => (await getJson(`${relay.url}api/v1/health`)).provinces.live === codes.length,
      { timeoutMs: 120000, intervalMs: 500, describe: `${codes.length} live` });
    await chair(relay, 'api/v1/conference/layout', 'PUT', { layout: 'spotlight' });
    await chair(relay, 'api/v1/conference/floor', 'PUT', { province: codes[0] });
    await sleep(3000);
    const off1 = await window(relay, seconds);
    const created = await chair(relay, 'api/v1/briefings', 'POST', { agenda: [{ office: codes[0] }] });
    const id = created.json.id;
    // The floor was given before the start: its holder's turn (the agenda's
    // first item) opens with the briefing.
    await waitFor(async () => (await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken })).recording.files_recording >= 2,
      { timeoutMs: 60000, describe: 'program and office recording' });
    await sleep(2000);
    const on = await window(relay, seconds);
    await chair(relay, `api/v1/briefings/${id}/end`, 'POST');
    await sleep(2000);
    const off2 = await window(relay, seconds);
    const offCores = (off1.cores + off2.cores) / 2;
    const rec = (await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken })).recording;
    Object.assign(result, {
      load_average: os.loadavg().map((x) => +x.toFixed(2)),
      off_before: off1, on, off_after: off2,
      recording_added_cores: +(on.cores - offCores).toFixed(3),
      ratio_on_to_off: +(on.cores / offCores).toFixed(3),
      recording_packets_dropped: rec.packets_dropped,
      recording_frames_skipped: rec.frames_skipped,
      recording_failures: rec.failures,
    });
  } finally {
    await pub?.stop();
    await relay.stop();
    relay.cleanup();
  }
}

async function reviewOfAnHour(result) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-review-bench-'));
  const dataDir = path.join(work, 'var');
  try {
    const clip = path.join(work, 'clip.h264');
    // 20 s of 1280x720 noise at 1.5 Mbit/s, like the program: encoded once.
    execFileSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=300', 'pattern=snow', '!',
      'video/x-raw,width=1280,height=720,framerate=15/1', '!', 'x264enc', 'key-int-max=30',
      'tune=zerolatency', 'speed-preset=ultrafast', 'bitrate=1500', '!',
      'video/x-h264,stream-format=byte-stream,profile=constrained-baseline', '!', 'filesink',
      `location=${clip}`]);
    const made = JSON.parse(execFileSync(path.join(REPO_ROOT, 'build', 'tools', 'make-recording'),
      ['--data-dir', dataDir, '--clip', clip, '--minutes', String(minutes)]).toString());
    const relay = await startRelay({
      extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR }, relay: { 'data-dir': dataDir } },
    });
    const browser = await getBrowser();
    const page = await browser.newPage();
    try {
      const t0 = Date.now();
      await rememberToken(page, CHAIR);
      await page.goto(`${relay.url}review.html?id=${made.briefing}`);
      await page.waitForFunction(() => {
        const v = document.querySelector('video');
        return v && v.readyState >= 2;
      }, null, { timeout: 60000, polling: 20 });
      const firstFrameMs = Date.now() - t0;
      const seeks = [];
      for (let i = 0; i < nSeeks; i++) {
        // Spread over the hour, each file and places inside them.
        const target = Math.floor(((i * 7 + 3) % (nSeeks * 2)) / (nSeeks * 2) * made.duration_ms);
        const ms = await page.evaluate(async (to) => {
          const v = document.querySelector('video');
          const start = performance.now();
          window.briefingReview.seek(to);
          await new Promise((resolve) => {
            const check = () => {
              const s = window.briefingReview.state();
              if (!v.seeking && v.readyState >= 2 && Math.abs(s.position - to) < 3000) resolve();
              else setTimeout(check, 10);
            };
            check();
          });
          v.pause();
          return performance.now() - start;
        }, target);
        seeks.push({ target_ms: target, ms: +ms.toFixed(1) });
      }
      const sorted = seeks.map((s) => s.ms).sort((a, b) => a - b);
      Object.assign(result, {
        review: {
          recording: made,
          time_to_first_frame_ms: firstFrameMs,
          seek_ms: { p50: percentile(sorted, 50), max: sorted.at(-1) },
          seeks,
        },
      });
    } finally {
      await page.close();
      await closeBrowser();
      await relay.stop();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const result = {
  benchmark: 'recording', date: new Date().toISOString(), cores: os.cpus().length,
  offices: nOffices, seconds, minutes,
};
await costOfRecording(result);
await reviewOfAnHour(result);
console.log(JSON.stringify(result, null, 2));
