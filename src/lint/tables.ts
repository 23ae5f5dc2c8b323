/**
 * The rule data every lint rule reads, loaded once per thread: the conductor mapping table, the
 * virt driver method table, and the os-xenapi tables (import renames, plugin calls) owned by the
 * xenapi area.
 */
import { packagePath } from '../config/package-root.js';
import {
  PluginCallTable,
  type PluginCallTableData,
  XenapiImportRules,
  type XenapiImportRulesData,
} from '../xenapi/rule-tables.js';
import { type ConductorMethodTable, loadConductorMethods } from './conductor-methods.js';
import { readYamlTable } from './table-cache.js';
import { loadVirtDriverMethods, type VirtDriverMethodTable } from './virt-driver-methods.js';

export interface LintTables {
  conductor: ConductorMethodTable;
  virtDriver: VirtDriverMethodTable;
  xenapiImports: XenapiImportRules;
  pluginCalls: PluginCallTable;
}

export interface TableFiles {
  conductorMethods?: string;
  virtDriverMethods?: string;
  xenapiImports?: string;
  pluginCalls?: string;
}

export function loadLintTables(files: TableFiles = {}): LintTables {
  return {
    conductor: loadConductorMethods(...(files.conductorMethods ? [files.conductorMethods] : [])),
    virtDriver: loadVirtDriverMethods(...(files.virtDriverMethods ? [files.virtDriverMethods] : [])),
    // The xenapi area's tables (validated by their schemas), read through the same cache.
    xenapiImports: new XenapiImportRules(
      readYamlTable<XenapiImportRulesData>(
        files.xenapiImports ?? packagePath('rules', 'xenapi-imports.yaml'),
        'rules-xenapi-imports',
        'xenapi imports table',
      ),
    ),
    pluginCalls: new PluginCallTable(
      readYamlTable<PluginCallTableData>(
        files.pluginCalls ?? packagePath('rules', 'xenapi-plugin-calls.yaml'),
        'rules-xenapi-plugin-calls',
        'xenapi plugin calls table',
      ),
    ),
  };
}
