// Hostile input on the media side: garbage datagrams to every UDP port of
// the relay (from a stranger, and from a peer that passed a STUN check, whose
// datagrams reach the relay's own demultiplexing), and a DTLS peer whose
// certificate does not match its SDP fingerprint. Each is refused, the
// relay keeps answering on those sockets, and a live province keeps
// decoding.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startRelay, getJson, request, waitFor, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { bindingRequest, parseStun, BINDING_SUCCESS } from './lib/stun.mjs';

const PROBE_TOKEN = 'nonthaburi-token';
let relay;
let victim; // the province that must stay live throughout
before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': 'chiang-mai-token', 'TH-11': 'samut-prakan-token', 'TH-12': PROBE_TOKEN },
  });
  victim = startPublisher(relay, ['TH-50']);
  await waitFor(async () => {
    const s = await status('TH-50');
    return s.state === 'live' && s.video && s.video.frames_decoded > 10;
  }, { timeoutMs: 60000, describe: 'TH-50 live' });
});
after(async () => {
  await victim.stop();
  await relay.stop();
});

// With a viewer's token: frame counters and the session id are details.
const status = (code) => getJson(`${relay.url}api/v1/provinces/${code}`, { token: relay.viewerToken });

async function assertVictimStillDecoding() {
  const before = await status('TH-50');
  const later = await waitFor(async () => {
    const s = await status('TH-50');
    return s.state === 'live' && s.video.frames_decoded >= before.video.frames_decoded + 15 ? s : null;
  }, { timeoutMs: 60000, describe: 'TH-50 still live and decoding' });
  return later;
}

/* Every UDP socket the relay process holds (its ICE host candidates), as
 * [address, port]. They are bound to the host's interface addresses, not
 * to the loopback: datagrams must go to exactly these. */
function relayUdpSockets() {
  const out = execFileSync('ss', ['-Hunap'], { encoding: 'utf8' });
  const sockets = [];
  for (const line of out.split('\n')) {
    if (!line.includes(`pid=${relay.process.pid},`)) continue;
    const local = line.trim().split(/\s+/)[3];
    const m = local && local.match(/^\[?(.*?)\]?(%[^:\]]+)?:(\d+)$/);
    if (m) sockets.push([`${m[1]}${m[2] ?? ''}`, Number(m[3])]);
  }
  return sockets;
}

/* A session of our own (Chrome's offer, never answered by a real peer):
 * its credentials let us ask the relay, with a STUN Binding request, whether
 * it still reads a socket, and its candidates are the sockets to ask. */
async function probeSession() {
  const offer = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8');
  const r = await request(`${relay.url}whip/TH-12`, {
    method: 'POST', headers: { Authorization: `Bearer ${PROBE_TOKEN}`, 'Content-Type': 'application/sdp' }, body: offer,
  });
  assert.equal(r.status, 201, r.text);
  const credentials = {
    remoteUfrag: r.text.match(/^a=ice-ufrag:(\S+)/m)[1],
    remotePwd: r.text.match(/^a=ice-pwd:(\S+)/m)[1],
    localUfrag: offer.match(/^a=ice-ufrag:(\S+)/m)[1],
  };
  const candidates = [...r.text.matchAll(/^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/gim)]
    .map((m) => [m[1], Number(m[2])]);
  assert.ok(candidates.length > 0, r.text);
  return { location: r.headers.get('location'), credentials, candidates };
}

/* A UDP socket connected to one relay socket. A datagram that finds no
 * socket there comes back as ICMP "port unreachable", which a connected
 * socket reports as ECONNREFUSED: `refused` counts those. `stun(creds)`
 * resolves on the relay's Binding success response to a request sent now. */
