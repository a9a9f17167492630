// A STUN Binding request as an ICE agent sends it (RFC 8445 section 7.1.1,
// RFC 5389): USERNAME, PRIORITY, ICE-CONTROLLING, MESSAGE-INTEGRITY and
// FINGERPRINT. Only what the tests need to ask the relay "are you still
// reading this socket?" and recognise its answer.
import crypto from 'node:crypto';
import zlib from 'node:zlib';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
export const BINDING_SUCCESS = 0x0101;

function attribute(type, value) {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

/* The header with `bodyLength` in its length field (which MESSAGE-INTEGRITY
 * and FINGERPRINT must count themselves in). */
function header(type, bodyLength, transactionId) {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(bodyLength, 2);
  h.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(h, 8);
  return h;
}

/**
 * A Binding request from the controlling agent `localUfrag` to the agent
 * whose credentials are `remoteUfrag`/`remotePwd`. Returns { message,
 * transactionId }.
 */
export function bindingRequest({ remoteUfrag, remotePwd, localUfrag }) {
  const transactionId = crypto.randomBytes(12);
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(0x6e7f1eff, 0); // peer-reflexive, as an agent would
  let body = Buffer.concat([
    attribute(0x0006, Buffer.from(`${remoteUfrag}:${localUfrag}`)), // USERNAME
    attribute(0x0024, priority), // PRIORITY
    attribute(0x802a, crypto.randomBytes(8)), // ICE-CONTROLLING (tie-breaker)
  ]);
  const integrity = crypto.createHmac('sha1', Buffer.from(remotePwd))
    .update(Buffer.concat([header(BINDING_REQUEST, body.length + 24, transactionId), body])).digest();
  body = Buffer.concat([body, attribute(0x0008, integrity)]); // MESSAGE-INTEGRITY
  const crc = (zlib.crc32(Buffer.concat([header(BINDING_REQUEST, body.length + 8, transactionId), body]))
    ^ 0x5354554e) >>> 0;
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE(crc, 0);
  body = Buffer.concat([body, attribute(0x8028, fingerprint)]); // FINGERPRINT
  return { message: Buffer.concat([header(BINDING_REQUEST, body.length, transactionId), body]), transactionId };
}

/* { type, transactionId } of a STUN message, or null for anything else. */
export function parseStun(buf) {
  if (buf.length < 20 || (buf[0] & 0xc0) !== 0 || buf.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  return { type: buf.readUInt16BE(0), transactionId: buf.subarray(8, 20) };
}
