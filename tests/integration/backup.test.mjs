// `briefing-relay backup FILE` while 8 offices submit figures, then
// `briefing-relay restore FILE` into a fresh data directory: every figure
// acknowledged before the backup started is in the restored store, read back
// through the API of a relay started on it. Also: restore refuses while a
// relay runs on the store, and refuses a file that is not a store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  LOAD_GENERATOR_LIMITS, RELAY_BIN, getJson, request, startRelay, waitFor,
} from '../../tools/lib/relay.mjs';

const CHAIR = 'chair-backup-token';
const CODES = ['TH-11', 'TH-12', 'TH-13', 'TH-14', 'TH-15', 'TH-16', 'TH-17', 'TH-50'];
const OFFICES = Object.fromEntries(CODES.map((c) => [c, `tok-${c.toLowerCase()}`]));
// Generous bounds for a loaded machine; they cost time only when broken.
const WAIT_MS = 180000;

/* Runs the relay binary with `args`; resolves { code, stdout, stderr }. */
function runRelayCommand(args) {
  return new Promise((resolve) => {
    execFile(RELAY_BIN, args, { timeout: WAIT_MS }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? -1) : 0, stdout, stderr });
    });
  });
}

function sqliteQuery(file, sql) {
  const py = spawnSync('python3', ['-c',
    'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nprint(c.execute(sys.argv[2]).fetchall())\n',
    file, sql], { encoding: 'utf8' });
  assert.equal(py.status, 0, `${sql} on ${file}: ${py.stderr}`);
  return py.stdout.trim();
}

