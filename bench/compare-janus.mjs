// Side by side with Janus (issue 5 §2): the same webrtcbin clients
// (tools/whip-publish sending pre-encoded VP8 + Opus, tools/
// whep-view --no-decode receiving) against our relay and against Janus
// 1.1.2's VideoRoom (Debian package, our own config, bench/janus/), one
// server after the other in the same run. Janus is driven through its JSON
// API over HTTP by the WHIP/WHEP shim in bench/janus/janus.mjs.
//
// Per server and per (N publishers, M subscribers each):
//   cpu_s_per_stream_s  server CPU seconds per forwarded stream-second:
//                       (cores with subscribers - cores with publishers
//                       only) / (N*M), from /proc, as bench/forward does
//   rss_mib, threads    with subscribers; rss_kib_per_peer = (RSS with
//                       subscribers - RSS before any peer) / (N + N*M);
//                       rss_kib_per_subscriber = (RSS with - RSS with
//                       publishers only) / (N*M)
//   join_ms p50/p99     subscriber's POST to its first video frame
//                       (whep-view's first-frame event). The test media has
//                       a key frame every 2 s and whip-publish cannot make
//                       one on request, so this includes a wait uniform in
//                       0-2 s for both servers; hence also
//   handshake_ms p50/99 answer known (ours: applied; Janus: PATCHed) to
//                       ICE+DTLS connected (whep-view's connected event,
//                       ms_after_answer)
//   e2e_keyframe_ms     end-to-end key frame latency, measured at the
//     p50/p99/max       clients and the same way for both servers: from
//                       whip-publish pushing a key frame into its webrtcbin
//                       pipeline (--log-keyframes: keyframe-sent, province,
//                       index of the frame in the VP8 file, wall_us) to a
//                       viewer's depayloader handing out that whole frame
//                       (whep-view --reference-ivf --log-keyframes:
//                       keyframe-received, index found by SHA-256 in the
//                       same file, wall_us). Both use g_get_real_time() on
//                       this host. Each received key frame is paired with
//                       the latest keyframe-sent of its province and index
//                       not after it (the file loops every 10 s and has a
//                       key frame every 2 s, so a pair is unambiguous);
//                       0 <= latency < 5 s, anything else is counted in
//                       "unmatched". It covers both webrtcbin stacks
//                       (payloader, SRTP, jitter buffer, depayloader),
//                       loopback and the server, with the clients at nice
//                       10 on the same 2 cores: not the server's own
//                       latency, but the same clients under the same
//                       protocol for both servers, so the ratio compares
//                       the servers. Every key frame the viewers received,
//                       from their join to the end of the level's
//                       measurement, counts, except a viewer's very first
//                       frame when it is a key frame (first_frames_excluded):
//                       webrtcbin's jitter buffer holds a new stream for its
//                       whole latency, 200 ms, before passing anything, and
//                       in-order frames without delay after that, so that
//                       one sample is the client's constant. The sorted
//                       samples (0.1 ms) are kept as e2e_keyframe_ms_samples,
//                       and the join times as join_ms_samples
//   transport_cpu_s_   as cpu_s_per_stream_s, over the threads that move
//     per_stream_s      packets only: ours "transport-N" (the workers:
//                       ICE, DTLS, SRTP, fan-out), Janus "hloop N" (one
//                       loop per handle); thread_cores_* list the busiest
//                       thread groups. When the machine is full (ours at
//                       76: the decoding for the mosaic and 76 publishers
//                       take both cores) the process figure is blurred by
//                       who got the CPU; the threads' work is not
//   forward_us p50/p99  ours: the relay's own decrypted-in -> encrypted-out
//                       figure (GET /api/v1/viewers); Janus: n/a (it has
//                       no such figure)
// Clients run at nice 10. Prints JSON (bench/compare-janus saves it).
//
//   node bench/compare-janus.mjs [--levels 8,32] [--full] [--subs 1,4] [--max-streams 160]
//        [--seconds 10] [--servers ours,janus] [--audio-levels 8,32]
//        [--no-audio] [--no-forward]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request, waitFor, sleep, REPO_ROOT, LOAD_GENERATOR_LIMITS } from '../tools/lib/relay.mjs';
import { devTokensFile, MEDIA_DIR, PUBLISHER_BIN } from '../tools/lib/publisher.mjs';
import { procStat, percentile, threadGroupCpu, threadGroupCores } from './lib.mjs';
import { startJanus, startVideoRoomShim, startAudioBridgeShim, janusVersion } from './janus/janus.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
let levels = opt('levels', '8,32').split(',').map(Number);
if (flag('full') && !levels.includes(76)) levels.push(76);
const subs = opt('subs', '1,4').split(',').map(Number);
// N x M test viewers beyond this do not fit next to the server on a 2-core
// machine (76 x 4 = 304 webrtcbin peers did not all connect): such a level
// is recorded as skipped rather than measured on a starved client.
const maxStreams = Number(opt('max-streams', 160));
const seconds = Number(opt('seconds', 10));
const servers = opt('servers', 'ours,janus').split(',');
const VIEWER_BIN = path.join(REPO_ROOT, 'build', 'tools', 'whep-view');
const MINISTER = 'minister-token-for-the-benchmark';
const CHAIR = 'chair-token-for-the-benchmark';
const audioLevels = opt('audio-levels', levels.join(',')).split(',').map(Number).filter((x) => x > 0);
const skipAudio = flag('no-audio');
const skipForward = flag('no-forward');
const NICE = '10';
// The VP8 file whip-publish sends by default (--video-file), which the
// viewers match received frames against.
const REFERENCE_IVF = path.join(MEDIA_DIR, 'vp8-640x360.ivf');
// A received key frame further than this from its sending is not paired.
const E2E_MAX_MS = 5000;
const log = (...a) => process.stderr.write(`compare-janus: ${a.join(' ')}\n`);

