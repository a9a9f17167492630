// Charts of a bench/compare-janus result: node bench/janus/charts.mjs RESULT.json OUTDIR
// Writes OUTDIR/janus-forward-cpu.png (server cores with N publishers each
// forwarded to M subscribers, ours vs Janus), janus-forward-cpu-per-stream.png,
// janus-rss-per-subscriber.png, janus-join.png, janus-audio-cpu.png, and the
// distributions janus-join-cdf.png and janus-e2e-cdf.png (every subscriber's
// join time; every key frame's publisher-to-viewer latency) when the result
// holds the samples (gnuplot, pngcairo or png).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [file, outDir = 'docs/img'] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
fs.mkdirSync(outDir, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'janus-charts-'));
const term = spawnSync('gnuplot', ['-e', 'set terminal pngcairo'], { encoding: 'utf8' }).status === 0
  ? 'pngcairo size 800,480 font "DejaVu Sans,10"' : 'png size 800,480';
const subsList = [...new Set((r.ours?.forwarding ?? r.janus?.forwarding ?? []).map((x) => x.subscribers_each))];
const colours = { ours: '#1f77b4', janus: '#d62728' };
const levelsN = [...new Set((r.ours?.forwarding ?? r.janus?.forwarding ?? []).map((x) => x.publishers))];

function dat(name, rows) {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, rows.map((row) => row.join(' ')).join('\n') + '\n');
  return f;
}

function chart(png, title, ylabel, series) {
  const plots = series.filter((s) => s.rows.length).map((s) =>
    `'${dat(`${s.key}.dat`, s.rows)}' using 1:2 with linespoints lw 2 pt 7 dt ${s.dash} lc rgb '${s.colour}' title '${s.title}'`);
  if (!plots.length) return;
  const script = [
    `set terminal ${term}`, `set output '${path.join(outDir, png)}'`,
    `set title "${title}"`, 'set xlabel "publishers (N)"', `set ylabel "${ylabel}"`,
    'set key top left', 'set grid', 'set yrange [0:*]', 'set xrange [0:*]',
    `plot ${plots.join(', ')}`,
  ].join('\n');
  const g = spawnSync('gnuplot', [], { input: script, encoding: 'utf8' });
  if (g.status !== 0) throw new Error(`gnuplot: ${g.stderr}`);
  console.log(`wrote ${path.join(outDir, png)}`);
}

const fwd = (server, m, f) => (r[server]?.forwarding ?? []).filter((x) => x.subscribers_each === m && !x.error).map((x) => [x.publishers, f(x)]);
const series = (f) => ['ours', 'janus'].flatMap((s) => subsList.map((m, i) => ({
  key: `${s}-${m}-${Math.random().toString(36).slice(2)}`, rows: fwd(s, m, f), colour: colours[s], dash: i + 1,
  title: `${s === 'ours' ? 'briefing-relay' : `Janus ${r.janus_version ?? ''} VideoRoom`}, ${m} subscriber${m > 1 ? 's' : ''} each`,
})));
const when = `${r.date.slice(0, 10)}, ${r.cores} cores`;
chart('janus-forward-cpu.png', `Server CPU forwarding N publishers to N x M subscribers (${when})`, 'cores (CPU s per s)',
  series((x) => x.cores_with_subscribers));
chart('janus-forward-cpu-per-stream.png', `CPU per forwarded stream, with minus without subscribers (${when})`,
  'CPU s per forwarded stream-second', series((x) => x.cpu_s_per_stream_s));
chart('janus-rss-per-subscriber.png', `Server memory per subscriber, with minus without subscribers (${when})`,
  'KiB per subscriber', series((x) => x.rss_kib_per_subscriber));
chart('janus-join.png', `Join time, subscriber POST to first video frame, p50 (${when})`, 'ms',
  series((x) => x.join_ms_p50));
chart('janus-audio-cpu.png', `Audio mix of N unmuted participants: server CPU (${when})`, 'cores (CPU s per s)',
  ['ours', 'janus'].map((s) => ({
    key: `audio-${s}`, rows: (r[s]?.audio_mix ?? []).map((x) => [x.participants, x.cores_unmuted]),
    colour: colours[s], dash: 1, title: s === 'ours' ? 'briefing-relay conference mix' : 'Janus AudioBridge',
  })));

// Cumulative distributions: one line per server and level, the fraction of
// samples at or below x ms.
function cdf(png, title, xlabel, field) {
  const lines = [];
  for (const s of ['ours', 'janus']) {
    for (const x of r[s]?.forwarding ?? []) {
      const v = x[field];
      if (x.error || !Array.isArray(v) || !v.length) continue;
      const sorted = [...v].sort((a, b) => a - b);
      const rows = sorted.map((ms, i) => [ms, (i + 1) / sorted.length]);
      const dash = subsList.indexOf(x.subscribers_each) + 1;
      // Dash by M, point shape by N, colour by server.
      const pt = [7, 5, 9, 11, 13][levelsN.indexOf(x.publishers) % 5];
      const every = Math.max(1, Math.floor(rows.length / 8));
      lines.push(`'${dat(`${png}-${s}-${x.publishers}x${x.subscribers_each}.dat`, rows)}' using 1:2 `
        + `with linespoints lw 2 dt ${dash} pt ${pt} pi ${every} lc rgb '${colours[s]}' `
        + `title '${s === 'ours' ? 'briefing-relay' : 'Janus'} ${x.publishers} x ${x.subscribers_each}'`);
    }
  }
  if (!lines.length) return;
  const script = [
    `set terminal ${term.replace('800,480', '800,560')}`, `set output '${path.join(outDir, png)}'`,
    `set title "${title}"`, `set xlabel "${xlabel} (log scale)"`, 'set ylabel "fraction of samples"',
    // Logarithmic: the levels span single milliseconds to seconds.
    'set key below', 'set grid', 'set yrange [0:1]', 'set logscale x', 'set autoscale x',
    `plot ${lines.join(', ')}`,
  ].join('\n');
  const g = spawnSync('gnuplot', [], { input: script, encoding: 'utf8' });
  if (g.status !== 0) throw new Error(`gnuplot: ${g.stderr}`);
  console.log(`wrote ${path.join(outDir, png)}`);
}
cdf('janus-join-cdf.png', `Join time distribution, subscriber POST to first video frame (${when})`, 'ms', 'join_ms_samples');
cdf('janus-e2e-cdf.png', `Key frame latency distribution, publisher push to viewer (${when})`, 'ms',
  'e2e_keyframe_ms_samples');
fs.rmSync(tmp, { recursive: true, force: true });
