/**
 * `backlevel verify objects [--repo DIR] [--rev REV] [--support RANGE|TAGS] [--base REV]
 * [--format text|json|sarif|junit|github] [--python PATH] ...`: loads the code under test and its
 * history, runs the object checks, prints the report; exit 1 when an error or warning is found.
 * JSON findings carry `check`, `object`, `version`, `targetVersion`, `field`, `revision` and
 * `message` at top level (and everything under `data`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { globalOptions } from '../../cli/context.js';
import { InputError, UsageError } from '../../cli/errors.js';
import { ExitCode } from '../../cli/exit-codes.js';
import { loadConfig } from '../../config/config-file.js';
import { GitError } from '../../history/git-objects.js';
import { isEraName } from '../../objects/eras.js';
import { objectsHtmlExtra } from '../../report/html/index.js';
import { isReportFormat, OUTPUT_FORMATS as REPORT_FORMATS, renderReport } from '../../report/index.js';
import { jsonReport } from '../../report/json.js';
import { loadObjectsHistory } from './history-source.js';
import { formatObjectData } from './ovo-fingerprint.js';
import { type VerifyOptions, verifyObjects } from './runner.js';
import { BridgeStartError, findBridgePython } from './runtime-bridge.js';
import { CHECK_DESCRIPTORS, isObjectCheck, OBJECT_CHECKS, type ObjectCheckId } from './types.js';

interface ObjectsCliOptions {
  repo: string;
  rev?: string;
  support?: string;
  base?: string;
  historyFrom?: string;
  format: string;
  python?: string;
  pythonPath?: string[];
  pythonModule?: string[];
  registerAll?: string[];
  check?: string[];
  object?: string[];
  allVersions?: boolean;
  era?: string;
  seed?: string;
  fingerprints?: boolean;
  cache?: boolean;
}

/** The `verify.objects` config section (schemas/config/verify.schema.json). */
interface ObjectsConfig {
  support?: string;
  python?: string;
  pythonPath?: string[];
  pythonModules?: string[];
  registerAll?: string[];
  checks?: string[];
  allVersions?: boolean;
  objectDirs?: string[];
  era?: string;
}

