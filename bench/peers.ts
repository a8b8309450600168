// BENCH_PEERS=<dir> (e.g. ../shared/bench): the same `npm run bench` also
// runs that folder's peer harness (`run.sh`) with this project's compiled
// server as one more server, on the harness's scenarios S1-S4 and seeded
// data, and prints the project's ratios to both peers beside the targets.
// The harness runs the servers one after another; ratios come from one run.
// Three rounds by default (BENCH_ROUNDS overrides), each on fresh databases:
// the harness reports each figure's median, so one disturbed round (the
// machine is shared) does not decide the comparison.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The targets of the speed issue: a ratio to `ceiling`, and whether the project must also beat mercurius. */
const TARGETS: Record<string, { vsCeiling: number; aheadOfMercurius: boolean }> = {
  S1: { vsCeiling: 0.6, aheadOfMercurius: true },
  S2: { vsCeiling: 0.6, aheadOfMercurius: true },
  S4: { vsCeiling: 0.75, aheadOfMercurius: false },
  S3: { vsCeiling: 0.7, aheadOfMercurius: false },
};

interface ScenarioResult {
  okPerSec: number;
  p99: number;
  failures: number;
  vsCeiling: number;
}
interface ServerRound {
  name: string;
  startupSeconds: number;
  peakRssTreeMB: number;
}
interface HarnessOutput {
  summary: Record<string, Record<string, ScenarioResult>>;
  runs: ServerRound[];
}

/** The targets for the whole server, checked on the median of the rounds. */
const SERVER_TARGETS = [
  { label: 'start to healthy (s)', value: (r: ServerRound) => r.startupSeconds, atMost: 1.0, digits: 1 },
  { label: 'peak RSS of the process tree (MB)', value: (r: ServerRound) => r.peakRssTreeMB, atMost: 250, digits: 0 },
];

/** The harness's own median (the middle two averaged), so these rows agree with its "median over rounds" table; format.ts's percentile picks one of the two. */
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const DEFAULT_ROUNDS = '3';

export interface PeerComparison {
  /** False when the harness failed or any answer failed. */
  clean: boolean;
  /** The comparison table (markdown lines), printed again beside the summary at the end. */
  table: string[];
}

/** Runs the peers and prints the project's ratios to both beside the targets. */
export async function runPeers(peersDir: string, projectRoot: string): Promise<PeerComparison> {
  const dir = resolve(peersDir);
  const script = join(dir, 'run.sh');
  if (!existsSync(script)) {
    console.log(`\nBENCH_PEERS: no run.sh in ${dir}`);
    return { clean: false, table: [] };
  }
  const out = mkdtempSync(join(tmpdir(), 'bench-peers-'));
  const results = join(out, 'results.json');
  try {
    console.log(`\n=== peers (${dir}): ceiling, mercurius and this project, one after another ===`);
    const code = await new Promise<number | null>((done) => {
      // `npm start`, as the start-up target is measured (the build is fresh: bench runs build-if-stale first).
      const child = spawn('sh', [script, 'project=.::npm start'], {
        cwd: projectRoot,
        env: { ...process.env, BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? DEFAULT_ROUNDS, BENCH_OUT: results },
        stdio: 'inherit',
      });
      child.once('exit', (exitCode) => done(exitCode));
    });
    if (code !== 0 || !existsSync(results)) {
      console.log(`BENCH_PEERS: the harness exited with ${code}`);
      return { clean: false, table: [] };
    }
    const { summary, runs } = JSON.parse(readFileSync(results, 'utf8')) as HarnessOutput;
    const table = [
      '| scenario | req/s | p99 ms | failures | vs ceiling | vs mercurius | target | met |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ];
    let clean = true;
    for (const [scenario, servers] of Object.entries(summary)) {
      const project = servers.project;
      const ceiling = servers.ceiling;
      const mercurius = servers.mercurius;
      if (!project || !ceiling || !mercurius) continue;
      const vsMercurius = project.okPerSec / mercurius.okPerSec;
      const target = TARGETS[scenario];
      const met = target ? project.vsCeiling >= target.vsCeiling && (!target.aheadOfMercurius || vsMercurius > 1) : true;
      const targetText = target ? `≥ ${target.vsCeiling.toFixed(2)}${target.aheadOfMercurius ? ', ahead of mercurius' : ''}` : '-';
      table.push(
        `| ${scenario} | ${project.okPerSec.toFixed(0)} | ${project.p99} | ${project.failures} | ${project.vsCeiling.toFixed(2)} | ${vsMercurius.toFixed(2)} | ${targetText} | ${met ? 'yes' : 'no'} |`,
      );
      if (project.failures > 0) clean = false;
    }
    const rounds = (name: string) => runs.filter((run) => run.name === name);
    for (const target of SERVER_TARGETS) {
      const [project, ceiling, mercurius] = ['project', 'ceiling', 'mercurius'].map((name) => median(rounds(name).map(target.value)));
      const met = project! <= target.atMost;
      table.push(
        `| ${target.label} | ${project!.toFixed(target.digits)} (ceiling ${ceiling!.toFixed(target.digits)}, mercurius ${mercurius!.toFixed(target.digits)}) | | | | | ≤ ${target.atMost} | ${met ? 'yes' : 'no'} |`,
      );
    }
    console.log('\n=== this project against the peers (same run) ===');
    for (const line of table) console.log(line);
    return { clean, table };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
