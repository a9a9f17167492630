// What an HTTP client may cost the relay (docs/API.md, "Limits"), over raw
// sockets against the real relay: request bodies capped while they are read
// (declared or chunked, before any token is looked at, and without the
// relay keeping the refused body), connections capped in all and per client
// address, connections that keep the relay waiting closed, no connection
// left open after its answer, and the relay serving everyone else through
// all of it.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startRelay, getJson, waitFor } from '../../tools/lib/relay.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

const OFFICE = 'chiang-mai-token';
const CHAIR = 'chair-limits-token';
const MiB = 1024 * 1024;
// Bounds for a relay that does not do what is asked, not speeds: on a
// loaded machine an answer can take seconds.
const ANSWER_MS = 120000; // generous: an ASan relay on a loaded machine is slow over TLS
const CLOSE_MS = 60000;

function relayConfig(http) {
  return {
    provinces: { 'TH-50': OFFICE },
    extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR }, http },
  };
}

/** A raw connection to the relay: what it received, and its close. */
function open(relay, { localAddress } = {}) {
  const url = new URL(relay.url);
  const options = { host: url.hostname, port: Number(url.port), localAddress };
  const secure = url.protocol === 'https:';
  const socket = secure ? tls.connect({ ...options, rejectUnauthorized: false })
    : net.connect(options);
  const conn = { socket, data: Buffer.alloc(0), error: null };
  socket.on('data', (chunk) => { conn.data = Buffer.concat([conn.data, chunk]); });
  socket.on('error', (e) => { conn.error = e; });
  conn.connected = new Promise((resolve, reject) => {
    socket.once(secure ? 'secureConnect' : 'connect', resolve);
    socket.once('error', reject);
  });
  // A refused connection may fail before it is up: that is awaited, or not.
  conn.connected.catch(() => {});
  conn.closed = new Promise((resolve) => socket.once('close', resolve));
  return conn;
}

