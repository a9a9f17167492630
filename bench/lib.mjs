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

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

