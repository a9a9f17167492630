// The webrtcbin WHEP viewer (tests/tools/whep-view) as a child process.
//
//   const v = startViewer(`${relay.url}whep/province/TH-50`, token, { referenceIvf });
//   await v.waitEvent((e) => e.event === 'first-frame' && e.media === 'video');
//   const summary = await v.finish();   // SIGTERM, DELETE, final summary event
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, waitFor } from './relay.mjs';

export const VIEWER_BIN = path.join(REPO_ROOT, 'build', 'tests', 'tools', 'whep-view');

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
  if (opts.expectStatus) args.push('--expect-status', String(opts.expectStatus));
  if (opts.requestKeyframeAt) args.push('--request-keyframe-at', opts.requestKeyframeAt.join(','));
  if (opts.minFrames) args.push('--min-frames', String(opts.minFrames));
  if (opts.count) args.push('--count', String(opts.count));
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
    events,
    exited,
    stderr: () => stderr,
    lastStats: () => [...events].reverse().find((e) => e.event === 'stats'),
    async waitEvent(pred, { timeoutMs = 20000, describe = 'viewer event' } = {}) {
      return waitFor(() => events.find(pred), { timeoutMs, describe });
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
