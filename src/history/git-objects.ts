/**
 * Reading a git repository at any revision without a work tree.
 *
 * Every object (commit, tree, blob) comes through ONE long-lived `git cat-file --batch` process:
 * requests are pipelined on its stdin and answers parsed off its stdout in order, so reading a
 * thousand files costs a thousand short writes, not a thousand process spawns. Trees are parsed
 * from their binary form and cached by object id (a directory that did not change between two
 * revisions is read once); blobs are not kept (callers cache what they derive from a blob, keyed
 * by its id). Listing commits uses one `git rev-list` / `git for-each-ref` spawn per request.
 *
 * Errors name what was asked for: an unknown ref, a path missing at a revision, or the commits a
 * shallow clone cut off.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export class GitError extends Error {
  override name = 'GitError';
}

/** A revision (tag, branch, commit, `rev:path`) that does not resolve in the repository. */
export class GitRefError extends GitError {
  override name = 'GitRefError';
  constructor(
    readonly ref: string,
    readonly gitDir: string,
    detail?: string,
  ) {
    super(`unknown revision '${ref}' in ${gitDir}${detail ? `: ${detail}` : ''}`);
  }
}

/** History that a shallow clone does not contain. */
export class ShallowHistoryError extends GitError {
  override name = 'ShallowHistoryError';
  constructor(
    readonly missing: string,
    readonly boundary: readonly string[],
    readonly gitDir: string,
  ) {
    super(
      `${gitDir} is a shallow clone: ${missing} is not in it (history stops at ${boundary
        .map((c) => c.slice(0, 10))
        .join(', ')}); fetch with --unshallow or a deeper --depth`,
    );
  }
}

export type GitObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface TreeEntry {
  name: string;
  /** Octal mode as git prints it: 100644, 100755, 120000 (symlink), 40000 (tree), 160000 (gitlink). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  oid: string;
}

export interface CommitInfo {
  oid: string;
  tree: string;
  parents: string[];
  /** Committer time, seconds since the epoch. */
  committerTime: number;
  authorTime: number;
  subject: string;
}

interface RawObject {
  oid: string;
  type: GitObjectType;
  data: Buffer;
}

interface Pending {
  request: string;
  resolve: (obj: RawObject | undefined) => void;
  reject: (err: Error) => void;
}

/** Runs `git` with arguments against a git dir; rejects with git's stderr in the message. */
export async function runGit(gitDir: string, args: string[], maxBuffer = 256 * 1024 * 1024): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', ['--git-dir', gitDir, ...args], {
      maxBuffer,
      encoding: 'utf8',
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new GitError(`git ${args.join(' ')} failed in ${gitDir}: ${(e.stderr ?? e.message).trim()}`);
  }
}

/**
 * Finds the git directory for a path: a bare repository (`repo.git`, a mirror's `repo`), a work
 * tree's `.git`, or a `.git` file pointing elsewhere (worktrees, submodules).
 */
export function findGitDir(path: string): string {
  const abs = resolvePath(path);
  const dotGit = join(abs, '.git');
  if (existsSync(dotGit)) {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (m) return resolvePath(abs, m[1]!.trim());
  }
  if (existsSync(join(abs, 'HEAD')) && existsSync(join(abs, 'objects'))) return abs;
  throw new GitError(`${path} is not a git repository (no .git directory, no HEAD and objects/)`);
}

const HEX40 = /^[0-9a-f]{40}$/;

/**
 * Object store over one repository. Create with `GitObjectStore.open(path)`; call `close()` when
 * done (the cat-file process otherwise keeps the event loop alive).
 */
export class GitObjectStore {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private readonly queue: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private closed = false;
  private procError: Error | undefined;
  private readonly treeCache = new Map<string, TreeEntry[]>();
  private readonly commitCache = new Map<string, CommitInfo>();
  private readonly revCache = new Map<string, string>();
  /** Boundary commits of a shallow clone (empty when the clone is complete). */
  readonly shallowBoundary: readonly string[];
  /** Counters for benchmarks and tests. */
  readonly stats = { requests: 0, treeReads: 0, treeHits: 0, blobReads: 0, bytesRead: 0 };

