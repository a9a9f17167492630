// Janus for bench/compare-janus: start the Debian package's janus on
// loopback with our own configuration (bench/janus/*.jcfg.in), a small
// client for its JSON API over HTTP, and a WHIP/WHEP shim in front of the
// VideoRoom plugin so that the very same webrtcbin test peers
// (tools/whip-publish, tools/whep-view) drive Janus and our relay.
//
//   const janus = await startJanus();            // { url, pid, stop() }
//   const shim = await startVideoRoomShim(janus); // { url, stop() }
//   whip-publish --base-url shim.url ...          // POST /whip/<code>
//   whep-view --server-offer --url shim.url/whep/province/<code>
//
// Janus 1.1 has no WHIP/WHEP of its own. Publishing maps one to one:
// the WHIP offer goes to VideoRoom "publish" and Janus's answer is the 201
// body. VideoRoom subscribers, though, always get an offer from Janus, so
// the shim speaks the early WHEP drafts' server-offer mode: an empty POST
// returns Janus's offer (201), and the viewer PATCHes its answer, which
// becomes VideoRoom "start". Neither side trickles: both SDPs carry every
// candidate, exactly as with our relay. The shim's own cost (a few HTTP
// requests per peer, during set-up only) is in the Node process, not in
// Janus's figures; its latency is inside Janus's join time.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LIBDIR = '/usr/lib/x86_64-linux-gnu/janus';
export const JANUS_BIN = '/usr/bin/janus';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function janusVersion() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'janus'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function fill(template, vars) {
  return fs.readFileSync(path.join(HERE, template), 'utf8')
    .replace(/@([A-Z_]+)@/g, (_, k) => String(vars[k]));
}

