/**
 * Check 7, runtime-bridge: the project's real Python objects, driven through `python/ovo_bridge.py`
 * (JSON lines over stdin/stdout, one long-lived process, requests pipelined). For every current
 * sender, pair and graph variant the TypeScript runtime backleveled, the same primitive goes to
 * the real `obj_from_primitive` + `obj_to_primitive(target_version=v, version_manifest=...)`; the
 * real result is judged by check 1 (as backlevel-accepted findings marked `source: python`), and
 * every difference between the real outcome and the TypeScript one is a runtime-bridge finding.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { packagePath } from '../../config/package-root.js';
import type { JsonObject, JsonValue } from '../../objects/model.js';
import type { BacklevelOutcome } from './backlevel.js';
import { checkBackleveledPrimitive } from './backlevel-accepted.js';
import type { Pair } from './pairs.js';
import type { PrimitiveChecker } from './primitive-check.js';
import { diffPrimitives } from './round-trip.js';
import { type FindingSet, objectFinding, pairLabel } from './types.js';

export interface BridgeOptions {
  python: string;
  /** sys.path entries (fixture module roots). */
  paths?: string[];
  /** Modules to import. */
  modules?: string[];
  /** Modules whose `register_all()` is called (Nova: nova.objects). */
  registerAll?: string[];
}

export interface BridgeError {
  type: string;
  message: string;
  deliberate?: boolean;
  traceback?: string;
}

type Answer =
  | { id: number | null; ok: true; result: unknown }
  | { id: number | null; ok: false; error: BridgeError };

export class BridgeStartError extends Error {}

/** Default harness location inside the backlevel package. */
export function bridgeScript(): string {
  return packagePath('python', 'ovo_bridge.py');
}

/** A Python that can import oslo.versionedobjects: the given one, $BACKLEVEL_PYTHON, Debian's, PATH's. */
export function findBridgePython(explicit?: string): string | undefined {
  const candidates = [explicit, process.env.BACKLEVEL_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => !!c,
  );
  for (const c of candidates) {
    if (c.includes('/') && !existsSync(c)) continue;
    const r = spawnSync(c, ['-c', 'import oslo_versionedobjects'], { encoding: 'utf8' });
    if (r.status === 0) return c;
    if (explicit && c === explicit) return undefined;
  }
  return undefined;
}

export class PythonBridge {
  private readonly proc: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private readonly waiting = new Map<number, (a: Answer) => void>();
  private startError: BridgeError | undefined;
  private stderr = '';
  private exited = false;

  private constructor(opts: BridgeOptions) {
    const args = [bridgeScript()];
    for (const p of opts.paths ?? []) args.push('--path', p);
    for (const m of opts.modules ?? []) args.push('--module', m);
    for (const m of opts.registerAll ?? []) args.push('--register-all', m);
    this.proc = spawn(opts.python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-8000);
    });
    this.proc.on('exit', () => {
      this.exited = true;
      for (const [id, resolve] of this.waiting) {
        resolve({
          id,
          ok: false,
          error: this.startError ?? {
            type: 'BridgeExited',
            message: `python exited: ${this.stderr.trim().split('\n').at(-1) ?? ''}`,
          },
        });
      }
      this.waiting.clear();
    });
    this.proc.on('error', (e) => {
      this.startError = { type: 'SpawnError', message: e.message };
    });
    const rl = createInterface({ input: this.proc.stdout });
    rl.on('line', (line) => {
      let a: Answer;
      try {
        a = JSON.parse(line) as Answer;
      } catch {
        return;
      }
      if (a.id === 0 && !a.ok) {
        this.startError = a.error;
        return;
      }
      const cb = a.id !== null ? this.waiting.get(a.id) : undefined;
      if (cb && a.id !== null) {
        this.waiting.delete(a.id);
        cb(a);
      }
    });
  }

  static async start(opts: BridgeOptions): Promise<PythonBridge> {
    const b = new PythonBridge(opts);
    const hello = await b.request('hello', {});
    if (!hello.ok) {
      b.close();
      throw new BridgeStartError(
        `runtime bridge (${opts.python}): ${hello.error.type}: ${hello.error.message}`,
      );
    }
    return b;
  }

  request(op: string, body: Record<string, unknown>): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (this.exited) {
        resolve({
          id,
          ok: false,
          error: this.startError ?? { type: 'BridgeExited', message: 'python exited' },
        });
        return;
      }
      this.waiting.set(id, resolve);
      this.proc.stdin.write(`${JSON.stringify({ id, op, ...body })}\n`);
    });
  }

  async objects(): Promise<{ name: string; version: string; namespace: string }[]> {
    const a = await this.request('objects', {});
    if (!a.ok) throw new Error(`${a.error.type}: ${a.error.message}`);
    return a.result as { name: string; version: string; namespace: string }[];
  }

  async hashes(namespace?: string): Promise<Record<string, string>> {
    const a = await this.request('hashes', namespace ? { namespace } : {});
    if (!a.ok) throw new Error(`${a.error.type}: ${a.error.message}`);
    return a.result as Record<string, string>;
  }

  async backport(
    primitive: JsonObject,
    target: string,
    manifest: Record<string, string> | null,
  ): Promise<Answer> {
    return this.request('backport', { primitive, target, manifest });
  }

  close(): void {
    if (!this.exited) this.proc.stdin.end();
  }
}

