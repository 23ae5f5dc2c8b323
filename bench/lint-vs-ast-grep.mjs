#!/usr/bin/env node
/**
 * `backlevel lint` (all rules) against `ast-grep run` with one pattern, over the same tree, in one
 * run: each tool N times, interleaved, median wall time and peak RSS (via /usr/bin/time when
 * present), and the ratio. Build first (`npm run build`).
 *
 *   node bench/lint-vs-ast-grep.mjs [TREE] [--runs N] [--jobs J]
 *
 * TREE defaults to /tmp/nova-2014.1 (make it with
 * `mkdir -p /tmp/nova-2014.1 && git --git-dir=<nova mirror> archive 2014.1 | tar -x -C /tmp/nova-2014.1`).
 * Targets (issue 3): ratio <= 2.0 on a 25 MB Nova-size tree, peak memory <= 1 GB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : dflt;
};
const runs = Number(opt('--runs', '3'));
const jobs = opt('--jobs', undefined);
const tree = resolve(args[0] ?? '/tmp/nova-2014.1');
if (!existsSync(tree)) {
  console.error(`no tree at ${tree}; see the header of this file`);
  process.exit(2);
}
const bin = join(repo, 'bin', 'backlevel.js');
const astGrep = join(repo, 'node_modules', '.bin', 'ast-grep');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function measure(cmd, cmdArgs) {
  const stats = join(tmpdir(), `bench-time-${process.pid}.txt`);
  const argv = timeBin ? ['-f', '%e %M %U %S', '-o', stats, cmd, ...cmdArgs] : cmdArgs;
  const t0 = performance.now();
  const r = spawnSync(timeBin ?? cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const wall = (performance.now() - t0) / 1000;
  let rssMb;
  let cpu;
  if (timeBin && existsSync(stats)) {
    const last = readFileSync(stats, 'utf8').trim().split('\n').pop().split(' ');
    rssMb = Number(last[1]) / 1024;
    cpu = Number(last[2]) + Number(last[3]);
    rmSync(stats, { force: true });
  }
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} exited ${r.status}: ${r.stderr}`);
  return { wall, rssMb, cpu, stdout: r.stdout.toString() };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lintArgs = [bin, '-q', ...(jobs ? ['-j', jobs] : []), 'lint', tree, '-f', 'json'];
const sgArgs = ['run', '-p', '$A.instance_update($$$)', '-l', 'python', tree, '--json=compact'];
const lint = [];
const sg = [];
let findings = 0;
let matches = 0;
for (let i = 0; i < runs; i++) {
  const a = measure(process.execPath, lintArgs);
  findings = JSON.parse(a.stdout).findings.length;
  lint.push(a);
  const b = measure(astGrep, sgArgs);
  matches = JSON.parse(b.stdout).length;
  sg.push(b);
}
const lw = median(lint.map((x) => x.wall));
const sw = median(sg.map((x) => x.wall));
const lc = median(lint.map((x) => x.cpu ?? Number.NaN));
const sc = median(sg.map((x) => x.cpu ?? Number.NaN));
const peak = Math.max(...lint.map((x) => x.rssMb ?? 0));
console.log(
  `tree: ${tree}; runs: ${runs}; load average: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
console.log(
  `backlevel lint (all rules): median ${lw.toFixed(2)} s (CPU ${lc.toFixed(2)} s), peak RSS ${peak.toFixed(0)} MB, ${findings} findings`,
);
console.log(
  `ast-grep run (one pattern): median ${sw.toFixed(2)} s (CPU ${sc.toFixed(2)} s), ${matches} matches`,
);
console.log(
  `ratio backlevel/ast-grep: ${(lw / sw).toFixed(2)} wall (target <= 2.0), ${(lc / sc).toFixed(2)} CPU; peak memory target <= 1024 MB`,
);
