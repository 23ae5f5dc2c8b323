/**
 * Options of the xenapi-duplicates rule and the xenapi-cleanup codemod: similarity thresholds per
 * unit kind, the smallest unit worth comparing, and how short a plugin-call helper must be to count
 * as a wrapper. Set in the config file under `lint.rules.xenapi-duplicates.options` (schema
 * `config-duplicates`, schemas/config/duplicates.schema.json) or `migrate.options.duplicates`.
 */
import { ConfigError } from '../config/config-file.js';
import { compileSchema, formatSchemaErrors } from '../config/schemas.js';

export interface DuplicateThresholds {
  /** A Python module against an os-xenapi module. */
  module: number;
  /** A file (a plugin-directory file, or any module) against an os-xenapi dom0 plugin file. */
  plugin: number;
  class: number;
  /** Functions and methods against os-xenapi functions, methods and dom0 plugin functions. */
  function: number;
}

export interface DuplicatesOptions {
  thresholds: DuplicateThresholds;
  /** Units with fewer normalised tokens are not compared (one-line helpers look alike). */
  minTokens: number;
  /** A helper with at most this many statements that makes one plugin call is a wrapper. */
  wrapperMaxStatements: number;
}

export const DEFAULT_DUPLICATES_OPTIONS: DuplicatesOptions = {
  thresholds: { module: 0.5, plugin: 0.5, class: 0.6, function: 0.8 },
  minTokens: 40,
  wrapperMaxStatements: 6,
};

export function resolveDuplicatesOptions(partial: Partial<DuplicatesOptions> | undefined): DuplicatesOptions {
  return {
    thresholds: { ...DEFAULT_DUPLICATES_OPTIONS.thresholds, ...(partial?.thresholds ?? {}) },
    minTokens: partial?.minTokens ?? DEFAULT_DUPLICATES_OPTIONS.minTokens,
    wrapperMaxStatements: partial?.wrapperMaxStatements ?? DEFAULT_DUPLICATES_OPTIONS.wrapperMaxStatements,
  };
}

/** Validates options from a config file or the command line (ConfigError names the key). */
export function validateDuplicatesOptions(value: unknown, where: string): Partial<DuplicatesOptions> {
  const validate = compileSchema('config-duplicates');
  if (!validate(value)) throw new ConfigError(`${where}: ${formatSchemaErrors(validate).join('; ')}`);
  return value as Partial<DuplicatesOptions>;
}