// ---- child processes (the same binaries and options for both servers) ----

const children = new Set();
process.on('exit', () => { for (const c of children) try { c.kill('SIGKILL'); } catch { /* gone */ } });
// Interrupted: exit through 'exit' so that every child (relay, Janus, clients) is killed.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

function spawnTool(bin, args) {
  const child = spawn('nice', ['-n', NICE, bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const events = [];
  let buf = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try { events.push(JSON.parse(line)); } catch { /* not JSON */ }
    }
  });
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-8000); });
  const exited = new Promise((r) => child.on('exit', (code, signal) => { children.delete(child); r({ code, signal }); }));
  return {
    child, events, exited, stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(t);
    },
  };
}

function startPublishers(baseUrl, codes, tokensFile, { logKeyframes = false } = {}) {
  return spawnTool(PUBLISHER_BIN, ['--base-url', baseUrl, '--province', codes.join(','), '--codec', 'vp8',
    '--media-dir', MEDIA_DIR, '--duration', '0',
    ...(tokensFile ? ['--tokens-file', tokensFile] : ['--token', 'unused-by-the-shim']),
    '--join-interval-ms', '20', '--delete-on-exit', ...(logKeyframes ? ['--log-keyframes'] : [])]);
}

// The publishers of one level: one whip-publish for every code, plus, for a
// server with republishRefused (Janus), a new whip-publish for the codes
// whose POST it refused with 503. The Janus shim refuses an offer it could
// not demux (bench/janus/janus.mjs, undemuxableSections: no a=ssrc for the
// video, which whip-publish's webrtcbin now and then leaves out under load);
// published anyway, such a province would reach Janus without video, and so
// would its subscribers. Up to 5 attempts per code; refusals are counted.
function startPublisherSet(server, baseUrl, codes) {
  const opts = { logKeyframes: true };
  const procs = [startPublishers(baseUrl, codes, server.tokensFile, opts)];
  const scanned = new Map(); // proc -> events looked at
  const attempts = new Map(codes.map((c) => [c, 1]));
  let refused = 0;
  const timer = server.republishRefused && setInterval(() => {
    const again = [];
    for (const p of procs) {
      const from = scanned.get(p) ?? 0;
      for (const e of p.events.slice(from)) {
        if (e.event === 'error' && e.stage === 'post' && e.status === 503 && e.province) {
          refused++;
          if (attempts.get(e.province) < 5) again.push(e.province);
        }
      }
      scanned.set(p, p.events.length);
    }
    if (again.length) {
      for (const c of again) attempts.set(c, attempts.get(c) + 1);
      log(`${server.name}: publishing ${again.join(',')} again (offer refused: ${again.length})`);
      procs.push(startPublishers(baseUrl, again, server.tokensFile, opts));
    }
  }, 250);
  return {
    get events() { return procs.flatMap((p) => p.events); },
    get refused() { return refused; },
    async stop() {
      if (timer) clearInterval(timer);
      await Promise.all(procs.map((p) => p.stop()));
    },
  };
}

