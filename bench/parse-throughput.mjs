// Front-end throughput: the bare tree-sitter parser (in-process, files pre-read) against backlevel's
// full per-file pipeline (read + UTF-8/binary guards + parse + syntax issues + import bindings +
// free), in worker threads on every core and in one thread, over one large tree, in one run.
// Prints medians of --runs runs and peak RSS. Run after `npm run build`.
// Usage: node bench/parse-throughput.mjs [--tree DIR] [--runs 5] [--json]
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTree } from './generate-tree.mjs';

const dist = new URL('../dist/src/', import.meta.url);
const { initPython, parsePythonTree } = await import(new URL('python/parser.js', dist).href);
const { discoverFiles } = await import(new URL('engine/discover.js', dist).href);
const { runFileTask } = await import(new URL('engine/worker-pool.js', dist).href);
const passUrl = new URL('engine/analysis-pass.js', dist).href;

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const runs = Number(opt('--runs', '5'));
let tree = opt('--tree', undefined);
let generated = false;
if (!tree) {
  tree = join(tmpdir(), `backlevel-bench-tree-${process.pid}`);
  const g = generateTree(tree, { mb: 25, files: 1500, seed: 7 });
  generated = true;
  console.error(`generated ${g.files} files (${(g.bytes / 1e6).toFixed(2)} MB) in ${tree}`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

await initPython();
const { files } = await discoverFiles({ cwd: tree, gitignore: false });
const texts = files.map((f) => readFileSync(f, 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const inputs = files.map((path) => ({ path, relPath: path.slice(tree.length + 1) }));
const jobs = availableParallelism();

function bareParse() {
  const t0 = performance.now();
  let errors = 0;
  for (const t of texts) {
    const tr = parsePythonTree(t);
    if (tr.rootNode.hasError) errors++;
    tr.delete();
  }
  return { ms: performance.now() - t0, errors };
}

async function pipeline(j) {
  const t0 = performance.now();
  const res = await runFileTask(passUrl, inputs, {}, { jobs: j, minFilesForWorkers: 1 });
  const ms = performance.now() - t0;
  return {
    ms,
    imports: res.reduce((n, r) => n + r.imports, 0),
    skipped: res.filter((r) => r.skipped).length,
  };
}

bareParse(); // warm-up
const bare = [];
const pipeAll = [];
const pipeOne = [];
let imports = 0;
for (let i = 0; i < runs; i++) {
  bare.push(bareParse().ms);
  const p = await pipeline(jobs);
  pipeAll.push(p.ms);
  imports = p.imports;
  pipeOne.push((await pipeline(1)).ms);
}
const mbps = (ms) => bytes / 1e6 / (ms / 1000);
const rssMb = process.resourceUsage().maxRSS / 1024;
const result = {
  tree,
  files: files.length,
  megabytes: Number((bytes / 1e6).toFixed(2)),
  runs,
  threads: jobs,
  bareParser: { medianMs: Math.round(median(bare)), mbPerSec: Number(mbps(median(bare)).toFixed(1)) },
  pipelineAllCores: {
    medianMs: Math.round(median(pipeAll)),
    mbPerSec: Number(mbps(median(pipeAll)).toFixed(1)),
  },
  pipelineOneThread: {
    medianMs: Math.round(median(pipeOne)),
    mbPerSec: Number(mbps(median(pipeOne)).toFixed(1)),
  },
  pipelineToBareRatio: Number((median(bare) / median(pipeAll)).toFixed(2)),
  importBindings: imports,
  peakRssMb: Math.round(rssMb),
};
if (args.includes('--json')) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`tree: ${result.files} files, ${result.megabytes} MB; ${runs} runs; medians`);
  console.log(
    `bare parser (1 thread, pre-read):   ${result.bareParser.medianMs} ms  ${result.bareParser.mbPerSec} MB/s  ${(files.length / (median(bare) / 1000)).toFixed(0)} files/s`,
  );
  console.log(
    `full pipeline (${jobs} threads, with I/O): ${result.pipelineAllCores.medianMs} ms  ${result.pipelineAllCores.mbPerSec} MB/s  ${(files.length / (median(pipeAll) / 1000)).toFixed(0)} files/s`,
  );
  console.log(
    `full pipeline (1 thread, with I/O):  ${result.pipelineOneThread.medianMs} ms  ${result.pipelineOneThread.mbPerSec} MB/s`,
  );
  console.log(`pipeline throughput / bare parser throughput: ${result.pipelineToBareRatio} (target >= 0.80)`);
  console.log(`import bindings found: ${imports}; peak RSS: ${result.peakRssMb} MB (target < 1024)`);
}
if (generated) rmSync(tree, { recursive: true, force: true });