test('backup while 8 offices submit figures; restore into a fresh data dir keeps every figure acknowledged before it',
  { timeout: 900000 }, async (t) => {
    const extraConfig = {
      'viewer chair': { role: 'chair', token: CHAIR },
      // The offices submit back to back from one address, which the
      // per-address and per-office figures rates exist to refuse.
      limits: LOAD_GENERATOR_LIMITS,
    };
    const relay = await startRelay({ provinces: OFFICES, extraConfig });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-backup-'));
    let restored = null;
    let submitting = true;
    const loops = [];
    try {
      const schema = await getJson(`${relay.url}api/v1/figures/schema`);
      const values = {};
      for (const f of schema.fields) {
        if (!f.required) continue;
        if (f.type === 'enum') values[f.name] = f.values[0];
        else if (f.type === 'text') values[f.name] = 'ปกติ';
        else values[f.name] = Math.max(0, Math.ceil(f.min ?? 0));
      }
      const counted = schema.fields.find((f) => f.type === 'integer').name;
      const date = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
      const acked = Object.fromEntries(CODES.map((c) => [c, []]));
      // Each office submits one figure after another, each a new version,
      // until told to stop; an id counts once its 201 has arrived.
      for (const code of CODES) {
        loops.push((async () => {
          for (let n = 1; submitting; n++) {
            const id = `${code}-${n}`;
            const r = await request(new URL('api/v1/reports', relay.url), {
              method: 'POST',
              headers: { Authorization: `Bearer ${OFFICES[code]}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ type: 'figures', id, date, values: { ...values, [counted]: n } }),
              timeoutMs: 60000,
            });
            assert.equal(r.status, 201, `${id}: ${r.text}`);
            acked[code].push(id);
          }
        })());
      }
      await waitFor(() => CODES.every((c) => acked[c].length >= 3),
        { timeoutMs: WAIT_MS, describe: 'three figures acknowledged for every office' });

      const before = CODES.flatMap((c) => [...acked[c]]);
      const countsAtStart = Object.fromEntries(CODES.map((c) => [c, acked[c].length]));
      const file = path.join(work, 'store-backup.sqlite');
      const backup = await runRelayCommand(['--config', relay.configPath, 'backup', file]);
      assert.equal(backup.code, 0, `backup: ${backup.stderr}`);
      assert.match(backup.stdout, /backed up .*briefing\.sqlite to .*store-backup\.sqlite \(schema version \d+/);
      // The offices went on being served during and after the backup.
      await waitFor(() => CODES.every((c) => acked[c].length >= countsAtStart[c] + 2),
        { timeoutMs: WAIT_MS, describe: 'every office acknowledged again after the backup' });
      submitting = false;
      await Promise.all(loops);

      assert.equal(sqliteQuery(file, 'PRAGMA integrity_check'), "[('ok',)]");
      assert.ok(!fs.existsSync(`${file}.partial`), 'no partial file left');

      // While the relay runs on its store, restore refuses and changes nothing.
      const storeBefore = fs.readdirSync(relay.dataDir).sort();
      const refused = await runRelayCommand(['--config', relay.configPath, 'restore', file]);
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, /is in use by another briefing-relay process \(pid \d+\): stop the relay before restoring/);
      assert.deepEqual(fs.readdirSync(relay.dataDir).sort(), storeBefore);
      // Nor does a second relay start on it (on another port).
      await assert.rejects(
        startRelay({ provinces: OFFICES, extraConfig: { ...extraConfig, relay: { 'data-dir': relay.dataDir } } }),
        /code=2[\s\S]*is in use by another briefing-relay process \(pid \d+\)/);

      // A file that is not SQLite, and an SQLite database of something else.
      const fresh = path.join(work, 'var');
      const freshConfig = path.join(work, 'relay.ini');
      fs.writeFileSync(freshConfig, `[relay]\nhttp-address=127.0.0.1\nhttp-port=0\ndata-dir=${fresh}\n`);
      const junk = path.join(work, 'junk.sqlite');
      fs.writeFileSync(junk, 'not a database at all\n'.repeat(200));
      const notDb = await runRelayCommand(['--config', freshConfig, 'restore', junk]);
      assert.equal(notDb.code, 1);
      assert.match(notDb.stderr, /junk\.sqlite is not a briefing-relay store: file is not a database/);
      const foreign = path.join(work, 'foreign.sqlite');
      sqliteQuery(foreign, 'CREATE TABLE notes (text TEXT)');
      const notStore = await runRelayCommand(['--config', freshConfig, 'restore', foreign]);
      assert.equal(notStore.code, 1);
      assert.match(notStore.stderr, /foreign\.sqlite is an SQLite database but not a briefing-relay store/);
      // A store damaged in its pages.
      const damaged = path.join(work, 'damaged.sqlite');
      const bytes = fs.readFileSync(file);
      bytes.fill(0x5a, 4096, Math.min(bytes.length, 4096 * 3));
      fs.writeFileSync(damaged, bytes);
      const broken = await runRelayCommand(['--config', freshConfig, 'restore', damaged]);
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, /damaged\.sqlite (is damaged|is not a briefing-relay store)/);
      assert.ok(!fs.existsSync(path.join(fresh, 'briefing.sqlite')), 'nothing restored from bad files');

      const done = await runRelayCommand(['--config', freshConfig, 'restore', file]);
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /restored .*store-backup\.sqlite into .*briefing\.sqlite/);
      assert.match(done.stdout, /there was no store before/);

      restored = await startRelay({
        provinces: OFFICES,
        extraConfig: { ...extraConfig, relay: { 'data-dir': fresh } },
      });
      const stored = new Set();
      for (const code of CODES) {
        const h = await getJson(`${restored.url}api/v1/reports/history?province=${code}&date=${date}`,
          { token: CHAIR });
        for (const v of h.versions) stored.add(v.id);
      }
      const lost = before.filter((id) => !stored.has(id));
      t.diagnostic(`${before.length} figures acknowledged before the backup, `
        + `${CODES.reduce((n, c) => n + acked[c].length, 0)} in all; ${stored.size} in the restored store`);
      assert.deepEqual(lost, [], `acknowledged before the backup, missing after restore (of ${before.length})`);
    } catch (e) {
      relay.dumpLog();
      restored?.dumpLog('restored relay');
      throw e;
    } finally {
      submitting = false;
      await Promise.allSettled(loops);
      await relay.stop();
      relay.cleanup();
      if (restored) {
        await restored.stop();
        restored.cleanup();
      }
      if (!process.env.BRIEFING_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
    }
  });
