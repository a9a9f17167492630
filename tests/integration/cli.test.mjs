// The relay's command line and start-up as a newcomer meets them: --version,
// --help, --port, the start banner listing every page, and a second relay
// started on a port already taken (a second scripts/run): a clear message
// naming the address, the process that holds it and the way out, exit
// status 2, and nothing of its data directory touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startRelay, RELAY_BIN, REPO_ROOT } from '../../tools/lib/relay.mjs';

/* Runs the relay binary to its exit: { code, signal, stdout, stderr }.
 * The bound is for a relay that hangs instead of exiting, not a speed. */
function runRelay(args, timeoutMs = 120000) {
  return new Promise((resolve, reject) => {
    const child = spawn(RELAY_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`briefing-relay ${args.join(' ')} did not exit; stdout ${stdout}; stderr ${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/* A port nobody listens on a moment ago. */
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

const projectVersion = () => {
  const m = /project\(\s*'briefing-relay'[^)]*?version:\s*'([^']+)'/s
    .exec(fs.readFileSync(path.join(REPO_ROOT, 'meson.build'), 'utf8'));
  assert.ok(m, 'meson.build declares the project version');
  return m[1];
};

test('--version prints the project version of meson.build and exits 0', async () => {
  const r = await runRelay(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `briefing-relay ${projectVersion()}\n`);
});

test('--help lists --port, --version, --config and the exit statuses', async () => {
  const r = await runRelay(['--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const option of ['--port=N', '--version', '--config=FILE', '--check-config', '--debug', '--data-dir=DIR']) {
    assert.ok(r.stdout.includes(option), `--help mentions ${option}:\n${r.stdout}`);
  }
  assert.match(r.stdout, /Exit status: 0 .*SIGINT/s);
});

test('--port out of range or not a number: refused with exit status 2', async () => {
  for (const value of ['70000', '-5', 'eighty']) {
    const r = await runRelay(['--port', value]);
    assert.equal(r.code, 2, `--port ${value}: ${r.stderr}`);
    assert.match(r.stderr, /--port/);
    assert.equal(r.stdout, '');
  }
});

let relay;
before(async () => {
  relay = await startRelay({});
});
after(async () => {
  await relay.stop();
});

test('the banner lists every page under web/ with its URL', () => {
  const port = new URL(relay.url).port;
  const banner = fs.readFileSync(relay.logPath, 'utf8').split('\n')
    .filter((l) => l.startsWith('briefing-relay: '));
  const pages = fs.readdirSync(path.join(REPO_ROOT, 'web')).filter((f) => f.endsWith('.html'));
  assert.ok(pages.length >= 6, `pages under web/: ${pages}`);
  for (const page of pages) {
    const url = `http://localhost:${port}/${page}`;
    assert.ok(banner.some((l) => l.endsWith(` ${url}`)),
      `the banner lists ${url} (a page missing from config/briefing.gresource.xml is neither ` +
      `served nor listed):\n${banner.join('\n')}`);
  }
  // The labels newcomers look for, and the status API.
  for (const [label, page] of [['province page', 'province.html'], ['minister page', 'watch.html'],
    ['ops room', 'ops.html'], ['figures', 'figures.html'], ['review', 'review.html']]) {
    assert.ok(banner.some((l) => new RegExp(`^briefing-relay: ${label} +http://localhost:${port}/${page}$`).test(l)),
      `"${label}" labels ${page}:\n${banner.join('\n')}`);
  }
  assert.ok(banner.some((l) => l.endsWith(`http://localhost:${port}/api/v1/provinces`)));
});

test('--port overrides [relay] http-port', async () => {
  // The harness's config says http-port=0 (any free port).
  const port = await freePort();
  const second = await startRelay({ args: ['--port', String(port)] });
  try {
    assert.equal(second.url, `http://127.0.0.1:${port}/`);
  } finally {
    await second.stop();
    second.cleanup();
  }
});

test('a second relay on a port in use: says where, who holds it and what to do; exit 2; touches nothing', async () => {
  const port = Number(new URL(relay.url).port);
  // Its own configuration and data directory, to see that it leaves it
  // alone: the port is opened before anything is written there.
  const dir = fs.mkdtempSync(path.join(relay.tmpDir, 'second-'));
  const dataDir = path.join(dir, 'var');
  const config = path.join(dir, 'relay.ini');
  fs.writeFileSync(config, `[relay]\nhttp-address=127.0.0.1\nhttp-port=${port}\ndata-dir=${dataDir}\n`);

  const r = await runRelay(['--config', config]);
  assert.equal(r.code, 2, `exit status 2; stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /listening on/);
  assert.ok(r.stderr.includes(`cannot listen on 127.0.0.1:${port}: the port is already in use`), r.stderr);
  assert.match(r.stderr, /--port N/);
  assert.match(r.stderr, /http-port in \[relay\]/);
  if (fs.existsSync('/proc/net/tcp')) {
    // Same user: the holder can be known, and it is the first relay.
    assert.ok(r.stderr.includes(`Held by pid ${relay.process.pid}: ${RELAY_BIN}`), r.stderr);
    assert.match(r.stderr, /Another relay is running there/);
  }
  const written = fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [];
  assert.deepEqual(written, [], 'nothing written to the second relay\'s data directory');
  // The first relay goes on serving.
  const health = await fetch(`${relay.url}api/v1/health`);
  assert.equal(health.status, 200);
});
