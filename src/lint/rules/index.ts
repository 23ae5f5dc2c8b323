/** Every lint rule, by id, in the order reports list them. */
import type { LintRule } from '../types.js';
import { dictStyleObjectAccess } from './dict-style-object-access.js';
import { dom0PluginCall } from './dom0-plugin-call.js';
import { legacyXenapiImport } from './legacy-xenapi-import.js';
import { rawConductorCall } from './raw-conductor-call.js';
import { virtDriverMethodContract } from './virt-driver-method-contract.js';
import { xenapiDuplicates } from './xenapi-duplicates.js';

export const RULES: readonly LintRule[] = [
  rawConductorCall,
  legacyXenapiImport,
  dom0PluginCall,
  dictStyleObjectAccess,
  virtDriverMethodContract,
  xenapiDuplicates,
];

export const RULES_BY_ID: ReadonlyMap<string, LintRule> = new Map(RULES.map((r) => [r.meta.id, r]));