/** Starts janus with our config in a temp dir; resolves once its HTTP API answers. */
export async function startJanus({ nice = 0 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-janus-'));
  for (const sub of ['plugins', 'transports', 'events', 'loggers']) fs.mkdirSync(path.join(dir, sub));
  fs.symlinkSync(`${LIBDIR}/plugins/libjanus_videoroom.so`, path.join(dir, 'plugins', 'libjanus_videoroom.so'));
  fs.symlinkSync(`${LIBDIR}/plugins/libjanus_audiobridge.so`, path.join(dir, 'plugins', 'libjanus_audiobridge.so'));
  fs.symlinkSync(`${LIBDIR}/transports/libjanus_http.so`, path.join(dir, 'transports', 'libjanus_http.so'));
  const httpPort = await freePort();
  const base = 20000 + Math.floor(Math.random() * 20) * 1000;
  // BENCH_JANUS_DEBUG_LEVEL=<0-7>: Janus's log level (default 2; debugging).
  const debugLevel = Number(process.env.BENCH_JANUS_DEBUG_LEVEL ?? 2);
  const vars = { DIR: dir, HTTP_PORT: httpPort, RTP_PORTS: `${base}-${base + 999}`, DEBUG_LEVEL: debugLevel };
  fs.writeFileSync(path.join(dir, 'janus.jcfg'), fill('janus.jcfg.in', vars));
  fs.writeFileSync(path.join(dir, 'janus.transport.http.jcfg'), fill('janus.transport.http.jcfg.in', vars));
  fs.writeFileSync(path.join(dir, 'janus.plugin.videoroom.jcfg'), fill('janus.plugin.videoroom.jcfg.in', vars));
  fs.writeFileSync(path.join(dir, 'janus.plugin.audiobridge.jcfg'), fill('janus.plugin.audiobridge.jcfg.in', vars));
  const logPath = path.join(dir, 'janus.log');
  const log = fs.openSync(logPath, 'a');
  const args = ['-C', path.join(dir, 'janus.jcfg'), '-F', dir, '-o'];
  const child = nice
    ? spawn('nice', ['-n', String(nice), JANUS_BIN, ...args], { stdio: ['ignore', log, log] })
    : spawn(JANUS_BIN, args, { stdio: ['ignore', log, log] });
  process.on('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const url = `http://127.0.0.1:${httpPort}/janus`;
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`${url}/info`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (child.exitCode !== null || Date.now() - t0 > 20000) {
      child.kill('SIGKILL');
      throw new Error(`janus did not start; log ${logPath}:\n${fs.readFileSync(logPath, 'utf8').slice(-3000)}`);
    }
    await sleep(200);
  }
  return {
    url, pid: child.pid, dir, logPath, process: child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 8000);
        await exited;
        clearTimeout(t);
      }
      fs.closeSync(log);
      if (!process.env.BRIEFING_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let txn = 0;
const nextTxn = () => `t${++txn}`;

async function post(url, body) {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return r.json();
}

/** One Janus session with a long-poll loop; handles share it. */
export class JanusSession {
  static async create(url) {
    const r = await post(url, { janus: 'create', transaction: nextTxn() });
    if (r.janus !== 'success') throw new Error(`janus create: ${JSON.stringify(r)}`);
    const s = new JanusSession(url, r.data.id);
    s.poll();
    return s;
  }

  constructor(url, id) {
    this.url = url;
    this.id = id;
    this.pending = new Map(); // transaction -> resolve
    this.closed = false;
  }

  async poll() {
    while (!this.closed) {
      try {
        const r = await fetch(`${this.url}/${this.id}?maxev=100&rid=${Date.now()}`);
        const evs = await r.json();
        for (const ev of Array.isArray(evs) ? evs : [evs]) {
          if (ev.transaction && this.pending.has(ev.transaction) && ev.janus !== 'ack') {
            const resolve = this.pending.get(ev.transaction);
            this.pending.delete(ev.transaction);
            resolve(ev);
          }
        }
      } catch (e) {
        if (!this.closed) await sleep(100);
      }
    }
  }

  async attach(plugin) {
    const r = await post(`${this.url}/${this.id}`, { janus: 'attach', plugin, transaction: nextTxn() });
    if (r.janus !== 'success') throw new Error(`janus attach: ${JSON.stringify(r)}`);
    return r.data.id;
  }

  /** A plugin message; resolves with the synchronous reply or the async event. */
  async message(handle, body, jsep, { timeoutMs = 20000 } = {}) {
    const transaction = nextTxn();
    const waiter = new Promise((resolve, reject) => {
      this.pending.set(transaction, resolve);
      setTimeout(() => {
        if (this.pending.delete(transaction)) reject(new Error(`janus ${body.request}: no event in ${timeoutMs} ms`));
      }, timeoutMs).unref();
    });
    const msg = { janus: 'message', transaction, body };
    if (jsep) msg.jsep = jsep;
    const r = await post(`${this.url}/${this.id}/${handle}`, msg);
    if (r.janus === 'ack') return waiter;
    this.pending.delete(transaction);
    if (r.janus !== 'success') throw new Error(`janus ${body.request}: ${JSON.stringify(r)}`);
    return r;
  }

  async trickleDone(handle) {
    await post(`${this.url}/${this.id}/${handle}`, { janus: 'trickle', candidate: { completed: true }, transaction: nextTxn() });
  }

  async detach(handle) {
    try {
      await post(`${this.url}/${this.id}/${handle}`, { janus: 'detach', transaction: nextTxn() });
    } catch { /* gone */ }
  }

  async destroy() {
    this.closed = true;
    try {
      await post(`${this.url}/${this.id}`, { janus: 'destroy', transaction: nextTxn() });
    } catch { /* gone */ }
  }
}

// BENCH_JANUS_SDP_DIR=<dir>: keep every publisher's and subscriber's offer and answer (debugging).
function dumpSdp(name, sdp) {
  if (process.env.BENCH_JANUS_SDP_DIR) fs.writeFileSync(path.join(process.env.BENCH_JANUS_SDP_DIR, name), sdp);
}

/**
 * Janus 1.1 ties an incoming RTP packet to an m-line only by an SSRC listed
 * in the offer (a=ssrc) or by the mid header extension (src/ice.c,
 * janus_ice_cb_nice_recv); anything else is dropped ("Unknown SSRC,
 * dropping packet"), for good. whip-publish's webrtcbin lists the video
 * SSRC only when the payloader's caps reached webrtcbin before
 * create-offer, which a loaded machine sometimes loses (1-4 of 32
 * publishers at N = 32), and it never sends the mid extension. Such a
 * publisher would connect, Janus would forward its audio and never its
 * video. Returns the m-lines (media names) Janus could not demux.
 */
export function undemuxableSections(sdp) {
  return sdp.split(/\r?\n(?=m=)/).slice(1)
    .filter((sec) => /^m=(audio|video) /.test(sec)
      // port 0 is a rejected m-line unless it is bundle-only (webrtcbin's max-bundle)
      && (/^m=\S+ [1-9]/.test(sec) || /^a=bundle-only/m.test(sec))
      && !/^a=inactive/m.test(sec) && !/^a=ssrc:/m.test(sec)
      && !/^a=extmap:\d+(\/\w+)? urn:ietf:params:rtp-hdrext:sdes:mid/m.test(sec))
    .map((sec) => sec.slice(2, sec.indexOf(' ')));
}

const pluginData = (ev) => ev?.plugindata?.data ?? {};

function checkPlugin(ev, what) {
  const d = pluginData(ev);
  if (d.error || ev.janus === 'error') throw new Error(`${what}: ${JSON.stringify(d.error ?? ev.error)}`);
  return d;
}

/**
 * The WHIP/WHEP shim in front of VideoRoom:
 *   POST   /whip/<code>                 body: offer     -> 201 answer
 *   POST   /whep/province/<code>        empty           -> 201 Janus's offer
 *   PATCH  /res/<n>                     body: answer    -> 204
 *   DELETE /res/<n>                                     -> 200
 */
export async function startVideoRoomShim(janus, { room = 4242, publishers = 200 } = {}) {
  const session = await JanusSession.create(janus.url);
  const admin = await session.attach('janus.plugin.videoroom');
  checkPlugin(await session.message(admin, {
    request: 'create', room, publishers, videocodec: 'vp8', audiocodec: 'opus',
    bitrate: 0, fir_freq: 0, notify_joining: false, permanent: false, audiolevel_event: false,
  }), 'videoroom create');
  const feeds = new Map(); // code -> feed id
  const resources = new Map(); // n -> { handle, kind }
  const refused = []; // codes whose offer Janus could not have demuxed
  let nextRes = 0;

  async function readBody(req) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  }

  const server = http.createServer(async (req, res) => {
    const fail = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(`${text}\n`);
    };
    try {
      const u = new URL(req.url, 'http://x');
      let m;
      if (req.method === 'POST' && (m = u.pathname.match(/^\/whip\/([A-Za-z0-9-]+)$/))) {
        const code = m[1];
        const offer = await readBody(req);
        const blind = undemuxableSections(offer);
        if (blind.length) {
          // Refused before Janus sees it: the bench publishes this
          // province again (bench/compare-janus.mjs, republishRefused).
          refused.push(code);
          res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '0' });
          res.end(`offer has no a=ssrc (nor mid extension) for ${blind.join(', ')}: Janus would drop that media\n`);
          return;
        }
        const handle = await session.attach('janus.plugin.videoroom');
        const joined = checkPlugin(await session.message(handle,
          { request: 'join', ptype: 'publisher', room, display: code }), 'join publisher');
        const ev = await session.message(handle, { request: 'publish', audiocodec: 'opus', videocodec: 'vp8' },
          { type: 'offer', sdp: offer, trickle: false });
        checkPlugin(ev, 'publish');
        if (!ev.jsep) throw new Error('publish: no answer from Janus');
        feeds.set(code, joined.id);
        const n = ++nextRes;
        dumpSdp(`pub-${n}-${code}-offer.sdp`, offer);
        dumpSdp(`pub-${n}-${code}-answer.sdp`, ev.jsep.sdp);
        resources.set(n, { handle, kind: 'publisher', code });
        res.writeHead(201, { 'Content-Type': 'application/sdp', Location: `/res/${n}` });
        res.end(ev.jsep.sdp);
      } else if (req.method === 'POST' && (m = u.pathname.match(/^\/whep\/province\/([A-Za-z0-9-]+)$/))) {
        await readBody(req);
        const feed = feeds.get(m[1]);
        if (!feed) return fail(404, `no publisher ${m[1]}`);
        const handle = await session.attach('janus.plugin.videoroom');
        const ev = await session.message(handle,
          { request: 'join', ptype: 'subscriber', room, streams: [{ feed }] });
        checkPlugin(ev, 'join subscriber');
        if (!ev.jsep) throw new Error('join subscriber: no offer from Janus');
        const n = ++nextRes;
        resources.set(n, { handle, kind: 'subscriber' });
        dumpSdp(`sub-${n}-${m[1]}-offer.sdp`, ev.jsep.sdp);
        res.writeHead(201, { 'Content-Type': 'application/sdp', Location: `/res/${n}` });
        res.end(ev.jsep.sdp);
      } else if ((m = u.pathname.match(/^\/res\/(\d+)$/)) && resources.has(Number(m[1]))) {
        const r = resources.get(Number(m[1]));
        if (req.method === 'PATCH') {
          const answer = await readBody(req);
          dumpSdp(`sub-${m[1]}-answer.sdp`, answer);
          checkPlugin(await session.message(r.handle, { request: 'start' },
            { type: 'answer', sdp: answer, trickle: false }), 'start');
          await session.trickleDone(r.handle);
          res.writeHead(204);
          res.end();
        } else if (req.method === 'DELETE') {
          resources.delete(Number(m[1]));
          if (r.kind === 'publisher') feeds.delete(r.code);
          await session.message(r.handle, { request: 'leave' }).catch(() => {});
          await session.detach(r.handle);
          res.writeHead(200);
          res.end();
        } else fail(405, 'method not allowed');
      } else fail(404, 'not found');
    } catch (e) {
      fail(500, e.message);
    }
  });
  server.keepAliveTimeout = 60000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    feeds,
    refused,
    async stop() {
      server.close();
      server.closeAllConnections?.();
      await session.message(admin, { request: 'destroy', room }).catch(() => {});
      await session.destroy();
    },
  };
}

