// A WHEP session's life over HTTP alone (no media): POST an offer, then
// PATCH (trickle, ICE restart, every refusal), DELETE, and the session URL
// gone afterwards. The same for the encoded mosaic and for a province's SFU
// path; the relay keeps serving through all of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startRelay, request, getJson, REPO_ROOT } from '../../tools/lib/relay.mjs';

const MINISTER = 'minister-token-for-whep-session';
const WALL = 'wall-token-for-whep-session';
const OTHER_VIEWER = 'another-viewer-token-for-whep-session';
// Chrome's offer, turned into a viewer's: receive only.
const OFFER = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'unit', 'webrtc', 'sdp', 'offers', 'chrome-whip.sdp'), 'utf8')
  .replaceAll('a=sendonly', 'a=recvonly');
const credential = (name) => OFFER.match(new RegExp(`^a=ice-${name}:(.+?)\\r?$`, 'm'))[1];
const TRICKLE = `a=ice-ufrag:${credential('ufrag')}\r\na=ice-pwd:${credential('pwd')}\r\n`
  + 'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n'
  + 'a=candidate:1 1 udp 2122260223 127.0.0.1 61665 typ host\r\na=end-of-candidates\r\n';
const RESTART = 'a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n'
  + 'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n'
  + 'a=candidate:1 1 udp 2122260223 127.0.0.1 61666 typ host\r\n';

let relay;
before(async () => {
  relay = await startRelay({
    provinces: { 'TH-50': 'chiang-mai-token-whep' },
    extraConfig: {
      'viewer minister': { role: 'minister', token: MINISTER },
      'viewer wall': { role: 'viewer', token: WALL },
      'viewer wall2': { role: 'viewer', token: OTHER_VIEWER },
      // Twenty sessions created and deleted back to back by one viewer is
      // this file's churn test, faster than the session request rate
      // lets a credential go (limits.test.mjs covers that rate).
      limits: { 'session-requests-burst': 1000, 'api-requests-burst': 1000 },
    },
  });
});
after(async () => {
  await relay.stop();
});

const auth = (token) => (token ? { Authorization: `Bearer ${token}` } : {});
const patch = (location, token, body, { type = 'application/trickle-ice-sdpfrag', ifMatch } = {}) =>
  request(new URL(location, relay.url), {
    method: 'PATCH',
    headers: { ...auth(token), 'Content-Type': type, ...(ifMatch ? { 'If-Match': ifMatch } : {}) },
    body,
  });

async function lifecycle(endpoint, token, otherToken) {
  const created = await request(`${relay.url}${endpoint}`, {
    method: 'POST', headers: { ...auth(token), 'Content-Type': 'application/sdp' }, body: OFFER,
  });
  assert.equal(created.status, 201, created.text);
  const location = created.headers.get('location');
  const etag = created.headers.get('etag');
  assert.ok(location.startsWith(`/${endpoint}/`), location);
  assert.ok(etag);
  assert.match(created.text, /a=setup:passive/);
  assert.match(created.text, /a=candidate:/);

  // Refusals, each with its status; none of them ends the session.
  assert.equal((await patch(location, null, TRICKLE, { ifMatch: etag })).status, 401);
  if (otherToken) {
    const other = await patch(location, otherToken, TRICKLE, { ifMatch: etag });
    assert.equal(other.status, 403, 'another viewer cannot touch this session');
  }
  const stale = await patch(location, token, TRICKLE, { ifMatch: '"not-the-etag"' });
  assert.equal(stale.status, 412);
  assert.equal(stale.json?.error, 'precondition-failed');
  const unconditional = await patch(location, token, TRICKLE);
  assert.equal(unconditional.status, 428, 'a PATCH without If-Match');
  assert.equal(unconditional.json?.error, 'precondition-required');
  assert.equal((await patch(location, token, TRICKLE, { type: 'application/sdp', ifMatch: etag })).status, 415);
  assert.equal((await patch(location, token, '\x01\x02garbage', { ifMatch: etag })).status, 400);

  // Trickle with the offer's credentials: applied, 204.
  assert.equal((await patch(location, token, TRICKLE, { ifMatch: etag })).status, 204);
  assert.equal((await patch(location, token, TRICKLE, { ifMatch: '*' })).status, 204);

  // New credentials: an ICE restart, ours in the body and a new ETag.
  const restarted = await patch(location, token, RESTART, { ifMatch: etag });
  assert.equal(restarted.status, 200, restarted.text);
  const newEtag = restarted.headers.get('etag');
  assert.ok(newEtag && newEtag !== etag, `new ETag ${newEtag} after ${etag}`);
  assert.match(restarted.text, /a=ice-ufrag:/);
  assert.match(restarted.text, /a=candidate:/);
  assert.equal((await patch(location, token, TRICKLE, { ifMatch: etag })).status, 412, 'the old ETag is stale now');

  // DELETE ends it; the URL is gone afterwards.
  if (otherToken) {
    const refused = await request(new URL(location, relay.url), { method: 'DELETE', headers: auth(otherToken) });
    assert.equal(refused.status, 403);
  }
  const deleted = await request(new URL(location, relay.url), { method: 'DELETE', headers: auth(token) });
  assert.equal(deleted.status, 200);
  assert.equal((await patch(location, token, TRICKLE)).status, 404);
  assert.equal((await request(new URL(location, relay.url), { method: 'DELETE', headers: auth(token) })).status, 404);
}

test('a mosaic viewer session: trickle, ICE restart, refusals, DELETE', async () => {
  await lifecycle('whep/mosaic', WALL, OTHER_VIEWER);
});

test('a minister\'s session on a province (SFU path): the same life', async () => {
  await lifecycle('whep/province/TH-50', MINISTER, WALL);
});

test('twenty sessions created and deleted leave no viewer behind', async () => {
  const viewers = async () => {
    const list = await request(`${relay.url}api/v1/viewers`, { headers: auth(MINISTER) });
    assert.equal(list.status, 200, list.text);
    return list.json.viewers.map((v) => v.session);
  };
  const ours = [];
  for (let i = 0; i < 20; i++) {
    const created = await request(`${relay.url}whep/mosaic`, {
      method: 'POST', headers: { ...auth(WALL), 'Content-Type': 'application/sdp' }, body: OFFER,
    });
    assert.equal(created.status, 201);
    const location = created.headers.get('location');
    const session = location.split('/').pop();
    ours.push(session);
    // Listed while it exists (so that its absence below means something).
    assert.ok((await viewers()).includes(session), `${session} listed once created`);
    const deleted = await request(new URL(location, relay.url), {
      method: 'DELETE', headers: auth(WALL),
    });
    assert.equal(deleted.status, 200);
  }
  // This test's own sessions, whatever other tests on this relay left.
  const left = (await viewers()).filter((s) => ours.includes(s));
  assert.deepEqual(left, [], 'every deleted session is gone from /api/v1/viewers');
  assert.equal((await getJson(`${relay.url}api/v1/health`)).status, 'ok');
});
