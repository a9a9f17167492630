// Markdown tables of a bench/compare-janus result (for docs/PERFORMANCE.md):
//   node bench/janus/table.mjs bench/results/compare-janus-<date>.json
import fs from 'node:fs';

const r = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const f = (x, d) => (x === null || x === undefined ? 'n/a' : typeof x === 'number' && d !== undefined ? x.toFixed(d) : String(x));
const mark = (x, target = 1.0) => (x === null || x === undefined ? 'n/a' : x <= target ? `${f(x, 2)}` : `**${f(x, 2)}**`);
const out = [];
out.push('| N × M | server | cores, publishers only | cores, with subscribers | CPU s per forwarded stream-s (process) | (transport threads) | RSS | RSS per peer | RSS per subscriber | threads | ICE+DTLS after answer p50 / p99 | join p50 / p99 | key frame end to end p50 / p99 | in-relay forwarding p50 / p99 |');
out.push('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const o of r.ours?.forwarding ?? []) {
  const j = r.janus?.forwarding?.find((x) => x.publishers === o.publishers && x.subscribers_each === o.subscribers_each);
  for (const [name, x] of [['ours', o], ['Janus', j]]) {
    if (!x) continue;
    if (x.error) {
      out.push(`| ${x.publishers} × ${x.subscribers_each} | ${name} | ${x.error.slice(0, 120)} | | | | | | | | | | | |`);
      continue;
    }
    out.push(`| ${x.publishers} × ${x.subscribers_each} | ${name} | ${f(x.cores_publishers_only, 3)} | ${f(x.cores_with_subscribers, 3)} | ${f(x.cpu_s_per_stream_s, 4)} | ${f(x.transport_cpu_s_per_stream_s, 4)} | ${f(x.rss_mib, 1)} MiB | ${f(x.rss_kib_per_peer)} KiB | ${f(x.rss_kib_per_subscriber)} KiB | ${x.threads} | ${x.handshake_ms_p50 ?? 'n/a'} / ${x.handshake_ms_p99 ?? 'n/a'} ms | ${x.join_ms_p50} / ${x.join_ms_p99} ms | ${x.e2e_keyframe_ms ? `${x.e2e_keyframe_ms.p50} / ${x.e2e_keyframe_ms.p99} ms` : 'n/a'} | ${x.forward_us_p50 === null ? 'n/a' : `${(x.forward_us_p50 / 1000).toFixed(2)} / ${(x.forward_us_p99 / 1000).toFixed(1)} ms`} |`);
  }
}
out.push('');
out.push('Ratios ours / Janus (target ≤ 1.0; misses in bold):');
out.push('');
out.push('| N × M | forwarding CPU (process) | forwarding CPU (transport threads) | join time p50 | join time p99 | RSS per peer | RSS per subscriber | handshake p50 / p99 (no target) | key frame end to end p50 / p99 (no target) |');
out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const x of r.ratios ?? []) {
  if (x.error) continue;
  out.push(`| ${x.publishers} × ${x.subscribers_each} | ${mark(x.forwarding_cpu)} | ${mark(x.forwarding_cpu_transport_threads)} | ${mark(x.join_time_p50)} | ${mark(x.join_time_p99)} | ${mark(x.rss_per_peer)} | ${mark(x.rss_per_subscriber)} | ${f(x.handshake_time_p50, 2)} / ${f(x.handshake_time_p99, 2)} | ${f(x.e2e_keyframe_p50, 2)} / ${f(x.e2e_keyframe_p99, 2)} |`);
}
if (r.ours?.audio_mix) {
  out.push('');
  out.push('| participants | server | cores, all muted | cores, all unmuted | mix CPU s per participant-s | RSS | threads | mix latency p50 / p99 | ratio mix CPU |');
  out.push('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const o of r.ours.audio_mix) {
    const j = r.janus?.audio_mix?.find((x) => x.participants === o.participants);
    const ratio = r.audio_ratios?.find((x) => x.participants === o.participants);
    for (const [name, x] of [['ours', o], ['Janus AudioBridge', j]]) {
      if (!x) continue;
      out.push(`| ${x.participants} | ${name} | ${f(x.cores_muted, 3)} | ${f(x.cores_unmuted, 3)} | ${f(x.mix_cpu_s_per_participant_s, 4)} | ${f(x.rss_mib, 1)} MiB | ${x.threads} | ${x.mix_latency_ms_p50 === null ? 'n/a' : `${x.mix_latency_ms_p50} / ${x.mix_latency_ms_p99} ms`} | ${name === 'ours' ? mark(ratio?.audio_mix_cpu) : ''} |`);
    }
  }
}
console.log(out.join('\n'));
