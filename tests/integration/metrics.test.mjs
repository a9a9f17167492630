// GET /metrics (docs/API.md, "Metrics") read the way operations will read
// it: a real Prometheus from Debian (the `prometheus` package), started
// here with a generated prometheus.yml, scrapes the relay with the metrics
// token from a credentials file while two offices publish and a minister
// watches one; the test reads back through Prometheus' HTTP API the live
// offices and the join-time histogram, and the alert rules of
// config/prometheus-alerts.yml loaded and evaluated. `promtool check
// metrics` passes on a scraped body; `promtool check rules`, `test rules`
// and `check config` on the shipped samples. Figures accepted and refused,
// and a webhook whose receiver refuses, counted. Then who may read: no token,
// a wrong one, a viewer's, an office's, a sign-in cookie, a token in the URL, an address
// outside [metrics] allowed-addresses and one inside (the relay listens on
// 127.0.0.1; the test connects from 127.0.0.2 too, loopback is not implied),
// and the wrong-token throttle of the API applying here.
//
// Every wait is for an answer (a scrape seen by Prometheus, a state in the
// status API), never a fixed delay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { startRelay, getJson, request, waitFor, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { startViewer } from '../../tools/lib/viewer.mjs';

const TOKENS = {
  metrics: 'metrics-scrape-token-it',
  office50: 'th50-metrics-token',
  office51: 'th51-metrics-token',
  minister: 'minister-metrics-token',
  wall: 'wall-metrics-token',
};
const ALERTS = path.join(REPO_ROOT, 'config', 'prometheus-alerts.yml');
const SAMPLE_CONFIG = path.join(REPO_ROOT, 'config', 'prometheus.yml');
const ALERT_TESTS = path.join(REPO_ROOT, 'tests', 'integration', 'prometheus-alerts.test.yml');

let relay;
let prometheus;
let receiver; // the data centre's webhook receiver, refusing every delivery
const deliveries = [];
const publishers = [];
let viewer;

/* A port nobody listens on now (Prometheus takes no port 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/* Prometheus with a generated config scraping the relay every second, the
 * shipped alert rules loaded; its log goes beside the relay's. */
async function startPrometheus(target, dir) {
  const tokenFile = path.join(dir, 'metrics.token');
  fs.writeFileSync(tokenFile, TOKENS.metrics, { mode: 0o600 });
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(config, [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    `  - ${JSON.stringify(ALERTS)}`,
    'scrape_configs:',
    '  - job_name: briefing-relay',
    '    metrics_path: /metrics',
    '    authorization:',
    '      type: Bearer',
    `      credentials_file: ${JSON.stringify(tokenFile)}`,
    '    static_configs:',
    `      - targets: [${JSON.stringify(target)}]`,
    '',
  ].join('\n'));
  // The generated config, its rule file and its credentials file as a
  // whole (the shipped sample is checked for syntax below: its token file
  // is the operator's).
  const check = spawnSync('promtool', ['check', 'config', config], { encoding: 'utf8' });
  assert.equal(check.status, 0, `promtool check config: ${check.stdout}${check.stderr}`);

  const log = fs.openSync(path.join(dir, 'prometheus.log'), 'a');
  // A port taken between freePort() and Prometheus' bind: try another.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn('prometheus', [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ], { stdio: ['ignore', log, log] });
    let exited = null;
    child.once('exit', (code, signal) => { exited = { code, signal }; });
    const url = `http://127.0.0.1:${port}/`;
    const ready = await waitFor(async () => {
      if (exited) return 'exited';
      return (await request(`${url}-/ready`, { timeoutMs: 2000 })).status === 200 ? 'ready' : null;
    }, { timeoutMs: 120000, describe: 'Prometheus ready' });
    if (ready === 'ready') {
      return { child, url, stop: () => stopChild(child) };
    }
    if (attempt >= 3) {
      throw new Error(`prometheus exited (${JSON.stringify(exited)}); log in ${dir}/prometheus.log`);
    }
  }
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  await gone;
  clearTimeout(timer);
}