function startViewers(url, count, { token, serverOffer }) {
  const args = ['--url', url, '--count', String(count), '--no-decode', '--duration', '0',
    '--reference-ivf', REFERENCE_IVF, '--log-keyframes'];
  if (token) args.push('--token', token);
  if (serverOffer) args.push('--server-offer');
  return spawnTool(VIEWER_BIN, args);
}

async function cpuOver(pid, s) {
  const a = procStat(pid);
  const ta = threadGroupCpu(pid);
  const t0 = Date.now();
  await sleep(s * 1000);
  const b = procStat(pid);
  const dt = (Date.now() - t0) / 1000;
  return {
    cores: (b.cpu - a.cpu) / dt, rssKib: b.rssKib, threads: b.threads,
    threadCores: threadGroupCores(ta, threadGroupCpu(pid), dt),
  };
}

// The busiest thread groups, in cores, largest first.
const topThreads = (tc, n = 8) => Object.fromEntries(Object.entries(tc).sort((x, y) => y[1] - x[1])
  .slice(0, n).map(([g, c]) => [g, round(c)]));

const round = (x, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? null : +x.toFixed(d));

// End-to-end key frame latency (see the header): pairs every
// keyframe-received of the viewers of a province with the latest
// keyframe-sent of that province and frame index not after it.
// viewersByCode: [code, whep-view process watching that province].
function keyframeLatencies(sentEvents, viewersByCode) {
  const sent = new Map(); // "code index" -> ascending wall_us
  for (const e of sentEvents) {
    if (e.event !== 'keyframe-sent') continue;
    const key = `${e.province} ${e.index}`;
    if (!sent.has(key)) sent.set(key, []);
    sent.get(key).push(e.wall_us);
  }
  for (const list of sent.values()) list.sort((a, b) => a - b);
  const samples = [];
  let unmatched = 0;
  let firstFrames = 0;
  for (const [code, viewer] of viewersByCode) {
    for (const e of viewer.events) {
      // keyframe-received without index answers a key frame request only.
      if (e.event !== 'keyframe-received' || e.index === undefined) continue;
      if (e.first_frame) {
        firstFrames++;
        continue;
      }
      let at = null;
      for (const t of sent.get(`${code} ${e.index}`) ?? []) {
        if (t > e.wall_us) break;
        at = t;
      }
      const ms = at === null ? null : (e.wall_us - at) / 1000;
      if (ms === null || ms < 0 || ms >= E2E_MAX_MS) unmatched++;
      else samples.push(Math.round(ms * 10) / 10);
    }
  }
  samples.sort((a, b) => a - b);
  return {
    summary: {
      p50: samples.length ? percentile(samples, 50) : null,
      p99: samples.length ? percentile(samples, 99) : null,
      max: samples.length ? samples[samples.length - 1] : null,
      samples: samples.length,
      unmatched,
      first_frames_excluded: firstFrames,
    },
    samples,
  };
}

// ---- one server: the forwarding levels ----

