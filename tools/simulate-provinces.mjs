// A morning's briefing on one machine: N simulated provincial offices against
// a running relay (see scripts/simulate-provinces for the options).
//
// Each office publishes pre-encoded 640x360 15 fps VP8 (or H.264) + Opus over
// WHIP in a loop (tools/whip-publish, a few processes each publishing a
// batch of provinces; nothing is encoded live). Optionally each also views
// /whep/program with its own token (tools/whep-view --no-decode),
// submits figures over POST /api/v1/reports, and the chair gives the floor to
// each office in turn. The first --speakers offices read a report aloud
// (espeak-ng speech from tools/make-test-media), the others' microphones
// hear a quiet room; every office sends the RFC 6464 level of each packet,
// measured once on its clip (whip-publish --audio-level), as browsers do, so
// the relay's active speaker follows the speakers.
//
// Live one-line summary on stderr every second; final JSON report on stdout.
// Exit status 1 when an office failed to publish or never went live (or a
// viewer failed). An office still joining, or live with no frame decoded
// yet, when --duration is up is given --join-timeout more seconds: a short
// run on a loaded machine is judged on whether the offices got there, not
// how fast.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, LOAD_GENERATOR_LIMITS, startRelay, request, sleep } from './lib/relay.mjs';
import { startPublisher, devTokensFile, MEDIA_DIR } from './lib/publisher.mjs';
import { startViewer } from './lib/viewer.mjs';
import { checkPlausibility } from '../web/figures-plausibility.js';

const USAGE = `usage: scripts/simulate-provinces [options]
  --base-url URL          running relay (default http://127.0.0.1:8080)
  --tokens-file FILE      [province CODE] / [viewer chair] token= (default var/dev-tokens.ini);
                          a [viewer] token also reads the relay's counters for the report
  --start-relay           start a throw-away relay (build/briefing-relay, temporary
                          config and data, its own dev tokens) instead of --base-url
  --count N               offices (default: all on the relay's roster, 76)
  --provinces A,B,...     these offices (default: the first --count of the roster)
  --codec vp8|h264        video codec (default vp8)
  --bitrate KBPS          video bitrate: pre-encodes the test clip once at this rate
                          into var/test-media (default: the stock clip, ~600)
  --duration S            seconds to run; 0 = until Ctrl-C (default 0)
  --join-timeout S        when the run ends, wait up to S more seconds for offices
                          that have not been live yet (default 60)
  --join-interval-ms MS   between two offices joining (default 100)
  --batch N               offices per publisher process (default 20)
  --drop-percent P        each publisher drops P % of its video RTP (NACK/RTX, PLI)
  --view-program          each office also views /whep/program with its token (one
                          whep-view process each, started once the offices are live)
  --program-viewers N     only the first N offices view the program (implies --view-program)
  --submit-figures S      each office submits figures every S seconds (HTTPS API)
  --take-floor-each S     the chair gives the floor to each live office in turn, S s each
  --speakers N            the first N offices speak (a report read aloud), the others send a
                          quiet room (default 1)
  --no-audio-level        send no RFC 6464 audio levels (the relay then measures the decoded
                          audio of the offices in the mix only)
  --nice N                nice level of the clients (default 10: the relay comes first)
  --quiet                 no live summary line`;

