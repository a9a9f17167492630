// Charts of a bench/compare-janus result: node bench/janus/charts.mjs RESULT.json OUTDIR
// Writes OUTDIR/janus-forward-cpu.png (server cores with N publishers each
// forwarded to M subscribers, ours vs Janus), janus-forward-cpu-per-stream.png,
// janus-join.png and janus-audio-cpu.png (gnuplot, pngcairo or png).
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
chart('janus-join.png', `Join time, subscriber POST to first video frame, p50 (${when})`, 'ms',
  series((x) => x.join_ms_p50));
chart('janus-audio-cpu.png', `Audio mix of N unmuted participants: server CPU (${when})`, 'cores (CPU s per s)',
  ['ours', 'janus'].map((s) => ({
    key: `audio-${s}`, rows: (r[s]?.audio_mix ?? []).map((x) => [x.participants, x.cores_unmuted]),
    colour: colours[s], dash: 1, title: s === 'ours' ? 'briefing-relay conference mix' : 'Janus AudioBridge',
  })));
fs.rmSync(tmp, { recursive: true, force: true });