/**
 * AudioBridge answers the publisher's video m-line with port 0 and no ICE
 * attributes; webrtcbin (GStreamer 1.22) refuses an answer whose m-lines
 * lack ice-ufrag even when rejected, so copy the audio section's ICE and
 * DTLS attributes into them. The video stays rejected (port 0).
 */
function fillRejectedSections(sdp) {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const parts = sdp.split(/\r?\n(?=m=)/);
  const live = parts.find((p) => /^m=\S+ [1-9]/.test(p));
  if (!live) return sdp;
  const copy = live.split(/\r?\n/).filter((l) => /^a=(ice-ufrag|ice-pwd|fingerprint|setup):/.test(l));
  return parts.map((p) => {
    if (!/^m=\S+ 0 /.test(p) || /a=ice-ufrag:/.test(p)) return p;
    const lines = p.replace(/\r?\n$/, '').split(/\r?\n/);
    return [...lines, ...copy].join(eol);
  }).join(eol).replace(/(\r?\n)?$/, eol);
}

/**
 * The WHIP shim in front of AudioBridge: POST /whip/<code> joins the room
 * (muted) with the publisher's offer (Janus answers its video m-line with
 * port 0: AudioBridge takes audio only); setMuted(false) unmutes everyone,
 * as our chair does with PUT /api/v1/conference/participants/<code>.
 */