function parseArgs(argv) {
  const flags = new Set(['start-relay', 'view-program', 'quiet', 'help', 'no-audio-level']);
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${USAGE}`);
    const [k, inline] = a.slice(2).split(/=(.*)/s);
    if (flags.has(k)) out[k] = true;
    else if (inline !== undefined) out[k] = inline;
    else if (i + 1 < argv.length) out[k] = argv[++i];
    else throw new Error(`--${k} needs a value\n${USAGE}`);
  }
  return out;
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(e.message);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const known = ['base-url', 'tokens-file', 'start-relay', 'count', 'provinces', 'codec', 'bitrate', 'duration', 'join-timeout',
  'join-interval-ms', 'batch', 'drop-percent', 'view-program', 'program-viewers', 'submit-figures', 'take-floor-each', 'nice', 'quiet',
  'speakers', 'no-audio-level'];
for (const k of Object.keys(args)) {
  if (!known.includes(k)) {
    console.error(`unknown option --${k}\n${USAGE}`);
    process.exit(2);
  }
}
const codec = (args.codec ?? 'vp8').toLowerCase();
if (!['vp8', 'h264'].includes(codec)) {
  console.error('--codec must be vp8 or h264');
  process.exit(2);
}
const duration = Number(args.duration ?? 0);
const joinTimeout = Number(args['join-timeout'] ?? 60);
const joinIntervalMs = Number(args['join-interval-ms'] ?? 100);
const batchSize = Math.max(1, Number(args.batch ?? 20));
const dropPercent = Number(args['drop-percent'] ?? 0);
const figuresEvery = args['submit-figures'] !== undefined ? Number(args['submit-figures']) : 0;
const floorEach = args['take-floor-each'] !== undefined ? Number(args['take-floor-each']) : 0;
const niceLevel = Number(args.nice ?? 10);
const programViewers = args['program-viewers'] !== undefined ? Number(args['program-viewers'])
  : (args['view-program'] ? Infinity : 0);
const bitrate = args.bitrate !== undefined ? Number(args.bitrate) : 0;
const speakers = args.speakers !== undefined ? Number(args.speakers) : 1;
const audioLevel = !args['no-audio-level'];
for (const [k, v] of Object.entries({ duration, joinTimeout, joinIntervalMs, dropPercent, figuresEvery, floorEach, bitrate, speakers })) {
  if (!Number.isFinite(v) || v < 0) {
    console.error(`bad value for ${k}`);
    process.exit(2);
  }
}

const log = (msg) => process.stderr.write(`simulate-provinces: ${msg}\n`);

/* INI groups -> {group: {key: value}} (enough for the tokens file). */
function readIni(file) {
  const groups = {};
  let cur = null;
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const g = line.match(/^\[(.+)\]$/);
    if (g) {
      cur = groups[g[1]] ??= {};
    } else if (cur) {
      const kv = line.match(/^([^=]+?)\s*=\s*(.*)$/);
      if (kv) cur[kv[1]] = kv[2];
    }
  }
  return groups;
}

/* The clip at another bitrate: encoded once with the same picture, GOP and
 * frame count as tools/make-test-media, kept in var/test-media. Returns the
 * file name for --video-file. */
function clipAtBitrate(kbps) {
  const name = codec === 'vp8' ? `vp8-640x360-${kbps}k.ivf` : `h264-640x360-${kbps}k.h264`;
  const file = path.join(MEDIA_DIR, name);
  if (fs.existsSync(file) && fs.statSync(file).size > 0) return name;
  log(`encoding the test clip at ${kbps} kbit/s into ${file} (once)`);
  const src = 'videotestsrc pattern=smpte num-buffers=150 ! video/x-raw,width=640,height=360,framerate=15/1 ! mix. ' +
    'videotestsrc pattern=ball motion=wavy num-buffers=150 background-color=0x00000000 foreground-color=0xffff8000 ' +
    '! video/x-raw,format=BGRA,width=640,height=360,framerate=15/1 ! mix. ' +
    'compositor name=mix background=black ! video/x-raw,width=640,height=360,framerate=15/1 ' +
    '! videoconvert ! video/x-raw,format=I420';
  const enc = codec === 'vp8'
    ? `vp8enc deadline=1 end-usage=cbr target-bitrate=${kbps * 1000} keyframe-max-dist=30 error-resilient=default ` +
      'lag-in-frames=0 threads=2 cpu-used=4 ! avmux_ivf'
    : `x264enc bitrate=${kbps} key-int-max=30 tune=zerolatency sliced-threads=false speed-preset=veryfast aud=true ` +
      'byte-stream=true bframes=0 option-string=scenecut=0 ' +
      '! video/x-h264,profile=constrained-baseline,stream-format=byte-stream';
  const tmp = `${file}.part`;
  const r = spawnSync('gst-launch-1.0', ['-q', ...`${src} ! ${enc} ! filesink`.split(/\s+/), `location=${tmp}`],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`gst-launch-1.0 failed encoding ${file}`);
  if (codec === 'vp8') {
    // avmux_ivf writes a 1/90000 time base; whip-publish (ivfparse) wants
    // rate/scale = fps/1 and frame-counted timestamps, as vpxenc writes.
    const d = fs.readFileSync(tmp);
    const hdr = d.readUInt16LE(6);
    const rate = d.readUInt32LE(16);
    const scale = d.readUInt32LE(20);
    let off = hdr;
    let n = 0;
    while (off + 12 <= d.length) {
      const size = d.readUInt32LE(off);
      const pts = Number(d.readBigUInt64LE(off + 4));
      d.writeBigUInt64LE(BigInt(Math.round((pts * scale * 15) / rate)), off + 4);
      off += 12 + size;
      n++;
    }
    d.writeUInt32LE(15, 16);
    d.writeUInt32LE(1, 20);
    d.writeUInt32LE(n, 24);
    fs.writeFileSync(tmp, d);
  }
  fs.renameSync(tmp, file);
  return name;
}

/* Random values for the schema, within each field's soft bounds. */
function randomValues(schema, code, seq) {
  const values = {};
  for (const f of schema.fields) {
    const lo = Math.max(f.min ?? 0, f.warn_min ?? -Infinity);
    const hi = Math.min(f.max ?? lo + 500, f.warn_max ?? Infinity);
    switch (f.type) {
      case 'integer': values[f.name] = Math.ceil(lo) + Math.floor(Math.random() * (Math.floor(Math.min(hi, lo + 500)) - Math.ceil(lo) + 1)); break;
      case 'decimal':
      case 'percent': values[f.name] = +(lo + Math.random() * (Math.min(hi, lo + 100) - lo)).toFixed(2); break;
      case 'enum': values[f.name] = f.values[Math.floor(Math.random() * Math.min(2, f.values.length))]; break;
      case 'text': values[f.name] = `simulated ${code} #${seq}`.slice(0, f.max_length ?? 64); break;
      default: if (f.required) values[f.name] = lo;
    }
  }
  return values;
}