function within(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The answer in `data`, once complete: {status, headers, json}. */
function parseAnswer(data) {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = text.slice(0, end).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  const length = Number(headers['content-length'] ?? 0);
  if (body.length < length) return null;
  let json = null;
  try {
    json = JSON.parse(body.subarray(0, length).toString('utf8'));
  } catch {
    json = null;
  }
  return { status, headers, json };
}

async function answerOf(conn, what) {
  return within(waitFor(() => parseAnswer(conn.data), {
    timeoutMs: ANSWER_MS + 5000, intervalMs: 50, describe: what,
  }), ANSWER_MS, what);
}

function requestHead(method, target, headers) {
  return `${method} ${target} HTTP/1.1\r\nHost: relay\r\n${
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/** A normal request from `localAddress`: its status (the relay keeps
 * serving). */
function healthStatus(relay, localAddress = '127.0.0.1') {
  const url = new URL('api/v1/health', relay.url);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { localAddress, rejectUnauthorized: false, agent: false, timeout: ANSWER_MS },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
    req.on('timeout', () => req.destroy(new Error('no answer to GET /api/v1/health')));
    req.on('error', reject);
  });
}

function procStatus(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

/** Sockets the process holds open. */
function openSockets(pid) {
  let n = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

/**
 * Sends a chunked body of `total` bytes, 64 KiB a chunk, as fast as the
 * connection takes it, until it is all sent or the connection is gone.
 * Returns what was handed to the socket.
 */
async function pushChunked(conn, total) {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  let gone = false;
  conn.closed.then(() => { gone = true; });
  let sent = 0;
  while (sent < total && !gone && !conn.socket.destroyed) {
    sent += chunk.length;
    if (!conn.socket.write(frame)) {
      await Promise.race([once(conn.socket, 'drain').catch(() => {}), conn.closed]);
    }
  }
  if (!gone && !conn.socket.destroyed) conn.socket.write('0\r\n\r\n');
  return sent;
}

describe('request bodies and connections, plain HTTP', () => {
  let relay;
  before(async () => {
    // A long idle timeout: connections held open here must stay open.
    relay = await startRelay(relayConfig({
      'max-connections': 12, 'max-connections-per-client': 8, 'idle-timeout-s': 600,
    }));
    // The RSS measured below: once the mosaic encodes, the relay's own
    // memory has settled.
    await waitFor(async () => (await getJson(`${relay.url}api/v1/outputs`)).mosaic.fps > 0, {
      timeoutMs: 120000, describe: 'the mosaic encoding',
    });
  });
  after(async () => {
    await relay.stop();
  });

  for (const [target, type, cap] of [
    ['/whip/TH-50', 'application/sdp', '64 KiB'],
    ['/api/v1/reports', 'application/json', '16 KiB'],
  ]) {
    test(`a 50 MB chunked POST ${target} is cut off, and the relay does not keep it`, { timeout: 600000 }, async (t) => {
      const pid = relay.process.pid;
      // The peak RSS from here on (Linux: 5 resets VmHWM to the current RSS).
      fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
      const baseline = procStatus(pid, 'VmRSS');
      const conn = open(relay);
      await conn.connected;
      conn.socket.write(requestHead('POST', target, {
        Authorization: `Bearer ${OFFICE}`, 'Content-Type': type, 'Transfer-Encoding': 'chunked',
      }));
      const total = 50 * MiB;
      const pushing = pushChunked(conn, total);
      // Everyone else is served meanwhile.
      assert.equal(await healthStatus(relay), 200);
      const sent = await pushing;
      await within(conn.closed, CLOSE_MS, 'the refused upload\'s connection closed');
      assert.ok(sent < total, `the relay took all ${sent} bytes before closing`);
      const answer = parseAnswer(conn.data);
      if (answer) {
        assert.equal(answer.status, 413);
        assert.equal(answer.json.error, 'too-large');
        assert.match(answer.json.reason, new RegExp(cap));
        assert.equal(answer.headers['access-control-allow-origin'], '*');
      }
      const peak = procStatus(pid, 'VmHWM');
      t.diagnostic(`sent ${(sent / MiB).toFixed(1)} MiB before the close; answer ${answer ? answer.status : 'none'}; ` +
        `peak RSS ${((peak - baseline) / MiB).toFixed(1)} MiB over ${(baseline / MiB).toFixed(0)} MiB`);
      assert.ok(peak - baseline < 16 * MiB,
        `the relay's RSS grew by ${((peak - baseline) / MiB).toFixed(1)} MiB during a refused upload`);
      assert.equal(await healthStatus(relay), 200);
    });
  }

  test('a declared length over the cap is answered 413 before any of the body is sent', { timeout: 600000 }, async () => {
    for (const [target, type, extra, reason] of [
      ['/whip/TH-50', 'application/sdp', {}, '64 KiB'],
      ['/whip/TH-50', 'application/sdp', { Expect: '100-continue' }, '64 KiB'],
      ['/api/v1/conference/layout', 'application/json', {}, '4 KiB'],
      // No handler looks at this one's body: the cap of any other request.
      ['/api/v1/clips', 'application/json', {}, '1 KiB'],
    ]) {
      const conn = open(relay);
      await conn.connected;
      conn.socket.write(requestHead(target.includes('conference') ? 'PUT' : 'POST', target, {
        Authorization: `Bearer ${OFFICE}`, 'Content-Type': type, 'Content-Length': 10 * MiB, ...extra,
      }));
      const answer = await answerOf(conn, `the answer to a declared 10 MiB body to ${target}`);
      assert.equal(answer.status, 413, `${target} ${JSON.stringify(extra)}`);
      assert.equal(answer.json.error, 'too-large');
      assert.match(answer.json.reason, new RegExp(reason));
      assert.equal(answer.headers.connection, 'close');
      await within(conn.closed, CLOSE_MS, 'the refused connection closed');
    }
    assert.equal(await healthStatus(relay), 200);
  });

  test('a GET, HEAD or DELETE with a body is refused (413), declared or chunked', { timeout: 600000 }, async () => {
    for (const [method, target, headers, body] of [
      ['GET', '/api/v1/health', { 'Content-Length': 5 }, 'hello'],
      ['GET', '/api/v1/health', { 'Transfer-Encoding': 'chunked' }, '5\r\nhello\r\n0\r\n\r\n'],
      ['HEAD', '/province.html', { 'Content-Length': 5 }, 'hello'],
      ['DELETE', '/api/v1/conference/floor', { Authorization: `Bearer ${CHAIR}`, 'Content-Length': 2 }, '{}'],
    ]) {
      const conn = open(relay);
      await conn.connected;
      conn.socket.write(requestHead(method, target, headers) + body);
      const answer = await answerOf(conn, `the answer to ${method} ${target} with a body`);
      assert.equal(answer.status, 413, `${method} ${target} ${JSON.stringify(headers)}`);
      assert.equal(answer.json.error, 'too-large');
      assert.match(answer.json.reason, new RegExp(`a ${method} request takes no body`));
    }
    assert.equal(await healthStatus(relay), 200);
  });

  test('kept-alive connections that their clients close are not left open', { timeout: 600000 }, async () => {
    const pid = relay.process.pid;
    const baseline = openSockets(pid);
    for (let i = 0; i < 40; i++) {
      const conn = open(relay);
      await conn.connected;
      conn.socket.write(requestHead('GET', '/api/v1/health', {}));
      const first = await answerOf(conn, 'the answer to GET /api/v1/health');
      assert.equal(first.status, 200);
      // The connection is kept: a second request on it is served.
      conn.data = Buffer.alloc(0);
      conn.socket.write(requestHead('GET', '/api/v1/conference', {}));
      assert.equal((await answerOf(conn, 'the answer to a second request')).status, 200);
      // Then the client leaves, as a browser closing an idle connection does.
      conn.socket.end();
      await within(conn.closed, CLOSE_MS, 'the connection closed');
    }
    await waitFor(() => openSockets(pid) <= baseline + 2, {
      timeoutMs: CLOSE_MS, describe: () => `the relay's sockets back to ${baseline} (now ${openSockets(pid)})`,
    });
    assert.equal(await healthStatus(relay), 200);
  });

  test('one client gets at most 8 connections at once; others keep being served', { timeout: 600000 }, async () => {
    const held = [];
    for (let i = 0; i < 8; i++) {
      const conn = open(relay);
      await conn.connected;
      held.push(conn);
    }
    // The 9th from the same address: answered 503 (when it gets to read
    // it) and closed.
    const ninth = open(relay);
    await ninth.connected.catch(() => {});
    ninth.socket.write(requestHead('GET', '/api/v1/health', {}));
    await within(ninth.closed, CLOSE_MS, 'the 9th connection from 127.0.0.1 closed');
    const answer = parseAnswer(ninth.data);
    if (answer) {
      assert.equal(answer.status, 503);
      assert.equal(answer.json.error, 'too-many-connections');
    }
    // Another address is served; so is each of the 8.
    assert.equal(await healthStatus(relay, '127.0.0.2'), 200);
    held[0].socket.write(requestHead('GET', '/api/v1/health', {}));
    assert.equal((await answerOf(held[0], 'an answer on a held connection')).status, 200);
    for (const conn of held) conn.socket.destroy();
    // Closed connections no longer count.
    await waitFor(async () => (await healthStatus(relay)) === 200, {
      timeoutMs: CLOSE_MS, describe: 'a new connection from 127.0.0.1 served again',
    });
  });

  test('the relay holds at most 12 connections in all', { timeout: 600000 }, async () => {
    const held = [];
    for (const [address, n] of [['127.0.0.1', 8], ['127.0.0.3', 4]]) {
      for (let i = 0; i < n; i++) {
        const conn = open(relay, { localAddress: address });
        await conn.connected;
        held.push(conn);
      }
    }
    const over = open(relay, { localAddress: '127.0.0.4' });
    await over.connected.catch(() => {});
    over.socket.write(requestHead('GET', '/api/v1/health', {}));
    await within(over.closed, CLOSE_MS, 'the 13th connection closed');
    const answer = parseAnswer(over.data);
    if (answer) {
      assert.equal(answer.status, 503);
      assert.equal(answer.json.error, 'too-many-connections');
    }
    for (const conn of held) conn.socket.destroy();
    await waitFor(async () => (await healthStatus(relay, '127.0.0.4')) === 200, {
      timeoutMs: CLOSE_MS, describe: 'a new connection served again',
    });
  });
});