export async function startAudioBridgeShim(janus, { room = 4343 } = {}) {
  const session = await JanusSession.create(janus.url);
  const admin = await session.attach('janus.plugin.audiobridge');
  checkPlugin(await session.message(admin, {
    request: 'create', room, sampling_rate: 48000, audiolevel_event: false, permanent: false,
  }), 'audiobridge create');
  const participants = new Map(); // code -> handle
  const resources = new Map();
  let nextRes = 0;
  const server = http.createServer(async (req, res) => {
    const fail = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(`${text}\n`);
    };
    try {
      const u = new URL(req.url, 'http://x');
      let m;
      if (req.method === 'POST' && (m = u.pathname.match(/^\/whip\/([A-Za-z0-9-]+)$/))) {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const offer = Buffer.concat(chunks).toString('utf8');
        const handle = await session.attach('janus.plugin.audiobridge');
        const ev = await session.message(handle, { request: 'join', room, display: m[1], muted: true, codec: 'opus' },
          { type: 'offer', sdp: offer, trickle: false });
        checkPlugin(ev, 'audiobridge join');
        if (!ev.jsep) throw new Error('audiobridge join: no answer from Janus');
        participants.set(m[1], handle);
        ev.jsep.sdp = fillRejectedSections(ev.jsep.sdp);
        const n = ++nextRes;
        resources.set(n, { handle, code: m[1] });
        res.writeHead(201, { 'Content-Type': 'application/sdp', Location: `/res/${n}` });
        res.end(ev.jsep.sdp);
      } else if (req.method === 'DELETE' && (m = u.pathname.match(/^\/res\/(\d+)$/)) && resources.has(Number(m[1]))) {
        const r = resources.get(Number(m[1]));
        resources.delete(Number(m[1]));
        participants.delete(r.code);
        await session.message(r.handle, { request: 'leave' }).catch(() => {});
        await session.detach(r.handle);
        res.writeHead(200);
        res.end();
      } else fail(404, 'not found');
    } catch (e) {
      fail(500, e.message);
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    participants,
    async setMuted(muted) {
      await Promise.all([...participants.values()].map(async (h) =>
        checkPlugin(await session.message(h, { request: 'configure', muted }), 'audiobridge configure')));
    },
    async stop() {
      server.close();
      server.closeAllConnections?.();
      await session.message(admin, { request: 'destroy', room }).catch(() => {});
      await session.destroy();
    },
  };
}
