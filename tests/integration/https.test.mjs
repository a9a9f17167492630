// HTTPS when a certificate and key are configured: the API and WHIP are
// served over TLS (browsers need it for the camera on any host but
// localhost), and plain HTTP is not.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startRelay, getJson, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';

let relay;
let dir;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'),
    '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  relay = await startRelay({
    provinces: { 'TH-50': 'chiang-mai-token' },
    extraConfig: { relay: { 'tls-certificate': path.join(dir, 'cert.pem'), 'tls-private-key': path.join(dir, 'key.pem') } },
  });
});
after(async () => {
  await relay.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function get(mod, url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { rejectUnauthorized: false, timeout: 5000, headers }, (res) => {
      let body = '';
      const cert = res.socket && res.socket.getPeerCertificate ? res.socket.getPeerCertificate() : null;
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body, cert }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

test('the relay serves HTTPS with the configured certificate', async () => {
  assert.match(relay.url, /^https:\/\//);
  const r = await get(https, `${relay.url}api/v1/health`);
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).status, 'ok');
  assert.equal(r.cert.subject.CN, 'localhost');
  await assert.rejects(get(http, relay.url.replace('https:', 'http:') + 'api/v1/health'));
});

test('a province publishes over WHIP on HTTPS', async () => {
  const pub = startPublisher(relay, ['TH-50'], { insecure: true });
  try {
    await waitFor(async () => {
      // The office's own token: its decoded frames are a detail it sees.
      const r = await get(https, `${relay.url}api/v1/provinces/TH-50`,
        { Authorization: `Bearer ${relay.tokens['TH-50']}` });
      const s = JSON.parse(r.body);
      return s.state === 'live' && s.video && s.video.frames_decoded > 0;
    }, { timeoutMs: 20000, describe: 'TH-50 live over HTTPS signalling' });
  } finally {
    await pub.stop();
  }
});
