/**
 * The project configuration file: `backlevel.config.json`, `.yaml` or `.yml` at the root of the
 * target tree, validated with ajv against `schemas/config.schema.json` (and one schema per section
 * in `schemas/config/`). An invalid file is a ConfigError naming the file and the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSchema } from './schemas.js';
import { parseYaml } from './yaml.js';

export const CONFIG_FILE_NAMES = ['backlevel.config.json', 'backlevel.config.yaml', 'backlevel.config.yml'];

export interface BacklevelConfig {
  projectPackages?: string[];
  include?: string[];
  exclude?: string[];
  maxFileSize?: number;
  jobs?: number;
  lint?: Record<string, unknown>;
  migrate?: Record<string, unknown>;
  verify?: Record<string, unknown>;
  pins?: Record<string, unknown>;
  gate?: Record<string, unknown>;
  backport?: Record<string, unknown>;
  report?: Record<string, unknown>;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: BacklevelConfig;
  /** The file it came from, or undefined when the tree has none (defaults apply). */
  file?: string;
}

export function findConfigFile(dir: string): string | undefined {
  return CONFIG_FILE_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p));
}

export function loadConfig(dir: string, explicitFile?: string): LoadedConfig {
  const file = explicitFile ?? findConfigFile(dir);
  if (!file) return { config: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read config (${(err as Error).message})`, file);
  }
  return { config: parseConfig(text, file), file };
}

export function parseConfig(text: string, file: string): BacklevelConfig {
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const e = err as Error & { linePos?: { line: number; col: number }[] };
    const where = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new ConfigError(
      `${file}${where}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${e.message}`,
      file,
    );
  }
  if (data === null || data === undefined) return {};
  const validate = compileSchema('backlevel-config');
  if (!validate(data)) {
    const err = validate.errors?.[0];
    const path = err?.instancePath ? err.instancePath.slice(1).replace(/\//g, '.') : '';
    let key = path;
    let detail = err?.message ?? 'invalid';
    if (err?.keyword === 'additionalProperties') {
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      key = path ? `${path}.${extra}` : extra;
      detail = 'unknown key';
    }
    throw new ConfigError(`${file}: invalid config at '${key || '(root)'}': ${detail}`, file, key);
  }
  return data as BacklevelConfig;
}