async function forwarding(server) {
  const out = [];
  for (const n of levels) {
    const codes = server.roster.slice(0, n);
    log(`${server.name}: ${n} publishers`);
    const idle = procStat(server.pid);
    const pub = startPublisherSet(server, server.baseUrl, codes);
    try {
      await waitFor(() => pub.events.filter((e) => e.event === 'connected').length >= n,
        { timeoutMs: 90000, intervalMs: 500, describe: `${n} publishers connected to ${server.name}` });
      await sleep(3000);
      const alone = await cpuOver(server.pid, seconds);
      for (const m of subs) {
        if (n * m > maxStreams) {
          out.push({ publishers: n, subscribers_each: m, forwarded_streams: n * m,
            error: `skipped: ${n * m} test viewers exceed --max-streams ${maxStreams} on this machine` });
          log(`${server.name}: ${n} x ${m} skipped (more than ${maxStreams} viewers)`);
          continue;
        }
        log(`${server.name}: ${n} publishers x ${m} subscribers`);
        // Spread over one key-frame interval (2 s): the publishers' key
        // frames are in step (same file, started together), so viewers that
        // all joined at once would all wait the same part of the interval,
        // and a level's join times would be one phase, not a distribution.
        const viewers = [];
        for (const code of codes) {
          viewers.push(startViewers(server.viewUrl(code), m, server.viewOpts));
          await sleep(2000 / codes.length);
        }
        const firstFrames = () => viewers.flatMap((v) => v.events.filter((e) => e.event === 'first-frame' && e.media === 'video'));
        const errors = () => viewers.flatMap((v) => v.events.filter((e) => e.event === 'error'));
        try {
          // Every subscriber, or after 45 s at least 90 % of them (a safety
          // net: those without video are counted, and left out of the
          // per-stream figure). Janus subscribers that got audio but never
          // video at N = 32 were those of publishers whose offer lacked a
          // video a=ssrc; startPublisherSet now publishes those again.
          const tWait = Date.now();
          await waitFor(() => {
            if (errors().length) throw new Error(`viewer errors: ${JSON.stringify(errors().slice(0, 3))}`);
            const got = firstFrames().length;
            return got >= n * m || (Date.now() - tWait > 45000 && got >= 0.9 * n * m);
          }, { timeoutMs: 120000, intervalMs: 500, describe: `${n * m} subscribers receiving from ${server.name}` });
          await sleep(3000);
          const withSubs = await cpuOver(server.pid, seconds);
          const receiving = firstFrames().length;
          const joins = firstFrames().map((e) => e.ms).sort((a, b) => a - b);
          const connects = viewers.flatMap((v) => v.events.filter((e) => e.event === 'connected')).map((e) => e.ms_after_answer)
            .sort((a, b) => a - b);
          const lat = server.forwardLatency ? await server.forwardLatency() : null;
          const e2e = keyframeLatencies(pub.events, codes.map((code, i) => [code, viewers[i]]));
          const peers = n + n * m;
          out.push({
            publishers: n,
            subscribers_each: m,
            forwarded_streams: n * m,
            cores_publishers_only: round(alone.cores),
            cores_with_subscribers: round(withSubs.cores),
            subscribers_without_video: n * m - receiving,
            publisher_offers_refused: pub.refused,
            cpu_s_per_stream_s: round((withSubs.cores - alone.cores) / receiving, 5),
            // The same difference over the threads that move packets only
            // (ours: the transport workers; Janus: its per-handle loops),
            // which the relay's decoding for the mosaic does not blur when
            // the machine is full.
            transport_cpu_s_per_stream_s: round(((withSubs.threadCores[server.transportThreads] ?? 0)
              - (alone.threadCores[server.transportThreads] ?? 0)) / receiving, 5),
            thread_cores_publishers_only: topThreads(alone.threadCores),
            thread_cores_with_subscribers: topThreads(withSubs.threadCores),
            rss_mib: round(withSubs.rssKib / 1024, 1),
            rss_kib_per_peer: round((withSubs.rssKib - idle.rssKib) / peers, 0),
            rss_kib_per_subscriber: round((withSubs.rssKib - alone.rssKib) / (n * m), 0),
            threads: withSubs.threads,
            join_ms_p50: percentile(joins, 50),
            join_ms_p99: percentile(joins, 99),
            handshake_ms_p50: percentile(connects, 50),
            handshake_ms_p99: percentile(connects, 99),
            forward_us_p50: lat?.p50 ?? null,
            forward_us_p99: lat?.p99 ?? null,
            e2e_keyframe_ms: e2e.summary,
            e2e_keyframe_ms_samples: e2e.samples,
            join_ms_samples: joins,
          });
          // The sample arrays go to the JSON only: at 32 x 4 they run to thousands.
          const { e2e_keyframe_ms_samples: _e, join_ms_samples: _j, ...brief } = out[out.length - 1];
          log(`${server.name}: ${JSON.stringify(brief)}`);
        } catch (e) {
          // A level the machine cannot carry is recorded, and the run goes on.
          out.push({ publishers: n, subscribers_each: m, forwarded_streams: n * m, error: e.message.slice(0, 400) });
          log(`${server.name}: ${n} x ${m} failed: ${e.message.slice(0, 400)}`);
        } finally {
          await Promise.all(viewers.map((v) => v.stop()));
        }
        await sleep(3000);
      }
    } finally {
      await pub.stop();
    }
    await sleep(3000);
  }
  return out;
}

// ---- one server: the audio mix ----
// N participants send Opus (whip-publish, the same VP8 + Opus as above);
// the server's CPU is measured with all of them muted, then all unmuted
// (ours: the chair's PUT /api/v1/conference/participants/<code>; Janus:
// AudioBridge "configure" muted:false). mix_cpu_s_per_participant_s is the
// difference per participant.

