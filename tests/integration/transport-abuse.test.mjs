// Hostile input on the media side: garbage datagrams to every UDP port of
// the relay, and a DTLS peer whose certificate does not match its SDP
// fingerprint. Each is refused, and a live province keeps decoding.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startRelay, getJson, waitFor, sleep } from './lib/relay.mjs';
import { startPublisher } from './lib/publisher.mjs';

let relay;
let victim; // the province that must stay live throughout
before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': 'chiang-mai-token', 'TH-11': 'samut-prakan-token' },
  });
  victim = startPublisher(relay, ['TH-50']);
  await waitFor(async () => {
    const s = await status('TH-50');
    return s.state === 'live' && s.video && s.video.frames_decoded > 10;
  }, { timeoutMs: 20000, describe: 'TH-50 live' });
});
after(async () => {
  await victim.stop();
  await relay.stop();
});

const status = (code) => getJson(`${relay.url}api/v1/provinces/${code}`);

async function assertVictimStillDecoding() {
  const before = await status('TH-50');
  const later = await waitFor(async () => {
    const s = await status('TH-50');
    return s.state === 'live' && s.video.frames_decoded >= before.video.frames_decoded + 15 ? s : null;
  }, { timeoutMs: 5000, describe: 'TH-50 still live and decoding' });
  return later;
}

function relayUdpPorts() {
  // Every UDP socket the relay process holds: its ICE host candidates.
  const out = execFileSync('ss', ['-Hunap'], { encoding: 'utf8' });
  const ports = new Set();
  for (const line of out.split('\n')) {
    if (!line.includes(`pid=${relay.process.pid},`)) continue;
    const local = line.trim().split(/\s+/)[3];
    const m = local && local.match(/^(.*):(\d+)$/);
    if (m) ports.add(Number(m[2]));
  }
  return [...ports];
}

test('garbage datagrams to every relay UDP port are dropped', async () => {
  const ports = relayUdpPorts();
  assert.ok(ports.length > 0, 'the relay holds ICE sockets');
  const sock = dgram.createSocket('udp4');
  const kinds = [
    () => crypto.randomBytes(1 + crypto.randomInt(1400)),              // noise
    () => Buffer.concat([Buffer.from([0x16, 0xfe, 0xfd]), crypto.randomBytes(60)]), // fake DTLS
    () => Buffer.concat([Buffer.from([0x80, 0x60]), crypto.randomBytes(200)]),     // fake RTP
    () => Buffer.concat([Buffer.from([0x80, 0xc8]), crypto.randomBytes(40)]),      // fake RTCP
    () => Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42]), crypto.randomBytes(20)]), // STUN-ish
    () => Buffer.alloc(0),
  ];
  let sent = 0;
  for (let round = 0; round < 200; round++) {
    for (const port of ports) {
      const payload = kinds[round % kinds.length]();
      await new Promise((resolve) => sock.send(payload, port, '127.0.0.1', () => resolve()));
      sent++;
    }
    if (round % 50 === 0) await sleep(10);
  }
  sock.close();
  assert.ok(sent >= 200);
  await assertVictimStillDecoding();
  const health = await getJson(`${relay.url}api/v1/health`);
  assert.equal(health.status, 'ok');
});

test('a DTLS peer with a wrong fingerprint is refused', async () => {
  const liar = startPublisher(relay, ['TH-11'], { wrongFingerprint: true });
  try {
    // The offer itself is well-formed: 201. The handshake is then refused.
    await liar.waitEvent((e) => e.event === 'answered' && e.status === 201);
    await sleep(3000);
    const s = await status('TH-11');
    assert.notEqual(s.state, 'live', 'a peer with a wrong fingerprint never goes live');
    assert.ok(!s.video || s.video.frames_decoded === 0, 'no media decoded from it');
    assert.match(relay.logTail(400), /\[TH-11\] DTLS refused: fingerprint mismatch/);
  } finally {
    await liar.stop();
  }
  await assertVictimStillDecoding();
});