  private constructor(readonly gitDir: string) {
    const shallowFile = join(gitDir, 'shallow');
    this.shallowBoundary = existsSync(shallowFile)
      ? readFileSync(shallowFile, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => HEX40.test(l))
      : [];
  }

  static open(path: string): GitObjectStore {
    return new GitObjectStore(findGitDir(path));
  }

  get isShallow(): boolean {
    return this.shallowBoundary.length > 0;
  }

  private ensureProcess(): ChildProcessWithoutNullStreams {
    if (this.closed) throw new GitError(`object store for ${this.gitDir} is closed`);
    if (this.procError) throw this.procError;
    if (this.proc) return this.proc;
    const proc = spawn('git', ['--git-dir', this.gitDir, 'cat-file', '--batch'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d: string) => {
      stderr += d;
    });
    proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error) => {
      this.procError = err;
      this.proc = undefined;
      for (const p of this.queue.splice(0)) p.reject(err);
    };
    proc.on('error', (err) =>
      fail(new GitError(`cannot run git cat-file in ${this.gitDir}: ${err.message}`)),
    );
    proc.on('exit', (code, signal) => {
      if (this.closed) return;
      fail(
        new GitError(
          `git cat-file --batch exited (${code ?? signal}) in ${this.gitDir}${stderr ? `: ${stderr.trim()}` : ''}`,
        ),
      );
    });
    proc.stdin.on('error', () => {
      /* reported through 'exit' */
    });
    this.proc = proc;
    return proc;
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    let offset = 0;
    while (this.queue.length > 0) {
      const nl = buf.indexOf(10, offset);
      if (nl < 0) break;
      const header = buf.toString('utf8', offset, nl);
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        offset = nl + 1;
        this.queue.shift()!.resolve(undefined);
        continue;
      }
      const m = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(header);
      if (!m) {
        const err = new GitError(
          `unexpected git cat-file output in ${this.gitDir}: ${JSON.stringify(header)}`,
        );
        for (const p of this.queue.splice(0)) p.reject(err);
        offset = buf.length;
        break;
      }
      const size = Number(m[3]);
      const end = nl + 1 + size;
      if (buf.length < end + 1) break;
      const data = Buffer.from(buf.subarray(nl + 1, end));
      offset = end + 1;
      this.stats.bytesRead += size;
      this.queue.shift()!.resolve({ oid: m[1]!, type: m[2] as GitObjectType, data });
    }
    if (offset >= buf.length) {
      this.chunks = [];
      this.buffered = 0;
    } else if (offset > 0) {
      buf = buf.subarray(offset);
      this.chunks = [buf];
      this.buffered = buf.length;
    } else if (this.chunks.length > 1) {
      this.chunks = [buf];
    }
  }

  /** Raw object for any expression `git cat-file` accepts (`oid`, `tag^{commit}`, `rev:path`). */
  private request(expr: string): Promise<RawObject | undefined> {
    if (/[\n\r]/.test(expr))
      return Promise.reject(new GitError(`invalid object name ${JSON.stringify(expr)}`));
    const proc = this.ensureProcess();
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      this.queue.push({ request: expr, resolve, reject });
      proc.stdin.write(`${expr}\n`);
    });
  }

  private readonly inflight = new Map<string, Promise<RawObject | undefined>>();

  /** `request` shared by concurrent callers asking for the same object (commits and trees). */
  private requestOnce(oid: string): Promise<RawObject | undefined> {
    let p = this.inflight.get(oid);
    if (!p) {
      p = this.request(oid).finally(() => this.inflight.delete(oid));
      this.inflight.set(oid, p);
    }
    return p;
  }

  /** Explains a missing object: a shallow cut, or simply an unknown name. */
  private missing(ref: string, what?: string): GitError {
    if (this.isShallow && HEX40.test(ref))
      return new ShallowHistoryError(what ?? `commit ${ref}`, this.shallowBoundary, this.gitDir);
    return new GitRefError(ref, this.gitDir, what);
  }

  /** Full commit id of a revision (tag, branch, abbreviated id, `HEAD~3`). */
  async resolveCommit(rev: string): Promise<string> {
    const cached = this.revCache.get(rev);
    if (cached) return cached;
    const obj = await this.request(`${rev}^{commit}`);
    if (!obj) throw this.missing(rev, 'no such commit, tag or branch');
    this.revCache.set(rev, obj.oid);
    this.cacheCommit(obj);
    return obj.oid;
  }

  private cacheCommit(obj: RawObject): CommitInfo {
    let info = this.commitCache.get(obj.oid);
    if (info) return info;
    const text = obj.data.toString('utf8');
    const headerEnd = text.indexOf('\n\n');
    const headers = headerEnd >= 0 ? text.slice(0, headerEnd) : text;
    const message = headerEnd >= 0 ? text.slice(headerEnd + 2) : '';
    let tree = '';
    const parents: string[] = [];
    let committerTime = 0;
    let authorTime = 0;
    for (const line of headers.split('\n')) {
      if (line.startsWith('tree ')) tree = line.slice(5);
      else if (line.startsWith('parent ')) parents.push(line.slice(7));
      else if (line.startsWith('committer '))
        committerTime = Number(/ (\d+) [+-]\d{4}$/.exec(line)?.[1] ?? 0);
      else if (line.startsWith('author ')) authorTime = Number(/ (\d+) [+-]\d{4}$/.exec(line)?.[1] ?? 0);
    }
    info = {
      oid: obj.oid,
      tree,
      parents,
      committerTime,
      authorTime,
      subject: message.split('\n', 1)[0] ?? '',
    };
    this.commitCache.set(obj.oid, info);
    return info;
  }

  async readCommit(rev: string): Promise<CommitInfo> {
    const oid = HEX40.test(rev) ? rev : await this.resolveCommit(rev);
    const cached = this.commitCache.get(oid);
    if (cached) return cached;
    const obj = await this.requestOnce(oid);
    if (!obj) throw this.missing(oid);
    if (obj.type !== 'commit') throw new GitError(`${rev} is a ${obj.type}, not a commit (${this.gitDir})`);
    return this.cacheCommit(obj);
  }

  /** Entries of a tree object, cached by its id. */
  async readTree(oid: string): Promise<TreeEntry[]> {
    const cached = this.treeCache.get(oid);
    if (cached) {
      this.stats.treeHits++;
      return cached;
    }
    const obj = await this.requestOnce(oid);
    const raced = this.treeCache.get(oid);
    if (raced) return raced;
    if (!obj) throw this.missing(oid, `tree ${oid}`);
    if (obj.type !== 'tree') throw new GitError(`${oid} is a ${obj.type}, not a tree (${this.gitDir})`);
    this.stats.treeReads++;
    const entries = parseTree(obj.data);
    this.treeCache.set(oid, entries);
    return entries;
  }

  /**
   * Entries of directory `path` ('' for the root) at revision `rev`; undefined when the path does
   * not exist there. Walks tree objects from the commit's root tree, so every unchanged directory
   * on the way is a cache hit.
   */
  async listDirectory(rev: string, path: string): Promise<TreeEntry[] | undefined> {
    const commit = await this.readCommit(rev);
    let entries = await this.readTree(commit.tree);
    for (const part of path.split('/').filter(Boolean)) {
      const next = entries.find((e) => e.name === part);
      if (next?.type !== 'tree') return undefined;
      entries = await this.readTree(next.oid);
    }
    return entries;
  }

  /** Blob id of `path` at `rev`, or undefined when there is no such file. */
  async blobId(rev: string, path: string): Promise<string | undefined> {
    const slash = path.lastIndexOf('/');
    const entries = await this.listDirectory(rev, slash < 0 ? '' : path.slice(0, slash));
    const entry = entries?.find((e) => e.name === path.slice(slash + 1));
    return entry?.type === 'blob' ? entry.oid : undefined;
  }

  /** Contents of a blob by id. */
  async readBlob(oid: string): Promise<Buffer> {
    const obj = await this.request(oid);
    if (!obj) throw this.missing(oid, `blob ${oid}`);
    if (obj.type !== 'blob') throw new GitError(`${oid} is a ${obj.type}, not a blob (${this.gitDir})`);
    this.stats.blobReads++;
    return obj.data;
  }

  /** Text of `path` at `rev`; throws a GitRefError naming both when the file is absent. */
  async readFile(rev: string, path: string): Promise<string> {
    const oid = await this.blobId(rev, path);
    if (!oid) throw new GitRefError(`${rev}:${path}`, this.gitDir, 'no such file at that revision');
    return (await this.readBlob(oid)).toString('utf8');
  }

  /** `git ls-tree <rev> <path>/`: names and ids, from a fresh process (for callers outside a walk). */
  async lsTree(rev: string, path: string): Promise<TreeEntry[]> {
    const spec = path ? `${path.replace(/\/$/, '')}/` : '';
    const out = await runGit(this.gitDir, ['ls-tree', '-z', rev, ...(spec ? ['--', spec] : [])]).catch(
      (err) => {
        throw /not a valid|bad revision|Not a valid object/i.test(String(err))
          ? new GitRefError(rev, this.gitDir)
          : err;
      },
    );
    const entries: TreeEntry[] = [];
    for (const rec of out.split('\0')) {
      const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(rec);
      if (!m) continue;
      const full = m[4]!;
      entries.push({
        mode: m[1]!,
        type: m[2] as TreeEntry['type'],
        oid: m[3]!,
        name: full.slice(full.lastIndexOf('/') + 1),
      });
    }
    return entries;
  }

  /** Every tag name with the commit it points to (annotated tags peeled). */
  async tags(): Promise<Map<string, string>> {
    const out = await runGit(this.gitDir, [
      'for-each-ref',
      '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)',
      'refs/tags',
    ]);
    const tags = new Map<string, string>();
    for (const line of out.split('\n')) {
      if (!line) continue;
      const [name, oid, peeled] = line.split('\0');
      if (name && oid) tags.set(name, peeled || oid);
    }
    return tags;
  }

  /**
   * Commits of a range (`A..B`, `B`, or several revisions) that touch any of `paths`, oldest first
   * (topological order, so a commit always comes after its parents).
   */
  async revList(revisions: string[], paths: string[] = []): Promise<string[]> {
    for (const r of revisions) {
      for (const side of r.split(/\.\.\.?/))
        if (side && !side.startsWith('^')) await this.resolveCommit(side);
    }
    const out = await runGit(this.gitDir, [
      'rev-list',
      '--reverse',
      '--topo-order',
      ...revisions,
      ...(paths.length ? ['--', ...paths] : []),
    ]);
    return out.split('\n').filter((l) => HEX40.test(l));
  }

  /** Ends the cat-file process. Pending requests are rejected. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const proc = this.proc;
    this.proc = undefined;
    for (const p of this.queue.splice(0)) p.reject(new GitError(`object store for ${this.gitDir} closed`));
    if (proc) {
      proc.stdin.end();
      proc.kill();
    }
  }
}

/** Parses a binary tree object: `<mode> <name>\0<20-byte id>` repeated. */
export function parseTree(data: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(32, i);
    const nul = data.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 21 > data.length) throw new GitError('malformed tree object');
    const mode = data.toString('latin1', i, sp);
    const name = data.toString('utf8', sp + 1, nul);
    const oid = data.toString('hex', nul + 1, nul + 21);
    const type = mode === '40000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    entries.push({ mode, name, type, oid });
    i = nul + 21;
  }
  return entries;
}