describe('connections that keep the relay waiting', () => {
  let relay;
  before(async () => {
    relay = await startRelay(relayConfig({ 'idle-timeout-s': 2 }));
  });
  after(async () => {
    await relay.stop();
  });

  test('a connection that sends nothing, half its headers or half its body, or nothing after an answer, is closed; a WebSocket is not', { timeout: 600000 }, async () => {
    const events = await openEvents(relay, { token: CHAIR });
    try {
      const silent = open(relay);
      const halfHeaders = open(relay);
      const halfBody = open(relay);
      const keptAlive = open(relay);
      await Promise.all([silent.connected, halfHeaders.connected, halfBody.connected, keptAlive.connected]);
      keptAlive.socket.write(requestHead('GET', '/api/v1/health', {}));
      assert.equal((await answerOf(keptAlive, 'the answer on the kept-alive connection')).status, 200);
      halfHeaders.socket.write('GET /api/v1/health HTTP/1.1\r\nHost: relay\r\n');
      halfBody.socket.write(requestHead('POST', '/whip/TH-50', {
        Authorization: `Bearer ${OFFICE}`, 'Content-Type': 'application/sdp', 'Content-Length': 100,
      }) + 'v=0\r\n');
      // Meanwhile the relay serves.
      assert.equal(await healthStatus(relay), 200);
      await within(silent.closed, CLOSE_MS, 'the silent connection closed');
      await within(halfHeaders.closed, CLOSE_MS, 'the connection with half its headers closed');
      await within(halfBody.closed, CLOSE_MS, 'the connection with half its body closed');
      assert.equal(halfBody.data.length, 0, 'a stalled upload is closed without an answer');
      await within(keptAlive.closed, CLOSE_MS, 'the kept-alive connection closed after its answer');
      assert.equal(await healthStatus(relay), 200);

      // The upgraded WebSocket, older than all three, is exempt: well past
      // the idle timeout again (a timer fires late, never early), an event
      // still reaches it.
      await new Promise((r) => setTimeout(r, 6000));
      assert.equal(events.closed, false);
      const from = events.events.length;
      const r = await fetch(new URL('api/v1/conference/layout', relay.url), {
        method: 'PUT',
        headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ layout: 'spotlight' }),
      });
      assert.equal(r.status, 200);
      await events.waitFor((e) => e.type === 'layout' && e.layout === 'spotlight', { from, describe: 'the layout event' });
    } finally {
      events.close();
    }
  });
});

