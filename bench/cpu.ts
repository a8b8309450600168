// CPU accounting from /proc, so each scenario can say who used the cores:
// the server, the load generator, the database processes, or something else.
// Every reading is null off Linux (the columns then say n/a).
import { readdirSync, readFileSync } from 'node:fs';

/** A scenario during which other processes used more than this share of a core is flagged as disturbed. */
export const DISTURBED_CPU = 0.15;

/** utime + stime of a /proc/<pid>/stat line, in seconds. */
function statCpuSeconds(stat: string): number {
  // Fields after the "(comm)" part (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** CPU seconds (user + system) the process has used so far. */
export function processCpuSeconds(pid: number | undefined): number | null {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * CPU seconds per process of every local postgres and redis-server process
 * (machine-wide: includes anything else using them), or null when /proc shows
 * none (a remote database, or not Linux).
 */
export function databaseCpuSnapshot(): Map<number, number> | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const snapshot = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres' && comm !== 'redis-server') continue;
      snapshot.set(Number(entry), statCpuSeconds(stat));
    } catch {
      // gone meanwhile
    }
  }
  return snapshot.size ? snapshot : null;
}

/** CPU seconds the database processes used between two snapshots (new processes count from 0). */
export function databaseCpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** CPU seconds all cores have been busy so far (including steal), from /proc/stat. */
export function machineBusySeconds(): number | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / 100;
  } catch {
    return null;
  }
}
