// Shared by the benchmarks: what /proc says about a process.
import fs from 'node:fs';

const CLK_TCK = 100;

export function procStat(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKib = Number(status.match(/VmRSS:\s+(\d+)/)[1]);
  const threads = Number(status.match(/Threads:\s+(\d+)/)[1]);
  let transportThreads = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      if (fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith('transport-')) transportThreads++;
    } catch { /* thread ended */ }
  }
  return { cpu, rssKib, threads, transportThreads };
}

/* CPU seconds per thread group: threads named alike but for a trailing
 * number ("transport-0", "transport-1"; Janus's "hloop 1234") add up. */
export function threadGroupCpu(pid) {
  const groups = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group = comm.replace(/[\s:_-]*\d+$/, '') || comm;
      groups[group] = (groups[group] ?? 0) + (Number(f[11]) + Number(f[12])) / CLK_TCK;
    } catch { /* thread ended */ }
  }
  return groups;
}

/* Cores used by each thread group between two threadGroupCpu() readings
 * (threads that ended in between are lost: use over steady states). */
export function threadGroupCores(a, b, seconds) {
  const out = {};
  for (const [g, cpu] of Object.entries(b)) out[g] = (cpu - (a[g] ?? 0)) / seconds;
  return out;
}

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

