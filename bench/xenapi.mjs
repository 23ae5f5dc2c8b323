// Measures the os-xenapi codemods and the index generator (run after `npm run build`):
//   node bench/xenapi.mjs [NOVA_TREE] [OS_XENAPI_REPO]
// Peer for the codemods: a bare tree-sitter parse of the same files (PyFile.parse + dispose), in one
// run, so the ratio says what the codemods cost on top of parsing. Peer for the index: `git archive`
// of every release tag piped to `tar -t` (reading the same trees without parsing them).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globby } from 'globby';
import { runTransform } from '../dist/src/codemod/apply.js';
import { initPython } from '../dist/src/python/parser.js';
import { PyFile } from '../dist/src/python/source-file.js';
import { generateApiIndex } from '../dist/src/xenapi/index-generator.js';

const tree = process.argv[2] ?? '/tmp/nova-pre-osx';
const repo = process.argv[3] ?? '/work/.mirror/openstack+os-xenapi/repo/.git';
await initPython();
const rels = (await globby(['nova/**/*.py', 'tools/**/*.py'], { cwd: tree })).sort();
const sources = rels.map((r) => readFileSync(join(tree, r), 'utf8'));
const bytes = sources.reduce((n, s) => n + s.length, 0);

const names = ['xenapi-imports', 'xenapi-plugin-calls'];
const codemods = await Promise.all(
  names.map(async (name) => ({ name, module: await import(`../dist/codemods/${name}.js`) })),
);
const project = { root: tree, projectPackages: ['nova'], config: {} };

function time(fn) {
  const t = performance.now();
  const r = fn();
  return [performance.now() - t, r];
}
async function timeAsync(fn) {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

for (let round = 0; round < 2; round++) {
  const [parseMs] = time(() => {
    for (const [i, r] of rels.entries()) PyFile.parse(join(tree, r), sources[i]).dispose();
  });
  const [modMs, changed] = await timeAsync(async () => {
    let n = 0;
    for (const [i, r] of rels.entries()) {
      let text = sources[i];
      for (const c of codemods) {
        const stage = await runTransform(
          c,
          { path: join(tree, r), relPath: r, source: text, project },
          {},
          false,
        );
        if (stage.text !== undefined) text = stage.text;
      }
      if (text !== sources[i]) n++;
    }
    return n;
  });
  console.log(
    `round ${round + 1}: ${rels.length} files, ${(bytes / 1e6).toFixed(1)} MB: parse-only ${parseMs.toFixed(0)} ms; ` +
      `xenapi-imports+xenapi-plugin-calls (transforms chained, each parsing its input; runner checks not included) ${modMs.toFixed(0)} ms ` +
      `= ${(modMs / parseMs).toFixed(2)}x parse-only; ${changed} files changed`,
  );
}

const [idxMs, res] = await timeAsync(() => generateApiIndex({ repo }));
const [gitMs] = time(() => {
  for (const v of res.index.versions) {
    execFileSync('sh', ['-c', `git --git-dir='${repo}' archive ${v.commit} os_xenapi | tar -t > /dev/null`]);
  }
});
console.log(
  `index: ${res.stats.tags} tags, ${res.stats.filesSeen} files (${res.stats.blobsParsed} distinct parsed) in ${idxMs.toFixed(0)} ms; ` +
    `peer git archive|tar -t of the same trees ${gitMs.toFixed(0)} ms = ${(idxMs / gitMs).toFixed(2)}x`,
);
