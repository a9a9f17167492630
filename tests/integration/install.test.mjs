// `meson install` as an operator runs it (issue 18, item 2): into a
// throw-away DESTDIR, the binary, the default config, the systemd unit and
// its sysusers.d user land where Debian expects them; systemd-analyze
// verifies the unit; and the installed binary, started as the unit starts
// it (installed config, --data-dir for the state directory) but on a free
// port and a temporary state directory, answers /api/v1/health.
// BRIEFING_BUILD_DIR: the build tree to install (default <repo>/build).
// The Debian package (scripts/package) is not built here: it compiles the
// relay again, minutes on this machine.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, request } from '../../tools/lib/relay.mjs';

const BUILD_DIR = process.env.BRIEFING_BUILD_DIR
  ? path.resolve(process.env.BRIEFING_BUILD_DIR)
  : path.join(REPO_ROOT, 'build');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-install-'));
const destdir = path.join(tmp, 'root');
let child = null;

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
  }
  if (!process.env.BRIEFING_KEEP_TMP) {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// The build tree may have been set up with any prefix: what the unit names
// (ExecStart=, the config path) follows it, so the test reads it back.
function mesonOption(name) {
  const r = spawnSync('meson', ['introspect', '--buildoptions', BUILD_DIR], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const option = JSON.parse(r.stdout).find((o) => o.name === name);
  assert.ok(option, `meson option ${name}`);
  return option.value;
}

const prefix = mesonOption('prefix');
const sysconfdir = path.resolve(prefix, mesonOption('sysconfdir'));
const localstatedir = path.resolve(prefix, mesonOption('localstatedir'));
const bindir = path.resolve(prefix, mesonOption('bindir'));
const unitdir = mesonOption('systemdsystemunitdir') || path.join(prefix, 'lib/systemd/system');
const inRoot = (p) => path.join(destdir, p);

test('meson install --destdir puts the binary, config, unit and user in place', () => {
  const r = spawnSync('meson', ['install', '-C', BUILD_DIR, '--destdir', destdir, '--quiet'],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, `meson install: ${r.stdout}\n${r.stderr}`);

  const bin = inRoot(path.join(bindir, 'briefing-relay'));
  fs.accessSync(bin, fs.constants.X_OK);

  const config = fs.readFileSync(inRoot(path.join(sysconfdir, 'briefing-relay/relay.ini')), 'utf8');
  assert.match(config, new RegExp(`^data-dir=${localstatedir}/lib/briefing-relay$`, 'm'),
    'the installed config keeps its state in the StateDirectory');
  assert.doesNotMatch(config, /^data-dir=var$/m);

  const unit = fs.readFileSync(inRoot(path.join(unitdir, 'briefing-relay.service')), 'utf8');
  assert.match(unit, new RegExp(`^ExecStart=${bindir}/briefing-relay --config ${sysconfdir}/briefing-relay/relay.ini --data-dir %S/briefing-relay$`, 'm'));
  for (const line of ['User=briefing-relay', 'Environment=XDG_CACHE_HOME=%C/briefing-relay', 'StateDirectory=briefing-relay',
    'ConfigurationDirectory=briefing-relay', 'ProtectSystem=strict', 'ProtectHome=true',
    'NoNewPrivileges=true', 'PrivateTmp=true', 'Restart=on-failure']) {
    assert.match(unit, new RegExp(`^${line}$`, 'm'), `the unit has ${line}`);
  }
  assert.match(unit, /^LimitNOFILE=\d+$/m);
  // The relay has no SIGHUP handler: a reload would kill it.
  assert.doesNotMatch(unit, /^ExecReload=/m);

  const sysusers = fs.readFileSync(inRoot(path.join(prefix, 'lib/sysusers.d/briefing-relay.conf')), 'utf8');
  assert.match(sysusers, /^u briefing-relay /m);
});

test('systemd-analyze verify accepts the installed unit', () => {
  // verify checks that ExecStart's binary exists and it resolves the
  // unit's dependencies against this machine's units (which --root would
  // hide): the installed unit, its ExecStart pointed at the DESTDIR's
  // binary, is verified from a directory of its own.
  const unit = fs.readFileSync(inRoot(path.join(unitdir, 'briefing-relay.service')), 'utf8');
  const installedBin = path.join(bindir, 'briefing-relay');
  assert.ok(unit.includes(`ExecStart=${installedBin} `));
  const verifyDir = path.join(tmp, 'verify');
  fs.mkdirSync(verifyDir);
  const unitPath = path.join(verifyDir, 'briefing-relay.service');
  fs.writeFileSync(unitPath, unit.replace(`ExecStart=${installedBin} `, `ExecStart=${inRoot(installedBin)} `));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', unitPath],
    { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_LEVEL: 'notice' } });
  const output = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, `systemd-analyze verify: ${output}`);
  // verify exits 0 on some complaints (an unknown key, a bad value, that
  // it then ignores): any line naming the unit is one.
  const complaints = output.split('\n').filter((l) => l.includes('briefing-relay.service'));
  assert.deepEqual(complaints, [], output);
});

test('the installed binary with the installed config answers /api/v1/health', async () => {
  const state = path.join(tmp, 'state');
  fs.mkdirSync(state);
  child = spawn(inRoot(path.join(bindir, 'briefing-relay')),
    ['--config', inRoot(path.join(sysconfdir, 'briefing-relay/relay.ini')),
      '--data-dir', state, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const url = await new Promise((resolve, reject) => {
    // Bound for a relay that never starts, not a speed.
    const timer = setTimeout(() => reject(new Error(`no start: ${stdout}\n${stderr}`)), 120000);
    child.stdout.on('data', (c) => {
      stdout += c;
      const m = /listening on (https?:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].endsWith('/') ? m[1] : `${m[1]}/`);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stdout}\n${stderr}`)));
  });
  const health = await request(`${url}api/v1/health`);
  assert.equal(health.status, 200, health.text);
  // The state went to --data-dir, not beside the config.
  assert.ok(fs.existsSync(path.join(state, 'dev-tokens.ini')), 'dev tokens in the state dir');
  assert.ok(!fs.existsSync(inRoot(path.join(sysconfdir, 'briefing-relay/var'))));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});
