/**
 * The parses of one file's texts during a codemod chain, one per distinct text: the original, each
 * stage's output and whatever a transform inspects. A stage's output is parsed once and that parse
 * serves the re-parse check, the idempotence run of the same codemod and the next codemod's input;
 * codemods that leave a text unchanged share one parse (and its bindings and memoized analyses).
 * The runner owns every parse and disposes them all when the file is done.
 */
import { pyFileOptionsFor } from '../engine/project.js';
import { PyFile } from '../python/source-file.js';

export class ParseCache {
  private readonly files = new Map<string, PyFile>();
  private disposed = false;
  /** Trees built so far (a test and bench counter; a cache hit builds none). */
  parses = 0;

  constructor(
    private readonly path: string,
    private readonly relPath: string,
  ) {}

  /** The parse of `text` (built on first use; do not dispose it). */
  get(text: string): PyFile {
    if (this.disposed) throw new Error(`${this.relPath}: parse cache used after dispose`);
    let file = this.files.get(text);
    if (!file) {
      file = PyFile.parse(this.path, text, pyFileOptionsFor(this.relPath));
      this.parses++;
      totalParses++;
      this.files.set(text, file);
    }
    return file;
  }

  dispose(): void {
    this.disposed = true;
    for (const f of this.files.values()) f.dispose();
    this.files.clear();
  }
}

let totalParses = 0;

/** Trees the codemod runner built in this thread since start-up (tests assert on it). */
export function codemodParseCount(): number {
  return totalParses;
}