async function connectTo([address, port]) {
  const sock = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const peer = { address, port, sock, refused: 0, responses: [] };
  await new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.connect(port, address, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.on('error', (e) => {
    if (e.code === 'ECONNREFUSED') peer.refused++;
    else peer.error = e;
  });
  sock.on('message', (m) => {
    const stun = parseStun(m);
    if (stun) peer.responses.push(stun);
  });
  // The refusal of an earlier datagram may surface on a later send.
  peer.send = (payload) => new Promise((resolve, reject) => sock.send(payload, (e) => {
    if (e?.code === 'ECONNREFUSED') peer.refused++;
    else if (e) reject(e);
    resolve();
  }));
  peer.stun = async (credentials) => {
    const { message, transactionId } = bindingRequest(credentials);
    const answered = () => peer.responses.find((r) => r.type === BINDING_SUCCESS && r.transactionId.equals(transactionId));
    // A Binding request is retransmitted until answered (RFC 8445 keeps
    // doing so too): UDP may lose one on a busy machine.
    return waitFor(async () => answered() || (await peer.send(message), answered()),
      { timeoutMs: 30000, intervalMs: 500, describe: `a STUN Binding response from ${address} port ${port}` });
  };
  return peer;
}

const GARBAGE = [
  () => crypto.randomBytes(1 + crypto.randomInt(1400)),              // noise
  () => Buffer.concat([Buffer.from([0x16, 0xfe, 0xfd]), crypto.randomBytes(60)]), // fake DTLS
  () => Buffer.concat([Buffer.from([0x80, 0x60]), crypto.randomBytes(200)]),     // fake RTP
  () => Buffer.concat([Buffer.from([0x80, 0xc8]), crypto.randomBytes(40)]),      // fake RTCP
  () => Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42]), crypto.randomBytes(20)]), // STUN-ish
  () => Buffer.alloc(0),
];

async function sendGarbage(peers, rounds) {
  for (let round = 0; round < rounds; round++) {
    for (const peer of peers) await peer.send(GARBAGE[round % GARBAGE.length]());
  }
}

test('garbage datagrams to every relay UDP port are dropped', async () => {
  const probe = await probeSession();
  const sockets = relayUdpSockets();
  const isProbe = ([, port]) => probe.candidates.some(([, p]) => p === port);
  const peers = [];
  try {
    // The probe session's sockets: first a valid STUN check (which makes
    // our address a known peer, so that what follows reaches the relay's
    // own DTLS/RTP/RTCP demultiplexing, not just libnice's), then garbage,
    // then another check. A socket is read in order: the second answer
    // means everything before it was read and dropped, and the relay still
    // serves that socket.
    const probes = await Promise.all(sockets.filter(isProbe).map(connectTo));
    assert.equal(probes.length, probe.candidates.length, JSON.stringify(sockets));
    peers.push(...probes);
    for (const p of probes) await p.stun(probe.credentials);
    // Every other socket of the relay (the live victim's among them) gets
    // the same garbage from a stranger.
    const others = sockets.filter((s) => !isProbe(s));
    assert.ok(others.length > 0, 'the victim\'s ICE sockets are there too');
    peers.push(...await Promise.all(others.map(connectTo)));
    await sendGarbage(peers, 200);
    for (const p of probes) await p.stun(probe.credentials);
    // No datagram found a closed port (each went to a relay socket).
    assert.deepEqual(peers.filter((p) => p.refused > 0 || p.error)
      .map((p) => `${p.address} port ${p.port}: ${p.refused} refused ${p.error?.message ?? ''}`), []);
  } finally {
    for (const p of peers) p.sock.close();
    await request(new URL(probe.location, relay.url), {
      method: 'DELETE', headers: { Authorization: `Bearer ${PROBE_TOKEN}` },
    });
  }
  await assertVictimStillDecoding();
  const health = await getJson(`${relay.url}api/v1/health`);
  assert.equal(health.status, 'ok');
});

test('a DTLS peer with a wrong fingerprint is refused', async () => {
  const liar = startPublisher(relay, ['TH-11'], { wrongFingerprint: true });
  try {
    // The offer itself is well-formed: 201. The handshake is then refused.
    await liar.waitEvent((e) => e.event === 'answered' && e.status === 201, { timeoutMs: 60000 });
    // The relay says so when it refuses the handshake: wait for that.
    await waitFor(() => /\[TH-11\] DTLS refused: fingerprint mismatch/.test(relay.logTail(400)),
      { timeoutMs: 60000, describe: 'the relay refusing TH-11\'s DTLS handshake' });
    // It ends the session: the province is offline again, never live.
    const s = await waitFor(async () => {
      const now = await status('TH-11');
      return now.state === 'offline' && now.session === null ? now : null;
    }, { timeoutMs: 60000, describe: 'TH-11 offline, its session ended' });
    assert.equal(s.video, null, 'no media from it');
    assert.ok(!/\[TH-11\] connecting -> live/.test(relay.logTail(400)), 'a peer with a wrong fingerprint never goes live');
  } finally {
    await liar.stop();
  }
  await assertVictimStillDecoding();
});
