// The webrtcbin WHEP viewer (tools/whep-view) as a child process.
//
//   const v = startViewer(`${relay.url}whep/province/TH-50`, token, { referenceIvf });
//   await v.waitEvent((e) => e.event === 'first-frame' && e.media === 'video');
//   const summary = await v.finish();   // SIGTERM, DELETE, final summary event
//
// Picture and sound checks ride on the stats events (once a second):
//   const v = startViewer(url, token, { sampleRects: [[0, 0, 640, 360]], tones: [440, 880] });
//   const s = await v.waitFor((st) => st.rects?.[0]?.r > 200 && st.tones?.['440'] > -10);
//   // s.rects: [{ r, g, b } | null, ...]  mean colour per rectangle, latest frame
//   // s.tones: { '440': dB, '880': dB }   level re a full-scale sine, last second
//   // s.audio_rms_dbfs                    RMS level of the last second
//
// A picture of what was checked, for the test's artefacts:
//   const v = startViewer(url, token, { snapshot: '/tmp/x/mosaic.png' });
//   await v.snapshot();                  // the latest decoded frame, as PNG
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, waitFor } from './relay.mjs';

export const VIEWER_BIN = path.join(REPO_ROOT, 'build', 'tools', 'whep-view');

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

export function startViewer(url, token, opts = {}) {
  if (!fs.existsSync(VIEWER_BIN)) throw new Error(`missing ${VIEWER_BIN}: run scripts/setup`);
  const args = ['--url', url, '--duration', String(opts.duration ?? 0)];
  if (token) args.push('--token', token);
  if (opts.referenceIvf) args.push('--reference-ivf', opts.referenceIvf);
  // keyframe-received for every key frame, with `frame`: its place among
  // received_frames (from 1).
  if (opts.logKeyframes) args.push('--log-keyframes');
  if (opts.expectStatus) args.push('--expect-status', String(opts.expectStatus));
  if (opts.requestKeyframeAt) args.push('--request-keyframe-at', opts.requestKeyframeAt.join(','));
  if (opts.minFrames) args.push('--min-frames', String(opts.minFrames));
  if (opts.count) args.push('--count', String(opts.count));
  if (opts.noDecode) args.push('--no-decode');
  if (opts.sampleRects?.length) {
    args.push('--sample-rects', opts.sampleRects.map((r) => r.join(',')).join(';'));
  }
  if (opts.tones?.length) args.push('--tones', opts.tones.join(','));
  if (opts.snapshot) args.push('--snapshot', opts.snapshot);
  // A hostile viewer: every RTCP report also NACKs the newest packet N times.
  if (opts.nackFlood) args.push('--nack-flood', String(opts.nackFlood));
  const child = opts.nice
    // Load generators in benchmarks run below the relay's priority: on a
    // 2-core machine they would otherwise take the CPU the relay is measured on.
    ? spawn('nice', ['-n', String(opts.nice), VIEWER_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(VIEWER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();
  const events = [];
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        events.push(JSON.parse(line));
      } catch {
        /* not an event line */
      }
    }
  });
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20000);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    running.delete(child);
    resolve({ code, signal });
  }));
  return {
    child,
    events,
    exited,
    stderr: () => stderr,
    lastStats: () => [...events].reverse().find((e) => e.event === 'stats'),
    async waitEvent(pred, { timeoutMs = 20000, describe = 'viewer event' } = {}) {
      return waitFor(() => events.find(pred), { timeoutMs, describe });
    },
    // Resolves with the first stats event satisfying pred among the latest
    // one already received and all later ones (fresh: later ones only, for
    // a check right after changing what is published).
    async waitFor(pred, timeoutMs = 20000, { fresh = false, describe = 'viewer stats' } = {}) {
      let from = events.length;
      if (!fresh) {
        for (let i = events.length - 1; i >= 0; i--) {
          if (events[i].event === 'stats') {
            from = i;
            break;
          }
        }
      }
      let last;
      return waitFor(() => {
        for (; from < events.length; from++) {
          const e = events[from];
          if (e.event !== 'stats') continue;
          last = e;
          if (pred(e)) return e;
        }
        return undefined;
      }, {
        timeoutMs,
        intervalMs: 100,
        describe: () => `${describe}; last stats: ${JSON.stringify(last)}`,
      });
    },
    // With opts.snapshot: writes the latest decoded frame there (SIGUSR1)
    // and resolves with the snapshot event ({file, width, height}).
    async snapshot({ timeoutMs = 30000 } = {}) {
      const from = events.length;
      child.kill('SIGUSR1');
      const e = await waitFor(() => events.slice(from).find((x) => x.event === 'snapshot'),
        { timeoutMs, describe: 'a snapshot event' });
      if (e.error) throw new Error(`snapshot: ${e.error}`);
      return e;
    },
    async finish() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      const r = await exited;
      clearTimeout(t);
      return { ...r, summary: events.find((e) => e.event === 'summary') };
    },
  };
}
