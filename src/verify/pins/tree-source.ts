/**
 * Where the pin verifier reads a tree from: a directory on disk, or a git revision (no work tree;
 * every object through the history module's `GitObjectStore`, one long-lived `git cat-file
 * --batch`). Both list the Python files with the engine's discovery rules and hand back raw bytes,
 * so the verifier can reject most files with a byte search before decoding or parsing them.
 *
 * Disk listing is the engine's `walkFiles` (the rules of `discoverFiles`). A revision lists the files git tracks there; `.gitignore` does not apply to tracked files.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { matchesAnyGlob } from '../../engine/glob-match.js';
import { includeMatcher, SKIPPED_DIRS, walkFiles } from '../../engine/walk-files.js';
import { GitObjectStore, GitRefError, type TreeEntry } from '../../history/git-objects.js';

export interface TreeFile {
  relPath: string;
  /** Absolute path on disk, or `<git dir>@<rev>:<relPath>` for a revision. */
  path: string;
  /** Blob id (revisions only). */
  oid?: string;
}

export interface ListOptions {
  /** Globs a file must match (default `**\/*.py`). */
  include?: readonly string[];
  exclude?: readonly string[];
}

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; message: string; size?: number };

export interface TreeSource {
  /** Directory findings and paths are relative to (the repository path for a revision). */
  readonly root: string;
  /** What the tree is, for messages: the directory, or `<repo>@<rev>`. */
  readonly label: string;
  list(options: ListOptions): Promise<TreeFile[]>;
  /** Raw bytes of each file (same order); files over `maxBytes` are refused with their size. */
  readAll(files: readonly TreeFile[], maxBytes: number): Promise<ReadResult[]>;
  /** Text of a small file (requirement and config files), undefined when absent. */
  readText(relPath: string): Promise<string | undefined>;
  close(): void;
}

/** A directory on disk. */
export class DiskTreeSource implements TreeSource {
  readonly label: string;
  constructor(readonly root: string) {
    this.label = root;
  }

  async list(options: ListOptions): Promise<TreeFile[]> {
    return walkFiles(this.root, options);
  }

  async readAll(files: readonly TreeFile[], maxBytes: number): Promise<ReadResult[]> {
    return files.map((f) => {
      try {
        const st = statSync(f.path);
        if (st.size > maxBytes) return { ok: false, message: 'too-large', size: st.size };
        return { ok: true, bytes: readFileSync(f.path) };
      } catch (err) {
        return { ok: false, message: `${f.path}: ${(err as Error).message}` };
      }
    });
  }

  async readText(relPath: string): Promise<string | undefined> {
    try {
      return readFileSync(path.isAbsolute(relPath) ? relPath : path.join(this.root, relPath), 'utf8');
    } catch {
      return undefined;
    }
  }

  close(): void {}
}

/** A git revision of a repository (work tree or bare), read without checking it out. */
export class GitTreeSource implements TreeSource {
  readonly root: string;
  readonly label: string;
  private commit = '';
  private readonly blobs = new Map<string, string>();

  private constructor(
    readonly store: GitObjectStore,
    readonly repo: string,
    readonly rev: string,
  ) {
    this.root = path.resolve(repo);
    this.label = `${repo}@${rev}`;
  }

  /** Opens the repository and resolves the revision; a bad ref throws `GitRefError` naming it. */
  static async open(repo: string, rev: string): Promise<GitTreeSource> {
    const store = GitObjectStore.open(repo);
    const src = new GitTreeSource(store, repo, rev);
    try {
      src.commit = await store.resolveCommit(rev);
    } catch (err) {
      store.close();
      throw err;
    }
    return src;
  }

  /** The full commit id the revision resolved to. */
  get commitId(): string {
    return this.commit;
  }

  async list(options: ListOptions): Promise<TreeFile[]> {
    const included = includeMatcher(options.include);
    const exclude = options.exclude ?? [];
    const files: TreeFile[] = [];
    const commit = await this.store.readCommit(this.commit);
    const walk = async (oid: string, rel: string): Promise<void> => {
      const entries: TreeEntry[] = await this.store.readTree(oid);
      const subdirs: Promise<void>[] = [];
      for (const e of entries) {
        const childRel = rel ? `${rel}/${e.name}` : e.name;
        if (e.type === 'blob') this.blobs.set(childRel, e.oid);
        if (e.name.startsWith('.')) continue;
        if (e.type === 'tree') {
          if (!SKIPPED_DIRS.has(e.name)) subdirs.push(walk(e.oid, childRel));
        } else if (e.type === 'blob' && e.mode !== '120000' && included(childRel, e.name)) {
          if (exclude.length && matchesAnyGlob(childRel, exclude)) continue;
          files.push({ relPath: childRel, path: `${this.label}:${childRel}`, oid: e.oid });
        }
      }
      await Promise.all(subdirs);
    };
    await walk(commit.tree, '');
    return files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  }

  async readAll(files: readonly TreeFile[], _maxBytes: number): Promise<ReadResult[]> {
    // All requests go out at once: cat-file answers them in order on one pipe.
    return Promise.all(
      files.map(async (f): Promise<ReadResult> => {
        try {
          return { ok: true, bytes: await this.store.readBlob(f.oid ?? (await this.blobOf(f.relPath))!) };
        } catch (err) {
          return { ok: false, message: `${f.path}: ${(err as Error).message}` };
        }
      }),
    ).then((out) =>
      out.map((r) =>
        r.ok && r.bytes.length > _maxBytes ? { ok: false, message: 'too-large', size: r.bytes.length } : r,
      ),
    );
  }

  private async blobOf(relPath: string): Promise<string | undefined> {
    return this.blobs.get(relPath) ?? (await this.store.blobId(this.commit, relPath));
  }

  async readText(relPath: string): Promise<string | undefined> {
    if (path.isAbsolute(relPath)) {
      try {
        return readFileSync(relPath, 'utf8');
      } catch {
        return undefined;
      }
    }
    const norm = path.posix.normalize(relPath);
    if (norm.startsWith('../')) return undefined;
    const oid = await this.blobOf(norm);
    return oid ? (await this.store.readBlob(oid)).toString('utf8') : undefined;
  }

  close(): void {
    this.store.close();
  }
}

export { GitRefError };
