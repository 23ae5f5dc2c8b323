#!/usr/bin/env node
// backlevel command-line entry. The TypeScript sources are compiled to dist/ by `npm ci`
// (the `prepare` script); run `npm run build` after editing src/.
import { existsSync } from 'node:fs';

// A closed pipe (`backlevel lint | head`) ends the run quietly, as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'backlevel: dist/ is missing; run `npm ci` (or `npm run build`) in the backlevel checkout\n',
  );
  process.exit(3);
}
const { run } = await import(main.href);
const code = await run(process.argv);
process.exitCode = code;
