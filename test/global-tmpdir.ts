/**
 * vitest global setup: every test run gets its own temporary directory (TMPDIR, which Node's
 * `os.tmpdir()`, git and python3 all honour, in the test processes and in what they spawn), and
 * the whole directory goes when the run ends. A test that forgets to remove its temporary tree,
 * or is interrupted before it can, leaves nothing behind in the system's /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'backlevel-test-run-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
