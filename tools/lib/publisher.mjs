// The webrtcbin WHIP publisher (tools/whip-publish) as a child process:
// pre-encoded media, one process for any number of provinces.
//
//   const pub = startPublisher(relay, ['TH-50'], { codec: 'vp8' });
//   // videoFile / audioFile name files in MEDIA_DIR, e.g.
//   // { videoFile: 'color-red.ivf', audioFile: 'opus-880.ogg' }
//   // audioLevel: true sends RFC 6464 levels (--audio-level)
//   // oversizedEvery: N grows every Nth video RTP packet (--oversized-every)
//   // takeover: true takes the office over from a device live as it (--takeover)
//   await pub.waitEvent((e) => e.event === 'connected');
//   await pub.stop();            // SIGTERM (DELETE only with deleteOnExit)
//   pub.kill();                  // SIGKILL: the relay sees media stop
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, waitFor } from './relay.mjs';

export const PUBLISHER_BIN = path.join(REPO_ROOT, 'build', 'tools', 'whip-publish');
export const MEDIA_DIR = path.join(REPO_ROOT, 'var', 'test-media');

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

export function startPublisher(relay, provinces, opts = {}) {
  if (!fs.existsSync(PUBLISHER_BIN)) throw new Error(`missing ${PUBLISHER_BIN}: run scripts/setup`);
  if (!fs.existsSync(path.join(MEDIA_DIR, 'vp8-640x360.ivf'))) {
    throw new Error(`missing test media in ${MEDIA_DIR}: run tools/make-test-media ${MEDIA_DIR}`);
  }
  const args = [
    '--base-url', relay.url.replace(/\/$/, ''),
    '--province', provinces.join(','),
    '--codec', opts.codec || 'vp8',
    '--media-dir', MEDIA_DIR,
    '--duration', String(opts.duration ?? 0),
  ];
  if (opts.tokensFile) args.push('--tokens-file', opts.tokensFile);
  else if (provinces.length === 1) args.push('--token', opts.token ?? relay.tokens[provinces[0]]);
  if (opts.wrongFingerprint) args.push('--wrong-fingerprint');
  if (opts.decoyFingerprints) args.push('--decoy-fingerprints');
  if (opts.expectStatus) args.push('--expect-status', String(opts.expectStatus));
  if (opts.deleteOnExit) args.push('--delete-on-exit');
  if (opts.joinIntervalMs) args.push('--join-interval-ms', String(opts.joinIntervalMs));
  if (opts.videoFile) args.push('--video-file', opts.videoFile);
  if (opts.audioFile) args.push('--audio-file', opts.audioFile);
  if (opts.insecure) args.push('--insecure');
  if (opts.dropPercent) args.push('--drop-percent', String(opts.dropPercent));
  // Video from this frame of the file: mid-GOP, so the relay must wait for
  // the next key frame.
  if (opts.startFrame) args.push('--start-frame', String(opts.startFrame));
  if (opts.audioLevel) args.push('--audio-level');
  if (opts.takeover) args.push('--takeover');
  // A hostile office: every Nth video RTP packet grown to oversizedBytes
  // (default 2000) before it is encrypted.
  if (opts.oversizedEvery) args.push('--oversized-every', String(opts.oversizedEvery));
  if (opts.oversizedBytes) args.push('--oversized-bytes', String(opts.oversizedBytes));

  const child = opts.nice
    // Load generators in benchmarks run below the relay's priority: on a
    // 2-core machine they would otherwise take the CPU the relay is measured on.
    ? spawn('nice', ['-n', String(opts.nice), PUBLISHER_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(PUBLISHER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  // A publisher must never keep the test process alive on its own.
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
    async waitEvent(pred, { timeoutMs = 20000, describe = 'publisher event' } = {}) {
      return waitFor(() => events.find(pred), { timeoutMs, describe });
    },
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
    kill() {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/* The relay's development tokens (all provinces not configured). */
export function devTokensFile(relay) {
  return path.join(relay.dataDir, 'dev-tokens.ini');
}
