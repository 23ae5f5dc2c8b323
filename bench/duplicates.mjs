// Duplicate detection cost vs parse-only (the named peer), one run, same files.
// Usage: npm run build && node bench/duplicates.mjs <tree> (e.g. a Nova checkout)
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { globby } from 'globby';
import { detectDuplicates } from '../dist/src/duplicates/detect.js';
import { fingerprintIndexFor } from '../dist/src/duplicates/matcher.js';
import { initPython } from '../dist/src/python/parser.js';
import { PyFile } from '../dist/src/python/source-file.js';
import { loadOsXenapiIndex } from '../dist/src/xenapi/api-index.js';

const root = process.argv[2] ?? '.';
await initPython();
const files = (
  await globby(['**/*.py', '**/etc/xapi.d/plugins/*'], { cwd: root, absolute: true, gitignore: true })
)
  .map((p) => ({ rel: relative(root, p), text: readFileSync(p, 'utf8') }))
  .filter((f) => /XenAPI|xenapi|call_plugin/.test(f.text));
const t = performance.now();
const index = fingerprintIndexFor(loadOsXenapiIndex());
const indexMs = performance.now() - t;
const run = (detect) => {
  const start = performance.now();
  let n = 0;
  for (const f of files) {
    const file = PyFile.parse(f.rel, f.text);
    if (detect) n += detectDuplicates(file, f.rel, { index }).length;
    file.dispose();
  }
  return { ms: performance.now() - start, n };
};
run(false);
const parse = run(false);
const detect = run(true);
const bytes = files.reduce((s, f) => s + f.text.length, 0);
console.log(`${files.length} files (${(bytes / 1e6).toFixed(2)} MB) with xenapi triggers under ${root}`);
console.log(`index load + inverted index: ${indexMs.toFixed(0)} ms`);
console.log(
  `parse only: ${parse.ms.toFixed(0)} ms; parse + detect: ${detect.ms.toFixed(0)} ms (${detect.n} duplicates); ratio ${(detect.ms / parse.ms).toFixed(2)}x`,
);
