// BENCH_PEERS=<dir> (e.g. ../shared/bench): the same `npm run bench` also
// runs that folder's peer harness (`run.sh`) with this project's compiled
// server as one more server, on the harness's scenarios S1-S4 and seeded
// data, and prints the project's ratios to both peers beside the targets.
// The harness runs the servers one after another; ratios come from one run.
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
interface HarnessOutput {
  summary: Record<string, Record<string, ScenarioResult>>;
}

/** Runs the peers; resolves false when the harness failed or any answer failed. */
export async function runPeers(peersDir: string, projectRoot: string): Promise<boolean> {
  const dir = resolve(peersDir);
  const script = join(dir, 'run.sh');
  if (!existsSync(script)) {
    console.log(`\nBENCH_PEERS: no run.sh in ${dir}`);
    return false;
  }
  const out = mkdtempSync(join(tmpdir(), 'bench-peers-'));
  const results = join(out, 'results.json');
  try {
    console.log(`\n=== peers (${dir}): ceiling, mercurius and this project, one after another ===`);
    const code = await new Promise<number | null>((done) => {
      // `npm start`, as the start-up target is measured (the build is fresh: bench runs build-if-stale first).
      const child = spawn('sh', [script, 'project=.::npm start'], {
        cwd: projectRoot,
        env: { ...process.env, BENCH_OUT: results },
        stdio: 'inherit',
      });
      child.once('exit', (exitCode) => done(exitCode));
    });
    if (code !== 0 || !existsSync(results)) {
      console.log(`BENCH_PEERS: the harness exited with ${code}`);
      return false;
    }
    const { summary } = JSON.parse(readFileSync(results, 'utf8')) as HarnessOutput;
    console.log('\n=== this project against the peers (same run) ===');
    console.log('| scenario | req/s | p99 ms | failures | vs ceiling | vs mercurius | target | met |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
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
      console.log(
        `| ${scenario} | ${project.okPerSec.toFixed(0)} | ${project.p99} | ${project.failures} | ${project.vsCeiling.toFixed(2)} | ${vsMercurius.toFixed(2)} | ${targetText} | ${met ? 'yes' : 'no'} |`,
      );
      if (project.failures > 0) clean = false;
    }
    return clean;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
