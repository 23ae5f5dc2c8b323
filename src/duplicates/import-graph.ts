/**
 * The import graph of a whole tree, tests included: module -> the files that import it, through
 * the front end's bindings (`import a.b`, `from a import b`, relative imports made absolute, imports
 * nested in functions and try blocks alike), plus dotted string references (`mock.patch('a.b.c')`)
 * and the sibling imports of dom0 plugins (`import utils` in `etc/xapi.d/plugins/`, resolved within
 * the plugin directory). `from a import b` counts as importing `a.b` when that is a module of the
 * tree, else `a`; importing `a.b.c` imports the packages `a` and `a.b` too.
 */
import { dirname, posix } from 'node:path';
import type { PyFile } from '../python/source-file.js';
import { moduleNameForPath } from '../python/source-file.js';
import { isPluginPath } from './detect.js';

export interface GraphFile {
  relPath: string;
  /** Dotted module name (undefined for files outside any importable path, e.g. plugins). */
  module?: string;
}

const stringReferenceRes = new Map<string, RegExp>();

export class ImportGraph {
  /** Module name -> relPath. */
  readonly modules = new Map<string, string>();
  /** relPath -> relPaths of the files that import it. */
  private readonly importers = new Map<string, Set<string>>();
  /** relPath -> the project files it imports (resolved). */
  private readonly imports = new Map<string, Set<string>>();

  constructor(relPaths: readonly string[]) {
    for (const rel of relPaths) {
      if (!rel.endsWith('.py') || isPluginPath(rel)) continue;
      const m = moduleNameForPath(rel);
      if (m) this.modules.set(m.moduleName, rel);
    }
  }

  private edge(from: string, to: string): void {
    if (from === to) return;
    let s = this.importers.get(to);
    if (!s) {
      s = new Set();
      this.importers.set(to, s);
    }
    s.add(from);
    let t = this.imports.get(from);
    if (!t) {
      t = new Set();
      this.imports.set(from, t);
    }
    t.add(to);
  }

  /** Edges to a dotted module and every package above it that is in the tree. */
  private importModule(from: string, dotted: string): void {
    const parts = dotted.split('.');
    for (let i = parts.length; i > 0; i--) {
      const rel = this.modules.get(parts.slice(0, i).join('.'));
      if (rel) this.edge(from, rel);
    }
  }

  /** Records what one parsed file imports. `siblings`: file names in its directory (plugins). */
  addFile(file: PyFile, relPath: string, siblings?: ReadonlySet<string>): void {
    this.addImports(relPath, file.bindings.imports, siblings);
  }

  /** Records a file's imports (its import bindings' `module`, `importedName` and `target`). */
  addImports(
    relPath: string,
    imports: readonly { module: string; importedName?: string | undefined; target: string }[],
    siblings?: ReadonlySet<string>,
  ): void {
    for (const b of imports) {
      if (b.importedName && b.module) {
        const sub = `${b.module}.${b.importedName}`;
        if (this.modules.has(sub)) this.importModule(relPath, sub);
        else this.importModule(relPath, b.module);
      } else this.importModule(relPath, b.target || b.module);
      if (siblings) {
        // dom0 plugins import each other by bare name from their own directory.
        const head = (b.module || b.target).split('.')[0]!;
        for (const cand of [`${head}.py`, head]) {
          if (siblings.has(cand)) this.edge(relPath, posix.join(dirname(relPath), cand));
        }
      }
    }
  }

  /** Dotted strings (`'nova.virt.xenapi.client.session.XenAPISession'`) count as references. */
  addStringReferences(relPath: string, text: string, modules: Iterable<string>): void {
    for (const m of modules) {
      const rel = this.modules.get(m);
      if (!rel || rel === relPath || !text.includes(m)) continue;
      let re = stringReferenceRes.get(m);
      if (!re) {
        const escaped = m.replace(/\./g, '\\.');
        re = new RegExp(`['"]${escaped}(\\.[A-Za-z_][\\w.]*)?['"]`);
        stringReferenceRes.set(m, re);
      }
      if (re.test(text)) this.edge(relPath, rel);
    }
  }

  /** A file in a plugins directory referenced by path from Python (`imp.load_source` in tests). */
  addPathReference(from: string, to: string): void {
    this.edge(from, to);
  }

  importersOf(relPath: string): string[] {
    return [...(this.importers.get(relPath) ?? [])].sort();
  }

  importsOf(relPath: string): string[] {
    return [...(this.imports.get(relPath) ?? [])].sort();
  }
}
