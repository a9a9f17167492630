// The relay's event stream (WebSocket GET /api/v1/events) for the tests,
// without a WebSocket library: Node 20 has no WebSocket client unless a flag
// is given, and the stream only needs the client side of RFC 6455 for text
// frames (server frames are never masked; ours are, as the RFC requires).
//
//   const events = await openEvents(relay);
//   const e = await events.waitFor((e) => e.type === 'active-speaker' && e.participant === 'TH-50');
//   events.close();
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { waitFor } from './http.mjs';

function sendFrame(socket, opcode, payload = Buffer.alloc(0)) {
  const mask = crypto.randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len])
    : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  socket.write(Buffer.concat([head, mask, body]));
}

/**
 * Connects to relay.url's /api/v1/events (query e.g. 'since=12'). Resolves
 * once the hello message arrived. `events` holds every parsed message in
 * order (the hello first).
 *
 * The relay sends nothing to a client without a token: `token` (default:
 * the relay's viewer token) goes in the upgrade's Authorization header, or,
 * with `authMessage: true`, in a first {"type":"auth"} message as a browser
 * sends it. A refusal rejects with an Error whose `closeCode` is the
 * relay's close code (4401); an HTTP answer instead of the upgrade (e.g.
 * 403 for a page's `origin` the relay does not allow) rejects with an
 * Error whose `status` and `body` are the answer's. `cookie` (a Cookie
 * header) signs the upgrade in as a page with the sign-in cookie does (pass
 * token: null with it).
 */
export function openEvents(relay, {
  query = '', timeoutMs = 15000, token = relay.viewerToken, authMessage = false, origin = null,
  cookie = null,
} = {}) {
  const url = new URL(`api/v1/events${query ? `?${query}` : ''}`, relay.url);
  const key = crypto.randomBytes(16).toString('base64');
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const headers = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
    };
    if (token && !authMessage) headers.Authorization = `Bearer ${token}`;
    if (origin) headers.Origin = origin;
    if (cookie) headers.Cookie = cookie;
    const req = mod.request(url, {
      headers,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`no WebSocket upgrade from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const e = new Error(`GET ${url}: HTTP ${res.statusCode} instead of an upgrade: ${body.slice(0, 300)}`);
        e.status = res.statusCode;
        e.headers = res.headers;
        e.body = body;
        reject(e);
      });
    });
    req.on('upgrade', (res, socket, head) => {
      const expected = crypto.createHash('sha1')
        .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      if (res.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        reject(new Error('bad Sec-WebSocket-Accept'));
        return;
      }
      const events = [];
      let buf = head && head.length ? Buffer.from(head) : Buffer.alloc(0);
      let fragments = [];
      let closed = false;
      let closeCode = null;
      if (token && authMessage) {
        sendFrame(socket, 0x1, Buffer.from(JSON.stringify({ type: 'auth', token })));
      }
      const parse = () => {
        for (;;) {
          if (buf.length < 2) return;
          const fin = (buf[0] & 0x80) !== 0;
          const opcode = buf[0] & 0x0f;
          let len = buf[1] & 0x7f;
          let off = 2;
          if (len === 126) {
            if (buf.length < 4) return;
            len = buf.readUInt16BE(2);
            off = 4;
          } else if (len === 127) {
            if (buf.length < 10) return;
            len = Number(buf.readBigUInt64BE(2));
            off = 10;
          }
          if (buf.length < off + len) return;
          const payload = buf.subarray(off, off + len);
          buf = buf.subarray(off + len);
          if (opcode === 0x9) {
            sendFrame(socket, 0xa, payload); // pong
          } else if (opcode === 0x8) {
            if (payload.length >= 2) closeCode = payload.readUInt16BE(0);
            closed = true;
            socket.end();
          } else if (opcode === 0x1 || opcode === 0x0) {
            fragments.push(Buffer.from(payload));
            if (fin) {
              const text = Buffer.concat(fragments).toString('utf8');
              fragments = [];
              try {
                events.push(JSON.parse(text));
              } catch {
                events.push({ type: 'unparsable', text });
              }
            }
          }
        }
      };
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        parse();
      });
      socket.on('close', () => {
        closed = true;
      });
      socket.on('error', () => {
        closed = true;
      });
      const stream = {
        events,
        get closed() {
          return closed;
        },
        /** The close code the relay sent, or null. */
        get closeCode() {
          return closeCode;
        },
        /** The first event (from index `from`) satisfying pred. */
        waitFor(pred, { timeoutMs: t = 30000, from = 0, describe = 'event' } = {}) {
          return waitFor(() => events.slice(from).find(pred), {
            timeoutMs: t,
            intervalMs: 100,
            describe: () => `${describe}; last events: ${JSON.stringify(events.slice(-8))}`,
          });
        },
        close() {
          if (!closed) {
            try {
              sendFrame(socket, 0x8, Buffer.from([0x03, 0xe8]));
            } catch {
              /* already gone */
            }
          }
          closed = true;
          socket.destroy();
        },
      };
      parse();
      waitFor(() => events.length > 0 || closed, { timeoutMs, describe: 'the hello message' })
        .then(() => {
          if (events.length === 0) {
            const e = new Error(`the relay closed the event stream (code ${closeCode}) without a hello`);
            e.closeCode = closeCode;
            throw e;
          }
          if (events[0].type !== 'hello') {
            throw new Error(`first message is not hello: ${JSON.stringify(events[0])}`);
          }
          resolve(stream);
        })
        .catch((e) => {
          socket.destroy();
          reject(e);
        });
    });
    req.end();
  });
}
