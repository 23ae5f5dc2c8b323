/**
 * The requirement and constraint lines for one distribution in a tree: requirement files (pip
 * syntax with `-r`/`-c` includes; setup.cfg install_requires and extras), constraint files
 * (lower/upper constraints, `--constraints`), split by whether their environment marker holds.
 * Lines the requirements library cannot parse come back as diagnostics naming file and line.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  diskReader,
  entryApplies,
  type FileReader,
  findRequirements,
  type MarkerEnvironment,
  normalizeName,
  type RequirementEntry,
  type RequirementsDiagnostic,
  type RequirementsSet,
  readRequirementsFile,
  readSetupCfg,
} from '../../requirements/index.js';

export interface PinSources {
  /** Requirement lines (not constraints) whose marker holds. */
  requirements: RequirementEntry[];
  /** Constraint lines (constraint files and `-c` includes) whose marker holds. */
  constraints: RequirementEntry[];
  /** Lines for the package whose marker does not hold. */
  skipped: RequirementEntry[];
  diagnostics: RequirementsDiagnostic[];
  /** Files read (relative to the root when inside it). */
  files: string[];
}

export interface PinSourceOptions {
  root: string;
  package: string;
  requirementFiles: readonly string[];
  constraintFiles: readonly string[];
  /** Named on the command line: a missing one is an error. */
  explicitConstraintFiles?: readonly string[];
  env: Partial<MarkerEnvironment>;
  /** Default: the file system under `root`. */
  reader?: FileReader;
}

/** Reads paths relative to `root` (absolute paths as they are). */
export function rootReader(root: string): FileReader {
  return (file) => diskReader(path.isAbsolute(file) ? file : path.join(root, file));
}

export function readPinSources(options: PinSourceOptions): PinSources {
  const reader = options.reader ?? rootReader(options.root);
  const sets: RequirementsSet[] = [];
  const diagnostics: RequirementsDiagnostic[] = [];
  const rel = (f: string) => {
    if (!path.isAbsolute(f)) return f;
    const r = path.relative(options.root, f);
    return r.startsWith('..') ? f : r.split(path.sep).join('/');
  };
  const explicit = new Set(options.explicitConstraintFiles ?? []);
  const read = (file: string, constraint: boolean) => {
    const name = rel(file);
    if (path.basename(name) === 'setup.cfg' && !constraint) {
      if (reader(name) === undefined) return;
      sets.push(readSetupCfg(name, reader));
      return;
    }
    const set = readRequirementsFile(name, { reader, constraint });
    const missingRoot = set.diagnostics.some((d) => d.code === 'missing-file' && d.file === name);
    if (missingRoot && !explicit.has(file)) return;
    sets.push(set);
  };
  for (const f of options.requirementFiles) read(f, false);
  for (const f of options.constraintFiles) read(f, true);
  for (const f of options.explicitConstraintFiles ?? []) {
    if (!options.constraintFiles.includes(f)) read(f, true);
  }

  const requirements: RequirementEntry[] = [];
  const constraints: RequirementEntry[] = [];
  const skipped: RequirementEntry[] = [];
  const seen = new Set<string>();
  const files: string[] = [];
  for (const set of sets) {
    diagnostics.push(...set.diagnostics);
    for (const f of set.files) if (!files.includes(f)) files.push(f);
    for (const e of findRequirements(set, options.package)) {
      const key = `${e.file}:${e.line}:${e.constraint}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!entryApplies(e, options.env)) skipped.push(e);
      else if (e.constraint) constraints.push(e);
      else requirements.push(e);
    }
  }
  return { requirements, constraints, skipped, diagnostics, files };
}

/** Whether an unparsable line could be about the package (its text starts with the name). */
export function diagnosticConcerns(d: RequirementsDiagnostic, pkg: string): boolean {
  if (!d.raw) return false;
  const head = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(d.raw);
  return !!head && normalizeName(head[1]!) === normalizeName(pkg);
}

export function fileExists(root: string, file: string): boolean {
  return existsSync(path.isAbsolute(file) ? file : path.join(root, file));
}