function collect(v: string, prev: string[] = []): string[] {
  return [
    ...prev,
    ...v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function registerObjects(verify: Command): void {
  verify
    .command('objects')
    .description('Backlevel round-trips of every versioned object at every historical version')
    .option('--repo <dir>', 'work tree or git directory (bare repositories too)', '.')
    .option('--rev <rev>', 'code under test (default: the work tree, or HEAD of a bare repository)')
    .option(
      '--support <range|tags>',
      "releases to stay compatible with: '2014.1..', '12.0.0..13.0.0' or 'a,b,c'",
    )
    .option('--base <rev>', 'also compare with this revision (version-bump)')
    .option('--history-from <gitdir>', 'take the history from this git repository (for a tree without git)')
    .option('--format <format>', `report format: ${REPORT_FORMATS.join(', ')}`, 'text')
    .option('--python <path>', 'run the runtime bridge with this Python (check 7)')
    .option('--python-path <dir>', 'sys.path entry for the bridge (repeatable)', collect)
    .option('--python-module <mod>', 'module the bridge imports (repeatable)', collect)
    .option(
      '--register-all <mod>',
      'module whose register_all() the bridge calls (default for Nova: nova.objects)',
      collect,
    )
    .option('--check <id>', `only these checks (repeatable): ${OBJECT_CHECKS.join(', ')}`, collect)
    .option('--object <name>', 'only these objects (repeatable)', collect)
    .option('--all-versions', 'every historical version is a sender too, not only the code under test')
    .option('--era <era>', 'force the base-class semantics (nova-2014, nova-kilo, ovo-liberty, ovo-manifest)')
    .option('--seed <n>', 'graph builder seed', '1')
    .option('--fingerprints', "print oslo-compatible fingerprints ('Name': 'version-md5')")
    .option('--no-cache', 'do not use the history cache')
    .action(async (opts: ObjectsCliOptions, cmd: Command) => {
      process.exitCode = await runObjectsCommand(opts, cmd);
    });
}

export async function runObjectsCommand(opts: ObjectsCliOptions, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  if (!isReportFormat(opts.format)) {
    throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, not '${opts.format}'`);
  }
  const repo = resolve(opts.repo);
  if (!existsSync(repo)) throw new InputError(`--repo ${opts.repo}: no such directory`);
  if (opts.era && !isEraName(opts.era)) throw new UsageError(`--era: unknown era '${opts.era}'`);
  const cfg = ((
    (loadConfig(existsSync(resolve(repo, '.git')) ? repo : process.cwd(), g.config).config.verify ?? {}) as {
      objects?: ObjectsConfig;
    }
  ).objects ?? {}) as ObjectsConfig;
  const checkIds = opts.check ?? cfg.checks;
  for (const c of checkIds ?? []) {
    if (!isObjectCheck(c))
      throw new UsageError(`--check: unknown check '${c}' (one of ${OBJECT_CHECKS.join(', ')})`);
  }
  const seed = Number.parseInt(opts.seed ?? '1', 10);
  if (!Number.isFinite(seed)) throw new UsageError(`--seed expects an integer, not '${opts.seed}'`);
  const t0 = performance.now();
  let history: Awaited<ReturnType<typeof loadObjectsHistory>>;
  try {
    history = await loadObjectsHistory({
      repo,
      ...(opts.rev ? { rev: opts.rev } : {}),
      ...((opts.support ?? cfg.support) ? { support: (opts.support ?? cfg.support) as string } : {}),
      ...(opts.base ? { base: opts.base } : {}),
      ...(opts.historyFrom ? { historyFrom: resolve(opts.historyFrom) } : {}),
      ...(opts.era && isEraName(opts.era)
        ? { era: opts.era }
        : cfg.era && isEraName(cfg.era)
          ? { era: cfg.era }
          : {}),
      ...(opts.cache === false ? { noCache: true } : {}),
      ...(cfg.objectDirs ? { objectDirs: cfg.objectDirs } : {}),
    });
  } catch (e) {
    if (e instanceof GitError) {
      // Name the option whose revision did not resolve.
      const names = (r: string | undefined) => r !== undefined && e.message.includes(`'${r}'`);
      const which = names(opts.rev) ? `--rev ${opts.rev}: ` : names(opts.base) ? `--base ${opts.base}: ` : '';
      throw new InputError(`${which}${e.message}`);
    }
    if (e instanceof Error && /^--support|needs a git repository|no versioned objects/.test(e.message))
      throw new InputError(e.message);
    throw e;
  }
  const loadMs = Math.round(performance.now() - t0);
  const python = opts.python ?? cfg.python;
  const vopts: VerifyOptions = {
    ...(checkIds ? { checks: checkIds as ObjectCheckId[] } : {}),
    ...(opts.object ? { objects: opts.object } : {}),
    senders: (opts.allVersions ?? cfg.allVersions) ? 'history' : 'current',
    seed,
    ...(g.jobs ? { jobs: g.jobs } : {}),
  };
  if (python) {
    const found = findBridgePython(python);
    if (!found) throw new InputError(`--python ${python}: cannot import oslo_versionedobjects with it`);
    const novaLike = existsSync(resolve(repo, 'nova', 'objects'));
    vopts.bridge = {
      python: found,
      paths: opts.pythonPath ?? cfg.pythonPath ?? (novaLike ? [repo] : []),
      modules: opts.pythonModule ?? cfg.pythonModules ?? [],
      registerAll: opts.registerAll ?? cfg.registerAll ?? (novaLike ? ['nova.objects'] : []),
    };
  }
  let result: Awaited<ReturnType<typeof verifyObjects>>;
  try {
    result = await verifyObjects(history, vopts);
  } catch (e) {
    if (e instanceof BridgeStartError) throw new InputError(e.message);
    throw e;
  }
  const findings = result.findings;
  const summary = {
    ...result.counters,
    loadMs,
    elapsedMs: Math.round(performance.now() - t0),
    releases: history.releases.length,
    supportedReleases: history.supported.length,
    objects: history.current.defs.size,
    versions: [...history.versions.values()].reduce((n, m) => n + m.size, 0),
    code: history.current.label,
    notes: result.notes.length,
  };
  const input = {
    findings,
    summary,
    rules: CHECK_DESCRIPTORS,
    tool: { name: 'backlevel', version: '0.1.0' },
    command: 'verify objects',
  };
  let text: string;
  if (opts.format === 'json') {
    const report = jsonReport({
      ...input,
      extra: {
        fingerprints: Object.fromEntries(result.fingerprints.map((f) => [f.name, f.fingerprint])),
        notes: result.notes,
        history: { releases: history.releases.map((r) => r.label), notes: history.notes },
      },
    });
    report.findings = (report.findings as Record<string, unknown>[]).map((f, i) => {
      const d = findings[i]?.data ?? {};
      return {
        check: d.check,
        object: d.object,
        version: d.version,
        targetVersion: d.targetVersion,
        field: d.field,
        revision: d.revision,
        ...f,
      };
    });
    text = `${JSON.stringify(report, null, 2)}\n`;
  } else {
    text = await renderReport(
      opts.format,
      opts.format === 'html' ? { ...input, extra: objectsHtmlExtra(history, findings, repo) } : input,
      { color: g.color },
    );
    if (opts.format === 'text') {
      const counts = new Map<string, number>();
      for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
      const lines = [
        `verify objects: ${history.current.label}: ${summary.objects} objects, ${summary.versions} versions, ${history.releases.length} releases in history; ${summary.pairs} pairs, ${summary.backlevels} backlevels, ${summary.roundTrips} round trips in ${summary.elapsedMs} ms`,
        ...OBJECT_CHECKS.map((c) => `  ${c}: ${counts.get(c) ?? 0}`),
        ...history.notes.map((n) => `note: ${n}`),
      ];
      if (opts.fingerprints) lines.push('', 'object_data = {', formatObjectData(result.fingerprints), '}');
      text = `${text}${lines.join('\n')}\n`;
    }
  }
  process.stdout.write(text);
  const failing = findings.some((f) => f.severity === 'error' || f.severity === 'warning');
  return failing ? ExitCode.Findings : ExitCode.Clean;
}