describe('over HTTPS', () => {
  let relay;
  let dir;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-limits-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
      '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'),
      '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const config = relayConfig({ 'idle-timeout-s': 2, 'max-connections-per-client': 4 });
    config.extraConfig.relay = {
      'tls-certificate': path.join(dir, 'cert.pem'), 'tls-private-key': path.join(dir, 'key.pem'),
    };
    relay = await startRelay(config);
  });
  after(async () => {
    await relay.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('bodies over the cap, idle connections and connections over the cap, over TLS', { timeout: 600000 }, async () => {
    assert.match(relay.url, /^https:/);
    // A TCP connection that never starts its TLS handshake.
    const url = new URL(relay.url);
    const bare = net.connect({ host: url.hostname, port: Number(url.port) });
    const bareClosed = new Promise((resolve) => bare.once('close', resolve));
    bare.on('error', () => {});

    const declared = open(relay);
    await declared.connected;
    declared.socket.write(requestHead('POST', '/whip/TH-50', {
      Authorization: `Bearer ${OFFICE}`, 'Content-Type': 'application/sdp', 'Content-Length': 10 * MiB,
    }));
    const answer = await answerOf(declared, 'the answer to a declared 10 MiB body over TLS');
    assert.equal(answer.status, 413);
    assert.equal(answer.json.error, 'too-large');

    const chunked = open(relay);
    await chunked.connected;
    chunked.socket.write(requestHead('POST', '/api/v1/reports', {
      Authorization: `Bearer ${OFFICE}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked',
    }));
    const sent = await pushChunked(chunked, 50 * MiB);
    await within(chunked.closed, CLOSE_MS, 'the refused TLS upload closed');
    assert.ok(sent < 50 * MiB, `the relay took all ${sent} bytes`);
    const refused = parseAnswer(chunked.data);
    if (refused) assert.equal(refused.status, 413);

    await within(bareClosed, CLOSE_MS, 'the connection without a TLS handshake closed');
    assert.equal(await healthStatus(relay), 200);

    // Kept-alive TLS connections that their clients close (close_notify,
    // then FIN) are not left open.
    const pid = relay.process.pid;
    const baseline = openSockets(pid);
    for (let i = 0; i < 10; i++) {
      const conn = open(relay);
      await conn.connected;
      conn.socket.write(requestHead('GET', '/api/v1/health', {}));
      assert.equal((await answerOf(conn, 'an answer over TLS')).status, 200);
      conn.socket.end();
      await within(conn.closed, CLOSE_MS, 'the TLS connection closed');
    }
    await waitFor(() => openSockets(pid) <= baseline + 2, {
      timeoutMs: CLOSE_MS, describe: () => `the relay's sockets back to ${baseline} (now ${openSockets(pid)})`,
    });

    // Over the per-client cap: closed (nothing can be answered before a
    // handshake).
    const held = [];
    for (let i = 0; i < 4; i++) {
      const conn = open(relay);
      await conn.connected;
      held.push(conn);
    }
    const fifth = open(relay);
    fifth.socket.on('error', () => {});
    await within(fifth.closed, CLOSE_MS, 'the 5th TLS connection closed');
    assert.equal(await healthStatus(relay, '127.0.0.2'), 200);
    for (const conn of held) conn.socket.destroy();
  });
});
