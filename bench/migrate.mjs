// `backlevel migrate` dry run of every built-in codemod vs `backlevel lint`, same tree, same run
// (run after `npm run build`):   node bench/migrate.mjs [TREE] [--mb 25] [--runs 3]
// Without TREE, generates a 25 MB Nova-shaped tree with bench/generate-tree.mjs in a temp dir.
// Both commands run through the CLI (process start, discovery, worker pool, output) alternately,
// --runs times (default 3), and the medians are compared: the issue asks for migrate within 2x of
// lint.
// Each child also reports its own CPU time (main and worker threads, process.cpuUsage() at exit),
// which stays comparable on a machine other jobs load, where wall times do not.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '..', 'bin', 'backlevel.js');
const args = process.argv.slice(2);
const mbIdx = args.indexOf('--mb');
const mb = mbIdx >= 0 ? args[mbIdx + 1] : '25';
const runsIdx = args.indexOf('--runs');
const runs = runsIdx >= 0 ? Number(args[runsIdx + 1]) : 3;
let tree = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--mb' && args[i - 1] !== '--runs');
if (!tree) {
  tree = mkdtempSync(join(tmpdir(), 'backlevel-bench-migrate-'));
  execFileSync(process.execPath, [join(here, 'generate-tree.mjs'), tree, '--mb', mb], { stdio: 'inherit' });
}
if (!existsSync(tree)) throw new Error(`${tree}: no such tree`);
const list = JSON.parse(
  execFileSync(process.execPath, [bin, 'migrate', '--list', '--format', 'json'], { encoding: 'utf8' }),
);
const codemods = list.map((c) => c.name).join(',');

const CPU_HOOK =
  "process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\nBENCH_CPU_US '+(u.user+u.system)+'\\n')})";

function timeCli(argv) {
  const t = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(CPU_HOOK)}`, bin, '-q', ...argv],
    {
      cwd: tree,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  );
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const cpu = /BENCH_CPU_US (\d+)/.exec(r.stderr ?? '');
  return { ms, cpuMs: cpu ? Number(cpu[1]) / 1000 : Number.NaN, out: r.stdout };
}

const wall = { lint: [], migrate: [] };
const cpu = { lint: [], migrate: [] };
let summary;
for (let round = 0; round < runs; round++) {
  const l = timeCli(['lint', '.', '--format', 'json']);
  wall.lint.push(l.ms);
  cpu.lint.push(l.cpuMs);
  const m = timeCli(['migrate', '.', '--codemod', codemods, '--format', 'json']);
  wall.migrate.push(m.ms);
  cpu.migrate.push(m.cpuMs);
  summary = JSON.parse(m.out).summary;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const med = {
  lint: median(wall.lint),
  migrate: median(wall.migrate),
  lintCpu: median(cpu.lint),
  migrateCpu: median(cpu.migrate),
};
const secs = (ms) => (ms / 1000).toFixed(2);
console.log(`tree: ${tree} (${(summary.bytesRead / 1e6).toFixed(1)} MB, ${summary.filesVisited} files)`);
console.log(`codemods: ${codemods}`);
console.log(
  `migrate: ${summary.filesChanged} files to change, ${summary.sitesConverted} sites converted, ${summary.sitesManual} manual`,
);
console.log(
  `medians of ${runs} runs (load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at the end)`,
);
console.log(`lint    ${secs(med.lint)} s wall, ${secs(med.lintCpu)} s CPU`);
console.log(
  `migrate ${secs(med.migrate)} s wall (${(med.migrate / med.lint).toFixed(2)}x lint; target <= 2x), ` +
    `${secs(med.migrateCpu)} s CPU (${(med.migrateCpu / med.lintCpu).toFixed(2)}x)`,
);
console.log(
  `all runs: lint ${wall.lint.map(secs).join(' ')} s; migrate ${wall.migrate.map(secs).join(' ')} s`,
);