/* An instant query's vector: [{metric, value: Number}]. */
async function query(expr) {
  const res = await getJson(`${prometheus.url}api/v1/query?query=${encodeURIComponent(expr)}`);
  assert.equal(res.status, 'success', JSON.stringify(res));
  return res.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/* GET /metrics as a client from `localAddress` (default 127.0.0.1), with
 * the headers given; {status, headers, text}. */
function getMetrics(target, { headers = {}, localAddress } = {}) {
  const url = new URL(target, relay.url);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers, localAddress, timeout: 10000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

const bearer = (token) => ({ Authorization: `Bearer ${token}` });

/* The value of one sample of a scraped body: `name{labels}` exactly as
 * written, or undefined. */
function sample(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/* A webhook receiver that is down for maintenance: 503 to everything. */
function startRefusingReceiver() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        deliveries.push(req.headers['x-briefing-delivery']);
        res.writeHead(503).end();
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  receiver = await startRefusingReceiver();
  relay = await startRelay({
    provinces: { 'TH-50': TOKENS.office50, 'TH-51': TOKENS.office51 },
    extraConfig: {
      'viewer minister': { role: 'minister', token: TOKENS.minister },
      'viewer wall': { role: 'viewer', token: TOKENS.wall },
      // TEST-NET-1: nowhere near this machine's addresses.
      metrics: { token: TOKENS.metrics, 'allowed-addresses': '192.0.2.0/24' },
      // A throttled address stays throttled for the rest of the test.
      limits: { 'auth-failures': 5, 'auth-failure-refill-s': 3600 },
      'webhook datacentre': {
        url: `http://127.0.0.1:${receiver.address().port}/figures`,
        secret: 'metrics-test-webhook-secret',
      },
    },
  });
  publishers.push(startPublisher(relay, ['TH-50']), startPublisher(relay, ['TH-51']));
  await waitFor(async () => {
    const list = await getJson(`${relay.url}api/v1/provinces`, { token: TOKENS.wall });
    const live = list.provinces.filter((p) => ['TH-50', 'TH-51'].includes(p.code)
      && p.state === 'live' && p.video?.frames_decoded > 0);
    return live.length === 2;
  }, { timeoutMs: 120000, describe: 'TH-50 and TH-51 live and decoded' });
  viewer = startViewer(`${relay.url}whep/province/TH-50`, TOKENS.minister);
  await viewer.waitEvent((e) => e.event === 'first-frame' && e.media === 'video',
    { timeoutMs: 120000, describe: 'the minister sees TH-50' });
  prometheus = await startPrometheus(new URL(relay.url).host, relay.tmpDir);
});

after(async () => {
  await viewer?.finish?.().catch(() => {});
  await Promise.all(publishers.map((p) => p.kill()));
  await prometheus?.stop();
  await relay?.stop();
  relay?.cleanup();
  receiver?.close();
});

test('Prometheus scrapes the relay with the metrics token and reads the live offices and the join times', async () => {
  const live = await waitFor(async () => {
    const v = await query('briefing_relay_offices{state="live"}');
    return v.length === 1 && v[0].value === 2 ? v : null;
  }, { timeoutMs: 120000, describe: 'briefing_relay_offices{state="live"} == 2 in Prometheus' });
  assert.equal(live[0].metric.job, 'briefing-relay');

  // One join per publisher's session, each in the +Inf bucket too.
  const joins = await waitFor(async () => {
    const count = await query('briefing_relay_join_time_seconds_count');
    return count.length === 1 && count[0].value >= 2 ? count[0].value : null;
  }, { timeoutMs: 60000, describe: 'two joins in briefing_relay_join_time_seconds_count' });
  const inf = await query('briefing_relay_join_time_seconds_bucket{le="+Inf"}');
  assert.equal(inf[0].value, joins);
  const sum = await query('briefing_relay_join_time_seconds_sum');
  assert.ok(sum[0].value > 0, 'joins take time');

  const targets = await getJson(`${prometheus.url}api/v1/targets`);
  const target = targets.data.activeTargets.find((t) => t.labels.job === 'briefing-relay');
  assert.equal(target.health, 'up', target.lastError);

  // Each office by its own label; what goes in and out moves.
  await waitFor(async () => {
    const state = await query('briefing_relay_office_state{province="TH-50",state="live"}');
    const bytes = await query('briefing_relay_rtp_bytes_total{direction="in",province="TH-50",kind="video"}');
    const out = await query('briefing_relay_rtp_bytes_total{direction="out",output="province"}');
    const viewers = await query('briefing_relay_viewers{output="province"}');
    return state[0]?.value === 1 && bytes[0]?.value > 0 && out[0]?.value > 0 && viewers[0]?.value === 1;
  }, { timeoutMs: 60000, describe: 'TH-50 live, its bytes in, the minister\'s bytes out' });
});

test('the shipped alert rules load into Prometheus and evaluate without error', async () => {
  const rules = await waitFor(async () => {
    const res = await getJson(`${prometheus.url}api/v1/rules`);
    const all = res.data.groups.flatMap((g) => g.rules);
    return all.length > 0 && all.every((r) => r.health === 'ok') ? all : null;
  }, { timeoutMs: 60000, describe: 'every rule evaluated with health ok' });
  const names = rules.map((r) => r.name);
  for (const name of ['OfficeLostDuringBriefing', 'RecordingStalled', 'RecordingDiskNearlyFull',
    'WebhookBacklog']) {
    assert.ok(names.includes(name), `${name} in ${names}`);
  }
  // No briefing is live: nobody dropped out of one.
  const lost = rules.find((r) => r.name === 'OfficeLostDuringBriefing');
  assert.equal(lost.alerts.length, 0);
});

test('promtool: a scraped body, the alert rules, their unit tests and the sample config pass', async () => {
  const res = await getMetrics('/metrics', { headers: bearer(TOKENS.metrics) });
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  assert.equal(res.headers['cache-control'], 'no-store');
  fs.writeFileSync(path.join(relay.tmpDir, 'metrics.txt'), res.text);
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: res.text, encoding: 'utf8' });
  assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '', 'no lint remarks');

  for (const args of [['check', 'rules', ALERTS], ['test', 'rules', ALERT_TESTS],
    ['check', 'config', '--syntax-only', SAMPLE_CONFIG]]) {
    const r = spawnSync('promtool', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
  }
});