/** One replay: what TypeScript did and the primitive the real code gets. */
export interface BridgeCase {
  pair: Pair;
  variant: string;
  /** The sender's primitive at its own version (what the real code hydrates). */
  input: JsonObject;
  ts: BacklevelOutcome;
}

function outcomeText(o: BacklevelOutcome): string {
  switch (o.kind) {
    case 'primitive':
      return 'a primitive';
    case 'refused':
      return `ObjectActionError (${o.error.message})`;
    case 'crash':
      return `${o.error.pythonName} (${o.error.message})`;
    case 'model-gap':
      return `no result (${o.error.message})`;
  }
}

function strip(p: JsonValue): JsonObject {
  return p as JsonObject;
}

/** Replays cases through the bridge and reports differences and real backlevel defects. */
export async function runBridge(
  bridge: PythonBridge,
  cases: BridgeCase[],
  checker: PrimitiveChecker,
  findings: FindingSet,
): Promise<{ replayed: number; agreed: number; differences: number }> {
  const answers = await Promise.all(
    cases.map((c) => bridge.backport(c.input, c.pair.target.version, c.pair.sendManifest)),
  );
  let agreed = 0;
  let differences = 0;
  cases.forEach((c, i) => {
    const a = answers[i] as Answer;
    const { sender, target } = c.pair;
    const base = {
      object: sender.def.name,
      version: sender.def.version,
      targetVersion: target.version,
      revision: sender.revision,
      file: sender.def.source?.file ?? '',
    };
    let differs: string | undefined;
    let field: string | undefined;
    if (a.ok) {
      const real = strip((a.result as { primitive: JsonValue }).primitive);
      // Check 1 on what the real code produced.
      const local = new (findings.constructor as new () => FindingSet)();
      checkBackleveledPrimitive(c.pair, `${c.variant} (python)`, real, checker, local);
      for (const f of local.list()) {
        findings.add({ ...f, data: { ...f.data, source: 'python' } }, `python:${String(f.data?.kind)}`);
      }
      if (c.ts.kind !== 'primitive')
        differs = `Python sent a primitive, TypeScript predicted ${outcomeText(c.ts)}`;
      else {
        const diffs = [...diffPrimitives(c.ts.primitive, real, sender.def, [], [], sender.registry)];
        const vkey = 'nova_object.version';
        if (c.ts.primitive[vkey] !== real[vkey])
          differs = `version ${String(real[vkey])} vs ${String(c.ts.primitive[vkey])}`;
        else if (diffs.length) {
          const d = diffs[0] as (typeof diffs)[number];
          field = d.field;
          differs = `${d.path}: Python ${d.kind === 'lost' ? 'lacks it' : d.kind === 'added' ? `has ${JSON.stringify(d.after)}` : `has ${JSON.stringify(d.after)}`}, TypeScript ${d.kind === 'added' ? 'lacks it' : `has ${JSON.stringify(d.before)}`}${diffs.length > 1 ? ` (+${diffs.length - 1} more)` : ''}`;
        }
      }
    } else {
      const e = a.error;
      const tsKind = c.ts.kind;
      if (e.deliberate && tsKind === 'refused') differs = undefined;
      else if (!e.deliberate && tsKind === 'crash' && c.ts.error.pythonName === e.type) differs = undefined;
      else differs = `Python raised ${e.type}: ${e.message}; TypeScript predicted ${outcomeText(c.ts)}`;
    }
    if (differs) {
      differences++;
      findings.add(
        objectFinding({
          check: 'runtime-bridge',
          ...base,
          ...(field ? { field } : {}),
          message: `${pairLabel(sender.def.name, sender.def.version, target.version)} (${c.variant}): the real objects and backlevel's runtime disagree: ${differs}`,
          data: { variant: c.variant, kind: 'difference' },
        }),
        `diff:${field ?? ''}`,
      );
    } else agreed++;
  });
  return { replayed: cases.length, agreed, differences };
}
