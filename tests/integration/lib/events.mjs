// A client of the relay's events WebSocket (/api/v1/events) for tests: a
// plain HTTP upgrade and RFC 6455 frame reading (Node 20 has no WebSocket
// without a flag). It only reads; the relay sends unmasked text frames.
//
//   const ev = await openEvents(relay, { token });
//   await ev.waitFor((e) => e.type === 'turn-started' && e.turn.office === 'TH-50');
//   ev.close();
import crypto from 'node:crypto';
import http from 'node:http';
import { waitFor } from './http.mjs';

export async function openEvents(relay, { token, since } = {}) {
  const url = new URL('api/v1/events', relay.url);
  if (since !== undefined) url.searchParams.set('since', String(since));
  const headers = {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'),
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  const socket = await new Promise((resolve, reject) => {
    const req = http.request(url, { headers });
    req.on('upgrade', (res, sock, head) => {
      if (head && head.length) sock.unshift(head);
      resolve(sock);
    });
    req.on('response', (res) => reject(new Error(`events: HTTP ${res.statusCode}, no upgrade`)));
    req.on('error', reject);
    req.end();
  });
  const events = [];
  let buf = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (buf.length < at + len) return;
      const payload = buf.subarray(at, at + len);
      buf = buf.subarray(at + len);
      if (opcode === 1) {
        try {
          events.push(JSON.parse(payload.toString('utf8')));
        } catch {
          /* not JSON: ignored */
        }
      } else if (opcode === 8) {
        closed = true;
      }
    }
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => {
    closed = true;
  });
  return {
    events,
    get closed() {
      return closed;
    },
    /** The first event (since `from`, an index into events) matching pred. */
    async waitFor(pred, { timeoutMs = 30000, from = 0, describe = 'event' } = {}) {
      return waitFor(() => events.slice(from).find(pred), {
        timeoutMs,
        describe: () => `${describe}; seen: ${events.map((e) => e.type).join(',')}`,
      });
    },
    close() {
      socket.destroy();
    },
  };
}