/* A valid figures message for the schema, with new values each time: drawn
 * again while they break a rule of severity error, and what they still
 * warn about confirmed, as an office that checked its figures does. */
function figuresMessage(schema, code, seq) {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' }).format(new Date());
  let values = randomValues(schema, code, seq);
  let found = checkPlausibility(schema, values);
  for (let i = 0; i < 100 && found.errors.length; i++) {
    values = randomValues(schema, code, seq);
    found = checkPlausibility(schema, values);
  }
  const message = { type: 'figures', id: `sim-${code}-${Date.now().toString(36)}-${seq}`, date, values };
  if (found.warnings.length) message.confirm_warnings = found.warnings.map((w) => w.code);
  return message;
}

// ---------------------------------------------------------------------------

let relay = null; // only with --start-relay
let baseUrl = (args['base-url'] ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
let tokensFile = path.resolve(args['tokens-file'] ?? path.join(REPO_ROOT, 'var', 'dev-tokens.ini'));
if (args['start-relay']) {
  relay = await startRelay({ extraConfig: { limits: LOAD_GENERATOR_LIMITS } });
  baseUrl = relay.url.replace(/\/$/, '');
  tokensFile = devTokensFile(relay);
  log(`started a relay at ${baseUrl} (log ${relay.logPath})`);
}

const api = async (p, opts = {}) => request(`${baseUrl}${p}`, opts);
let roster;
try {
  const r = await api('/api/v1/provinces');
  if (r.status !== 200) throw new Error(`status ${r.status}`);
  roster = r.json.provinces.map((p) => p.code);
} catch (e) {
  log(`no relay at ${baseUrl} (${e.message}): start one with scripts/run, or pass --base-url or --start-relay`);
  process.exit(1);
}
if (!fs.existsSync(tokensFile)) {
  log(`no tokens file ${tokensFile} (scripts/run writes var/dev-tokens.ini on its first start)`);
  await relay?.stop();
  process.exit(1);
}
const ini = readIni(tokensFile);
const tokenOf = (code) => ini[`province ${code}`]?.token;
const chairToken = ini['viewer chair']?.token;
// The relay shows its counters, join times and own figures (threads, RSS)
// to the viewer roles only (docs/API.md, "Status"): any [viewer] token.
const statusToken = chairToken
  ?? Object.entries(ini).find(([group, keys]) => group.startsWith('viewer ') && keys.token)?.[1].token;
const statusOpts = statusToken ? { headers: { Authorization: `Bearer ${statusToken}` } } : {};
if (!statusToken) log(`no [viewer] token in ${tokensFile}: the report lacks the relay's counters`);

let codes = args.provinces
  ? args.provinces.split(',').map((s) => s.trim()).filter(Boolean)
  : roster.slice(0, args.count !== undefined ? Number(args.count) : roster.length);
const unknown = codes.filter((c) => !roster.includes(c));
const tokenless = codes.filter((c) => !tokenOf(c));
if (unknown.length || tokenless.length || codes.length === 0) {
  if (unknown.length) log(`not on the relay's roster: ${unknown.join(',')}`);
  if (tokenless.length) log(`no token in ${tokensFile} for: ${tokenless.join(',')}`);
  if (codes.length === 0) log('no offices to simulate');
  await relay?.stop();
  process.exit(2);
}
if (floorEach && !chairToken) {
  log(`--take-floor-each needs a [viewer chair] token in ${tokensFile}`);
  await relay?.stop();
  process.exit(2);
}
let figuresSchema = null;
if (figuresEvery) figuresSchema = (await api('/api/v1/figures/schema')).json;
const videoFile = bitrate ? clipAtBitrate(Math.round(bitrate)) : undefined;

const startedAt = Date.now();
const elapsed = () => (Date.now() - startedAt) / 1000;
const state = Object.fromEntries(codes.map((c) => [c, {
  publisher: null, answered_ms: null, connected_ms: null, failed: null, pacer_lag: 0, keyframe_requests: 0,
}]));
const fakeRelay = { url: `${baseUrl}/` };
const publishers = [];
const viewers = [];
const figures = { submitted: 0, accepted: 0, refused: 0, errors: [], ack_ms: [] };
const floorTurns = [];
let relayStatus = {};
let stopping = false;
// Offices the relay has reported live at least once during the run.
const everLive = new Set();

// Publishers: one process per batch (the speakers' first: a process sends
// one audio clip); the batches start one after the other so that offices
// join --join-interval-ms apart overall.
const SPEECH = 'opus-speech.ogg';
const ROOM = 'opus-room.ogg';
const batches = [];
const speaking = codes.slice(0, Math.min(speakers, codes.length));
for (let i = 0; i < speaking.length; i += batchSize) batches.push({ codes: speaking.slice(i, i + batchSize), audio: SPEECH });
for (let i = speaking.length; i < codes.length; i += batchSize) batches.push({ codes: codes.slice(i, i + batchSize), audio: ROOM });
const speakerChanges = [];
const publisherDone = (async () => {
  for (const [bi, { codes: batch, audio }] of batches.entries()) {
    if (stopping) return;
    const pub = startPublisher(fakeRelay, batch, {
      codec, tokensFile, duration: 0, audioFile: audio, audioLevel,
      joinIntervalMs: joinIntervalMs || undefined, deleteOnExit: true, dropPercent, videoFile, nice: niceLevel,
    });
    pub.batch = bi;
    publishers.push(pub);
    let seen = 0;
    const timer = setInterval(() => {
      for (; seen < pub.events.length; seen++) {
        const e = pub.events[seen];
        const s = state[e.province];
        if (!s) continue;
        if (e.event === 'answered') s.answered_ms = e.ms ?? e.t_ms;
        else if (e.event === 'connected') s.connected_ms = e.ms ?? e.t_ms;
        else if (e.event === 'pacer-lag') s.pacer_lag++;
        else if (e.event === 'keyframe-request') s.keyframe_requests++;
        else if (e.event === 'error' && e.stage !== 'delete') s.failed ??= `${e.stage}: ${e.status ?? ''} ${e.message ?? e.body ?? ''}`.trim();
        else if (e.event === 'ice-state' && e.state === 'failed') s.failed ??= 'ice failed';
      }
    }, 200);
    pub.exited.then(({ code, signal }) => {
      clearInterval(timer);
      for (; seen < pub.events.length; seen++) {
        const e = pub.events[seen];
        if (e.event === 'error' && e.stage !== 'delete' && state[e.province]) state[e.province].failed ??= `${e.stage}: ${e.message ?? e.status ?? ''}`;
      }
      pub.exit = { code, signal };
      if (code !== 0 && !stopping && !(duration && elapsed() >= duration - 1)) {
        for (const c of batch) if (!state[c].connected_ms) state[c].failed ??= `publisher exited ${code ?? signal}`;
      }
    });
    for (const c of batch) state[c].publisher = bi;
    await sleep(batch.length * Math.max(joinIntervalMs, 20));
  }
})();

// Program viewers (one process each: each office's own token).
if (programViewers) {
  (async () => {
    // After the offices' joins (and at most 30 s): the viewers' own joins
    // would otherwise compete with theirs for a small machine's CPU.
    await publisherDone;
    const t0 = Date.now();
    while (!stopping && Date.now() - t0 < 30000 && counts().joining > 0) await sleep(500);
    for (const c of codes.slice(0, programViewers)) {
      if (stopping) return;
      const v = startViewer(`${baseUrl}/whep/program`, tokenOf(c), { noDecode: true, nice: niceLevel, duration: 0 });
      v.code = c;
      v.startedAt = Date.now();
      viewers.push(v);
      await sleep(Math.max(joinIntervalMs, 20));
    }
  })();
}

// Figures: each office every figuresEvery seconds, spread over the period.
const timers = [];
if (figuresEvery) {
  codes.forEach((c, i) => {
    let seq = 0;
    const submit = async () => {
      if (stopping) return;
      const msg = figuresMessage(figuresSchema, c, ++seq);
      const t0 = Date.now();
      figures.submitted++;
      try {
        const r = await api('/api/v1/reports', {
          method: 'POST',
          headers: { Authorization: `Bearer ${tokenOf(c)}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(msg),
        });
        if (r.status === 200 || r.status === 201) {
          figures.accepted++;
          figures.ack_ms.push(Date.now() - t0);
        } else {
          figures.refused++;
          if (figures.errors.length < 5) figures.errors.push({ province: c, status: r.status, body: r.json ?? r.text });
        }
      } catch (e) {
        figures.refused++;
        if (figures.errors.length < 5) figures.errors.push({ province: c, message: e.message });
      }
    };
    const first = setTimeout(() => {
      submit();
      timers.push(setInterval(submit, figuresEvery * 1000));
    }, 2000 + (i * figuresEvery * 1000) / codes.length);
    timers.push(first);
  });
}

// The floor: to each live office in turn.
const floorDone = floorEach ? (async () => {
  await sleep(2000);
  let i = 0;
  while (!stopping) {
    const live = codes.filter((c) => relayStatus[c] === 'live');
    if (live.length === 0) {
      await sleep(500);
      continue;
    }
    const c = live[i++ % live.length];
    const r = await api('/api/v1/conference/floor', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${chairToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ province: c }),
    }).catch((e) => ({ status: 0, text: e.message }));
    floorTurns.push({ province: c, at_s: +elapsed().toFixed(1), status: r.status });
    const until = Date.now() + floorEach * 1000;
    while (!stopping && Date.now() < until) await sleep(200);
  }
  await api('/api/v1/conference/floor', { method: 'DELETE', headers: { Authorization: `Bearer ${chairToken}` } })
    .catch(() => {});
})() : null;

// Status once a second; the live line.
let health = null;
let provincesNow = [];
const tty = process.stderr.isTTY;
const counts = () => {
  let live = 0; let joining = 0; let failed = 0; let lost = 0;
  for (const c of codes) {
    const s = state[c];
    const st = relayStatus[c];
    if (st === 'live') live++;
    else if (s.failed) failed++;
    else if (st === 'lost') lost++;
    else if (s.publisher !== null) joining++;
  }
  return { live, joining, failed, lost };
};
async function poll() {
  try {
    const [h, p, o] = await Promise.all([api('/api/v1/health', statusOpts), api('/api/v1/provinces', statusOpts),
      api('/api/v1/outputs')]);
    health = h.json;
    provincesNow = p.json.provinces;
    const speaker = o.json?.active_speaker ?? null;
    if (speaker !== (speakerChanges.at(-1)?.participant ?? null)) {
      speakerChanges.push({ participant: speaker, at_s: +elapsed().toFixed(1) });
    }
    relayStatus = Object.fromEntries(provincesNow.map((x) => [x.code, x.state]));
    for (const c of codes) if (relayStatus[c] === 'live') everLive.add(c);
  } catch (e) {
    health = { error: e.message };
  }
  if (args.quiet) return;
  const n = counts();
  let line = `t=${elapsed().toFixed(0).padStart(4)}s offices ${codes.length}: live ${n.live} joining ${n.joining} failed ${n.failed}`;
  if (n.lost) line += ` lost ${n.lost}`;
  if (health?.provinces) line += ` | relay live ${health.provinces.live} threads ${health.threads} rss ${Math.round((health.max_rss_kib ?? 0) / 1024)}MiB`;
  if (viewers.length) {
    const watching = viewers.filter((v) => v.events.some((e) => e.event === 'first-frame' && e.media === 'video')).length;
    line += ` | program ${watching}/${viewers.length}`;
  }
  if (figuresEvery) line += ` | figures ${figures.accepted} ok ${figures.refused} refused`;
  if (floorEach && floorTurns.length) line += ` | floor ${floorTurns[floorTurns.length - 1].province}`;
  const speakerNow = speakerChanges.at(-1)?.participant;
  if (speakerNow) line += ` | speaking ${speakerNow}`;
  process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
}
const poller = setInterval(poll, 1000);

// Run until --duration, Ctrl-C or every publisher gone.
const endedBy = await new Promise((resolve) => {
  process.once('SIGINT', () => resolve('signal'));
  process.once('SIGTERM', () => resolve('signal'));
  if (duration) setTimeout(() => resolve('duration'), duration * 1000);
  publisherDone.then(async () => {
    await Promise.all(publishers.map((p) => p.exited));
    resolve('publishers');
  });
});
await poll();
// Offices still on their way get --join-timeout more seconds (not after
// Ctrl-C: the user wants out): not live yet, or live with no picture the
// relay has decoded yet (on a loaded machine the first frame can come
// after a short --duration; the report judges whether it came, not when).
const decoded = (c) => {
  const video = provincesNow?.find((p) => p.code === c)?.video;
  // Without a viewer's token there is no frame count: a frame rate shows decoding too.
  return (video?.frames_decoded ?? (video?.fps > 0 ? 1 : 0)) > 0;
};
const pending = () => codes.filter((c) => !state[c].failed
  && (!everLive.has(c) || (relayStatus?.[c] === 'live' && !decoded(c))));
if (endedBy === 'duration' && pending().length) {
  log(`waiting up to ${joinTimeout} s for ${pending().length} office(s) not live or not decoded yet: ${pending().join(',')}`);
  const until = Date.now() + joinTimeout * 1000;
  // The poller keeps reading the relay's status meanwhile.
  while (pending().length && Date.now() < until) await sleep(500);
  await poll();
}
if (tty && !args.quiet) process.stderr.write('\n');
stopping = true;
clearInterval(poller);
timers.forEach((t) => { clearTimeout(t); clearInterval(t); });
const finalCounts = counts();
const finalProvinces = Object.fromEntries(provincesNow.map((p) => [p.code, p]));
const finalHealth = health;

await floorDone;
const viewerResults = await Promise.all(viewers.map(async (v) => {
  const endedAt = Date.now();
  await v.finish().catch(() => ({}));
  const st = v.lastStats();
  // whep-view reports "0 decoded video frames" as a media error when it
  // stops: that is judged by the 20 s rule below, not as an error.
  const error = v.events.find((e) => e.event === 'error' && e.stage !== 'delete' && e.stage !== 'media');
  const frames = st?.video_frames ?? 0;
  // Failed: an error, or no picture after 20 s (a short run under load may
  // end before the first frame: that is not a failure).
  const ok = !error && (frames > 0 || endedAt - v.startedAt < 20000);
  return { province: v.code, ok, video_frames: frames, audio_frames: st?.audio_frames ?? 0, error: error ?? null };
}));
await Promise.all(publishers.map((p) => p.stop()));
if (relay) await relay.stop().catch((e) => log(e.message));

const sum = (k) => codes.reduce((s, c) => s + (finalProvinces[c]?.video?.[k] ?? 0), 0);
const joins = codes.map((c) => finalProvinces[c]?.join_ms).filter((x) => typeof x === 'number').sort((a, b) => a - b);
const pct = (a, p) => (a.length ? a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] : null);
const acks = figures.ack_ms.sort((a, b) => a - b);
const report = {
  tool: 'simulate-provinces',
  date: new Date().toISOString(),
  base_url: baseUrl,
  host_cores: os.cpus().length,
  offices: codes.length,
  codec,
  bitrate_kbps: bitrate || null,
  video_file: videoFile ?? (codec === 'vp8' ? 'vp8-640x360.ivf' : 'h264-640x360.h264'),
  duration_s: +elapsed().toFixed(1),
  join_interval_ms: joinIntervalMs,
  drop_percent: dropPercent,
  publisher_processes: publishers.length,
  at_end: finalCounts,
  ever_live: everLive.size,
  never_live: codes.filter((c) => !everLive.has(c)),
  join_ms: { p50: pct(joins, 50), p95: pct(joins, 95), max: joins[joins.length - 1] ?? null, n: joins.length },
  video_totals: {
    packets_received: sum('packets_received'), packets_lost: sum('packets_lost'),
    retransmissions_received: sum('retransmissions_received'), nacks_sent: sum('nacks_sent'),
    plis_sent: sum('plis_sent'), frames_decoded: sum('frames_decoded'),
  },
  pacer_lag_events: codes.reduce((s, c) => s + state[c].pacer_lag, 0),
  relay_health: finalHealth,
  program_viewers: programViewers ? {
    started: viewerResults.length, ok: viewerResults.filter((v) => v.ok).length,
    receiving: viewerResults.filter((v) => v.video_frames > 0).length,
    failed: viewerResults.filter((v) => !v.ok).map((v) => ({ province: v.province, error: v.error })),
  } : null,
  figures: figuresEvery ? {
    every_s: figuresEvery, submitted: figures.submitted, accepted: figures.accepted, refused: figures.refused,
    ack_ms: { p50: pct(acks, 50), p99: pct(acks, 99) }, first_errors: figures.errors,
  } : null,
  floor: floorEach ? { each_s: floorEach, turns: floorTurns } : null,
  // Who the relay named the active speaker, as polled once a second.
  audio: { speakers: speaking, audio_level: audioLevel, active_speaker_changes: speakerChanges },
  failed: codes.filter((c) => state[c].failed && finalProvinces[c]?.state !== 'live').map((c) => ({ province: c, reason: state[c].failed })),
  offices_detail: codes.map((c) => {
    const p = finalProvinces[c] ?? {};
    return {
      code: c, state: p.state ?? null, ever_live: everLive.has(c), frames_decoded: p.video?.frames_decoded ?? null,
      join_ms: p.join_ms ?? null, publisher: state[c].publisher,
      answered_ms: state[c].answered_ms, connected_ms: state[c].connected_ms,
      fps: p.video?.fps ?? null, bitrate_kbps: p.video?.bitrate_kbps ?? null,
      packets_lost: p.video?.packets_lost ?? null, nacks_sent: p.video?.nacks_sent ?? null,
      retransmissions_received: p.video?.retransmissions_received ?? null, plis_sent: p.video?.plis_sent ?? null,
      failed: state[c].failed,
    };
  }),
};
console.log(JSON.stringify(report, null, 2));
// Every office must have gone live: one still "joining" never published.
const ok = report.failed.length === 0 && report.never_live.length === 0 &&
  (!report.program_viewers || report.program_viewers.ok === report.program_viewers.started) &&
  (!report.figures || report.figures.refused === 0);
process.exit(ok ? 0 : 1);
