// perf profile of our relay's conference mix, as quoted in docs/PERFORMANCE.md
// ("Side by side with Janus"): N publishers (default 8), 10 s with all muted,
// then 10 s with all unmuted by the chair, perf record -g on the relay each time.
//   node bench/janus/profile-mix.mjs [N] [OUTDIR]
//   perf report -i OUTDIR/perf-unmuted.data --no-children --sort dso -g none --stdio
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startRelay, request, sleep, REPO_ROOT } from '../../tools/lib/relay.mjs';
import { startPublisher, devTokensFile } from '../../tools/lib/publisher.mjs';

const CHAIR = 'chair-token-for-the-profile';
const n = Number(process.argv[2] ?? 8);
const outDir = process.argv[3] ?? '.';
const relay = await startRelay({ extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } } });
const codes = fs.readFileSync(path.join(REPO_ROOT, 'config', 'provinces.csv'), 'utf8')
  .trim().split('\n').slice(1).map((l) => l.split(',')[0]).slice(0, n);
const pub = startPublisher(relay, codes, { tokensFile: devTokensFile(relay), joinIntervalMs: 20, deleteOnExit: true, nice: 10 });
try {
  await sleep(6000);
  for (const mode of ['muted', 'unmuted']) {
    for (const c of codes) {
      await request(`${relay.url}api/v1/conference/participants/${c}`, {
        method: 'PUT', headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ muted: mode === 'muted' }),
      });
    }
    await sleep(3000);
    spawnSync('timeout', ['60', 'perf', 'record', '-F', '499', '-g', '-o', path.join(outDir, `perf-${mode}.data`),
      '-p', String(relay.process.pid), '--', 'sleep', '10'], { stdio: 'ignore' });
  }
} finally {
  await pub.stop();
  await relay.stop();
  relay.cleanup();
}
