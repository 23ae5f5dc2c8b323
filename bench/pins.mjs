#!/usr/bin/env node
/**
 * `backlevel verify pins` against its named peer `grep -rl os_xenapi` (and `rg -l os_xenapi` when
 * ripgrep is installed) over one large tree, in one run: every command N times, interleaved, median
 * wall time, peak RSS (via /usr/bin/time), ratio to grep. Also prints the floor every backlevel
 * command pays (`backlevel --version`: Node start-up plus loading the CLI's modules) and the
 * verifier's own phase breakdown (`--timings`, medians). Build first (`npm run build`).
 *
 *   node bench/pins.mjs [--tree DIR] [--runs N] [--jobs J]
 *
 * --tree defaults to /tmp/nova-18.0.0 when present (make it with `mkdir -p /tmp/nova-18.0.0 &&
 * git --git-dir=<nova mirror> archive 18.0.0 | tar -x -C /tmp/nova-18.0.0`), else a synthetic
 * Nova-shaped tree from bench/generate-tree.mjs under the temp directory.
 * Target (issue 8 follow-up): within 3x of grep + the minimal parse of the matching files.
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
const runs = Number(opt('--runs', '5'));
const jobs = opt('--jobs', undefined);
let tree = opt('--tree', undefined);
if (!tree) {
  if (existsSync('/tmp/nova-18.0.0/nova')) tree = '/tmp/nova-18.0.0';
  else {
    tree = join(tmpdir(), 'backlevel-bench-pins-tree');
    if (!existsSync(tree)) {
      const { generateTree } = await import('./generate-tree.mjs');
      generateTree(tree, { mb: 25, files: 1500, seed: 7 });
    }
  }
}
tree = resolve(tree);
const bin = join(repo, 'bin', 'backlevel.js');
if (!existsSync(join(repo, 'dist', 'src', 'verify', 'pins', 'verify-pins.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const hasRg = spawnSync('rg', ['--version']).status === 0;

function measure(cmd, cmdArgs, okStatus = [0, 1]) {
  const stats = join(tmpdir(), `bench-pins-time-${process.pid}.txt`);
  const argv = timeBin ? ['-f', '%e %M', '-o', stats, cmd, ...cmdArgs] : cmdArgs;
  const t0 = performance.now();
  const r = spawnSync(timeBin ?? cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const wall = (performance.now() - t0) / 1000;
  let rssMb;
  if (timeBin && existsSync(stats)) {
    const last = readFileSync(stats, 'utf8').trim().split('\n').pop();
    rssMb = Number(last.split(' ')[1]) / 1024;
    rmSync(stats, { force: true });
  }
  if (!okStatus.includes(r.status))
    throw new Error(`${cmd} ${cmdArgs.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, rssMb, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const commands = {
  'backlevel verify pins': [
    process.execPath,
    [bin, '-q', ...(jobs ? ['-j', jobs] : []), 'verify', 'pins', '--repo', tree, '--timings'],
  ],
  'backlevel --version (CLI floor)': [process.execPath, [bin, '--version'], [0]],
  'grep -rl os_xenapi': ['grep', ['-rl', 'os_xenapi', tree]],
  ...(hasRg ? { 'rg -l os_xenapi': ['rg', ['-l', '--no-ignore', '--hidden', 'os_xenapi', tree]] } : {}),
};
const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const phases = [];
let matching = 0;
let summary = '';
for (let i = 0; i < runs; i++) {
  for (const [name, [cmd, cmdArgs, ok]] of Object.entries(commands)) {
    const m = measure(cmd, cmdArgs, ok);
    samples[name].push(m);
    if (name.startsWith('grep')) matching = m.stdout.trim().split('\n').filter(Boolean).length;
    if (name === 'backlevel verify pins') {
      summary = m.stdout.split('\n')[0];
      const line = m.stderr.split('\n').find((l) => l.startsWith('verify pins timings'));
      if (line)
        phases.push(
          Object.fromEntries(
            line
              .replace(/^.*\(ms\): /, '')
              .split(', ')
              .map((kv) => kv.split(' '))
              .map(([k, v]) => [k, Number(v)]),
          ),
        );
    }
  }
}

// The minimal parse: the files grep names, parsed once each (warm parser, one thread).
const { initPython } = await import(join(repo, 'dist/src/python/parser.js'));
const { PyFile } = await import(join(repo, 'dist/src/python/source-file.js'));
await initPython();
const files = spawnSync('grep', ['-rl', '--include=*.py', 'os_xenapi', tree])
  .stdout.toString()
  .trim()
  .split('\n')
  .filter(Boolean);
const parseTimes = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  for (const f of files) PyFile.parse(f, readFileSync(f, 'utf8'), {}).dispose();
  parseTimes.push((performance.now() - t0) / 1000);
}

const grepWall = median(samples['grep -rl os_xenapi'].map((s) => s.wall));
const minimal = grepWall + median(parseTimes);
console.log(`tree: ${tree} (${matching} files name os_xenapi; ${runs} interleaved runs, medians)`);
console.log(`verify pins says: ${summary}`);
for (const [name, list] of Object.entries(samples)) {
  const wall = median(list.map((s) => s.wall));
  const rss = list[0].rssMb === undefined ? 'n/a' : `${median(list.map((s) => s.rssMb)).toFixed(0)} MB`;
  console.log(
    `${name.padEnd(34)} ${wall.toFixed(3)} s   peak RSS ${rss.padStart(7)}   x${(wall / grepWall).toFixed(1)} grep`,
  );
}
console.log(
  `${'minimal parse of those files'.padEnd(34)} ${median(parseTimes).toFixed(3)} s (warm parser, in-process)`,
);
const pins = median(samples['backlevel verify pins'].map((s) => s.wall));
const floor = median(samples['backlevel --version (CLI floor)'].map((s) => s.wall));
console.log(`ratio verify pins / (grep + minimal parse): ${(pins / minimal).toFixed(2)} (target <= 3)`);
console.log(
  `ratio (verify pins - CLI floor) / (grep + minimal parse): ${((pins - floor) / minimal).toFixed(2)}`,
);
if (phases.length) {
  const keys = Object.keys(phases[0]);
  console.log(
    `phases (ms, medians): ${keys.map((k) => `${k} ${median(phases.map((p) => p[k]))}`).join(', ')}`,
  );
}