async function audioMix(server) {
  const out = [];
  for (const n of audioLevels) {
    const codes = server.roster.slice(0, n);
    log(`${server.name}: audio mix of ${n}`);
    const pub = startPublishers(server.audioBaseUrl, codes, server.tokensFile);
    try {
      await waitFor(() => pub.events.filter((e) => e.event === 'connected').length >= n,
        { timeoutMs: 90000, intervalMs: 500, describe: `${n} participants connected to ${server.name}` });
      await server.setMuted(codes, true);
      await sleep(3000);
      const muted = await cpuOver(server.pid, seconds);
      await server.setMuted(codes, false);
      await sleep(3000);
      const unmuted = await cpuOver(server.pid, seconds);
      const lat = server.mixLatency ? await server.mixLatency() : null;
      out.push({
        participants: n,
        cores_muted: round(muted.cores),
        cores_unmuted: round(unmuted.cores),
        mix_cpu_s_per_participant_s: round((unmuted.cores - muted.cores) / n, 5),
        thread_cores_muted: topThreads(muted.threadCores),
        thread_cores_unmuted: topThreads(unmuted.threadCores),
        rss_mib: round(unmuted.rssKib / 1024, 1),
        threads: unmuted.threads,
        mix_latency_ms_p50: lat?.p50 ?? null,
        mix_latency_ms_p99: lat?.p99 ?? null,
      });
      log(`${server.name}: ${JSON.stringify(out[out.length - 1])}`);
    } finally {
      await pub.stop();
    }
    await sleep(3000);
  }
  return out;
}

// ---- the two servers ----

async function runOurs(roster) {
  const relay = await startRelay({ extraConfig: {
    limits: LOAD_GENERATOR_LIMITS,
    'viewer minister': { role: 'minister', token: MINISTER },
    'viewer chair': { role: 'chair', token: CHAIR },
  } });
  try {
    const server = {
      name: 'ours',
      pid: relay.process.pid,
      roster,
      baseUrl: relay.url.replace(/\/$/, ''),
      tokensFile: devTokensFile(relay),
      viewUrl: (code) => `${relay.url}whep/province/${code}`,
      transportThreads: 'transport',
      viewOpts: { token: MINISTER },
      async forwardLatency() {
        const vs = (await request(`${relay.url}api/v1/viewers`, { headers: { Authorization: `Bearer ${MINISTER}` } })).json.viewers;
        const p50s = vs.map((v) => v.forward_p50_us).sort((a, b) => a - b);
        const p99s = vs.map((v) => v.forward_p99_us).sort((a, b) => a - b);
        return { p50: percentile(p50s, 50), p99: p99s[p99s.length - 1] };
      },
    };
    const result = { forwarding: skipForward ? [] : await forwarding(server) };
    if (!skipAudio) {
      server.audioBaseUrl = server.baseUrl;
      server.setMuted = async (codes, muted) => {
        for (const code of codes) {
          const r = await request(`${relay.url}api/v1/conference/participants/${code}`, {
            method: 'PUT', headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ muted }),
          });
          if (r.status >= 300) throw new Error(`PUT participants/${code}: ${r.status}`);
        }
      };
      server.mixLatency = async () => {
        const a = (await getJson(`${relay.url}api/v1/outputs`, { token: relay.viewerToken })).audio;
        return { p50: a.latency_p50_ms, p99: a.latency_p99_ms };
      };
      result.audio_mix = await audioMix(server);
    }
    return result;
  } finally {
    await relay.stop();
    relay.cleanup();
  }
}

async function runJanus(roster) {
  const janus = await startJanus();
  let shim;
  try {
    shim = await startVideoRoomShim(janus);
    const server = {
      name: 'janus',
      pid: janus.pid,
      roster,
      baseUrl: shim.url,
      tokensFile: null,
      viewUrl: (code) => `${shim.url}/whep/province/${code}`,
      transportThreads: 'hloop',
      viewOpts: { serverOffer: true },
      republishRefused: true,
      forwardLatency: null,
    };
    const result = { forwarding: skipForward ? [] : await forwarding(server) };
    if (!skipAudio) {
      const bridge = await startAudioBridgeShim(janus);
      try {
        server.audioBaseUrl = bridge.url;
        server.setMuted = (codes, muted) => bridge.setMuted(muted);
        server.mixLatency = null;
        result.audio_mix = await audioMix(server);
      } finally {
        await bridge.stop().catch(() => {});
      }
    }
    return result;
  } finally {
    await shim?.stop().catch(() => {});
    await janus.stop();
  }
}