test('the body names offices by code, never a session or an address', async () => {
  const res = await getMetrics('/metrics', { headers: bearer(TOKENS.metrics) });
  const office = await getJson(`${relay.url}api/v1/provinces/TH-50`, { token: TOKENS.wall });
  const viewers = await getJson(`${relay.url}api/v1/viewers`, { token: TOKENS.minister });
  const secrets = [office.session, office.remote_address, office.remote_address.replace(/:\d+$/, ''),
    viewers.viewers[0].session, viewers.viewers[0].remote_address];
  for (const secret of secrets) {
    assert.ok(secret && !res.text.includes(secret), `the metrics show ${secret}`);
  }
  // What a dashboard needs is there, for every office and the central room.
  for (const series of [
    'briefing_relay_offices{state="offline"}',
    'briefing_relay_office_state{province="central",state="offline"}',
    'briefing_relay_rtp_packets_total{direction="in",province="TH-51",kind="audio"}',
    'briefing_relay_decoded_frames_total{province="TH-50",kind="video"}',
    'briefing_relay_nacks_total{direction="out",province="TH-50"}',
    'briefing_relay_plis_total{direction="in",output="province"}',
    'briefing_relay_rtx_packets_total{direction="in",province="TH-50"}',
    'briefing_relay_rtp_lost_packets_total{province="TH-50",kind="video"}',
    'briefing_relay_output_frames_total{output="mosaic"}',
    'briefing_relay_output_latency_seconds_count{output="mosaic"}',
    'briefing_relay_forwarding_latency_seconds_count',
    'briefing_relay_figures_accepted_total{channel="https",result="stored"}',
    'briefing_relay_recording_disk_free_bytes',
    'briefing_relay_http_requests_total{class="2xx"}',
    'briefing_relay_limit_refusals_total{reason="rate-limited"}',
    'briefing_relay_process_cpu_seconds_total',
    'briefing_relay_process_open_fds',
  ]) {
    assert.notEqual(sample(res.text, series), undefined, `${series} missing`);
  }
  assert.ok(sample(res.text, 'briefing_relay_decoded_frames_total{province="TH-50",kind="video"}') > 0);
  assert.ok(sample(res.text, 'briefing_relay_forwarding_latency_seconds_count') > 0);
  assert.ok(sample(res.text, 'briefing_relay_output_latency_seconds_count{output="mosaic"}') > 0);
  assert.ok(/^briefing_relay_jitter_seconds\{province="TH-50",kind="video"\} /m.test(res.text));
});

