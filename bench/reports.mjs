// Reporting channel benchmark: accepted figures submissions per second and
// the ack latency (p50/p99/max), with the 76 provinces submitting at once,
// over HTTPS (POST /api/v1/reports, one keep-alive TLS connection per
// province, its dev token) and over the WebRTC data channel labelled
// "report" (one RTCPeerConnection per province in one headless Chromium
// page, published to /whip/<code> with a tiny canvas track). Each way is
// run paced at a target total rate (open loop, spread evenly over the
// provinces; `ack` is timed from the moment a submission is sent,
// `ack_from_due` from the moment it was due, so a client that fell behind
// is charged for it) and unpaced (`-max`, closed loop: each province sends
// its next submission as soon as the previous one is acked). Every submission has a new id and new values,
// so every accepted one is a new stored version (a group-committed SQLite
// transaction with synchronous=FULL) and an event.
//
// The clients run at nice 10 (a child node process, and Chromium through a
// wrapper) so they do not take the relay's CPU. Prints JSON.
//
//   bench/reports [--seconds 15] [--rate 2000] [--dc-rate 500,2000]
//                 [--channels 76] [--phases https-paced,https-max,dc-paced,dc-max] [--nice 10] [--tls 0]
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, procStat } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));

/* The relay's calendar day (Asia/Bangkok), as the validation uses. */
const bangkokDate = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

/* A valid submission whose values differ from every earlier one of that
 * province (n increases), so each is stored as a new version. */
function message(id, n, date) {
  return JSON.stringify({
    type: 'figures', id, date,
    values: {
      job_seekers: n % 1000000, job_placements: 45, layoffs: 3, establishments_closed: 1,
      complaints_received: 7, complaints_resolved: 5, workplace_accidents: 0,
      unemployment_rate: 1.2, inflation: -0.4, overall_status: 'normal', note: 'bench',
    },
  });
}

function summarize(latenciesMs) {
  const s = Float64Array.from(latenciesMs).sort();
  if (s.length === 0) return { p50_ms: null, p99_ms: null, max_ms: null };
  return {
    p50_ms: +percentile(s, 50).toFixed(2),
    p99_ms: +percentile(s, 99).toFixed(2),
    max_ms: +s[s.length - 1].toFixed(2),
  };
}

/* ------------------------------------------------ HTTPS client (child) */

