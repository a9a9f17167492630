// A kept-alive HTTP connection is either kept or said to be closing: the
// relay must not close, without "Connection: close", a connection a client
// will send its next request on (the client then gets "other side
// closed"). Checked on the answers that go through a session's worker
// (WHIP POST 201, trickle PATCH 204, DELETE 200), on one raw connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startRelay, REPO_ROOT } from '../../tools/lib/relay.mjs';

const TOKEN = 'th50-keep-alive-token';
const OFFER = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8');
const credential = (name) => OFFER.match(new RegExp(`^a=ice-${name}:(.+?)\\r?$`, 'm'))[1];
const TRICKLE = `a=ice-ufrag:${credential('ufrag')}\r\na=ice-pwd:${credential('pwd')}\r\n`
  + 'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n'
  + 'a=candidate:1 1 udp 2122260223 127.0.0.1 61665 typ host\r\n';

let relay;
before(async () => { relay = await startRelay({ provinces: { 'TH-50': TOKEN } }); });
after(async () => { await relay.stop(); relay.cleanup(); });

/* One HTTP/1.1 connection: requests one after the other, each answer read
 * whole (Content-Length or none), and whether the relay closed it. */
function connection(url) {
  const socket = net.connect(Number(url.port), url.hostname);
  let buffer = '';
  let closed = false;
  let wake = () => {};
  socket.setEncoding('latin1');
  socket.on('data', (d) => { buffer += d; wake(); });
  socket.on('close', () => { closed = true; wake(); });
  socket.on('error', () => {});
  async function answer() {
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = buffer.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length >= end + 4 + length) {
          buffer = buffer.slice(end + 4 + length);
          return { status: Number(head.split(' ')[1]), head };
        }
      }
      if (closed) return null;
      await new Promise((resolve) => { wake = resolve; });
    }
  }
  return {
    async send(method, target, headers = {}, body = '') {
      const lines = [`${method} ${target} HTTP/1.1`, `Host: ${url.host}`, `Authorization: Bearer ${TOKEN}`];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
      return answer();
    },
    end: () => socket.destroy(),
  };
}

test('answers given from a session worker keep the connection or say it closes', async () => {
  const conn = connection(new URL(relay.url));
  const steps = [];
  const created = await conn.send('POST', '/whip/TH-50', { 'Content-Type': 'application/sdp' }, OFFER);
  assert.equal(created?.status, 201);
  steps.push(['POST', created]);
  const location = /\r\nlocation: *([^\r]+)/i.exec(created.head)[1];
  let current = created;
  const next = [
    ['PATCH', location, { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': '*' }, TRICKLE, 204],
    ['GET', '/api/v1/provinces/TH-50', {}, '', 200],
    ['DELETE', location, {}, '', 200],
    ['GET', '/api/v1/provinces/TH-50', {}, '', 200],
  ];
  let c = conn;
  for (const [method, target, headers, body, status] of next) {
    if (/\r\nconnection: *close/i.test(current.head)) {
      c.end();
      c = connection(new URL(relay.url)); // told: a new connection
    }
    current = await c.send(method, target, headers, body);
    assert.ok(current, `${method} ${target}: the relay closed a kept-alive connection without `
      + `saying "Connection: close" in the answer before (${steps.at(-1)[0]})`);
    assert.equal(current.status, status, `${method} ${target}`);
    steps.push([method, current]);
  }
  c.end();
});