test('an office\'s counters keep growing when it publishes again (a new session)', async () => {
  const series = 'briefing_relay_rtp_bytes_total{direction="in",province="TH-51",kind="video"}';
  const old = await getJson(`${relay.url}api/v1/provinces/TH-51`, { token: TOKENS.wall });
  const before = sample((await getMetrics('/metrics', { headers: bearer(TOKENS.metrics) })).text, series);
  assert.ok(before > 0);
  // The office's publisher goes and comes back: a new session replaces the
  // lost one. (A new device is let in once the relay has seen the old one
  // go: until then the office is live elsewhere, docs/API.md.)
  await publishers[1].kill();
  await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/TH-51`, { token: TOKENS.wall }))
    .state !== 'live', { timeoutMs: 120000, describe: 'TH-51 seen gone' });
  publishers.push(startPublisher(relay, ['TH-51']));
  const fresh = await waitFor(async () => {
    const s = await getJson(`${relay.url}api/v1/provinces/TH-51`, { token: TOKENS.wall });
    return s.session !== old.session && s.state === 'live' && s.video?.bytes_received > 0 ? s : null;
  }, { timeoutMs: 120000, describe: 'TH-51 live in a new session' });
  const after = sample((await getMetrics('/metrics', { headers: bearer(TOKENS.metrics) })).text, series);
  // The ended session's bytes stay counted under the new session's.
  assert.ok(after >= before + fresh.video.bytes_received,
    `${series}: ${after} after, ${before} before, ${fresh.video.bytes_received} in the new session`);
});

/* Values the served schema takes: its required fields at their least. */
function validValues(schema) {
  const values = {};
  for (const f of schema.fields.filter((field) => field.required)) {
    if (f.type === 'enum') values[f.name] = f.values[0];
    else if (f.type === 'text') values[f.name] = 'normal';
    else values[f.name] = Math.max(0, f.min ?? 0);
  }
  return values;
}

test('figures accepted and refused, and the webhook\'s backlog while its receiver refuses', async () => {
  const schema = await getJson(`${relay.url}api/v1/figures/schema`);
  const date = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10); // Bangkok's day
  const submit = (id, values) => request(new URL('api/v1/reports', relay.url), {
    method: 'POST',
    headers: { ...bearer(TOKENS.office50), 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'figures', id, date, values }),
  });
  const values = validValues(schema);
  assert.equal((await submit('metrics-1', values)).status, 201);
  assert.equal((await submit('metrics-1', values)).status, 200); // a retry
  const bad = await submit('metrics-2', { ...values, [schema.fields[0].name]: -5 });
  assert.equal(bad.status, 422, bad.text);

  const read = async () => (await getMetrics('/metrics', { headers: bearer(TOKENS.metrics) })).text;
  const body = await waitFor(async () => {
    const text = await read();
    return sample(text, 'briefing_relay_webhook_failed_attempts_total{webhook="datacentre"}') >= 1
      && deliveries.length >= 1 ? text : null;
  }, { timeoutMs: 60000, describe: 'a failed delivery counted' });
  assert.equal(sample(body, 'briefing_relay_figures_accepted_total{channel="https",result="stored"}'), 1);
  assert.equal(sample(body, 'briefing_relay_figures_accepted_total{channel="https",result="repeated"}'), 1);
  assert.equal(sample(body, 'briefing_relay_figures_refused_total{channel="https",reason="invalid"}'), 1);
  assert.equal(sample(body, 'briefing_relay_figures_accepted_total{channel="data-channel",result="stored"}'), 0);
  assert.equal(sample(body, 'briefing_relay_webhook_pending{webhook="datacentre"}'), 1);
  assert.equal(sample(body, 'briefing_relay_webhook_delivered_total{webhook="datacentre"}'), 0);
});

test('who may read: the metrics token, or an allowed address; everyone else is refused', async () => {
  const none = await getMetrics('/metrics');
  assert.equal(none.status, 401);
  assert.equal(JSON.parse(none.text).error, 'unauthorized');
  assert.equal(none.headers['www-authenticate'], 'Bearer realm="briefing-relay"');

  const wrong = await getMetrics('/metrics', { headers: bearer('not-the-metrics-token') });
  assert.equal(wrong.status, 401);
  assert.match(wrong.headers['www-authenticate'], /error="invalid_token"/);

  for (const token of [TOKENS.wall, TOKENS.minister, TOKENS.office50]) {
    const other = await getMetrics('/metrics', { headers: bearer(token) });
    assert.equal(other.status, 403, `${token}: ${other.text}`);
    assert.equal(JSON.parse(other.text).error, 'forbidden');
  }

  // A minister signed in by the cookie (the phone page) is no scraper either.
  const origin = new URL(relay.url).origin;
  const signIn = await request(new URL('api/v1/session', relay.url),
    { method: 'POST', headers: { ...bearer(TOKENS.minister), Origin: origin } });
  const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('briefing_session='));
  assert.ok(cookie, `signed in: ${signIn.status} ${signIn.text}`);
  const byCookie = await getMetrics('/metrics', { headers: { Cookie: cookie.split(';')[0] } });
  assert.equal(byCookie.status, 401, byCookie.text);

  // Never in a URL, even the right one.
  const inUrl = await getMetrics(`/metrics?token=${TOKENS.metrics}`);
  assert.equal(inUrl.status, 400);
  assert.equal(JSON.parse(inUrl.text).error, 'token-in-url');

  const post = await request(new URL('/metrics', relay.url), { method: 'POST', headers: bearer(TOKENS.metrics) });
  assert.equal(post.status, 405);

  // The refusals are themselves counted.
  const body = (await getMetrics('/metrics', { headers: bearer(TOKENS.metrics) })).text;
  assert.ok(sample(body, 'briefing_relay_limit_refusals_total{reason="token-in-url"}') >= 1);
  assert.ok(sample(body, 'briefing_relay_http_requests_total{class="4xx"}') >= 6);
});

test('wrong tokens from an address throttle it here as on the API: then even the right token waits', async () => {
  let throttled = null;
  for (let i = 0; i < 50 && !throttled; i++) {
    const res = await getMetrics('/metrics', { headers: bearer(`wrong-token-${i}`) });
    if (res.status === 429) throttled = res;
    else assert.equal(res.status, 401);
  }
  assert.ok(throttled, 'no 429 after 50 wrong tokens');
  assert.equal(JSON.parse(throttled.text).error, 'too-many-failures');
  const right = await getMetrics('/metrics', { headers: bearer(TOKENS.metrics) });
  assert.equal(right.status, 429);
  // Another address is not throttled, and sees the refusals counted.
  const other = await getMetrics('/metrics', { headers: bearer(TOKENS.metrics), localAddress: '127.0.0.2' });
  assert.equal(other.status, 200);
  assert.ok(sample(other.text, 'briefing_relay_limit_refusals_total{reason="too-many-failures"}') >= 2);
});

test('without a metrics token: an address in allowed-addresses reads, another is refused (loopback not implied)', async () => {
  const second = await startRelay({
    extraConfig: {
      relay: { 'dev-tokens': 'false' },
      metrics: { 'allowed-addresses': '127.0.0.2/32, 192.0.2.0/24' },
    },
  });
  try {
    const get = (opts) => new Promise((resolve, reject) => {
      const req = http.request(new URL('/metrics', second.url), { timeout: 10000, ...opts }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      });
      req.on('error', reject);
      req.end();
    });
    const outside = await get({});
    assert.equal(outside.status, 403);
    assert.equal(JSON.parse(outside.text).error, 'address-not-allowed');
    const inside = await get({ localAddress: '127.0.0.2' });
    assert.equal(inside.status, 200, inside.text);
    assert.match(inside.text, /^briefing_relay_offices\{state="offline"\} 76$/m);
    // A token from the allowed address is still judged: one of nobody is refused.
    const wrong = await get({ localAddress: '127.0.0.2', headers: bearer('a-token-of-nobody') });
    assert.equal(wrong.status, 401);
  } finally {
    await second.stop();
    second.cleanup();
  }
});