async function httpClient(cfg) {
  const { url, tokens, rate, seconds, date, prefix } = cfg;
  const target = new URL('api/v1/reports', url);
  const mod = target.protocol === 'https:' ? https : http;
  const codes = Object.keys(tokens);
  const perClient = rate > 0 ? rate / codes.length : 0;
  const statuses = {};
  const ackMs = [];     // request written -> response complete
  const dueMs = [];     // due time -> response complete (paced only)
  let accepted = 0;
  let newVersions = 0;
  let failures = 0;
  let seq = 0;
  let lastDone = 0;

  function post(agent, token, body) {
    return new Promise((resolve) => {
      const req = mod.request(target, {
        method: 'POST', agent, rejectUnauthorized: false,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body) },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  }

  const agents = new Map(codes.map((c) => [c, new mod.Agent({ keepAlive: true, maxSockets: 1 })]));
  // Warm-up: one submission each, to open the TLS connections outside the timing.
  await Promise.all(codes.map((c) => post(agents.get(c), tokens[c], message(`${prefix}-w-${c}`, 0, date))));

  const cpu0 = process.cpuUsage();
  const t0 = performance.now() + 50;
  const end = t0 + seconds * 1000;
  const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

  async function run(code, index) {
    const agent = agents.get(code);
    let k = 0;
    for (;;) {
      let due = null;
      if (perClient > 0) {
        due = t0 + (index / codes.length + k) * (1000 / perClient);
        if (due >= end) break;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      } else if (performance.now() >= end) {
        break;
      }
      k++;
      const n = ++seq;
      const sent = performance.now();
      const status = await post(agent, tokens[code], message(`${prefix}-${code}-${k}`, n, date));
      const done = performance.now();
      lastDone = Math.max(lastDone, done);
      statuses[status] = (statuses[status] || 0) + 1;
      if (status === 200 || status === 201) {
        accepted++;
        if (status === 201) newVersions++;
        ackMs.push(done - sent);
        if (due !== null) dueMs.push(done - due);
      } else {
        failures++;
      }
    }
  }
  await Promise.all(codes.map((c, i) => run(c, i)));
  // From the first due time to the last answer.
  const elapsed = Math.max(lastDone - t0, 1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const a of agents.values()) a.destroy();
  return {
    clients: codes.length,
    target_rate: rate > 0 ? rate : null,
    seconds: +elapsed.toFixed(2),
    accepted,
    new_versions: newVersions,
    failures,
    statuses,
    accepted_per_s: +(accepted / elapsed).toFixed(1),
    ack: summarize(ackMs),
    ack_from_due: rate > 0 ? summarize(dueMs) : undefined,
    client_cpu_cores: +((cpu.user + cpu.system) / 1e6 / elapsed).toFixed(2),
  };
}

if (args.role === 'http-client') {
  const cfg = JSON.parse(fs.readFileSync(args.config, 'utf8'));
  const out = await httpClient(cfg);
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

/* ------------------------------------------------------- the benchmark */

// The relay's certificate is a throw-away self-signed one (the API helpers use fetch).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const { startRelay, getJson, request, LOAD_GENERATOR_LIMITS } = await import('../tools/lib/relay.mjs');
const { devTokensFile } = await import('../tools/lib/publisher.mjs');
const { CHROMIUM, CHROMIUM_ARGS } = await import('../tools/lib/browser.mjs');

const seconds = Number(args.seconds ?? 15);
const rate = Number(args.rate ?? 2000);
// Data channel paced phases: one per rate (dc-paced-<rate>).
const dcRates = String(args['dc-rate'] ?? (args.rate ? rate : '500,2000')).split(',').map(Number).filter((r) => r > 0);
const channels = Number(args.channels ?? 76);
const NICE = Number(args.nice ?? 10);
const phases = (args.phases ?? 'https-paced,https-max,dc-paced,dc-max').split(',');

function readTokens(file) {
  const tokens = {};
  let code = null;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const g = line.match(/^\[(.*)\]/);
    if (g) code = g[1].match(/^province (\S+)$/)?.[1] ?? null; // [viewer ...] groups too
    const t = line.match(/^token=(.*)$/);
    if (t && code) tokens[code] = t[1].trim();
  }
  return tokens;
}

/* CPU seconds of this process's descendants but the relay (Chromium and
 * its helpers, at nice 10). */
function clientCpu(relayPid) {
  const parent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  let total = 0;
  for (const [p] of parent) {
    if (p === relayPid) continue;
    let q = parent.get(p);
    while (q && q !== process.pid && q !== 1) q = parent.get(q);
    if (q !== process.pid) continue;
    try { total += procStat(p).cpu; } catch { /* gone */ }
  }
  return total;
}

/* CPU seconds per thread name (transport-0 and transport-1 together as
 * transport-*), to see which of the relay's threads is the busy one. */
function threadCpu(pid) {
  const out = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const st = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')).replace(/\d+$/, '*');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] || 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* thread ended */ }
  }
  return out;
}

async function relayCpuDuring(pid, fn) {
  const a = procStat(pid);
  const ta = threadCpu(pid);
  const t0 = Date.now();
  const out = await fn();
  const b = procStat(pid);
  const tb = threadCpu(pid);
  const s = (Date.now() - t0) / 1000;
  const threads = Object.entries(tb).map(([k, v]) => [k, (v - (ta[k] || 0)) / s])
    .filter(([, v]) => v >= 0.02).sort((x, y) => y[1] - x[1]).slice(0, 6)
    .map(([k, v]) => [k, +v.toFixed(2)]);
  return { out, cores: +((b.cpu - a.cpu) / s).toFixed(2), rssMib: +(b.rssKib / 1024).toFixed(1),
    threads: Object.fromEntries(threads) };
}

function runHttpPhase(relay, tokens, phaseRate, tmp, name) {
  const cfgPath = path.join(tmp, `${name}.json`);
  fs.writeFileSync(cfgPath, JSON.stringify({
    url: relay.url, tokens, rate: phaseRate, seconds, date: bangkokDate(), prefix: name,
  }));
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', String(NICE), process.execPath, SELF, '--role', 'http-client', '--config', cfgPath],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${name}: client exited ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

/* In the page: one RTCPeerConnection per province with a 16x16 canvas
 * track and the "report" channel, published to /whip/<code>. */
async function openChannels(page, list) {
  return page.evaluate(async (list) => {
    const canvas = document.createElement('canvas');
    canvas.width = 16;
    canvas.height = 16;
    const g = canvas.getContext('2d');
    g.fillStyle = '#0b5cad';
    g.fillRect(0, 0, 16, 16);
    // Repainted twice a second so each province stays live at the relay
    // (a 16x16 picture costs next to nothing to encode and decode).
    let hue = 0;
    window.benchPaint = setInterval(() => {
      hue = (hue + 37) % 360;
      g.fillStyle = `hsl(${hue} 60% 45%)`;
      g.fillRect(0, 0, 16, 16);
    }, 500);
    const stream = canvas.captureStream(2);
    const track = stream.getVideoTracks()[0];
    window.benchChannels = [];
    const errors = [];
    async function open({ code, token }) {
      const pc = new RTCPeerConnection();
      pc.addTransceiver(track.clone(), { direction: 'sendonly', streams: [stream] });
      const dc = pc.createDataChannel('report');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') resolve();
        });
        setTimeout(resolve, 2000);
      });
      const res = await fetch(`/whip/${code}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
        body: pc.localDescription.sdp,
      });
      if (res.status !== 201) throw new Error(`${code}: WHIP ${res.status} ${await res.text()}`);
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      await new Promise((resolve, reject) => {
        if (dc.readyState === 'open') return resolve();
        dc.onopen = resolve;
        setTimeout(() => reject(new Error(`${code}: channel ${dc.readyState}, pc ${pc.connectionState}`)), 20000);
      });
      window.benchChannels.push({ code, pc, dc });
    }
    // A few at a time: the relay's ICE/DTLS handshakes are what is slow.
    const queue = [...list];
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (queue.length) {
        const item = queue.shift();
        try { await open(item); } catch (e) { errors.push(e.message); }
      }
    }));
    return { open: window.benchChannels.length, errors };
  }, list);
}

/* In the page: send for `seconds` (paced at `rate` total, or closed loop
 * when rate is 0), time each ack. */
async function runDcPhase(page, phaseRate, prefix, date) {
  return page.evaluate(async ({ phaseRate, seconds, prefix, date }) => {
    const chans = window.benchChannels;
    const values = (n) => ({
      job_seekers: n % 1000000, job_placements: 45, layoffs: 3, establishments_closed: 1,
      complaints_received: 7, complaints_resolved: 5, workplace_accidents: 0,
      unemployment_rate: 1.2, inflation: -0.4, overall_status: 'normal', note: 'bench',
    });
    let seq = 0;
    const ack = [];
    const fromDue = [];
    const statuses = { ok: 0, refused: 0 };
    let refusedSample = null;
    let sent = 0;
    let pendingTotal = 0;
    let onIdle = null;
    let lastAck = 0;
    const state = chans.map((c) => ({ ...c, inflight: new Map(), k: 0 }));
    const sendOne = (s, due) => {
      s.k++;
      const id = `${prefix}-${s.code}-${s.k}`;
      const t = performance.now();
      s.inflight.set(id, { t, due });
      pendingTotal++;
      sent++;
      s.dc.send(JSON.stringify({ type: 'figures', id, date, values: values(++seq) }));
    };
    const t0 = performance.now() + 50;
    const end = t0 + seconds * 1000;
    for (const s of state) {
      s.dc.onmessage = (ev) => {
        const now = performance.now();
        let r;
        try { r = JSON.parse(ev.data); } catch { return; }
        const m = s.inflight.get(r.id);
        if (!m) return;
        lastAck = now;
        s.inflight.delete(r.id);
        pendingTotal--;
        if (r.ok) {
          statuses.ok++;
          ack.push(now - m.t);
          if (m.due !== null) fromDue.push(now - m.due);
        } else {
          statuses.refused++;
          refusedSample = refusedSample || ev.data;
        }
        if (phaseRate === 0 && now < end) sendOne(s, null);
        if (pendingTotal === 0 && onIdle) onIdle();
      };
    }
    if (phaseRate > 0) {
      // Open loop: message j is due at t0 + j / rate, round-robin over the channels.
      const period = 1000 / phaseRate;
      let j = 0;
      await new Promise((resolve) => {
        const tick = () => {
          const now = performance.now();
          while (t0 + j * period <= now && t0 + j * period < end) {
            sendOne(state[j % state.length], t0 + j * period);
            j++;
          }
          if (t0 + j * period >= end) resolve();
          else setTimeout(tick, Math.min(4, Math.max(0, t0 + j * period - performance.now())));
        };
        tick();
      });
    } else {
      await new Promise((r) => setTimeout(r, 50));
      for (const s of state) sendOne(s, null);
      await new Promise((r) => setTimeout(r, seconds * 1000));
    }
    // Wait for the stragglers (at most 10 s).
    if (pendingTotal > 0) {
      await Promise.race([new Promise((r) => { onIdle = r; }), new Promise((r) => setTimeout(r, 10000))]);
    }
    const elapsed = Math.max(lastAck - t0, 1) / 1000; // first due time to the last ack
    const sortedAck = Float64Array.from(ack).sort();
    const sortedDue = Float64Array.from(fromDue).sort();
    const pct = (s, p) => (s.length ? +s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))].toFixed(2) : null);
    const sum = (s) => ({ p50_ms: pct(s, 50), p99_ms: pct(s, 99), max_ms: s.length ? +s[s.length - 1].toFixed(2) : null });
    return {
      channels: state.length,
      target_rate: phaseRate > 0 ? phaseRate : null,
      seconds: +elapsed.toFixed(2),
      sent,
      accepted: statuses.ok,
      refused: statuses.refused,
      refused_sample: refusedSample,
      unanswered: pendingTotal,
      accepted_per_s: +(statuses.ok / elapsed).toFixed(1),
      ack: sum(sortedAck),
      ack_from_due: phaseRate > 0 ? sum(sortedDue) : undefined,
    };
  }, { phaseRate, seconds, prefix, date });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-bench-reports-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
  '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', path.join(tmp, 'key.pem'),
  '-out', path.join(tmp, 'cert.pem')], { stdio: 'ignore' });
// --tls 0: plain HTTP, to tell the cost of TLS from the rest.
const tls = args.tls !== '0';
const relay = await startRelay({
  extraConfig: {
    limits: LOAD_GENERATOR_LIMITS,
    ...(tls ? { relay: { 'tls-certificate': path.join(tmp, 'cert.pem'), 'tls-private-key': path.join(tmp, 'key.pem') } } : {}),
  },
});
const pid = relay.process.pid;
const result = {
  benchmark: 'reports',
  date: new Date().toISOString(),
  cores: os.cpus().length,
  cpu_model: os.cpus()[0]?.model,
  seconds_per_phase: seconds,
  tls,
  client_nice: NICE,
  data_dir_fs: (() => { try { return execFileSync('df', ['--output=fstype', relay.dataDir], { encoding: 'utf8' }).split('\n')[1].trim(); } catch { return null; } })(),
  phases: {},
};
let browser = null;
try {
  const allTokens = readTokens(devTokensFile(relay));
  const roster = (await getJson(`${relay.url}api/v1/provinces`, {})).provinces.map((p) => p.code)
    .filter((c) => allTokens[c]);
  const tokens = Object.fromEntries(roster.map((c) => [c, allTokens[c]]));
  result.provinces = roster.length;

  for (const phase of phases.filter((p) => p.startsWith('https-'))) {
    const load = os.loadavg()[0];
    const r = await relayCpuDuring(pid, () => runHttpPhase(relay, tokens, phase === 'https-paced' ? rate : 0, tmp, phase));
    result.phases[phase] = { ...r.out, relay_cpu_cores: r.cores, relay_threads_cores: r.threads, relay_rss_mib: r.rssMib,
      loadavg_1m_before: +load.toFixed(2), loadavg_1m_after: +os.loadavg()[0].toFixed(2) };
    process.stderr.write(`${phase}: ${r.out.accepted_per_s}/s p50 ${r.out.ack.p50_ms} ms p99 ${r.out.ack.p99_ms} ms\n`);
  }

  const dcPhases = phases.filter((p) => p.startsWith('dc-'));
  if (dcPhases.length) {
    // Chromium at nice 10 through a wrapper (its helpers inherit it).
    const wrapper = path.join(tmp, 'chromium-nice');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec nice -n ${NICE} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: wrapper, headless: true, args: [...CHROMIUM_ARGS, '--disable-gpu'] });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${relay.url}province.html`);
    const list = roster.slice(0, channels).map((code) => ({ code, token: tokens[code] }));
    const t0 = Date.now();
    const opened = await openChannels(page, list);
    result.data_channels = { wanted: list.length, open: opened.open, open_seconds: +((Date.now() - t0) / 1000).toFixed(1),
      errors: opened.errors.slice(0, 5) };
    process.stderr.write(`data channels: ${opened.open}/${list.length} open in ${result.data_channels.open_seconds} s\n`);
    if (opened.open === 0) throw new Error(`no data channel opened: ${opened.errors.slice(0, 3).join('; ')}`);
    // Warm-up: one each.
    await runDcPhase(page, 0, 'dc-warm', bangkokDate()).catch(() => null);
    const runs = dcPhases.flatMap((p) => (p === 'dc-paced' ? dcRates.map((r) => [`dc-paced-${r}`, r]) : [[p, 0]]));
    for (const [phase, phaseRate] of runs) {
      const load = os.loadavg()[0];
      const c0 = clientCpu(pid);
      const t0 = Date.now();
      const r = await relayCpuDuring(pid, () => runDcPhase(page, phaseRate, phase, bangkokDate()));
      const clientCores = (clientCpu(pid) - c0) / ((Date.now() - t0) / 1000);
      result.phases[phase] = { ...r.out, relay_cpu_cores: r.cores, relay_threads_cores: r.threads, relay_rss_mib: r.rssMib,
        client_cpu_cores: +clientCores.toFixed(2),
        loadavg_1m_before: +load.toFixed(2), loadavg_1m_after: +os.loadavg()[0].toFixed(2) };
      process.stderr.write(`${phase}: ${r.out.accepted_per_s}/s p50 ${r.out.ack.p50_ms} ms p99 ${r.out.ack.p99_ms} ms\n`);
    }
    await context.close();
  }
  const live = (await getJson(`${relay.url}api/v1/health`)).provinces;
  result.relay_health_after = live;
  const h = result.phases;
  result.targets = {
    https_accepted_per_s_min: 2000,
    https_ack_p99_ms_max: 20,
    dc_ack_p99_ms_max: 30,
    https_met: h['https-paced'] ? rate >= 2000 && h['https-paced'].accepted_per_s >= 0.99 * 2000
      && h['https-paced'].ack.p99_ms <= 20 && h['https-paced'].failures === 0 : null,
    https_max_accepted_per_s: h['https-max']?.accepted_per_s ?? null,
    dc_met: Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith('dc-paced'))
      .map(([k, v]) => [k, v.ack.p99_ms <= 30 && v.unanswered === 0 && v.refused === 0])),
  };
} finally {
  await browser?.close().catch(() => null);
  await relay.stop();
  relay.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 2));