const result = {
  benchmark: 'compare-janus',
  date: new Date().toISOString(),
  cores: os.cpus().length,
  cpu_model: os.cpus()[0]?.model,
  janus_version: janusVersion(),
  seconds_per_measurement: seconds,
  clients: 'tools/whip-publish --log-keyframes (pre-encoded VP8 640x360 + Opus) and tools/whep-view '
    + '--no-decode --reference-ivf --log-keyframes, nice 10; '
    + 'Janus via bench/janus/janus.mjs (WHIP -> VideoRoom publish, WHEP server-offer -> VideoRoom subscribe)',
  targets: { forwarding_cpu_ratio: 1.0, join_time_ratio: 1.0, rss_per_peer_ratio: 1.0, audio_mix_cpu_ratio: 1.0 },
};

// The roster comes from our relay's config so both servers see the same codes.
const rosterCsv = fs.readFileSync(path.join(REPO_ROOT, 'config', 'provinces.csv'), 'utf8')
  .trim().split('\n').slice(1).map((l) => l.split(',')[0]);

if (servers.includes('ours')) result.ours = await runOurs(rosterCsv);
if (servers.includes('janus')) result.janus = await runJanus(rosterCsv);

if (result.ours && result.janus) {
  const ratio = (a, b) => (a === null || b === null || !b ? null : round(a / b, 2));
  result.ratios = result.ours.forwarding.map((o) => {
    const j = result.janus.forwarding.find((x) => x.publishers === o.publishers && x.subscribers_each === o.subscribers_each);
    if (!j) return null;
    if (o.error || j.error) return { publishers: o.publishers, subscribers_each: o.subscribers_each, error: o.error ?? j.error };
    return {
      publishers: o.publishers,
      subscribers_each: o.subscribers_each,
      forwarding_cpu: ratio(o.cpu_s_per_stream_s, j.cpu_s_per_stream_s),
      forwarding_cpu_transport_threads: ratio(o.transport_cpu_s_per_stream_s, j.transport_cpu_s_per_stream_s),
      join_time_p50: ratio(o.join_ms_p50, j.join_ms_p50),
      join_time_p99: ratio(o.join_ms_p99, j.join_ms_p99),
      handshake_time_p50: ratio(o.handshake_ms_p50, j.handshake_ms_p50),
      handshake_time_p99: ratio(o.handshake_ms_p99, j.handshake_ms_p99),
      rss_per_peer: ratio(o.rss_kib_per_peer, j.rss_kib_per_peer),
      rss_per_subscriber: ratio(o.rss_kib_per_subscriber, j.rss_kib_per_subscriber),
      rss_total: ratio(o.rss_mib, j.rss_mib),
      threads: ratio(o.threads, j.threads),
      e2e_keyframe_p50: ratio(o.e2e_keyframe_ms?.p50 ?? null, j.e2e_keyframe_ms?.p50 ?? null),
      e2e_keyframe_p99: ratio(o.e2e_keyframe_ms?.p99 ?? null, j.e2e_keyframe_ms?.p99 ?? null),
    };
  }).filter(Boolean);
  if (result.ours.audio_mix && result.janus.audio_mix) {
    result.audio_ratios = result.ours.audio_mix.map((o) => {
      const j = result.janus.audio_mix.find((x) => x.participants === o.participants);
      return j && {
        participants: o.participants,
        audio_mix_cpu: ratio(o.mix_cpu_s_per_participant_s, j.mix_cpu_s_per_participant_s),
        audio_total_cpu_unmuted: ratio(o.cores_unmuted, j.cores_unmuted),
      };
    }).filter(Boolean);
  }
}
// Exit only once written: stdout to a pipe is asynchronous, and an early
// process.exit() cut the document at 64 KiB. Arrays of numbers (the
// samples) on one line each.
const text = JSON.stringify(result, null, 2)
  .replace(/\[\s*(-?[\d.]+(?:,\s*-?[\d.]+)*)\s*\]/g, (_, list) => `[${list.split(/,\s*/).join(', ')}]`);
process.stdout.write(`${text}\n`, () => process.exit(0));
