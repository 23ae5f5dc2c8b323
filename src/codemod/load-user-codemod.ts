/**
 * Loads a user codemod written in TypeScript (`--codemod ./my-codemod.ts`) with no build step: the
 * file is transpiled in memory by the TypeScript compiler API (`ts.transpileModule`), its relative
 * imports of other `.ts` files likewise, and the result is imported from a `data:` URL. Import
 * specifiers are rewritten to absolute URLs first (a `data:` module has no directory to resolve
 * against): relative ones to the transpiled sibling, bare ones through Node's resolution from the
 * codemod's own directory, then from backlevel's (so a codemod can use backlevel's dependencies).
 * Plain `.js` / `.mjs` codemods are imported directly.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packagePath } from '../config/package-root.js';
import type { CodemodModule } from './types.js';

export class CodemodLoadError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'CodemodLoadError';
  }
}

type TS = typeof import('typescript');
let tsPromise: Promise<TS> | undefined;
function typescript(): Promise<TS> {
  tsPromise ??= import('typescript').then((m) => ((m as unknown as { default?: TS }).default ?? m) as TS);
  return tsPromise;
}

const urlCache = new Map<string, Promise<string>>();
const TS_EXT = /\.(m|c)?tsx?$/;

/** True when a `--codemod` value names a file rather than a built-in codemod. */
export function isCodemodPath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || /\.(m|c)?[jt]sx?$/.test(spec);
}

export async function loadUserCodemod(file: string): Promise<CodemodModule> {
  const abs = resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile())
    throw new CodemodLoadError(`${file}: no such codemod file`, abs);
  const url = TS_EXT.test(abs) ? await transpiledUrl(abs, []) : pathToFileURL(abs).href;
  let mod: Partial<CodemodModule> & { default?: unknown };
  try {
    mod = (await import(url)) as Partial<CodemodModule>;
  } catch (err) {
    throw new CodemodLoadError(`${file}: cannot load codemod: ${(err as Error).message}`, abs);
  }
  if (typeof mod.default !== 'function') {
    throw new CodemodLoadError(
      `${file}: a codemod must default-export a transform function (file, api, options)`,
      abs,
    );
  }
  const meta = mod.meta ?? { name: abs, description: '(user codemod)' };
  return {
    default: mod.default as CodemodModule['default'],
    meta,
    ...(mod.prepare ? { prepare: mod.prepare } : {}),
  };
}

function transpiledUrl(abs: string, stack: readonly string[]): Promise<string> {
  if (stack.includes(abs)) {
    return Promise.reject(
      new CodemodLoadError(
        `${abs}: import cycle between codemod files (${[...stack, abs].join(' -> ')})`,
        abs,
      ),
    );
  }
  let p = urlCache.get(abs);
  if (!p) {
    p = transpile(abs, [...stack, abs]);
    urlCache.set(abs, p);
  }
  return p;
}

async function transpile(abs: string, stack: readonly string[]): Promise<string> {
  const ts = await typescript();
  const source = readFileSync(abs, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: abs,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      verbatimModuleSyntax: false,
      sourceMap: false,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  const diag = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (diag) {
    const where =
      diag.file && diag.start !== undefined ? diag.file.getLineAndCharacterOfPosition(diag.start) : undefined;
    const msg = ts.flattenDiagnosticMessageText(diag.messageText, '\n');
    throw new CodemodLoadError(
      `${abs}${where ? `:${where.line + 1}:${where.character + 1}` : ''}: ${msg}`,
      abs,
    );
  }
  const code = await rewriteSpecifiers(ts, out.outputText, abs, stack);
  return `data:text/javascript;base64,${Buffer.from(`${code}\n//# sourceURL=${pathToFileURL(abs).href}\n`).toString('base64')}`;
}

async function rewriteSpecifiers(
  ts: TS,
  code: string,
  abs: string,
  stack: readonly string[],
): Promise<string> {
  const info = ts.preProcessFile(code, true, true);
  const refs = [...info.importedFiles].sort((a, b) => a.pos - b.pos);
  const parts: string[] = [];
  let cursor = 0;
  for (const ref of refs) {
    const spec = ref.fileName;
    const target = await resolveSpecifier(spec, abs, stack);
    if (target === spec) continue;
    // A reference's pos is at (or just before) the literal's opening quote: find the text itself.
    const at = code.indexOf(spec, ref.pos);
    if (at < cursor || at < 0) continue;
    parts.push(code.slice(cursor, at), target);
    cursor = at + spec.length;
  }
  parts.push(code.slice(cursor));
  return parts.join('');
}

async function resolveSpecifier(spec: string, from: string, stack: readonly string[]): Promise<string> {
  if (spec.startsWith('node:') || isBuiltin(spec) || spec.startsWith('data:') || spec.startsWith('file:'))
    return spec;
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const base = resolve(dirname(from), spec);
    const candidates = [
      base,
      base.replace(/\.js$/, '.ts'),
      base.replace(/\.mjs$/, '.mts'),
      `${base}.ts`,
      `${base}.js`,
      `${base}/index.ts`,
      `${base}/index.js`,
    ];
    const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (!found) throw new CodemodLoadError(`${from}: cannot resolve import '${spec}'`, from);
    return TS_EXT.test(found) ? transpiledUrl(found, stack) : pathToFileURL(found).href;
  }
  for (const base of [from, packagePath('package.json')]) {
    try {
      return pathToFileURL(createRequire(base).resolve(spec)).href;
    } catch {
      // try the next base
    }
  }
  return spec;
}
