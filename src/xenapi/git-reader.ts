/**
 * Reads a git repository's tags and file contents without a work tree: `git for-each-ref` for the
 * tags (annotated or lightweight, with the commit each one points at), `git ls-tree -r` for the
 * files of a commit, and one long-lived `git cat-file --batch` for blob contents, so that a blob
 * shared by several tags is read (and parsed by the caller) once.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitTag {
  name: string;
  /** The commit the tag points at (peeled). */
  commit: string;
  /** The tag object for annotated tags; undefined for lightweight tags. */
  tagObject?: string;
  /** ISO dates. */
  commitDate: string;
  tagDate?: string;
}

export interface TreeEntry {
  path: string;
  blob: string;
}

/** Resolves DIR (a checkout, a `.git` directory or a bare repository) to its git directory. */
export async function resolveGitDir(dir: string): Promise<string> {
  const candidate = existsSync(join(dir, '.git')) ? join(dir, '.git') : dir;
  try {
    const { stdout } = await execFileP('git', ['--git-dir', candidate, 'rev-parse', '--absolute-git-dir'], {
      maxBuffer: 1 << 20,
    });
    return stdout.trim();
  } catch (err) {
    throw new GitError(`${dir}: not a git repository (${firstLine((err as Error).message)})`);
  }
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() && !l.startsWith('Command failed')) ?? s;
}

export class GitReader {
  private batch: ChildProcessWithoutNullStreams | undefined;
  private pending: { sha: string; resolve: (v: string | undefined) => void; reject: (e: Error) => void }[] =
    [];
  private buffer: Buffer = Buffer.alloc(0);

  constructor(readonly gitDir: string) {}

  static async open(dir: string): Promise<GitReader> {
    return new GitReader(await resolveGitDir(dir));
  }

  async git(args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileP('git', ['--git-dir', this.gitDir, ...args], {
        maxBuffer: 256 << 20,
      });
      return stdout;
    } catch (err) {
      throw new GitError(`git ${args.join(' ')}: ${firstLine((err as Error).message)}`);
    }
  }

  /** Every tag, with the commit it points at. */
  async tags(): Promise<GitTag[]> {
    const fmt = [
      '%(refname:strip=2)',
      '%(objecttype)',
      '%(objectname)',
      '%(*objectname)',
      '%(creatordate:iso-strict)',
    ];
    const out = await this.git(['for-each-ref', 'refs/tags', `--format=${fmt.join('%00')}`]);
    const tags: GitTag[] = [];
    for (const line of out.split('\n')) {
      if (!line) continue;
      const [name, type, object, peeled, date] = line.split('\0') as [string, string, string, string, string];
      if (type === 'tag') {
        tags.push({ name, commit: peeled, tagObject: object, commitDate: '', tagDate: date });
      } else if (type === 'commit') {
        tags.push({ name, commit: object, commitDate: date });
      }
    }
    // Commit dates for the annotated ones, in one call.
    const need = tags.filter((t) => !t.commitDate);
    if (need.length) {
      const dates = await this.git(['show', '-s', '--format=%H %cI', ...new Set(need.map((t) => t.commit))]);
      const byCommit = new Map(dates.split('\n').map((l) => l.split(' ') as [string, string]));
      for (const t of need) t.commitDate = byCommit.get(t.commit) ?? '';
    }
    return tags;
  }

  /** Files under `prefix` at a commit (recursive), with their blob ids. */
  async listFiles(commit: string, prefix: string): Promise<TreeEntry[]> {
    const out = await this.git(['ls-tree', '-r', '-z', commit, '--', prefix]);
    const entries: TreeEntry[] = [];
    for (const rec of out.split('\0')) {
      if (!rec) continue;
      const tab = rec.indexOf('\t');
      const [, type, blob] = rec.slice(0, tab).split(' ') as [string, string, string];
      if (type === 'blob') entries.push({ path: rec.slice(tab + 1), blob });
    }
    return entries;
  }

  /** A blob's content as UTF-8 text (through one `git cat-file --batch` process). */
  readBlob(sha: string): Promise<string> {
    const proc = this.ensureBatch();
    return new Promise<string | undefined>((resolve, reject) => {
      this.pending.push({ sha, resolve, reject });
      proc.stdin.write(`${sha}\n`);
    }).then((text) => {
      if (text === undefined) throw new GitError(`blob ${sha} is missing from ${this.gitDir}`);
      return text;
    });
  }

  private ensureBatch(): ChildProcessWithoutNullStreams {
    if (this.batch) return this.batch;
    const proc = spawn('git', ['--git-dir', this.gitDir, 'cat-file', '--batch'], { stdio: 'pipe' });
    proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain();
    });
    proc.on('error', (err) => this.failAll(err));
    proc.on('exit', (code) => {
      if (this.pending.length) this.failAll(new GitError(`git cat-file exited with ${code}`));
    });
    this.batch = proc;
    return proc;
  }

  private drain(): void {
    while (this.pending.length) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString('utf8');
      const head = this.pending[0]!;
      if (header.endsWith(' missing')) {
        this.buffer = this.buffer.subarray(nl + 1);
        this.pending.shift();
        head.resolve(undefined);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (!Number.isFinite(size)) {
        this.failAll(new GitError(`unexpected git cat-file output: ${header}`));
        return;
      }
      if (this.buffer.length < nl + 1 + size + 1) return;
      const body = this.buffer.subarray(nl + 1, nl + 1 + size).toString('utf8');
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.pending.shift();
      head.resolve(body);
    }
  }

  private failAll(err: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.reject(err);
  }

  close(): void {
    if (this.batch) {
      this.batch.stdin.end();
      this.batch = undefined;
    }
  }
}
